"""``anpr serve`` and ``anpr run --http`` as real processes on tiny exported models."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import cv2
import numpy as np
import pytest

from tests.edge.broker import Mosquitto, free_port, require_mosquitto

pytest.importorskip("fastapi")
pytest.importorskip("uvicorn")


def _request(url: str, data: bytes | None = None, token: str | None = None, content_type: str = "image/jpeg"):
    headers = {"Content-Type": content_type} if data is not None else {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=data, headers=headers, method="POST" if data is not None else "GET")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _wait_for_url(log: Path, pattern: str, process: subprocess.Popen, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = re.search(pattern, log.read_text() if log.exists() else "")
        if found:
            return found.group(1)
        if process.poll() is not None:
            raise AssertionError(f"exited {process.returncode}: {log.read_text()}")
        time.sleep(0.1)
    raise AssertionError(f"no URL in the log: {log.read_text()}")


def _poll(url: str, predicate, timeout: float = 60):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = _request(url)
        if predicate(*last):
            return last
        time.sleep(0.3)
    raise AssertionError(f"{url}: last answer {last}")


def test_serve_recognizes_uploads_with_a_token(tiny_models, tmp_path):
    log = tmp_path / "serve.log"
    env = {**os.environ, "ANPR_TEST_TOKEN": "t0ken-for-tests"}
    command = [sys.executable, "-m", "edge.cli.main", "serve", "--models", str(tiny_models), "--port", "0"]
    command += ["--state-dir", str(tmp_path / "state"), "--token-env", "ANPR_TEST_TOKEN"]
    with log.open("w") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT, env=env)
    try:
        url = _wait_for_url(log, r"serving (http://\S+)", process)
        image = cv2.imencode(".jpg", np.random.default_rng(0).integers(0, 255, (360, 640, 3), np.uint8))[1]
        status, body = _request(f"{url}/v1/recognize", image.tobytes(), token="t0ken-for-tests")
        result = json.loads(body)
        assert status == 200 and result["width"] == 640 and isinstance(result["results"], list)
        assert result["model"]["precision"] == "int8"
        assert _request(f"{url}/v1/recognize", image.tobytes())[0] == 401
        status, body = _request(f"{url}/v1/recognize", b"\x89PNG broken", token="t0ken-for-tests")
        assert status == 400 and "not a readable image" in json.loads(body)["error"]
        assert _request(f"{url}/healthz")[0] == 200
        assert "t0ken-for-tests" not in log.read_text()
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)
    assert process.returncode == 0, log.read_text()


def test_run_http_health_follows_the_broker(tiny_models, tmp_path):
    """Broker down at start: the agent keeps going (frames count up) and says degraded; broker up: ok."""
    require_mosquitto()
    pytest.importorskip("PIL")
    from train.synth.clip import write_clip

    clip = tmp_path / "clip.mp4"
    write_clip(clip, frames=30, seed=4)
    port = free_port()
    log = tmp_path / "run.log"
    command = [sys.executable, "-m", "edge.cli.main", "run", "--source", str(clip), "--loop", "--fps", "15"]
    command += ["--models", str(tiny_models), "--state-dir", str(tmp_path / "state"), "--http", "127.0.0.1:0"]
    command += ["--mqtt-host", "127.0.0.1", "--mqtt-port", str(port)]
    with log.open("w") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT)
    broker = Mosquitto(tmp_path, port=port)
    try:
        url = _wait_for_url(log, r"HTTP API on (http://\S+)", process)
        _, body = _poll(f"{url}/healthz", lambda s, b: s == 503 and json.loads(b)["frames"] > 5)
        assert any(r.startswith("broker down") for r in json.loads(body)["reasons"])
        broker.start()
        _status, body = _poll(f"{url}/healthz", lambda s, b: s == 200)
        report = json.loads(body)
        assert report["broker_connected"] and report["frames"] > 5
        _, metrics = _request(f"{url}/metrics")
        text = metrics.decode()
        assert "anpr_broker_connected 1" in text and 'anpr_stage_latency_seconds_count{stage="detect"}' in text
        frames = int(re.search(r"^anpr_frames_total (\d+)$", text, re.M).group(1))
        assert frames > 5
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
        broker.stop()
    assert process.returncode == 0, log.read_text()
