"""Write synthetic samples in the common dataset layout, and preview grids a person can look at."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

import cv2
import numpy as np

from edge.types import Box
from train.data.annotations import HEADER


class LayoutWriter:
    """Writes ``images/<group>/<name>.jpg`` and ``annotations.csv`` rows (one per plate)."""

    def __init__(self, out: Path, jpeg_quality: int = 92) -> None:
        self.out = Path(out)
        (self.out / "images").mkdir(parents=True, exist_ok=True)
        self.quality = jpeg_quality
        self._handle = open(self.out / "annotations.csv", "w", newline="", encoding="utf-8")  # noqa: SIM115 (closed in close())
        self._csv = csv.writer(self._handle)
        self._csv.writerow(HEADER)

    def add(self, relative: str, image: np.ndarray, plates: Iterable[tuple[Box | None, str]]) -> None:
        path = self.out / "images" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if not cv2.imwrite(str(path), image, [cv2.IMWRITE_JPEG_QUALITY, self.quality]):
            raise OSError(f"cannot write {path}")
        for box, text in plates:
            if box is None:
                self._csv.writerow([relative, "", "", "", "", text])
            else:
                x1, y1 = int(np.floor(box.x1)), int(np.floor(box.y1))
                x2, y2 = int(np.ceil(box.x2)), int(np.ceil(box.y2))
                h, w = image.shape[:2]
                self._csv.writerow([relative, max(0, x1), max(0, y1), min(w, x2), min(h, y2), text])

    def close(self) -> None:
        self._handle.close()

    def __enter__(self) -> LayoutWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def preview_grid(
    items: list[tuple[np.ndarray, list[Box], list[str]]], tile: tuple[int, int], columns: int, label_height: int = 16
) -> np.ndarray:
    """Tile images (each resized to ``tile`` = (w, h)), drawing boxes and writing labels under them."""
    tw, th = tile
    tiles = []
    for image, boxes, texts in items:
        h, w = image.shape[:2]
        scale = min(tw / w, th / h)
        resized = cv2.resize(image, (max(1, int(w * scale)), max(1, int(h * scale))), interpolation=cv2.INTER_AREA)
        canvas = np.full((th + label_height, tw, 3), 255, np.uint8)
        canvas[: resized.shape[0], : resized.shape[1]] = resized
        for box in boxes:
            cv2.rectangle(
                canvas,
                (int(box.x1 * scale), int(box.y1 * scale)),
                (int(box.x2 * scale), int(box.y2 * scale)),
                (0, 255, 0),
                1,
            )
        label = " ".join(t or "?" for t in texts)
        cv2.putText(
            canvas, label[:40], (2, th + label_height - 4), cv2.FONT_HERSHEY_SIMPLEX, 0.4, (0, 0, 160), 1, cv2.LINE_AA
        )
        tiles.append(canvas)
    while len(tiles) % columns:
        tiles.append(np.full_like(tiles[0], 255))
    rows = [np.hstack(tiles[i : i + columns]) for i in range(0, len(tiles), columns)]
    return np.vstack(rows)
