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


def build_agent(args: argparse.Namespace):
    from edge.config import load_agent_config
    from edge.detector import DecodeParams, PlateDetector
    from edge.metadata import InputSpec
    from edge.models import open_model
    from edge.outbox import Outbox
    from edge.pipeline import Agent
    from edge.publish.mqtt import MqttPublisher
    from edge.publish.stdout import StdoutPublisher
    from edge.recognizer import PlateRecognizer
    from edge.sources import open_source

    cfg = load_agent_config(
        args.config,
        {
            "source": args.source,
            "fps": args.fps,
            "models": str(args.models) if args.models else None,
            "mqtt.host": args.mqtt_host,
            "mqtt.port": args.mqtt_port,
            "device_id": args.device_id,
            "state_dir": str(args.state_dir) if args.state_dir else None,
            "drain_timeout": args.drain_timeout,
            "precision": args.precision,
        },
    )
    det_model, det_card = open_model(cfg.models, "detector", cfg.precision, cfg.num_threads)
    ocr_model, ocr_card = open_model(cfg.models, "ocr", cfg.precision, cfg.num_threads)
    d = det_card["decode"]
    params = DecodeParams(
        stride=d["stride"],
        score_threshold=max(d["score_threshold"], cfg.filters.min_detection_score),
        nms_iou=d["nms_iou"],
        max_detections=d["max_detections"],
    )
    detector = PlateDetector(det_model, InputSpec.model_validate(det_card["input"]), params)
    recognizer = PlateRecognizer.from_card(ocr_model, ocr_card)
    versions = {
        "detector": det_card["tflite"][cfg.precision]["sha256"][:12],
        "ocr": ocr_card["tflite"][cfg.precision]["sha256"][:12],
        "precision": cfg.precision,
    }
    source = open_source(cfg.source, cfg.fps)
    epoch = None
    if not source.live and Path(cfg.source).exists():
        epoch = Path(cfg.source).stat().st_mtime  # replaying a file gives the same timestamps every time
    outbox = Outbox(cfg.state_dir, cfg.outbox_max)
    publisher = MqttPublisher(cfg.mqtt, cfg.device_id, outbox, versions) if cfg.mqtt.host else StdoutPublisher(outbox)
    return cfg, Agent(cfg, source, detector, recognizer, outbox, publisher, versions, epoch), publisher, outbox


def _run(args: argparse.Namespace) -> int:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    cfg, agent, publisher, outbox = build_agent(args)

    def on_signal(signum, _frame):
        log.info("signal %d: finishing the frame in hand, keeping the outbox", signum)
        agent.stop()
        agent.source.close()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    interrupted = False
    try:
        agent.run()
    finally:
        interrupted = agent.stop_event.is_set()
        drained = True
        if not interrupted and hasattr(publisher, "wait_drained"):
            drained = publisher.wait_drained(cfg.drain_timeout)
        publisher.stop()
        s = agent.stats
        log.info(
            "frames %d, dropped %d, skipped %d, plates seen %d, reads %d, unsent %d, outbox drops %d",
            s.frames,
            s.dropped,
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
