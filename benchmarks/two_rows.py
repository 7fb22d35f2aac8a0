"""Two-row plates: how many the reader gets right with their rows side by side (the OCR card's
``read_crops.two_rows``, the agent's ``ocr.two_rows``) and without, and what trying costs per plate.

Synthetic plates of each two-row style (Czech and German square rear plates, old grey Brazilian and US
motorcycle plates; ``train/synth/two_row.py``), degraded and cut as the reader's synthetic training crops
are (``render_plate_sample``), and of the one-row styles of about the same shape (US, grey Brazilian),
are read as whole images as the agent reads a plate (int8, the card's crops), once with the two-row
reading and once without. With ``--data`` the held-out real plates (``--split val``) are read both ways
too: the two-row reading must not lose a one-row plate, and their time per plate is its cost.

    python benchmarks/two_rows.py --count 200 --seed 2026 \\
        --data ../shared/data/us_crops ../shared/data/br_crops --json benchmarks/results/two_rows.json

The two-row plates are drawn, not photographed: no two-row plate with a text label is in the shared
data, so these numbers say how the reading works on our renderer's plates, not on real ones.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from edge.imageio import read_image
from edge.recognizer import PlateRecognizer
from train.data.splits import DEFAULT_MANIFEST
from train.evaluate import dataset_rows, load_ocr
from train.synth.plates import render_plate_sample
from train.synth.two_row import TWO_ROW_STYLES

ONE_ROW_GUARDS = ("us", "br_grey")
"""One-row styles about as square as a two-row plate: the two-row reading must leave them as they are."""


def read_all(recognizer: PlateRecognizer, plates: list[tuple[str, np.ndarray, object, str]]) -> dict:
    """Exact % and mean ms per plate per group, and ms per plate (mean, median) of the real plates (all
    plates when there are none), of ``recognizer`` on (group, image, box, text)."""
    right: dict[str, list[bool]] = defaultdict(list)
    spent: dict[str, list[float]] = defaultdict(list)
    for group, image, box, text in plates:
        started = time.perf_counter()
        read = recognizer.read(image, box)
        spent[group].append((time.perf_counter() - started) * 1000)
        right[group].append(read.text == text)
    real_times = [t for group, ts in spent.items() if group.startswith("real/") for t in ts]
    times = real_times or [t for ts in spent.values() for t in ts]
    exact = {group: round(100 * float(np.mean(hits)), 2) for group, hits in right.items()}
    counts = {group: len(hits) for group, hits in right.items()}
    ms = {group: round(float(np.mean(ts)), 3) for group, ts in spent.items()}
    return {
        "exact": exact,
        "n": counts,
        "ms_mean_by_group": ms,
        "ms_mean": round(float(np.mean(times)), 3),
        "ms_p50": round(float(np.median(times)), 3),
    }


def synthetic(count: int, seed: int) -> list[tuple[str, np.ndarray, object, str]]:
    """``count`` plates of each two-row and each guard style, as whole images."""
    rng = np.random.default_rng(seed)
    plates = []
    for style in [*TWO_ROW_STYLES, *ONE_ROW_GUARDS]:
        for _ in range(count):
            sample = render_plate_sample(rng, [style])
            plates.append((style, sample.image, None, sample.text))
    return plates


def real(folders: list[Path], split: str) -> list[tuple[str, np.ndarray, object, str]]:
    """The labelled plates of ``folders`` on ``split`` of the split manifest, grouped by folder."""
    plates = []
    for folder in folders:
        for path, annotation, _ in dataset_rows([folder], split, DEFAULT_MANIFEST):
            if annotation.text:
                plates.append((f"real/{folder.name}", read_image(path), annotation.box, annotation.text))
    return plates


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200, help="synthetic plates per style")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--data", type=Path, nargs="*", default=[], help="real dataset folders (shared layout)")
    parser.add_argument("--split", choices=["all", "train", "val"], default="val")
    parser.add_argument("--models", type=Path, default=Path("models"))
    parser.add_argument("--json", type=Path, help="write the results here")
    args = parser.parse_args(argv)
    with_rows, info = load_ocr(args.models, False)
    one_row, _ = load_ocr(args.models, False, two_rows=False)
    if with_rows.crops.two_rows is None:
        parser.error(f"{args.models}/ocr.json has no read_crops.two_rows: nothing to compare")
    plates = synthetic(args.count, args.seed) + real(args.data, args.split)
    for recognizer in (with_rows, one_row):  # warm up both before either is timed
        read_all(recognizer, plates[:: max(1, len(plates) // 20)])
    result = {
        "models": info,
        "two_rows": with_rows.crops.two_rows.model_dump(),
        "count_per_style": args.count,
        "seed": args.seed,
        "data": [str(d) for d in args.data],
        "split": args.split,
        "with_two_rows": read_all(with_rows, plates),
        "one_row_only": read_all(one_row, plates),
    }
    on, off = result["with_two_rows"], result["one_row_only"]
    print(f"{'group':24s} {'n':>5s} {'one row %':>10s} {'two rows %':>11s} {'ms one row':>11s} {'ms two rows':>12s}")
    for group in on["exact"]:
        print(
            f"{group:24s} {on['n'][group]:5d} {off['exact'][group]:10.2f} {on['exact'][group]:11.2f}"
            f" {off['ms_mean_by_group'][group]:11.3f} {on['ms_mean_by_group'][group]:12.3f}"
        )
    print(f"real plates' ms per plate, mean / median: one row {off['ms_mean']} / {off['ms_p50']},", end=" ")
    print(f"two rows {on['ms_mean']} / {on['ms_p50']}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
