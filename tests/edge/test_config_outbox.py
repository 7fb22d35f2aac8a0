import os
import sqlite3

import pytest

from edge.config import load_agent_config
from edge.errors import ConfigError
from edge.filters import ReadFilter
from edge.outbox import Outbox, StateDirError
from edge.types import Box


def _read(i):
    return {"id": f"id{i}", "plate": f"AB{i}", "ts": f"2026-01-01T00:00:0{i}Z"}


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("source: [1\n", "malformed YAML"),
        ("fps: fast\n", "fps"),
        ("mqtt: {port: 70000}\n", "mqtt.port"),
        ("colour: red\n", "colour"),
        ("filters: {patterns: ['[A-Z']}\n", "filters.patterns"),
        ("device_id: 'a b'\n", "device_id"),
        ("http: {port: -1}\n", "http.port"),
        ("http: {max_upload_mb: 0}\n", "http.max_upload_mb"),
        ("health: {stall_seconds: 0}\n", "health.stall_seconds"),
        ("http: {bind: x}\n", "http.bind"),
        ("ocr: {formats: [br_old, xx]}\n", "ocr.formats.*unknown plate format 'xx'"),
        ("ocr: {format_max_penalty: -1}\n", "ocr.format_max_penalty"),
        ("ocr: {several_crops: maybe}\n", "ocr.several_crops"),
        ("ocr: {level_sloped: maybe}\n", "ocr.level_sloped"),
        ("detector: {second_look: maybe}\n", "detector.second_look"),
        ("tracker: {keep_observations: 4}\n", "tracker.*keep_observations .4. must be at least"),
    ],
)
def test_bad_config_names_the_field(tmp_path, text, fragment):
    path = tmp_path / "agent.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=fragment):
        load_agent_config(path)


def test_flags_override_yaml(tmp_path):
    path = tmp_path / "agent.yaml"
    path.write_text("device_id: gate\nmqtt: {host: broker, port: 1884}\n")
    cfg = load_agent_config(path, {"mqtt.port": 1999, "fps": None})
    assert cfg.device_id == "gate" and cfg.mqtt.host == "broker" and cfg.mqtt.port == 1999


def test_example_config_validates():
    assert load_agent_config("edge/deploy/agent.example.yaml").device_id == "driveway"


def test_secret_from_env_and_file_never_in_repr(tmp_path, monkeypatch):
    secret_file = tmp_path / "pw"
    secret_file.write_text("from-file\n")
    monkeypatch.setenv("PW", "from-env")
    cfg = load_agent_config(None, {"mqtt.password": {"env": "PW"}})
    assert cfg.mqtt.password.resolve() == "from-env" and "from-env" not in repr(cfg)
    cfg = load_agent_config(None, {"mqtt.password": {"file": str(secret_file)}})
    assert cfg.mqtt.password.resolve() == "from-file"
    with pytest.raises(ConfigError, match="NOPE_VAR"):
        load_agent_config(None, {"mqtt.password": {"env": "NOPE_VAR"}}).mqtt.password.resolve()


def test_filters():
    cfg = load_agent_config(
        None,
        {
            "filters": {
                "min_plate_width": 20,
                "patterns": ["[A-Z]{3}[0-9]{4}"],
                "deny": ["BAD1234"],
                "allow": [{"plate": "ABC1234", "label": "family"}],
                "zone": [[0, 0], [100, 0], [100, 100], [0, 100]],
            }
        },
    )
    f = ReadFilter(cfg.filters)
    assert f.keep_read("ABC1234", 0.9) and f.label("ABC1234") == "family"
    assert not f.keep_read("BAD1234", 0.9) and not f.keep_read("AB12", 0.9) and not f.keep_read("ABC1234", 0.1)
    assert f.keep_detection(Box(10, 10, 50, 20), 0.9) and not f.keep_detection(Box(200, 10, 250, 20), 0.9)
    assert not f.keep_detection(Box(10, 10, 15, 20), 0.9)  # narrower than min_plate_width
    default = ReadFilter(load_agent_config(None, {}).filters)  # 56 px: far glimpses are not read
    assert not default.keep_detection(Box(10, 10, 50, 20), 0.9) and default.keep_detection(Box(10, 10, 70, 20), 0.9)
    assert not default.keep_detection(Box(10, 10, 30, 80), 0.9)
    on_end = ReadFilter(load_agent_config(None, {}).filters, plates_on_end=True)  # the detector's sideways look
    assert on_end.keep_detection(Box(10, 10, 30, 80), 0.9) and not on_end.keep_detection(Box(10, 10, 20, 50), 0.9)


