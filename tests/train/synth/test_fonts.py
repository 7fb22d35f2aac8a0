"""Plate fonts: bold unless a block asks for all weights; the OCR's synthetic cache keeps them apart."""

import numpy as np
import pytest

from edge.metadata import InputSpec
from train.ocr.data import synthetic_set
from train.synth.fonts import plate_font_weights, plate_fonts
from train.synth.strokefont import StrokeFont


def test_all_weights_extend_the_bold_pool_only_inside_the_block():
    bold = plate_fonts()
    with plate_font_weights("all"):
        every = plate_fonts()
        with plate_font_weights("bold"):
            assert plate_fonts() == bold
        assert plate_fonts() == every
    assert plate_fonts() == bold
    assert set(bold) < set(every)
    added = {p.name for p in set(every) - set(bold)}
    assert "Roboto-Regular.ttf" in added and not any("Bold" in name or "Black" in name for name in added)
    with pytest.raises(ValueError, match="'bold', 'all', 'din' or 'stroke'"), plate_font_weights("thin"):
        pass


def test_din_adds_the_stroke_lettering_to_all_weights():
    with plate_font_weights("all"):
        every = plate_fonts()
    with plate_font_weights("din"):
        din = plate_fonts()
    assert din[: len(every)] == every
    added = din[len(every) :]
    assert added and all(isinstance(font, StrokeFont) for font in added)
    assert len(set(added)) == len(added)
    with plate_font_weights("stroke"):
        assert plate_fonts() == added


def test_synthetic_plates_are_cached_per_font_weights(tmp_path):
    spec = InputSpec(height=48, width=160, colour="grey")
    bold, bold_texts, _ = synthetic_set(spec, 8, 3, ["eu_ro"], tmp_path, workers=1)
    every, every_texts, _ = synthetic_set(spec, 8, 3, ["eu_ro"], tmp_path, workers=1, fonts="all")
    assert len(list(tmp_path.glob("synth_ocr_*.npz"))) == 2
    assert bold_texts == every_texts  # the same plates, drawn in other fonts where the draw picks one
    assert not np.array_equal(bold, every)
    again, _, _ = synthetic_set(spec, 8, 3, ["eu_ro"], tmp_path, workers=1, fonts="all")
    assert np.array_equal(again, every)


def test_the_synth_cli_offers_every_font_weight():
    import argparse

    from train.cli import register_synth
    from train.synth.fonts import FONT_WEIGHTS

    parser = argparse.ArgumentParser()
    register_synth(parser.add_subparsers())
    synth = next(a for a in parser._subparsers._group_actions[0].choices["synth"]._actions if a.dest == "fonts")
    assert tuple(synth.choices) == FONT_WEIGHTS
