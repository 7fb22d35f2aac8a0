"""``anpr soak``: run the real agent on a looping clip for a while and report memory growth and drops.

The agent runs as a child process (``anpr run --loop --http``); every few seconds the soak reads
its resident memory from ``/proc`` and its counters from ``/metrics``. Growth is measured from
the end of a warm-up to the end, so one-off allocations (models, caches) do not count.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from edge.errors import AnprError

log = logging.getLogger(__name__)
COUNTERS = ("frames_total", "frames_dropped_total", "frames_skipped_total", "reads_total", "outbox_pending")


def register(subparsers: argparse._SubParsersAction) -> None:
    soak = subparsers.add_parser("soak", help="run the agent on a looping clip and report RSS growth and drops")
    soak.add_argument("--seconds", type=float, default=3600.0, help="how long to run (default 3600)")
    soak.add_argument("--source", default="demo/sample.mp4", help="clip or image folder to loop")
    soak.add_argument("--models", type=Path, default=Path("models"), help="model folder")
    soak.add_argument("--fps", type=float, default=25.0, help="replay rate (default 25, a camera's)")
    soak.add_argument("--interval", type=float, default=5.0, help="seconds between samples")
    soak.add_argument("--warmup", type=float, help="seconds before growth is measured (default 10%%, at least 10)")
    soak.add_argument("--json", type=Path, help="write the report here")
    soak.set_defaults(handler=_soak)


def rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` in MiB (Linux ``/proc``)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError as exc:
        raise AnprError(f"cannot read the memory of process {pid}: {exc.strerror}") from None
    found = re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)
    if not found:
        raise AnprError(f"/proc/{pid}/status has no VmRSS line")
    return int(found.group(1)) / 1024


def scrape(url: str) -> dict[str, float]:
    """The soak's counters from a Prometheus text page."""
    with urllib.request.urlopen(f"{url}/metrics", timeout=10) as response:
        text = response.read().decode()
    values = {}
    for name in COUNTERS:
        found = re.search(rf"^anpr_{name} ([0-9.e+]+)$", text, re.M)
        values[name] = float(found.group(1)) if found else 0.0
    return values


def _wait_for_url(log_path: Path, process: subprocess.Popen, timeout: float = 120.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = re.search(r"HTTP API on (http://\S+)", log_path.read_text())
        if found:
            return found.group(1)
        if process.poll() is not None:
            raise AnprError(f"the agent exited with {process.returncode}: {log_path.read_text()[-2000:]}")
        time.sleep(0.2)
    raise AnprError("the agent did not start its HTTP API in time")


def summarise(samples: list[dict], warmup: float, seconds: float, exit_code: int) -> dict:
    """Growth from the first sample at or after ``warmup`` to the last one, and the final counters."""
    after = [s for s in samples if s["t"] >= warmup] or samples[-1:]
    first, last = after[0], samples[-1]
    span = max(1e-9, last["t"] - first["t"])
    growth = last["rss_mb"] - first["rss_mb"]
    return {
        "seconds": round(seconds, 1),
        "warmup_s": warmup,
        "rss_mb_after_warmup": round(first["rss_mb"], 2),
        "rss_mb_end": round(last["rss_mb"], 2),
        "rss_mb_peak": round(max(s["rss_mb"] for s in samples), 2),
        "rss_growth_mb": round(growth, 2),
        "rss_growth_mb_per_hour": round(growth / span * 3600, 2) if span >= 60 else None,
        "frames": int(last["frames_total"]),
        "frames_dropped": int(last["frames_dropped_total"]),
        "frames_skipped": int(last["frames_skipped_total"]),
        "fps": round(last["frames_total"] / max(1e-9, last["t"]), 2),
        "reads": int(last["reads_total"]),
        "reads_unsent": int(last["outbox_pending"]),
        "agent_exit_code": exit_code,
        "samples": samples,
    }


def run_soak(args: argparse.Namespace) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix="anpr-soak-"))
    config = workdir / "agent.yaml"
    # every pass of the clip is new traffic: publish each plate again (no dedup), as a busy gate would
    config.write_text("tracker: {dedup_seconds: 0}\n")
    log_path = workdir / "agent.log"
    command = [sys.executable, "-m", "edge.cli.main", "run", "--config", str(config), "--source", args.source]
    command += ["--loop", "--fps", str(args.fps), "--models", str(args.models), "--state-dir", str(workdir / "state")]
    command += ["--http", "127.0.0.1:0"]
    warmup = args.warmup if args.warmup is not None else max(10.0, 0.1 * args.seconds)
    with log_path.open("w") as sink:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=sink)
    samples: list[dict] = []
    try:
        url = _wait_for_url(log_path, process)
        started = time.monotonic()
        log.info("soak: agent pid %d on %s for %.0f s (log %s)", process.pid, url, args.seconds, log_path)
        while True:
            elapsed = time.monotonic() - started
            samples.append({"t": round(elapsed, 1), "rss_mb": round(rss_mb(process.pid), 2), **scrape(url)})
            if elapsed >= args.seconds:
                break
            if process.poll() is not None:
                raise AnprError(f"the agent died during the soak: {log_path.read_text()[-2000:]}")
            time.sleep(min(args.interval, max(0.0, args.seconds - elapsed)))
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    report = summarise(samples, warmup, time.monotonic() - started, process.returncode)
    if process.returncode == 0:
        shutil.rmtree(workdir, ignore_errors=True)
    else:
        log.error("the agent exited with %d; its log is kept in %s", process.returncode, log_path)
    return report


def _soak(args: argparse.Namespace) -> int:
    report = run_soak(args)
    summary = {k: v for k, v in report.items() if k != "samples"}
    print(json.dumps(summary, indent=1))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=1))
    return 0 if report["agent_exit_code"] == 0 else 1