def test_allow_list_matched_through_candidates_only_when_asked():
    gate = {"allow": [{"plate": "OEC617", "label": "family"}], "allow_only": True}
    strict = ReadFilter(load_agent_config(None, {"filters": gate}).filters)
    read_0 = ("0EC617", 0.9, ["0EC617", "OEC617"])  # the known plate read with a zero, the truth a candidate
    assert not strict.keep_read(*read_0) and strict.label("0EC617", ["OEC617"]) is None
    assert strict.allowed("OEC617") == "OEC617" and strict.label("OEC617") == "family"
    loose = ReadFilter(load_agent_config(None, {"filters": {**gate, "allow_candidates": True}}).filters)
    assert loose.keep_read(*read_0) and loose.label("0EC617", ["OEC617"]) == "family"
    assert loose.allowed("0EC617", ["0EC617", "OEC617"]) == "OEC617"
    assert not loose.keep_read("0EC618", 0.9, ["0EC618", "OEC618"]) and loose.allowed("0EC618", ["OEC618"]) is None


def test_outbox_order_ack_bound_and_log(tmp_path):
    box = Outbox(tmp_path, max_items=3)
    for i in range(5):
        box.put(_read(i))
    assert box.put(_read(4)) is False  # idempotent
    assert [i for i, _, _ in box.pending()] == ["id2", "id3", "id4"]
    assert box.dropped() == 2
    box.ack("id2")
    assert box.size() == 2 and [r["id"] for r in box.reads_since("2026-01-01T00:00:03Z")] == ["id3", "id4"]
    assert oct(os.stat(tmp_path).st_mode & 0o777) == "0o700"


def test_corrupt_outbox_is_moved_aside(tmp_path, caplog):
    (tmp_path / "outbox.db").write_bytes(b"this is not a database" * 100)
    box = Outbox(tmp_path)
    box.put(_read(1))
    assert box.size() == 1
    assert any(p.name.startswith("outbox.db.corrupt-") for p in tmp_path.iterdir())
    assert "moved aside" in caplog.text


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write to read-only folders")
def test_read_only_state_dir(tmp_path):
    tmp_path.chmod(0o500)
    with pytest.raises(StateDirError, match="not writable"):
        Outbox(tmp_path / "state")


def test_full_disk_is_a_clear_error(tmp_path, monkeypatch):
    box = Outbox(tmp_path)

    class Full:
        in_transaction = False

        def execute(self, *args):
            raise sqlite3.OperationalError("database or disk is full")

    box._db = Full()
    with pytest.raises(StateDirError, match="disk full or read-only"):
        box.put(_read(1))


def _mount_tmpfs(path, options: str) -> bool:
    """Mount a small tmpfs (root only, where the container allows it); False when it cannot."""
    import subprocess

    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        return False
    return (
        subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)], capture_output=True).returncode == 0
    )


def _umount(path) -> None:
    import subprocess

    subprocess.run(["umount", "-l", str(path)], capture_output=True)  # lazy: an open database cannot block it


def test_read_only_filesystem_is_a_clear_error(tmp_path):
    """A state directory on a read-only mount (root ignores folder permissions, not a ro mount)."""
    mount = tmp_path / "ro"
    if not _mount_tmpfs(mount, "ro,size=1m"):
        pytest.skip("needs root and permission to mount a tmpfs")
    try:
        with pytest.raises(StateDirError):
            Outbox(mount / "state")
    finally:
        _umount(mount)


def test_really_full_disk_keeps_stored_reads(tmp_path):
    """A tiny tmpfs fills up: one clear error, and the reads stored before it are still there."""
    mount = tmp_path / "small"
    if not _mount_tmpfs(mount, "size=512k"):
        pytest.skip("needs root and permission to mount a tmpfs")
    try:
        box = Outbox(mount)
        stored = 0
        with pytest.raises(StateDirError, match="disk full or read-only"):
            for i in range(100000):
                box.put({"id": f"id{i}", "plate": "AB123", "ts": "2026-01-01T00:00:00Z", "pad": "x" * 2000})
                stored += 1
        assert stored > 0 and box.size() == stored
        assert [read_id for read_id, _read, _snapshot in box.pending(limit=stored)] == [f"id{i}" for i in range(stored)]
        box.close()
    finally:
        _umount(mount)
