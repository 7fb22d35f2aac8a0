"""``anpr soak`` on tiny models: 2 minutes in CI (the issue's short soak), 30 s elsewhere."""

from __future__ import annotations

import json
import os
import sys

import pytest

from edge.cli.main import main
from edge.soak import summarise

SOAK_SECONDS = float(os.environ.get("ANPR_SOAK_SECONDS", "120" if os.environ.get("CI") else "30"))


def test_summary_measures_growth_after_warmup():
    samples = [
        {"t": t, "rss_mb": rss, "frames_total": 25 * t, "frames_dropped_total": 0, "frames_skipped_total": 0}
        | {"reads_total": t // 6, "outbox_pending": 0}
        for t, rss in [(0, 50.0), (10, 120.0), (70, 121.0), (130, 122.0)]
    ]
    report = summarise(samples, warmup=10, seconds=130, exit_code=0)
    assert report["rss_mb_after_warmup"] == 120.0 and report["rss_growth_mb"] == 2.0
    assert report["rss_growth_mb_per_hour"] == 60.0 and report["rss_mb_peak"] == 122.0
    assert report["frames"] == 3250 and report["fps"] == 25.0


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_soak_runs_the_agent_and_reports(tiny_models, tmp_path, capsys):
    pytest.importorskip("fastapi")
    pytest.importorskip("PIL")
    from train.synth.clip import write_clip

    clip = tmp_path / "clip.mp4"
    write_clip(clip, frames=40, seed=8)
    out = tmp_path / "soak.json"
    args = ["soak", "--seconds", str(SOAK_SECONDS), "--interval", "2", "--source", str(clip)]
    assert main([*args, "--models", str(tiny_models), "--json", str(out), "--fps", "20"]) == 0
    report = json.loads(out.read_text())
    print(f"soak {SOAK_SECONDS:.0f} s: " + json.dumps({k: v for k, v in report.items() if k != "samples"}))
    assert report["agent_exit_code"] == 0 and report["frames"] > 10 * SOAK_SECONDS
    assert report["reads_unsent"] == 0 and len(report["samples"]) >= 3
    assert 0 < report["rss_mb_after_warmup"] <= report["rss_mb_peak"]
    # a leak of a frame per frame would show up here even in a short run (a 720p frame is 2.6 MB)
    assert report["rss_growth_mb"] < 50
