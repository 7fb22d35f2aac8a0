"""Frame sources: video files, image folders, OpenCV cameras and streams, Picamera2.

Every frame carries its index and a timestamp from the source (file position or capture time),
so replaying the same file yields the same reads.
"""

from edge.sources.base import Frame, FrameSource, open_source

__all__ = ["Frame", "FrameSource", "open_source"]
