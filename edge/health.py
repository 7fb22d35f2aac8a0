"""What ``/healthz`` and ``/metrics`` report about a running agent.

Health is ``ok`` or ``degraded`` with one plain reason per problem: the camera is reconnecting
or stalled, the source failed, the broker is unreachable, the outbox holds a backlog.
"""

from __future__ import annotations

import time

from edge.config import HealthConfig
from edge.metrics import PrometheusText


def agent_health(agent, cfg: HealthConfig, now: float | None = None) -> dict:
    """The agent's health: ``{"status": "ok"|"degraded", "reasons": [...], ...figures}``."""
    now = time.monotonic() if now is None else now
    reasons = []
    source, stats = agent.source, agent.stats
    if getattr(source, "reconnecting", False):
        reasons.append(f"camera down: {source.name} is reconnecting")
    elif source.live:
        last = stats.last_frame_at if stats.last_frame_at is not None else stats.started_at
        if now - last > cfg.stall_seconds:
            reasons.append(f"camera stalled: no frame from {source.name} for {now - last:.0f} s")
    if agent.capture_error is not None:
        reasons.append(f"source failed: {agent.capture_error}")
    publisher = agent.publisher
    connected = bool(getattr(publisher, "connected", True))
    if not connected:
        error = getattr(publisher, "last_error", None)
        reasons.append(f"broker down: {error}" if error else "broker down: not connected, reads are queued")
    backlog = agent.outbox.size()
    if backlog > cfg.outbox_backlog:
        reasons.append(f"outbox backlog: {backlog} unsent reads (threshold {cfg.outbox_backlog})")
    return {
        "status": "degraded" if reasons else "ok",
        "reasons": reasons,
        "frames": stats.frames,
        "frames_dropped": agent.frames_dropped,
        "frames_skipped": getattr(source, "skipped", 0),
        "frames_still": stats.still_frames,
        "reads": stats.reads,
        "outbox_pending": backlog,
        "broker_connected": connected,
        "uptime_s": round(now - stats.started_at, 1),
    }


def agent_metrics(agent, text: PrometheusText) -> None:
    """Add the agent's counters, gauges and per-stage latency histograms to ``text``."""
    stats, source = agent.stats, agent.source
    text.counter("frames_total", "Frames processed by the worker.", stats.frames)
    text.counter("frames_dropped_total", "Frames dropped because the worker was behind.", agent.frames_dropped)
    text.counter("frames_skipped_total", "Unreadable frames skipped by the source.", getattr(source, "skipped", 0))
    text.counter("frames_still_total", "Frames the motion gate passed over (detector not run).", stats.still_frames)
    text.counter(
        "second_looks_total",
        "Extra detector runs for second looks at unsure plate candidates.",
        getattr(agent.detector, "second_looks", 0),
    )
    text.counter("detections_total", "Plate detections kept by the filters.", stats.detections)
    text.counter("reads_total", "Plate reads emitted (stored in the outbox).", stats.reads)
    text.gauge("outbox_pending", "Reads stored but not yet acknowledged by the sink.", agent.outbox.size())
    text.counter("outbox_dropped_total", "Reads dropped because the outbox was full.", agent.outbox.dropped())
    text.gauge("broker_connected", "1 when the MQTT sink is connected.", int(getattr(agent.publisher, "connected", 1)))
    text.gauge(
        "source_up", "1 unless the live source is reconnecting.", int(not getattr(source, "reconnecting", False))
    )
    for stage, histogram in stats.latency.items():
        text.histogram(
            "stage_latency_seconds", "Time per pipeline stage (frame = whole frame).", histogram, {"stage": stage}
        )
