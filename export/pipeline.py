"""Export every model in a folder: float32 and int8 TFLite, parity gate, model card update."""

from __future__ import annotations

import logging
import shlex
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from edge.ctc import decode_text
from edge.errors import AnprError
from edge.metadata import InputSpec
from edge.models import file_sha256, load_card
from edge.preprocess import prepare_ocr_input
from edge.recognizer import PlateRecognizer
from edge.runtime.interpreter import TFLiteModel
from export.convert import to_tflite
from export.representative import ocr_calibration
from train.metrics import reading_scores
from train.model_card import library_versions, write_card
from train.ocr.data import load_real_crops, prepare_real
from train.synth.plates import render_plate_sample

log = logging.getLogger(__name__)
#: The int8 model may lose at most this many points of the float model's headline metric.
PARITY_TOLERANCE = 0.5


class ParityError(AnprError):
    """The int8 model lost too much accuracy against the float model."""


@dataclass
class ExportResult:
    name: str
    float_score: float
    int8_score: float
    n: int
    metric: str
    seconds: float


def _tensor_card(model: TFLiteModel, path: Path) -> dict:
    info = model.inputs[0]
    return {
        "file": path.name,
        "sha256": file_sha256(path),
        "size_bytes": path.stat().st_size,
        "input_shape": list(info.shape),
        "input": {"dtype": info.dtype.name, "scale": info.scale, "zero_point": info.zero_point},
        "outputs": [
            {"name": name, "dtype": o.dtype.name, "scale": o.scale, "zero_point": o.zero_point, "shape": list(o.shape)}
            for name, o in zip(model.output_names, model.outputs)
        ],
    }


def ocr_parity_set(
    spec: InputSpec, data_root: Path, manifest: Path, sources: list[str]
) -> tuple[np.ndarray, list[str], str]:
    """Validation inputs for the parity gate: real held-out crops, else seeded synthetic plates."""
    crops = load_real_crops(data_root, manifest, sources, "val") if data_root.is_dir() else []
    if crops:
        return prepare_real(crops, spec), [c.text for c in crops], f"real validation split of {', '.join(sources)}"
    samples = [render_plate_sample(np.random.default_rng([99, i])) for i in range(300)]
    images = np.stack([prepare_ocr_input(s.image, None, spec) for s in samples])
    return images, [s.text for s in samples], "300 seeded synthetic plates (no shared data found)"


def read_crops_scores(model: TFLiteModel, card: dict, data_root: Path, manifest: Path, sources: list[str]) -> dict:
    """The exported model on the real validation crops read as the device reads them: the card's
    ``read_crops`` (several crops, combined as the card says, sloping or leaning plates straightened if it says so).
    Empty when the card has none or no shared data is found."""
    crops = load_real_crops(data_root, manifest, sources, "val") if data_root.is_dir() else []
    if "read_crops" not in card or not crops:
        return {}
    recognizer = PlateRecognizer.from_card(model, card)
    scores = reading_scores((c.text, recognizer.read(c.image, c.box).text) for c in crops)
    names, combine, level = "/".join(recognizer.crops.names), recognizer.crops.combine, recognizer.crops.level
    log.info(
        "int8 with read_crops %s (%s, %s): %.2f %% exact",
        names,
        combine,
        f"plates straightened from a {level.min_degrees:g}-degree slope or a {level.min_slant_degrees}-degree lean"
        if level
        else "not straightened",
        scores["exact_match"],
    )
    return {
        "crops": recognizer.crops.names,
        "combine": combine,
        "level": level.model_dump() if level else None,
        "n": len(crops),
        "int8": scores,
    }


def _read_all(model: TFLiteModel, images: np.ndarray, alphabet: str, decoder: str) -> list[str]:
    return [decode_text(next(iter(model.run(image).values())), alphabet, decoder).text for image in images]


