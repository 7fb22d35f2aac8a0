"""The HTTP API in process (FastAPI's TestClient), fakes only at the model boundary."""

from __future__ import annotations

import struct
import zlib

import cv2
import numpy as np
import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")
from fastapi.testclient import TestClient

from edge.api.app import ApiSettings, create_app
from edge.config import FilterConfig
from edge.ctc import DecodedText
from edge.filters import ReadFilter
from edge.outbox import Outbox
from edge.still import StillRecognizer
from edge.types import Box, Detection

TOKEN = "s3cret-token"


class OnePlateDetector:
    def detect(self, image):
        return [Detection(Box(10, 20, 110, 50), 0.8), Detection(Box(0, 0, 5, 5), 0.9)]  # the second is too narrow


class FixedReader:
    def read(self, image, box):
        return DecodedText("AB123CD", (0.9, 0.95, 0.9, 0.99, 0.9, 0.9, 0.97), (("AB123CD", 0.61234), ("A8123CD", 0.2)))


def _jpeg(width=200, height=100) -> bytes:
    return cv2.imencode(".jpg", np.full((height, width, 3), 127, np.uint8))[1].tobytes()


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares a huge size (a decompression bomb's header) and holds almost nothing."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + chunk + struct.pack(">I", zlib.crc32(chunk))


@pytest.fixture
def outbox(tmp_path):
    box = Outbox(tmp_path / "state")
    for i, ts in enumerate(["2026-11-23T10:00:00.000Z", "2026-11-23T11:00:00.000Z", "2026-11-23T12:00:00.000Z"]):
        box.put({"id": f"r{i}", "plate": f"PLATE{i}", "ts": ts})
    return box


def _client(outbox, token=None, health=None, max_upload_bytes=1 << 20) -> TestClient:
    still = StillRecognizer(OnePlateDetector(), FixedReader(), ReadFilter(FilterConfig()), {"ocr": "fake"})
    settings = ApiSettings(
        still=still,
        outbox=outbox,
        token=token,
        max_upload_bytes=max_upload_bytes,
        health=health or (lambda: {"status": "ok", "reasons": []}),
        versions={"ocr": "fake"},
    )
    return TestClient(create_app(settings))


def test_recognize_raw_and_multipart(outbox):
    client = _client(outbox)
    for response in (
        client.post("/v1/recognize", content=_jpeg(), headers={"Content-Type": "image/jpeg"}),
        client.post("/v1/recognize", files={"upload": ("car.jpg", _jpeg(), "image/jpeg")}),
        client.post("/v1/recognize", files={"image": ("car.jpg", _jpeg(), "image/jpeg")}),
    ):
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["width"] == 200 and body["height"] == 100 and body["ms"] >= 0
        (result,) = body["results"]
        assert result["plate"] == "AB123CD" and result["box"] == [10.0, 20.0, 110.0, 50.0]
        assert result["confidence"] == 0.9 and result["detection_score"] == 0.8
        assert len(result["char_confidences"]) == 7
        assert result["candidates"] == [
            {"plate": "AB123CD", "probability": 0.6123},
            {"plate": "A8123CD", "probability": 0.2},
        ]


@pytest.mark.parametrize(
    "kwargs, status, fragment",
    [
        ({"content": b"not an image at all"}, 400, "not a readable image"),
        ({"content": _jpeg()[:200]}, 400, "upload"),
        ({"content": b""}, 400, "empty upload"),
        ({"content": _png_header_only(100000, 100000)}, 400, "pixel limit"),
        ({"files": {"other": ("x.jpg", b"abc", "image/jpeg")}}, 400, "no file field"),
        ({"content": b"--x\r\njunk", "headers": {"Content-Type": "multipart/form-data; boundary=x"}}, 400, ""),
        ({"content": b"\xff" * ((1 << 20) + 1)}, 413, "byte limit"),
    ],
)
def test_bad_uploads_are_json_errors(outbox, kwargs, status, fragment):
    response = _client(outbox).post("/v1/recognize", **kwargs)
    assert response.status_code == status
    assert fragment in response.json()["error"]


def test_reads_since_and_validation(outbox):
    client = _client(outbox)
    assert [r["id"] for r in client.get("/v1/reads").json()["reads"]] == ["r0", "r1", "r2"]
    later = client.get("/v1/reads", params={"since": "2026-11-23T11:30:00+01:00"}).json()  # = 10:30Z
    assert [r["id"] for r in later["reads"]] == ["r1", "r2"] and later["count"] == 2
    assert [r["id"] for r in client.get("/v1/reads", params={"limit": 1}).json()["reads"]] == ["r0"]
    assert "ISO 8601" in client.get("/v1/reads", params={"since": "yesterday"}).json()["error"]
    assert client.get("/v1/reads", params={"limit": "many"}).status_code == 400
    assert client.get("/v1/reads", params={"limit": 0}).status_code == 400


def test_token_guards_everything_but_health(outbox):
    client = _client(outbox, token=TOKEN)
    assert client.get("/healthz").status_code == 200
    for path in ("/v1/reads", "/metrics"):
        refused = client.get(path)
        assert refused.status_code == 401 and refused.headers["WWW-Authenticate"] == "Bearer"
        assert client.get(path, headers={"Authorization": f"Bearer {TOKEN}x"}).status_code == 401
        assert client.get(path, headers={"Authorization": f"Basic {TOKEN}"}).status_code == 401
        assert client.get(path, headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
    assert client.post("/v1/recognize", content=_jpeg()).status_code == 401


def test_health_status_codes_and_metrics(outbox):
    degraded = {"status": "degraded", "reasons": ["broker down: not connected"]}
    client = _client(outbox, health=lambda: degraded)
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["reasons"] == ["broker down: not connected"]
    client.post("/v1/recognize", content=_jpeg())
    client.post("/v1/recognize", content=b"junk")
    metrics = client.get("/metrics")
    assert metrics.headers["content-type"].startswith("text/plain; version=0.0.4")
    text = metrics.text
    assert 'anpr_http_requests_total{route="/v1/recognize",status="200"} 1' in text
    assert 'anpr_http_requests_total{route="/v1/recognize",status="400"} 1' in text
    assert "anpr_recognize_latency_seconds_count 1" in text
    assert 'anpr_info{version="' in text and 'ocr="fake"' in text


def test_unknown_route_and_no_models(outbox):
    assert _client(outbox).get("/nope").json() == {"error": "Not Found"}
    client = TestClient(create_app(ApiSettings()))
    assert client.post("/v1/recognize", content=_jpeg()).status_code == 503
    assert client.get("/v1/reads").status_code == 503
