import json

import cv2
import numpy as np
import pytest

from edge.ctc import DecodedText
from edge.detector import DecodeParams
from edge.metadata import InputSpec
from edge.types import Box, Detection
from tests.conftest import write_layout
from train.data.annotations import read_dataset
from train.evaluate_detection import evaluate_images


class FakeDetector:
    """Returns fixed detections; ``params`` as the real one has them."""

    def __init__(self, detections):
        self.detections = detections
        self.params = DecodeParams(score_threshold=0.5)
        self.runner, self.spec = None, InputSpec(height=32, width=32)

    def detect(self, image):
        return [d for d in self.detections if d.score >= self.params.score_threshold]


class FakeReader:
    candidates = 0  # lists no candidate texts

    def __init__(self, texts):
        self.texts = texts

    def read(self, image, box):
        text = self.texts[int(box.x1)]
        return DecodedText(text, tuple(0.9 for _ in text))


def _evaluate_two_plates(tmp_path, monkeypatch, image: str, detections, texts: dict) -> dict:
    """evaluate_images on one 400x80 image holding ABC123 at x 20..120 and XYZ789 at x 200..300 (plates
    wider than the agent's default ``filters.min_plate_width``)."""
    root = write_layout(
        tmp_path / "d",
        [(image, 20, 10, 120, 25, "ABC123"), (image, 200, 10, 300, 25, "XYZ789")],
        {image: np.zeros((80, 400, 3), np.uint8)},
    )
    dataset = read_dataset(root)
    rows = [(dataset.image_path(a), a, a.group) for a in dataset.annotations]
    import train.evaluate_detection as module

    monkeypatch.setattr(module, "PlateDetector", lambda runner, spec, params: FakeDetector(detections))
    return evaluate_images(FakeDetector(detections), FakeReader(texts), rows)


def test_detection_and_e2e_exact_values(tmp_path, monkeypatch):
    detections = [
        Detection(Box(20, 10, 120, 25), 0.9),
        Detection(Box(200, 10, 300, 25), 0.8),
        Detection(Box(330, 50, 396, 60), 0.7),
    ]
    texts = {20: "ABC123", 200: "XYZ780", 330: "QQQ111"}
    result = _evaluate_two_plates(tmp_path, monkeypatch, "cams/a.jpg", detections, texts)
    d, e = result["detection"], result["e2e"]
    assert d["recall"] == 100.0 and d["precision"] == pytest.approx(200 / 3) and d["n"] == 2
    assert e["exact_match"] == 50.0 and e["n"] == 2 and e["by_group"]["cams"]["n"] == 2
    assert e["false_reads_per_image"] == 2.0  # the wrong read on a plate and the read of nothing
    assert result["ms_per_image"] >= 0
    assert d["missed"] == [] and e["misses"] == [{"image": "cams/a.jpg", "text": "XYZ789", "read": "XYZ780"}]
    assert d["false_detections"] == [
        {"image": "cams/a.jpg", "box": [330.0, 50.0, 396.0, 60.0], "score": 0.7, "best_iou": 0.0}
    ]
    assert e["false_reads"] == [
        {"image": "cams/a.jpg", "box": [200.0, 10.0, 300.0, 25.0], "read": "XYZ780"},
        {"image": "cams/a.jpg", "box": [330.0, 50.0, 396.0, 60.0], "read": "QQQ111"},
    ]


def test_missed_boxes_say_whether_a_box_was_off_or_nothing_was_found(tmp_path, monkeypatch):
    detections = [Detection(Box(20, 10, 60, 25), 0.9), Detection(Box(200, 10, 300, 25), 0.3)]  # 2/5; weak
    result = _evaluate_two_plates(tmp_path, monkeypatch, "a.jpg", detections, {20: "ABC1", 200: "XYZ789"})
    assert result["detection"]["missed"] == [
        {"image": "a.jpg", "box": [20.0, 10.0, 120.0, 25.0], "width_fraction": 0.25, "best_iou": 0.4},
        {"image": "a.jpg", "box": [200.0, 10.0, 300.0, 25.0], "width_fraction": 0.25, "best_iou": 0.0},
    ]
    # the box off counts against the precision and says so
    assert result["detection"]["false_detections"] == [
        {"image": "a.jpg", "box": [20.0, 10.0, 60.0, 25.0], "score": 0.9, "best_iou": 0.4}
    ]
    assert result["e2e"]["misses"] == [
        {"image": "a.jpg", "text": "ABC123", "read": None},
        {"image": "a.jpg", "text": "XYZ789", "read": None},
    ]