def export_ocr(
    models: Path,
    data_root: Path,
    manifest: Path,
    name: str = "ocr",
    calibration_seed: int = 0,
    tolerance: float = PARITY_TOLERANCE,
) -> ExportResult:
    """Export ``models/<name>.keras``; raises :class:`ParityError` when int8 loses too much."""
    import keras

    from train.ocr.train import ctc_loss_fn

    started = time.monotonic()
    card = load_card(models, name)
    spec = InputSpec.model_validate(card["input"])
    sources = card.get("data", {}).get("real_sources", [])
    keras_path = models / card.get("keras", {}).get("file", f"{name}.keras")
    if not keras_path.is_file():
        raise AnprError(f"{keras_path}: Keras model not found")
    model = keras.models.load_model(keras_path, custom_objects={"ctc_loss": ctc_loss_fn()}, compile=False)
    calibration = ocr_calibration(spec, data_root, manifest, sources, seed=calibration_seed)
    float_path = to_tflite(model, models / f"{name}_float32.tflite", spec.shape, None)
    int8_path = to_tflite(model, models / f"{name}_int8.candidate.tflite", spec.shape, calibration)
    output_names = [card.get("output", {}).get("name", "probs")]
    float_model = TFLiteModel(float_path, output_names=output_names)
    int8_model = TFLiteModel(int8_path, output_names=output_names)
    images, texts, described = ocr_parity_set(spec, data_root, manifest, sources)
    float_scores = reading_scores(
        zip(texts, _read_all(float_model, images, card["alphabet"], card.get("decoder", "ctc")))
    )
    int8_scores = reading_scores(
        zip(texts, _read_all(int8_model, images, card["alphabet"], card.get("decoder", "ctc")))
    )
    result = ExportResult(
        name,
        float_scores["exact_match"],
        int8_scores["exact_match"],
        len(texts),
        "exact_match",
        time.monotonic() - started,
    )
    int8_path, int8_model = _gate(result, int8_path, output_names, tolerance)
    several = read_crops_scores(int8_model, card, data_root, manifest, sources)
    write_card(
        models / f"{name}.json",
        {
            "output_names": output_names,
            "tflite": {
                **card.get("tflite", {}),
                "float32": _tensor_card(float_model, float_path),
                "int8": _tensor_card(int8_model, int8_path),
            },
            "export": {
                "calibration": f"{len(calibration)} inputs: real training-split crops stratified by source, plus "
                "synthetic plates of styles without real data; via edge.preprocess.prepare_ocr_input",
                "calibration_seed": calibration_seed,
                "parity": {
                    "data": described,
                    "n": len(texts),
                    "float32": float_scores,
                    "int8": int8_scores,
                    "tolerance_points": tolerance,
                },
                **({"read_crops": {**several, "data": described}} if several else {}),
                "versions": library_versions(),
                "command": " ".join(["anpr", *map(shlex.quote, sys.argv[1:])]) if sys.argv[1:] else "anpr export",
            },
        },
    )
    return result


def _detections(model: TFLiteModel, spec: InputSpec, params, frames) -> list:
    from edge.detector import PlateDetector

    detector = PlateDetector(model, spec, params)
    out = []
    for frame, truth in frames:
        found = detector.detect(frame)
        out.append(
            (
                np.asarray([d.box.as_list() for d in found], np.float32).reshape(-1, 4),
                np.asarray([d.score for d in found], np.float32),
                truth,
            )
        )
    return out


def export_threshold(
    int8_detections: list,
    trained_threshold: float,
    detections_at: Callable[[float], list] | None = None,
    fixed: float | None = None,
) -> dict:
    """The card's ``decode`` keys for the score threshold chosen on the exported int8 model's validation
    detections (found at a low threshold) by :data:`train.detection_metrics.THRESHOLD_RULE`, or, for a
    card with a second look, on the detections ``detections_at(t)`` finds anew at each candidate
    threshold; the threshold training chose (on simulated int8, one look) is kept for the record. With
    ``fixed`` (``anpr export --detector-threshold``) the threshold is ``fixed``, and what the rule chose
    is recorded beside it (``rule_threshold``)."""
    from train.detection_metrics import THRESHOLD_RULE, choose_threshold, choose_threshold_each

    if detections_at is None:
        threshold, how = choose_threshold(int8_detections), "int8 model, at export"
    else:
        threshold, how = choose_threshold_each(detections_at), "int8 model with its second look, at export"
    log.info("detector threshold %.2f on the %s (training chose %.2f)", threshold, how, trained_threshold)
    if fixed is not None:
        log.info("detector threshold set to %.2f by --detector-threshold", fixed)
        return {
            "score_threshold": fixed,
            "threshold_rule": f"set at export (anpr export --detector-threshold {fixed}); {THRESHOLD_RULE} "
            f"({how}) chose {threshold}",
            "rule_threshold": threshold,
            "trained_threshold": trained_threshold,
        }
    return {
        "score_threshold": threshold,
        "threshold_rule": f"{THRESHOLD_RULE} ({how})",
        "trained_threshold": trained_threshold,
    }


