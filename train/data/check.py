"""``anpr data check``: validate dataset folders and summarise them per source."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from edge.errors import ImageReadError
from edge.imageio import read_image
from train.data.annotations import Dataset, Issue, read_dataset
from train.data.orientation import orientation_of

#: Upper edges (exclusive) of the plate-width histogram bins, in pixels of the stored image.
PLATE_WIDTH_BINS = (25, 50, 100, 200, 400)


@dataclass
class SourceSummary:
    """What ``anpr data check`` reports for one dataset folder."""

    name: str
    rows: int = 0
    images: int = 0
    crops: int = 0
    boxes: int = 0
    texts: int = 0
    distinct_texts: int = 0
    groups: dict[str, int] = field(default_factory=dict)
    image_widths: list[int] = field(default_factory=list)
    image_heights: list[int] = field(default_factory=list)
    plate_widths: list[float] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    def width_histogram(self) -> dict[str, int]:
        """Plate widths binned by :data:`PLATE_WIDTH_BINS` (label -> count)."""
        labels, lower = [], 0
        for upper in PLATE_WIDTH_BINS:
            labels.append(f"{lower}-{upper - 1}")
            lower = upper
        labels.append(f">={lower}")
        counts = Counter(int(np.searchsorted(PLATE_WIDTH_BINS, w, side="right")) for w in self.plate_widths)
        return {label: counts.get(i, 0) for i, label in enumerate(labels)}

    def as_dict(self) -> dict:
        def stats(values: list) -> dict:
            if not values:
                return {}
            return {"min": int(min(values)), "median": float(np.median(values)), "max": int(max(values))}

        return {
            "rows": self.rows,
            "images": self.images,
            "crops": self.crops,
            "boxes": self.boxes,
            "texts": self.texts,
            "distinct_texts": self.distinct_texts,
            "groups": self.groups,
            "image_width": stats(self.image_widths),
            "image_height": stats(self.image_heights),
            "plate_width_histogram": self.width_histogram(),
            "errors": [str(i) for i in self.errors],
            "warnings": [str(i) for i in self.issues if i.severity == "warning"],
        }


def _image_shape(path: Path) -> tuple[int, int] | Exception:
    try:
        image = read_image(path)
    except ImageReadError as exc:
        return exc
    return image.shape[1], image.shape[0]


def _outside(path: Path, a, shape: tuple[int, int], csv_path: str) -> Issue:
    """The issue for a box outside its (upright) image: a warning when it fits the stored pixels of a
    photo with an orientation tag (``anpr evaluate`` finds the frame, :mod:`train.data.orientation`),
    else an error."""
    message = f"{a.image}: box {a.box.as_list()} lies outside the {shape[0]}x{shape[1]} image"
    orientation, stored = orientation_of(path)
    if stored is not None and a.box.is_inside(*stored):
        return Issue(
            "warning",
            csv_path,
            a.row,
            f"{message} as shown (EXIF orientation {orientation}) but inside its {stored[0]}x{stored[1]} "
            "stored pixels: the box is in the stored frame (anpr evaluate takes it so; training does not: "
            "save the photo upright or the box in the upright frame)",
        )
    return Issue("error", csv_path, a.row, message)


def check_dataset(dataset: Dataset, workers: int = 4) -> SourceSummary:
    """Decode every image of ``dataset``, check each box lies inside it and summarise."""
    summary = SourceSummary(name=dataset.name, issues=list(dataset.issues))
    annotations = dataset.annotations
    images = sorted({a.image for a in annotations})
    with ThreadPoolExecutor(max_workers=workers) as pool:
        shapes = dict(zip(images, pool.map(lambda name: _image_shape(dataset.images_dir / name), images)))
    csv_path = str(dataset.root / "annotations.csv")
    for shape in shapes.values():
        if not isinstance(shape, Exception):
            summary.image_widths.append(shape[0])
            summary.image_heights.append(shape[1])
    for a in annotations:
        shape = shapes[a.image]
        if isinstance(shape, Exception):
            reason = str(shape).split(": ", 1)[-1]
            summary.issues.append(Issue("error", csv_path, a.row, f"images/{a.image}: {reason}"))
            continue
        if a.box is None:
            summary.crops += 1
            summary.plate_widths.append(shape[0])
        else:
            summary.boxes += 1
            summary.plate_widths.append(a.box.width)
            if not a.box.is_inside(*shape):
                summary.issues.append(_outside(dataset.images_dir / a.image, a, shape, csv_path))
    summary.rows = len(annotations)
    summary.images = len(images)
    summary.texts = sum(1 for a in annotations if a.text)
    summary.distinct_texts = len({a.text for a in annotations if a.text})
    summary.groups = dict(sorted(Counter(a.group for a in annotations).items()))
    return summary


def check_dirs(dirs: list[Path], workers: int = 4) -> list[SourceSummary]:
    """Check each dataset folder; a folder that cannot be read at all becomes one error."""
    summaries = []
    for directory in dirs:
        try:
            dataset = read_dataset(directory)
        except Exception as exc:  # DataError or an unexpected I/O failure: report, keep going
            summaries.append(
                SourceSummary(name=Path(directory).name, issues=[Issue("error", str(directory), None, str(exc))])
            )
            continue
        summaries.append(check_dataset(dataset, workers=workers))
    return summaries


def format_summary(summary: SourceSummary, max_issues: int = 20) -> str:
    """Human-readable block for one source."""
    d = summary.as_dict()
    lines = [f"== {summary.name}"]
    lines.append(
        f"  rows {d['rows']}  images {d['images']}  crops {d['crops']}  boxes {d['boxes']}  "
        f"texts {d['texts']} ({d['distinct_texts']} distinct)"
    )
    if d["image_width"]:
        w, h = d["image_width"], d["image_height"]
        lines.append(
            f"  image size  width {w['min']}/{w['median']:.0f}/{w['max']}  "
            f"height {h['min']}/{h['median']:.0f}/{h['max']}  (min/median/max px)"
        )
    if len(d["groups"]) > 1 or "all" not in d["groups"]:
        lines.append("  groups      " + "  ".join(f"{k} {v}" for k, v in d["groups"].items()))
    lines.append("  plate width " + "  ".join(f"{k}px:{v}" for k, v in d["plate_width_histogram"].items()))
    issues = summary.issues
    lines.append(f"  errors {len(summary.errors)}  warnings {len(issues) - len(summary.errors)}")
    lines.extend(f"  {issue}" for issue in issues[:max_issues])
    if len(issues) > max_issues:
        lines.append(f"  ... {len(issues) - max_issues} more")
    return "\n".join(lines)
