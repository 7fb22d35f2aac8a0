from edge.text import ALPHABET, MAX_PLATE_LENGTH, is_valid_text, normalize_text, text_problem


def test_normalize_removes_separators_and_uppercases():
    assert normalize_text("ab-123 cd") == "AB123CD"
    assert normalize_text("B.AB 1234") == "BAB1234"


def test_text_problems_are_named():
    assert text_problem("") == "empty text"
    assert "longer than" in text_problem("A" * (MAX_PLATE_LENGTH + 1))
    assert "'-'" in text_problem("AB-12")
    assert text_problem("AB123") is None


def test_alphabet_is_digits_then_letters():
    assert ALPHABET == "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    assert all(is_valid_text(c) for c in ALPHABET)
    assert not is_valid_text("ab1")
