"""Deterministic, leakage-free train/val splits written to a manifest that training and evaluation read.

Rows are grouped so that nothing a model could memorise crosses the split:
- every row of one image stays together;
- rows with the same plate text stay together (the same plate never crosses);
- frames of one video stay together (``name.mp4_tNNNN.jpg`` -> ``name.mp4``);
- byte-identical and near-identical photos (same 64-bit difference hash) stay together.
Groups are ordered by a seeded hash and assigned greedily so the validation share lands as
close to the target fraction of rows as whole groups allow (at least one group each side).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from edge.errors import DataError
from train.data.annotations import Annotation, Dataset, read_dataset
from train.data.paths import PROJECT_ROOT

#: The manifest shipped with the project (regenerate with ``anpr data split``).
DEFAULT_MANIFEST = PROJECT_ROOT / "train" / "splits.json"
DEFAULT_SEED = 20261123
DEFAULT_VAL_FRACTION = 0.2
_VIDEO_FRAME = re.compile(r"^(?:.*/)?(?P<video>[^/]+\.(?:mp4|avi|mov|mkv|webm))_t\d+\.\w+$", re.IGNORECASE)


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, key: str) -> str:
        self.parent.setdefault(key, key)
        while self.parent[key] != key:
            self.parent[key] = self.parent[self.parent[key]]
            key = self.parent[key]
        return key

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def video_of(image: str) -> str | None:
    """The video a frame file comes from (``x/clip.mp4_t0012.jpg`` -> ``clip.mp4``), or None."""
    match = _VIDEO_FRAME.match(image)
    return match.group("video") if match else None


def difference_hash(path: Path) -> str | None:
    """A 64-bit difference hash of the image (equal for re-encoded or resized copies), or None."""
    import cv2

    grey = cv2.imread(str(path), cv2.IMREAD_GRAYSCALE)
    if grey is None:
        return None
    small = cv2.resize(grey, (9, 8), interpolation=cv2.INTER_AREA).astype(np.int16)
    bits = (small[:, 1:] > small[:, :-1]).flatten()
    return f"{int(''.join('1' if b else '0' for b in bits), 2):016x}"


def group_rows(dataset: Dataset, use_image_hashes: bool = True) -> dict[str, list[Annotation]]:
    """Group ``dataset``'s rows so that no group may be split; keys are stable group ids."""
    uf = _UnionFind()
    for a in dataset.annotations:
        image_key = f"image:{a.image}"
        uf.find(image_key)
        if a.text:
            uf.union(image_key, f"text:{a.text}")
        video = video_of(a.image)
        if video:
            uf.union(image_key, f"video:{video}")
    if use_image_hashes:
        for image in sorted({a.image for a in dataset.annotations}):
            path = dataset.images_dir / image
            try:
                uf.union(f"image:{image}", "sha1:" + hashlib.sha1(path.read_bytes()).hexdigest())
            except OSError:
                continue
            dhash = difference_hash(path)
            if dhash is not None:
                uf.union(f"image:{image}", f"dhash:{dhash}")
    groups: dict[str, list[Annotation]] = defaultdict(list)
    for a in dataset.annotations:
        groups[uf.find(f"image:{a.image}")].append(a)
    return dict(groups)


def assign_groups(group_sizes: dict[str, int], val_fraction: float, seed: int) -> set[str]:
    """Choose the validation groups: seeded hash order, greedy toward ``val_fraction`` of the rows."""
    if not 0.0 < val_fraction < 1.0:
        raise ValueError("val_fraction must be between 0 and 1")
    order = sorted(group_sizes, key=lambda g: hashlib.sha256(f"{seed}:{g}".encode()).hexdigest())
    target = val_fraction * sum(group_sizes.values())
    val: set[str] = set()
    val_rows = 0
    for group in order:
        size = group_sizes[group]
        if len(val) + 1 >= len(order):
            break  # always keep at least one group for training
        if abs(val_rows + size - target) < abs(val_rows - target):
            val.add(group)
            val_rows += size
    return val


def annotations_digest(dataset: Dataset) -> str:
    """sha256 of the dataset's annotations.csv (the manifest records it to detect staleness)."""
    return hashlib.sha256((dataset.root / "annotations.csv").read_bytes()).hexdigest()


def split_dataset(
    dataset: Dataset,
    val_fraction: float = DEFAULT_VAL_FRACTION,
    seed: int = DEFAULT_SEED,
    use_image_hashes: bool = True,
) -> dict:
    """Manifest entry for one source: which images are train and which are val, with group counts."""
    groups = group_rows(dataset, use_image_hashes=use_image_hashes)
    val_groups = assign_groups({g: len(rows) for g, rows in groups.items()}, val_fraction, seed)
    split_images: dict[str, set[str]] = {"train": set(), "val": set()}
    for group, rows in groups.items():
        split_images["val" if group in val_groups else "train"].update(a.image for a in rows)
    return {
        "annotations_sha256": annotations_digest(dataset),
        "rows": len(dataset.annotations),
        "groups": {"train": len(groups) - len(val_groups), "val": len(val_groups)},
        "train": sorted(split_images["train"]),
        "val": sorted(split_images["val"]),
    }


def build_manifest(
    dirs: list[Path],
    val_fraction: float = DEFAULT_VAL_FRACTION,
    seed: int = DEFAULT_SEED,
    use_image_hashes: bool = True,
) -> dict:
    """Split every dataset folder in ``dirs``; the result is JSON-serialisable."""
    sources = {}
    for directory in dirs:
        dataset = read_dataset(directory)
        sources[dataset.name] = split_dataset(dataset, val_fraction, seed, use_image_hashes)
    return {"version": 1, "seed": seed, "val_fraction": val_fraction, "sources": sources}


def write_manifest(manifest: dict, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")


def load_manifest(path: Path = DEFAULT_MANIFEST) -> dict:
    try:
        manifest = json.loads(Path(path).read_text())
    except FileNotFoundError:
        raise DataError(f"{path}: split manifest not found (create it with 'anpr data split')") from None
    except json.JSONDecodeError as exc:
        raise DataError(f"{path}: not valid JSON: {exc}") from None
    if manifest.get("version") != 1 or "sources" not in manifest:
        raise DataError(f"{path}: not a split manifest (version 1 with 'sources')")
    return manifest


@dataclass(frozen=True)
class SplitSelection:
    """The rows of one source that belong to one split."""

    dataset: Dataset
    split: str
    annotations: list[Annotation]


def select_split(dataset: Dataset, manifest: dict, split: str) -> SplitSelection:
    """The rows of ``dataset`` in ``split`` (``train`` or ``val``) according to ``manifest``.

    Raises :class:`DataError` when the source is missing from the manifest or its
    annotations changed since the manifest was written (a stale split could leak).
    """
    if split not in ("train", "val"):
        raise ValueError("split must be 'train' or 'val'")
    entry = manifest["sources"].get(dataset.name)
    if entry is None:
        raise DataError(f"source {dataset.name!r} is not in the split manifest (run 'anpr data split')")
    if entry["annotations_sha256"] != annotations_digest(dataset):
        raise DataError(
            f"{dataset.root}/annotations.csv changed since the split manifest was written (run 'anpr data split' again)"
        )
    images = set(entry[split])
    return SplitSelection(dataset, split, [a for a in dataset.annotations if a.image in images])
