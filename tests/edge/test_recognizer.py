"""The plate reader: one crop or several, and how their reads become one (vote or CTC likelihood)."""

import numpy as np
import pytest
from pydantic import ValidationError

from edge.ctc import DecodedText
from edge.metadata import SEVERAL_CROPS, SINGLE_CROP, CropReading, InputSpec, ReadCrop
from edge.recognizer import PlateRecognizer, most_likely_read, vote_reads
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


VOTING = SEVERAL_CROPS.model_copy(update={"combine": "vote"})
FRAME = np.random.default_rng(0).integers(0, 255, (120, 200, 3), dtype=np.uint8)
BOX = Box(60, 50, 140, 70)


def read(crops: CropReading, script: list[tuple[str, float]]) -> tuple[DecodedText, ScriptedRunner]:
    runner = ScriptedRunner(script)
    recognizer = PlateRecognizer(runner, SPEC, ALPHABET, "probs", crops=crops)
    return recognizer.read(FRAME, BOX), runner


def test_agreeing_crops_outvote_one_sure_cut_off_read():
    decoded, runner = read(VOTING, [("ER140CY", 0.74), ("ER140CY", 0.47), ("ER140C", 0.98)])
    assert decoded.text == "ER140CY" and len(runner.inputs) == 3
    assert decoded.confidence == pytest.approx(0.74, abs=1e-6)  # its most confident read


def test_a_confident_first_read_is_kept_without_reading_the_other_crops():
    decoded, runner = read(SEVERAL_CROPS, [("AB123CD", 0.97), ("XX", 0.99), ("YY", 0.99)])
    assert decoded.text == "AB123CD" and len(runner.inputs) == 1


def test_three_different_reads_the_most_confident_wins():
    decoded, _ = read(VOTING, [("AB12", 0.5), ("AB123", 0.6), ("A8123", 0.55)])
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


def test_a_box_reaching_out_of_the_image_is_read_from_its_part_inside():
    from edge.preprocess import prepare_ocr_input

    runner = ScriptedRunner([("A", 0.9)] * 8)
    recognizer = PlateRecognizer(runner, SPEC, ALPHABET, "probs", crops=SEVERAL_CROPS)
    outside = Box(150, 110, 260, 190)  # only x 150..200, y 110..120 of the 200x120 frame
    assert recognizer.read(FRAME, outside).text == "A"
    assert np.array_equal(runner.inputs[0], prepare_ocr_input(FRAME, Box(150, 110, 200, 120), SPEC))
    with pytest.raises(ValueError, match="does not overlap the 200x120 image"):
        recognizer.read(FRAME, Box(210, 10, 260, 30))
    assert Box(-5, 10, 250, 30).clipped(200, 120) == Box(0, 10, 200, 30)
    assert Box(210, 10, 260, 30).clipped(200, 120).area == 0


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


BOXED_EXTRA = CropReading(
    crops=(*VOTING.crops, ReadCrop(name="tighter", left=-0.08, top=-0.2, right=-0.08, bottom=-0.2, boxed_only=True)),
    accept_confidence=0.95,
    combine="vote",
)


def test_a_boxed_only_crop_is_read_for_a_boxed_plate_and_skipped_for_a_whole_image():
    script = [("AB12", 0.4), ("AB12", 0.4), ("X", 0.4), ("AB123", 0.9)]
    decoded, runner = read(BOXED_EXTRA, script)
    assert len(runner.inputs) == 4 and decoded.text == "AB123"  # 0.9 outweighs the two agreeing 0.4s
    whole = ScriptedRunner(script)
    recognizer = PlateRecognizer(whole, SPEC, ALPHABET, "probs", crops=BOXED_EXTRA)
    assert recognizer.read(FRAME[50:70, 60:140]).text == "AB12" and len(whole.inputs) == 3


def test_new_readers_get_a_boxed_only_tighter_and_a_whole_only_looser_crop_after_the_three():
    from edge.metadata import DEFAULT_READ_CROPS

    assert DEFAULT_READ_CROPS.crops[:3] == SEVERAL_CROPS.crops
    tighter, looser = DEFAULT_READ_CROPS.crops[3:]
    assert tighter.boxed_only and tighter.left < 0 and tighter.top < 0
    assert looser.whole_only and looser.left > SEVERAL_CROPS.crops[2].left and looser.top > SEVERAL_CROPS.crops[2].top


