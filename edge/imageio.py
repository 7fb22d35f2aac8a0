"""Guarded image decoding: one clear error for a missing, corrupt or oversized image.

Every path that turns bytes into pixels (dataset files, uploaded images, frames from
folders) goes through here, so decompression bombs and truncated files are handled once.
"""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np

from edge.errors import ImageReadError

#: Refuse images with more pixels than this (a 64 MP guard against decompression bombs).
DEFAULT_MAX_PIXELS = 64_000_000


def _declared_size(data: bytes) -> tuple[int, int] | None:
    """Width and height declared in a PNG or JPEG header, without decoding (None if unknown)."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return width, height
    if data[:2] == b"\xff\xd8":
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                i += 1
                continue
            marker = data[i + 1]
            if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
                i += 2
                continue
            (length,) = struct.unpack(">H", data[i + 2 : i + 4])
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                height, width = struct.unpack(">HH", data[i + 5 : i + 9])
                return width, height
            i += 2 + length
    return None


def decode_image(data: bytes, *, name: str = "image", max_pixels: int = DEFAULT_MAX_PIXELS) -> np.ndarray:
    """Decode JPEG/PNG/BMP bytes to a BGR uint8 array (H, W, 3).

    Raises :class:`ImageReadError` naming ``name`` when the data is empty, not an image,
    truncated beyond repair or larger than ``max_pixels``.
    """
    import cv2

    if not data:
        raise ImageReadError(f"{name}: empty file")
    size = _declared_size(data)
    if size is not None and size[0] * size[1] > max_pixels:
        raise ImageReadError(f"{name}: {size[0]}x{size[1]} exceeds the {max_pixels} pixel limit")
    image = cv2.imdecode(np.frombuffer(data, dtype=np.uint8), cv2.IMREAD_COLOR)
    if image is None or image.size == 0:
        raise ImageReadError(f"{name}: not a readable image (corrupt, truncated or unsupported format)")
    if image.shape[0] * image.shape[1] > max_pixels:
        raise ImageReadError(f"{name}: {image.shape[1]}x{image.shape[0]} exceeds the {max_pixels} pixel limit")
    return image


def read_image(path: str | Path, *, max_pixels: int = DEFAULT_MAX_PIXELS) -> np.ndarray:
    """Read an image file to BGR uint8; :class:`ImageReadError` names the file on any failure."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ImageReadError(f"{path}: file not found") from None
    except OSError as exc:
        raise ImageReadError(f"{path}: cannot read ({exc.strerror or exc})") from None
    return decode_image(data, name=str(path), max_pixels=max_pixels)


def image_size(path: str | Path) -> tuple[int, int] | None:
    """Width and height from the file header without decoding, or None when not PNG/JPEG."""
    with open(path, "rb") as handle:
        head = handle.read(256 * 1024)
    return _declared_size(head)
