"""Boxes the project added to a shared source: that exact annotations.csv only, the photo's split kept."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from edge.errors import DataError
from edge.types import Box
from tests.conftest import noise_image, write_labels_file
from train.data import added_boxes as added
from train.data.annotations import read_dataset
from train.data.paths import data_root
from train.data.splits import DEFAULT_MANIFEST, load_manifest, select_split

ROWS = [
    ("v/a.jpg", 10, 5, 60, 20, ""),
    ("v/b.jpg", 10, 5, 60, 20, "KEPT1"),
]


def _boxes_file(folder: Path, source: str, csv_path: Path, boxes: list) -> Path:
    return write_labels_file(folder, source, csv_path, "boxes", boxes)


@pytest.fixture
def dashcam(make_layout):
    images = {name: noise_image(i) for i, name in enumerate(["v/a.jpg", "v/b.jpg"])}
    return make_layout("dashcam", ROWS, images)


def test_added_boxes_join_the_rows_of_their_photo_only(dashcam, tmp_path):
    boxes = [["v/a.jpg", 70, 5, 110, 20], ["v/a.jpg", 1, 30, 40, 44], ["v/b.jpg", 80, 5, 120, 20]]
    folder = _boxes_file(tmp_path / "boxes", "dashcam", dashcam / "annotations.csv", boxes)
    dataset = read_dataset(dashcam)
    found = added.added_boxes(dataset, folder)
    assert found == {"v/a.jpg": [Box(70, 5, 110, 20), Box(1, 30, 40, 44)], "v/b.jpg": [Box(80, 5, 120, 20)]}
    only_a = [a for a in dataset.annotations if a.image == "v/a.jpg"]  # v/b.jpg on the other side of a split
    rows = added.with_added_boxes(only_a, found)
    assert [(a.image, a.box, a.text) for a in rows] == [
        ("v/a.jpg", Box(10, 5, 60, 20), ""),
        ("v/a.jpg", Box(70, 5, 110, 20), ""),
        ("v/a.jpg", Box(1, 30, 40, 44), ""),
    ]
    assert read_dataset(dashcam).annotations == dataset.annotations  # reading the data never adds them


def test_boxes_made_for_another_file_are_not_used(dashcam, tmp_path, caplog):
    folder = _boxes_file(tmp_path / "boxes", "dashcam", dashcam / "annotations.csv", [["v/a.jpg", 70, 5, 110, 20]])
    csv_path = dashcam / "annotations.csv"
    csv_path.write_text(csv_path.read_text() + "v/b.jpg,5,5,25,15,\n")
    with caplog.at_level(logging.WARNING):
        assert added.added_boxes(read_dataset(dashcam), folder) == {}
    assert "made for another annotations.csv" in caplog.text


def test_a_folder_without_a_boxes_file_gets_none(dashcam, tmp_path):
    assert added.added_boxes(read_dataset(dashcam), tmp_path / "none") == {}


@pytest.mark.parametrize("boxes", [[["v/a.jpg", 70, 5, 60, 20]], [["v/a.jpg", 70, 5, 110]]])
def test_a_bad_boxes_file_is_one_clear_error(dashcam, tmp_path, boxes):
    folder = _boxes_file(tmp_path / "boxes", "dashcam", dashcam / "annotations.csv", boxes)
    with pytest.raises(DataError, match="bad added-boxes file"):
        added.added_boxes(read_dataset(dashcam), folder)


@pytest.mark.shared_data
def test_the_shipped_boxes_match_the_shared_files_and_training_adds_only_its_own(shared_sources):
    manifest = load_manifest(DEFAULT_MANIFEST)
    for path in sorted(added.BOXES_DIR.glob("*.json")):
        dataset = read_dataset(data_root() / path.stem)
        boxes = added.added_boxes(dataset)
        assert sum(len(b) for b in boxes.values()) == len(json.loads(path.read_text())["boxes"])
        assert set(boxes) <= {a.image for a in dataset.annotations if a.box is not None}
        train = select_split(dataset, manifest, "train").annotations
        extra = added.with_added_boxes(train, boxes)[len(train) :]
        held_out = {a.image for a in select_split(dataset, manifest, "val").annotations}
        assert extra and not {a.image for a in extra} & held_out
