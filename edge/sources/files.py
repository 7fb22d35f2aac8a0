"""Replayable sources: a video file or a folder of images (sorted by name, one image one frame)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

from edge.errors import ImageReadError
from edge.imageio import read_image
from edge.sources.base import Frame, FrameSource, Pacer, ReadGuard, SourceError

log = logging.getLogger(__name__)
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp"}
#: frame rate assumed for folders when none is given (timestamps = index / rate)
DEFAULT_FOLDER_FPS = 10.0


class VideoFileSource(FrameSource):
    """Frames of a video file; timestamps from the container (or index / fps).

    With ``loop`` the file is replayed forever; frame indexes and timestamps keep increasing
    across passes, so every pass gives new read ids.
    """

    def __init__(self, path: Path, fps: float | None = None, loop: bool = False) -> None:
        import cv2

        self.path, self.name, self.fps, self.loop = Path(path), str(path), fps, loop
        self._capture = cv2.VideoCapture(str(path))
        if not self._capture.isOpened():
            raise SourceError(f"{path}: cannot open as video")
        self.native_fps = self._capture.get(cv2.CAP_PROP_FPS) or 10.0
        self.passes = 0
        # close() from another thread (a signal handler) must not release the capture under a read
        self._guard = ReadGuard()

    def frames(self) -> Iterator[Frame]:
        import cv2

        pacer = Pacer(self.fps)
        index, offset, last_ts = 0, 0.0, 0.0
        yielded = False  # in the current pass
        while True:
            with self._guard.reading() as is_open:
                ok, image = self._capture.read() if is_open else (False, None)
                position = self._capture.get(cv2.CAP_PROP_POS_MSEC) if ok else None  # the frame just read
            if not ok:
                self.passes += 1
                if not self.loop or self._guard.closed:
                    break
                if not yielded:
                    raise SourceError(f"{self.path}: no readable frame in a whole pass; cannot loop it")
                yielded = False
                with self._guard.reading() as is_open:
                    if not is_open:
                        break
                    self._capture.release()
                    self._capture = cv2.VideoCapture(str(self.path))
                    reopened = self._capture.isOpened()
                if not reopened:
                    raise SourceError(f"{self.path}: cannot reopen for the next pass")
                offset = last_ts + 1.0 / self.native_fps
                continue
            if image is None or image.size == 0:
                self.skipped += 1
                index += 1
                continue
            ts = position / 1000.0 if position is not None and position >= 0 else index / self.native_fps
            last_ts = offset + max(0.0, ts)
            pacer.wait()
            yield Frame(image, index, round(last_ts, 6), self.name)
            yielded = True
            index += 1

    def close(self) -> None:
        """Stop; the capture is released now, or by the reading thread once its read returns."""
        self._guard.close(lambda: self._capture.release())


class ImageFolderSource(FrameSource):
    """Images of a folder sorted by name; timestamps ``index / fps``; unreadable images are skipped.

    With ``loop`` the folder is replayed forever (indexes keep increasing across passes).
    """

    def __init__(self, path: Path, fps: float | None = None, loop: bool = False) -> None:
        self.path, self.name, self.fps, self.loop = Path(path), str(path), fps, loop
        self.files = sorted(p for p in self.path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        if not self.files:
            raise SourceError(f"{path}: no images (.jpg, .png, .bmp) in the folder")
        self.passes = 0
        self._closed = False

    def frames(self) -> Iterator[Frame]:
        pacer = Pacer(self.fps)
        rate = self.fps or DEFAULT_FOLDER_FPS
        index = 0
        while not self._closed:
            yielded = False
            for file in self.files:
                try:
                    image = read_image(file)
                except ImageReadError as exc:
                    self.skipped += 1
                    log.warning("skipped frame %d: %s", index, exc)
                    index += 1
                    continue
                pacer.wait()
                yield Frame(image, index, round(index / rate, 6), self.name)
                yielded = True
                index += 1
            self.passes += 1
            if not self.loop:
                break
            if not yielded:
                raise SourceError(f"{self.path}: no readable image in the folder; cannot loop it")

    def close(self) -> None:
        self._closed = True
