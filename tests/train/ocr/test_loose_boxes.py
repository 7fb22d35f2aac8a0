"""Loose-box augmentation: real plates boxed in photos cut from a looser box, as another annotator or
detector draws it."""

import numpy as np
import pytest
from pydantic import ValidationError

from edge.types import Box
from train.ocr.augment import augment_real, loosen_box
from train.ocr.config import OcrTrainConfig


def test_loosened_box_contains_the_box_and_grows_within_bounds():
    box = Box(100, 50, 300, 100)
    rng = np.random.default_rng(0)
    for _ in range(200):
        loose = loosen_box(box, rng, 0.3)
        assert loose.x1 <= box.x1 and loose.y1 <= box.y1 and loose.x2 >= box.x2 and loose.y2 >= box.y2
        assert loose.width <= box.width * 1.3 + 1e-9 and loose.height <= box.height * 1.6 + 1e-9
    assert loosen_box(box, rng, 0.0) == box


def test_growth_is_split_unevenly_between_the_sides():
    box = Box(0, 0, 100, 20)
    rng = np.random.default_rng(1)
    lefts = [box.x1 - loosen_box(box, rng, 0.3).x1 for _ in range(50)]
    assert max(lefts) > 0 and len({round(v, 6) for v in lefts}) > 40


def _photo():
    return np.full((200, 400, 3), 120, np.uint8)


def test_off_draws_nothing_and_crops_without_a_box_are_never_loosened():
    box = Box(100, 80, 300, 120)
    plain, loose_off = np.random.default_rng(5), np.random.default_rng(5)
    a = augment_real(_photo(), box, plain)
    b = augment_real(_photo(), box, loose_off, loose_probability=0.0)
    assert a[1] == b[1] and np.array_equal(a[0], b[0])  # the same random stream as before the option
    crop_rng, loose_rng = np.random.default_rng(7), np.random.default_rng(7)
    c = augment_real(_photo(), None, crop_rng)
    d = augment_real(_photo(), None, loose_rng, loose_probability=1.0)
    assert c[1] == d[1]  # a crop (no box) has nothing around it to take in


def test_always_loosened_boxes_are_larger_on_average():
    box = Box(100, 80, 300, 120)
    plain, loose = np.random.default_rng(2), np.random.default_rng(2)
    plain_area = np.mean([augment_real(_photo(), box, plain)[1].area for _ in range(100)])
    loose_area = np.mean([augment_real(_photo(), box, loose, loose_probability=1.0)[1].area for _ in range(100)])
    assert loose_area > plain_area * 1.2


def test_config_bounds():
    assert OcrTrainConfig().loose_box_probability == 0.0
    with pytest.raises(ValidationError):
        OcrTrainConfig(loose_box_probability=1.5)
    with pytest.raises(ValidationError):
        OcrTrainConfig(loose_box_max=-0.1)
    with pytest.raises(ValidationError):
        OcrTrainConfig(loose_box_max=0.5)  # past the context real plates are kept with


def test_a_new_readers_card_reads_the_boxed_only_tighter_crop():
    from edge.metadata import DEFAULT_READ_CROPS

    assert OcrTrainConfig().read_crops == DEFAULT_READ_CROPS
    assert [c.name for c in DEFAULT_READ_CROPS.crops if c.boxed_only] == ["tighter"]
    assert [c.name for c in DEFAULT_READ_CROPS.crops if c.whole_only] == ["looser"]
