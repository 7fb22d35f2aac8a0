"""Health reasons and the Prometheus text format, on fakes of the agent's parts."""

from __future__ import annotations

from types import SimpleNamespace

from edge.config import HealthConfig
from edge.health import agent_health, agent_metrics
from edge.metrics import Histogram, PrometheusText
from edge.pipeline import Stats


def test_histogram_buckets_are_cumulative_with_inf():
    h = Histogram([0.01, 0.1])
    for v in (0.005, 0.01, 0.05, 3.0):
        h.observe(v)
    buckets, total, count = h.snapshot()
    assert buckets == [(0.01, 2), (0.1, 3), (float("inf"), 4)] and count == 4 and abs(total - 3.065) < 1e-9


def test_prometheus_text_exact():
    text = PrometheusText()
    text.counter("reads_total", "Reads.", 3)
    text.counter("reads_total", "Reads.", 4, {"source": 'cam "1"\n'})
    text.gauge("ratio", "A ratio.", 0.5)
    h = Histogram([1.0])
    h.observe(0.5)
    text.histogram("lat_seconds", "Latency.", h, {"stage": "ocr"})
    assert text.render() == (
        "# HELP anpr_reads_total Reads.\n# TYPE anpr_reads_total counter\nanpr_reads_total 3\n"
        'anpr_reads_total{source="cam \\"1\\"\\n"} 4\n'
        "# HELP anpr_ratio A ratio.\n# TYPE anpr_ratio gauge\nanpr_ratio 0.5\n"
        "# HELP anpr_lat_seconds Latency.\n# TYPE anpr_lat_seconds histogram\n"
        'anpr_lat_seconds_bucket{stage="ocr",le="1.0"} 1\nanpr_lat_seconds_bucket{stage="ocr",le="+Inf"} 1\n'
        'anpr_lat_seconds_sum{stage="ocr"} 0.5\nanpr_lat_seconds_count{stage="ocr"} 1\n'
    )


class FakeOutbox:
    def __init__(self, size):
        self._size = size

    def size(self):
        return self._size

    def dropped(self):
        return 2


def _agent(live=False, reconnecting=False, connected=True, backlog=0, last_frame_at=None, error=None):
    stats = Stats(frames=10, reads=3, detections=4, still_frames=6)
    stats.started_at, stats.last_frame_at = 100.0, last_frame_at
    source = SimpleNamespace(name="rtsp://cam", live=live, reconnecting=reconnecting, skipped=1)
    publisher = SimpleNamespace(connected=connected, last_error=None)
    return SimpleNamespace(
        source=source,
        stats=stats,
        publisher=publisher,
        outbox=FakeOutbox(backlog),
        capture_error=error,
        frames_dropped=5,
        detector=SimpleNamespace(second_looks=9),
    )


def test_health_reasons():
    cfg = HealthConfig(outbox_backlog=10, stall_seconds=5)
    ok = agent_health(_agent(live=True, last_frame_at=103.0), cfg, now=104.0)
    assert ok["status"] == "ok" and ok["reasons"] == [] and ok["frames_dropped"] == 5 and ok["uptime_s"] == 4.0
    assert "camera down" in agent_health(_agent(live=True, reconnecting=True), cfg, now=101)["reasons"][0]
    assert "camera stalled" in agent_health(_agent(live=True, last_frame_at=100.0), cfg, now=110)["reasons"][0]
    assert agent_health(_agent(live=False, last_frame_at=100.0), cfg, now=110)["status"] == "ok"  # a file may pause
    report = agent_health(_agent(connected=False, backlog=11, error=OSError("gone")), cfg, now=101)
    assert report["status"] == "degraded" and len(report["reasons"]) == 3
    assert [r.split(":")[0] for r in report["reasons"]] == ["source failed", "broker down", "outbox backlog"]


def test_agent_metrics_names():
    agent = _agent(connected=False, backlog=7)
    agent.stats.latency["detect"].observe(0.002)
    text = PrometheusText()
    agent_metrics(agent, text)
    rendered = text.render()
    for line in (
        "anpr_frames_total 10",
        "anpr_frames_dropped_total 5",
        "anpr_frames_skipped_total 1",
        "anpr_frames_still_total 6",
        "anpr_second_looks_total 9",
        "anpr_reads_total 3",
        "anpr_outbox_pending 7",
        "anpr_outbox_dropped_total 2",
        "anpr_broker_connected 0",
        'anpr_stage_latency_seconds_count{stage="detect"} 1',
        'anpr_stage_latency_seconds_count{stage="frame"} 0',
    ):
        assert line in rendered.splitlines(), line
