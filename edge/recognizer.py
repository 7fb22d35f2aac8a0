"""The plate reader on the device: crop, run the OCR model, decode CTC (optionally constrained to
the plate formats a site expects, see :mod:`edge.formats`); an unsure plate is read from several crops
and their reads combined. A plate standing on end (a photo stored sideways) can be read turned a
quarter each way, see :mod:`edge.sideways`; a plate with two rows of text is also read with its rows side by
side, see :mod:`edge.two_rows`."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Protocol

import numpy as np

from edge.candidates import plate_candidates
from edge.ctc import DecodedText, ctc_log_likelihoods, decode_text
from edge.formats import DEFAULT_MAX_PENALTY, FormatSet, compile_formats, decode_with_formats
from edge.metadata import BASE_CROP, SINGLE_CROP, CropReading, InputSpec
from edge.preprocess import convert_colour, crop_box, prepare_ocr_crop, read_crop_box
from edge.sideways import box_in_turned, region_around, surest_read, turn
from edge.slope import estimate_slant, estimate_slope, level_plate, upright_plate
from edge.two_rows import lay_out_rows
from edge.types import Box

log = logging.getLogger(__name__)


class Runner(Protocol):
    """Anything that maps a uint8 input image to named float outputs (TFLite, or Keras in training)."""

    def run(self, pixels: np.ndarray) -> dict[str, np.ndarray]: ...


class PlateRecognizer:
    """Reads plate text from a frame and a box (or from a crop), from one crop or several
    (:class:`edge.metadata.CropReading`: the crops vote, see :func:`vote_reads`)."""

    def __init__(
        self,
        runner: Runner,
        spec: InputSpec,
        alphabet: str,
        output: str | None = None,
        decoder: str = "ctc",
        formats: FormatSet | None = None,
        max_penalty: float = DEFAULT_MAX_PENALTY,
        crops: CropReading = SINGLE_CROP,
        candidates: int = 0,
        candidate_min_probability: float = 0.0,
        sideways: bool = False,
    ) -> None:
        self.runner, self.spec, self.alphabet, self.output, self.decoder = runner, spec, alphabet, output, decoder
        if formats is not None and decoder != "ctc":
            raise ValueError(f"plate formats need a CTC reader (this model card's decoder is {decoder!r})")
        if crops.combine == "ctc_likelihood" and decoder != "ctc":
            raise ValueError(f"read_crops.combine 'ctc_likelihood' needs a CTC reader (this one is {decoder!r})")
        if candidates and decoder != "ctc":
            raise ValueError(f"candidate texts need a CTC reader (this model card's decoder is {decoder!r})")
        if candidates < 0:
            raise ValueError(f"candidates must be 0 (none) or more, got {candidates}")
        self.formats, self.max_penalty, self.crops = formats, max_penalty, crops
        self.candidates, self.candidate_min_probability = candidates, candidate_min_probability
        """How many texts each read lists (:func:`edge.candidates.plate_candidates`; 0: none), and the
        least probability of a listed text other than the read."""
        self.sideways = sideways
        """Read a plate taller than wide also turned a quarter each way, and keep the surest read."""

    @classmethod
    def from_card(
        cls,
        runner: Runner,
        card: dict,
        formats: list[str] | None = None,
        max_penalty: float = DEFAULT_MAX_PENALTY,
        several_crops: bool = True,
        level_sloped: bool = True,
        candidates: int = 0,
        candidate_min_probability: float = 0.0,
        sideways: bool = False,
        two_rows: bool = True,
    ) -> PlateRecognizer:
        """A recognizer configured by an OCR model card (input, alphabet, output name, decoder, the
        card's ``read_crops`` unless ``several_crops`` is False, their ``level`` unless ``level_sloped``
        is False), reading towards ``formats`` (names of :data:`edge.formats.PLATE_FORMATS` or patterns)
        if given, listing up to ``candidates`` texts per read (CTC readers; others than the read itself
        only from ``candidate_min_probability``), a plate standing on end also turned with ``sideways``, a
        plate that may have two rows also read with its rows side by side (``read_crops.two_rows``) unless
        ``two_rows`` is False."""
        output = (card.get("output_names") or [card.get("output", {}).get("name")])[0]
        if candidates and card.get("decoder", "ctc") != "ctc":
            log.warning("OCR decoder %r: candidate texts need a CTC reader, none listed", card["decoder"])
            candidates = 0
        compiled = compile_formats(formats, card["alphabet"]) if formats else None
        crops = SINGLE_CROP
        if several_crops and "read_crops" in card:
            crops = CropReading.model_validate(card["read_crops"])
        if not level_sloped and crops.level is not None:
            crops = crops.model_copy(update={"level": None})
        if not two_rows and crops.two_rows is not None:
            crops = crops.model_copy(update={"two_rows": None})
        return cls(
            runner,
            InputSpec.model_validate(card["input"]),
            card["alphabet"],
            output,
            card.get("decoder", "ctc"),
            compiled,
            max_penalty,
            crops,
            candidates,
            candidate_min_probability,
            sideways,
        )

    def probabilities(self, pixels: np.ndarray) -> np.ndarray:
        outputs = self.runner.run(pixels)
        if self.output and self.output in outputs:
            return outputs[self.output]
        if len(outputs) == 1:
            return next(iter(outputs.values()))
        raise KeyError(f"OCR output {self.output!r} not among {sorted(outputs)}")

    def decode(self, probs: np.ndarray) -> DecodedText:
        """Text from one OCR output (towards the plate formats when the recognizer has some)."""
        if self.formats is not None:
            return decode_with_formats(probs, self.alphabet, self.formats, self.max_penalty)
        return decode_text(probs, self.alphabet, self.decoder)

    def read(self, image_bgr: np.ndarray, box: Box | None = None) -> DecodedText:
        """Read the plate in ``box`` of ``image_bgr`` (the whole image when ``box`` is None): the first
        crop's read if confident enough, else one of the crops' reads chosen by ``crops.combine``
        (:func:`vote_reads` or :func:`most_likely_read`). With ``crops.level``, a sloping or leaning
        plate is read again sheared straight and the likelier text kept (:meth:`read_straightened`).
        With ``candidates``, the read lists the likeliest texts under the crops it ran (of the plate as
        given, not straightened), the read's own text among them
        (:func:`edge.candidates.plate_candidates`). With ``sideways``, a plate taller than wide is also read
        turned a quarter each way (upright one way, upside down the other) and the surest of the three
        reads kept (:func:`edge.sideways.surest_read`). With ``crops.two_rows``, an unsure plate no wider
        than ``max_aspect`` times its height is also read with its two rows side by side
        (:meth:`read_two_rows`). A box reaching out
        of the image is read from its part inside (ValueError when none is)."""
        height, width = image_bgr.shape[:2]
        if box is not None:
            given, box = box, box.clipped(width, height)
            if box.area <= 0:
                raise ValueError(f"box {given.as_list()} does not overlap the {width}x{height} image")
        read = self.read_two_rows(image_bgr, box, self._read_as_given(image_bgr, box))
        plate_w, plate_h = (width, height) if box is None else (box.width, box.height)
        if not self.sideways or plate_h <= plate_w:
            return read
        reads = [read]
        region, local = region_around(image_bgr, box)
        region_h, region_w = region.shape[:2]
        for quarters in (1, 3):
            turned_box = None if local is None else box_in_turned(local, region_w, quarters, region_h)
            reads.append(self._read_as_given(turn(region, quarters), turned_box))
        return surest_read(reads)

    def read_two_rows(self, image_bgr: np.ndarray, box: Box | None, read: DecodedText) -> DecodedText:
        """``read`` (the plate read as one row), or the read of the plate's base crop cut at the gap
        between its rows and laid out as one row (:func:`edge.two_rows.lay_out_rows`, read as a whole
        image; first sheared level when its text slopes and ``crops.level`` is set), when ``crops.two_rows``
        allows it: ``read`` is less sure than ``max_one_row_confidence`` or
        ``short_read`` characters or fewer, the plate is no wider than ``max_aspect`` times its height, the
        gap is clear enough (``max_gap_ratio``), the laid-out plate's first crop reads longer
        than ``read`` and at least ``min_first_confidence`` sure (else its other crops are not read), and
        the rows' read (from the card's crops as :meth:`read` reads a plate, not straightened) is longer than
        ``read``, at least ``min_confidence`` sure and at least as sure as ``read`` (or, when ``read`` is
        ``short_read`` characters or fewer, at least ``short_read_min_confidence`` sure)."""
        two = self.crops.two_rows
        if two is None:
            return read
        short = len(read.text) <= two.short_read
        if read.confidence >= two.max_one_row_confidence and not short:
            return read
        plate_w, plate_h = (image_bgr.shape[1], image_bgr.shape[0]) if box is None else (box.width, box.height)
        if plate_h <= 0 or plate_w > two.max_aspect * plate_h:
            return read
        region = crop_box(image_bgr, read_crop_box(image_bgr, box, self.spec, BASE_CROP))
        if min(region.shape[:2]) < 4:
            return read
        region = self._levelled(region)
        if min(region.shape[:2]) < 4:  # levelling cut it too small to find a gap in
            return read
        laid_out, gap = lay_out_rows(region, two.gap_band, two.overlap)
        if gap.ratio > two.max_gap_ratio:
            return read
        first = self.decode(self.probabilities(prepare_ocr_crop(laid_out, None, self.spec, self.crops.crops[0])))
        if len(first.text) <= len(read.text) or first.confidence < two.min_first_confidence:
            return read
        rows = self._read_as_given(laid_out, None, straighten=False)  # its first crop again, for a likely plate
        if len(rows.text) <= len(read.text) or rows.confidence < two.min_confidence:
            return read
        if rows.confidence >= read.confidence or (short and rows.confidence >= two.short_read_min_confidence):
            log.debug("two rows: %r (%.2f) read %r (%.2f)", read.text, read.confidence, rows.text, rows.confidence)
            return rows
        return read

    def _levelled(self, region: np.ndarray) -> np.ndarray:
        """``region`` (a plate's base crop) sheared level when its text slopes at least
        ``crops.level.min_degrees`` and cut to the levelled plate, so that the gap between two rows runs
        level; as it is without ``crops.level``."""
        level = self.crops.level
        if level is None:
            return region
        grey = convert_colour(region, "grey")[:, :, 0]
        slope = estimate_slope(grey, level.max_degrees, level.step_degrees, self.spec.height)
        if abs(slope) < level.min_degrees:
            return region
        whole = Box(0.0, 0.0, float(region.shape[1]), float(region.shape[0]))
        image, levelled = level_plate(region, whole, slope, level.min_height_ratio)
        return crop_box(image, levelled)

    def _read_as_given(self, image_bgr: np.ndarray, box: Box | None, straighten: bool = True) -> DecodedText:
        """:meth:`read` without turning the plate (nor straightening it unless ``straighten``)."""
        read, outputs, crop_reads = self._read_crops(image_bgr, box, box is not None)
        if straighten and self.crops.level is not None:
            read = self.read_straightened(image_bgr, box, read, outputs[0])
        if self.candidates:
            listed = plate_candidates(
                np.stack(outputs),
                read.text,
                self.alphabet,
                self.candidates,
                self.formats,
                self.candidate_min_probability,
                also=[r.text for r in crop_reads],
            )
            read = replace(read, candidates=listed)
        return read

    def read_straightened(
        self, image_bgr: np.ndarray, box: Box | None, read: DecodedText, first: np.ndarray
    ) -> DecodedText:
        """``read`` (with ``first``, its base crop's output), or a read of the plate straightened: sheared
        level when its text slopes at least ``crops.level.min_degrees``, then sheared upright when its
        characters lean at least ``crops.level.min_slant_degrees``; at each step the text more probable
        under both base crops together wins (a text fitting the site's formats first)."""
        level = self.crops.level
        if level is None:
            return read
        plate = Box(0.0, 0.0, float(image_bgr.shape[1]), float(image_bgr.shape[0])) if box is None else box
        image, straight, boxed = image_bgr, plate, box is not None
        base = self._base_grey(image, straight)
        slope = estimate_slope(base, level.max_degrees, level.step_degrees, self.spec.height)
        if abs(slope) >= level.min_degrees:
            image, straight = level_plate(image, straight, slope, level.min_height_ratio)
            read = self._likelier(read, first, *self.read_from_crops(image, straight, boxed))
        if level.min_slant_degrees is not None:
            grey = self._base_grey(image, straight) if image is not image_bgr else base
            slant = estimate_slant(grey, level.max_degrees, level.step_degrees, self.spec.height)
            if abs(slant) >= level.min_slant_degrees:
                upright, upright_box = upright_plate(image, straight, slant)
                read = self._likelier(read, first, *self.read_from_crops(upright, upright_box, boxed))
        return read

    def _base_grey(self, image_bgr: np.ndarray, box: Box) -> np.ndarray:
        """The base crop of ``box`` (grown by the spec's margins), grey."""
        crop = crop_box(image_bgr, read_crop_box(image_bgr, box, self.spec, BASE_CROP))
        return convert_colour(crop, "grey")[:, :, 0]

    def _likelier(
        self, read: DecodedText, first: np.ndarray, other: DecodedText, other_first: np.ndarray
    ) -> DecodedText:
        """Of two reads of one plate (each with its base crop's output), chosen as the crops' reads are
        (:meth:`_choose`), or by vote for a reader without CTC."""
        if self.decoder != "ctc":
            return vote_reads([read, other])
        return self._choose([read, other], [first, other_first])

    def _choose(self, reads: list[DecodedText], outputs: list[np.ndarray]) -> DecodedText:
        """The text most probable under all ``outputs`` (CTC likelihood), among the reads that fit the
        site's formats when some do: a free read (one that fits none) is the more probable text by
        construction, so it would always win the likelihood against a fitting one."""
        fitting = [i for i, r in enumerate(reads) if self.formats is not None and self.formats.fits(r.text)]
        kept = fitting or list(range(len(reads)))
        return most_likely_read([reads[i] for i in kept], np.stack([outputs[i] for i in kept]), self.alphabet)

    def read_from_crops(
        self, image_bgr: np.ndarray, box: Box | None, boxed: bool | None = None
    ) -> tuple[DecodedText, np.ndarray]:
        """The crops' read of one plate (as :meth:`read` without straightening), and the base (first)
        crop's output. ``boxed`` (default: whether ``box`` is given) says the plate was boxed in a
        larger image; when False, crops marked ``boxed_only`` are skipped, when True those marked
        ``whole_only``."""
        read, outputs, _ = self._read_crops(image_bgr, box, box is not None if boxed is None else boxed)
        return read, outputs[0]

    def _read_crops(
        self, image_bgr: np.ndarray, box: Box | None, boxed: bool
    ) -> tuple[DecodedText, list[np.ndarray], list[DecodedText]]:
        """:meth:`read_from_crops` with every crop's output and read (base crop first)."""
        reads: list[DecodedText] = []
        outputs: list[np.ndarray] = []
        for crop in self.crops.crops:
            if (crop.boxed_only and not boxed) or (crop.whole_only and boxed):
                continue
            outputs.append(self.probabilities(prepare_ocr_crop(image_bgr, box, self.spec, crop)))
            reads.append(self.decode(outputs[-1]))
            if reads[0].confidence >= self.crops.accept_confidence:
                break
        if len(reads) == 1:
            return reads[0], outputs, reads
        if self.crops.combine == "ctc_likelihood":
            return self._choose(reads, outputs), outputs, reads
        return vote_reads(reads), outputs, reads


def vote_reads(reads: list[DecodedText]) -> DecodedText:
    """The text whose reads have the highest summed confidence (ties: the text read first), as its
    most confident read. Crops that agree outvote one crop that is sure of a wrong or cut-off text."""
    if not reads:
        raise ValueError("no read to vote on")
    totals: dict[str, float] = {}
    best: dict[str, DecodedText] = {}
    for read in reads:
        totals[read.text] = totals.get(read.text, 0.0) + read.confidence
        if read.text not in best or read.confidence > best[read.text].confidence:
            best[read.text] = read
    winner = max(totals, key=lambda text: totals[text])  # max keeps the first of equal totals
    return best[winner]


def most_likely_read(reads: list[DecodedText], probs: np.ndarray, alphabet: str) -> DecodedText:
    """Of the texts the crops read, the one with the highest CTC log-likelihood summed over all the
    crops' outputs ``probs`` (``(crops, T, classes)``, in the order of ``reads``; ties: the text read
    first), as its most confident read. One text read by every crop is returned without scoring."""
    if not reads:
        raise ValueError("no read to choose from")
    if len(reads) != len(probs):
        raise ValueError(f"{len(reads)} reads but {len(probs)} outputs")
    texts = list(dict.fromkeys(read.text for read in reads))
    if len(texts) > 1:
        scores = ctc_log_likelihoods(probs, texts, alphabet).sum(axis=0)
        winner = texts[int(np.argmax(scores))]  # argmax keeps the first of equal scores
    else:
        winner = texts[0]
    return max((read for read in reads if read.text == winner), key=lambda read: read.confidence)
