"""OCR training data: real crops from the split manifest and a cached set of synthetic plates.

Every input goes through ``edge.preprocess.prepare_ocr_input``, the device's own function.
"""

from __future__ import annotations

import hashlib
import json
import logging
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from edge.ctc import encode_text
from edge.imageio import read_image
from edge.metadata import InputSpec, TwoRowReading
from edge.preprocess import crop_box, expand_box, prepare_ocr_input
from edge.text import is_valid_text
from edge.two_rows import lay_out_rows
from edge.types import Box
from train.data.annotations import read_dataset
from train.data.splits import load_manifest, select_split
from train.synth.fonts import FontWeights, plate_font_weights
from train.synth.plates import render_plate_sample
from train.synth.two_row import TWO_ROW_NAMES
from train.synth.us_extras import us_plate_extras

log = logging.getLogger(__name__)
#: Context kept around a box when a real crop is cached for augmentation (fraction of box size).
CONTEXT = 0.35
#: Two-row plates are drawn with seeds [seed, this + i], apart from the one-row plates' [seed, i].
TWO_ROW_SEED_OFFSET = 10_000_000


@dataclass
class OcrCrop:
    """A real plate kept in memory for augmentation: image (with context), plate box in it, text."""

    image: np.ndarray
    box: Box | None
    text: str
    source: str
    group: str


def cut_with_context(image: np.ndarray, box: Box) -> tuple[np.ndarray, Box]:
    """``box`` and :data:`CONTEXT` around it cut out of ``image``, with the box moved into the cut."""
    context = expand_box(box, CONTEXT, CONTEXT * 2)
    x0, y0 = np.floor(context.x1), np.floor(context.y1)
    return crop_box(image, context), Box(box.x1 - x0, box.y1 - y0, box.x2 - x0, box.y2 - y0)


def load_real_crops(root: Path, manifest_path: Path, sources: list[str], split: str) -> list[OcrCrop]:
    """Rows with a valid text of the given split, cut with context (boxes) or whole (crops)."""
    from train.ocr.pack import is_pack, load_packed_crops

    if is_pack(root):  # a GPU machine's copy: see train/ocr/pack.py
        return load_packed_crops(root, manifest_path, sources, split)
    manifest = load_manifest(manifest_path)
    crops: list[OcrCrop] = []
    for name in sources:
        directory = root / name
        if not (directory / "annotations.csv").is_file():
            log.warning("OCR data: %s not found, skipped", directory)
            continue
        dataset = read_dataset(directory)
        for a in select_split(dataset, manifest, split).annotations:
            if not a.text or not is_valid_text(a.text):
                continue
            try:
                image = read_image(dataset.image_path(a))
            except Exception as exc:  # reported by 'anpr data check'; training goes on without it
                log.warning("OCR data: %s", exc)
                continue
            box = a.box
            if box is not None:
                image, box = cut_with_context(image, box)
            crops.append(OcrCrop(image, box, a.text, name, f"{name}/{a.group}" if a.group != "all" else name))
    return crops


def _render_chunk(args: tuple) -> tuple[np.ndarray, list[str], list[str]]:
    seed, start, stop, spec_json, styles, fonts, us_extras = args
    spec = InputSpec.model_validate_json(spec_json)
    images, texts, styles_out = [], [], []
    with plate_font_weights(fonts), us_plate_extras(us_extras):
        for i in range(start, stop):
            sample = render_plate_sample(np.random.default_rng([seed, i]), styles)
            images.append(prepare_ocr_input(sample.image, None, spec))
            texts.append(sample.text)
            styles_out.append(sample.style)
    return np.stack(images), texts, styles_out


def _render_two_row_chunk(args: tuple) -> tuple[np.ndarray, list[str], list[str]]:
    seed, start, stop, spec_json, fonts = args
    spec = InputSpec.model_validate_json(spec_json)
    rows = TwoRowReading()
    images, texts, styles_out = [], [], []
    with plate_font_weights(fonts):
        for i in range(start, stop):
            sample = render_plate_sample(np.random.default_rng([seed, TWO_ROW_SEED_OFFSET + i]), TWO_ROW_NAMES)
            laid_out, _ = lay_out_rows(sample.image, rows.gap_band, rows.overlap)
            images.append(prepare_ocr_input(laid_out, None, spec))
            texts.append(sample.text)
            styles_out.append(sample.style)
    return np.stack(images), texts, styles_out


