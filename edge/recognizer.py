"""The plate reader on the device: crop, run the OCR model, decode CTC."""

from __future__ import annotations

from typing import Protocol

import numpy as np

from edge.ctc import DecodedText, decode_text
from edge.metadata import InputSpec
from edge.preprocess import prepare_ocr_input
from edge.types import Box


class Runner(Protocol):
    """Anything that maps a uint8 input image to named float outputs (TFLite, or Keras in training)."""

    def run(self, pixels: np.ndarray) -> dict[str, np.ndarray]: ...


class PlateRecognizer:
    """Reads plate text from a frame and a box (or from a crop)."""

    def __init__(
        self, runner: Runner, spec: InputSpec, alphabet: str, output: str | None = None, decoder: str = "ctc"
    ) -> None:
        self.runner, self.spec, self.alphabet, self.output, self.decoder = runner, spec, alphabet, output, decoder

    @classmethod
    def from_card(cls, runner: Runner, card: dict) -> PlateRecognizer:
        """A recognizer configured by an OCR model card (input, alphabet, output name, decoder)."""
        output = (card.get("output_names") or [card.get("output", {}).get("name")])[0]
        return cls(
            runner, InputSpec.model_validate(card["input"]), card["alphabet"], output, card.get("decoder", "ctc")
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
        return decode_text(self.probabilities(pixels), self.alphabet, self.decoder)
