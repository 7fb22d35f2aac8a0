"""The plate reader: one crop or several, and the vote between their reads."""

import numpy as np
import pytest
from pydantic import ValidationError

from edge.ctc import DecodedText
from edge.metadata import SEVERAL_CROPS, SINGLE_CROP, CropReading, InputSpec, ReadCrop
from edge.recognizer import PlateRecognizer, vote_reads
from edge.text import ALPHABET
from edge.types import Box

SPEC = InputSpec(height=16, width=48, colour="grey", margin_x=0.04, margin_y=0.12)


def ctc_probs(text: str, confidence: float, steps: int = 24) -> np.ndarray:
    """Probabilities a CTC reader would give for ``text``: one step per character, blanks between."""
    probs = np.zeros((steps, len(ALPHABET) + 1), np.float32)
    probs[:, 0] = 1.0
    for i, ch in enumerate(text):
        row = probs[2 * i + 1]
        row[:] = (1.0 - confidence) / len(ALPHABET)
        row[ALPHABET.index(ch) + 1] = confidence
    return probs


class ScriptedRunner:
    """Answers each OCR run with the next scripted (text, confidence) and keeps the inputs it saw."""

    def __init__(self, script: list[tuple[str, float]]) -> None:
        self.script, self.inputs = list(script), []

    def run(self, pixels: np.ndarray) -> dict[str, np.ndarray]:
        self.inputs.append(pixels.copy())
        text, confidence = self.script[len(self.inputs) - 1]
        return {"probs": ctc_probs(text, confidence)}


def card(read_crops: CropReading | None) -> dict:
    c = {"input": SPEC.model_dump(), "alphabet": ALPHABET, "output": {"name": "probs"}, "decoder": "ctc"}
    if read_crops is not None:
        c["read_crops"] = read_crops.model_dump()
    return c


FRAME = np.random.default_rng(0).integers(0, 255, (120, 200, 3), dtype=np.uint8)
BOX = Box(60, 50, 140, 70)


def read(crops: CropReading, script: list[tuple[str, float]]) -> tuple[DecodedText, ScriptedRunner]:
    runner = ScriptedRunner(script)
    recognizer = PlateRecognizer(runner, SPEC, ALPHABET, "probs", crops=crops)
    return recognizer.read(FRAME, BOX), runner


def test_agreeing_crops_outvote_one_sure_cut_off_read():
    decoded, runner = read(SEVERAL_CROPS, [("ER140CY", 0.74), ("ER140CY", 0.47), ("ER140C", 0.98)])
    assert decoded.text == "ER140CY" and len(runner.inputs) == 3
    assert decoded.confidence == pytest.approx(0.74, abs=1e-6)  # its most confident read


def test_a_confident_first_read_is_kept_without_reading_the_other_crops():
    decoded, runner = read(SEVERAL_CROPS, [("AB123CD", 0.97), ("XX", 0.99), ("YY", 0.99)])
    assert decoded.text == "AB123CD" and len(runner.inputs) == 1


def test_three_different_reads_the_most_confident_wins():
    decoded, _ = read(SEVERAL_CROPS, [("AB12", 0.5), ("AB123", 0.6), ("A8123", 0.55)])
    assert decoded.text == "AB123"


def test_single_crop_reads_once_even_when_unsure():
    decoded, runner = read(SINGLE_CROP, [("AB12", 0.3)])
    assert decoded.text == "AB12" and len(runner.inputs) == 1


def test_vote_ties_keep_the_text_read_first_and_empty_is_refused():
    first, second = DecodedText("AAA", (0.6,)), DecodedText("BBB", (0.6,))
    assert vote_reads([first, second]).text == "AAA"
    with pytest.raises(ValueError):
        vote_reads([])


def test_crops_differ_and_the_base_crop_is_the_trained_input():
    _, runner = read(SEVERAL_CROPS, [("A", 0.1), ("B", 0.1), ("C", 0.1)])
    base, tight, loose = runner.inputs
    from edge.preprocess import prepare_ocr_input

    assert np.array_equal(base, prepare_ocr_input(FRAME, BOX, SPEC))
    assert not np.array_equal(base, tight) and not np.array_equal(base, loose)


def test_from_card_reads_the_cards_crops_unless_told_not_to():
    runner = ScriptedRunner([])
    assert PlateRecognizer.from_card(runner, card(None)).crops == SINGLE_CROP
    assert PlateRecognizer.from_card(runner, card(SEVERAL_CROPS)).crops == SEVERAL_CROPS
    assert PlateRecognizer.from_card(runner, card(SEVERAL_CROPS), several_crops=False).crops == SINGLE_CROP


def test_crop_reading_needs_a_crop_and_sane_fractions():
    with pytest.raises(ValidationError):
        CropReading(crops=())
    with pytest.raises(ValidationError):
        ReadCrop(name="huge", left=2.0)
