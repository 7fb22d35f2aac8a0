"""Peers for ``anpr bench``: other plate readers timed and scored on the same labelled crops as ours.

- PaddleOCR's PP-OCRv4 recogniser through ``rapidocr-onnxruntime`` (ships its ONNX models; runs
  offline). It pins ``opencv-python``, which clashes with the headless OpenCV we use, so install
  it with ``make bench-peers`` (``pip install --no-deps`` plus its other needs).
- ``tesseract`` (``apt install tesseract-ocr``), one text line mode, plate alphabet whitelist.

A peer that is not installed is reported as such, never skipped silently. Every reader gets the
same crop: the box grown by our OCR's margins (``edge.preprocess.crop_plate``), or the whole
image for crop datasets; texts are compared after :func:`edge.text.normalize_text`.
"""

from __future__ import annotations

import csv
import json
import logging
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from edge.errors import AnprError, ImageReadError
from edge.imageio import read_image
from edge.preprocess import crop_plate
from edge.text import ALPHABET, normalize_text
from edge.types import Box

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class LabelledCrop:
    source: str
    image: str
    pixels: np.ndarray  # the plate crop every reader gets (BGR)
    text: str


def load_labelled_crops(
    folders: list[Path], spec, split_manifest: Path | None = None, split: str = "val", limit: int = 200
) -> list[LabelledCrop]:
    """Up to ``limit`` labelled plates per folder (shared layout), from ``split`` of the manifest if given."""
    manifest = json.loads(Path(split_manifest).read_text())["sources"] if split_manifest else None
    crops: list[LabelledCrop] = []
    for folder in map(Path, folders):
        csv_path = folder / "annotations.csv"
        if not csv_path.is_file():
            raise AnprError(f"{folder}: no annotations.csv (expected the shared data layout)")
        allowed = set(manifest[folder.name][split]) if manifest and folder.name in manifest else None
        taken = 0
        with csv_path.open(newline="") as handle:
            for row in csv.DictReader(handle):
                text = normalize_text(row.get("text") or "")
                if not text or (allowed is not None and row["image"] not in allowed):
                    continue
                try:
                    image = read_image(_image_path(folder, row["image"]))
                except ImageReadError as exc:
                    log.warning("peer crops: skipped %s", exc)
                    continue
                box = None
                if row.get("x1"):
                    box = Box(*(float(row[k]) for k in ("x1", "y1", "x2", "y2")))
                crops.append(LabelledCrop(folder.name, row["image"], crop_plate(image, box, spec), text))
                taken += 1
                if taken >= limit:
                    break
    return crops


def _image_path(folder: Path, name: str) -> Path:
    direct = folder / "images" / name
    return direct if direct.exists() else folder / name


class RapidOcrPeer:
    """PP-OCRv4 text-line recogniser (``rapidocr_onnxruntime``'s ``TextRecognizer``), ``threads`` ORT threads."""

    name = "ppocrv4_rapidocr"

    def __init__(self, threads: int = 1) -> None:
        import importlib.resources

        import yaml
        from rapidocr_onnxruntime.ch_ppocr_rec.text_recognize import TextRecognizer

        package = importlib.resources.files("rapidocr_onnxruntime")
        config = yaml.safe_load((package / "config.yaml").read_text())["Rec"]
        config.update(
            model_path=str(package / config["model_path"]),
            intra_op_num_threads=threads,
            inter_op_num_threads=1,
            rec_batch_num=1,
        )
        self._recognizer = TextRecognizer(config)

    def read(self, crop_bgr: np.ndarray) -> str:
        results, _elapsed = self._recognizer([crop_bgr])
        return normalize_text(results[0][0]) if results else ""


class TesseractPeer:
    """The ``tesseract`` command: one text line (``--psm 7``), letters and digits only."""

    name = "tesseract"

    def __init__(self) -> None:
        self.binary = shutil.which("tesseract")
        if not self.binary:
            raise ImportError("tesseract not installed (apt install tesseract-ocr)")

    def read(self, crop_bgr: np.ndarray) -> str:
        import cv2

        png = cv2.imencode(".png", crop_bgr)[1]
        command = [self.binary, "stdin", "stdout", "--psm", "7", "-c", f"tessedit_char_whitelist={ALPHABET}"]
        out = subprocess.run(command, input=png.tobytes(), capture_output=True, timeout=30, check=False)
        return normalize_text("".join(out.stdout.decode(errors="ignore").split()))


#: name -> factory(threads); tesseract's CLI picks its own threading
PEERS = {"ppocrv4_rapidocr": RapidOcrPeer, "tesseract": lambda _threads: TesseractPeer()}
INSTALL_HINTS = {
    "ppocrv4_rapidocr": "not installed (make bench-peers): not measured",
    "tesseract": "not installed (apt install tesseract-ocr): not measured",
}


def score_reader(read, crops: list[LabelledCrop], warmup: int = 3) -> dict:
    """Per-crop latency percentiles and exact-match rate of ``read(crop) -> text`` on ``crops``."""
    for crop in crops[:warmup]:
        read(crop.pixels)
    times, exact, by_source = [], 0, {}
    for crop in crops:
        start = time.perf_counter_ns()
        text = read(crop.pixels)
        times.append((time.perf_counter_ns() - start) / 1e6)
        hit = text == crop.text
        exact += hit
        hits, total = by_source.get(crop.source, (0, 0))
        by_source[crop.source] = (hits + hit, total + 1)
    a = np.asarray(times)
    return {
        "p50_ms": float(np.percentile(a, 50)),
        "p90_ms": float(np.percentile(a, 90)),
        "p99_ms": float(np.percentile(a, 99)),
        "exact_pct": round(100.0 * exact / len(crops), 2),
        "exact_pct_by_source": {s: round(100.0 * h / t, 2) for s, (h, t) in by_source.items()},
        "n": len(crops),
    }


def compare_peers(recognizer, crops: list[LabelledCrop], threads: int = 1) -> dict:
    """Our OCR and every installed peer on ``crops``; ``speed_ratio`` = peer p50 / our p50 (1 thread)."""
    if not crops:
        return {"crops": 0, "note": "no labelled crops given (--peer-data): peers not measured"}
    result = {
        "crops": len(crops),
        "sources": sorted({c.source for c in crops}),
        "ours": score_reader(lambda pixels: recognizer.read(pixels).text, crops),
    }
    for name, factory in PEERS.items():
        try:
            peer = factory(threads)
        except ImportError:
            result[name] = INSTALL_HINTS[name]
            continue
        scores = score_reader(peer.read, crops)
        scores["speed_ratio"] = round(scores["p50_ms"] / max(1e-9, result["ours"]["p50_ms"]), 1)
        result[name] = scores
    return result
