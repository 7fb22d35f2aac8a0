"""What listing a read's candidate texts costs on the device: scored under the base crop alone or under
every crop a detected plate is read from.

    python benchmarks/candidates_cost.py --data ../shared/data/us_crops

Runs the shipped int8 OCR on each labelled plate of the split through every crop a detected plate gets
(the card's ``read_crops`` without the whole-only ones), then times
:func:`edge.candidates.plate_candidates` on the same outputs twice: on the base crop's output alone (a
sure plate, read once) and on all of them with each crop's read added (an unsure plate, as the agent
scores it).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

import numpy as np

from edge.candidates import plate_candidates
from edge.config import OcrConfig
from edge.imageio import read_image
from edge.models import open_model
from edge.preprocess import prepare_ocr_crop
from edge.recognizer import PlateRecognizer
from train.data.splits import DEFAULT_MANIFEST
from train.evaluate import dataset_rows


def _ms(fn, repeat: int = 20) -> float:
    started = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - started) * 1000 / repeat


LISTING = OcrConfig()
"""The agent's default listing: how many candidates, and the floor under which others are left out."""


def list_candidates(outputs: np.ndarray, read: str, also: list[str], alphabet: str) -> object:
    """The agent's listing of ``read``'s candidates under ``outputs``."""
    return plate_candidates(
        outputs, read, alphabet, LISTING.candidates, None, LISTING.candidate_min_probability, also=also
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--models", type=Path, default=Path("models"))
    parser.add_argument("--split", default="val")
    args = parser.parse_args()
    model, card = open_model(args.models, "ocr", "int8", 1)
    reader = PlateRecognizer.from_card(model, card)
    crops = [c for c in reader.crops.crops if not c.whole_only]
    alone, every = [], []
    for path, annotation, _ in dataset_rows([args.data], args.split, DEFAULT_MANIFEST):
        if not annotation.text:
            continue
        image = read_image(path)
        outputs = np.stack(
            [reader.probabilities(prepare_ocr_crop(image, annotation.box, reader.spec, c)) for c in crops]
        )
        texts = [reader.decode(o).text for o in outputs]
        if not texts[0]:
            continue

        alone.append(_ms(lambda o=outputs[0], r=texts[0]: list_candidates(o, r, [], card["alphabet"])))
        every.append(_ms(lambda o=outputs, r=texts[0], t=texts: list_candidates(o, r, t, card["alphabet"])))
    report = {
        "plates": len(alone),
        "crops": [c.name for c in crops],
        "candidates": LISTING.candidates,
        "p50_ms_base_crop_alone": statistics.median(alone),
        "p50_ms_every_crop": statistics.median(every),
    }
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
