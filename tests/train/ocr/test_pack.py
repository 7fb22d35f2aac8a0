"""Packed real crops (train/ocr/pack.py): the same crops, splits and boxes as the dataset folders give."""

import numpy as np
import pytest

from tests.conftest import write_layout
from train.data.splits import build_manifest, write_manifest
from train.ocr.data import load_real_crops
from train.ocr.pack import is_pack, main


def _smooth_image(seed: int, height: int, width: int) -> np.ndarray:
    """A photo-like image (smooth gradients): JPEG keeps it within a few levels, as it does real photos."""
    y, x = np.mgrid[0:height, 0:width]
    base = 60 + 2 * seed + 100 * (x / width) + 40 * np.sin(y / 7.0)
    return np.clip(np.stack([base, base * 0.8, 255 - base], axis=-1), 0, 255).astype(np.uint8)


def _datasets(root):
    photos = {f"car{i}.jpg": _smooth_image(i, 120, 200) for i in range(6)}
    write_layout(
        root / "france",
        [(name, 40, 50, 120, 70, f"AB{i}23CD") for i, name in enumerate(photos)],
        photos,
    )
    crops = {f"plate{i}.png": _smooth_image(10 + i, 40, 120) for i in range(6)}
    rows = [(name, "", "", "", "", f"XYZ{i}00") for i, name in enumerate(crops)]
    rows.append(("plate0.png", "", "", "", "", ""))  # no text: never packed
    write_layout(root / "us_crops", rows, crops)
    manifest = root / "splits.json"
    write_manifest(
        build_manifest([root / "france", root / "us_crops"], val_fraction=0.3, use_image_hashes=False), manifest
    )
    return manifest


def test_pack_gives_the_crops_the_folders_give(tmp_path, capsys):
    root = tmp_path / "data"
    manifest = _datasets(root)
    out = tmp_path / "pack" / "crops.npz"
    assert (
        main(
            [
                "--data-root",
                str(root),
                "--manifest",
                str(manifest),
                "--sources",
                "france",
                "us_crops",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    assert "packed" in capsys.readouterr().out
    assert is_pack(out) and not is_pack(root)
    for split in ("train", "val"):
        sources = ["us_crops", "france"]  # the order asked for, not the pack's
        direct = load_real_crops(root, manifest, sources, split)
        packed = load_real_crops(out, manifest, sources, split)
        assert direct and [c.text for c in packed] == [c.text for c in direct]
        assert [c.box for c in packed] == [c.box for c in direct]
        assert [c.group for c in packed] == [c.group for c in direct]
        for a, b in zip(direct, packed):
            assert a.image.shape == b.image.shape
            assert np.abs(a.image.astype(int) - b.image).mean() < 2  # JPEG quality 95
    both = load_real_crops(out, manifest, ["us_crops", "france"], "train")
    france = load_real_crops(out, manifest, ["france"], "train")
    assert france and [c.text for c in france] == [c.text for c in both if c.source == "france"]


def test_pack_needs_an_npz_name(tmp_path):
    with pytest.raises(SystemExit):
        main(["--out", str(tmp_path / "crops.zip")])


def test_a_pack_is_refused_with_another_manifest_or_when_missing(tmp_path):
    from edge.errors import DataError

    root = tmp_path / "data"
    manifest = _datasets(root)
    out = tmp_path / "crops.npz"
    main(["--data-root", str(root), "--manifest", str(manifest), "--sources", "us_crops", "--out", str(out)])
    other = tmp_path / "other.json"
    write_manifest(build_manifest([root / "us_crops"], val_fraction=0.5, use_image_hashes=False), other)
    with pytest.raises(DataError, match="another split manifest"):
        load_real_crops(out, other, ["us_crops"], "train")
    with pytest.raises(DataError, match="not a crop pack"):
        load_real_crops(tmp_path / "missing.npz", manifest, ["us_crops"], "train")
