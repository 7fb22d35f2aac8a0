"""The frame type, the source interface and the factory that picks a source from a string."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from edge.errors import AnprError


class SourceError(AnprError):
    """A source cannot be opened (missing file, bad URL, no camera)."""


@dataclass(frozen=True)
class Frame:
    """One frame: BGR pixels, index in the source, source timestamp in seconds, source name."""

    image: np.ndarray
    index: int
    ts: float
    source: str


class FrameSource:
    """Iterate to get frames; ``live`` sources reconnect on loss, file sources end."""

    name: str = "source"
    live: bool = False
    #: unreadable frames skipped so far (counted, never fatal)
    skipped: int = 0
    #: True while a live source is trying to reconnect
    reconnecting: bool = False

    def frames(self) -> Iterator[Frame]:
        raise NotImplementedError

    def close(self) -> None:
        """Release the device or file."""


class Pacer:
    """Sleeps so frames are delivered at ``fps`` (None: as fast as possible)."""

    def __init__(self, fps: float | None) -> None:
        self.period = 1.0 / fps if fps else 0.0
        self.next = time.monotonic()

    def wait(self) -> None:
        if self.period:
            delay = self.next - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            self.next = max(self.next + self.period, time.monotonic() - self.period)


def open_source(spec: str, fps: float | None = None, loop: bool = False) -> FrameSource:
    """``picamera2``, a camera index (``0``), a URL (``rtsp://``, ``http://``), a video file or a folder.

    ``loop`` replays a file or folder forever (ignored for live sources).
    """
    from edge.sources.camera import OpenCvStream, Picamera2Source
    from edge.sources.files import ImageFolderSource, VideoFileSource

    if spec == "picamera2":
        return Picamera2Source()
    if spec.isdigit():
        return OpenCvStream(int(spec))
    if "://" in spec:
        return OpenCvStream(spec)
    path = Path(spec)
    if path.is_dir():
        return ImageFolderSource(path, fps, loop)
    if path.is_file():
        return VideoFileSource(path, fps, loop)
    raise SourceError(f"{spec}: no such file, folder, camera index or URL")


class ReadGuard:
    """Lets another thread close a source without releasing the device under a read in progress.

    The agent closes its source from a signal handler while the capture thread may be inside
    ``read()``: releasing an OpenCV capture there crashes the process (SIGSEGV), and a network read
    can block for seconds, so ``close`` must not wait for it either. The reader wraps each device call
    in :meth:`reading`; :meth:`close` marks the source closed and runs the release at once when no
    call is in progress, otherwise the reader runs it as soon as its call returns.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._busy = False
        self._pending: list[Callable[[], None]] = []
        self._closed = threading.Event()

    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    @contextmanager
    def reading(self) -> Iterator[bool]:
        """Context for one device call; yields False when the source is already closed (skip the call)."""
        with self._lock:
            self._busy = True
            is_open = not self._closed.is_set()
        try:
            yield is_open
        finally:
            with self._lock:
                self._busy = False
                pending, self._pending = self._pending, []
            for release in pending:
                release()

    def close(self, release: Callable[[], None]) -> None:
        """Mark closed; ``release`` runs now, or when the device call in progress returns."""
        with self._lock:
            self._closed.set()
            if self._busy:
                self._pending.append(release)
                return
        release()

    def wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds`` (a reconnect backoff); returns early, True, once closed."""
        return self._closed.wait(seconds)
