"""Cross-architecture check: do two machines decode, resize and run the int8 models identically?

Run ``dump`` on the reference machine first (it writes the shared inputs), then on the other one
with the same ``--inputs``, then ``compare``. ``make pi-check`` does this for x86 vs arm64::

    python benchmarks/int8_outputs.py dump --clip clip.mp4 --inputs inputs.npz --out x86.npz
    python benchmarks/int8_outputs.py dump --clip clip.mp4 --inputs inputs.npz --out arm64.npz  # on arm64
    python benchmarks/int8_outputs.py compare x86.npz arm64.npz

Each stage is fed the reference machine's output of the stage before, so the differences it
reports belong to that stage alone: video decoding (the clip's frames), the letterbox resize (of
the reference frames), the detector (on the reference detector inputs) and the reader (on plate
crops cut from the reference frames at the clip's ground-truth boxes). Needs only ``edge``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import cv2
import numpy as np

from edge.ctc import decode_text
from edge.metadata import InputSpec
from edge.models import load_card, open_model
from edge.preprocess import prepare_detector_input, prepare_ocr_input
from edge.recognizer import PlateRecognizer
from edge.types import Box


def decode_frames(clip: Path, every: int) -> np.ndarray:
    """Every ``every``-th frame of ``clip`` as this machine's OpenCV decodes it."""
    capture = cv2.VideoCapture(str(clip))
    frames, index = [], 0
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        if index % every == 0:
            frames.append(frame)
        index += 1
    capture.release()
    if not frames:
        raise SystemExit(f"{clip}: no frames decoded")
    return np.stack(frames)


def make_inputs(frames: np.ndarray, clip: Path, every: int, models: Path) -> dict[str, np.ndarray]:
    """The shared inputs: reference frames, their detector inputs, and plate crops at the true boxes."""
    det_spec = InputSpec.model_validate(load_card(models, "detector")["input"])
    ocr_spec = InputSpec.model_validate(load_card(models, "ocr")["input"])
    truth = json.loads(clip.with_suffix(".json").read_text())
    crops = []
    for track in truth["tracks"]:
        for frame, box in track["boxes"].items():
            if int(frame) % every == 0 and int(frame) // every < len(frames):
                crops.append(prepare_ocr_input(frames[int(frame) // every], Box(*box), ocr_spec))
    return {
        "frames": frames,
        "detector_inputs": np.stack([prepare_detector_input(f, det_spec)[0] for f in frames]),
        "ocr_inputs": np.stack(crops),
    }


def dump(args: argparse.Namespace) -> int:
    frames = decode_frames(args.clip, args.every)
    if args.inputs.is_file():
        shared = dict(np.load(args.inputs))
    else:
        shared = make_inputs(frames, args.clip, args.every, args.models)
        np.savez_compressed(args.inputs, **shared)
    detector, det_card = open_model(args.models, "detector")
    reader, ocr_card = open_model(args.models, "ocr")
    det_spec = InputSpec.model_validate(det_card["input"])
    det_outputs = [detector.run(x) for x in shared["detector_inputs"]]
    recognizer = PlateRecognizer.from_card(reader, ocr_card)
    probs = np.stack([recognizer.probabilities(x) for x in shared["ocr_inputs"]])
    result = {
        "frames": frames,
        "letterboxed": np.stack([prepare_detector_input(f, det_spec)[0] for f in shared["frames"]]),
        "ocr_probs": probs,
        "texts": np.array([decode_text(p, recognizer.alphabet, recognizer.decoder).text for p in probs]),
    }
    for name in det_outputs[0]:
        result[f"detector_{name}"] = np.stack([o[name] for o in det_outputs])
    np.savez_compressed(args.out, **result)
    return 0


def differences(a: np.ndarray, b: np.ndarray) -> str:
    if a.shape != b.shape:
        return f"shapes differ {a.shape} vs {b.shape}"
    diff = np.abs(a.astype(np.float64) - b.astype(np.float64))
    return f"{100.0 * np.mean(diff > 0):.1f} % of {a.size} values differ, max {diff.max():.4g}"


def compare(args: argparse.Namespace) -> int:
    a, b = np.load(args.reference), np.load(args.other)
    lines = [
        f"video decoding (same clip): {differences(a['frames'], b['frames'])}",
        f"letterbox resize (same frames): {differences(a['letterboxed'], b['letterboxed'])}",
    ]
    for key in sorted(k for k in a.files if k.startswith("detector_")):
        lines.append(f"{key} (same input tensors, dequantised): {differences(a[key], b[key])}")
    lines.append(f"reader probabilities (same crops): {differences(a['ocr_probs'], b['ocr_probs'])}")
    same_texts = int(np.sum(a["texts"] == b["texts"]))
    lines.append(f"reader texts (same crops): {same_texts} of {len(a['texts'])} identical")
    print("\n".join(f"- {line}" for line in lines))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    d = commands.add_parser("dump", help="decode, resize and run the models; write this machine's results")
    d.add_argument("--clip", type=Path, required=True, help="a generated clip (its .json beside it)")
    d.add_argument("--inputs", type=Path, required=True, help="shared inputs: written if missing, else read")
    d.add_argument("--models", type=Path, default=Path("models"))
    d.add_argument("--every", type=int, default=10, help="use every N-th frame")
    d.add_argument("--out", type=Path, required=True)
    c = commands.add_parser("compare", help="print how two machines' dumps differ")
    c.add_argument("reference", type=Path)
    c.add_argument("other", type=Path)
    args = parser.parse_args(argv)
    return dump(args) if args.command == "dump" else compare(args)


if __name__ == "__main__":
    sys.exit(main())
