"""``anpr serve``: the HTTP API alone (still-image recognition, stored reads, health, metrics)."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import threading
from pathlib import Path

log = logging.getLogger("anpr.serve")


def register(subparsers: argparse._SubParsersAction) -> None:
    serve = subparsers.add_parser("serve", help="serve the HTTP API: POST /v1/recognize, /v1/reads, /healthz")
    serve.add_argument("--config", type=Path, help="agent YAML config (the http:, models and filters: parts apply)")
    serve.add_argument("--models", type=Path, help="model folder (default: models/)")
    serve.add_argument("--precision", choices=["int8", "float32"], help="which exported models to run")
    serve.add_argument("--state-dir", type=Path, help="read store served by /v1/reads (default: .state)")
    serve.add_argument("--host", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="TCP port (default 8080; 0 picks a free one)")
    serve.add_argument("--token-env", metavar="NAME", help="environment variable holding the bearer token")
    serve.set_defaults(handler=_serve)


def api_token(cfg, token_env: str | None = None) -> str | None:
    """The bearer token: ``--token-env`` first, then ``http.token`` of the config."""
    from edge.errors import ConfigError

    if token_env:
        if not os.environ.get(token_env):
            raise ConfigError(f"--token-env {token_env}: the environment variable is not set or empty")
        return os.environ[token_env]
    return cfg.http.token.resolve() if cfg.http.token else None


def build_api(cfg, readers, outbox, health, agent_metrics=None, token: str | None = None):
    """The FastAPI app over loaded models, a read store and a health function."""
    from edge.errors import AnprError

    try:
        from edge.api.app import ApiSettings, create_app
    except ImportError as exc:
        raise AnprError(f"the HTTP API needs the 'http' extra: pip install '.[edge,http]' ({exc})") from None
    from edge.filters import ReadFilter
    from edge.still import StillRecognizer

    read_filter = ReadFilter(cfg.filters, readers.detector.params.sideways)
    still = StillRecognizer(readers.detector, readers.recognizer, read_filter, readers.versions)
    settings = ApiSettings(
        still=still,
        outbox=outbox,
        health=health,
        agent_metrics=agent_metrics,
        token=token,
        max_upload_bytes=int(cfg.http.max_upload_mb * 1024 * 1024),
        versions=readers.versions,
    )
    return create_app(settings)


def _serve(args: argparse.Namespace) -> int:
    from edge.api.server import ApiServer
    from edge.assembly import load_readers
    from edge.config import load_agent_config
    from edge.outbox import Outbox

    cfg = load_agent_config(
        args.config,
        {
            "models": str(args.models) if args.models else None,
            "precision": args.precision,
            "state_dir": str(args.state_dir) if args.state_dir else None,
            "http.host": args.host,
            "http.port": args.port,
        },
    )
    token = api_token(cfg, args.token_env)
    readers = load_readers(cfg)
    outbox = Outbox(cfg.state_dir, cfg.outbox_max)

    def health() -> dict:
        return {"status": "ok", "reasons": [], "models": readers.versions}

    app = build_api(cfg, readers, outbox, health, token=token)
    server = ApiServer(app, cfg.http.host, cfg.http.port, token is not None)
    stop = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    server.start()
    print(f"serving {server.url} (POST /v1/recognize, GET /v1/reads, /healthz, /metrics)", flush=True)
    while server.alive and not stop.wait(0.5):
        pass
    server.stop()
    outbox.close()
    if not stop.is_set():
        log.error("the HTTP server stopped on its own (see the log above)")
        return 1
    return 0
