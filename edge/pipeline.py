"""The agent: capture thread -> bounded queue -> motion gate -> detector -> crop -> OCR -> tracker -> outbox
-> publisher.

The capture thread never blocks on the worker: when the queue is full the oldest frame is
dropped and counted. Every read is written to the outbox before it is published.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone

import numpy as np

from edge.config import AgentConfig
from edge.filters import ReadFilter
from edge.metrics import Histogram
from edge.motion import MotionGate
from edge.outbox import Outbox
from edge.preprocess import crop_plate
from edge.sources.base import Frame, FrameSource
from edge.tracker import Observation, PlateTracker, Track

log = logging.getLogger(__name__)
_END = object()
READ_NAMESPACE = uuid.UUID("6f3c8a52-5c1e-4a47-9f3e-0b8a3e2d7c11")


STAGES = ("detect", "ocr", "frame")


@dataclass
class Stats:
    frames: int = 0
    #: frames the motion gate passed over (the detector did not run: nothing had changed)
    still_frames: int = 0
    reads: int = 0
    detections: int = 0
    #: per-stage latency histograms in seconds, for /metrics (fixed size: a long-running agent never grows)
    latency: dict[str, Histogram] = field(default_factory=lambda: {s: Histogram() for s in STAGES})
    #: time.monotonic() of the last frame taken from the queue (None before the first)
    last_frame_at: float | None = None
    started_at: float = field(default_factory=time.monotonic)

    def time_stage(self, stage: str, started: float) -> None:
        """Record the time since ``started`` (a perf_counter value) for ``stage``."""
        self.latency[stage].observe(time.perf_counter() - started)


class DropOldestQueue:
    """A bounded queue whose ``put`` drops the oldest item when full (and counts it)."""

    def __init__(self, size: int) -> None:
        self._queue: queue.Queue = queue.Queue(maxsize=size)
        self.dropped = 0

    def put(self, item: object) -> None:
        while True:
            try:
                self._queue.put_nowait(item)
                return
            except queue.Full:
                try:
                    self._queue.get_nowait()
                    self.dropped += 1
                except queue.Empty:
                    pass

    def put_wait(self, item: object) -> None:
        """Block until there is room (replaying a file as fast as possible: no frame is dropped)."""
        self._queue.put(item)

    put_final = put_wait

    def get(self, timeout: float | None = None) -> object:
        return self._queue.get(timeout=timeout)


class Agent:
    """Runs a source through the models and hands reads to the outbox and the publisher."""

    def __init__(
        self,
        cfg: AgentConfig,
        source: FrameSource,
        detector,
        recognizer,
        outbox: Outbox,
        publisher,
        model_versions: dict,
        source_epoch: float | None = None,
    ) -> None:
        self.cfg, self.source, self.detector, self.recognizer = cfg, source, detector, recognizer
        self.outbox, self.publisher, self.model_versions = outbox, publisher, model_versions
        params = getattr(detector, "params", None)  # a plate detector's decoding (fakes in tests have none)
        self.filter = ReadFilter(cfg.filters, bool(getattr(params, "sideways", False)))
        t = cfg.tracker
        self.tracker = PlateTracker(t.iou, t.max_missed, t.min_reads, t.emit_after, t.keep_observations)
        self.motion = MotionGate(cfg.motion, cfg.filters.zone)
        self.queue = DropOldestQueue(cfg.queue_size)
        self.stats = Stats()
        self.stop_event = threading.Event()
        self.source_epoch = time.time() if source_epoch is None else source_epoch
        self._last_published: dict[str, float] = {}
        self.capture_error: BaseException | None = None

    # --- capture
    def _capture(self) -> None:
        # a live camera (or a file paced at --fps) must not wait for the worker: drop the oldest frame;
        # a file replayed as fast as possible waits instead, so every replay gives the same reads
        put = self.queue.put if (self.source.live or self.cfg.fps) else self.queue.put_wait
        try:
            for frame in self.source.frames():
                if self.stop_event.is_set():
                    break
                put(frame)
        except BaseException as exc:  # reported by run(); the worker ends on _END
            self.capture_error = exc
        finally:
            self.queue.put_final(_END)

    # --- worker
    def process(self, frame: Frame) -> list[dict]:
        """Detect, read and track one frame; returns the reads it completed (already stored). A frame the
        motion gate passes over repeats the last detector run for the tracker
        (:meth:`edge.tracker.PlateTracker.update_unchanged`)."""
        if not self.motion.should_detect(frame.image, frame.ts, self.tracker.collecting):
            self.stats.still_frames += 1
            return self._emit(self.tracker.update_unchanged(), frame.source)
        frame_started = started = time.perf_counter()
        # plates already read only need following: no second look for them (their first look decides)
        settled = [t.predicted_box(frame.index) for t in self.tracker.tracks if t.emitted]
        detections = self.detector.detect(frame.image, settled)
        self.stats.time_stage("detect", started)
        observations = []
        for det in detections:
            if not self.filter.keep_detection(det.box, det.score):
                continue
            started = time.perf_counter()
            decoded = self.recognizer.read(frame.image, det.box)
            self.stats.time_stage("ocr", started)
            # a copy: a view would keep the whole frame alive for as long as the track keeps the observation
            crop = crop_plate(frame.image, det.box, self.recognizer.spec).copy() if self.cfg.mqtt.snapshots else None
            observations.append(
                Observation(
                    frame.index,
                    frame.ts,
                    det.box,
                    det.score,
                    decoded.text,
                    decoded.char_confidences,
                    crop,
                    decoded.candidates,
                )
            )
        self.stats.detections += len(observations)
        reads = self._emit(self.tracker.update(observations), frame.source)
        self.stats.time_stage("frame", frame_started)
        return reads

    def _emit(self, tracks: list[Track], source: str) -> list[dict]:
        reads = []
        for track in tracks:
            text, confidence = track.vote()
            listed = track.candidates(text, self.cfg.ocr.candidates, self.cfg.ocr.candidate_min_probability)
            others = [t for t, _ in listed]
            if not self.filter.keep_read(text, confidence, others):
                continue
            best = track.best_observation(text)
            last = self._last_published.get(text)
            if last is not None and best.ts - last < self.cfg.tracker.dedup_seconds:
                log.debug("dedup: %s seen %.1f s ago", text, best.ts - last)
                continue
            self._last_published[text] = best.ts
            window = self.cfg.tracker.dedup_seconds  # forget plates outside the window: bounded memory
            self._last_published = {
                t: ts for t, ts in self._last_published.items() if best.ts - ts < window or t == text
            }
            first = track.first  # set with the track's first observation
            read = {
                "id": str(uuid.uuid5(READ_NAMESPACE, f"{self.cfg.device_id}|{source}|{first.frame}|{text}")),
                "plate": text,
                "confidence": round(confidence, 4),
                "box": [round(v, 1) for v in best.box.as_list()],
                "ts": datetime.fromtimestamp(self.source_epoch + best.ts, timezone.utc)
                .isoformat(timespec="milliseconds")
                .replace("+00:00", "Z"),
                "frame": best.frame,
                "source": source,
                "model": self.model_versions,
                "label": self.filter.label(text, others),
                "device_id": self.cfg.device_id,
                "track_frames": track.seen,
            }
            if listed:  # the reader lists them (ocr.candidates over 0, a CTC reader)
                read["candidates"] = [{"plate": t, "probability": round(p, 4)} for t, p in listed]
            if self.cfg.filters.allow_candidates:
                read["allowed_plate"] = self.filter.allowed(text, others)
            snapshot = _jpeg(best.crop) if best.crop is not None else None
            self.outbox.put(read, snapshot)
            self.stats.reads += 1
            reads.append(read)
        if reads:
            self.publisher.notify()
        return reads

    def run(self) -> int:
        """Process until the source ends or :meth:`stop`; returns the number of reads emitted."""
        self.publisher.start()
        capture = threading.Thread(target=self._capture, name="capture", daemon=True)
        capture.start()
        while True:
            item = self.queue.get()
            if item is _END:
                break
            self.stats.frames += 1
            self.stats.last_frame_at = time.monotonic()
            self.process(item)
            if self.stop_event.is_set():
                break
        self._emit(self.tracker.flush(), getattr(self.source, "name", "source"))
        if self.capture_error is not None and not isinstance(self.capture_error, GeneratorExit):
            raise self.capture_error
        return self.stats.reads

    def stop(self) -> None:
        self.stop_event.set()

    @property
    def frames_dropped(self) -> int:
        """Frames dropped so far because the worker was behind (live while running)."""
        return self.queue.dropped


def _jpeg(image: np.ndarray) -> bytes | None:
    import cv2

    ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 90])
    return buf.tobytes() if ok else None
