"""Latency histograms and the Prometheus text exposition format (no client library needed).

A :class:`Histogram` has fixed buckets, so memory stays constant however long the agent runs.
:class:`PrometheusText` writes counters, gauges and histograms in text format 0.0.4.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable

#: bucket upper bounds in seconds: from 0.5 ms (an OCR invoke) to 5 s (a stalled frame)
LATENCY_BUCKETS_S = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class Histogram:
    """Cumulative counts per bucket, sum and count; thread-safe ``observe``."""

    def __init__(self, buckets: Iterable[float] = LATENCY_BUCKETS_S) -> None:
        self.bounds = tuple(sorted(buckets))
        self._counts = [0] * (len(self.bounds) + 1)  # the last one is +Inf
        self._sum = 0.0
        self._lock = threading.Lock()

    def observe(self, value: float) -> None:
        index = len(self.bounds)
        for i, bound in enumerate(self.bounds):
            if value <= bound:
                index = i
                break
        with self._lock:
            self._counts[index] += 1
            self._sum += value

    def snapshot(self) -> tuple[list[tuple[float, int]], float, int]:
        """``([(upper bound, cumulative count), ...], sum, count)``; the last bound is +inf."""
        with self._lock:
            counts, total = list(self._counts), self._sum
        cumulative, running = [], 0
        for bound, count in zip((*self.bounds, math.inf), counts):
            running += count
            cumulative.append((bound, running))
        return cumulative, total, running

    @property
    def count(self) -> int:
        with self._lock:
            return sum(self._counts)


def _escape(value: object) -> str:
    return str(value).replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _labels(labels: dict[str, str] | None) -> str:
    if not labels:
        return ""
    return "{" + ",".join(f'{key}="{_escape(value)}"' for key, value in labels.items()) + "}"


def _number(value: float) -> str:
    if value == math.inf:
        return "+Inf"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int) or float(value).is_integer():
        return str(int(value))
    return repr(float(value))


class PrometheusText:
    """Builds one exposition: each metric family gets ``# HELP`` and ``# TYPE`` once."""

    def __init__(self, prefix: str = "anpr_") -> None:
        self.prefix = prefix
        self._lines: list[str] = []
        self._declared: set[str] = set()

    def _declare(self, name: str, kind: str, help_text: str) -> str:
        full = self.prefix + name
        if full not in self._declared:
            self._declared.add(full)
            self._lines += [f"# HELP {full} {help_text}", f"# TYPE {full} {kind}"]
        return full

    def counter(self, name: str, help_text: str, value: float, labels: dict | None = None) -> None:
        full = self._declare(name, "counter", help_text)
        self._lines.append(f"{full}{_labels(labels)} {_number(value)}")

    def gauge(self, name: str, help_text: str, value: float, labels: dict | None = None) -> None:
        full = self._declare(name, "gauge", help_text)
        self._lines.append(f"{full}{_labels(labels)} {_number(value)}")

    def histogram(self, name: str, help_text: str, histogram: Histogram, labels: dict | None = None) -> None:
        full = self._declare(name, "histogram", help_text)
        buckets, total, count = histogram.snapshot()
        for bound, cumulative in buckets:
            le = "+Inf" if bound == math.inf else repr(bound)
            self._lines.append(f"{full}_bucket{_labels({**(labels or {}), 'le': le})} {cumulative}")
        self._lines.append(f"{full}_sum{_labels(labels)} {_number(total)}")
        self._lines.append(f"{full}_count{_labels(labels)} {count}")

    def render(self) -> str:
        return "\n".join(self._lines) + "\n"
