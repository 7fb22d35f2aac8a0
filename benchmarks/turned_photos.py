"""Write held-out photos and crops turned a quarter, as a dataset folder ``anpr evaluate`` reads: how the
detector and reader fare on photos stored on their side, with and without ``--sideways``.

A phone photo whose orientation tag was lost is stored a quarter turn off. The shared Tunisian detection
photos hold some (60 of their 858 boxes stand on end); this makes every held-out image so, each turned
one way or the other (``--quarters 1``: counter-clockwise, ``3``: clockwise, ``13``: alternately by row
order), boxes turned with them, texts kept. Images are written as PNG so nothing but the turn changes.

    python benchmarks/turned_photos.py --data ../shared/data/us_crops ../shared/data/france --out runs/turned
    anpr evaluate --data runs/turned/us_crops runs/turned/france --sideways --json turned.json

The turned folders hold the held-out rows only (``--split val`` by default), so evaluate them with the
default ``--split all``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import cv2

from edge.imageio import read_image
from edge.sideways import box_in_turned, turn
from train.data.annotations import write_annotations
from train.data.splits import DEFAULT_MANIFEST
from train.evaluate import dataset_rows


def write_turned(data: Path, out: Path, split: str, quarters: list[int], manifest: Path) -> int:
    """Write ``data``'s ``split`` rows turned into ``out`` (images/ and annotations.csv); the row count."""
    (out / "images").mkdir(parents=True, exist_ok=True)
    rows, written = [], {}
    for path, annotation, _group in dataset_rows([data], split, manifest):
        name = str(Path(annotation.image).with_suffix(".png"))
        if name not in written:
            image = read_image(path)
            written[name] = (image.shape[1], image.shape[0], quarters[len(written) % len(quarters)])
            target = out / "images" / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if not cv2.imwrite(str(target), turn(image, written[name][2])):
                raise OSError(f"{target}: could not write")
        width, height, turns = written[name]
        box = ["", "", "", ""]
        if annotation.box is not None:
            turned = box_in_turned(annotation.box, width, turns, height)
            box = [f"{v:.1f}" for v in turned.as_list()]
        rows.append([name, *box, annotation.text])
    write_annotations(
        out,
        rows,
        f"{data} ({split} rows) turned a quarter ({'/'.join(map(str, quarters))}) by benchmarks/turned_photos.py; "
        "the licence of the source folder applies. Not for redistribution.",
    )
    return len(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", nargs="+", type=Path, required=True, help="dataset folders (shared layout)")
    parser.add_argument("--out", type=Path, required=True, help="one turned folder per dataset is written here")
    parser.add_argument("--split", default="val", choices=["all", "train", "val"])
    parser.add_argument("--manifest", type=Path, default=DEFAULT_MANIFEST)
    parser.add_argument("--quarters", default="13", choices=["1", "3", "13"], help="turns (13: alternately)")
    args = parser.parse_args(argv)
    quarters = [int(q) for q in args.quarters]
    for data in args.data:
        count = write_turned(data, args.out / data.name, args.split, quarters, args.manifest)
        print(f"{data.name}: {count} rows turned into {args.out / data.name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
