"""US plate extras: drawn only inside the block, never in the label, and cached apart for the OCR."""

import numpy as np
import pytest

from edge.metadata import InputSpec
from train.ocr.data import synthetic_set
from train.synth.styles import render_us
from train.synth.us_extras import (
    draw_disabled_symbol,
    draw_emblem,
    extras_on,
    split_groups,
    us_plate_extras,
)


def _render(seeds: range) -> list:
    return [render_us(np.random.default_rng([11, i])) for i in seeds]


def test_extras_change_some_plates_only_inside_the_block_and_keep_every_label():
    before = _render(range(40))
    with us_plate_extras():
        assert extras_on()
        cluttered = _render(range(40))
        with us_plate_extras(False):
            assert not extras_on()
    assert not extras_on()
    after = _render(range(40))
    assert all(np.array_equal(a.image, b.image) and a.text == b.text for a, b in zip(before, after))
    assert [p.text for p in cluttered] == [p.text for p in before]  # the text is drawn before any extra
    changed = sum(not np.array_equal(a.image, b.image) for a, b in zip(before, cluttered))
    assert changed >= 20  # the extras draw from the same generator: what follows them moves too


@pytest.mark.parametrize(
    ("printed", "groups"),
    [
        ("ABC 1234", ("ABC", "1234")),
        ("ABC1234", ("ABC", "1234")),
        ("123AB", ("123", "AB")),
        ("1IQF873", ("1IQF", "873")),  # not a lone 1 drawn half a plate wide
        ("ABCDEF", None),
        ("A12345", None),
    ],
)
def test_split_groups_at_a_space_or_where_letters_turn_to_digits(printed, groups):
    assert split_groups(printed) == groups


def test_split_groups_does_not_split_at_a_dash():
    assert split_groups("12-AB") is None


def test_the_disabled_symbol_and_the_emblems_stay_in_their_place():
    canvas = np.full((150, 300, 3), 240.0, np.float32)
    draw_disabled_symbol(canvas, (20.0, 50.0, 50.0, 104.0), (20.0, 20.0, 120.0))
    inked = np.argwhere((canvas != 240.0).any(axis=2))
    assert len(inked) > 100
    assert inked[:, 1].min() >= 17 and inked[:, 1].max() <= 53 and inked[:, 0].min() >= 47 and inked[:, 0].max() <= 107
    for seed in range(6):  # every kind (disc, diamond, sun with rays) within its radius
        canvas = np.full((150, 300, 3), 240.0, np.float32)
        draw_emblem(canvas, np.random.default_rng(seed), (150.0, 75.0), 16.0, (200.0, 40.0, 40.0))
        inked = np.argwhere((canvas != 240.0).any(axis=2))
        assert len(inked) > 50
        assert np.abs(inked - [75, 150]).max() <= 16 + 3


def test_synthetic_plates_are_cached_apart_with_us_extras(tmp_path):
    spec = InputSpec(height=48, width=160, colour="grey")
    plain, plain_texts, _ = synthetic_set(spec, 12, 3, ["us"], tmp_path, workers=1)
    extras, extras_texts, _ = synthetic_set(spec, 12, 3, ["us"], tmp_path, workers=1, us_extras=True)
    assert len(list(tmp_path.glob("synth_ocr_*.npz"))) == 2
    assert plain_texts == extras_texts and not np.array_equal(plain, extras)
    again, _, _ = synthetic_set(spec, 12, 3, ["us"], tmp_path, workers=1, us_extras=True)
    assert np.array_equal(again, extras)


def test_the_synth_cli_draws_us_extras_on_request(tmp_path):
    from edge.cli.main import main

    base = ["synth", "--kind", "plates", "--styles", "us", "--count", "12", "--seed", "4"]
    assert main([*base, "--out", str(tmp_path / "plain")]) == 0
    assert main([*base, "--out", str(tmp_path / "extras"), "--us-extras"]) == 0
    plain = (tmp_path / "plain" / "annotations.csv").read_text()
    assert plain == (tmp_path / "extras" / "annotations.csv").read_text()
    images = sorted((tmp_path / "plain" / "images").rglob("*.jpg"))
    differ = [
        p for p in images if p.read_bytes() != (tmp_path / "extras" / p.relative_to(tmp_path / "plain")).read_bytes()
    ]
    assert differ
