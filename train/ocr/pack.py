"""Real OCR crops packed into one file, to train where the shared datasets are not (a GPU machine).

``python -m train.ocr.pack --data-root ../shared/data --out .gpu/ocr_crops.npz`` cuts every real crop of
both splits exactly as :func:`train.ocr.data.load_real_crops` does (a box with its context, or a crop
image whole), JPEG-encodes it at quality 95 (PNG packs the noisy US crops at 100 KB each and the whole
pack at 125 MiB, twice what a GPU call carries; JPEG changes a pixel by about one level on average) and
writes it with its box, text, source, group and split.
``anpr train ocr --data-root .gpu/ocr_crops.npz`` then trains from the pack; it records the split manifest's
sha256 and is refused with a manifest other than the one it was cut with.
The pack holds images under the shared datasets' licences: write it to an ignored folder, never commit it.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

import numpy as np

from train.data.paths import data_root
from train.data.splits import DEFAULT_MANIFEST

log = logging.getLogger(__name__)

#: Splits a pack holds.
SPLITS = ("train", "val")
#: JPEG quality of the packed crops.
JPEG_QUALITY = 95
#: Sources packed by default: every real source the plate reader trains on.
DEFAULT_SOURCES = ("us_crops", "br_crops", "tunisia", "france", "romania")


def pack_real_crops(root: Path, manifest: Path, sources: list[str], out: Path) -> dict[str, int]:
    """Write the pack; returns the number of crops per split."""
    import cv2

    from edge.models import file_sha256
    from train.ocr.data import load_real_crops

    blobs, boxes, fields, counts = [], [], [], {}
    for split in SPLITS:
        crops = load_real_crops(root, manifest, sources, split)
        counts[split] = len(crops)
        for crop in crops:
            ok, encoded = cv2.imencode(".jpg", crop.image, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
            if not ok:
                raise ValueError(f"could not encode a {crop.source} crop of {crop.text}")
            blobs.append(encoded.tobytes())
            boxes.append(crop.box.as_list() if crop.box is not None else [np.nan] * 4)
            fields.append((crop.text, crop.source, crop.group, split))
    out.parent.mkdir(parents=True, exist_ok=True)
    lengths = np.array([len(b) for b in blobs], np.int64)
    np.savez(
        out,
        data=np.frombuffer(b"".join(blobs), np.uint8),
        lengths=lengths,
        boxes=np.asarray(boxes, np.float32).reshape(-1, 4),
        fields=np.array(fields, dtype=str).reshape(-1, 4),
        manifest_sha256=np.array(file_sha256(manifest)),
    )
    return counts


def is_pack(path: Path) -> bool:
    """Whether ``--data-root`` names a pack (a ``.npz`` file) instead of the datasets' folder."""
    return path.suffix == ".npz"


def load_packed_crops(path: Path, manifest: Path, sources: list[str], split: str):
    """The pack's crops of ``split`` from ``sources``, as :func:`train.ocr.data.load_real_crops` returns them.

    Raises :class:`DataError` when the pack is missing or unreadable, or was cut with another manifest
    than ``manifest`` (its splits would not be the ones the run's card records)."""
    import cv2

    from edge.errors import DataError
    from edge.models import file_sha256
    from edge.types import Box
    from train.ocr.data import OcrCrop

    if split not in SPLITS:
        raise ValueError(f"a pack holds the splits {list(SPLITS)}, not {split!r}")
    try:
        with np.load(path) as pack:
            data, lengths, boxes, fields = pack["data"], pack["lengths"], pack["boxes"], pack["fields"]
            packed_manifest = str(pack["manifest_sha256"])
    except (OSError, ValueError, KeyError) as exc:
        raise DataError(f"{path}: not a crop pack of train/ocr/pack.py ({exc})") from None
    if not manifest.is_file() or file_sha256(manifest) != packed_manifest:
        raise DataError(f"{path} was packed with another split manifest than {manifest}: pack it again")
    ends = np.cumsum(lengths)
    crops = []
    for index, (text, source, group, crop_split) in enumerate(fields.tolist()):
        if crop_split != split or source not in sources:
            continue
        blob = data[ends[index] - lengths[index] : ends[index]]
        image = cv2.imdecode(blob, cv2.IMREAD_UNCHANGED)
        box = None if np.isnan(boxes[index]).any() else Box(*(float(v) for v in boxes[index]))
        crops.append(OcrCrop(image, box, text, source, group))
    crops.sort(key=lambda crop: sources.index(crop.source))  # the order load_real_crops gives (stable)
    missing = sorted(set(sources) - {f[1] for f in fields.tolist()})
    if missing:
        log.warning("OCR data: %s not in the pack %s, skipped", ", ".join(missing), path)
    return crops


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-root", type=Path, default=None, help="shared datasets (default: ../shared/data)")
    parser.add_argument("--manifest", type=Path, default=DEFAULT_MANIFEST, help="split manifest")
    parser.add_argument("--sources", nargs="+", default=list(DEFAULT_SOURCES), help="dataset folders to pack")
    parser.add_argument("--out", type=Path, required=True, help="pack file to write (.npz, in an ignored folder)")
    args = parser.parse_args(argv)
    if args.out.suffix != ".npz":
        parser.error("--out must end in .npz")
    counts = pack_real_crops(data_root(args.data_root), args.manifest, args.sources, args.out)
    size = args.out.stat().st_size / 2**20
    print(f"packed {counts['train']} training and {counts['val']} validation crops into {args.out} ({size:.1f} MiB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
