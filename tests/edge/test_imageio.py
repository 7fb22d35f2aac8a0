import struct
import zlib

import cv2
import numpy as np
import pytest

from edge.errors import ImageReadError
from edge.imageio import decode_image, image_size, read_image


def _png(width: int, height: int) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + chunk + struct.pack(">I", zlib.crc32(chunk))


def test_reads_valid_jpeg(tmp_path):
    path = tmp_path / "a.jpg"
    cv2.imwrite(str(path), np.full((30, 50, 3), 128, np.uint8))
    assert read_image(path).shape == (30, 50, 3)
    assert image_size(path) == (50, 30)


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "empty file"),
        (b"not an image at all", "not a readable image"),
        (_png(100_000, 100_000), "pixel limit"),
    ],
)
def test_bad_bytes_give_one_clear_error(data, message):
    with pytest.raises(ImageReadError, match=message):
        decode_image(data, name="upload")


def test_truncated_jpeg_is_an_error_or_a_partial_image(tmp_path):
    _ok, buf = cv2.imencode(".jpg", np.random.default_rng(0).integers(0, 255, (64, 64, 3), dtype=np.uint8))
    data = buf.tobytes()[:40]
    with pytest.raises(ImageReadError, match="upload"):
        decode_image(data, name="upload")


def test_missing_file_names_the_file(tmp_path):
    with pytest.raises(ImageReadError, match=r"nope\.jpg: file not found"):
        read_image(tmp_path / "nope.jpg")


def test_max_pixels_guard_after_decode():
    _ok, buf = cv2.imencode(".bmp", np.zeros((20, 20, 3), np.uint8))
    with pytest.raises(ImageReadError, match="pixel limit"):
        decode_image(buf.tobytes(), max_pixels=100)
