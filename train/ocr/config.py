"""Training configuration for the plate OCR: a frozen pydantic model loaded from YAML."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from edge.config import read_yaml_mapping, validate_config
from edge.metadata import DEFAULT_READ_CROPS, CropReading, InputSpec
from train.synth.fonts import FontWeights


class OcrTrainConfig(BaseModel):
    """Every knob of ``anpr train ocr``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = "ocr"
    """Run name: the default run folder (``runs/<name>``) and the card's ``name``. ``--ship`` always writes
    ``ocr.keras`` and ``ocr.json``, the files the exporter and the device load."""
    input: InputSpec = InputSpec(height=48, width=160, colour="grey", margin_x=0.04, margin_y=0.12)
    """Input tensor and the crop margin around a detected box (the device uses the same)."""
    width_multiplier: float = Field(default=1.0, gt=0.0, le=4.0)
    """Scales the channels of every layer."""
    head: Literal["ctc", "slots"] = "ctc"
    """``ctc``: per-column classes decoded with CTC; ``slots``: one softmax per character slot."""
    max_length: int = Field(default=10, ge=1, le=16)
    """Longest plate text a label may have."""
    synthetic_count: int = Field(default=24000, ge=0)
    """Synthetic plates rendered (once, then cached) for training."""
    synthetic_styles: list[str] | None = None
    """Plate styles to render (None: all, with their default weights)."""
    synthetic_fonts: FontWeights = "bold"
    """Fonts of the synthetic plates' characters: ``bold`` (the renderer's fonts until 2026-11-25),
    ``all`` (also regular and medium weights: the thinner strokes of DIN-style EU plates), ``din``
    (``all`` and the DIN 1451-style stroke lettering of ``train/synth/strokefont.py``) or ``stroke``
    (that lettering only)."""
    two_row_count: int = Field(default=0, ge=0)
    """Synthetic two-row plates (``train/synth/two_row.py``) added to the synthetic ones, each laid out as
    the device lays out a two-row plate (:func:`edge.two_rows.lay_out_rows`, the default gap band and
    overlap of :class:`edge.metadata.TwoRowReading`) and labelled top row then bottom row. 0: none (every
    stage before 2026-12-06)."""
    synthetic_us_extras: bool = False
    """Draw US plates also with the clutter of ``train/synth/us_extras.py`` (stacked small characters on
    the right, a disabled-driver symbol, a sun or diamond emblem between the groups, a mascot behind the
    first characters), none of it in the label. False: the US plates of every stage before 2026-12-03."""
    real_sources: list[str] = ["us_crops", "br_crops", "tunisia", "france"]
    """Shared dataset folders whose training split (rows with text) is used."""
    scene_plates: int = Field(default=0, ge=0)
    """Synthetic camera scenes (the detector's) rendered once; each plate in them with a known text and a
    box at least ``scene_min_plate_width`` px wide is cut and augmented like a real photo's box, once per
    epoch: plates seen small, in perspective and compressed with a whole frame (0: none)."""
    scene_min_plate_width: float = Field(default=48.0, gt=0.0)
    """Narrower scene plates are left out: most are illegible at that size."""
    real_repeat: int = Field(default=4, ge=0)
    """How many augmented copies of each real crop one epoch sees."""
    augment_strength: float = Field(default=1.0, ge=0.0, le=2.0)
    """Scales the probability of each augmentation applied to real crops."""
    loose_box_probability: float = Field(default=0.0, ge=0.0, le=1.0)
    """Chance that a real plate boxed in a photo is cut from a looser box (``train.ocr.augment.loosen_box``):
    another annotator's or detector's box that takes in more of the car (0: never)."""
    loose_box_max: float = Field(default=0.3, ge=0.0, le=0.3)
    """Most a loosened box grows: its width by this fraction, its height by twice it. At most 0.3: real
    plates are kept with 35 % of their width and 70 % of their height around them
    (``train.ocr.data.CONTEXT``), and a looser box would run past that into repeated edge pixels."""
    crops_as_read: bool = False
    """Real rows without a box (crop images) are augmented around the image as it is, as the device
    reads a crop (True), instead of grown by the input's margins with their edge pixels repeated like a
    boxed row (False, the shipped reader's training: a crop read as it is is tighter than it was trained
    on)."""
    small_plate_fraction: float = Field(default=0.0, ge=0.0, le=1.0)
    """Share of training samples (real and synthetic) shrunk so the plate is ``small_plate_width`` px wide
    and JPEG-compressed before they are fitted to the input: plates from far or low-resolution cameras,
    which the device upsamples to the input size (0: none)."""
    small_plate_width: tuple[float, float] = (56.0, 120.0)
    """Range (px, drawn uniformly) of the plate width of the shrunk samples."""
    small_plate_blur: float = Field(default=0.0, ge=0.0, le=3.0)
    """Largest Gaussian blur sigma (px at the shrunk size, drawn uniformly from 0.05 up to it) applied to
    the shrunk samples before compression: traffic cameras record far plates soft as well as small
    (0: no blur)."""
    epochs: int = Field(default=40, ge=1)
    """Maximum number of epochs."""
    batch_size: int = Field(default=64, ge=1)
    """Samples per training step."""
    learning_rate: float = Field(default=2e-3, gt=0.0)
    """Peak learning rate (cosine decay after one warm-up epoch)."""
    patience: int = Field(default=8, ge=1)
    """Early stopping: epochs without a better validation exact match."""
    seed: int = 0
    """Seed for data order, augmentation and initialisation."""
    loader_threads: int = Field(default=0, ge=0, le=64)
    """Threads that make the training batches ahead of the accelerator (0: one after another in the
    training loop, the way every shipped stage was trained). With threads each batch draws its
    augmentation from its own random stream, seeded by ``seed``, the epoch and its index, so the
    batches differ from those of ``0`` but not from run to run. For a GPU, which the loop leaves
    waiting on the CPU otherwise (``train/ocr/parallel.py``)."""
    stop_after_epoch: int | None = Field(default=None, ge=1)
    """Stop after this epoch (counted from 1) while the learning-rate schedule still spans ``epochs``;
    ``--resume`` with a later value continues it (None: run to ``epochs``). A budget in epochs, where
    ``time_budget_minutes`` depends on the machine."""
    time_budget_minutes: float | None = Field(default=None, gt=0.0)
    """Stop after the epoch that crosses this wall-clock budget (resume later to continue)."""
    keep_epochs: bool = False
    """Also save every epoch's weights as ``epoch_NN.keras`` in the run folder (about 1 MB each), for
    a later weight average of the last epochs (``average_of``) instead of only the best one."""
    init_from: Path | None = None
    """Start from this ``.keras`` model's weights instead of random ones (a fresh run folder; ignored
    when resuming). Used to fine-tune a trained reader, for example quantisation-aware. A reader trained
    with a smaller ``width_multiplier`` is widened (``train/widen.py``): its weights fill the leading
    channels and the new channels start with zero outgoing weights, so training starts from its reads."""
    read_crops: CropReading = DEFAULT_READ_CROPS
    """Crops the device reads a plate from (written to the model card as ``read_crops``): by default the
    trained crop, then a tighter and a looser one and, for a plate boxed in a larger image, one well
    inside the box, when the first read is unsure, their texts combined by CTC likelihood (``combine:
    vote`` for the confidence vote), and a plate whose text slopes 6 degrees or more read again sheared
    level (``level``; ``level: null`` turns that off).
    ``{crops: [{name: base}]}`` reads the trained crop only."""
    average_of: list[Path] | None = None
    """Instead of training: average the weights of these readers (the same network fine-tuned from one
    starting point; ``train/ocr/average.py``), score the average on the validation split and ship it
    like a trained reader. Every training knob above is then unused except ``real_sources`` (the
    validation crops) and the fields the card records."""
    quantisation_aware: bool = False
    """Fine-tune against int8 arithmetic: activations and kernels rounded in the forward pass as the
    exporter will round them (straight-through gradients), BatchNorm frozen; the best epoch is chosen
    on that simulated int8 score (``val_exact``; the float score is ``val_exact_float``)."""

    @field_validator("small_plate_width")
    @classmethod
    def _width_range(cls, value: tuple[float, float]) -> tuple[float, float]:
        if not 8.0 <= value[0] <= value[1]:
            raise ValueError(f"need 8 <= low <= high, got {list(value)}")
        return value

    @classmethod
    def from_yaml(cls, path: str | Path) -> OcrTrainConfig:
        return load_config(cls, path)


def load_config(model: type[BaseModel], path: str | Path):
    """Load and validate a YAML config; errors name the file and the field."""
    return validate_config(model, read_yaml_mapping(path), f"{path}: ")
