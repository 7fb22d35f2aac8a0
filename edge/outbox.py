"""Durable outbox and local read log in SQLite (WAL).

Every read is stored before it is published and leaves the outbox only when the broker
acknowledges it, so a broker outage or a killed agent loses nothing: on restart the outbox is
sent again, oldest first (at-least-once, stable ids). The ``reads`` table keeps a bounded log
that ``anpr reads`` queries.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
import time
from pathlib import Path

from edge.errors import AnprError

log = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT UNIQUE NOT NULL,
                                   payload TEXT NOT NULL, snapshot BLOB);
CREATE TABLE IF NOT EXISTS reads (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT UNIQUE NOT NULL,
                                  ts TEXT NOT NULL, plate TEXT NOT NULL, payload TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""


class StateDirError(AnprError):
    """The state directory cannot be created or written."""


def prepare_state_dir(path: Path) -> Path:
    """Create the state directory with mode 0700 and check it is writable."""
    path = Path(path)
    try:
        path.mkdir(parents=True, exist_ok=True)
        os.chmod(path, 0o700)
        probe = path / ".write-test"
        probe.write_bytes(b"x")
        probe.unlink()
    except OSError as exc:
        raise StateDirError(f"{path}: state directory not writable ({exc.strerror or exc})") from None
    return path


class Outbox:
    """Thread-safe SQLite outbox bounded to ``max_items`` (oldest dropped and counted)."""

    def __init__(self, state_dir: Path, max_items: int = 100000, name: str = "outbox.db") -> None:
        self.path = prepare_state_dir(state_dir) / name
        self.max_items = max_items
        self._lock = threading.Lock()
        self._db = self._open()

    def _open(self) -> sqlite3.Connection:
        try:
            db = self._connect()
            if db.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise sqlite3.DatabaseError("integrity check failed")
            return db
        except sqlite3.DatabaseError as exc:
            aside = self.path.with_name(f"{self.path.name}.corrupt-{int(time.time())}")
            for suffix in ("", "-wal", "-shm"):
                candidate = Path(str(self.path) + suffix)
                if candidate.exists():
                    candidate.replace(Path(str(aside) + suffix))
            log.error("outbox %s is corrupt (%s): moved aside to %s, starting a new one", self.path, exc, aside.name)
            return self._connect()
        except sqlite3.OperationalError as exc:
            raise StateDirError(f"{self.path}: cannot open the outbox ({exc})") from None

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=10)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.executescript(_SCHEMA)
        return db

    def put(self, read: dict, snapshot: bytes | None = None) -> bool:
        """Store a read (idempotent on its id); False when it was already there."""
        payload = json.dumps(read, separators=(",", ":"))
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                cursor = self._db.execute(
                    "INSERT OR IGNORE INTO outbox (id, payload, snapshot) VALUES (?, ?, ?)",
                    (read["id"], payload, snapshot),
                )
                self._db.execute(
                    "INSERT OR IGNORE INTO reads (id, ts, plate, payload) VALUES (?, ?, ?, ?)",
                    (read["id"], read["ts"], read["plate"], payload),
                )
                dropped = self._trim("outbox")
                self._trim("reads")
                if dropped:
                    self._db.execute(
                        "INSERT INTO meta (key, value) VALUES ('dropped', ?) ON CONFLICT(key) DO "
                        "UPDATE SET value = value + excluded.value",
                        (dropped,),
                    )
                self._db.execute("COMMIT")
            except sqlite3.OperationalError as exc:
                self._db.execute("ROLLBACK") if self._db.in_transaction else None
                raise StateDirError(
                    f"{self.path}: cannot store a read ({exc}): is the disk full or read-only?"
                ) from None
            if dropped:
                log.warning("outbox full: dropped the %d oldest unsent read(s)", dropped)
            return cursor.rowcount == 1

    def _trim(self, table: str) -> int:
        (count,) = self._db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()
        excess = count - self.max_items
        if excess > 0:
            self._db.execute(
                f"DELETE FROM {table} WHERE seq IN (SELECT seq FROM {table} ORDER BY seq LIMIT ?)", (excess,)
            )
        return max(0, excess)

    def pending(self, limit: int = 100, exclude: set[str] | None = None) -> list[tuple[str, dict, bytes | None]]:
        """Unacknowledged reads, oldest first: (id, read, snapshot)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT id, payload, snapshot FROM outbox ORDER BY seq LIMIT ?", (limit + len(exclude or ()),)
            ).fetchall()
        out = [(i, json.loads(p), s) for i, p, s in rows if not exclude or i not in exclude]
        return out[:limit]

    def ack(self, read_id: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM outbox WHERE id = ?", (read_id,))

    def size(self) -> int:
        with self._lock:
            return self._db.execute("SELECT COUNT(*) FROM outbox").fetchone()[0]

    def dropped(self) -> int:
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key = 'dropped'").fetchone()
        return row[0] if row else 0

    def reads_since(self, since: str | None = None, limit: int = 1000) -> list[dict]:
        """Logged reads with ``ts`` >= ``since`` (ISO 8601), oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT payload FROM reads WHERE ts >= ? ORDER BY seq LIMIT ?", (since or "", limit)
            ).fetchall()
        return [json.loads(p) for (p,) in rows]

    def close(self) -> None:
        with self._lock:
            self._db.close()
