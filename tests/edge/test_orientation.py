import struct

import cv2
import numpy as np
import pytest

from edge.imageio import decode_image
from edge.orientation import UPRIGHT, exif_orientation, stored_box_to_upright
from edge.types import Box
from train.data.orientation import tag_orientation

WIDTH, HEIGHT = 200, 100
MARK = Box(30, 20, 90, 40)


def _marked_jpeg() -> bytes:
    """A black 200x100 JPEG with a white rectangle at MARK."""
    image = np.zeros((HEIGHT, WIDTH, 3), np.uint8)
    image[20:40, 30:90] = 255
    ok, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 95])
    assert ok
    return encoded.tobytes()


@pytest.mark.parametrize("orientation", range(1, 9))
def test_a_stored_box_lands_on_its_pixels_in_the_upright_image(orientation):
    data = tag_orientation(_marked_jpeg(), orientation)
    assert exif_orientation(data) == orientation
    upright = decode_image(data)  # the decoder applies the tag
    ys, xs = np.nonzero(upright[..., 0] > 128)
    found = [float(xs.min()), float(ys.min()), float(xs.max() + 1), float(ys.max() + 1)]
    assert stored_box_to_upright(MARK, orientation, WIDTH, HEIGHT).as_list() == found
    assert upright.shape[:2] == ((WIDTH, HEIGHT) if orientation >= 5 else (HEIGHT, WIDTH))


def test_orientation_reads_little_endian_blocks_and_defaults_to_upright():
    jpeg = _marked_jpeg()
    entry = struct.pack("<HHIHH", 0x0112, 3, 1, 6, 0)
    tiff = b"II\x2a\x00" + struct.pack("<I", 8) + struct.pack("<H", 1) + entry + struct.pack("<I", 0)
    payload = b"Exif\x00\x00" + tiff
    tagged = jpeg[:2] + b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload + jpeg[2:]
    assert exif_orientation(tagged) == 6
    assert exif_orientation(jpeg) == UPRIGHT  # no EXIF block
    assert exif_orientation(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40) == UPRIGHT
    assert exif_orientation(b"") == UPRIGHT
    truncated = tagged[: 2 + 4 + 6 + 12]  # the block cut inside its directory
    assert exif_orientation(truncated) == UPRIGHT
    bad_value = tag_orientation(jpeg, 6).replace(
        struct.pack(">HHIHH", 0x0112, 3, 1, 6, 0), struct.pack(">HHIHH", 0x0112, 3, 1, 9, 0)
    )
    assert exif_orientation(bad_value) == UPRIGHT


def test_tagging_needs_a_jpeg_and_an_orientation():
    with pytest.raises(ValueError):
        tag_orientation(b"\x89PNG", 6)
    with pytest.raises(ValueError):
        tag_orientation(_marked_jpeg(), 9)
