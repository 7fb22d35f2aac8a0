"""A car parked in view: the real agent on one frame repeated for minutes, snapshots on; memory and CPU.

A gate or a driveway camera sees the same plate for hours. The agent must publish it once (then the
dedup window and the ended track keep it quiet) and hold bounded memory while the track lives. The
clip is one frame of the generated demo clip (two plates in view) repeated; ``anpr run`` reads it as
fast as it can with ``mqtt.snapshots: true`` (each observation keeps its plate crop for the snapshot),
printing reads to stdout (no broker). The clip is written in this process, so the agent is its only
child: peak RSS is that child's ``ru_maxrss``, CPU seconds its user plus system time;
``still_frames`` the frames the motion gate passed over (``edge/motion.py``: the detector did not
run). ``--no-motion-gate`` runs the detector on every frame, as before the gate.

    python benchmarks/parked_car.py --frames 6000 --json benchmarks/results/parked_car.json
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from pathlib import Path

from clip_reads import agent_reads  # a sibling script: benchmarks/ is on sys.path when run as one


def make_parked_clip(path: Path, frames: int, seed: int = 7, at_frame: int = 100) -> None:
    """``frames`` copies of frame ``at_frame`` of the generated clip for ``seed`` (10 frames/s)."""
    import cv2

    from train.synth.clip import write_clip

    with tempfile.TemporaryDirectory() as work:
        source = Path(work) / "source.mp4"
        write_clip(source, frames=at_frame + 1, seed=seed)
        capture = cv2.VideoCapture(str(source))
        capture.set(cv2.CAP_PROP_POS_FRAMES, at_frame)
        ok, frame = capture.read()
        capture.release()
    if not ok:
        raise SystemExit(f"could not read frame {at_frame} of the generated clip")
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 10, (frame.shape[1], frame.shape[0]))
    for _ in range(frames):
        writer.write(frame)
    writer.release()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=6000, help="frames of the parked clip (10 frames/s)")
    parser.add_argument("--models", type=Path, default=Path("models"))
    parser.add_argument("--no-motion-gate", action="store_true", help="run the detector on every frame")
    parser.add_argument("--json", type=Path, help="write the results here")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as work:
        clip, config = Path(work) / "parked.mp4", Path(work) / "agent.yaml"
        make_parked_clip(clip, args.frames)
        gate = "false" if args.no_motion_gate else "true"
        config.write_text(f"mqtt:\n  snapshots: true\nmotion:\n  enabled: {gate}\n")
        started = time.perf_counter()
        reads, still, _looks = agent_reads(clip, args.models, config)
        seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)  # the only child: the agent
    result = {
        "frames": args.frames,
        "motion_gate": not args.no_motion_gate,
        "still_frames": still,
        "reads": reads,
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 1),
        "seconds": round(seconds, 1),
    }
    print(
        f"{args.frames} parked frames: reads {reads}, still frames {result['still_frames']}, "
        f"peak RSS {result['peak_rss_mb']} MB, CPU {result['cpu_seconds']} s, {seconds:.0f} s"
    )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
