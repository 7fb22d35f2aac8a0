import csv

import cv2
import numpy as np
import pytest

from train.data.annotations import read_dataset
from train.data.check import check_dataset
from train.data.orientation import resolve_box_frames, tag_orientation
from train.evaluate import dataset_rows


def _stored_photo() -> bytes:
    """A 200x100 photo (as stored) with a bright plate at x 30..90, y 20..40, tagged to be shown turned
    90 degrees clockwise (EXIF 6): upright it is 100x200 with the plate at x 60..80, y 30..90."""
    image = np.full((100, 200, 3), 40, np.uint8)
    image[20:40, 30:90] = 250
    ok, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 95])
    assert ok
    return tag_orientation(encoded.tobytes(), 6)


def _folder(tmp_path, name: str, rows: list[tuple], tagged: bool = True):
    root = tmp_path / name
    (root / "images").mkdir(parents=True)
    data = _stored_photo()
    if not tagged:
        data = cv2.imencode(".jpg", cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR))[1].tobytes()
    (root / "images" / "car.jpg").write_bytes(data)
    with open(root / "annotations.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["image", "x1", "y1", "x2", "y2", "text"])
        writer.writerows(("car.jpg", *row) for row in rows)
    return root


def _brightness(image, box, annotation) -> float:
    """Stands in for the reader's confidence: how much of the box is the bright plate."""
    x1, y1, x2, y2 = (round(v) for v in box.as_list())
    return float((image[y1:y2, x1:x2, 0] > 128).mean())


def _boxes(rows) -> list[list[float]]:
    return [r[1].box.as_list() for r in rows]


def test_boxes_outside_the_upright_photo_are_taken_in_the_stored_frame(tmp_path):
    root = _folder(tmp_path, "outside", [(30, 20, 90, 40, "AB12"), (120, 20, 180, 40, "")])
    rows, choices = resolve_box_frames(dataset_rows([root], "all", tmp_path / "none"), _brightness)
    assert [c.as_dict()["boxes_in"] for c in choices] == ["stored"] and choices[0].reason == "inside"
    assert choices[0].tagged_images == 2 and choices[0].source == "outside"
    assert _boxes(rows) == [[60.0, 30.0, 80.0, 90.0], [60.0, 120.0, 80.0, 180.0]]
    assert [r[1].text for r in rows] == ["AB12", ""]


def test_boxes_inside_both_frames_are_taken_where_they_read_surer(tmp_path):
    stored = _folder(tmp_path, "stored", [(30, 20, 90, 40, "AB12")])
    rows, choices = resolve_box_frames(dataset_rows([stored], "all", tmp_path / "none"), _brightness)
    assert (choices[0].boxes_in, choices[0].reason) == ("stored", "surer")
    assert choices[0].score_stored == 1.0 and choices[0].score_upright < 0.5
    assert _boxes(rows) == [[60.0, 30.0, 80.0, 90.0]]

    upright = _folder(tmp_path, "upright", [(60, 30, 80, 90, "AB12")])
    rows, choices = resolve_box_frames(dataset_rows([upright], "all", tmp_path / "none"), _brightness)
    assert (choices[0].boxes_in, choices[0].reason) == ("upright", "surer")
    assert _boxes(rows) == [[60.0, 30.0, 80.0, 90.0]]


def test_a_given_frame_is_taken_and_untagged_photos_are_left_alone(tmp_path):
    root = _folder(tmp_path, "given", [(30, 20, 90, 40, "AB12")])
    given = dataset_rows([root], "all", tmp_path / "none")
    rows, choices = resolve_box_frames(given, _brightness, "upright")
    assert (choices[0].boxes_in, choices[0].reason) == ("upright", "given") and _boxes(rows) == _boxes(given)
    rows, choices = resolve_box_frames(given, _brightness, "stored")
    assert _boxes(rows) == [[60.0, 30.0, 80.0, 90.0]]
    with pytest.raises(ValueError, match="frame must be one of"):
        resolve_box_frames(given, _brightness, "sideways")

    broken = _folder(tmp_path, "broken", [(30, 20, 90, 40, "AB12"), (30, 20, 90, 40, "CD34")])
    truncated = (broken / "images" / "car.jpg").read_bytes()[:400]  # the tag survives, the pixels do not
    (broken / "images" / "car.jpg").write_bytes(truncated)
    rows, choices = resolve_box_frames(dataset_rows([broken], "all", tmp_path / "none"), _brightness)
    assert (choices[0].boxes_in, choices[0].score_upright, choices[0].score_stored) == ("upright", 0.0, 0.0)

    plain = _folder(tmp_path, "plain", [(30, 20, 90, 40, "AB12")], tagged=False)
    rows, choices = resolve_box_frames(dataset_rows([plain], "all", tmp_path / "none"), _brightness)
    assert choices == [] and _boxes(rows) == [[30.0, 20.0, 90.0, 40.0]]


def test_check_warns_instead_of_failing_on_a_box_in_the_stored_frame(tmp_path):
    root = _folder(tmp_path, "check", [(120, 20, 180, 40, "AB12"), (120, 20, 280, 40, "CD34")])
    summary = check_dataset(read_dataset(root))
    warnings = [str(i) for i in summary.issues if i.severity == "warning"]
    assert len(summary.errors) == 1 and "lies outside the 100x200 image" in str(summary.errors[0])
    assert len(warnings) == 1 and "EXIF orientation 6" in warnings[0] and "200x100 stored pixels" in warnings[0]
