"""EXIF orientation: which way a JPEG is shown, and boxes carried from its stored pixels to the shown ones.

A phone stores a portrait photo as landscape pixels with an orientation tag (EXIF 0x0112) saying how to
turn it for display; OpenCV's decoder (:func:`edge.imageio.decode_image`) applies the tag, so the
pipeline always sees the photo upright. A box drawn on such a photo may be in either frame: in the
stored pixels (tools that ignore the tag) or in the upright ones (tools that apply it).
:func:`stored_box_to_upright` carries a box from the first to the second; which frame a dataset used is
for the caller to find out (``train.data.orientation``).

Orientations (EXIF): 1 as stored, 2 mirrored, 3 turned 180 degrees, 4 flipped upside down, 5 transposed,
6 turned 90 degrees clockwise, 7 transversed, 8 turned 90 degrees counter-clockwise (for display).
"""

from __future__ import annotations

import struct

from edge.types import Box

UPRIGHT = 1
"""The orientation of an image with no tag, or whose tag says it is shown as stored."""


def _tiff_orientation(tiff: bytes) -> int:
    """The orientation tag of IFD0 in a TIFF block (EXIF payload), or :data:`UPRIGHT`."""
    if len(tiff) < 8 or tiff[:2] not in (b"II", b"MM"):
        return UPRIGHT
    order = "<" if tiff[:2] == b"II" else ">"
    (ifd,) = struct.unpack(order + "I", tiff[4:8])
    if ifd + 2 > len(tiff):
        return UPRIGHT
    (count,) = struct.unpack(order + "H", tiff[ifd : ifd + 2])
    for k in range(count):
        entry = ifd + 2 + 12 * k
        if entry + 12 > len(tiff):
            break
        tag, kind, _ = struct.unpack(order + "HHI", tiff[entry : entry + 8])
        if tag == 0x0112 and kind == 3:  # SHORT
            (value,) = struct.unpack(order + "H", tiff[entry + 8 : entry + 10])
            return value if 1 <= value <= 8 else UPRIGHT
    return UPRIGHT


def exif_orientation(data: bytes) -> int:
    """The EXIF orientation (1-8) of JPEG ``data``; :data:`UPRIGHT` when it has none, is not a JPEG or the
    tag cannot be read. Only the headers are parsed (the scan is never decoded)."""
    if data[:2] != b"\xff\xd8":
        return UPRIGHT
    i = 2
    while i + 4 <= len(data) and data[i] == 0xFF:
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker in (0xD9, 0xDA):  # end of image, start of scan: no more headers
            break
        (length,) = struct.unpack(">H", data[i + 2 : i + 4])
        if marker == 0xE1 and data[i + 4 : i + 10] == b"Exif\x00\x00":
            return _tiff_orientation(data[i + 10 : i + 2 + length])
        i += 2 + length
    return UPRIGHT


def stored_box_to_upright(box: Box, orientation: int, width: int, height: int) -> Box:
    """``box`` in the stored pixels of an image ``width`` x ``height`` (as stored), in the pixels of the
    same image shown upright, as OpenCV decodes it. Right/bottom edges stay exclusive."""
    x1, y1, x2, y2, w, h = box.x1, box.y1, box.x2, box.y2, width, height
    corners = {
        2: (w - x2, y1, w - x1, y2),  # mirrored
        3: (w - x2, h - y2, w - x1, h - y1),  # turned 180 degrees
        4: (x1, h - y2, x2, h - y1),  # upside down
        5: (y1, x1, y2, x2),  # transposed
        6: (h - y2, x1, h - y1, x2),  # shown turned 90 degrees clockwise
        7: (h - y2, w - x2, h - y1, w - x1),  # transversed
        8: (y1, w - x2, y2, w - x1),  # shown turned 90 degrees counter-clockwise
    }
    return Box(*corners[orientation]) if orientation in corners else box
