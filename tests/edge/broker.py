"""A real mosquitto on a free loopback port for tests, plus a subscriber that collects messages."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mosquitto:
    def __init__(
        self,
        workdir: Path,
        port: int | None = None,
        extra: str = "",
        allow_anonymous: bool = True,
        persistent: bool = False,
    ) -> None:
        self.workdir, self.port = workdir, port or free_port()
        # persistent: sessions and queued QoS 1 messages survive a restart (saved on clean shutdown)
        persistence = f"persistence true\npersistence_location {workdir}/\n" if persistent else "persistence false\n"
        self.config = workdir / f"mosquitto-{self.port}.conf"
        # as root, mosquitto drops to user 'mosquitto', which cannot read pytest's private tmp folders
        user = "user root\n" if os.geteuid() == 0 else ""
        self.config.write_text(
            f"listener {self.port} 127.0.0.1\nallow_anonymous {str(allow_anonymous).lower()}\n"
            f"{persistence}{user}{extra}"
        )
        self.process: subprocess.Popen | None = None

    def start(self) -> Mosquitto:
        self.process = subprocess.Popen(
            ["mosquitto", "-c", str(self.config)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"mosquitto did not start: {self.process.stderr.read().decode() if self.process else ''}")

    def stop(self) -> None:
        if self.process:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


def require_mosquitto() -> None:
    if shutil.which("mosquitto") is None:
        pytest.skip("mosquitto is not installed (apt-get install mosquitto; .ci/run does it)")


class Collector:
    """Subscribes to topics and keeps (topic, payload, retain) tuples."""

    def __init__(self, port: int, topics: list[str], client_id: str | None = None, **tls) -> None:
        """With ``client_id`` the session is persistent: messages published while offline are queued."""
        import paho.mqtt.client as mqtt

        self.messages: list[tuple[str, bytes, bool]] = []
        self._lock = threading.Lock()
        if client_id:
            self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=False)
        else:
            self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
        self.client.reconnect_delay_set(min_delay=0.2, max_delay=1)
        if tls:
            self.client.tls_set(**tls)
        self.client.on_message = self._on_message
        self.client.on_connect = lambda c, u, f, rc, p: [c.subscribe(t, qos=1) for t in topics]
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()

    def _on_message(self, client, userdata, message) -> None:
        with self._lock:
            self.messages.append((message.topic, message.payload, message.retain))

    def payloads(self, topic: str) -> list[bytes]:
        with self._lock:
            return [p for t, p, _ in self.messages if t == topic]

    def wait_for(self, predicate, timeout: float = 20.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return True
            time.sleep(0.05)
        return predicate()

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()
