"""Small-plate augmentation: plates shrunk to a camera's low resolution before the input is fitted."""

import numpy as np
import pytest
from pydantic import ValidationError

from edge.types import Box
from train.ocr.augment import shrink_plate
from train.ocr.config import OcrTrainConfig


def _plate(h=60, w=200):
    image = np.full((h, w, 3), 230, np.uint8)
    image[20:40, 30:170:20] = 0  # dark "characters"
    return image


def test_shrink_plate_scales_image_and_box_to_the_plate_width():
    rng = np.random.default_rng(0)
    image, box = shrink_plate(_plate(), Box(20, 10, 180, 50), 80.0, rng)
    assert image.shape == (30, 100, 3)  # 160 px plate -> 80 px: everything halves
    assert (box.x1, box.y1, box.x2, box.y2) == (10.0, 5.0, 90.0, 25.0)
    whole, none_box = shrink_plate(_plate(), None, 50.0, rng)
    assert whole.shape == (15, 50, 3) and none_box is None
    grey, _ = shrink_plate(_plate()[:, :, :1], None, 100.0, rng)
    assert grey.shape == (30, 100, 1)  # the reader's stored grey inputs keep their channel axis


def test_a_plate_already_narrower_is_left_alone():
    image = _plate()
    out, box = shrink_plate(image, Box(20, 10, 80, 50), 100.0, np.random.default_rng(0))
    assert out is image and box == Box(20, 10, 80, 50)


def test_blur_softens_the_shrunk_plate_and_draws_nothing_when_off():
    sharp_rng, soft_rng = np.random.default_rng(3), np.random.default_rng(3)
    quality = (100, 100)
    sharp, _ = shrink_plate(_plate(), None, 100.0, sharp_rng, quality)
    soft, _ = shrink_plate(_plate(), None, 100.0, soft_rng, quality, blur_sigma=(1.5, 1.5))
    assert soft.shape == sharp.shape
    edges = [np.abs(np.diff(img.astype(np.float32), axis=1)).max() for img in (sharp, soft)]
    assert edges[1] < 0.7 * edges[0]  # the characters' edges spread over more pixels
    grey, _ = shrink_plate(_plate()[:, :, :1], None, 100.0, np.random.default_rng(3), quality, (1.0, 1.0))
    assert grey.shape == (30, 100, 1)
    # without blur the JPEG quality is the only draw: the stream is that of the earlier configs
    assert sharp_rng.random() == _after_one_draw(3)


def _after_one_draw(seed: int) -> float:
    rng = np.random.default_rng(seed)
    rng.integers(100, 101)
    return rng.random()


def test_training_batch_with_every_sample_shrunk_keeps_the_input_shape():
    pytest.importorskip("keras")
    from train.ocr.data import OcrCrop
    from train.ocr.train import TrainingSequence

    cfg = OcrTrainConfig(small_plate_fraction=1.0, small_plate_width=(40.0, 60.0), real_repeat=1, batch_size=4)
    real = [OcrCrop(_plate(), Box(20, 10, 180, 50), "ABC123", "us_crops", "us_crops")] * 2
    synth = np.stack([np.full((48, 160, 1), 200, np.uint8)] * 2)
    sequence = TrainingSequence(cfg, synth, ["XY12", "XY13"], real, 0)
    x, y = sequence.batch(0)
    assert x.shape == (4, 48, 160, 1) and y.shape[0] == 4
    # shrunk and fitted back: a sharp plate edge is no longer a one-pixel step
    plain = TrainingSequence(cfg.model_copy(update={"small_plate_fraction": 0.0}), synth, ["XY12", "XY13"], real, 0)
    assert not np.array_equal(x, plain.batch(0)[0])
    soft = TrainingSequence(cfg.model_copy(update={"small_plate_blur": 1.0}), synth, ["XY12", "XY13"], real, 0)
    soft_x = soft.batch(0)[0]
    assert soft_x.shape == x.shape and not np.array_equal(x, soft_x)


def test_small_plate_fields_default_off_and_are_validated():
    cfg = OcrTrainConfig()
    assert cfg.small_plate_fraction == 0.0 and cfg.small_plate_width == (56.0, 120.0)
    assert cfg.small_plate_blur == 0.0
    with pytest.raises(ValidationError, match="small_plate_blur"):
        OcrTrainConfig(small_plate_blur=-1.0)
    with pytest.raises(ValidationError, match="small_plate_width"):
        OcrTrainConfig(small_plate_width=(120.0, 56.0))
    with pytest.raises(ValidationError, match="small_plate_fraction"):
        OcrTrainConfig(small_plate_fraction=1.5)
