"""Model input metadata shared by training, export, evaluation and the device.

An :class:`InputSpec` says how a frame or crop becomes a model input tensor. It is written
into every model card, so the device preprocesses exactly as training did.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class InputSpec(BaseModel):
    """How images are turned into the model's input tensor."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    height: int = Field(gt=0, le=4096)
    """Input height in pixels."""
    width: int = Field(gt=0, le=4096)
    """Input width in pixels."""
    colour: Literal["grey", "rgb", "bgr"] = "rgb"
    """Channel order the model expects (``grey`` means one channel)."""
    resize: Literal["stretch", "letterbox"] = "stretch"
    """``stretch`` resizes to the exact size; ``letterbox`` keeps the aspect ratio and pads."""
    pad_value: int = Field(default=114, ge=0, le=255)
    """Grey level used for letterbox padding."""
    margin_x: float = Field(default=0.0, ge=0.0, le=1.0)
    """Crops only: extra width added on each side of a box, as a fraction of the box width."""
    margin_y: float = Field(default=0.0, ge=0.0, le=1.0)
    """Crops only: extra height added above and below a box, as a fraction of the box height."""

    @property
    def channels(self) -> int:
        """Number of channels of the input tensor."""
        return 1 if self.colour == "grey" else 3

    @property
    def shape(self) -> tuple[int, int, int]:
        """(height, width, channels) of one input image."""
        return (self.height, self.width, self.channels)


