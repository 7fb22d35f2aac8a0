"""The embedded default sink: one JSON line per read on stdout (acknowledged once written)."""

from __future__ import annotations

import json
import sys
import threading

from edge.outbox import Outbox


class StdoutPublisher:
    connected = True

    def __init__(self, outbox: Outbox, stream=None) -> None:
        self.outbox = outbox
        self.stream = stream or sys.stdout
        self._lock = threading.Lock()

    def start(self) -> None:
        self.notify()

    def notify(self) -> None:
        """Write every pending read, oldest first, then acknowledge it."""
        with self._lock:
            for read_id, read, _ in self.outbox.pending(limit=1000):
                self.stream.write(json.dumps(read) + "\n")
                self.stream.flush()
                self.outbox.ack(read_id)

    def stop(self) -> None:
        self.notify()
