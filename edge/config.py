"""Agent configuration: frozen pydantic models loaded from YAML, with errors that name the field."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from edge.errors import ConfigError
from edge.formats import DEFAULT_MAX_PENALTY, compile_formats
from edge.text import ALPHABET


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Secret(_Frozen):
    """A secret given inline, by environment variable or by file (never logged)."""

    value: str | None = Field(default=None, repr=False)
    """The secret itself (prefer env or file)."""
    env: str | None = None
    """Name of an environment variable holding it."""
    file: Path | None = None
    """A file holding it (trailing newline stripped)."""

    def resolve(self) -> str | None:
        if self.value is not None:
            return self.value
        if self.env:
            if self.env not in os.environ:
                raise ConfigError(f"environment variable {self.env} (a secret) is not set")
            return os.environ[self.env]
        if self.file:
            try:
                return self.file.read_text().rstrip("\n")
            except OSError as exc:
                raise ConfigError(f"{self.file}: cannot read secret file ({exc.strerror})") from None
        return None

    def __repr__(self) -> str:  # never show the value
        return f"Secret(env={self.env!r}, file={self.file!r})"


class TlsConfig(_Frozen):
    """TLS to the broker."""

    ca_file: Path
    """CA certificate that signed the broker's certificate."""
    cert_file: Path | None = None
    """Client certificate (optional)."""
    key_file: Path | None = None
    """Client key (optional)."""
    insecure: bool = False
    """Skip host name verification (testing only)."""


class MqttConfig(_Frozen):
    """Where and how reads are published. Without a host, reads go to stdout and the local store only."""

    host: str | None = None
    """Broker host name; None disables MQTT."""
    port: int = Field(default=1883, ge=1, le=65535)
    """Broker port."""
    username: str | None = None
    """User name for the broker."""
    password: Secret | None = None
    """Password (inline, env or file)."""
    tls: TlsConfig | None = None
    """TLS settings (None: plain TCP)."""
    keepalive: int = Field(default=30, ge=5, le=3600)
    """Keepalive in seconds."""
    topic_prefix: str = "anpr"
    """Topics are <prefix>/<device_id>/..."""
    snapshots: bool = False
    """Publish the plate crop as JPEG on <prefix>/<device_id>/snapshot/<id>."""
    discovery: bool = False
    """Publish Home Assistant MQTT discovery for a 'last plate' sensor."""
    discovery_prefix: str = "homeassistant"
    """Home Assistant's discovery prefix."""


class KnownPlate(_Frozen):
    plate: str
    """Normalised plate text."""
    label: str
    """Label published with the read (for example 'family car')."""


class FilterConfig(_Frozen):
    """Which reads are published."""

    min_plate_width: float = Field(default=56.0, ge=0.0)
    """Minimum plate box width in frame pixels (the box's longer side with ``detector.sideways``); narrower
    plates are not read. Measured on generated
    scenes, the reader gets 22 % of 40-60 px plates right and 48 % of 60-80 px ones; on 60 generated
    clips 56 px (instead of 20) halved the wrong reads (far glimpses of a plate read right later) and
    read as many plates. Lower it for a camera that only ever sees plates this small."""
    min_detection_score: float = Field(default=0.0, ge=0.0, le=1.0)
    """Minimum detector score (0: the model card's threshold decides)."""
    min_read_confidence: float = Field(default=0.5, ge=0.0, le=1.0)
    """Minimum voted read confidence (weakest character)."""
    patterns: list[str] = []
    """Regexes a plate must match (any); empty accepts every text of 2-10 characters."""
    allow: list[KnownPlate] = []
    """Known plates with labels; when ``allow_only`` is set only these are published."""
    allow_only: bool = False
    """Publish only plates in ``allow``."""
    allow_candidates: bool = False
    """Also match ``allow`` against a read's candidate texts (``ocr.candidates``): a read whose plate is
    not listed but one of whose candidates is gets that plate's label (and passes ``allow_only``), and
    the read names it in ``allowed_plate``. For a gate whose known plates the reader confuses (O and 0,
    a dropped character). Off by default: a stranger's plate one such character away from a known one
    matches too."""
    deny: list[str] = []
    """Plates never published."""
    zone: list[tuple[float, float]] | None = None
    """Polygon (frame pixels) the plate centre must lie in; None is the whole frame."""

    @field_validator("patterns")
    @classmethod
    def _compile(cls, patterns: list[str]) -> list[str]:
        import re

        for p in patterns:
            try:
                re.compile(p)
            except re.error as exc:
                raise ValueError(f"bad regex {p!r}: {exc}") from None
        return patterns


