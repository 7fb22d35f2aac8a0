"""Detector data: real training photos (and zoomed crops of them) plus synthetic scenes, cached
as letterboxed model inputs with boxes in input pixels. Validation uses real held-out photos.
"""

from __future__ import annotations

import hashlib
import json
import logging
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from edge.imageio import read_image
from edge.metadata import InputSpec
from edge.preprocess import crop_box, prepare_detector_input
from edge.types import Box
from train.data.added_boxes import added_boxes, with_added_boxes
from train.data.annotations import read_dataset
from train.data.splits import load_manifest, select_split
from train.ocr.data import renderer_digest
from train.synth.scenes import RealCrop, RealPhoto, collect_real, render_scene
from train.synth.two_row import TWO_ROW_NAMES

log = logging.getLogger(__name__)


def real_data(
    root: Path, manifest_path: Path, sources: list[str], crop_sources: list[str], split: str, added: bool = False
):
    """Photos with boxes from ``sources`` and text crops from ``crop_sources`` of one split; ``added``
    also marks the unmarked plates the project found in those photos (:mod:`train.data.added_boxes`)."""
    manifest = load_manifest(manifest_path)
    selected = []
    for name in sorted(set(sources) | set(crop_sources)):
        directory = root / name
        if not (directory / "annotations.csv").is_file():
            log.warning("detector data: %s not found, skipped", directory)
            continue
        dataset = read_dataset(directory)
        rows = select_split(dataset, manifest, split).annotations
        if name not in sources:
            rows = [a for a in rows if a.box is None]
        if name not in crop_sources:
            rows = [a for a in rows if a.box is not None]
        if added and name in sources:
            rows = with_added_boxes(rows, added_boxes(dataset))
        selected.append((dataset, rows))
    return collect_real(selected)


def _start(lo: float, hi: float, window: float, limit: float, rng: np.random.Generator) -> float:
    """A window start that keeps [lo, hi] inside the window (centred on it when it cannot)."""
    low, high = max(0.0, hi - window), min(limit - window, lo)
    if low > high:
        return float(np.clip((lo + hi - window) / 2, 0, max(0.0, limit - window)))
    return float(rng.uniform(low, high))


def _zoom(image: np.ndarray, boxes: list[Box], rng: np.random.Generator) -> tuple[np.ndarray, list[Box]]:
    """A random crop around one of the plates (plates closer and bigger), boxes moved into it."""
    h, w = image.shape[:2]
    anchor = boxes[int(rng.integers(len(boxes)))]
    scale = rng.uniform(0.3, 0.8)
    cw, ch = w * scale, h * scale
    x0 = _start(anchor.x1, anchor.x2, cw, w, rng)
    y0 = _start(anchor.y1, anchor.y2, ch, h, rng)
    window = Box(x0, y0, x0 + cw, y0 + ch)
    out = []
    for b in boxes:
        clipped = Box(max(b.x1, window.x1), max(b.y1, window.y1), min(b.x2, window.x2), min(b.y2, window.y2))
        if clipped.width > 0 and clipped.height > 0 and clipped.area >= 0.6 * b.area:
            out.append(Box(clipped.x1 - x0, clipped.y1 - y0, clipped.x2 - x0, clipped.y2 - y0))
    return crop_box(image, window), out


def _to_input(image: np.ndarray, boxes: list[Box], spec: InputSpec) -> tuple[np.ndarray, np.ndarray]:
    pixels, transform = prepare_detector_input(image, spec)
    arr = np.asarray([b.as_list() for b in boxes], np.float32).reshape(-1, 4)
    return pixels, transform.to_input(arr)


def _build_chunk(job: tuple) -> list[tuple[np.ndarray, np.ndarray]]:
    kind, items, spec_json, seed, zoom_copies, photos, crops, lettering, two_row = job
    spec = InputSpec.model_validate_json(spec_json)
    out = []
    for index, item in items:
        rng = np.random.default_rng([seed, index])
        if kind == "real":
            try:
                image = read_image(item.path)
            except Exception as exc:  # reported by 'anpr data check'
                log.warning("%s", exc)
                continue
            boxes = list(item.boxes)
            out.append(_to_input(image, boxes, spec))
            for _ in range(zoom_copies):
                out.append(_to_input(*_zoom(image, boxes, rng), spec))
        else:
            if two_row > 0.0 and rng.random() < two_row:  # squarer plates added, never squeezed into a wide box
                scene = render_scene(rng, photos, crops, TWO_ROW_NAMES, lettering=lettering, replace_share=0.0)
            else:
                scene = render_scene(rng, photos, crops, lettering=lettering)
            out.append(_to_input(scene.image, scene.boxes, spec))
    return out


def build_training_set(
    spec: InputSpec,
    photos: list[RealPhoto],
    crops: list[RealCrop],
    synthetic: int,
    zoom_copies: int,
    seed: int,
    cache_dir: Path,
    workers: int = 2,
    lettering: float = 0.0,
    two_row: float = 0.0,
):
    """(images uint8 N x H x W x C, list of box arrays) for training, cached on disk; ``lettering`` is
    the share of synthetic scenes given non-plate lettering (``render_scene``), ``two_row`` the share
    whose added plates are two-row plates."""
    key = hashlib.sha256(
        json.dumps(
            [
                spec.model_dump(),
                [str(p.path) for p in photos],
                [[b.as_list() for b in p.boxes] for p in photos],
                len(crops),
                synthetic,
                zoom_copies,
                seed,
                renderer_digest(),
                *([lettering] if lettering else []),
                *([["two_row", two_row]] if two_row else []),
            ]
        ).encode()
    ).hexdigest()[:16]
    path = cache_dir / f"detector_{key}.npz"
    if path.is_file():
        data = np.load(path)
        counts = data["counts"]
        boxes = np.split(data["boxes"], np.cumsum(counts)[:-1]) if len(counts) else []
        return data["images"], list(boxes)
    jobs = []
    chunk = 100
    real_items = list(enumerate(photos))
    for s in range(0, len(real_items), chunk):
        jobs.append(("real", real_items[s : s + chunk], spec.model_dump_json(), seed, zoom_copies, [], [], 0.0, 0.0))
    synth_items = [(100000 + i, None) for i in range(synthetic)]
    for s in range(0, len(synth_items), chunk):
        jobs.append(
            ("synth", synth_items[s : s + chunk], spec.model_dump_json(), seed, 0, photos, crops, lettering, two_row)
        )
    log.info(
        "building the detector training set: %d real photos (+%d zooms each), %d synthetic scenes",
        len(photos),
        zoom_copies,
        synthetic,
    )
    samples = []
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for part in pool.map(_build_chunk, jobs):
            samples += part
    images = np.stack([s[0] for s in samples])
    boxes = [s[1] for s in samples]
    cache_dir.mkdir(parents=True, exist_ok=True)
    np.savez(
        path,
        images=images,
        boxes=np.concatenate(boxes) if boxes else np.zeros((0, 4), np.float32),
        counts=np.array([len(b) for b in boxes]),
    )
    return images, boxes


def validation_set(photos: list[RealPhoto]) -> list[tuple[np.ndarray, np.ndarray]]:
    """Full-resolution frames and their boxes in frame pixels (evaluated as the device would)."""
    out = []
    for photo in photos:
        try:
            out.append((read_image(photo.path), np.asarray([b.as_list() for b in photo.boxes], np.float32)))
        except Exception as exc:
            log.warning("%s", exc)
    return out
