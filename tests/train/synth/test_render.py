import re

import numpy as np
import pytest

from edge.text import is_valid_text
from train.synth.formats import render_pattern
from train.synth.plates import render_clean, render_plate_sample, style_names

LABEL_PATTERNS = {
    "us": r"[A-Z0-9]{2,8}",
    "eu_cz": r"[1-9][A-Z][A-Z0-9]\d{4}",
    "eu_sk": r"[A-Z]{2}\d{3}[A-Z]{2}",
    "eu_de": r"[A-Z]{1,3}[A-Z]{1,2}\d{1,4}[EH]?",
    "eu_pl": r"[A-Z]{2,3}[A-Z0-9]{4,5}",
    "eu_it": r"[A-Z]{2}\d{3}[A-Z]{2}",
    "eu_fr": r"[A-Z]{2}\d{3}[A-Z]{2}",
    "eu_fr_fni": r"\d{2,4}[A-Z]{2,3}\d{2}",
    "eu_nl": r"[A-Z0-9]{6}",
    "eu_ro": r"(B|[A-Z]{2})\d{2,3}[A-Z]{3}",
    "br_grey": r"[A-Z]{3}\d{4}",
    "br_mercosul": r"[A-Z]{3}\d[A-Z]\d{2}",
    "tn": r"\d{1,3}T\d{1,4}",
    "eu_cz_two_row": r"[1-9][A-Z][A-Z0-9]\d{4}",
    "eu_de_two_row": r"[A-Z]{2,5}\d{1,4}[EH]?",
    "br_grey_moto": r"[A-Z]{3}\d{4}",
    "us_moto": r"[A-Z0-9]{5,7}",
}
TWO_ROW = {"eu_cz_two_row", "eu_de_two_row", "br_grey_moto", "us_moto"}


def test_every_style_has_a_label_pattern():
    assert set(style_names()) == set(LABEL_PATTERNS)


@pytest.mark.parametrize("style", sorted(LABEL_PATTERNS))
def test_style_labels_follow_their_format(style):
    for k in range(6):
        plate = render_clean(style, np.random.default_rng([7, k]))
        assert plate.style == style
        assert is_valid_text(plate.text)
        assert re.fullmatch(LABEL_PATTERNS[style], plate.text), (style, plate.text)
        assert plate.image.ndim == 3 and plate.image.shape[2] == 3
        assert plate.image.std() > 10  # something was drawn


def test_pattern_literals_and_arabic_word():
    rng = np.random.default_rng(0)
    printed, label = render_pattern("LL-DD E", rng)
    assert label.endswith("E") and len(label) == 5 and "-" in printed
    printed, label = render_pattern("DDD {TN} DDDD", rng)
    assert "تونس" in printed and re.fullmatch(r"\d{3}T\d{4}", label)


def test_samples_are_deterministic_and_degraded():
    a = render_plate_sample(np.random.default_rng([1, 2]))
    b = render_plate_sample(np.random.default_rng([1, 2]))
    assert a.text == b.text and np.array_equal(a.image, b.image)
    assert a.image.dtype == np.uint8 and a.image.ndim == 3 and min(a.image.shape[:2]) >= 8
    clean = render_plate_sample(np.random.default_rng([1, 3]), styles=["br_grey"], clean=True)
    assert clean.style == "br_grey" and clean.image.shape == (130, 400, 3)


def test_unknown_style_is_rejected():
    with pytest.raises(ValueError, match="unknown plate style"):
        render_clean("mars", np.random.default_rng(0))


def test_two_row_plates_are_squarer_and_drawn_only_when_named():
    for style in sorted(TWO_ROW):
        plate = render_clean(style, np.random.default_rng(3))
        h, w = plate.image.shape[:2]
        assert 1.3 <= w / h <= 1.8, style  # one-row plates are 2 (US) to 4.7 (EU) wide for 1 tall
        dark = (plate.image.mean(axis=2) < 100).mean(axis=1)  # share of dark pixels per row
        assert dark[int(0.3 * h) : int(0.5 * h)].max() > 0.1 and dark[int(0.6 * h) : int(0.85 * h)].max() > 0.1
    drawn = {render_plate_sample(np.random.default_rng([5, k]), clean=True).style for k in range(200)}
    assert not drawn & TWO_ROW and len(drawn) > 8