def test_a_whole_only_crop_is_read_for_a_whole_image_and_skipped_for_a_boxed_plate():
    looser = ReadCrop(name="looser", left=0.1, top=0.25, right=0.1, bottom=0.25, whole_only=True)
    both = BOXED_EXTRA.model_copy(update={"crops": (*BOXED_EXTRA.crops, looser)})
    script = [("AB12", 0.4), ("AB12", 0.4), ("X", 0.4), ("AB123", 0.9)]
    boxed, runner = read(both, script)  # base, tight, loose, tighter: the looser crop is skipped
    assert len(runner.inputs) == 4 and boxed.text == "AB123"
    whole = ScriptedRunner(script)  # base, tight, loose, looser: the tighter crop is skipped
    recognizer = PlateRecognizer(whole, SPEC, ALPHABET, "probs", crops=both)
    assert recognizer.read(FRAME[50:70, 60:140]).text == "AB123" and len(whole.inputs) == 4
    # the fourth input is the looser crop: the image's top row repeated further outward than the base's
    assert _rows_repeating_the_first(whole.inputs[3]) > _rows_repeating_the_first(whole.inputs[0])


def _rows_repeating_the_first(pixels: np.ndarray) -> int:
    """Leading rows that repeat the first (within resampling's rounding)."""
    same = [np.abs(row.astype(int) - pixels[0].astype(int)).max() <= 2 for row in pixels]
    return same.index(False) if False in same else len(pixels)


def test_the_first_crop_cannot_be_boxed_only_or_whole_only():
    with pytest.raises(ValidationError, match="boxed_only"):
        CropReading(crops=(ReadCrop(name="base", boxed_only=True),))
    with pytest.raises(ValidationError, match="whole_only"):
        CropReading(crops=(ReadCrop(name="base", whole_only=True),))
    with pytest.raises(ValidationError, match="both"):
        ReadCrop(name="either", boxed_only=True, whole_only=True)
    old = ReadCrop(name="old")  # cards written before the fields read every crop
    assert old.boxed_only is False and old.whole_only is False


def soft_probs(steps: list[dict[str, float]]) -> np.ndarray:
    """CTC output with one step per dict (character -> probability, the rest is blank) and a blank
    step after each, every class keeping a little probability as a trained reader's output does."""
    probs = np.full((2 * len(steps), len(ALPHABET) + 1), 1e-4, np.float32)
    for i, step in enumerate(steps):
        for ch, p in step.items():
            probs[2 * i, ALPHABET.index(ch) + 1] = p
        probs[2 * i, 0] = max(1e-4, 1.0 - sum(step.values()))
        probs[2 * i + 1, 0] = 1.0
    return probs / probs.sum(axis=1, keepdims=True)


class SoftRunner:
    """Answers each OCR run with the next of the given outputs and counts the runs."""

    def __init__(self, outputs: list[np.ndarray]) -> None:
        self.outputs, self.calls = outputs, 0

    def run(self, pixels: np.ndarray) -> dict[str, np.ndarray]:
        self.calls += 1
        return {"probs": self.outputs[self.calls - 1]}


def test_the_text_most_probable_under_all_crops_beats_the_vote():
    # two crops lean to 8, one leans harder to B: the vote counts reads, the likelihood weighs evidence
    lean = [0.6, 0.45, 0.48]  # probability of B in the second position of each crop (8 has the rest)
    outputs = [soft_probs([{"A": 0.98}, {"B": b, "8": 0.98 - b}, {"1": 0.98}]) for b in lean]
    reads = [DecodedText("AB1" if b > 0.49 else "A81", (0.98, max(b, 0.98 - b), 0.98)) for b in lean]
    assert [r.text for r in reads] == ["AB1", "A81", "A81"]
    assert vote_reads(reads).text == "A81"
    chosen = most_likely_read(reads, np.stack(outputs), ALPHABET)
    assert chosen.text == "AB1" and chosen is reads[0]


def test_most_likely_read_agreement_ties_and_errors():
    same = [DecodedText("AB1", (0.5,)), DecodedText("AB1", (0.7,))]
    probs = np.stack([soft_probs([{"A": 0.9}, {"B": 0.9}, {"1": 0.9}])] * 2)
    assert most_likely_read(same, probs, ALPHABET) is same[1]  # one text: its most confident read
    tie = [DecodedText("AB1", (0.5,)), DecodedText("AB1", (0.5,))]
    flat = np.full((2, 6, len(ALPHABET) + 1), 1 / (len(ALPHABET) + 1), np.float32)
    different = [DecodedText("AB1", (0.5,)), DecodedText("BA1", (0.5,))]
    assert most_likely_read(different, flat, ALPHABET).text == "AB1"  # equal likelihoods: read first
    assert most_likely_read(tie, flat, ALPHABET) is tie[0]
    with pytest.raises(ValueError):
        most_likely_read([], flat[:0], ALPHABET)
    with pytest.raises(ValueError):
        most_likely_read(different, flat[:1], ALPHABET)


