"""Write held-out photos as a phone stores them, turned pixels and an EXIF orientation tag, as a dataset
folder ``anpr evaluate`` reads: does a box drawn on the stored pixels still find its plate?

Each held-out photo with a box is stored with its pixels turned (or mirrored) the opposite way to its tag
(``--orientations``, taken in turn; default 6, 8 and 3: a phone held upright, the other way up, upside
down), so that a decoder that applies the tag shows it exactly as before. The boxes go into
``annotations.csv`` in the stored pixels (``--boxes stored``: annotation tools that ignore the tag) or in
the upright ones (``--boxes upright``: tools that apply it). Images are JPEG at quality 95 (the tag needs
JPEG); texts are kept.

    python benchmarks/tagged_photos.py --data ../shared/data/france ../shared/data/romania --out runs/tagged
    anpr evaluate --data runs/tagged/france runs/tagged/romania --json tagged.json   # --box-frame upright

The folders hold the held-out rows only (``--split val`` by default), so evaluate them with the default
``--split all``. Rows without a box (crops) are left out: they read the same either way.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import cv2
import numpy as np

from edge.imageio import decode_image, read_image
from edge.orientation import exif_orientation, stored_box_to_upright
from train.data.annotations import write_annotations
from train.data.orientation import tag_orientation
from train.data.splits import DEFAULT_MANIFEST
from train.evaluate import dataset_rows

JPEG_QUALITY = 95
INVERSE = {6: 8, 8: 6}
"""The orientation that undoes each one (the others undo themselves)."""


def stored_pixels(upright: np.ndarray, orientation: int) -> np.ndarray:
    """The pixels a camera stores for an ``upright`` picture it tags with ``orientation``."""
    ops = {
        1: lambda a: a,
        2: lambda a: a[:, ::-1],
        3: lambda a: a[::-1, ::-1],
        4: lambda a: a[::-1],
        5: lambda a: a.transpose(1, 0, 2),
        6: lambda a: np.rot90(a, 1),
        7: lambda a: np.rot90(a, 2).transpose(1, 0, 2),
        8: lambda a: np.rot90(a, -1),
    }
    return np.ascontiguousarray(ops[orientation](upright))


def write_tagged(data: Path, out: Path, split: str, orientations: list[int], boxes: str, manifest: Path) -> int:
    """Write ``data``'s ``split`` rows with a box into ``out`` as tagged photos; the row count."""
    (out / "images").mkdir(parents=True, exist_ok=True)
    rows, written = [], {}
    for path, annotation, _group in dataset_rows([data], split, manifest):
        if annotation.box is None:
            continue
        name = str(Path(annotation.image).with_suffix(".jpg"))
        if name not in written:
            upright = read_image(path)
            orientation = orientations[len(written) % len(orientations)]
            ok, encoded = cv2.imencode(
                ".jpg", stored_pixels(upright, orientation), [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY]
            )
            data_bytes = tag_orientation(encoded.tobytes(), orientation)
            shown = decode_image(data_bytes, name=name)
            if not ok or shown.shape != upright.shape or exif_orientation(data_bytes) != orientation:
                raise RuntimeError(f"{name}: the tagged photo does not decode upright")
            target = out / "images" / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data_bytes)
            written[name] = (upright.shape[1], upright.shape[0], orientation)
        width, height, orientation = written[name]
        box = annotation.box
        if boxes == "stored":
            box = stored_box_to_upright(box, INVERSE.get(orientation, orientation), width, height)
        rows.append([name, *[f"{v:.1f}" for v in box.as_list()], annotation.text])
    write_annotations(
        out,
        rows,
        f"{data} ({split} rows with a box) stored with EXIF orientations {'/'.join(map(str, orientations))}, "
        f"boxes in the {boxes} frame, by benchmarks/tagged_photos.py; the licence of the source folder "
        "applies. Not for redistribution.",
    )
    return len(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", nargs="+", type=Path, required=True, help="dataset folders (shared layout)")
    parser.add_argument("--out", type=Path, required=True, help="one tagged folder per dataset is written here")
    parser.add_argument("--split", default="val", choices=["all", "train", "val"])
    parser.add_argument("--manifest", type=Path, default=DEFAULT_MANIFEST)
    parser.add_argument("--orientations", default="6,8,3", help="EXIF orientations (1-8), taken in turn")
    parser.add_argument("--boxes", default="stored", choices=["stored", "upright"], help="the frame of the boxes")
    args = parser.parse_args(argv)
    orientations = [int(o) for o in args.orientations.split(",")]
    if not all(1 <= o <= 8 for o in orientations):
        parser.error("--orientations: values from 1 to 8")
    for data in args.data:
        count = write_tagged(data, args.out / data.name, args.split, orientations, args.boxes, args.manifest)
        print(f"{data.name}: {count} rows written to {args.out / data.name}, boxes in the {args.boxes} frame")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
