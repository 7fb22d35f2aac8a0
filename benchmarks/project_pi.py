"""Project Raspberry Pi 4/5 model latency from MMACs (a projection, not a measurement).

    python benchmarks/project_pi.py benchmarks/reference/x86-dev/bench.json > benchmarks/reference/pi-projection.md

The assumption is printed with the table (ASSUMPTION below). Replace the projection with
`make bench` on a real board when one is available.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

BOARDS = {
    "Raspberry Pi 4 (Cortex-A72 1.8 GHz)": (1.8e9, 8),
    "Raspberry Pi 5 (Cortex-A76 2.4 GHz)": (2.4e9, 32),
}
EFFICIENCY = (0.15, 0.35)
X86_PEAK_GMACS = 190.0
ASSUMPTION = (
    "Assumption: one core sustains a fixed fraction of its peak int8 multiply-accumulate rate on these small "
    "convolutional models. Peak int8 MACs per cycle per core: Cortex-A72 (Pi 4, 1.8 GHz, NEON without dot "
    "product) 8; Cortex-A76 (Pi 5, 2.4 GHz, SDOT) 32. Efficiency band 15-35 %, about what this x86 core "
    "reaches against an AVX2 peak of about 190 GMAC/s (2 x 32 int8 MACs per cycle at ~3 GHz; measured "
    "share below). Ranges are high efficiency - low efficiency."
)


def main(path: str) -> None:
    bench = json.loads(Path(path).read_text())
    macs = {name: bench["models"][name]["mmacs"] * 1e6 for name in ("detector", "ocr")}
    measured = {name: bench[name]["int8"]["p50_ms"] for name in ("detector", "ocr")}
    print("# Raspberry Pi latency projected from MMACs (not measured)\n")
    print(ASSUMPTION, "\n")
    print(f"Source of MMACs and x86 figures: `{path}` ({bench['board']['cpu']}, 1 thread, int8).\n")
    ocr = bench["models"]["ocr"]
    crops = len(ocr.get("boxed_read_crops") or ocr.get("read_crops", ["base"]))
    print(
        f"OCR per plate: one run when the first crop's read is sure, {crops} runs (every crop of the card's "
        "`read_crops` that a detected plate gets) when it is not; the frame and fps columns take one run. "
        "A frame whose plate the detector is unsure of (first score 0.2-0.9) gets the second look: "
        "one more detector run.\n"
    )
    print(
        f"| board | detector int8 ms (1 core) | OCR int8 ms per run | plate read, {crops} crops ms "
        "| frame with 1 plate ms | fps | frame with 1 doubtful plate, second look ms |"
    )
    print("|---|---|---|---|---|---|---|")
    x86_eff = {name: macs[name] / (measured[name] / 1000) / 1e9 for name in macs}
    print(
        f"| calibration: this x86 core, measured | {measured['detector']:.2f} | {measured['ocr']:.2f} | "
        f"{crops * measured['ocr']:.2f} | {measured['detector'] + measured['ocr']:.2f} (models only) | - | "
        f"{2 * measured['detector'] + measured['ocr']:.2f} |"
    )
    for board, (hz, per_cycle) in BOARDS.items():
        spans = []
        for eff in EFFICIENCY:
            rate = hz * per_cycle * eff
            spans.append({name: macs[name] / rate * 1000 for name in macs})
        fast, slow = spans[1], spans[0]
        frame = (fast["detector"] + fast["ocr"], slow["detector"] + slow["ocr"])
        print(
            f"| {board} | {fast['detector']:.1f}-{slow['detector']:.1f} | {fast['ocr']:.2f}-{slow['ocr']:.2f} | "
            f"{crops * fast['ocr']:.1f}-{crops * slow['ocr']:.1f} | "
            f"{frame[0]:.1f}-{frame[1]:.1f} (models only) | {1000 / frame[1]:.0f}-{1000 / frame[0]:.0f} | "
            f"{frame[0] + fast['detector']:.1f}-{frame[1] + slow['detector']:.1f} |"
        )
    share = {name: 100 * rate / X86_PEAK_GMACS for name, rate in x86_eff.items()}
    preprocess = bench["runs"]["int8/1"]["stages"]["preprocess"]["p50_ms"]
    print(
        f"\nx86 effective rate measured here: detector {x86_eff['detector']:.1f} GMAC/s ({share['detector']:.0f} % "
        f"of peak), OCR {x86_eff['ocr']:.1f} GMAC/s ({share['ocr']:.0f} %) per core. Model time only: letterboxing "
        f"a 720p frame ({preprocess:.1f} ms here), video decode and Python overhead come on top; not projected."
    )


if __name__ == "__main__":
    main(sys.argv[1])
