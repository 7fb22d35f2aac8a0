"""Crop images (rows without a box) in training: grown by the margins as before, or as the device reads them."""

import numpy as np
import pytest

from train.ocr.config import OcrTrainConfig


def _crop_with_dark_edges(h=60, w=200):
    image = np.full((h, w, 3), 230, np.uint8)
    image[:, :4] = 0  # a dark frame at the left and right edges of the crop
    image[:, -4:] = 0
    return image


def _dark_columns(batch: np.ndarray) -> float:
    """Mean number of input columns (of 160) darker than mid-grey, per sample, in normalised inputs."""
    return float(np.mean([(sample[..., 0].mean(axis=0) < 0.5).sum() for sample in batch]))


def test_crops_as_read_trains_on_the_crop_as_it_is_read():
    pytest.importorskip("keras")
    from train.ocr.data import OcrCrop
    from train.ocr.train import TrainingSequence

    cfg = OcrTrainConfig(real_repeat=1, batch_size=2, augment_strength=0.0)  # no jitter, warp or camera effects
    real = [OcrCrop(_crop_with_dark_edges(), None, "ABC123", "us_crops", "us_crops")] * 2
    synth = np.zeros((0, 48, 160, 1), np.uint8)
    grown = TrainingSequence(cfg, synth, [], real, 0).batch(0)[0]
    as_read = TrainingSequence(cfg.model_copy(update={"crops_as_read": True}), synth, [], real, 0).batch(0)[0]
    # 4 of 200 px each side read as they are: about 3 input columns each; grown by 4 % with the edge
    # repeated: about 3 + 6 each
    assert _dark_columns(as_read) == pytest.approx(6.4, abs=1.5)
    assert _dark_columns(grown) == pytest.approx(18.2, abs=2.0)
    assert OcrTrainConfig().crops_as_read is False
