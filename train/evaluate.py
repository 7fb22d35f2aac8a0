"""``anpr evaluate``: measure the models on any folder in the common layout.

The OCR reads every row that has a text, from its ground-truth box (or the whole image when
the box is empty), through the device's own preprocessing and decoding; an unsure read of a box is
read again from the box the detector finds inside it, when it finds a smaller one (``--no-refit``:
not; :mod:`edge.refit`). Results go to a JSON
file with ``ocr.exact_match``, ``ocr.char_accuracy``, ``ocr.n`` and ``ocr.by_group`` (group =
first path component of ``image``, or ``all``), percentages as 0-100 floats.
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from pathlib import Path

import numpy as np
from pydantic import ValidationError

from edge.config import OcrConfig
from edge.ctc import DecodedText
from edge.errors import AnprError
from edge.formats import DEFAULT_MAX_PENALTY
from edge.imageio import read_image
from edge.recognizer import PlateRecognizer
from edge.refit import BoxRefitter, read_given_box
from edge.types import Box
from train.data.annotations import read_dataset
from train.data.orientation import resolve_box_frames
from train.data.splits import DEFAULT_MANIFEST, load_manifest, select_split
from train.metrics import confusion_pairs, grouped_scores

log = logging.getLogger(__name__)

LISTED_ERRORS = 5
"""Rows with errors named one by one in the log per dataset folder (the rest are counted)."""

FRAME_DETECTION_SCORE = 0.1
"""Detections at least this likely count when a box without text is scored for its frame (box_score)."""


class KerasRunner:
    """Runs a Keras model on one uint8 image, the same contract as the TFLite wrapper (float)."""

    def __init__(self, path: Path) -> None:
        import keras

        from train.ocr.train import ctc_loss_fn

        self.model = keras.models.load_model(path, custom_objects={"ctc_loss": ctc_loss_fn()}, compile=False)
        self.name = self.model.output_names[0] if hasattr(self.model, "output_names") else "probs"

    def run(self, pixels: np.ndarray) -> dict[str, np.ndarray]:
        from edge.preprocess import normalise

        return {self.name: np.asarray(self.model.predict_on_batch(normalise(pixels[None])))[0]}


def load_ocr(
    models: Path,
    use_float: bool,
    formats: list[str] | None = None,
    max_penalty: float | None = None,
    several_crops: bool = True,
    level_sloped: bool = True,
    candidates: int = 0,
    sideways: bool = False,
    two_rows: bool = True,
) -> tuple[PlateRecognizer, dict]:
    """The OCR from ``models/``: the int8 TFLite (or float32 with ``use_float``), else the Keras source,
    reading the card's crops (``read_crops``) unless ``several_crops`` is False, and sloping plates
    also sheared level (``read_crops.level``) unless ``level_sloped`` is False; each read lists up to
    ``candidates`` texts (the agent's ``ocr.candidates``, with its default probability floor); a plate taller
    than wide is also read turned a quarter each way with ``sideways``; a plate that may have two rows is
    also read with its rows side by side (``read_crops.two_rows``) unless ``two_rows`` is False."""
    card_path = models / "ocr.json"
    if not card_path.is_file():
        raise AnprError(f"{card_path}: no OCR model card (train one with 'anpr train ocr --ship')")
    card = json.loads(card_path.read_text())
    precision = "float32" if use_float else "int8"
    tflite = models / f"ocr_{precision}.tflite"
    if tflite.is_file():
        from edge.runtime.interpreter import TFLiteModel

        model = TFLiteModel(tflite)
        info = {"file": tflite.name, "backend": model.backend, "precision": precision}
        runner = model
    else:
        keras_path = models / card.get("keras", {}).get("file", "ocr.keras")
        if not keras_path.is_file():
            raise AnprError(f"{models}: neither {tflite.name} nor {keras_path.name} found")
        log.warning("%s not found: evaluating the Keras model %s (float32) instead", tflite.name, keras_path.name)
        runner = KerasRunner(keras_path)
        info = {"file": keras_path.name, "backend": "keras", "precision": "float32"}
    penalty = DEFAULT_MAX_PENALTY if max_penalty is None else max_penalty
    if formats:
        info["formats"] = formats
        info["format_max_penalty"] = penalty
    try:
        recognizer = PlateRecognizer.from_card(
            runner,
            card,
            formats or None,
            penalty,
            several_crops,
            level_sloped,
            candidates,
            OcrConfig().candidate_min_probability,
            sideways,
            two_rows,
        )
    except ValidationError as exc:
        raise AnprError(f"{card_path}: bad read_crops: {exc}") from None
    except ValueError as exc:  # an unknown format, or a card whose settings need a CTC reader
        raise AnprError(f"{card_path}: {exc}" if "read_crops" in str(exc) else f"--formats: {exc}") from None
    info["crops"] = recognizer.crops.names
    info["accept_confidence"] = recognizer.crops.accept_confidence
    info["combine"] = recognizer.crops.combine
    level = recognizer.crops.level
    info["level_min_degrees"] = level.min_degrees if level is not None else None
    info["candidates"] = recognizer.candidates
    info["sideways"] = recognizer.sideways
    info["two_rows"] = recognizer.crops.two_rows is not None
    return recognizer, info


def dataset_rows(
    data: list[Path], split: str, manifest: Path, left_out: list[str] | None = None
) -> list[tuple[Path, object, str]]:
    """(image path, annotation, group) for every row, optionally restricted to one side of the split. Rows
    with errors (``anpr data check`` lists them) are left out with a warning and, when ``left_out`` is a
    list, appended to it as messages."""
    loaded = load_manifest(manifest) if split != "all" else None
    rows = []
    for directory in data:
        dataset = read_dataset(directory)
        errors = [str(issue) for issue in dataset.issues if issue.severity == "error"]
        for message in errors[:LISTED_ERRORS]:
            log.warning("left out: %s", message)
        if len(errors) > LISTED_ERRORS:
            log.warning("left out: %d more rows of %s with errors", len(errors) - LISTED_ERRORS, directory)
        if left_out is not None:
            left_out.extend(errors)
        annotations = dataset.annotations
        if loaded is not None:
            annotations = select_split(dataset, loaded, split).annotations
        rows += [(dataset.image_path(a), a, a.group) for a in annotations]
    return rows


def box_score(recognizer: PlateRecognizer, detector=None):
    """How much a box looks like its plate, for :func:`train.data.orientation.resolve_box_frames`: the
    reader's confidence for a row with text; the best overlap of a detection (``detector``, one plain
    look) with the box for a row without (0 without a detector)."""

    def score(image: np.ndarray, box: Box, annotation) -> float:
        if annotation.text:
            return float(recognizer.read(image, box).confidence)
        if detector is None:
            return 0.0
        boxes, _ = detector.candidates(image, FRAME_DETECTION_SCORE)
        return max((box.iou(Box(*map(float, b))) for b in boxes), default=0.0)

    return score


def evaluate_ocr(
    recognizer: PlateRecognizer, rows: list, refitter: BoxRefitter | None = None, left_out: list[str] | None = None
) -> tuple[dict, list[dict]]:
    """Every row read from its ground-truth box (the whole image when it has none); an unsure read of a
    box is read again from the box ``refitter`` finds inside it, when it finds one (:mod:`edge.refit`).
    Rows whose image cannot be read are skipped with a warning (and their message added to ``left_out``)."""
    results, details, times, listed = [], [], [], []
    for path, annotation, group in rows:
        try:
            image = read_image(path)
        except AnprError as exc:
            log.warning("skipped: %s", exc)
            if left_out is not None and str(exc) not in left_out:
                left_out.append(str(exc))
            continue
        if annotation.box is not None and annotation.box.clipped(image.shape[1], image.shape[0]).area <= 0:
            log.warning(
                "%s: box %s lies outside the %dx%d image: counted as not read (see --box-frame)",
                annotation.image,
                annotation.box.as_list(),
                image.shape[1],
                image.shape[0],
            )
            decoded = DecodedText("", ())
        else:
            started = time.perf_counter()
            decoded = read_given_box(recognizer, refitter, image, annotation.box)
            times.append((time.perf_counter() - started) * 1000)
        results.append((group, annotation.text, decoded.text))
        details.append(
            {
                "image": annotation.image,
                "group": group,
                "truth": annotation.text,
                "read": decoded.text,
                "confidence": round(decoded.confidence, 4),
            }
        )
        if recognizer.candidates:
            details[-1]["candidates"] = [text for text, _ in decoded.candidates]
            listed.append((group, annotation.text in details[-1]["candidates"]))
    scores = grouped_scores(results)
    if recognizer.candidates:
        _add_candidate_match(scores, listed)
    scores["ms_per_plate"] = float(np.median(times)) if times else 0.0
    confusions = confusion_pairs((t, p) for _, t, p in results)
    scores["top_confusions"] = [
        {"truth": a or "-", "read": b or "-", "count": n}
        for (a, b), n in sorted(confusions.items(), key=lambda kv: -kv[1])
        if a != b
    ][:15]
    return scores, details


def _add_candidate_match(scores: dict, listed: list[tuple[str, bool]]) -> None:
    """``candidate_match`` (% of plates whose text is among their read's candidates), overall and in
    each of ``scores["by_group"]``."""
    scores["candidate_match"] = 100.0 * float(np.mean([hit for _, hit in listed])) if listed else 0.0
    for group, group_scores in scores["by_group"].items():
        hits = [hit for g, hit in listed if g == group]
        group_scores["candidate_match"] = 100.0 * float(np.mean(hits)) if hits else 0.0


def run_evaluate(args: argparse.Namespace) -> int:
    for directory in args.data:
        if not (directory / "annotations.csv").is_file():
            raise AnprError(f"{directory}: not a dataset folder (needs annotations.csv and images/)")
    from train.evaluate_detection import evaluate_images, load_detector

    formats = [f.strip() for f in (getattr(args, "formats", None) or "").split(",") if f.strip()]
    recognizer, info = load_ocr(
        args.models,
        args.float,
        formats,
        getattr(args, "format_max_penalty", None),
        not getattr(args, "single_crop", False),
        not getattr(args, "no_level", False),
        getattr(args, "candidates", 0),
        getattr(args, "sideways", False),
        not getattr(args, "no_two_rows", False),
    )
    manifest = args.manifest or DEFAULT_MANIFEST
    left_out: list[str] = []
    all_rows = dataset_rows(args.data, args.split, manifest, left_out)
    loaded = (
        load_detector(
            args.models,
            args.float,
            not getattr(args, "single_look", False),
            getattr(args, "mirror", None),
            True if getattr(args, "sideways", False) else None,
        )
        if any(r[1].box is not None for r in all_rows) or not getattr(args, "no_refit", False)
        else None
    )  # the refit of crop images needs the detector too, so crop-only folders read as in a mixed run
    all_rows, frames = resolve_box_frames(
        all_rows, box_score(recognizer, loaded[0] if loaded else None), getattr(args, "box_frame", "auto")
    )
    text_rows = [r for r in all_rows if r[1].text]
    box_rows = [r for r in all_rows if r[1].box is not None]
    refit = loaded is not None and not getattr(args, "no_refit", False)
    info["refit_boxes"] = refit
    refitter = BoxRefitter(loaded[0]) if refit else None
    scores, details = evaluate_ocr(recognizer, text_rows, refitter, left_out)
    if refitter is not None:
        scores["refit"] = {"looks": refitter.looks, "replaced": refitter.replaced}
    report = {"ocr": scores, "models": {"ocr": info}, "data": [str(d) for d in args.data], "split": args.split}
    if frames:
        report["box_frames"] = [choice.as_dict() for choice in frames]
    if loaded is not None and box_rows:
        detector, det_info = loaded
        report["models"]["detector"] = det_info
        report.update(evaluate_images(detector, recognizer, box_rows, left_out))
    if left_out:
        report["rows_left_out"] = left_out
    print(
        f"OCR ({info['file']}, {info['backend']}, {info['precision']}, crops {'/'.join(info['crops'])}"
        f"{', ' + info['combine'] if len(info['crops']) > 1 else ''}) "
        f"on {scores['n']} plates"
    )
    print(f"  {'group':24s} {'n':>6s} {'exact %':>8s} {'char %':>8s}")
    for group, s in [*scores["by_group"].items(), ("overall", scores)]:
        print(f"  {group:24s} {s['n']:6d} {s['exact_match']:8.2f} {s['char_accuracy']:8.2f}")
    if refitter is not None:
        print(
            f"  boxes refitted by the detector: {refitter.looks} unsure reads looked at, "
            f"{refitter.replaced} read surer from the refitted box"
        )
    if left_out:
        print(f"  {len(left_out)} rows or images left out for errors (rows_left_out; anpr data check lists them)")
    for choice in frames:
        print(
            f"  {choice.source}: boxes on {choice.tagged_images} photos with an orientation tag taken in the "
            f"{choice.boxes_in} frame ({choice.reason})"
        )
    if "candidate_match" in scores:
        print(f"  the truth among each read's {info['candidates']} candidates: {scores['candidate_match']:.2f} %")
    if "detection" in report:
        d, e, m = report["detection"], report["e2e"], report["models"]["detector"]
        print(
            f"detection ({m['file']}, threshold {m['threshold']}{', second look' if m['second_look'] else ''}"
            f"{', mirror look' if m['mirror'] else ''}{', sideways look' if m['sideways'] else ''}) "
            f"on {d['n']} boxes: recall {d['recall']:.2f} %, precision {d['precision']:.2f} %, AP50 {d['ap50']:.2f}"
        )
        print(
            f"end to end on {e['n']} plates with text: exact {e['exact_match']:.2f} %, "
            f"{e['false_reads_per_image']:.3f} false reads per image, {report['ms_per_image']:.1f} ms per image"
        )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        report["ocr_reads"] = details
        args.json.write_text(json.dumps(report, indent=1) + "\n")
    return 0
