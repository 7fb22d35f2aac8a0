"""Live sources: OpenCV cameras and streams (RTSP/HTTP) with reconnect, and Picamera2 on Raspberry Pi OS."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

from edge.sources.base import Frame, FrameSource, ReadGuard, SourceError

log = logging.getLogger(__name__)


class Backoff:
    """Exponential backoff between reconnect attempts: 0.5 s doubling to ``maximum``."""

    def __init__(self, initial: float = 0.5, maximum: float = 30.0) -> None:
        self.initial, self.maximum, self.delay = initial, maximum, initial

    def next(self) -> float:
        delay = self.delay
        self.delay = min(self.maximum, self.delay * 2)
        return delay

    def reset(self) -> None:
        self.delay = self.initial


class OpenCvStream(FrameSource):
    """A camera index or stream URL; reconnects with backoff and keeps going after loss."""

    live = True

    def __init__(self, target: int | str, stop_after_failures: int | None = None) -> None:
        self.target, self.name = target, str(target)
        self.stop_after_failures = stop_after_failures
        self.backoff = Backoff()
        self._capture = None
        self._guard = ReadGuard()  # close() never releases the capture under a (possibly long) read

    def _open(self) -> bool:
        import cv2

        capture = cv2.VideoCapture(self.target)
        if not capture.isOpened():
            capture.release()
            return False
        self._capture = capture
        return True

    def _release(self) -> None:
        if self._capture is not None:
            self._capture.release()
            self._capture = None

    def frames(self) -> Iterator[Frame]:
        index, failures = 0, 0
        started = time.time()
        while not self._guard.closed:
            with self._guard.reading() as is_open:
                if not is_open:
                    break
                opened = self._capture is not None or self._open()
                ok, image = self._capture.read() if opened else (False, None)
                if opened and (not ok or image is None):
                    log.warning("%s: stream lost, reconnecting", self.name)
                    self._release()
            if not opened:
                failures += 1
                self.reconnecting = True
                if self.stop_after_failures is not None and failures >= self.stop_after_failures:
                    raise SourceError(f"{self.name}: cannot open after {failures} attempts")
                delay = self.backoff.next()
                log.warning("%s: not available, retrying in %.1f s", self.name, delay)
                self._guard.wait(delay)
                continue
            if not ok or image is None:
                continue
            failures = 0
            self.reconnecting = False
            self.backoff.reset()
            yield Frame(image, index, round(time.time() - started, 6), self.name)
            index += 1

    def close(self) -> None:
        """Stop; the capture is released now, or by the reading thread once its read returns."""
        self._guard.close(self._release)


class Picamera2Source(FrameSource):
    """The Raspberry Pi camera through Picamera2 (Raspberry Pi OS: ``apt install python3-picamera2``)."""

    live = True
    name = "picamera2"

    def __init__(self, size: tuple[int, int] = (1280, 720), camera_factory=None) -> None:
        if camera_factory is None:
            try:
                from picamera2 import Picamera2
            except ImportError:
                raise SourceError(
                    "picamera2 is not installed: on Raspberry Pi OS run 'sudo apt install "
                    "python3-picamera2' and create the venv with --system-site-packages"
                ) from None
            camera_factory = Picamera2
        self._camera = camera_factory()
        config = self._camera.create_video_configuration(main={"size": size, "format": "RGB888"})
        self._camera.configure(config)
        self._camera.start()
        self._guard = ReadGuard()  # close() never stops the camera under a capture in progress

    def frames(self) -> Iterator[Frame]:
        index, started = 0, time.time()
        while not self._guard.closed:
            with self._guard.reading() as is_open:
                if not is_open:
                    break
                image = self._camera.capture_array()  # RGB888 is laid out B, G, R in memory: OpenCV order
            if image is None:
                self.skipped += 1
                continue
            yield Frame(image[:, :, :3], index, round(time.time() - started, 6), self.name)
            index += 1

    def close(self) -> None:
        """Stop; the camera is stopped now, or by the reading thread once its capture returns."""
        self._guard.close(self._camera.stop)
