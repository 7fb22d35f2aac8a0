"""Plates the project marked in shared photos whose annotations leave them unmarked.

Some sources mark only some plates of a photo: the Romanian dash-cam frames leave many passing plates
unmarked, and a few Tunisian and French photos show a second car's plate with no box. Training the
detector on those photos as they are teaches it that such plates are background.

``train/data/labels/boxes/<source>.json`` holds the boxes the project added for one source's
``annotations.csv``: the file's sha256 (boxes apply to that exact file only, so an updated or
unrelated folder of the same name is left as it is), how they were made, and one
``[image, x1, y1, x2, y2]`` entry per plate in that image's pixels, on photos of either side of the
split. The detector's training adds those of its training photos (``added_boxes`` in its config);
``anpr evaluate`` keeps the shared annotations as they are, and
``benchmarks/detector_unmarked_precision.py`` leaves detections of the held-out ones out of precision.
The shared data itself is never changed.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

from edge.errors import DataError
from edge.types import Box
from train.data.annotations import Annotation, Dataset

log = logging.getLogger(__name__)

#: Folder of the project's added boxes, one JSON per source.
BOXES_DIR = Path(__file__).resolve().parent / "labels" / "boxes"


def _load(path: Path) -> tuple[str, dict[str, list[Box]]]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        boxes: dict[str, list[Box]] = {}
        for image, x1, y1, x2, y2 in document["boxes"]:
            box = Box(float(x1), float(y1), float(x2), float(y2))
            if box.width <= 0 or box.height <= 0:
                raise ValueError(f"{image}: empty box {[x1, y1, x2, y2]}")
            boxes.setdefault(str(image), []).append(box)
        return document["annotations_sha256"], boxes
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DataError(f"{path}: bad added-boxes file: {exc}") from None


def added_boxes(dataset: Dataset, boxes_dir: Path | None = None) -> dict[str, list[Box]]:
    """Added boxes for ``dataset`` keyed by image, from ``boxes_dir`` (default :data:`BOXES_DIR`); empty
    when there is no file for its folder name or its annotations.csv differs from the one they were
    made for."""
    path = (boxes_dir or BOXES_DIR) / f"{dataset.root.name}.json"
    if not path.is_file():
        return {}
    digest, boxes = _load(path)
    if hashlib.sha256((dataset.root / "annotations.csv").read_bytes()).hexdigest() != digest:
        log.warning("%s: made for another annotations.csv of %s; its boxes are not used", path, dataset.root.name)
        return {}
    return boxes


def with_added_boxes(rows: list[Annotation], boxes: dict[str, list[Box]]) -> list[Annotation]:
    """``rows`` plus one text-less row per added box of an image that has a boxed row among them (so
    the added boxes follow the split the photo is on)."""
    photos = {a.image: a.source for a in rows if a.box is not None}
    extra = [
        Annotation(source, -1, image, box, "")
        for image, source in sorted(photos.items())
        for box in boxes.get(image, [])
    ]
    return rows + extra
