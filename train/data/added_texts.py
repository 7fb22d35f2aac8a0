"""Plate texts the project added to shared sources whose annotations carry none.

``train/data/labels/<source>.json`` holds texts read by the project for the boxed rows of one
source's ``annotations.csv``: the file's sha256 (texts apply to that exact file only, so an updated
or unrelated folder of the same name is left as it is), how the texts were made, and one
``[image, x1, y1, x2, y2, text]`` entry per row. A row takes the added text only where its own
text is empty and its image and box match exactly; the shared data itself is never changed.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import replace
from pathlib import Path

from edge.errors import DataError
from edge.text import text_problem

log = logging.getLogger(__name__)

#: Folder of the project's added texts, one JSON per source.
LABELS_DIR = Path(__file__).resolve().parent / "labels"

Key = tuple[str, float, float, float, float]


def _load(path: Path) -> tuple[str, dict[Key, str]]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        texts = {}
        for image, x1, y1, x2, y2, text in document["texts"]:
            problem = text_problem(text)
            if problem:
                raise ValueError(f"{image}: {problem}")
            texts[(image, float(x1), float(y1), float(x2), float(y2))] = text
        return document["annotations_sha256"], texts
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise DataError(f"{path}: bad added-texts file: {exc}") from None


def added_texts(source: str, csv_bytes: bytes, labels_dir: Path | None = None) -> dict[Key, str]:
    """Texts for ``source`` keyed by (image, x1, y1, x2, y2) from ``labels_dir`` (default
    :data:`LABELS_DIR`); empty when there is no file for it or its annotations.csv differs from the
    one the texts were made for."""
    path = (labels_dir or LABELS_DIR) / f"{source}.json"
    if not path.is_file():
        return {}
    digest, texts = _load(path)
    if hashlib.sha256(csv_bytes).hexdigest() != digest:
        log.warning("%s: made for another annotations.csv of %s; its texts are not used", path, source)
        return {}
    return texts


def apply_added_texts(annotations: list, texts: dict[Key, str]) -> list:
    """``annotations`` with each empty text filled from ``texts`` where image and box match."""
    if not texts:
        return annotations
    out = []
    for a in annotations:
        if not a.text and a.box is not None:
            text = texts.get((a.image, a.box.x1, a.box.y1, a.box.x2, a.box.y2))
            if text:
                a = replace(a, text=text)
        out.append(a)
    return out