class DetectorConfig(_Frozen):
    """How plates are found."""

    second_look: bool = True
    """Look again, closer, at the few most likely plate candidates of a frame (the detector card's
    ``decode.second_look``: the model runs once more on a window around each, up to its
    ``max_candidates``), which finds more small and doubtful plates and tightens their boxes; frames
    without a candidate cost nothing more. False: one run of the detector per frame (fastest)."""
    mirror: bool | None = None
    """Run each frame's first look also on the mirrored frame and average the two heatmaps (one more run
    of the detector per frame it runs on; boxes unchanged): fewer false plates at the same threshold.
    None: as the detector card's ``decode.mirror`` says (off when it has none)."""
    sideways: bool | None = None
    """Images may be stored on their side (phone photos sent to the HTTP API or read from a folder whose
    orientation tag was lost): the first look also runs on the frame turned a quarter (one more run of the
    detector per frame), plates standing on end join the candidates, and the reader reads a plate taller
    than wide also turned a quarter each way, keeping the read with the most sure characters. A camera is
    mounted one way: leave it off for video.
    None: as the detector card's ``decode.sideways`` says (off when it has none)."""


class OcrConfig(_Frozen):
    """How plate text is decoded."""

    formats: list[str] = []
    """Plate formats this site sees: names (br_old, br_mercosul, fr_siv, fr_fni, sk, cz, de, ro, it, nl,
    pl, tn; see edge.formats) or patterns of L (letter), D (digit), A (either) and literal characters,
    for example LLLDDDD. The reader then prefers the most probable text that fits one (0/O, 1/I, 8/B
    decided by position). Empty: read freely."""
    format_max_penalty: float = Field(default=DEFAULT_MAX_PENALTY, ge=0.0)
    """How much less probable (natural log) the format-fitting read may be than the free read and still
    win; 4.6 = 100x. Higher forces the formats harder; a plate from elsewhere keeps its free read."""
    several_crops: bool = True
    """Read each plate from the OCR model card's crops (``read_crops``: the trained margin, tighter and
    looser) when the first read is unsure, combined as the card's ``read_crops.combine`` says (the
    likeliest text under all the crops, or a vote); about 1.6 OCR runs per plate instead
    of 1. False reads the trained crop once (fastest)."""
    candidates: int = Field(default=3, ge=0, le=8)
    """Texts each published read lists as ``candidates`` (the voted plate first, then what else the
    plate may be, each with its probability averaged over the crops read): on the held-out plates the
    truth was among the first 3 of 96.0 % of the reads against 92.1 % for the plate alone, mostly O/0 and
    dropped characters. An allow-list or a search can match them. 0: no ``candidates`` key (saves a beam
    search per read)."""
    candidate_min_probability: float = Field(default=0.01, ge=0.0, le=1.0)
    """Candidates other than the plate itself that are less probable than this are not listed (on the
    held-out plates 0.01 kept 33 of the 34 right alternatives and dropped 58 % of the wrong ones)."""
    level_sloped: bool = True
    """Read a plate whose text slopes (seen from the side, a tilted camera) a second time sheared level,
    when the OCR model card's ``read_crops.level`` says how (and keep the likelier text); False reads
    plates as they are."""
    two_rows: bool = True
    """Read a plate that may have two rows of text (square European rear plates, motorcycle plates) a
    second time with its rows side by side, when the OCR model card's ``read_crops.two_rows`` says how
    (that read is kept when it is surer and longer); False reads every plate as one row."""

    @field_validator("formats")
    @classmethod
    def _known(cls, formats: list[str]) -> list[str]:
        compile_formats(formats, ALPHABET)  # raises ValueError naming the bad entry
        return formats


class TrackerConfig(_Frozen):
    """Tracking and voting."""

    iou: float = Field(default=0.2, gt=0.0, le=1.0)
    """Minimum IoU between a detection and a track's predicted box (its last box moved at its recent
    velocity) to continue the track."""
    max_missed: int = Field(default=8, ge=0)
    """Frames a track survives without a detection before it ends (a plate the detector loses for a
    few frames stays one track)."""
    min_reads: int = Field(default=2, ge=1)
    """Reads a track needs before it may be published."""
    emit_after: int = Field(default=8, ge=1)
    """Publish early after this many agreeing reads (otherwise when the track ends)."""
    dedup_seconds: float = Field(default=60.0, ge=0.0)
    """Do not publish the same plate text again within this many seconds of source time."""
    keep_observations: int = Field(default=64, ge=1)
    """Most recent frames a track keeps for its vote and its snapshot (older ones are forgotten): a car
    parked in view stays one track for hours without growing memory. At least ``min_reads`` and
    ``emit_after``."""

    @model_validator(mode="after")
    def _keeps_enough(self) -> TrackerConfig:
        if self.keep_observations < max(self.min_reads, self.emit_after):
            raise ValueError(
                f"keep_observations ({self.keep_observations}) must be at least min_reads ({self.min_reads}) "
                f"and emit_after ({self.emit_after})"
            )
        return self


