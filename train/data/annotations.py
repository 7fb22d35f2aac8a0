"""Read and validate a dataset folder in the common layout.

A dataset folder holds ``images/`` and ``annotations.csv`` with the header
``image,x1,y1,x2,y2,text``: one row per plate, the box in pixels of the stored image
(right/bottom exclusive), an empty box meaning the whole image is the plate, an empty text
meaning unknown. Problems are collected with the file and row they come from.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from edge.errors import DataError
from edge.text import normalize_text, text_problem
from edge.types import Box
from train.data.added_texts import added_texts, apply_added_texts

HEADER = ["image", "x1", "y1", "x2", "y2", "text"]


@dataclass(frozen=True)
class Annotation:
    """One plate: an image (relative to ``images/``), an optional box and an optional text."""

    source: str
    row: int
    image: str
    box: Box | None
    text: str

    @property
    def group(self) -> str:
        """The evaluation group: the first path component of ``image``, or ``all``."""
        return self.image.split("/", 1)[0] if "/" in self.image else "all"


@dataclass(frozen=True)
class Issue:
    """A problem found in a dataset, naming the file and row (row 1 is the header)."""

    severity: str  # "error" or "warning"
    path: str
    row: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.row}" if self.row is not None else self.path
        return f"{self.severity}: {where}: {self.message}"


@dataclass
class Dataset:
    """A dataset folder's annotations and the problems found while reading them."""

    root: Path
    annotations: list[Annotation] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.root.name

    @property
    def images_dir(self) -> Path:
        return self.root / "images"

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    def image_path(self, annotation: Annotation) -> Path:
        return self.images_dir / annotation.image


def _parse_box(values: list[str]) -> Box | None:
    if all(v.strip() == "" for v in values):
        return None
    if any(v.strip() == "" for v in values):
        raise ValueError("box has some but not all of x1,y1,x2,y2")
    x1, y1, x2, y2 = (float(v) for v in values)
    return Box(x1, y1, x2, y2)


def read_dataset(root: str | Path) -> Dataset:
    """Parse ``root/annotations.csv``; malformed rows become issues, not exceptions.

    Raises :class:`DataError` only when the folder or the CSV itself is unusable. Empty texts of boxed
    rows are then filled from the project's added texts for this exact file, if any
    (:mod:`train.data.added_texts`).
    """
    root = Path(root)
    csv_path = root / "annotations.csv"
    if not csv_path.is_file():
        raise DataError(f"{root}: no annotations.csv (expected images/ and annotations.csv)")
    dataset = Dataset(root=root)
    try:
        with open(csv_path, newline="", encoding="utf-8-sig") as handle:  # a byte-order mark is skipped
            rows = list(csv.reader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise DataError(f"{csv_path}: cannot read: {exc}") from None
    if not rows or [c.strip() for c in rows[0]] != HEADER:
        raise DataError(f"{csv_path}: header must be {','.join(HEADER)}")
    for number, cells in enumerate(rows[1:], start=2):
        if not cells or all(c.strip() == "" for c in cells):
            continue
        if len(cells) != len(HEADER):
            dataset.issues.append(
                Issue("error", str(csv_path), number, f"expected {len(HEADER)} columns, got {len(cells)}")
            )
            continue
        image, text = cells[0].strip(), cells[5].strip()
        if not image:
            dataset.issues.append(Issue("error", str(csv_path), number, "empty image name"))
            continue
        try:
            box = _parse_box(cells[1:5])
        except ValueError as exc:
            dataset.issues.append(Issue("error", str(csv_path), number, f"{image}: bad box: {exc}"))
            continue
        if box is not None and (box.width <= 0 or box.height <= 0):
            dataset.issues.append(Issue("error", str(csv_path), number, f"{image}: empty box {box.as_list()}"))
            continue
        if text:
            if normalize_text(text) != text:
                dataset.issues.append(
                    Issue(
                        "warning",
                        str(csv_path),
                        number,
                        f"{image}: text {text!r} is not normalised: read as {normalize_text(text)!r}",
                    )
                )
                text = normalize_text(text)
            problem = text_problem(text)
            if problem:
                dataset.issues.append(Issue("error", str(csv_path), number, f"{image}: {problem}"))
                continue
        elif box is None:
            dataset.issues.append(
                Issue("warning", str(csv_path), number, f"{image}: crop row without text carries no label")
            )
        dataset.annotations.append(Annotation(root.name, number, image, box, text))
    dataset.annotations = apply_added_texts(dataset.annotations, added_texts(root.name, csv_path.read_bytes()))
    return dataset


def write_annotations(root: Path, rows: list[list], source_note: str) -> None:
    """Write ``rows`` ([image, x1, y1, x2, y2, text], box cells empty for a crop) as ``root/annotations.csv``
    and ``source_note`` as ``root/SOURCE.txt``: a dataset folder derived from another (``images/`` is the
    caller's)."""
    root.mkdir(parents=True, exist_ok=True)
    with open(root / "annotations.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    (root / "SOURCE.txt").write_text(source_note.rstrip("\n") + "\n")
