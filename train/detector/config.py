"""Training configuration for the plate detector (frozen pydantic, loaded from YAML)."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from edge.metadata import InputSpec
from train.ocr.config import load_config


class DetectorTrainConfig(BaseModel):
    """Every knob of ``anpr train detector``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = "detector"
    """Run name: the default run folder (``runs/<name>``) and the card's ``name``. ``--ship`` always writes
    ``detector.keras`` and ``detector.json``, the files the exporter and the device load."""
    input: InputSpec = InputSpec(height=224, width=384, colour="rgb", resize="letterbox")
    """Input tensor (frames are letterboxed into it)."""
    width_multiplier: float = Field(default=1.0, gt=0.0, le=4.0)
    """Scales the channels of every layer."""
    real_sources: list[str] = ["france", "tunisia", "romania"]
    """Shared folders whose training-split photos with boxes are used."""
    added_boxes: bool = False
    """Also mark the plates the project found unmarked in the training photos
    (``train/data/labels/boxes/<source>.json``, :mod:`train.data.added_boxes`), so they are not taught as
    background; validation keeps the shared annotations."""
    real_zoom_copies: int = Field(default=1, ge=0)
    """Extra randomly zoomed crops of each real photo (scale augmentation)."""
    shrink_probability: float = Field(default=0.0, ge=0.0, le=1.0)
    """Chance that a training image is scaled down (by ``shrink_min`` to 1) onto a canvas of the
    letterbox's padding colour: smaller, farther plates than the photos hold."""
    shrink_min: float = Field(default=0.5, gt=0.0, le=1.0)
    """Smallest scale of that shrink."""
    night_probability: float = Field(default=0.0, ge=0.0, le=1.0)
    """Chance that a training image is made dark and noisy (gamma 1.5-3, gain 0.4-0.9)."""
    blur_probability: float = Field(default=0.0, ge=0.0, le=1.0)
    """Chance that a training image is blurred (Gaussian, sigma 0.6-1.8 input pixels)."""
    synthetic_scenes: int = Field(default=1500, ge=0)
    """Synthetic scenes (plates in real training photos and generated streets)."""
    lettering_probability: float = Field(default=0.0, ge=0.0, le=1.0)
    """Share of the synthetic scenes given 1-4 pieces of non-plate lettering (signs, brand and model
    names, stickers; ``train/synth/lettering.py``) with no box: hard negatives for the detector's
    commonest false boxes (0: none)."""
    two_row_share: float = Field(default=0.0, ge=0.0, le=1.0)
    """Share of the synthetic scenes whose added plates are two-row plates (square European rear plates,
    motorcycle plates; ``train/synth/two_row.py``) instead of the one-row mix (0: none)."""
    epochs: int = Field(default=10, ge=1)
    """Maximum number of epochs."""
    batch_size: int = Field(default=16, ge=1)
    """Images per step."""
    learning_rate: float = Field(default=2e-3, gt=0.0)
    """Peak learning rate (cosine decay)."""
    patience: int = Field(default=5, ge=1)
    """Early stopping on validation recall at the chosen threshold."""
    size_weight: float = Field(default=0.2, ge=0.0)
    """Weight of the log-size L1 loss."""
    offset_weight: float = Field(default=1.0, ge=0.0)
    """Weight of the centre-offset L1 loss."""
    seed: int = 0
    """Seed for data, augmentation and initialisation."""
    time_budget_minutes: float | None = Field(default=None, gt=0.0)
    """Stop after the epoch that crosses this wall-clock budget (resume later)."""
    keep_epochs: bool = False
    """Also save every epoch's weights as ``epoch_NN.keras`` in the run folder (about 2 MB each), for a
    later weight average of several epochs (``train.ocr.average.average_weights``) instead of one."""
    init_from: Path | None = None
    """Start from this ``.keras`` detector's weights instead of random ones (a fresh run folder;
    ignored when resuming). Used to fine-tune a trained detector, for example quantisation-aware."""
    average_of: list[Path] | None = None
    """Instead of training, average these ``.keras`` detectors' weights (the same network, fine-tuned from
    one starting point) into the run's ``best.keras`` and score it on validation
    (``train/detector/average.py``); the training fields are then unused."""
    quantisation_aware: bool = False
    """Fine-tune against int8 arithmetic (train/quant_aware.py): activations, merges and outputs
    rounded as the exporter will round them, kernels on their per-channel int8 grid, BatchNorm frozen;
    validation, the best epoch and the shipped threshold use that simulated int8 model."""

    @classmethod
    def from_yaml(cls, path: str | Path) -> DetectorTrainConfig:
        return load_config(cls, path)
