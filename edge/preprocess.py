"""The one preprocessing module: training, calibration, evaluation and the device all call it.

Images are BGR ``uint8`` arrays (OpenCV's order) everywhere outside a model. These functions
turn a frame or a plate box into the model's input tensor as described by an
:class:`~edge.metadata.InputSpec`, and map model coordinates back to the frame.
Only numpy and OpenCV are used.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from edge.metadata import InputSpec, ReadCrop
from edge.types import Box


@dataclass(frozen=True)
class Letterbox:
    """How a frame was scaled and padded into a model input (to undo it on boxes)."""

    scale_x: float
    scale_y: float
    pad_x: float
    pad_y: float

    def to_frame(self, boxes: np.ndarray) -> np.ndarray:
        """Map ``(N, 4)`` boxes ``x1,y1,x2,y2`` from model input pixels back to frame pixels."""
        boxes = np.asarray(boxes, dtype=np.float32).reshape(-1, 4).copy()
        boxes[:, [0, 2]] = (boxes[:, [0, 2]] - self.pad_x) / self.scale_x
        boxes[:, [1, 3]] = (boxes[:, [1, 3]] - self.pad_y) / self.scale_y
        return boxes

    def to_input(self, boxes: np.ndarray) -> np.ndarray:
        """Map ``(N, 4)`` boxes from frame pixels to model input pixels."""
        boxes = np.asarray(boxes, dtype=np.float32).reshape(-1, 4).copy()
        boxes[:, [0, 2]] = boxes[:, [0, 2]] * self.scale_x + self.pad_x
        boxes[:, [1, 3]] = boxes[:, [1, 3]] * self.scale_y + self.pad_y
        return boxes


def convert_colour(image_bgr: np.ndarray, colour: str) -> np.ndarray:
    """Convert a BGR (or single-channel) image to ``colour``; grey keeps a trailing channel axis."""
    import cv2

    if image_bgr.ndim == 2:
        image_bgr = image_bgr[:, :, None]
    if image_bgr.shape[2] == 1:
        if colour == "grey":
            return image_bgr
        return np.repeat(image_bgr, 3, axis=2)
    if colour == "grey":
        return cv2.cvtColor(image_bgr, cv2.COLOR_BGR2GRAY)[:, :, None]
    if colour == "rgb":
        return image_bgr[:, :, ::-1]
    return image_bgr


def resize_to(image: np.ndarray, height: int, width: int) -> np.ndarray:
    """Resize to exactly ``height`` x ``width`` (area filter when shrinking, linear otherwise)."""
    import cv2

    h, w = image.shape[:2]
    interpolation = cv2.INTER_AREA if (h > height or w > width) else cv2.INTER_LINEAR
    out = cv2.resize(image, (width, height), interpolation=interpolation)
    if out.ndim == 2 and image.ndim == 3:
        out = out[:, :, None]
    return out


def letterbox(image: np.ndarray, height: int, width: int, pad_value: int = 114) -> tuple[np.ndarray, Letterbox]:
    """Scale ``image`` to fit ``height`` x ``width`` keeping its aspect ratio, pad the rest, centred."""
    h, w = image.shape[:2]
    scale = min(width / w, height / h)
    new_w, new_h = max(1, round(w * scale)), max(1, round(h * scale))
    resized = resize_to(image, new_h, new_w)
    channels = 1 if image.ndim == 2 else image.shape[2]
    out = np.full((height, width, channels), pad_value, dtype=image.dtype)
    pad_x, pad_y = (width - new_w) // 2, (height - new_h) // 2
    out[pad_y : pad_y + new_h, pad_x : pad_x + new_w] = resized.reshape(new_h, new_w, channels)
    return out, Letterbox(new_w / w, new_h / h, float(pad_x), float(pad_y))


def expand_box(box: Box, margin_x: float, margin_y: float) -> Box:
    """Grow ``box`` by a fraction of its width on the left and right, and of its height above and below."""
    dx, dy = box.width * margin_x, box.height * margin_y
    return Box(box.x1 - dx, box.y1 - dy, box.x2 + dx, box.y2 + dy)


def crop_box(image: np.ndarray, box: Box) -> np.ndarray:
    """Cut ``box`` out of ``image``; parts outside the image are filled by replicating the border."""
    import cv2

    h, w = image.shape[:2]
    x1, y1 = int(np.floor(box.x1)), int(np.floor(box.y1))
    x2, y2 = max(x1 + 1, int(np.ceil(box.x2))), max(y1 + 1, int(np.ceil(box.y2)))
    left, top = max(0, -x1), max(0, -y1)
    right, bottom = max(0, x2 - w), max(0, y2 - h)
    inner = image[max(0, y1) : min(h, y2), max(0, x1) : min(w, x2)]
    if inner.size == 0:
        raise ValueError(f"box {box} does not overlap the {w}x{h} image")
    if left or top or right or bottom:
        inner = cv2.copyMakeBorder(inner, top, bottom, left, right, cv2.BORDER_REPLICATE)
    return inner


def crop_plate(image: np.ndarray, box: Box | None, spec: InputSpec) -> np.ndarray:
    """The plate crop handed to the OCR: ``box`` grown by the spec's margins, cut out of ``image``.

    ``box=None`` means the whole image already is the plate (a crop dataset row) and is
    returned unchanged.
    """
    if box is None:
        return image
    return crop_box(image, expand_box(box, spec.margin_x, spec.margin_y))


def fit_to_spec(image_bgr: np.ndarray, spec: InputSpec) -> tuple[np.ndarray, Letterbox]:
    """Resize (stretch or letterbox) and colour-convert an image to the spec's ``uint8`` input."""
    h, w = image_bgr.shape[:2]
    if spec.resize == "letterbox":
        fitted, info = letterbox(image_bgr, spec.height, spec.width, spec.pad_value)
    else:
        fitted = resize_to(image_bgr, spec.height, spec.width)
        info = Letterbox(spec.width / w, spec.height / h, 0.0, 0.0)
    return np.ascontiguousarray(convert_colour(fitted, spec.colour)), info


