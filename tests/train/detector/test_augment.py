"""Detector batch augmentation: exact geometry of the shrink, ranges of night and blur, replayable batches."""

import numpy as np

from edge.metadata import InputSpec
from train.detector import augment
from train.detector.config import DetectorTrainConfig
from train.detector.train import _batch


def test_shrink_by_half_moves_boxes_and_pixels_together():
    image = np.zeros((8, 16, 3), np.uint8)
    image[2:6, 4:12] = 200  # a 8x4 "plate"
    boxes = np.asarray([[4, 2, 12, 6]], np.float32)
    out, moved = augment.shrink(image, boxes, 0.5, 114, np.random.default_rng(3))
    assert out.shape == image.shape and out.dtype == np.uint8
    ((x1, y1, x2, y2),) = moved
    assert (x2 - x1, y2 - y1) == (4.0, 2.0)
    assert (out[int(y1) : int(y2), int(x1) : int(x2)] == 200).all()  # the plate's pixels are under its box
    assert (out == 200).sum() == 4 * 2 * 3
    assert (out == 114).sum() == (8 * 16 - 8 * 4) * 3  # the rest of the canvas is the fill colour


def test_shrink_at_scale_one_changes_nothing():
    image = np.random.default_rng(0).integers(0, 255, (6, 10, 3), np.uint8)
    boxes = np.asarray([[1, 1, 5, 4]], np.float32)
    out, moved = augment.shrink(image, boxes, 1.0, 0, np.random.default_rng(1))
    np.testing.assert_array_equal(out, image)
    np.testing.assert_array_equal(moved, boxes)


def test_night_darkens_and_blur_smooths():
    rng = np.random.default_rng(5)
    pixels = np.full((32, 32, 3), 128.0, np.float32)
    assert augment.night(pixels, rng).mean() < 255 * (128 / 255) ** 1.5 * 0.9 + 2  # gamma >= 1.5, gain <= 0.9
    edge = np.zeros((16, 16, 1), np.float32)
    edge[:, 8:] = 255
    soft = augment.blur(edge, rng)
    assert soft.shape == edge.shape
    assert 0 < soft[0, 7, 0] < 255 and 0 < soft[0, 8, 0] < 255


def _data():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 255, (4, 32, 64, 3), np.uint8)
    boxes = [np.asarray([[10, 8, 30, 16]], np.float32) for _ in range(4)]
    return images, boxes


def test_batches_without_the_new_augmentations_replay_exactly():
    images, boxes = _data()
    cfg = DetectorTrainConfig(input=InputSpec(height=32, width=64, colour="rgb", resize="letterbox"))
    plain = _batch(images, boxes, np.arange(4), np.random.default_rng(7))
    with_cfg = _batch(images, boxes, np.arange(4), np.random.default_rng(7), cfg)
    np.testing.assert_array_equal(plain[0], with_cfg[0])
    for name in plain[1]:
        np.testing.assert_array_equal(plain[1][name], with_cfg[1][name])


def test_every_image_shrunk_puts_the_plate_centres_elsewhere():
    images, boxes = _data()
    spec = InputSpec(height=32, width=64, colour="rgb", resize="letterbox")
    cfg = DetectorTrainConfig(input=spec, shrink_probability=1.0, shrink_min=0.5, night_probability=1.0)
    x, y = _batch(images, boxes, np.arange(4), np.random.default_rng(7), cfg)
    plain = _batch(images, boxes, np.arange(4), np.random.default_rng(7))
    assert x.shape == plain[0].shape and x.min() >= 0.0 and x.max() <= 1.0
    assert y["heatmap"].max() > 0.99  # every plate still has a centre
    assert not np.array_equal(y["heatmap"], plain[1]["heatmap"])
