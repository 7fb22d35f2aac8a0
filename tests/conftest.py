"""Shared fixtures: tiny generated datasets in the common layout, the shared data root if present."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import cv2
import numpy as np
import pytest

from train.data.paths import data_root, source_dirs


def write_labels_file(folder: Path, source: str, csv_path: Path, key: str, entries: list) -> Path:
    """A project labels file (``train/data/labels`` layout) for ``csv_path``: its sha256 and ``key``: ``entries``."""
    folder.mkdir(exist_ok=True)
    digest = hashlib.sha256(csv_path.read_bytes()).hexdigest()
    (folder / f"{source}.json").write_text(json.dumps({"annotations_sha256": digest, key: entries}))
    return folder


def write_layout(root: Path, rows: list[tuple], images: dict[str, np.ndarray]) -> Path:
    """Write ``images`` under ``root/images`` and ``rows`` (image, x1, y1, x2, y2, text) to annotations.csv."""
    (root / "images").mkdir(parents=True, exist_ok=True)
    for name, image in images.items():
        path = root / "images" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(path), image)
    with open(root / "annotations.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["image", "x1", "y1", "x2", "y2", "text"])
        writer.writerows(rows)
    return root


def noise_image(seed: int, height: int = 60, width: int = 120) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 255, (height, width, 3), dtype=np.uint8)


@pytest.fixture
def make_layout(tmp_path):
    def factory(name: str, rows: list[tuple], images: dict[str, np.ndarray]) -> Path:
        return write_layout(tmp_path / name, rows, images)

    return factory


@pytest.fixture(scope="session")
def shared_sources() -> list[Path]:
    dirs = source_dirs(data_root())
    if not dirs:
        pytest.skip(f"shared data not found at {data_root()} (set $ANPR_DATA)")
    return dirs


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory) -> Path:
    """Tiny OCR and detector trained for a few steps on generated data, shipped and exported (shared)."""
    pytest.importorskip("tensorflow")
    from edge.cli.main import main

    root = tmp_path_factory.mktemp("tiny_models")
    models = root / "models"
    ocr = root / "ocr.yaml"
    ocr.write_text(
        "name: ocr\nsynthetic_count: 64\nreal_sources: []\nepochs: 1\nbatch_size: 16\nwidth_multiplier: 0.25\n"
    )
    det = root / "detector.yaml"
    det.write_text(
        "name: detector\nreal_sources: []\nsynthetic_scenes: 24\nepochs: 1\nbatch_size: 8\nwidth_multiplier: 0.5\n"
    )
    assert (
        main(
            [
                "train",
                "ocr",
                "--config",
                str(ocr),
                "--run-dir",
                str(root / "runs" / "ocr"),
                "--ship",
                "--models",
                str(models),
            ]
        )
        == 0
    )
    assert (
        main(
            [
                "train",
                "detector",
                "--config",
                str(det),
                "--run-dir",
                str(root / "runs" / "detector"),
                "--ship",
                "--models",
                str(models),
            ]
        )
        == 0
    )
    assert main(["export", "--models", str(models), "--data-root", str(root / "no-data")]) == 0
    return models