def two_row_set(
    spec: InputSpec, count: int, seed: int, cache_dir: Path, workers: int = 2, fonts: FontWeights = "bold"
) -> tuple[np.ndarray, list[str], list[str]]:
    """``count`` rendered two-row plates laid out as one row (:func:`edge.two_rows.lay_out_rows`), as
    model inputs, cached on disk by their parameters."""
    parameters = ["two_rows", spec.model_dump(), count, seed, renderer_digest(), fonts, TwoRowReading().model_dump()]
    key = hashlib.sha256(json.dumps(parameters).encode())
    path = cache_dir / f"synth_ocr_two_rows_{key.hexdigest()[:16]}.npz"
    jobs = [(seed, s, min(count, s + 500), spec.model_dump_json(), fonts) for s in range(0, count, 500)]
    return _cached_plates(
        path, f"{count} two-row plates laid out as one row", _render_two_row_chunk, jobs, spec, workers
    )


def _cached_plates(
    path: Path, what: str, render_chunk, jobs: list[tuple], spec: InputSpec, workers: int
) -> tuple[np.ndarray, list[str], list[str]]:
    """The plates cached at ``path``, else ``render_chunk`` run over ``jobs`` in ``workers`` processes,
    saved there: (model inputs, texts, style names)."""
    if path.is_file():
        data = np.load(path)
        return data["images"], data["texts"].tolist(), data["styles"].tolist()
    log.info("rendering %s (cached at %s)", what, path)
    images, texts, style_names = [], [], []
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for imgs, txts, stys in pool.map(render_chunk, jobs):
            images.append(imgs)
            texts += txts
            style_names += stys
    stacked = np.concatenate(images) if images else np.zeros((0, *spec.shape), np.uint8)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, images=stacked, texts=np.array(texts), styles=np.array(style_names))
    return stacked, texts, style_names


def synthetic_set(
    spec: InputSpec,
    count: int,
    seed: int,
    styles: list[str] | None,
    cache_dir: Path,
    workers: int = 2,
    fonts: FontWeights = "bold",
    us_extras: bool = False,
) -> tuple[np.ndarray, list[str], list[str]]:
    """``count`` rendered plates as model inputs (characters in ``fonts`` weights; US plates with the
    clutter of :mod:`train.synth.us_extras` when ``us_extras``), cached on disk by their parameters."""
    parameters = [spec.model_dump(), count, seed, styles, renderer_digest(), fonts, us_extras]
    key = hashlib.sha256(json.dumps(parameters).encode())
    path = cache_dir / f"synth_ocr_{key.hexdigest()[:16]}.npz"
    chunk = 500
    jobs = [
        (seed, s, min(count, s + chunk), spec.model_dump_json(), styles, fonts, us_extras)
        for s in range(0, count, chunk)
    ]
    return _cached_plates(path, f"{count} synthetic plates", _render_chunk, jobs, spec, workers)


def renderer_digest() -> str:
    """Hash of the synthetic renderer's source, so a changed renderer invalidates the cache."""
    folder = Path(__file__).resolve().parents[1] / "synth"
    digest = hashlib.sha256()
    for path in sorted(folder.glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def encode_batch(texts: list[str], max_length: int) -> np.ndarray:
    """CTC labels (blank-padded) for a batch of texts."""
    return np.stack([encode_text(t, max_length)[0] for t in texts])


def prepare_real(crops: list[OcrCrop], spec: InputSpec) -> np.ndarray:
    """Real rows exactly as the device sees them (no augmentation)."""
    if not crops:
        return np.zeros((0, *spec.shape), np.uint8)
    return np.stack([prepare_ocr_input(c.image, c.box, spec) for c in crops])
