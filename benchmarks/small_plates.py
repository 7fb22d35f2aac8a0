"""The reader on plates from far or low-resolution cameras: held-out real plates shrunk, then read.

Each held-out plate with a text (``--split val`` of the split manifest) is cut with context around its
box (``train.ocr.data.cut_with_context``), scaled with an area filter so that the plate is ``W`` px
wide, optionally blurred (``--blur SIGMA``: a Gaussian of that sigma in px at the small size, a soft
traffic camera), JPEG-compressed (quality 50) and read as the agent reads it (the card's crops, int8 unless
``--float``). Width 0 reads the plates as they are (``anpr evaluate``'s OCR figure). A plate already
narrower than ``W`` is read as it is.

    python benchmarks/small_plates.py --data ../shared/data/us_crops ../shared/data/br_crops \\
        ../shared/data/tunisia ../shared/data/france --json benchmarks/results/small_plates.json

Real glyphs, real plates, a synthetic camera: a proxy for low-quality cameras, not a measurement of one.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path

import numpy as np

from edge.imageio import read_image
from edge.types import Box
from train.data.splits import DEFAULT_MANIFEST
from train.evaluate import dataset_rows, load_ocr
from train.metrics import exact_by_source
from train.ocr.augment import shrink_plate
from train.ocr.data import cut_with_context

JPEG_QUALITY = 50


def shrunk(image: np.ndarray, box: Box | None, width: int, blur: float = 0.0) -> tuple[np.ndarray, Box | None]:
    """``image`` cut with context around ``box`` (as the reader's training crops are), scaled so the plate
    is ``width`` px wide, blurred with sigma ``blur`` (px, 0: not) and JPEG-compressed at
    :data:`JPEG_QUALITY` (width 0: as stored)."""
    if box is not None:
        image, box = cut_with_context(image, box)
    if not width:
        return image, box
    quality = (JPEG_QUALITY, JPEG_QUALITY)
    sigma = (blur, blur) if blur > 0 else None
    return shrink_plate(image, box, width, np.random.default_rng(0), quality, sigma)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, nargs="+", required=True, help="dataset folders (shared layout)")
    parser.add_argument("--models", type=Path, default=Path("models"))
    parser.add_argument("--float", action="store_true", help="the float32 reader instead of int8")
    parser.add_argument("--split", choices=["all", "train", "val"], default="val")
    parser.add_argument("--manifest", type=Path, default=DEFAULT_MANIFEST)
    parser.add_argument("--widths", default="0,160,120,96,80,64", help="plate widths in px (0: as stored)")
    parser.add_argument("--blur", type=float, default=0.0, help="Gaussian sigma (px) after shrinking (0: none)")
    parser.add_argument("--json", type=Path, help="write the results here")
    args = parser.parse_args(argv)
    recognizer, info = load_ocr(args.models, args.float)
    rows = [r for r in dataset_rows(args.data, args.split, args.manifest) if r[1].text]
    images = {path: read_image(path) for path in {r[0] for r in rows}}
    results = {
        "models": info,
        "data": [str(d) for d in args.data],
        "split": args.split,
        "blur": args.blur,
        "widths": {},
    }
    print(f"{'width px':>8s} {'n':>5s} {'exact %':>8s}  per source")
    for width in [int(w) for w in args.widths.split(",")]:
        hits: dict[str, list[bool]] = defaultdict(list)
        for path, annotation, _ in rows:
            image, box = shrunk(images[path], annotation.box, width, args.blur)
            source = next(d.name for d in args.data if path.is_relative_to(d))
            hits[source].append(recognizer.read(image, box).text == annotation.text)
        entry = exact_by_source(hits)
        results["widths"][str(width)] = entry
        per_source = ", ".join(f"{s} {e['exact_match']:.1f}" for s, e in entry["by_source"].items())
        print(f"{width or 'as is':>8} {entry['n']:5d} {entry['exact_match']:8.2f}  {per_source}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
