"""Reading from a box someone else drew: the detector's refit of a loose box (edge.refit)."""

from types import SimpleNamespace

import numpy as np
import pytest

from edge.ctc import DecodedText
from edge.refit import BoxRefitter, RefitParams, read_given_box
from edge.types import Box
from tests.edge.test_detector import BrightBoxModel, detector, frame_with_plate

PLATE = (280, 170, 360, 200)


def refitter() -> BoxRefitter:
    return BoxRefitter(detector(BrightBoxModel(), second_look=False))


def test_a_loose_box_is_refitted_to_the_plate_inside_it():
    fitter = refitter()
    fitted = fitter.refit(frame_with_plate(PLATE), Box(240.0, 140.0, 400.0, 230.0))
    assert fitted is not None and fitted.iou(Box(*map(float, PLATE))) > 0.8
    assert fitter.looks == 1


def test_a_tight_box_or_one_without_a_plate_inside_stands_as_given():
    fitter = refitter()
    frame = frame_with_plate(PLATE)
    assert fitter.refit(frame, Box(*map(float, PLATE))) is None  # the detector's box is no smaller
    assert fitter.refit(frame, Box(20.0, 300.0, 120.0, 340.0)) is None  # the plate found does not overlap
    assert fitter.refit(np.full((384, 640, 3), 40, np.uint8), Box(240.0, 140.0, 400.0, 230.0)) is None
    assert fitter.refit(frame, Box(300.0, 100.0, 340.0, 260.0)) is None  # a box on end: no look
    assert fitter.looks == 3


def test_refit_params_are_checked():
    bad_values = (
        {"context": 0.5},
        {"min_iou": 0.0},
        {"max_area_ratio": 1.5},
        {"min_score": 1.0},
        {"whole_context": 0.9},
        {"whole_max_area_ratio": 0.0},
    )
    for bad in bad_values:
        with pytest.raises(ValueError):
            RefitParams(**bad)


class BoxReader:
    """A fake reader: sure of the plate when its box is about the plate, unsure and wrong when loose."""

    crops = SimpleNamespace(accept_confidence=0.95)

    def __init__(self, loose_read: tuple[str, float] = ("X1ABC123", 0.6), plate: tuple = PLATE) -> None:
        self.loose_read, self.boxes, self.plate = loose_read, [], Box(*map(float, plate))

    def read(self, image, box):
        self.boxes.append(box)
        if box is not None and box.iou(self.plate) > 0.8:
            return DecodedText("ABC123", (0.97,) * 6)
        text, confidence = self.loose_read
        return DecodedText(text, (confidence,) * len(text))


def test_an_unsure_read_of_a_loose_box_is_replaced_by_the_surer_read_of_the_refitted_box():
    fitter, reader = refitter(), BoxReader()
    read = read_given_box(reader, fitter, frame_with_plate(PLATE), Box(240.0, 140.0, 400.0, 230.0))
    assert read.text == "ABC123" and len(reader.boxes) == 2 and fitter.replaced == 1


def test_a_sure_read_or_no_refitter_is_read_once():
    frame, loose = frame_with_plate(PLATE), Box(240.0, 140.0, 400.0, 230.0)
    fitter = refitter()
    assert read_given_box(BoxReader(("ZZ999", 0.99)), fitter, frame, loose).text == "ZZ999"
    assert read_given_box(BoxReader(("ZZ999", 0.99)), fitter, frame, None).text == "ZZ999"
    assert fitter.looks == 0
    assert read_given_box(BoxReader(), None, frame, loose).text == "X1ABC123"
    assert read_given_box(BoxReader(), None, frame, None).text == "X1ABC123"


CROP_PLATE = (40, 30, 120, 60)  # PLATE in the loose crop frame[140:230, 240:400]


def test_a_loose_crop_given_whole_is_refitted_on_a_padded_canvas():
    crop = np.ascontiguousarray(frame_with_plate(PLATE)[140:230, 240:400])
    fitter, reader = refitter(), BoxReader(plate=CROP_PLATE)
    fitted = fitter.refit_whole(crop)
    assert fitted is not None and fitted.iou(Box(*map(float, CROP_PLATE))) > 0.8 and fitter.looks == 1
    read = read_given_box(reader, fitter, crop, None)
    assert read.text == "ABC123" and reader.boxes[0] is None and fitter.replaced == 1


def test_a_tight_crop_an_empty_one_or_one_on_end_stands_as_given():
    fitter = refitter()
    tight = np.ascontiguousarray(frame_with_plate(PLATE)[165:205, 275:365])  # the plate: 67 % of it
    assert fitter.refit_whole(tight) is None
    assert fitter.refit_whole(np.full((90, 160, 3), 40, np.uint8)) is None
    assert fitter.looks == 2
    assert fitter.refit_whole(np.ascontiguousarray(np.rot90(tight))) is None and fitter.looks == 2


def test_the_given_read_stays_when_the_refitted_box_reads_less_surely():
    fitter, reader = refitter(), BoxReader()

    def unsure_everywhere(image, box):
        reader.boxes.append(box)
        return DecodedText("ABC12", (0.3 if len(reader.boxes) > 1 else 0.49,) * 5)

    reader.read = unsure_everywhere
    read = read_given_box(reader, fitter, frame_with_plate(PLATE), Box(240.0, 140.0, 400.0, 230.0))
    assert read.confidence == 0.49 and len(reader.boxes) == 2 and fitter.replaced == 0
