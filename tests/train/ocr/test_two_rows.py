"""The reader's training crops of two-row plates: laid out as the device lays them out."""

import re

import numpy as np

from edge.metadata import InputSpec, TwoRowReading
from edge.preprocess import prepare_ocr_input
from edge.two_rows import lay_out_rows
from train.ocr.data import TWO_ROW_SEED_OFFSET, two_row_set
from train.synth.plates import render_plate_sample
from train.synth.two_row import TWO_ROW_NAMES

SPEC = InputSpec(height=48, width=160, colour="grey", margin_x=0.04, margin_y=0.12)


def test_two_row_plates_are_laid_out_with_the_devices_function_and_cached(tmp_path):
    images, texts, styles = two_row_set(SPEC, 6, 4, tmp_path, workers=1)
    assert images.shape == (6, *SPEC.shape) and images.dtype == np.uint8
    assert set(styles) <= set(TWO_ROW_NAMES) and all(re.fullmatch(r"[A-Z0-9]{5,10}", t) for t in texts)
    sample = render_plate_sample(np.random.default_rng([4, TWO_ROW_SEED_OFFSET + 2]), TWO_ROW_NAMES)
    rows = TwoRowReading()
    expected = prepare_ocr_input(lay_out_rows(sample.image, rows.gap_band, rows.overlap)[0], None, SPEC)
    assert texts[2] == sample.text and np.array_equal(images[2], expected)
    again = two_row_set(SPEC, 6, 4, tmp_path, workers=1)  # from the cache
    assert np.array_equal(again[0], images) and again[1] == texts
    assert len(list(tmp_path.glob("synth_ocr_two_rows_*.npz"))) == 1
