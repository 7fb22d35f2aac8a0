"""Texts the project added to a shared source: applied to that exact annotations.csv only."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from edge.errors import DataError
from edge.text import text_problem
from tests.conftest import noise_image, write_labels_file
from train.data import added_texts as added
from train.data.annotations import read_dataset
from train.data.paths import data_root
from train.data.splits import DEFAULT_MANIFEST, load_manifest, select_split

ROWS = [
    ("v/a.jpg", 10, 5, 60, 20, ""),  # boxed, no text: gets one
    ("v/a.jpg", 70, 5, 110, 20, ""),  # same image, another box, not in the file: stays empty
    ("v/b.jpg", 10, 5, 60, 20, "KEPT1"),  # has its own text: kept
    ("v/c.jpg", 1, 2, 30, 20, ""),  # in the file with another box: stays empty
]


def _labels(folder: Path, source: str, csv_path: Path, texts: list) -> Path:
    return write_labels_file(folder, source, csv_path, "texts", texts)


@pytest.fixture
def dataset_with_labels(make_layout, tmp_path, monkeypatch):
    images = {name: noise_image(i) for i, name in enumerate(["v/a.jpg", "v/b.jpg", "v/c.jpg"])}
    root = make_layout("dashcam", ROWS, images)
    texts = [
        ["v/a.jpg", 10, 5, 60, 20, "B123ABC"],
        ["v/b.jpg", 10, 5, 60, 20, "OTHER1"],
        ["v/c.jpg", 1, 2, 31, 20, "X1"],
    ]
    labels = _labels(tmp_path / "labels", "dashcam", root / "annotations.csv", texts)
    monkeypatch.setattr(added, "LABELS_DIR", labels)
    return root


def test_texts_fill_only_empty_rows_with_the_same_image_and_box(dataset_with_labels):
    dataset = read_dataset(dataset_with_labels)
    assert [a.text for a in dataset.annotations] == ["B123ABC", "", "KEPT1", ""]
    assert [a.row for a in dataset.annotations] == [2, 3, 4, 5]
    assert not dataset.issues


def test_texts_made_for_another_file_are_not_used(dataset_with_labels, caplog):
    csv_path = dataset_with_labels / "annotations.csv"
    csv_path.write_text(csv_path.read_text() + "v/c.jpg,5,5,25,15,\n")
    with caplog.at_level(logging.WARNING):
        dataset = read_dataset(dataset_with_labels)
    assert [a.text for a in dataset.annotations] == ["", "", "KEPT1", "", ""]
    assert "made for another annotations.csv" in caplog.text


def test_a_folder_without_a_labels_file_is_read_as_it_is(make_layout, tmp_path, monkeypatch):
    monkeypatch.setattr(added, "LABELS_DIR", tmp_path / "none")
    root = make_layout("other", [("a.jpg", 1, 1, 20, 10, "")], {"a.jpg": noise_image(0)})
    assert [a.text for a in read_dataset(root).annotations] == [""]


@pytest.mark.parametrize("texts", [[["a.jpg", 1, 1, 20, 10, "ab-1"]], [["a.jpg", 1, 1, 20]]])
def test_a_bad_labels_file_is_one_clear_error(make_layout, tmp_path, monkeypatch, texts):
    root = make_layout("bad", [("a.jpg", 1, 1, 20, 10, "")], {"a.jpg": noise_image(0)})
    monkeypatch.setattr(added, "LABELS_DIR", _labels(tmp_path / "labels", "bad", root / "annotations.csv", texts))
    with pytest.raises(DataError, match="bad added-texts file"):
        read_dataset(root)


def test_the_shipped_romanian_texts_are_well_formed():
    document = json.loads((added.LABELS_DIR / "romania.json").read_text())
    keys = [tuple(t[:5]) for t in document["texts"]]
    assert len(keys) == len(set(keys)) == document["rows"]
    assert len({t[5] for t in document["texts"]}) == document["plates"]
    assert all(not text_problem(t[5]) for t in document["texts"])


@pytest.mark.shared_data
def test_the_romanian_texts_match_the_shared_file_and_keep_the_split_by_video(shared_sources):
    dataset = read_dataset(data_root() / "romania")
    document = json.loads((added.LABELS_DIR / "romania.json").read_text())
    assert sum(1 for a in dataset.annotations if a.text) == document["rows"]
    manifest = load_manifest(DEFAULT_MANIFEST)
    train = {a.text for a in select_split(dataset, manifest, "train").annotations if a.text}
    val = {a.text for a in select_split(dataset, manifest, "val").annotations if a.text}
    assert train and val and not train & val  # no plate is read on both sides