def prepare_ocr_input(image_bgr: np.ndarray, box: Box | None, spec: InputSpec) -> np.ndarray:
    """Frame (or crop) plus plate box -> the OCR's ``uint8`` input of shape ``spec.shape``."""
    fitted, _ = fit_to_spec(crop_plate(image_bgr, box, spec), spec)
    return fitted


def read_crop_box(image_bgr: np.ndarray, box: Box | None, spec: InputSpec, crop: ReadCrop) -> Box:
    """The region ``crop`` cuts for the OCR: ``box`` (the whole image when None) grown by the spec's
    margins, then each side moved by the crop's fractions."""
    h, w = image_bgr.shape[:2]
    grown = Box(0.0, 0.0, float(w), float(h)) if box is None else expand_box(box, spec.margin_x, spec.margin_y)
    bw, bh = grown.width, grown.height
    return Box(
        grown.x1 - crop.left * bw,
        grown.y1 - crop.top * bh,
        grown.x2 + crop.right * bw,
        grown.y2 + crop.bottom * bh,
    )


def prepare_ocr_crop(image_bgr: np.ndarray, box: Box | None, spec: InputSpec, crop: ReadCrop) -> np.ndarray:
    """The OCR's ``uint8`` input for one crop of :func:`read_crop_box`; a crop that moves no side gives
    exactly :func:`prepare_ocr_input`'s input."""
    return fit_to_spec(crop_box(image_bgr, read_crop_box(image_bgr, box, spec, crop)), spec)[0]


def prepare_detector_input(frame_bgr: np.ndarray, spec: InputSpec) -> tuple[np.ndarray, Letterbox]:
    """Full frame -> the detector's ``uint8`` input and the transform to map boxes back."""
    return fit_to_spec(frame_bgr, spec)


def normalise(image_uint8: np.ndarray) -> np.ndarray:
    """``uint8`` pixels -> ``float32`` in [0, 1]: the float models' input range (int8 models take uint8)."""
    return image_uint8.astype(np.float32) * np.float32(1.0 / 255.0)
