"""Plain value types passed between the stages of the edge runtime."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Box:
    """Axis-aligned box in pixels of a given image; right/bottom edges exclusive."""

    x1: float
    y1: float
    x2: float
    y2: float

    @property
    def width(self) -> float:
        return self.x2 - self.x1

    @property
    def height(self) -> float:
        return self.y2 - self.y1

    @property
    def area(self) -> float:
        return max(0.0, self.width) * max(0.0, self.height)

    def as_list(self) -> list[float]:
        return [self.x1, self.y1, self.x2, self.y2]

    def is_inside(self, width: int, height: int) -> bool:
        """True when the box is non-empty and lies within a ``width`` x ``height`` image."""
        return 0 <= self.x1 < self.x2 <= width and 0 <= self.y1 < self.y2 <= height

    def clipped(self, width: int, height: int) -> Box:
        """The part of the box inside a ``width`` x ``height`` image (empty when it lies wholly outside)."""
        return Box(
            min(max(self.x1, 0.0), width),
            min(max(self.y1, 0.0), height),
            min(max(self.x2, 0.0), width),
            min(max(self.y2, 0.0), height),
        )

    def iou(self, other: Box) -> float:
        """Intersection over union with ``other`` (0 when they do not overlap)."""
        iw = min(self.x2, other.x2) - max(self.x1, other.x1)
        ih = min(self.y2, other.y2) - max(self.y1, other.y1)
        if iw <= 0 or ih <= 0:
            return 0.0
        inter = iw * ih
        return inter / (self.area + other.area - inter)


@dataclass(frozen=True)
class Detection:
    """A plate found by the detector: its box in the original frame and a score in [0, 1]."""

    box: Box
    score: float
