"""Turn dataset rows into model inputs with ``edge``'s preprocessing (the device's own code)."""

from __future__ import annotations

import numpy as np

from edge.imageio import read_image
from edge.metadata import InputSpec
from edge.preprocess import Letterbox, prepare_detector_input, prepare_ocr_input
from train.data.annotations import Annotation, Dataset


def ocr_input(dataset: Dataset, annotation: Annotation, spec: InputSpec) -> np.ndarray:
    """The OCR input for one row: its box (plus the spec's margin) cut from its image, or the whole crop."""
    return prepare_ocr_input(read_image(dataset.image_path(annotation)), annotation.box, spec)


def detector_input(dataset: Dataset, image: str, spec: InputSpec) -> tuple[np.ndarray, Letterbox]:
    """The detector input for one image of ``dataset`` and the transform back to its pixels."""
    return prepare_detector_input(read_image(dataset.images_dir / image), spec)
