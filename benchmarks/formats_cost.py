"""What reading towards plate formats costs on the device: decode time per crop, free vs constrained.

    python benchmarks/formats_cost.py --data ../shared/data/br_crops --formats br_old,br_mercosul

Runs the shipped int8 OCR once per labelled crop of the split, then times the free CTC decode and
the format-aware decode (``edge.formats.decode_with_formats``) on the same probabilities, separately
for reads that already fit a format (no search) and reads that do not (one Viterbi pass).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from edge.ctc import ctc_greedy_decode
from edge.formats import DEFAULT_MAX_PENALTY, compile_formats, decode_with_formats
from edge.imageio import read_image
from edge.models import open_model
from edge.preprocess import prepare_ocr_input
from edge.recognizer import PlateRecognizer
from train.data.splits import DEFAULT_MANIFEST
from train.evaluate import dataset_rows


def _ms(fn, repeat: int = 20) -> float:
    started = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - started) * 1000 / repeat


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--formats", required=True)
    parser.add_argument("--models", type=Path, default=Path("models"))
    parser.add_argument("--split", default="val")
    args = parser.parse_args()
    model, card = open_model(args.models, "ocr", "int8", 1)
    reader = PlateRecognizer.from_card(model, card)
    formats = compile_formats(args.formats.split(","), card["alphabet"])
    fitting, other = [], []
    for path, annotation, _ in dataset_rows([args.data], args.split, DEFAULT_MANIFEST):
        if not annotation.text:
            continue
        probs = reader.probabilities(prepare_ocr_input(read_image(path), annotation.box, reader.spec))
        free = _ms(lambda p=probs: ctc_greedy_decode(p, card["alphabet"]))
        fitted = _ms(lambda p=probs: decode_with_formats(p, card["alphabet"], formats, DEFAULT_MAX_PENALTY))
        text = ctc_greedy_decode(probs, card["alphabet"]).text
        (fitting if formats.fits(text) else other).append((free, fitted))
    report = {
        "formats": args.formats,
        "patterns": len(formats.patterns),
        "crops": len(fitting) + len(other),
        "free_read_fits": len(fitting),
        "p50_ms_free_decode": statistics.median([f for f, _ in fitting + other]),
        "p50_ms_formats_when_fitting": statistics.median([g for _, g in fitting]) if fitting else None,
        "p50_ms_formats_when_not_fitting": statistics.median([g for _, g in other]) if other else None,
    }
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