class ReadCrop(BaseModel):
    """One crop the OCR reads a plate from: the margin-grown box moved outward (positive) or inward
    (negative) on each side, as fractions of that box's width (left, right) or height (top, bottom)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1)
    """Short label for logs and reports (for example ``base``, ``tight``, ``loose``)."""
    left: float = Field(default=0.0, ge=-0.4, le=0.5)
    """Left edge moved outward by this fraction of the box width (negative: inward)."""
    top: float = Field(default=0.0, ge=-0.4, le=0.5)
    """Top edge moved outward by this fraction of the box height (negative: inward)."""
    right: float = Field(default=0.0, ge=-0.4, le=0.5)
    """Right edge moved outward by this fraction of the box width (negative: inward)."""
    bottom: float = Field(default=0.0, ge=-0.4, le=0.5)
    """Bottom edge moved outward by this fraction of the box height (negative: inward)."""
    boxed_only: bool = False
    """Read only for a plate boxed in a larger image (a detection, or an annotation's box), which may take
    in more than the plate; a plate given as a whole image is already cut to its edges and skips it."""
    whole_only: bool = False
    """Read only for a plate given as a whole image (a crop someone else cut, often tight to the
    characters); a plate boxed in a larger image skips it."""

    @model_validator(mode="after")
    def _one_kind_of_plate(self) -> ReadCrop:
        if self.boxed_only and self.whole_only:
            raise ValueError(f"crop {self.name!r} cannot be both boxed_only and whole_only")
        return self


BASE_CROP = ReadCrop(name="base")
"""The crop the OCR was trained on: the box grown by the input spec's margins, nothing more."""


class SlopeLevelling(BaseModel):
    """Reading a sloping plate again sheared level, and a plate whose characters lean again sheared
    upright (:mod:`edge.slope`). Stored in the OCR model card as ``read_crops.level``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    min_degrees: float = Field(default=6.0, gt=0.0, lt=45.0)
    """A plate whose text slopes at least this much (the base crop's slope, :func:`edge.slope.estimate_slope`)
    is read again sheared level; flatter plates are read as they are. About the steepest slope the
    reader's training augmentation shows it."""
    max_degrees: float = Field(default=30.0, gt=0.0, lt=45.0)
    """Steepest slope searched."""
    step_degrees: float = Field(default=1.0, gt=0.0, le=5.0)
    """Slope search step."""
    min_height_ratio: float = Field(default=0.2, gt=0.0, le=1.0)
    """The levelled plate box is never less tall than this fraction of its width (EU plates are about 0.21)."""
    min_slant_degrees: float | None = Field(default=10.0, gt=0.0, lt=45.0)
    """Characters that lean at least this much (measured on the levelled plate, or on the plate as it is
    when it does not slope; :func:`edge.slope.estimate_slant`) are also read sheared upright, searched
    within ``max_degrees``. None: characters are never straightened."""

    @model_validator(mode="after")
    def _ordered(self) -> SlopeLevelling:
        if self.min_degrees > self.max_degrees:
            raise ValueError(f"min_degrees {self.min_degrees} is above max_degrees {self.max_degrees}")
        if self.min_slant_degrees is not None and self.min_slant_degrees > self.max_degrees:
            raise ValueError(f"min_slant_degrees {self.min_slant_degrees} is above max_degrees {self.max_degrees}")
        return self


class TwoRowReading(BaseModel):
    """Reading a plate that may have two rows of text (square European rear plates, motorcycle plates)
    again with its rows side by side (:mod:`edge.two_rows`): the reader reads one row. Stored in the OCR
    model card as ``read_crops.two_rows``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    max_aspect: float = Field(default=2.5, gt=0.0, le=10.0)
    """Only a plate at most this many times as wide as tall (its box, or the whole image) is tried: square
    plates are about 1.7 wide for 1 tall, motorcycle plates 1.2 to 1.8; one-row European plates are
    about 4.7 and are never tried."""
    max_gap_ratio: float = Field(default=1.0, gt=0.0, le=10.0)
    """Only a plate whose emptiest row in ``gap_band`` carries at most this fraction of the strokes of the
    rows around it (:attr:`edge.two_rows.RowGap.ratio`) is tried."""
    gap_band: tuple[float, float] = (0.35, 0.65)
    """Where the gap between the rows is searched, as fractions of the base crop's height."""
    overlap: float = Field(default=0.04, ge=0.0, lt=0.5)
    """Each row takes this fraction of the crop's height across the gap, so that characters reaching into
    it are not cut."""
    max_one_row_confidence: float = Field(default=0.98, ge=0.0, le=1.0)
    """A one-row read at least this sure, and longer than ``short_read``, is kept without trying the rows:
    most one-row plates no wider than ``max_aspect`` (US plates) are read that surely; a two-row plate read
    as one row seldom is, or reads short."""
    min_first_confidence: float = Field(default=0.3, ge=0.0, le=1.0)
    """The laid-out plate's first crop is read first: its other crops (and its straightening) are read only
    when that read is longer than the one-row read and at least this sure. A one-row plate cut in two
    seldom passes, so most one-row plates no wider than ``max_aspect`` cost one OCR run more, not all the
    crops again."""
    min_confidence: float = Field(default=0.5, ge=0.0, le=1.0)
    """The rows' read replaces the plate's one-row read only when it is at least this confident, longer
    than the one-row read and at least as confident (a one-row plate cut in two reads as half its
    characters, or as a few sure ones), or, for a short one-row read, whatever its confidence."""
    short_read: int = Field(default=2, ge=0, le=10)
    """A one-row read of at most this many characters is short: a two-row plate read as one row often
    gives one or two sure characters, so the rows are tried however sure the short read is, and their read
    replaces it when it is longer and at least ``short_read_min_confidence`` sure. 0: never."""
    short_read_min_confidence: float = Field(default=0.9, ge=0.0, le=1.0)
    """How sure the rows' read must be to replace a short one-row read that is surer than it (a US vanity
    plate such as ``XP`` cut in two reads as a less sure longer text)."""

    @model_validator(mode="after")
    def _band_inside(self) -> TwoRowReading:
        low, high = self.gap_band
        if not 0.0 < low < high < 1.0:
            raise ValueError(f"gap_band {list(self.gap_band)} must be two fractions, low < high, within (0, 1)")
        return self


class CropReading(BaseModel):
    """How many crops of one plate the OCR reads, and when one is enough. Stored in the OCR model card
    as ``read_crops``; a card without it reads the base crop once."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    crops: tuple[ReadCrop, ...] = Field(default=(BASE_CROP,), min_length=1)
    """The crops, first one first. The first should be the base crop: it is the one read alone when
    its read is confident enough."""
    accept_confidence: float = Field(default=1.0, ge=0.0, le=1.0)
    """The first crop's read is kept when its confidence (lowest character probability) reaches this;
    otherwise every crop is read and ``combine`` chooses among their texts."""
    combine: Literal["vote", "ctc_likelihood"] = "vote"
    """How the crops' reads become one when they differ. ``vote``: the text with the highest summed
    confidence (crops that agree add up; ties: the text read first). ``ctc_likelihood`` (CTC readers
    only): the text that is most probable under all the crops together, the sum over crops of each
    candidate text's CTC log-likelihood (every alignment counted, so crops whose characters sit at other
    time steps still compare); the candidates are the crops' own reads. Either way the winner is reported
    with its most confident read."""

    level: SlopeLevelling | None = None
    """Also read a plate whose text slopes (seen from the side, a tilted camera) sheared level, and one
    whose characters lean sheared upright, with the same crops, keeping at each step whichever text is
    more probable under both base crops (CTC readers; formats first, as for the crops). None: plates are
    read as they are."""
    two_rows: TwoRowReading | None = None
    """Also read a plate no wider than a square one with its two rows side by side (the same crops, of the
    laid-out image), keeping that read when it is surer and longer (:class:`TwoRowReading`). None: every
    plate is read as one row."""

    @model_validator(mode="after")
    def _first_crop_always_read(self) -> CropReading:
        if self.crops[0].boxed_only or self.crops[0].whole_only:
            raise ValueError(
                f"the first crop ({self.crops[0].name!r}) is read for every plate: it cannot be boxed_only"
                " or whole_only"
            )
        return self

    @property
    def names(self) -> list[str]:
        """The crops' names, in reading order."""
        return [crop.name for crop in self.crops]


SINGLE_CROP = CropReading()
"""Read the base crop once (what a card without ``read_crops`` gets)."""

SEVERAL_CROPS = CropReading(
    crops=(
        BASE_CROP,
        ReadCrop(name="tight", left=-0.03, top=-0.08, right=-0.03, bottom=-0.08),
        ReadCrop(name="loose", left=0.04, top=0.10, right=0.04, bottom=0.10),
    ),
    accept_confidence=0.95,
    combine="ctc_likelihood",
    level=SlopeLevelling(),
)
"""Three crops of one plate (the trained margin, about no margin, twice the margin); the base read is
kept alone when it is at least 95 % sure of every character, else the text most probable under the three
crops together wins. Forgives a detector or annotation box that is a little off, at about 1.6 OCR runs
per plate on the held-out crops. A plate whose text slopes 6 degrees or more is also read sheared level,
one whose characters lean 10 degrees or more sheared upright (:class:`SlopeLevelling`)."""

DEFAULT_READ_CROPS = SEVERAL_CROPS.model_copy(
    update={
        "crops": (
            *SEVERAL_CROPS.crops,
            ReadCrop(name="tighter", left=-0.08, top=-0.2, right=-0.08, bottom=-0.2, boxed_only=True),
            ReadCrop(name="looser", left=0.1, top=0.25, right=0.1, bottom=0.25, whole_only=True),
        ),
        "two_rows": TwoRowReading(),
    }
)
"""What a newly trained reader's card gets (since 2026-12-03; ``two_rows`` since 2026-12-06):
:data:`SEVERAL_CROPS`; for a plate boxed in a larger image, a fourth crop well inside the box (about 5 %
of its width and 13 % of its height inside the annotated or detected box); for a plate given as a whole
image, a fifth crop with its edges repeated outward (about 9 % of its width and 22 % of its height more
on each side). Either is read only when the base read is unsure. A box drawn looser or taller than the
training annotations then still gives one crop close to the plate, and a crop cut tight to the
characters one with the margin the reader was trained on. A plate no wider than 2.5 times its height is
also read with its two rows side by side (:class:`TwoRowReading`)."""
