"""The plate detector on the device: letterbox the frame, run the model, decode centres, NMS.

The model is anchor-free (CenterNet-style) at one stride: a ``heatmap`` of plate centres
(sigmoid), an ``offset`` of the centre inside its cell (sigmoid, in cells) and a ``size``
(log of width and height in cells). Decoding and NMS run here in numpy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from edge.boxes import nms
from edge.metadata import InputSpec
from edge.preprocess import prepare_detector_input
from edge.types import Box, Detection


@dataclass(frozen=True)
class DecodeParams:
    """Thresholds chosen on validation and stored in the model card."""

    stride: int = 4
    score_threshold: float = 0.35
    nms_iou: float = 0.45
    max_detections: int = 20


def local_maxima(heat: np.ndarray) -> np.ndarray:
    """Boolean mask of cells that are the maximum of their 3x3 neighbourhood."""
    padded = np.pad(heat, 1, constant_values=-np.inf)
    h, w = heat.shape
    neighbourhood = np.max(np.stack([padded[dy : dy + h, dx : dx + w] for dy in range(3) for dx in range(3)]), axis=0)
    return heat >= neighbourhood


def decode(
    heatmap: np.ndarray, offset: np.ndarray, size: np.ndarray, params: DecodeParams
) -> tuple[np.ndarray, np.ndarray]:
    """Boxes (N, 4) in model-input pixels and their scores, after NMS."""
    heat = heatmap[..., 0] if heatmap.ndim == 3 else heatmap
    peaks = local_maxima(heat) & (heat >= params.score_threshold)
    ys, xs = np.nonzero(peaks)
    if ys.size == 0:
        return np.zeros((0, 4), np.float32), np.zeros((0,), np.float32)
    scores = heat[ys, xs]
    cx = (xs + offset[ys, xs, 0]) * params.stride
    cy = (ys + offset[ys, xs, 1]) * params.stride
    w = np.exp(np.clip(size[ys, xs, 0], -4, 6)) * params.stride
    h = np.exp(np.clip(size[ys, xs, 1], -4, 6)) * params.stride
    boxes = np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=1).astype(np.float32)
    keep = nms(boxes, scores, params.nms_iou, params.max_detections)
    return boxes[keep], scores[keep].astype(np.float32)


class PlateDetector:
    """Finds plates in a BGR frame; boxes come back in frame pixels, clipped to the frame."""

    def __init__(self, runner, spec: InputSpec, params: DecodeParams) -> None:
        self.runner, self.spec, self.params = runner, spec, params

    def detect(self, frame_bgr: np.ndarray) -> list[Detection]:
        pixels, transform = prepare_detector_input(frame_bgr, self.spec)
        out = self.runner.run(pixels)
        boxes, scores = decode(out["heatmap"], out["offset"], out["size"], self.params)
        boxes = transform.to_frame(boxes)
        h, w = frame_bgr.shape[:2]
        boxes[:, [0, 2]] = boxes[:, [0, 2]].clip(0, w)
        boxes[:, [1, 3]] = boxes[:, [1, 3]].clip(0, h)
        return [Detection(Box(*map(float, b)), float(s)) for b, s in zip(boxes, scores) if b[2] > b[0] and b[3] > b[1]]