class MotionConfig(_Frozen):
    """Motion gate (``edge/motion.py``): skip the detector on frames where nothing has changed."""

    enabled: bool = True
    """Run the detector only on frames that differ from the last one it saw, while a plate is being read,
    and at least every ``max_idle_seconds`` (False: on every frame)."""
    width: int = Field(default=160, ge=16, le=1920)
    """Width (px) of the blurred grey copy of the frame that is compared."""
    pixel_threshold: int = Field(default=12, ge=1, le=255)
    """Grey levels a pixel of that copy must change by to count as changed."""
    area_threshold: float = Field(default=0.002, ge=0.0, le=1.0)
    """Share of the copy's pixels that must change for the detector to run (0.002 of a 160x90 copy:
    29 px, a region of about 48x40 px in a 1280x720 frame; a car whose plate is 25 px wide there is
    about 150 px wide). With ``filters.zone`` set, the share of the zone's pixels: change outside the
    zone where plates are read does not count."""
    max_idle_seconds: float = Field(default=2.0, gt=0.0)
    """The detector runs at least this often (source time) even on a still scene."""


class HealthConfig(_Frozen):
    """When ``/healthz`` reports ``degraded`` (besides a camera reconnecting and a broker down)."""

    outbox_backlog: int = Field(default=100, ge=1)
    """Unsent reads in the outbox above which the agent is degraded."""
    stall_seconds: float = Field(default=10.0, gt=0.0)
    """A live source that delivered no frame for this long counts as down."""


class HttpConfig(_Frozen):
    """The local HTTP API (``anpr serve``, or ``anpr run --http``)."""

    enabled: bool = False
    """Serve the API next to the agent (``anpr serve`` always serves it)."""
    host: str = "127.0.0.1"
    """Address to bind; the default keeps the API on this machine (0.0.0.0 exposes it)."""
    port: int = Field(default=8080, ge=0, le=65535)
    """TCP port (0 picks a free one and logs it)."""
    token: Secret | None = None
    """Bearer token required on every endpoint but /healthz (None: no authentication)."""
    max_upload_mb: float = Field(default=10.0, gt=0.0, le=200.0)
    """Largest accepted upload to /v1/recognize, in MiB (413 beyond)."""


class AgentConfig(_Frozen):
    """The edge agent."""

    source: str = "demo/sample.mp4"
    """Camera: 'picamera2', a camera index, an rtsp/http URL, a video file or a folder of images."""
    fps: float | None = Field(default=None, gt=0.0)
    """Replay speed for files and folders (None: as fast as possible)."""
    models: Path = Path("models")
    """Model folder with detector.json and ocr.json."""
    precision: Literal["int8", "float32"] = "int8"
    """Which exported models to run."""
    num_threads: int = Field(default=1, ge=1, le=64)
    """Interpreter threads per model."""
    device_id: str = Field(default="edge1", pattern=r"^[A-Za-z0-9_\-]+$")
    """Device id used in MQTT topics."""
    state_dir: Path = Path(".state")
    """Where the outbox (SQLite) lives."""
    queue_size: int = Field(default=4, ge=1)
    """Frames waiting for the worker; the oldest is dropped when full."""
    outbox_max: int = Field(default=100000, ge=1)
    """Reads kept when the broker is unreachable; the oldest is dropped beyond."""
    drain_timeout: float = Field(default=10.0, ge=0.0)
    """Seconds to wait for the outbox to drain when a file source ends."""
    loop: bool = False
    """Replay a video file or folder forever (soak tests, demos); timestamps keep increasing."""
    mqtt: MqttConfig = MqttConfig()
    http: HttpConfig = HttpConfig()
    health: HealthConfig = HealthConfig()
    detector: DetectorConfig = DetectorConfig()
    ocr: OcrConfig = OcrConfig()
    filters: FilterConfig = FilterConfig()
    tracker: TrackerConfig = TrackerConfig()
    motion: MotionConfig = MotionConfig()


def read_yaml_mapping(path: str | Path) -> dict:
    """A YAML file's top-level mapping; one clear :class:`ConfigError` when it is missing or malformed."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text()) or {}
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the config ({getattr(exc, 'strerror', None) or exc})") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: malformed YAML: {' '.join(str(exc).split())}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping of settings at the top level")
    return raw


def validate_config(model: type[BaseModel], raw: dict, where: str = ""):
    """Validate ``raw`` against a pydantic model; the error names every bad field."""
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(f"{where}{describe_errors(exc.errors())}") from None


def describe_errors(errors: list[dict]) -> str:
    """Pydantic errors as one line: ``field.path: message; ...``."""
    return "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in errors)


def load_agent_config(path: str | Path | None, overrides: dict | None = None) -> AgentConfig:
    """Read YAML (if given), apply flag overrides (dotted keys), validate."""
    raw: dict = read_yaml_mapping(path) if path is not None else {}
    for dotted, value in (overrides or {}).items():
        if value is None:
            continue
        node = raw
        *parents, leaf = dotted.split(".")
        for key in parents:
            node = node.setdefault(key, {})
        node[leaf] = value
    return validate_config(AgentConfig, raw, f"{path}: " if path else "")