def export_detector(
    models: Path,
    data_root: Path,
    manifest: Path,
    name: str = "detector",
    calibration_seed: int = 1,
    tolerance: float = PARITY_TOLERANCE,
    threshold: float | None = None,
) -> ExportResult:
    """Export ``models/<name>.keras``; the parity metric is AP50 on validation. The score threshold is
    re-chosen on the int8 model when real validation photos exist (:func:`export_threshold`), or set to
    ``threshold`` when given."""
    import keras

    from edge.detector import DecodeParams
    from export.representative import detector_calibration
    from train.detection_metrics import detection_scores
    from train.detector.data import real_data, validation_set
    from train.detector.train import detector_losses

    started = time.monotonic()
    card = load_card(models, name)
    spec = InputSpec.model_validate(card["input"])
    sources = card.get("data", {}).get("real_sources", [])
    model = keras.models.load_model(models / card["keras"]["file"], custom_objects=detector_losses(1, 1), compile=False)
    calibration = detector_calibration(spec, data_root, manifest, sources, seed=calibration_seed)
    float_path = to_tflite(model, models / f"{name}_float32.tflite", spec.shape, None)
    int8_path = to_tflite(model, models / f"{name}_int8.candidate.tflite", spec.shape, calibration)
    names = card["output_names"]
    float_model = TFLiteModel(float_path, output_names=names)
    int8_model = TFLiteModel(int8_path, output_names=names)
    decode = dict(card["decode"])
    params = DecodeParams(**{k: decode[k] for k in ("stride", "nms_iou", "max_detections")}, score_threshold=0.05)
    photos, _ = real_data(data_root, manifest, sources, [], "val") if data_root.is_dir() else ([], [])
    frames = validation_set(photos)
    described = f"real validation photos of {', '.join(sources)}"
    if not frames:
        from train.synth.scenes import render_scene

        scenes = [render_scene(np.random.default_rng([98, i]), [], []) for i in range(40)]
        frames = [(s.image, np.asarray([b.as_list() for b in s.boxes], np.float32)) for s in scenes]
        described = "40 seeded synthetic scenes (no shared data found)"
    models_by_label = (("float32", float_model), ("int8", int8_model))
    found = {label: _detections(m, spec, params, frames) for label, m in models_by_label}
    if photos:  # the deployed int8 model's own threshold, on real validation photos
        looked_again = None
        if decode.get("second_look") is not None:

            def looked_again(threshold: float) -> list:
                return _detections(
                    int8_model, spec, DecodeParams.from_card({**decode, "score_threshold": threshold}), frames
                )

        trained = decode.get("trained_threshold", decode["score_threshold"])
        decode.pop("rule_threshold", None)
        decode.update(export_threshold(found["int8"], trained, looked_again, threshold))
    elif threshold is not None:
        decode.update(
            {"score_threshold": threshold, "threshold_rule": f"set at export (--detector-threshold {threshold})"}
        )
    scores = {label: detection_scores(dets, decode["score_threshold"]) for label, dets in found.items()}
    # AP50 ranks every detection, so it does not swing by a box or two as recall at one threshold does
    # (one box is 0.28 point of 359); recall and precision at the threshold go into the card beside it
    result = ExportResult(
        name,
        scores["float32"]["ap50"],
        scores["int8"]["ap50"],
        scores["int8"]["n"],
        "AP50",
        time.monotonic() - started,
    )
    int8_path, int8_model = _gate(result, int8_path, names, tolerance)
    write_card(
        models / f"{name}.json",
        {
            "tflite": {
                **card.get("tflite", {}),
                "float32": _tensor_card(float_model, float_path),
                "int8": _tensor_card(int8_model, int8_path),
            },
            "decode": decode,
            "export": {
                "calibration": f"{len(calibration)} inputs: training-split photos stratified by source plus synthetic "
                "scenes; via edge.preprocess.prepare_detector_input",
                "calibration_seed": calibration_seed,
                "parity": {"data": described, "frames": len(frames), **scores, "tolerance_points": tolerance},
                "versions": library_versions(),
                "command": " ".join(["anpr", *map(shlex.quote, sys.argv[1:])]) if sys.argv[1:] else "anpr export",
            },
        },
    )
    return result


def _gate(result: ExportResult, candidate: Path, output_names, tolerance: float) -> tuple[Path, TFLiteModel]:
    """Print both figures; move the int8 candidate into place only when it passes the parity gate."""
    check_parity(result, candidate, tolerance)
    final = candidate.with_name(candidate.name.replace(".candidate", ""))
    candidate.replace(final)
    return final, TFLiteModel(final, output_names=output_names)


def check_parity(result: ExportResult, candidate: Path | None = None, tolerance: float = PARITY_TOLERANCE) -> None:
    print(
        f"{result.name}: {result.metric} float32 {result.float_score:.2f} %, int8 {result.int8_score:.2f} % "
        f"on {result.n} ({result.seconds:.0f} s)"
    )
    if result.int8_score < result.float_score - tolerance:
        if candidate is not None:
            candidate.unlink(missing_ok=True)  # the previous int8 model and its card stay as they were
        raise ParityError(
            f"{result.name}: int8 {result.metric} {result.int8_score:.2f} % is more than "
            f"{tolerance} points below float32 {result.float_score:.2f} %: not shipping it"
        )
