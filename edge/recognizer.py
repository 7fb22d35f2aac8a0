"""The plate reader on the device: crop, run the OCR model, decode CTC (optionally constrained to
the plate formats a site expects, see :mod:`edge.formats`)."""

from __future__ import annotations

from typing import Protocol

import numpy as np

from edge.ctc import DecodedText, decode_text
from edge.formats import DEFAULT_MAX_PENALTY, FormatSet, compile_formats, decode_with_formats
from edge.metadata import InputSpec
from edge.preprocess import prepare_ocr_input
from edge.types import Box


class Runner(Protocol):
    """Anything that maps a uint8 input image to named float outputs (TFLite, or Keras in training)."""

    def run(self, pixels: np.ndarray) -> dict[str, np.ndarray]: ...


class PlateRecognizer:
    """Reads plate text from a frame and a box (or from a crop)."""

    def __init__(
        self,
        runner: Runner,
        spec: InputSpec,
        alphabet: str,
        output: str | None = None,
        decoder: str = "ctc",
        formats: FormatSet | None = None,
        max_penalty: float = DEFAULT_MAX_PENALTY,
    ) -> None:
        self.runner, self.spec, self.alphabet, self.output, self.decoder = runner, spec, alphabet, output, decoder
        if formats is not None and decoder != "ctc":
            raise ValueError(f"plate formats need a CTC reader (this model card's decoder is {decoder!r})")
        self.formats, self.max_penalty = formats, max_penalty

    @classmethod
    def from_card(
        cls, runner: Runner, card: dict, formats: list[str] | None = None, max_penalty: float = DEFAULT_MAX_PENALTY
    ) -> PlateRecognizer:
        """A recognizer configured by an OCR model card (input, alphabet, output name, decoder),
        reading towards ``formats`` (names of :data:`edge.formats.PLATE_FORMATS` or patterns) if given."""
        output = (card.get("output_names") or [card.get("output", {}).get("name")])[0]
        compiled = compile_formats(formats, card["alphabet"]) if formats else None
        return cls(
            runner,
            InputSpec.model_validate(card["input"]),
            card["alphabet"],
            output,
            card.get("decoder", "ctc"),
            compiled,
            max_penalty,
        )

    def probabilities(self, pixels: np.ndarray) -> np.ndarray:
        outputs = self.runner.run(pixels)
        if self.output and self.output in outputs:
            return outputs[self.output]
        if len(outputs) == 1:
            return next(iter(outputs.values()))
        raise KeyError(f"OCR output {self.output!r} not among {sorted(outputs)}")

    def read(self, image_bgr: np.ndarray, box: Box | None = None) -> DecodedText:
        """Read the plate in ``box`` of ``image_bgr`` (the whole image when ``box`` is None)."""
        pixels = prepare_ocr_input(image_bgr, box, self.spec)
        probs = self.probabilities(pixels)
        if self.formats is not None:
            return decode_with_formats(probs, self.alphabet, self.formats, self.max_penalty)
        return decode_text(probs, self.alphabet, self.decoder)
