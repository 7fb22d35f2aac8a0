"""``anpr run`` (the agent) and ``anpr reads`` (query the local read store)."""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
from pathlib import Path

log = logging.getLogger("anpr.run")


def register(subparsers: argparse._SubParsersAction) -> None:
    run = subparsers.add_parser("run", help="run the edge agent: camera -> plates -> MQTT")
    run.add_argument("--config", type=Path, help="agent YAML config (see edge/deploy/agent.example.yaml)")
    run.add_argument("--source", help="picamera2, camera index, rtsp/http URL, video file or image folder")
    run.add_argument("--fps", type=float, help="replay speed for files and folders (default: as fast as possible)")
    run.add_argument("--models", type=Path, help="model folder (default: models/)")
    run.add_argument("--mqtt-host", help="MQTT broker host (none: reads go to stdout and the local store)")
    run.add_argument("--mqtt-port", type=int, help="MQTT broker port")
    run.add_argument("--device-id", help="device id used in topics")
    run.add_argument("--state-dir", type=Path, help="where the outbox and read log live")
    run.add_argument("--drain-timeout", type=float, help="seconds to wait for unsent reads when a file ends")
    run.add_argument("--precision", choices=["int8", "float32"], help="which exported models to run")
    run.add_argument("--loop", action="store_true", help="replay a file or folder forever (soak tests, demos)")
    run.add_argument(
        "--http", metavar="[HOST:]PORT", help="also serve the HTTP API (default host 127.0.0.1; see anpr serve)"
    )
    run.add_argument("--token-env", metavar="NAME", help="environment variable holding the HTTP API bearer token")
    run.set_defaults(handler=_run)

    reads = subparsers.add_parser("reads", help="list reads from the local store")
    reads.add_argument("--state-dir", type=Path, default=Path(".state"), help="state directory of the agent")
    reads.add_argument("--since", help="ISO 8601 time, e.g. 2026-11-23T10:00:00Z")
    reads.add_argument("--limit", type=int, default=1000)
    reads.set_defaults(handler=_reads)


def _reads(args: argparse.Namespace) -> int:
    from edge.outbox import Outbox

    outbox = Outbox(args.state_dir)
    for read in outbox.reads_since(args.since, args.limit):
        print(json.dumps(read))
    return 0


def agent_config(args: argparse.Namespace):
    """The agent config: YAML (``--config``) with the flags given on the command line on top."""
    from edge.config import load_agent_config

    overrides = {
        "source": args.source,
        "fps": args.fps,
        "models": str(args.models) if args.models else None,
        "mqtt.host": args.mqtt_host,
        "mqtt.port": args.mqtt_port,
        "device_id": args.device_id,
        "state_dir": str(args.state_dir) if args.state_dir else None,
        "drain_timeout": args.drain_timeout,
        "precision": args.precision,
        "loop": True if getattr(args, "loop", False) else None,
    }
    if getattr(args, "http", None):
        host, port = parse_bind(args.http)
        overrides.update({"http.enabled": True, "http.host": host, "http.port": port})
    return load_agent_config(args.config, overrides)


def parse_bind(value: str) -> tuple[str | None, int]:
    """``PORT`` or ``HOST:PORT`` (``[::1]:PORT`` for IPv6) -> (host or None, port)."""
    from edge.errors import ConfigError

    host, _, port = value.rpartition(":")
    try:
        number = int(port)
    except ValueError:
        raise ConfigError(f"--http {value!r}: expected PORT or HOST:PORT") from None
    return (host.strip("[]") or None), number


def build_agent(args: argparse.Namespace):
    from edge.assembly import load_readers
    from edge.outbox import Outbox
    from edge.pipeline import Agent
    from edge.publish.mqtt import MqttPublisher
    from edge.publish.stdout import StdoutPublisher
    from edge.sources import open_source

    cfg = agent_config(args)
    readers = load_readers(cfg)
    source = open_source(cfg.source, cfg.fps, cfg.loop)
    epoch = None
    if not source.live and Path(cfg.source).exists():
        epoch = Path(cfg.source).stat().st_mtime  # replaying a file gives the same timestamps every time
    outbox = Outbox(cfg.state_dir, cfg.outbox_max)
    versions = readers.versions
    publisher = MqttPublisher(cfg.mqtt, cfg.device_id, outbox, versions) if cfg.mqtt.host else StdoutPublisher(outbox)
    agent = Agent(cfg, source, readers.detector, readers.recognizer, outbox, publisher, versions, epoch)
    return cfg, agent, publisher, outbox


def start_api(cfg, agent, outbox, token_env: str | None = None):
    """Serve the HTTP API next to the agent, with its own interpreters (they are not shared across threads)."""
    from edge.api.server import ApiServer
    from edge.assembly import load_readers
    from edge.cli.serve import api_token, build_api
    from edge.health import agent_health, agent_metrics

    token = api_token(cfg, token_env)
    app = build_api(
        cfg,
        load_readers(cfg),
        outbox,
        health=lambda: agent_health(agent, cfg.health),
        agent_metrics=lambda text: agent_metrics(agent, text),
        token=token,
    )
    server = ApiServer(app, cfg.http.host, cfg.http.port, token is not None)
    server.start()
    return server


def _run(args: argparse.Namespace) -> int:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    cfg, agent, publisher, outbox = build_agent(args)

    def on_signal(signum, _frame):
        log.info("signal %d: finishing the frame in hand, keeping the outbox", signum)
        agent.stop()
        agent.source.close()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    server = start_api(cfg, agent, outbox, getattr(args, "token_env", None)) if cfg.http.enabled else None
    interrupted = False
    try:
        agent.run()
    finally:
        interrupted = agent.stop_event.is_set()
        drained = True
        if not interrupted and hasattr(publisher, "wait_drained"):
            drained = publisher.wait_drained(cfg.drain_timeout)
        publisher.stop()
        if server is not None:
            server.stop()
        s = agent.stats
        log.info(
            "frames %d, still %d (no detector run), second looks %d, mirror looks %d, sideways looks %d, "
            "dropped %d, skipped %d, plates seen %d, reads %d, unsent %d, outbox drops %d",
            s.frames,
            s.still_frames,
            getattr(agent.detector, "second_looks", 0),
            getattr(agent.detector, "mirror_looks", 0),
            getattr(agent.detector, "sideways_looks", 0),
            agent.frames_dropped,
            getattr(agent.source, "skipped", 0),
            s.detections,
            s.reads,
            outbox.size(),
            outbox.dropped(),
        )
    if interrupted:
        return 0
    if not drained:
        print(
            f"error: {outbox.size()} read(s) not delivered within {cfg.drain_timeout:.0f} s; they stay in "
            f"{outbox.path} for the next start",
            file=sys.stderr,
        )
        return 3
    return 0
