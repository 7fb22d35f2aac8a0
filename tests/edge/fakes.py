"""Fakes at the model boundary: a detector and a reader that know the generated clip's ground truth."""

from __future__ import annotations

import json
from pathlib import Path

from edge.ctc import DecodedText
from edge.metadata import InputSpec
from edge.types import Box, Detection


class ClipTruth:
    def __init__(self, clip_json: Path) -> None:
        info = json.loads(Path(clip_json).read_text())
        self.by_frame: dict[int, list[tuple[Box, str]]] = {}
        for track in info["tracks"]:
            for frame, box in track["boxes"].items():
                self.by_frame.setdefault(int(frame), []).append((Box(*box), track["text"]))
        self.plates = info["plates"]
        self.frame = -1


class TruthDetector:
    """Returns the clip's plate boxes for the frame being processed (frames arrive in order)."""

    def __init__(self, truth: ClipTruth) -> None:
        self.truth = truth
        self.count = 0
        self.settled: list[list[Box]] = []  # per frame, the boxes the agent said it had read already

    def detect(self, image, settled=()):
        self.truth.frame = self.count
        self.count += 1
        self.settled.append(list(settled))
        return [Detection(box, 0.9) for box, _ in self.truth.by_frame.get(self.truth.frame, [])]


class TruthReader:
    spec = InputSpec(height=48, width=160, colour="grey", margin_x=0.04, margin_y=0.12)

    def __init__(self, truth: ClipTruth) -> None:
        self.truth = truth

    def read(self, image, box):
        best = max(self.truth.by_frame.get(self.truth.frame, []), key=lambda bt: bt[0].iou(box))
        return DecodedText(best[1], tuple(0.95 for _ in best[1]), ((best[1], 0.9),))


def make_agent(clip: Path, state_dir: Path, mqtt_port: int | None, **overrides):
    """An Agent over the clip with the truth fakes, an outbox in ``state_dir`` and MQTT (or stdout)."""
    from edge.config import load_agent_config
    from edge.outbox import Outbox
    from edge.pipeline import Agent
    from edge.publish.mqtt import MqttPublisher
    from edge.publish.stdout import StdoutPublisher
    from edge.sources import open_source

    values = {
        "source": str(clip),
        "state_dir": str(state_dir),
        "mqtt.host": "127.0.0.1" if mqtt_port else None,
        "mqtt.port": mqtt_port,
        "device_id": "test",
        "tracker.dedup_seconds": 0,
        **overrides,
    }
    cfg = load_agent_config(None, values)
    truth = ClipTruth(clip.with_suffix(".json"))
    outbox = Outbox(cfg.state_dir, cfg.outbox_max)
    publisher = MqttPublisher(cfg.mqtt, cfg.device_id, outbox) if mqtt_port else StdoutPublisher(outbox)
    source = open_source(cfg.source, cfg.fps)
    agent = Agent(cfg, source, TruthDetector(truth), TruthReader(truth), outbox, publisher, {"ocr": "fake"}, 0.0)
    return agent, publisher, outbox, truth
