"""Read filters from the config: size, scores, format patterns, allow/deny lists, zone."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from edge.config import FilterConfig
from edge.types import Box


class ReadFilter:
    def __init__(self, cfg: FilterConfig, plates_on_end: bool = False) -> None:
        """``plates_on_end``: plates may stand on end (the detector's sideways look is on), so a plate's
        width is its box's longer side."""
        self.cfg, self.plates_on_end = cfg, plates_on_end
        self.patterns = [re.compile(p) for p in cfg.patterns]
        self.labels = {k.plate: k.label for k in cfg.allow}
        self.deny = set(cfg.deny)
        self.zone = np.asarray(cfg.zone, np.float32) if cfg.zone else None

    def keep_detection(self, box: Box, score: float) -> bool:
        """Before OCR: plate wide enough (with ``plates_on_end``, its box's longer side), score high enough,
        centre inside the zone."""
        width = max(box.width, box.height) if self.plates_on_end else box.width
        if width < self.cfg.min_plate_width or score < self.cfg.min_detection_score:
            return False
        if self.zone is not None:
            import cv2

            centre = ((box.x1 + box.x2) / 2, (box.y1 + box.y2) / 2)
            return cv2.pointPolygonTest(self.zone.reshape(-1, 1, 2), centre, False) >= 0
        return True

    def keep_read(self, text: str, confidence: float, candidates: Sequence[str] = ()) -> bool:
        """After voting: confident enough, a plausible format, not denied, allowed if allow-only (its
        text, or with ``allow_candidates`` one of its ``candidates``, allow-listed)."""
        if len(text) < 2 or confidence < self.cfg.min_read_confidence or text in self.deny:
            return False
        if self.patterns and not any(p.fullmatch(text) for p in self.patterns):
            return False
        return not (self.cfg.allow_only and self.allowed(text, candidates) is None)

    def allowed(self, text: str, candidates: Sequence[str] = ()) -> str | None:
        """The allow-listed plate a read is: its text when listed, else (with ``allow_candidates``) its
        first listed candidate (they come likeliest first), else None."""
        if text in self.labels:
            return text
        if self.cfg.allow_candidates:
            return next((c for c in candidates if c in self.labels), None)
        return None

    def label(self, text: str, candidates: Sequence[str] = ()) -> str | None:
        """The allow list's label of the plate the read is (:meth:`allowed`), or None."""
        known = self.allowed(text, candidates)
        return None if known is None else self.labels[known]
