"""MQTT publishing with paho 2.x: QoS 1 from the durable outbox, retained status with a last will,
optional snapshots and Home Assistant discovery. Secrets are never logged.

Topics (``<p>`` = topic prefix, default ``anpr``):
- ``<p>/<device_id>/plates``: one JSON read per message (QoS 1, not retained);
- ``<p>/<device_id>/snapshot/<id>``: the plate crop as JPEG, when enabled;
- ``<p>/<device_id>/status``: ``online``/``offline``, retained; ``offline`` is also the last will.
"""

from __future__ import annotations

import contextlib
import json
import logging
import ssl
import threading
import time

from edge.config import MqttConfig
from edge.outbox import Outbox

log = logging.getLogger(__name__)


class MqttPublisher:
    def __init__(self, cfg: MqttConfig, device_id: str, outbox: Outbox, model_versions: dict | None = None) -> None:
        import paho.mqtt.client as mqtt

        self.cfg, self.device_id, self.outbox = cfg, device_id, outbox
        base = f"{cfg.topic_prefix}/{device_id}"
        self.topic_plates, self.topic_status = f"{base}/plates", f"{base}/status"
        self.topic_snapshot = f"{base}/snapshot"
        self.model_versions = model_versions or {}
        self.connected = False
        self.last_error: str | None = None
        self._inflight: dict[int, str] = {}
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"anpr-{device_id}", clean_session=True)
        client.enable_logger(logging.getLogger("paho"))
        client.will_set(self.topic_status, "offline", qos=1, retain=True)
        if cfg.username:
            password = cfg.password.resolve() if cfg.password else None
            client.username_pw_set(cfg.username, password)
        if cfg.tls:
            client.tls_set(
                ca_certs=str(cfg.tls.ca_file),
                certfile=str(cfg.tls.cert_file) if cfg.tls.cert_file else None,
                keyfile=str(cfg.tls.key_file) if cfg.tls.key_file else None,
                cert_reqs=ssl.CERT_REQUIRED,
                tls_version=ssl.PROTOCOL_TLS_CLIENT,
            )
            client.tls_insecure_set(cfg.tls.insecure)
        client.reconnect_delay_set(min_delay=1, max_delay=30)
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_publish = self._on_publish
        self.client = client

    # --- paho callbacks (network thread)
    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:
        if reason_code.is_failure:
            self.last_error = f"broker {self.cfg.host}:{self.cfg.port} refused the connection: {reason_code}"
            log.error("%s (check username/password); retrying", self.last_error)
            return
        self.connected, self.last_error = True, None
        log.info("connected to MQTT broker %s:%d", self.cfg.host, self.cfg.port)
        client.publish(self.topic_status, "online", qos=1, retain=True)
        if self.cfg.discovery:
            self._publish_discovery(client)
        with self._lock:
            self._inflight.clear()  # unacknowledged messages are resent from the outbox
        self._wake.set()

    def _on_disconnect(self, client, userdata, flags, reason_code, properties) -> None:
        if self.connected:
            log.warning("disconnected from MQTT broker (%s); reads stay in the outbox", reason_code)
        self.connected = False

    def _on_publish(self, client, userdata, mid, reason_code, properties) -> None:
        with self._lock:
            read_id = self._inflight.pop(mid, None)
        if read_id is not None:
            self.outbox.ack(read_id)
            self._wake.set()

    def _publish_discovery(self, client) -> None:
        node = f"anpr_{self.device_id}"
        config = {
            "name": "Last plate",
            "unique_id": f"{node}_last_plate",
            "state_topic": self.topic_plates,
            "value_template": "{{ value_json.plate }}",
            "json_attributes_topic": self.topic_plates,
            "availability_topic": self.topic_status,
            "payload_available": "online",
            "payload_not_available": "offline",
            "icon": "mdi:car",
            "device": {
                "identifiers": [node],
                "name": f"ANPR {self.device_id}",
                "manufacturer": "anpr-edge-kit",
                "model": "edge agent",
            },
        }
        client.publish(
            f"{self.cfg.discovery_prefix}/sensor/{node}/last_plate/config", json.dumps(config), qos=1, retain=True
        )

    # --- sender thread
    def start(self) -> None:
        try:
            self.client.connect_async(self.cfg.host, self.cfg.port, keepalive=self.cfg.keepalive)
        except (OSError, ValueError) as exc:
            log.error("MQTT %s:%d: %s; will keep retrying", self.cfg.host, self.cfg.port, exc)
        self.client.loop_start()
        self._thread = threading.Thread(target=self._sender, name="mqtt-sender", daemon=True)
        self._thread.start()

    def notify(self) -> None:
        self._wake.set()

    def _sender(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(1.0)
            self._wake.clear()
            if not self.connected:
                continue
            with self._lock:
                busy = set(self._inflight.values())
            if len(busy) >= 50:
                continue
            for read_id, read, snapshot in self.outbox.pending(limit=50 - len(busy), exclude=busy):
                if not self.connected:
                    break
                if snapshot and self.cfg.snapshots:
                    self.client.publish(f"{self.topic_snapshot}/{read_id}", snapshot, qos=1)
                info = self.client.publish(self.topic_plates, json.dumps(read), qos=1)
                if info.rc != 0:
                    break
                with self._lock:
                    if info.is_published():  # acknowledged before we recorded it
                        self.outbox.ack(read_id)
                    else:
                        self._inflight[info.mid] = read_id

    def wait_drained(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.outbox.size() == 0:
                return True
            self._wake.set()
            time.sleep(0.1)
        return self.outbox.size() == 0

    def stop(self) -> None:
        """Publish ``offline`` (retained), disconnect cleanly; unsent reads stay in the outbox."""
        self._stop.set()
        self._wake.set()
        if self.connected:
            info = self.client.publish(self.topic_status, "offline", qos=1, retain=True)
            with contextlib.suppress(RuntimeError, ValueError):
                info.wait_for_publish(timeout=3)
        self.client.disconnect()
        self.client.loop_stop()
