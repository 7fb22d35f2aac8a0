"""Which frame a dataset's boxes are in, for photos with an EXIF orientation tag.

The layout says a box is "in pixels of the stored image", and images are decoded upright (the tag
applied, :mod:`edge.orientation`). For a photo whose tag turns or mirrors it, the two frames differ, and
annotation tools disagree on which they draw in. Each dataset folder gets one answer for all its tagged
photos, found from the photos themselves:

1. a frame in which every box lies inside the image wins over one in which some box does not;
2. otherwise the frame whose boxes read surer wins (for a row with text, the reader's confidence; for a
   row without, the best overlap of a detection with the box), the upright frame on a tie.

Rows of untagged images, and rows without a box, are never changed.
"""

from __future__ import annotations

import logging
import struct
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from edge.errors import AnprError
from edge.imageio import image_size, read_image
from edge.orientation import UPRIGHT, exif_orientation, stored_box_to_upright
from edge.types import Box

log = logging.getLogger(__name__)

HEADER_BYTES = 256 * 1024
"""How much of a file is read for its EXIF block and its size."""

BoxScore = Callable[[np.ndarray, Box, object], float]
"""``score(upright image, box in its pixels, annotation)``: how much the box looks like its plate."""


@dataclass(frozen=True)
class FrameChoice:
    """The frame chosen for one dataset folder's boxes on tagged photos."""

    source: str
    """The dataset folder's name (``Annotation.source``)."""
    tagged_images: int
    """Photos with a box and an orientation tag other than 1."""
    boxes_in: str
    """``upright`` (the boxes are used as given) or ``stored`` (carried to the upright frame)."""
    reason: str
    """Why: ``inside`` (only that frame holds every box) or ``surer`` (its boxes read surer)."""
    score_upright: float
    """Sum of the box scores with the boxes as given."""
    score_stored: float
    """Sum of the box scores with the boxes carried from the stored frame."""

    def as_dict(self) -> dict:
        return {
            "source": self.source,
            "tagged_images": self.tagged_images,
            "boxes_in": self.boxes_in,
            "reason": self.reason,
            "score_upright": round(self.score_upright, 4),
            "score_stored": round(self.score_stored, 4),
        }


def orientation_of(path: Path) -> tuple[int, tuple[int, int] | None]:
    """The EXIF orientation of the image file at ``path`` and its stored size (None if unknown)."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(HEADER_BYTES)
    except OSError:
        return UPRIGHT, None
    orientation = exif_orientation(head)
    return orientation, (image_size(path) if orientation != UPRIGHT else None)


FRAMES = ("auto", "upright", "stored")
"""What :func:`resolve_box_frames` may be told: find the frame, or take the one given."""


def resolve_box_frames(
    rows: list[tuple[Path, object, str]], score: BoxScore, frame: str = "auto"
) -> tuple[list, list[FrameChoice]]:
    """``rows`` ((image path, annotation, group), as ``train.evaluate.dataset_rows`` gives) with each
    dataset's boxes on tagged photos in the frame :func:`score` and the rules above choose (``frame`` not
    ``auto``: that frame, reason ``given``), and the choices (none when no photo is tagged)."""
    if frame not in FRAMES:
        raise ValueError(f"frame must be one of {', '.join(FRAMES)}, not {frame!r}")
    tagged: dict[str, list[int]] = defaultdict(list)
    carried: dict[int, Box] = {}
    headers: dict[Path, tuple[int, tuple[int, int] | None]] = {}  # one header read per photo, not per box
    for index, (path, annotation, _) in enumerate(rows):
        if annotation.box is None:
            continue
        if path not in headers:
            headers[path] = orientation_of(path)
        orientation, size = headers[path]
        if orientation == UPRIGHT or size is None:
            continue
        carried[index] = stored_box_to_upright(annotation.box, orientation, *size)
        tagged[annotation.source].append(index)
    choices, out = [], list(rows)
    for source, indices in tagged.items():
        if frame == "auto":
            choice = _choose(source, [rows[i] for i in indices], [carried[i] for i in indices], score)
        else:
            choice = FrameChoice(source, len(indices), frame, "given", 0.0, 0.0)
        choices.append(choice)
        log.info(
            "%s: boxes on %d tagged photos taken in the %s frame (%s)",
            source,
            len(indices),
            choice.boxes_in,
            choice.reason,
        )
        if choice.boxes_in == "stored":
            for i in indices:
                path, annotation, group = rows[i]
                out[i] = (path, replace(annotation, box=carried[i]), group)
    return out, choices


def _choose(source: str, rows: list, carried: list[Box], score: BoxScore) -> FrameChoice:
    inside_given = inside_carried = True
    score_given = score_carried = 0.0
    loaded: tuple[Path, np.ndarray | None] | None = None  # one photo at a time: a folder of phone photos is large
    for (path, annotation, _), box in zip(rows, carried):
        if loaded is None or loaded[0] != path:
            try:
                loaded = (path, read_image(path))
            except AnprError:
                loaded = (path, None)  # the evaluation skips it with a warning
        image = loaded[1]
        if image is None:
            continue
        height, width = image.shape[:2]
        if annotation.box.is_inside(width, height):
            score_given += score(image, annotation.box, annotation)
        else:
            inside_given = False
        if box.is_inside(width, height):
            score_carried += score(image, box, annotation)
        else:
            inside_carried = False
    if inside_given != inside_carried:
        boxes_in, reason = ("upright" if inside_given else "stored"), "inside"
    else:
        boxes_in, reason = ("stored" if score_carried > score_given else "upright"), "surer"
    return FrameChoice(source, len(rows), boxes_in, reason, score_given, score_carried)


def tag_orientation(jpeg: bytes, orientation: int) -> bytes:
    """JPEG bytes ``jpeg`` with an EXIF block holding only ``orientation`` (1-8) inserted after the start
    marker: how the benchmarks and tests make tagged photos. ``jpeg`` must carry no EXIF block."""
    if jpeg[:2] != b"\xff\xd8" or not 1 <= orientation <= 8:
        raise ValueError("needs JPEG bytes and an orientation from 1 to 8")
    entry = struct.pack(">HHIHH", 0x0112, 3, 1, orientation, 0)
    tiff = b"MM\x00\x2a" + struct.pack(">I", 8) + struct.pack(">H", 1) + entry + struct.pack(">I", 0)
    payload = b"Exif\x00\x00" + tiff
    return jpeg[:2] + b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload + jpeg[2:]
