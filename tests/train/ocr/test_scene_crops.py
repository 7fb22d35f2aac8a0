"""Plates cut out of synthetic scenes for the reader: which plates are kept, where their box lands, caching."""

import numpy as np

from edge.preprocess import crop_box
from edge.text import is_valid_text
from edge.types import Box
from train.ocr.config import OcrTrainConfig
from train.ocr.scene_crops import crops_from_scene, scene_crop_set


def test_only_legible_whole_plates_with_text_are_cut():
    rng = np.random.default_rng(0)
    image = rng.integers(0, 255, (200, 400, 3), dtype=np.uint8)
    boxes = [
        Box(100, 80, 180, 100),  # kept
        Box(10, 10, 40, 20),  # 30 px wide: under min_width
        Box(200, 120, 300, 140),  # no text
        Box(350, 150, 420, 170),  # cut by the right edge of the frame
        Box(20, 150, 100, 170),  # not a valid plate text
    ]
    texts = ["AB123CD", "XY12", "", "CUT123", "??"]
    crops = crops_from_scene(image, boxes, texts, min_width=48)
    assert [c.text for c in crops] == ["AB123CD"]
    crop = crops[0]
    assert crop.source == "scenes" and crop.group == "scenes"
    # the box moved into the crop cuts the same pixels as the original box in the frame
    assert np.array_equal(crop_box(crop.image, crop.box), crop_box(image, boxes[0]))
    # context was kept around the plate for the augmentation to move the box
    assert crop.image.shape[0] > boxes[0].height and crop.image.shape[1] > boxes[0].width


def test_scene_crop_set_renders_generated_scenes_without_data_and_caches(tmp_path):
    manifest = tmp_path / "splits.json"
    manifest.write_text("{}")
    cache = tmp_path / "cache"
    crops = scene_crop_set(tmp_path / "no-data", manifest, scenes=6, seed=3, min_width=20, cache_dir=cache, workers=1)
    assert crops, "six generated streets carry at least one plate 20 px wide"
    for c in crops:
        assert is_valid_text(c.text) and c.box is not None and c.box.width >= 20
        assert 0 <= c.box.x1 < c.box.x2 <= c.image.shape[1] and 0 <= c.box.y1 < c.box.y2 <= c.image.shape[0]
    assert len(list(cache.glob("scene_ocr_*.pkl"))) == 1
    again = scene_crop_set(tmp_path / "no-data", manifest, scenes=6, seed=3, min_width=20, cache_dir=cache, workers=1)
    assert [c.text for c in again] == [c.text for c in crops]
    assert scene_crop_set(tmp_path / "no-data", manifest, 0, 3, 20.0, cache) == []


def test_training_sequence_sees_each_scene_plate_once_per_epoch():
    import pytest

    pytest.importorskip("keras")
    from train.ocr.data import OcrCrop
    from train.ocr.train import TrainingSequence

    cfg = OcrTrainConfig(synthetic_count=0, real_repeat=3, batch_size=4)
    image = np.full((60, 200, 3), 200, np.uint8)
    real = [OcrCrop(image, Box(20, 10, 180, 50), "REAL1", "us_crops", "us_crops")] * 2
    scene = [OcrCrop(image, Box(20, 10, 180, 50), "SCENE1", "scenes", "scenes")] * 5
    sequence = TrainingSequence(cfg, np.zeros((0, 48, 160, 1), np.uint8), [], real, 0, scene)
    texts = [sequence.real[i].text for kind, i in sequence.order if kind == "r"]
    assert texts.count("REAL1") == 6 and texts.count("SCENE1") == 5
    x, y = sequence.batch(0)
    assert x.shape == (4, 48, 160, 1) and y.shape[0] == 4


def test_scene_fields_default_off_and_are_validated():
    import pytest
    from pydantic import ValidationError

    cfg = OcrTrainConfig()
    assert cfg.scene_plates == 0 and cfg.scene_min_plate_width == 48.0
    with pytest.raises(ValidationError):
        OcrTrainConfig(scene_plates=-1)