def test_evaluate_cli_adds_detection_and_e2e(tiny_models, tmp_path):
    from edge.cli.main import main

    scenes = tmp_path / "scenes"
    assert main(["synth", "--kind", "scenes", "--count", "3", "--out", str(scenes), "--no-real"]) == 0
    out = tmp_path / "eval.json"
    assert main(["evaluate", "--data", str(scenes), "--models", str(tiny_models), "--json", str(out)]) == 0
    report = json.loads(out.read_text())
    assert {"recall", "precision", "ap50", "n", "by_group"} <= set(report["detection"])
    assert {"exact_match", "n", "by_group", "false_reads_per_image"} <= set(report["e2e"])
    assert report["ms_per_image"] > 0 and report["ocr"]["n"] >= 3
    assert report["models"]["detector"]["mirror"] is False  # the tiny card has no decode.mirror
    argv = ["evaluate", "--data", str(scenes), "--models", str(tiny_models), "--json", str(out), "--mirror"]
    assert main(argv) == 0
    assert json.loads(out.read_text())["models"]["detector"]["mirror"] is True
    assert report["models"]["detector"]["sideways"] is False and report["models"]["ocr"]["sideways"] is False
    argv = ["evaluate", "--data", str(scenes), "--models", str(tiny_models), "--json", str(out), "--sideways"]
    assert main(argv) == 0
    models = json.loads(out.read_text())["models"]
    assert models["detector"]["sideways"] is True and models["ocr"]["sideways"] is True
    # boxes drawn by someone else: unsure reads refitted by the detector unless --no-refit
    assert report["models"]["ocr"]["refit_boxes"] is True
    assert set(report["ocr"]["refit"]) == {"looks", "replaced"}
    assert report["ocr"]["refit"]["looks"] >= report["ocr"]["refit"]["replaced"] >= 0
    argv = ["evaluate", "--data", str(scenes), "--models", str(tiny_models), "--json", str(out), "--no-refit"]
    assert main(argv) == 0
    unrefitted = json.loads(out.read_text())
    assert unrefitted["models"]["ocr"]["refit_boxes"] is False and "refit" not in unrefitted["ocr"]
    assert cv2.imread(str(scenes / "images" / "scenes" / "000000.jpg")) is not None
    assert "box_frames" not in report  # no photo carries an orientation tag


def test_evaluate_finds_the_frame_of_boxes_on_tagged_photos(tiny_models, tmp_path):
    import importlib.util
    from pathlib import Path

    from edge.cli.main import main

    spec = importlib.util.spec_from_file_location("tagged", Path(__file__).parents[2] / "benchmarks/tagged_photos.py")
    tagged = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tagged)
    scenes, out = tmp_path / "scenes", tmp_path / "eval.json"
    assert main(["synth", "--kind", "scenes", "--count", "2", "--out", str(scenes), "--no-real"]) == 0
    tagged.write_tagged(scenes, tmp_path / "tagged", "all", [6, 8], "stored", tmp_path / "no-manifest")
    argv = ["evaluate", "--data", str(tmp_path / "tagged"), "--models", str(tiny_models), "--json", str(out)]
    assert main(argv) == 0
    (frame,) = json.loads(out.read_text())["box_frames"]
    assert frame["source"] == "tagged" and frame["tagged_images"] >= 2
    assert frame["boxes_in"] in ("stored", "upright") and frame["reason"] in ("inside", "surer")
    assert main([*argv, "--box-frame", "upright"]) == 0  # boxes outside the image are misses, not a crash
    report = json.loads(out.read_text())
    assert report["box_frames"][0]["reason"] == "given" and report["ocr"]["n"] >= 2


def test_a_second_box_on_a_found_plate_is_a_false_detection_that_overlaps_it(tmp_path, monkeypatch):
    detections = [
        Detection(Box(20, 10, 120, 25), 0.9),
        Detection(Box(25, 10, 125, 25), 0.6),  # IoU 0.905 with the plate the first box found
        Detection(Box(200, 10, 300, 25), 0.8),
    ]
    texts = {20: "ABC123", 25: "ABC123", 200: "XYZ789"}
    result = _evaluate_two_plates(tmp_path, monkeypatch, "a.jpg", detections, texts)
    assert result["detection"]["precision"] == pytest.approx(200 / 3)
    assert result["detection"]["false_detections"] == [
        {"image": "a.jpg", "box": [25.0, 10.0, 125.0, 25.0], "score": 0.6, "best_iou": 0.905}
    ]


def test_an_unreadable_image_is_skipped_and_listed_once(tmp_path, monkeypatch):
    from train.evaluate import evaluate_ocr

    root = write_layout(
        tmp_path / "d",
        [("a.jpg", 20, 10, 120, 25, "ABC123"), ("gone.jpg", 20, 10, 120, 25, "XYZ789")],
        {"a.jpg": np.zeros((80, 400, 3), np.uint8)},
    )
    dataset = read_dataset(root)
    rows = [(dataset.image_path(a), a, a.group) for a in dataset.annotations]
    left_out: list[str] = []
    scores, _ = evaluate_ocr(FakeReader({20: "ABC123"}), rows, None, left_out)
    detector = FakeDetector([Detection(Box(20, 10, 120, 25), 0.9)])
    import train.evaluate_detection as module

    monkeypatch.setattr(module, "PlateDetector", lambda runner, spec, params: detector)
    result = evaluate_images(detector, FakeReader({20: "ABC123"}), rows, left_out)
    assert scores["n"] == 1 and scores["exact_match"] == 100.0 and result["detection"]["n"] == 1
    assert len(left_out) == 1 and "gone.jpg: file not found" in left_out[0]
