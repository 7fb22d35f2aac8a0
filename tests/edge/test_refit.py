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
    for bad in ({"context": 0.5}, {"min_iou": 0.0}, {"max_area_ratio": 1.5}, {"min_score": 1.0}):
        with pytest.raises(ValueError):
            RefitParams(**bad)


class BoxReader:
    """A fake reader: sure of the plate when its box is about the plate, unsure and wrong when loose."""

    crops = SimpleNamespace(accept_confidence=0.95)

    def __init__(self, loose_read: tuple[str, float] = ("X1ABC123", 0.6)) -> None:
        self.loose_read, self.boxes = loose_read, []

    def read(self, image, box):
        self.boxes.append(box)
        if box is not None and box.iou(Box(*map(float, PLATE))) > 0.8:
            return DecodedText("ABC123", (0.97,) * 6)
        text, confidence = self.loose_read
        return DecodedText(text, (confidence,) * len(text))


def test_an_unsure_read_of_a_loose_box_is_replaced_by_the_surer_read_of_the_refitted_box():
    fitter, reader = refitter(), BoxReader()
    read = read_given_box(reader, fitter, frame_with_plate(PLATE), Box(240.0, 140.0, 400.0, 230.0))
    assert read.text == "ABC123" and len(reader.boxes) == 2 and fitter.replaced == 1


def test_a_sure_read_a_whole_image_or_no_refitter_is_read_once():
    frame, loose = frame_with_plate(PLATE), Box(240.0, 140.0, 400.0, 230.0)
    fitter = refitter()
    assert read_given_box(BoxReader(("ZZ999", 0.99)), fitter, frame, loose).text == "ZZ999"
    assert read_given_box(BoxReader(), fitter, frame, None).text == "X1ABC123"
    assert fitter.looks == 0
    assert read_given_box(BoxReader(), None, frame, loose).text == "X1ABC123"


def test_the_given_read_stays_when_the_refitted_box_reads_less_surely():
    fitter, reader = refitter(), BoxReader()

    def unsure_everywhere(image, box):
        reader.boxes.append(box)
        return DecodedText("ABC12", (0.3 if len(reader.boxes) > 1 else 0.49,) * 5)

    reader.read = unsure_everywhere
    read = read_given_box(reader, fitter, frame_with_plate(PLATE), Box(240.0, 140.0, 400.0, 230.0))
    assert read.confidence == 0.49 and len(reader.boxes) == 2 and fitter.replaced == 0
