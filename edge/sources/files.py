"""Replayable sources: a video file or a folder of images (sorted by name, one image one frame)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

from edge.errors import ImageReadError
from edge.imageio import read_image
from edge.sources.base import Frame, FrameSource, Pacer, SourceError

log = logging.getLogger(__name__)
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp"}
#: frame rate assumed for folders when none is given (timestamps = index / rate)
DEFAULT_FOLDER_FPS = 10.0


class VideoFileSource(FrameSource):
    """Frames of a video file; timestamps from the container (or index / fps)."""

    def __init__(self, path: Path, fps: float | None = None) -> None:
        import cv2

        self.path, self.name, self.fps = Path(path), str(path), fps
        self._capture = cv2.VideoCapture(str(path))
        if not self._capture.isOpened():
            raise SourceError(f"{path}: cannot open as video")
        self.native_fps = self._capture.get(cv2.CAP_PROP_FPS) or 10.0

    def frames(self) -> Iterator[Frame]:
        import cv2

        pacer = Pacer(self.fps)
        index = 0
        while True:
            ok, image = self._capture.read()
            if not ok:
                break
            if image is None or image.size == 0:
                self.skipped += 1
                index += 1
                continue
            position = self._capture.get(cv2.CAP_PROP_POS_MSEC)  # the frame just read, from the container
            ts = position / 1000.0 if position is not None and position >= 0 else index / self.native_fps
            pacer.wait()
            yield Frame(image, index, max(0.0, round(ts, 6)), self.name)
            index += 1

    def close(self) -> None:
        self._capture.release()


class ImageFolderSource(FrameSource):
    """Images of a folder sorted by name; timestamps ``index / fps``; unreadable images are skipped."""

    def __init__(self, path: Path, fps: float | None = None) -> None:
        self.path, self.name, self.fps = Path(path), str(path), fps
        self.files = sorted(p for p in self.path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        if not self.files:
            raise SourceError(f"{path}: no images (.jpg, .png, .bmp) in the folder")

    def frames(self) -> Iterator[Frame]:
        pacer = Pacer(self.fps)
        rate = self.fps or DEFAULT_FOLDER_FPS
        for index, file in enumerate(self.files):
            try:
                image = read_image(file)
            except ImageReadError as exc:
                self.skipped += 1
                log.warning("skipped frame %d: %s", index, exc)
                continue
            pacer.wait()
            yield Frame(image, index, round(index / rate, 6), self.name)
