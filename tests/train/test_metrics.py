import pytest

from train.metrics import confusion_pairs, edit_distance, grouped_scores, reading_scores


def test_edit_distance():
    assert edit_distance("ABC", "ABC") == 0
    assert edit_distance("ABC", "A8C") == 1
    assert edit_distance("ABC", "AC") == 1
    assert edit_distance("", "XY") == 2
    assert edit_distance("KITTEN", "SITTING") == 3


def test_reading_scores_exact_values():
    scores = reading_scores([("ABC1", "ABC1"), ("ABC2", "A8C2"), ("XY", "")])
    assert scores["n"] == 3
    assert scores["exact_match"] == pytest.approx(100 / 3)
    assert scores["char_accuracy"] == pytest.approx(100 * (1 - 3 / 10))
    assert reading_scores([("AB", "ABCDEFG")])["char_accuracy"] == 0.0
    assert reading_scores([])["n"] == 0


def test_grouped_scores_have_the_same_keys():
    scores = grouped_scores([("us", "A1", "A1"), ("br", "B2", "B3"), ("us", "C3", "C3")])
    assert scores["by_group"]["us"]["exact_match"] == 100.0
    assert scores["by_group"]["br"] == {"exact_match": 0.0, "char_accuracy": 50.0, "n": 1}
    assert set(scores) == {"exact_match", "char_accuracy", "n", "by_group"}


def test_confusions_follow_alignment():
    counts = confusion_pairs([("AB0", "A80"), ("XY", "X")])
    assert counts[("B", "8")] == 1 and counts[("0", "0")] == 1 and counts[("Y", "")] == 1


def test_exact_by_source_counts_every_plate_and_each_source():
    from train.metrics import exact_by_source

    scores = exact_by_source({"ro": [True, False, True, True], "fr": [False]})
    assert scores == {
        "exact_match": 60.0,
        "n": 5,
        "by_source": {"fr": {"exact_match": 0.0, "n": 1}, "ro": {"exact_match": 75.0, "n": 4}},
    }
    assert list(scores["by_source"]) == ["fr", "ro"]
    assert exact_by_source({}) == {"exact_match": 0.0, "n": 0, "by_source": {}}
