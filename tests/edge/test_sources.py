import threading
import time
from types import SimpleNamespace

import cv2
import numpy as np
import pytest

from edge.config import HealthConfig
from edge.health import agent_health
from edge.pipeline import Stats
from edge.sources import open_source
from edge.sources.base import ReadGuard, SourceError
from edge.sources.camera import Backoff, OpenCvStream, Picamera2Source


def _folder(tmp_path, n=4):
    for i in range(n):
        cv2.imwrite(str(tmp_path / f"f{i:03d}.png"), np.full((20, 30, 3), i * 10, np.uint8))
    return tmp_path


def test_folder_order_timestamps_and_skips(tmp_path):
    folder = _folder(tmp_path)
    (folder / "f001.png").write_bytes(b"corrupt")
    source = open_source(str(folder), fps=5.0)
    frames = list(source.frames())
    assert [f.index for f in frames] == [0, 2, 3]
    assert [f.ts for f in frames] == [0.0, 0.4, 0.6]
    assert source.skipped == 1


def _five_frame_video(path):
    """A 10 fps MP4 of five flat grey frames."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 10.0, (32, 24))
    for i in range(5):
        writer.write(np.full((24, 32, 3), i * 40, np.uint8))
    writer.release()
    return path


def test_video_file_timestamps_are_reproducible(tmp_path):
    path = _five_frame_video(tmp_path / "v.mp4")
    runs = [[(f.index, f.ts) for f in open_source(str(path)).frames()] for _ in range(2)]
    assert runs[0] == runs[1] and [i for i, _ in runs[0]] == [0, 1, 2, 3, 4]
    assert runs[0][1][1] == pytest.approx(0.1, abs=1e-3)


def test_missing_source_is_one_clear_error(tmp_path):
    with pytest.raises(SourceError, match="no such file"):
        open_source(str(tmp_path / "nope.mp4"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(SourceError, match="no images"):
        open_source(str(tmp_path / "empty"))


def test_backoff_doubles_and_resets():
    b = Backoff(0.5, 4.0)
    assert [b.next() for _ in range(5)] == [0.5, 1.0, 2.0, 4.0, 4.0]
    b.reset()
    assert b.next() == 0.5


def test_stream_reconnects_after_loss(tmp_path):
    """A stream whose target disappears and comes back: the source keeps going and flags reconnecting."""
    path = tmp_path / "cam.mp4"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 10.0, (32, 24))
    for _ in range(3):
        writer.write(np.zeros((24, 32, 3), np.uint8))
    writer.release()
    data = path.read_bytes()
    stream = OpenCvStream(str(path))
    stream.backoff = Backoff(0.05, 0.2)
    frames, seen_reconnecting = [], []

    def consume():
        for frame in stream.frames():
            frames.append(frame)
            if len(frames) == 3:
                path.unlink()  # camera gone after the first pass
            if len(frames) >= 6:
                break

    thread = threading.Thread(target=consume)
    thread.start()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not stream.reconnecting:
        time.sleep(0.02)
    seen_reconnecting.append(stream.reconnecting)
    # meanwhile the agent's health says why it is degraded
    agent = SimpleNamespace(
        source=stream,
        stats=Stats(),
        publisher=SimpleNamespace(connected=True),
        outbox=SimpleNamespace(size=lambda: 0),
        capture_error=None,
        frames_dropped=0,
    )
    health = agent_health(agent, HealthConfig())
    path.write_bytes(data)  # back
    thread.join(timeout=10)
    stream.close()
    assert seen_reconnecting == [True]
    assert health["status"] == "degraded" and health["reasons"][0].startswith("camera down")
    assert len(frames) >= 6 and [f.index for f in frames] == list(range(len(frames)))


class FakePicamera2:
    """Follows the Picamera2 API used by the source: configure, start, capture_array, stop."""

    def __init__(self):
        self.started = self.stopped = False
        self.config = None

    def create_video_configuration(self, main):
        return {"main": main}

    def configure(self, config):
        self.config = config

    def start(self):
        self.started = True

    def capture_array(self):
        return np.zeros((self.config["main"]["size"][1], self.config["main"]["size"][0], 3), np.uint8)

    def stop(self):
        self.stopped = True


def test_picamera2_source_with_fake():
    camera = FakePicamera2()
    source = Picamera2Source(size=(64, 48), camera_factory=lambda: camera)
    frames = source.frames()
    first, second = next(frames), next(frames)
    assert first.image.shape == (48, 64, 3) and (first.index, second.index) == (0, 1)
    source.close()
    assert camera.started and camera.stopped


def test_picamera2_missing_is_a_clear_error():
    with pytest.raises(SourceError, match="python3-picamera2"):
        Picamera2Source()


def test_looping_file_keeps_counting(tmp_path):
    path = _five_frame_video(tmp_path / "loop.mp4")
    source = open_source(str(path), loop=True)
    frames = []
    for frame in source.frames():
        frames.append(frame)
        if len(frames) == 12:
            source.close()
    assert source.passes >= 2 and [f.index for f in frames] == list(range(12))
    stamps = [f.ts for f in frames]
    assert stamps == sorted(stamps) and len(set(stamps)) == 12  # new timestamps on every pass

    folder = tmp_path / "folder"
    folder.mkdir()
    for i in range(3):
        cv2.imwrite(str(folder / f"{i}.png"), np.zeros((8, 8, 3), np.uint8))
    looping = open_source(str(folder), loop=True)
    taken = [f.index for _, f in zip(range(7), looping.frames())]
    assert taken == list(range(7))
    assert [f.index for f in open_source(str(folder)).frames()] == [0, 1, 2]  # without loop: one pass


def test_looping_unreadable_folder_is_one_error_not_a_spin(tmp_path):
    (tmp_path / "a.jpg").write_bytes(b"not an image")
    source = open_source(str(tmp_path), loop=True)
    with pytest.raises(SourceError, match="no readable image"):
        list(source.frames())
    assert source.skipped == 1


def test_read_guard_defers_release_until_the_read_returns():
    guard, released = ReadGuard(), []
    with guard.reading() as is_open:
        assert is_open
        guard.close(lambda: released.append("now"))
        assert released == [] and guard.closed  # a read is in progress: not released under it
    assert released == ["now"]
    with guard.reading() as is_open:
        assert not is_open  # closed: the reader skips the device call
    idle = ReadGuard()
    idle.close(lambda: released.append("idle"))
    assert released == ["now", "idle"]  # no read in progress: released at once
    assert idle.wait(5.0) is True  # a backoff sleep ends at once when closed


class BlockingCapture:
    """An OpenCV capture whose read blocks until let go (a stalled network stream)."""

    def __init__(self):
        self.in_read, self.go, self.released = threading.Event(), threading.Event(), False

    def read(self):
        assert not self.released, "read on a released capture"
        self.in_read.set()
        self.go.wait(10)
        return True, np.zeros((4, 4, 3), np.uint8)

    def release(self):
        self.released = True


def test_stream_close_during_a_blocked_read_returns_at_once_and_releases_after():
    stream, capture = OpenCvStream("rtsp://camera.invalid/stream"), BlockingCapture()
    stream._capture = capture
    got = []
    thread = threading.Thread(target=lambda: got.extend(stream.frames()))
    thread.start()
    assert capture.in_read.wait(5)
    started = time.monotonic()
    stream.close()  # from the signal handler, while the capture thread is inside read()
    assert time.monotonic() - started < 1.0 and not capture.released
    capture.go.set()
    thread.join(timeout=5)
    assert not thread.is_alive() and capture.released
    assert len(got) <= 1
