"""Serve the API with uvicorn on a socket we bind ourselves (clear errors, port 0 works).

The server runs in a background thread (``start``/``stop``), so the caller keeps its own signal
handling: uvicorn only installs handlers in the main thread.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import threading
import time

from edge.errors import AnprError

log = logging.getLogger(__name__)


class ApiServer:
    """One uvicorn server bound to ``host:port``."""

    def __init__(self, app, host: str, port: int, has_token: bool) -> None:
        import uvicorn

        self.socket = _bind(host, port)
        self.host, self.port = host, self.socket.getsockname()[1]
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off", timeout_keep_alive=5)
        self.server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None
        if not has_token and not _is_loopback(host):
            log.warning("HTTP API on %s:%d without a token: anyone on the network can read plates", host, self.port)

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def _serve(self) -> None:
        log.info("HTTP API on %s", self.url)
        self.server.run(sockets=[self.socket])

    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, timeout: float = 10.0) -> None:
        self._thread = threading.Thread(target=self._serve, name="http", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise AnprError(f"HTTP API on {self.url} did not start (see the log above)")
            time.sleep(0.02)

    def stop(self, timeout: float = 5.0) -> None:
        self.server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)
        self.socket.close()


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise AnprError(f"HTTP API cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
