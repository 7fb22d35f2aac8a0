"""Video end to end on generated clips: the real agent (``anpr run``) on clips whose plates are known.

Each clip comes from the project's renderer (``anpr synth --kind clip``, cars of every plate style
driving through a 1280x720 frame, ground truth in the clip's JSON) and is read by ``anpr run`` exactly
as a user runs it (detector, reader, tracker, vote, filters, dedup). A plate counts as read when a
published read has its exact text; every published read whose text is not a plate of its clip is a
wrong read (a misread, or a second track of a plate that voted differently).

    python benchmarks/clip_reads.py --clips 20 --json benchmarks/results/clip_reads.json

``--idle-frames N`` puts N frames of the clip's empty street before and after its cars (a driveway
between visits): the motion gate passes over most of them, and the cars must still be read.

Synthetic clips test the video path (tracking, voting, losing and finding plates), not how the
models do on real cameras: ``anpr evaluate`` on real photos is that measurement.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path


def make_clip(folder: Path, seed: int, frames: int, idle: int = 0, styles: str | None = None) -> tuple[Path, dict]:
    """The clip for ``seed`` (rendered once into ``folder``) and its ground truth; with ``idle`` frames of
    its empty street before and after the cars; with ``styles`` (``anpr synth --styles``) only those plates."""
    clip = folder / (f"clip_{seed}.mp4" if not styles else f"clip_{seed}_{styles.replace(',', '-')}.mp4")
    truth = clip.with_suffix(".json")
    if not (clip.is_file() and truth.is_file()):
        command = [sys.executable, "-m", "edge.cli.main", "synth", "--kind", "clip"]
        command += ["--count", str(frames), "--seed", str(seed), "--out", str(clip)]
        command += ["--styles", styles] if styles else []
        subprocess.run(command, check=True, capture_output=True)
    if idle:
        padded = folder / f"{clip.stem}_idle{idle}.mp4"
        if not padded.is_file():
            pad_with_street(clip, padded, seed, idle)
        clip = padded
    return clip, json.loads(truth.read_text())


def pad_with_street(clip: Path, out: Path, seed: int, idle: int) -> None:
    """``clip`` with ``idle`` frames of its empty street (the renderer's first draw for ``seed``) before
    and after it."""
    import cv2
    import numpy as np

    from train.synth.clip import FRAME_SIZE
    from train.synth.procedural import street

    empty = street(*FRAME_SIZE, np.random.default_rng(seed))
    capture = cv2.VideoCapture(str(clip))
    writer = cv2.VideoWriter(str(out), cv2.VideoWriter_fourcc(*"mp4v"), 10, (FRAME_SIZE[1], FRAME_SIZE[0]))
    for _ in range(idle):
        writer.write(empty)
    while True:
        ok, frame = capture.read()
        if not ok:
            break
        writer.write(frame)
    for _ in range(idle):
        writer.write(empty)
    capture.release()
    writer.release()


def agent_reads(clip: Path, models: Path, config: Path | None) -> tuple[list[dict], int | None, int | None]:
    """The reads ``anpr run`` publishes for ``clip`` (stdout JSON lines, no broker), the frames its
    motion gate passed over and its detector's second looks (from the agent's closing log line)."""
    with tempfile.TemporaryDirectory() as state:
        command = [sys.executable, "-m", "edge.cli.main", "run", "--source", str(clip), "--models", str(models)]
        command += ["--state-dir", state] + (["--config", str(config)] if config else [])
        done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        last = done.stderr.strip().splitlines()[-1:] or ["no output"]
        raise SystemExit(f"anpr run on {clip} failed (exit {done.returncode}): {last[0]}")
    still = re.search(r"still (\d+)", done.stderr)
    looks = re.search(r"second looks (\d+)", done.stderr)
    reads = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    return reads, int(still.group(1)) if still else None, int(looks.group(1)) if looks else None


def score_clip(plates: list[str], reads: list[str], listed: list[list[str]] | None = None) -> dict:
    """Plates read exactly, missed, and reads that match no plate of the clip; with ``listed`` (each
    read's candidate texts) also the plates read or listed by some read, and the wrong reads that list
    a plate of the clip (an allow-list matching candidates would still know that car)."""
    truth = set(plates)
    score = {
        "plates": len(plates),
        "read": len(truth & set(reads)),
        "missed": sorted(truth - set(reads)),
        "wrong": [r for r in reads if r not in truth],
    }
    if listed is not None:
        every_listed = {text for texts in listed for text in texts}
        score["read_or_listed"] = len(truth & (set(reads) | every_listed))
        score["wrong_listing_a_plate"] = [r for r, texts in zip(reads, listed) if r not in truth and truth & set(texts)]
    return score


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=20, help="number of clips (seeds first-seed, first-seed+1, ...)")
    parser.add_argument("--first-seed", type=int, default=100)
    parser.add_argument("--frames", type=int, default=150, help="frames per clip (10 frames/s)")
    parser.add_argument("--models", type=Path, default=Path("models"))
    parser.add_argument("--config", type=Path, help="agent YAML config (default: the agent's defaults)")
    parser.add_argument("--idle-frames", type=int, default=0, help="empty-street frames before and after each clip")
    parser.add_argument("--styles", help="plate styles of the cars (anpr synth --styles)")
    parser.add_argument("--work", type=Path, default=Path("runs/clips"), help="where the clips are kept")
    parser.add_argument("--json", type=Path, help="write the results here")
    args = parser.parse_args(argv)

    args.work.mkdir(parents=True, exist_ok=True)
    per_clip = {}
    for seed in range(args.first_seed, args.first_seed + args.clips):
        clip, truth = make_clip(args.work, seed, args.frames, args.idle_frames, args.styles)
        published, still, looks = agent_reads(clip, args.models, args.config)
        reads = [r["plate"] for r in published]
        listed = None  # the agent lists candidates unless its config says ocr.candidates: 0
        if all("candidates" in r for r in published):
            listed = [[c["plate"] for c in r["candidates"]] for r in published]
        per_clip[seed] = score_clip(truth["plates"], reads, listed) | {"still_frames": still, "second_looks": looks}
        print(f"clip {seed}: {per_clip[seed]}", flush=True)
    plates = sum(c["plates"] for c in per_clip.values())
    read = sum(c["read"] for c in per_clip.values())
    wrong = sum(len(c["wrong"]) for c in per_clip.values())
    with_candidates = all("read_or_listed" in c for c in per_clip.values())
    result = {
        "clips": args.clips,
        "frames_per_clip": args.frames,
        "idle_frames": args.idle_frames,
        "plates": plates,
        "read_exact": 100.0 * read / max(1, plates),
        "wrong_reads": wrong,
        "wrong_reads_per_plate": wrong / max(1, plates),
        "read_or_listed": 100.0 * sum(c["read_or_listed"] for c in per_clip.values()) / max(1, plates)
        if with_candidates
        else None,
        "wrong_reads_listing_a_plate": sum(len(c["wrong_listing_a_plate"]) for c in per_clip.values())
        if with_candidates
        else None,
        "still_frames": sum(c["still_frames"] or 0 for c in per_clip.values()),
        "second_looks": sum(c["second_looks"] or 0 for c in per_clip.values()),
        "models": str(args.models),
        "config": str(args.config) if args.config else None,
        "styles": args.styles,
        "per_clip": per_clip,
    }
    print(
        f"{plates} plates in {args.clips} clips: read exactly {result['read_exact']:.1f} %, "
        f"{wrong} wrong reads ({result['wrong_reads_per_plate']:.2f} per plate), "
        f"{result['still_frames']} of {args.clips * (args.frames + 2 * args.idle_frames)} frames without a "
        f"detector run (motion gate), {result['second_looks']} second looks"
    )
    if with_candidates:
        print(
            f"read or among a read's candidates: {result['read_or_listed']:.1f} %; "
            f"{result['wrong_reads_listing_a_plate']} of the {wrong} wrong reads list a plate of their clip"
        )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
