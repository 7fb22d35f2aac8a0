"""Read the plates of one still image (the HTTP API's ``POST /v1/recognize``).

No tracking or voting: each detection kept by the filters is read once and returned with its
detection score and read confidence, so the caller decides what to trust.
"""

from __future__ import annotations

import threading
import time

import numpy as np

from edge.filters import ReadFilter


class StillRecognizer:
    """Detector + reader for single images; serialises calls (an interpreter is not re-entrant)."""

    def __init__(self, detector, recognizer, read_filter: ReadFilter, versions: dict) -> None:
        self.detector, self.recognizer, self.filter, self.versions = detector, recognizer, read_filter, versions
        self._lock = threading.Lock()

    def recognize(self, image_bgr: np.ndarray) -> dict:
        """``{"results": [...], "width", "height", "ms", "model"}``; results sorted by box left edge."""
        started = time.perf_counter()
        results = []
        with self._lock:
            for det in self.detector.detect(image_bgr):
                if not self.filter.keep_detection(det.box, det.score):
                    continue
                decoded = self.recognizer.read(image_bgr, det.box)
                if not decoded.text:
                    continue
                results.append(
                    {
                        "plate": decoded.text,
                        "confidence": round(decoded.confidence, 4),
                        "char_confidences": [round(c, 4) for c in decoded.char_confidences],
                        "box": [round(v, 1) for v in det.box.as_list()],
                        "detection_score": round(float(det.score), 4),
                        "label": self.filter.label(decoded.text, [t for t, _ in decoded.candidates]),
                    }
                )
                if decoded.candidates:
                    results[-1]["candidates"] = [
                        {"plate": t, "probability": round(p, 4)} for t, p in decoded.candidates
                    ]
        results.sort(key=lambda r: r["box"][0])
        height, width = image_bgr.shape[:2]
        return {
            "results": results,
            "width": int(width),
            "height": int(height),
            "ms": round((time.perf_counter() - started) * 1000, 2),
            "model": self.versions,
        }