def test_the_recognizer_combines_its_crops_by_likelihood_when_the_card_says_so():
    outputs = [soft_probs([{"A": 0.98}, {"B": b, "8": 0.98 - b}, {"1": 0.98}]) for b in (0.6, 0.45, 0.48)]
    runner = SoftRunner(outputs)
    decoded = PlateRecognizer(runner, SPEC, ALPHABET, "probs", crops=SEVERAL_CROPS).read(FRAME, BOX)
    assert SEVERAL_CROPS.combine == "ctc_likelihood" and runner.calls == 3 and decoded.text == "AB1"
    runner = SoftRunner(outputs)
    assert PlateRecognizer(runner, SPEC, ALPHABET, "probs", crops=VOTING).read(FRAME, BOX).text == "A81"


def test_likelihood_combining_needs_a_ctc_reader():
    with pytest.raises(ValueError, match="CTC"):
        PlateRecognizer(ScriptedRunner([]), SPEC, ALPHABET, "probs", decoder="slots", crops=SEVERAL_CROPS)
    PlateRecognizer(ScriptedRunner([]), SPEC, ALPHABET, "probs", decoder="slots", crops=VOTING)
    with pytest.raises(ValidationError):
        CropReading(combine="average")


def test_with_formats_the_likelihood_chooses_among_the_fitting_reads():
    from edge.formats import compile_formats

    # the first crop leans to B (and fits LLDD); the others are sure of an 8 (and fit nothing), so
    # sure that the formats cannot move them (100x penalty): by likelihood alone A812 would win
    outputs = [soft_probs([{"A": 0.98}, {"B": 0.6, "8": 0.38}, {"1": 0.98}, {"2": 0.98}])]
    outputs += [soft_probs([{"A": 0.98}, {"B": 0.001, "8": 0.979}, {"1": 0.98}, {"2": 0.98}])] * 2
    free = PlateRecognizer(SoftRunner(outputs), SPEC, ALPHABET, "probs", crops=SEVERAL_CROPS).read(FRAME, BOX)
    assert free.text == "A812"
    formats = compile_formats(["LLDD"], ALPHABET)
    runner = SoftRunner(outputs)
    sited = PlateRecognizer(runner, SPEC, ALPHABET, "probs", formats=formats, crops=SEVERAL_CROPS).read(FRAME, BOX)
    assert runner.calls == 3 and sited.text == "AB12"


def sloping_frame(degrees: float) -> tuple[np.ndarray, Box]:
    """A BGR frame holding a drawn plate whose text slopes by ``degrees``, and the plate's box."""
    from tests.edge.strokes import sheared, text_strip

    plate = sheared(text_strip(), degrees)
    frame = np.full((300, 400, 3), 120, np.uint8)
    frame[100 : 100 + plate.shape[0], 80 : 80 + plate.shape[1]] = plate[:, :, None]
    return frame, Box(80, 100, 80 + plate.shape[1], 100 + plate.shape[0])


LEVELLING = SEVERAL_CROPS  # the default several crops level sloping plates
UNSURE = soft_probs([{"A": 0.98}, {"B": 0.45, "8": 0.53}, {"1": 0.98}])  # leans to A81
LEVEL_SURE = soft_probs([{"A": 0.99}, {"B": 0.97, "8": 0.01}, {"1": 0.99}])  # sure of AB1


def test_a_sloping_plate_is_read_again_levelled_and_the_likelier_text_wins():
    assert LEVELLING.level is not None and LEVELLING.level.min_degrees == 6.0
    frame, box = sloping_frame(14.0)
    runner = SoftRunner([UNSURE] * 3 + [LEVEL_SURE])  # three unsure crops, then one sure levelled crop
    decoded = PlateRecognizer(runner, SPEC, ALPHABET, "probs", crops=LEVELLING).read(frame, box)
    assert runner.calls == 4 and decoded.text == "AB1"
    runner = SoftRunner([UNSURE] * 3)
    unlevelled = SEVERAL_CROPS.model_copy(update={"level": None})
    assert PlateRecognizer(runner, SPEC, ALPHABET, "probs", crops=unlevelled).read(frame, box).text == "A81"
    assert runner.calls == 3


def test_a_level_plate_is_read_once_and_a_surer_same_text_is_kept():
    frame, box = sloping_frame(0.0)
    runner = SoftRunner([UNSURE] * 3)
    assert PlateRecognizer(runner, SPEC, ALPHABET, "probs", crops=LEVELLING).read(frame, box).text == "A81"
    assert runner.calls == 3  # flatter than min_degrees: no levelled read
    frame, box = sloping_frame(-10.0)
    sure_a81 = soft_probs([{"A": 0.99}, {"8": 0.99}, {"1": 0.99}])
    runner = SoftRunner([UNSURE] * 3 + [sure_a81])
    decoded = PlateRecognizer(runner, SPEC, ALPHABET, "probs", crops=LEVELLING).read(frame, box)
    assert runner.calls == 4 and decoded.text == "A81" and decoded.confidence > 0.9


