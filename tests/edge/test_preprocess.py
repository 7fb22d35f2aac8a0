import numpy as np
import pytest

from edge.metadata import InputSpec
from edge.preprocess import (
    convert_colour,
    crop_box,
    crop_plate,
    expand_box,
    letterbox,
    normalise,
    prepare_detector_input,
    prepare_ocr_input,
)
from edge.types import Box


def test_letterbox_keeps_aspect_and_maps_boxes_back():
    frame = np.zeros((720, 1280, 3), np.uint8)
    out, info = letterbox(frame, 256, 256)
    assert out.shape == (256, 256, 3)
    assert info.scale_x == pytest.approx(0.2) and info.scale_y == pytest.approx(0.2)
    assert info.pad_x == 0 and info.pad_y == 56
    boxes = np.array([[100, 200, 300, 260]], np.float32)
    assert np.allclose(info.to_frame(info.to_input(boxes)), boxes, atol=1e-4)
    assert np.allclose(info.to_input(boxes), [[20, 96, 60, 108]])


def test_letterbox_pads_with_pad_value_and_centres():
    image = np.full((10, 40, 3), 200, np.uint8)
    out, info = letterbox(image, 40, 40, pad_value=7)
    assert info.pad_y == 15
    assert (out[:15] == 7).all() and (out[25:] == 7).all() and (out[15:25] == 200).all()


def test_expand_box_adds_fraction_of_size():
    assert expand_box(Box(10, 20, 110, 40), 0.1, 0.5) == Box(0, 10, 120, 50)


def test_crop_box_replicates_border_outside_image():
    image = np.arange(25, dtype=np.uint8).reshape(5, 5, 1).repeat(3, axis=2)
    crop = crop_box(image, Box(-2, 0, 3, 2))
    assert crop.shape == (2, 5, 3)
    assert (crop[0, :, 0] == [0, 0, 0, 1, 2]).all()
    with pytest.raises(ValueError):
        crop_box(image, Box(10, 10, 12, 12))


def test_crop_plate_none_is_whole_image():
    image = np.zeros((8, 16, 3), np.uint8)
    spec = InputSpec(height=4, width=8, margin_x=0.5, margin_y=0.5)
    assert crop_plate(image, None, spec) is image


def test_prepare_ocr_input_shapes_and_colour():
    image = np.zeros((100, 200, 3), np.uint8)
    image[:, :, 2] = 255  # pure red in BGR
    rgb = prepare_ocr_input(image, Box(50, 40, 150, 60), InputSpec(height=32, width=96, colour="rgb"))
    assert rgb.shape == (32, 96, 3) and rgb.dtype == np.uint8
    assert (rgb[..., 0] == 255).all() and (rgb[..., 2] == 0).all()
    grey = prepare_ocr_input(image, None, InputSpec(height=32, width=96, colour="grey"))
    assert grey.shape == (32, 96, 1)


def test_prepare_detector_input_letterbox_round_trip():
    frame = np.zeros((720, 1280, 3), np.uint8)
    tensor, info = prepare_detector_input(frame, InputSpec(height=216, width=384, resize="letterbox"))
    assert tensor.shape == (216, 384, 3)
    assert info.scale_x == pytest.approx(0.3) and info.pad_y == 0


def test_convert_colour_grey_input_to_rgb():
    grey = np.full((4, 4), 9, np.uint8)
    assert convert_colour(grey, "rgb").shape == (4, 4, 3)


def test_normalise_range():
    x = normalise(np.array([0, 255], np.uint8))
    assert x.dtype == np.float32 and x[0] == 0.0 and x[1] == 1.0
