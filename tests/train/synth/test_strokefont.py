"""DIN-style stroke lettering: every plate character drawn, legible apart, sized like a font's mask."""

import cv2
import numpy as np
import pytest

from edge.cli.main import main
from edge.text import ALPHABET
from train.data.annotations import read_dataset
from train.synth.draw import text_mask
from train.synth.strokefont import StrokeFont


def _shape(mask: np.ndarray) -> np.ndarray:
    """The glyph's ink squeezed into 24x16 pixels (shape only, not size)."""
    return cv2.resize(mask, (16, 24), interpolation=cv2.INTER_AREA)


def test_every_plate_character_has_a_distinct_glyph():
    font = StrokeFont()
    assert font.supports(ALPHABET + "- ")
    shapes = {ch: _shape(font.mask(ch, 64)) for ch in ALPHABET if ch not in "I1"}
    names = sorted(shapes)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            difference = np.abs(shapes[a] - shapes[b]).mean()
            assert difference > 0.04, f"{a} and {b} look alike ({difference:.3f})"
    # the narrow ones: I is one upright stroke, 1 has a flag
    i_mask, one_mask = font.mask("I", 64), font.mask("1", 64)
    assert i_mask.shape[1] < 0.25 * i_mask.shape[0] < one_mask.shape[1]


def test_the_mask_is_cropped_to_ink_of_the_asked_height():
    mask = StrokeFont(weight=0.13, width=0.5).mask("1AB 2345", 96)
    assert mask.dtype == np.float32 and mask.min() >= 0.0 and mask.max() <= 1.0
    assert 90 <= mask.shape[0] <= 100
    assert min(mask[0].max(), mask[-1].max(), mask[:, 0].max(), mask[:, -1].max()) > 0.02  # no empty border


def test_width_and_weight_change_the_lettering():
    narrow = StrokeFont(weight=0.12, width=0.42).mask("HMW80", 64)
    wide = StrokeFont(weight=0.12, width=0.58).mask("HMW80", 64)
    assert wide.shape[1] > 1.2 * narrow.shape[1]
    light = StrokeFont(weight=0.10, width=0.5).mask("HMW80", 64)
    heavy = StrokeFont(weight=0.16, width=0.5).mask("HMW80", 64)
    assert heavy.sum() / heavy.size > 1.3 * light.sum() / light.size
    spaced = StrokeFont(weight=0.12, width=0.5).mask("HMW80", 64, spacing=0.2)
    assert spaced.shape[1] > StrokeFont(weight=0.12, width=0.5).mask("HMW80", 64).shape[1] + 4 * 0.2 * 64 - 4


def test_missing_glyphs_are_refused_and_text_mask_falls_back_to_a_font_file():
    font = StrokeFont()
    assert not font.supports("São Paulo")
    with pytest.raises(ValueError, match="no glyph"):
        font.mask("São Paulo")
    fallback = text_mask("São Paulo", font, 48)
    assert fallback.shape[0] > 20 and fallback.max() > 0.5
    assert np.array_equal(text_mask("AB12", font, 48), font.mask("AB12", 48))


@pytest.mark.parametrize(("weight", "width"), [(0.01, 0.5), (0.13, 1.5)])
def test_out_of_range_settings_are_refused(weight, width):
    with pytest.raises(ValueError, match="out of range"):
        StrokeFont(weight, width)


def test_synth_cli_draws_the_same_plates_in_stroke_lettering(tmp_path):
    bold, stroke = tmp_path / "bold", tmp_path / "stroke"
    common = ["synth", "--kind", "plates", "--count", "4", "--styles", "eu_cz,eu_de", "--seed", "5", "--clean"]
    assert main([*common, "--out", str(bold)]) == 0
    assert main([*common, "--out", str(stroke), "--fonts", "stroke"]) == 0
    rows_bold = read_dataset(bold).annotations
    rows_stroke = read_dataset(stroke).annotations
    assert [a.text for a in rows_bold] == [a.text for a in rows_stroke]
    differ = [
        not np.array_equal(cv2.imread(str(bold / "images" / a.image)), cv2.imread(str(stroke / "images" / a.image)))
        for a in rows_bold
    ]
    assert all(differ)
    with pytest.raises(SystemExit):  # argparse refuses an unknown choice
        main([*common, "--out", str(tmp_path / "x"), "--fonts", "thin"])
