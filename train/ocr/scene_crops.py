"""Plate crops cut out of synthetic camera scenes, for training the reader on plates seen small.

A crop-level synthetic plate fills its image; in a camera frame the same plate may be 60 px wide,
in perspective, blurred and compressed with the rest of the frame. The scenes are the detector's
(``train.synth.scenes.render_scene``: real training photos or generated streets as backgrounds,
synthetic and real training-split plates pasted in); each plate with a known text and a box at
least ``min_width`` pixels wide becomes an :class:`~train.ocr.data.OcrCrop` with context, cut and
augmented exactly like a real photo's box.
"""

from __future__ import annotations

import hashlib
import json
import logging
import pickle
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from edge.text import is_valid_text
from edge.types import Box
from train.ocr.data import OcrCrop, cut_with_context, renderer_digest

log = logging.getLogger(__name__)
#: Photo sources whose training-split photos serve as backgrounds, and crop sources pasted in.
BACKGROUND_SOURCES = ["france", "tunisia", "romania"]
PASTED_CROP_SOURCES = ["us_crops", "br_crops"]


def crops_from_scene(image: np.ndarray, boxes: list[Box], texts: list[str], min_width: float) -> list[OcrCrop]:
    """Every legible plate of one scene as a crop with context (the box moved into the crop)."""
    h, w = image.shape[:2]
    out = []
    for box, text in zip(boxes, texts):
        if not text or not is_valid_text(text) or box.width < min_width:
            continue
        if box.x1 < 0 or box.y1 < 0 or box.x2 > w or box.y2 > h:
            continue  # a plate cut by the frame edge has characters missing
        cut, moved = cut_with_context(image, box)
        out.append(OcrCrop(cut, moved, text, "scenes", "scenes"))
    return out


def _render_chunk(job: tuple) -> list[OcrCrop]:
    from train.synth.scenes import render_scene

    seed, start, stop, photos, crops, min_width = job
    out: list[OcrCrop] = []
    for index in range(start, stop):
        scene = render_scene(np.random.default_rng([seed, index]), photos, crops)
        out += crops_from_scene(scene.image, scene.boxes, scene.texts, min_width)
    return out


def scene_crop_set(
    data_root: Path,
    manifest: Path,
    scenes: int,
    seed: int,
    min_width: float,
    cache_dir: Path,
    workers: int = 2,
) -> list[OcrCrop]:
    """Plates cut from ``scenes`` rendered scenes, cached on disk by their parameters."""
    if scenes <= 0:
        return []
    from train.detector.data import real_data

    manifest_digest = hashlib.sha256(manifest.read_bytes()).hexdigest()
    key = json.dumps([scenes, seed, min_width, renderer_digest(), str(data_root), manifest_digest])
    path = cache_dir / f"scene_ocr_{hashlib.sha256(key.encode()).hexdigest()[:16]}.pkl"
    if path.is_file():
        return pickle.loads(path.read_bytes())
    have_data = data_root.is_dir()
    photos, crops = (
        real_data(data_root, manifest, BACKGROUND_SOURCES, PASTED_CROP_SOURCES, "train") if have_data else ([], [])
    )
    log.info("rendering %d scenes for OCR crops (cached at %s)", scenes, path)
    chunk = 250
    jobs = [(seed, s, min(scenes, s + chunk), photos, crops, min_width) for s in range(0, scenes, chunk)]
    out: list[OcrCrop] = []
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for part in pool.map(_render_chunk, jobs):
            out += part
    cache_dir.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps(out))
    log.info("%d plate crops from %d scenes", len(out), scenes)
    return out
