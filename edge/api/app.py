"""The HTTP API as a FastAPI app: recognize a still image, list stored reads, health and metrics.

Endpoints (JSON errors ``{"error": "..."}`` everywhere):

- ``POST /v1/recognize``: a JPEG/PNG as the raw body (``Content-Type: image/jpeg``) or as a
  multipart file field ``upload`` (also ``image`` or ``file``) -> plates with boxes and confidences.
- ``GET /v1/reads?since=ISO8601&limit=N``: reads from the local read store, oldest first.
- ``GET /healthz``: ``{"status": "ok"|"degraded", "reasons": [...]}``; 200 when ok, 503 when degraded.
- ``GET /metrics``: Prometheus text (frames, drops, reads, outbox, broker, per-stage latency).

With a token every endpoint but ``/healthz`` needs ``Authorization: Bearer <token>``, compared
in constant time.
"""

from __future__ import annotations

import hmac
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone

from fastapi import FastAPI, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from edge import __version__
from edge.config import describe_errors
from edge.errors import ImageReadError
from edge.imageio import DEFAULT_MAX_PIXELS, decode_image
from edge.metrics import CONTENT_TYPE, Histogram, PrometheusText

log = logging.getLogger(__name__)
UPLOAD_FIELDS = ("upload", "image", "file")
MAX_READS_PER_PAGE = 10000


@dataclass
class ApiSettings:
    """What the app serves and how it guards itself."""

    #: reads still images; None: /v1/recognize answers 503
    still: object | None = None
    #: the local read store (an :class:`edge.outbox.Outbox`); None: /v1/reads answers 503
    outbox: object | None = None
    #: returns the health document ({"status", "reasons", ...})
    health: Callable[[], dict] = field(default=lambda: {"status": "ok", "reasons": []})
    #: adds the agent's metrics to a PrometheusText (None when no agent runs)
    agent_metrics: Callable[[PrometheusText], None] | None = None
    #: bearer token (None: no authentication)
    token: str | None = None
    max_upload_bytes: int = 10 * 1024 * 1024
    max_pixels: int = DEFAULT_MAX_PIXELS
    #: model versions reported by /metrics (anpr_info)
    versions: dict = field(default_factory=dict)


class ApiStats:
    """Request counts per route and status, and the time /v1/recognize takes."""

    def __init__(self) -> None:
        self.requests: dict[tuple[str, int], int] = {}
        self.recognize = Histogram()

    def count(self, route: str, status: int) -> None:
        key = (route, status)
        self.requests[key] = self.requests.get(key, 0) + 1


def create_app(settings: ApiSettings) -> FastAPI:
    """The FastAPI application for ``settings``."""
    app = FastAPI(title="anpr edge API", version=__version__, docs_url=None, redoc_url=None, openapi_url=None)
    stats = ApiStats()
    known_routes = {"/v1/recognize", "/v1/reads", "/healthz", "/metrics"}
    token = settings.token.encode() if settings.token else None

    @app.middleware("http")
    async def authenticate_and_count(request: Request, call_next):
        route = request.url.path if request.url.path in known_routes else "other"
        if token is not None and request.url.path != "/healthz" and not _token_ok(request, token):
            response = JSONResponse(
                {"error": "missing or wrong bearer token"}, status_code=401, headers={"WWW-Authenticate": "Bearer"}
            )
        else:
            try:
                response = await call_next(request)
            except Exception:  # never a traceback to the client; the log has it
                log.exception("unhandled error on %s", request.url.path)
                response = JSONResponse({"error": "internal error (see the agent's log)"}, status_code=500)
        stats.count(route, response.status_code)
        return response

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException):
        return JSONResponse({"error": str(exc.detail)}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def bad_request(_request: Request, exc: RequestValidationError):
        return JSONResponse({"error": describe_errors(exc.errors())}, status_code=400)

    @app.post("/v1/recognize")
    async def recognize(request: Request):
        if settings.still is None:
            raise HTTPException(503, "no models loaded")
        data = await _upload_bytes(request, settings.max_upload_bytes)
        try:
            image = decode_image(data, name="upload", max_pixels=settings.max_pixels)
        except ImageReadError as exc:
            raise HTTPException(400, str(exc)) from None
        started = time.perf_counter()
        result = await run_in_threadpool(settings.still.recognize, image)
        stats.recognize.observe(time.perf_counter() - started)
        return result

    @app.get("/v1/reads")
    async def reads(since: str | None = None, limit: int = 1000):
        if settings.outbox is None:
            raise HTTPException(503, "no read store")
        if not 1 <= limit <= MAX_READS_PER_PAGE:
            raise HTTPException(400, f"limit: must be between 1 and {MAX_READS_PER_PAGE}")
        found = await run_in_threadpool(settings.outbox.reads_since, _stored_time(since), limit)
        return {"reads": found, "count": len(found)}

    @app.get("/healthz")
    async def healthz():
        report = await run_in_threadpool(settings.health)
        return JSONResponse(report, status_code=200 if report["status"] == "ok" else 503)

    @app.get("/metrics")
    async def metrics():
        text = PrometheusText()
        text.gauge("info", "Version and models of this agent.", 1, {"version": __version__, **settings.versions})
        if settings.agent_metrics is not None:
            await run_in_threadpool(settings.agent_metrics, text)
        for (route, status), count in sorted(stats.requests.items()):
            text.counter(
                "http_requests_total",
                "HTTP requests by route and status.",
                count,
                {"route": route, "status": str(status)},
            )
        text.histogram("recognize_latency_seconds", "Time to read one uploaded image.", stats.recognize)
        return Response(text.render(), media_type=CONTENT_TYPE)

    return app


def _token_ok(request: Request, token: bytes) -> bool:
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token)


async def _upload_bytes(request: Request, limit: int) -> bytes:
    """The image bytes of a raw or multipart upload, refusing more than ``limit`` bytes (413)."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise HTTPException(413, f"upload of {int(declared)} bytes exceeds the {limit} byte limit")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise HTTPException(413, f"upload exceeds the {limit} byte limit")
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        data = await _multipart_file(request, bytes(body))
    else:
        data = bytes(body)
    if not data:
        raise HTTPException(400, "empty upload: send a JPEG or PNG as the body or as the multipart field 'upload'")
    return data


async def _multipart_file(request: Request, body: bytes) -> bytes:
    async def replay():
        return {"type": "http.request", "body": body, "more_body": False}

    try:
        form = await Request(request.scope, replay).form(max_files=1, max_fields=20)
    except Exception as exc:  # malformed multipart: starlette raises several types
        raise HTTPException(400, f"malformed multipart body: {exc}") from None
    for name in UPLOAD_FIELDS:
        item = form.get(name)
        if item is not None and not isinstance(item, str):
            return await item.read()
    raise HTTPException(400, f"multipart body has no file field named {' or '.join(UPLOAD_FIELDS)}")


def _stored_time(since: str | None) -> str | None:
    """``since`` (ISO 8601, any offset; naive = UTC) in the read store's format, or a 400."""
    if not since:
        return None
    try:
        moment = datetime.fromisoformat(since.replace("Z", "+00:00"))
    except ValueError:
        raise HTTPException(400, f"since: {since!r} is not an ISO 8601 time (e.g. 2026-11-23T10:00:00Z)") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