def test_with_formats_a_fitting_levelled_read_wins_over_a_free_one():
    from edge.formats import compile_formats

    frame, box = sloping_frame(12.0)
    sure_free = soft_probs([{"A": 0.99}, {"8": 0.99}, {"1": 0.99}, {"2": 0.99}])
    unsure_fitting = soft_probs([{"A": 0.9}, {"B": 0.6, "8": 0.39}, {"1": 0.9}, {"2": 0.9}])
    runner = SoftRunner([sure_free, unsure_fitting] + [unsure_fitting] * 2)
    formats = compile_formats(["LLDD"], ALPHABET)
    recognizer = PlateRecognizer(runner, SPEC, ALPHABET, "probs", formats=formats, crops=LEVELLING)
    assert recognizer.read(frame, box).text == "AB12"


def test_from_card_can_turn_levelling_off_and_bad_settings_are_refused():
    from edge.metadata import SlopeLevelling

    runner = ScriptedRunner([])
    assert PlateRecognizer.from_card(runner, card(SEVERAL_CROPS)).crops.level == SEVERAL_CROPS.level
    off = PlateRecognizer.from_card(runner, card(SEVERAL_CROPS), level_sloped=False).crops
    assert off.level is None and off.crops == SEVERAL_CROPS.crops
    with pytest.raises(ValidationError):
        SlopeLevelling(min_degrees=20.0, max_degrees=10.0)
    with pytest.raises(ValidationError):
        SlopeLevelling(min_degrees=0.0)


def test_leaning_characters_are_read_again_upright_unless_the_card_says_not_to():
    from tests.edge.strokes import leaning, text_strip

    plate = leaning(text_strip(), 16.0)
    frame = np.full((300, 400, 3), 230, np.uint8)  # the plate's own white: no upright edge at its sides
    frame[100 : 100 + plate.shape[0], 60 : 60 + plate.shape[1]] = plate[:, :, None]
    box = Box(60, 100, 60 + plate.shape[1], 100 + plate.shape[0])
    runner = SoftRunner([UNSURE] * 3 + [LEVEL_SURE])  # level text: no levelled read, one upright read
    decoded = PlateRecognizer(runner, SPEC, ALPHABET, "probs", crops=LEVELLING).read(frame, box)
    assert LEVELLING.level.min_slant_degrees == 10.0 and runner.calls == 4 and decoded.text == "AB1"
    no_slant = LEVELLING.model_copy(update={"level": LEVELLING.level.model_copy(update={"min_slant_degrees": None})})
    runner = SoftRunner([UNSURE] * 3)
    assert PlateRecognizer(runner, SPEC, ALPHABET, "probs", crops=no_slant).read(frame, box).text == "A81"
    assert runner.calls == 3


def test_a_plate_standing_on_end_is_read_turned_each_way_and_the_surest_read_kept():
    from edge.preprocess import prepare_ocr_crop
    from edge.sideways import box_in_turned, turn

    tall = Box(90, 20, 110, 100)
    runner = ScriptedRunner([("X1", 0.3), ("AB123", 0.95), ("EZ1BV", 0.5)])
    recognizer = PlateRecognizer(runner, SPEC, ALPHABET, "probs", crops=SINGLE_CROP, sideways=True)
    assert recognizer.read(FRAME, tall).text == "AB123"
    assert len(runner.inputs) == 3
    once = box_in_turned(tall, FRAME.shape[1], 1, FRAME.shape[0])
    expected = prepare_ocr_crop(turn(FRAME, 1), once, SPEC, SINGLE_CROP.crops[0])
    np.testing.assert_array_equal(runner.inputs[1], expected)
    # a plate lying flat is read once; without ``sideways`` a tall one too
    flat_runner = ScriptedRunner([("AB123", 0.4)])
    flat = PlateRecognizer(flat_runner, SPEC, ALPHABET, "probs", crops=SINGLE_CROP, sideways=True)
    assert flat.read(FRAME, BOX).text == "AB123" and len(flat_runner.inputs) == 1
    plain_runner = ScriptedRunner([("X1", 0.3)])
    plain = PlateRecognizer(plain_runner, SPEC, ALPHABET, "probs", crops=SINGLE_CROP)
    assert plain.read(FRAME, tall).text == "X1" and len(plain_runner.inputs) == 1


def test_a_whole_image_taller_than_wide_is_read_turned_too():
    runner = ScriptedRunner([("", 0.0), ("Q7", 0.6), ("AB123", 0.9)])
    recognizer = PlateRecognizer(runner, SPEC, ALPHABET, "probs", crops=SINGLE_CROP, sideways=True)
    assert recognizer.read(np.ascontiguousarray(np.rot90(FRAME))).text == "AB123"
    assert len(runner.inputs) == 3
