"""Build the parts the agent and the HTTP API share from a config: the detector, the reader, versions."""

from __future__ import annotations

from dataclasses import dataclass

from edge.config import AgentConfig
from edge.detector import DecodeParams, PlateDetector
from edge.metadata import InputSpec
from edge.models import open_model
from edge.recognizer import PlateRecognizer


@dataclass(frozen=True)
class Readers:
    """A plate detector, a plate reader and the short model versions stamped on every read."""

    detector: PlateDetector
    recognizer: PlateRecognizer
    versions: dict


def load_readers(cfg: AgentConfig) -> Readers:
    """Open both models of ``cfg.models`` at ``cfg.precision`` (sha256 and input shape checked)."""
    det_model, det_card = open_model(cfg.models, "detector", cfg.precision, cfg.num_threads)
    ocr_model, ocr_card = open_model(cfg.models, "ocr", cfg.precision, cfg.num_threads)
    params = DecodeParams.from_card(
        det_card["decode"],
        cfg.filters.min_detection_score,
        cfg.detector.second_look,
        cfg.detector.mirror,
        cfg.detector.sideways,
    )
    detector = PlateDetector(det_model, InputSpec.model_validate(det_card["input"]), params)
    recognizer = PlateRecognizer.from_card(
        ocr_model,
        ocr_card,
        cfg.ocr.formats,
        cfg.ocr.format_max_penalty,
        cfg.ocr.several_crops,
        cfg.ocr.level_sloped,
        cfg.ocr.candidates,
        cfg.ocr.candidate_min_probability,
        params.sideways,
        cfg.ocr.two_rows,
    )
    versions = {
        "detector": det_card["tflite"][cfg.precision]["sha256"][:12],
        "ocr": ocr_card["tflite"][cfg.precision]["sha256"][:12],
        "precision": cfg.precision,
    }
    return Readers(detector, recognizer, versions)
