"""``anpr bench``: per-stage latency, pipeline throughput, memory and board info, int8 vs float32.

Runs with the ``edge`` install alone (no TensorFlow): test frames are drawn with OpenCV here.
Timings: ``time.perf_counter_ns`` after warm-up, fixed iteration counts, p50/p90/p99 in ms.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import platform
import resource
import socket
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np

from edge.candidates import plate_candidates
from edge.config import MotionConfig, OcrConfig
from edge.detector import DecodeParams, PlateDetector, decode
from edge.metadata import BASE_CROP, InputSpec, SlopeLevelling
from edge.models import edgetpu_delegate, open_model
from edge.motion import MotionGate
from edge.preprocess import (
    convert_colour,
    crop_box,
    prepare_detector_input,
    prepare_ocr_crop,
    prepare_ocr_input,
    read_crop_box,
)
from edge.recognizer import PlateRecognizer, most_likely_read
from edge.slope import estimate_slant, estimate_slope, level_plate, upright_plate
from edge.types import Box


def percentiles(samples_ms: list[float]) -> dict:
    a = np.asarray(samples_ms, np.float64)
    return {
        "p50_ms": float(np.percentile(a, 50)),
        "p90_ms": float(np.percentile(a, 90)),
        "p99_ms": float(np.percentile(a, 99)),
        "n": int(a.size),
    }


def timeit(fn: Callable[[], object], iterations: int, warmup: int) -> dict:
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(iterations):
        start = time.perf_counter_ns()
        fn()
        samples.append((time.perf_counter_ns() - start) / 1e6)
    return percentiles(samples)


def test_frame(plates: int, seed: int = 0, size: tuple[int, int] = (720, 1280)) -> tuple[np.ndarray, list[Box]]:
    """A 720p street-like frame with ``plates`` white plates carrying black text (OpenCV only)."""
    import cv2

    rng = np.random.default_rng(seed)
    h, w = size
    frame = np.clip(rng.normal(110, 25, (h, w, 3)), 0, 255).astype(np.uint8)
    boxes = []
    for k in range(plates):
        pw = int(rng.uniform(110, 220))
        ph = int(pw * 0.25)
        x = int(80 + k * (w - 200) / max(1, plates))
        y = int(rng.uniform(h * 0.45, h * 0.8))
        cv2.rectangle(frame, (x - 40, y - 60), (x + pw + 40, y + ph + 40), (60, 60, 160), -1)
        cv2.rectangle(frame, (x, y), (x + pw, y + ph), (235, 235, 235), -1)
        text = "".join(rng.choice(list("ABCDEFGHJKLMNPRSTUVWXYZ0123456789"), 7))
        cv2.putText(frame, text, (x + 6, y + ph - 8), cv2.FONT_HERSHEY_SIMPLEX, ph / 32, (10, 10, 10), 2)
        boxes.append(Box(x, y, x + pw, y + ph))
    return frame, boxes


def graph_mmacs(model) -> float:
    """Multiply-accumulates of one invoke, from the TFLite graph's conv/dense ops and tensor shapes."""
    details = {d["index"]: d for d in model.tensor_details()}
    total = 0
    for op in model._interpreter._get_ops_details():
        name = op["op_name"]
        if name not in ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED"):
            continue
        weights = details[int(op["inputs"][1])]["shape"]
        out = details[int(op["outputs"][0])]["shape"]
        if name == "CONV_2D":  # weights [out, kh, kw, in]
            total += int(np.prod(out[:-1])) * int(np.prod(weights))
        elif name == "DEPTHWISE_CONV_2D":  # weights [1, kh, kw, out]
            total += int(np.prod(out)) * int(weights[1] * weights[2])
        else:  # FULLY_CONNECTED, weights [units, in], batch 1
            total += int(np.prod(weights))
    return round(total / 1e6, 2)


def board_info() -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        fields = {}
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            key, _, value = line.partition(":")
            fields.setdefault(key.strip(), value.strip())
        # x86: "model name"; Raspberry Pi: "Model" (the board) or "Hardware"
        cpu = fields.get("model name") or fields.get("Model") or fields.get("Hardware") or cpu
    except OSError:
        pass
    clock = "time.perf_counter_ns"
    with contextlib.suppress(OSError):
        clock += (
            " (" + Path("/sys/devices/system/clocksource/clocksource0/current_clocksource").read_text().strip() + ")"
        )
    from edge.runtime.interpreter import load_interpreter_class

    return {
        "host": socket.gethostname(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "arch": platform.machine(),
        "os": platform.platform(),
        "python": sys.version.split()[0],
        "interpreter": load_interpreter_class()[1],
        "edgetpu": edgetpu_delegate() is not None,
        "clock": clock,
    }


def rss_mb() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(usage / 1024 if sys.platform != "darwin" else usage / 2**20, 1)


def bench_precision(models: Path, precision: str, threads: int, iterations: int, warmup: int) -> dict:
    det_model, det_card = open_model(models, "detector", precision, threads, prefer_edgetpu=False)
    ocr_model, ocr_card = open_model(models, "ocr", precision, threads, prefer_edgetpu=False)
    det_spec, ocr_spec = InputSpec.model_validate(det_card["input"]), InputSpec.model_validate(ocr_card["input"])
    params = DecodeParams.from_card(det_card["decode"])
    detector = PlateDetector(det_model, det_spec, params)
    listing = OcrConfig()  # the agent's default: each read lists its candidate texts
    recognizer = PlateRecognizer.from_card(
        ocr_model, ocr_card, candidates=listing.candidates, candidate_min_probability=listing.candidate_min_probability
    )
    # the worst case of the card's crops: the first read never accepted alone, every crop read and combined
    every_crop = PlateRecognizer(
        ocr_model,
        ocr_spec,
        recognizer.alphabet,
        recognizer.output,
        recognizer.decoder,
        crops=recognizer.crops.model_copy(update={"accept_confidence": 1.0, "level": None, "two_rows": None}),
    )
    frame1, boxes1 = test_frame(1, seed=1)
    frame3, boxes3 = test_frame(3, seed=3)
    det_pixels, _ = prepare_detector_input(frame1, det_spec)
    det_out = det_model.run(det_pixels)
    ocr_pixels = prepare_ocr_input(frame1, boxes1[0], ocr_spec)
    ocr_out = recognizer.probabilities(ocr_pixels)
    from edge.ctc import DecodedText, decode_text

    # the worst case of combining the crops: three crops, three different texts to score under each
    crop_outputs = np.stack(
        [recognizer.probabilities(prepare_ocr_crop(frame1, boxes1[0], ocr_spec, c)) for c in recognizer.crops.crops]
    )
    base_text = decode_text(ocr_out, recognizer.alphabet, recognizer.decoder).text or "AB123"
    rivals = [DecodedText(t, (0.5,) * len(t)) for t in (base_text, base_text[:-1] or "A", base_text + "7")]
    rivals = (rivals * len(crop_outputs))[: len(crop_outputs)]
    # candidates of a doubtful output: the plate's blended with itself a step later, every step in doubt
    unsure_out = 0.5 * ocr_out + 0.5 * np.roll(ocr_out, 1, axis=0)

    # an unsure detected plate's candidates are scored under each crop it was read from (four here)
    boxed_outputs = np.stack(
        [unsure_out, *(out for c, out in zip(recognizer.crops.crops, crop_outputs) if not c.whole_only)][:4]
    )
    rival_texts = [r.text for r in rivals]

    def candidates_of(output: np.ndarray, also: list[str] | None = None) -> Callable[[], object]:
        return lambda: plate_candidates(
            output,
            base_text,
            recognizer.alphabet,
            listing.candidates,
            None,
            listing.candidate_min_probability,
            also=also or (),
        )

    # the motion gate's check on a 720p frame, two different frames in turn: every check compares and passes
    gate, frames, clock = MotionGate(MotionConfig()), itertools.cycle([frame1, frame3]), itertools.count()

    one_look = PlateDetector(det_model, det_spec, replace(params, second_look=None))
    level = recognizer.crops.level or SlopeLevelling()

    def grey_base_crop(image: np.ndarray, box: Box) -> np.ndarray:
        return convert_colour(crop_box(image, read_crop_box(image, box, ocr_spec, BASE_CROP)), "grey")[:, :, 0]

    base_grey = grey_base_crop(frame1, boxes1[0])

    def slope_of(grey: np.ndarray) -> float:
        return estimate_slope(grey, level.max_degrees, level.step_degrees, ocr_spec.height)

    def slant_of(grey: np.ndarray) -> float:
        return estimate_slant(grey, level.max_degrees, level.step_degrees, ocr_spec.height)

    def read_straightened():
        # the worst case of a sloping plate with leaning characters: both estimates, both shears, and
        # every crop of the levelled plate and of the upright one read
        slope = slope_of(base_grey)
        image, box = level_plate(frame1, boxes1[0], max(slope, level.min_degrees), level.min_height_ratio)
        every_crop.read_from_crops(image, box)
        slant = slant_of(grey_base_crop(image, box))
        upright, upright_box = upright_plate(image, box, max(slant, level.min_slant_degrees or level.max_degrees))
        every_crop.read_from_crops(upright, upright_box)

    def pipeline(frame, boxes, finder=detector):
        def run():
            finder.detect(frame)
            for box in boxes:  # one read per plate in the frame (ground-truth boxes: independent of accuracy)
                recognizer.read(frame, box)

        return run

    stages = {
        "preprocess": timeit(lambda: prepare_detector_input(frame1, det_spec), iterations, warmup),
        "detector_invoke": timeit(lambda: det_model.run(det_pixels), iterations, warmup),
        "decode_nms": timeit(
            lambda: decode(det_out["heatmap"], det_out["offset"], det_out["size"], params), iterations, warmup
        ),
        "crop": timeit(lambda: prepare_ocr_input(frame1, boxes1[0], ocr_spec), iterations, warmup),
        "ocr_invoke": timeit(lambda: ocr_model.run(ocr_pixels), iterations, warmup),
        "ocr_decode": timeit(lambda: decode_text(ocr_out, recognizer.alphabet, recognizer.decoder), iterations, warmup),
        "ocr_read_every_crop": timeit(lambda: every_crop.read(frame1, boxes1[0]), iterations, warmup),
        "ocr_slope_estimate": timeit(lambda: slope_of(base_grey), iterations, warmup),
        "ocr_slant_estimate": timeit(lambda: slant_of(base_grey), iterations, warmup),
        "ocr_read_straightened": timeit(read_straightened, iterations, warmup),
        "ocr_combine_crops": timeit(
            lambda: most_likely_read(rivals, crop_outputs, recognizer.alphabet), iterations, warmup
        ),
        "ocr_candidates": timeit(candidates_of(ocr_out), iterations, warmup),
        "ocr_candidates_unsure": timeit(candidates_of(boxed_outputs, rival_texts), iterations, warmup),
        "motion_gate": timeit(lambda: gate.should_detect(next(frames), next(clock) * 0.1, False), iterations, warmup),
        "pipeline_1_plate": timeit(pipeline(frame1, boxes1), iterations, warmup),
        "pipeline_3_plates": timeit(pipeline(frame3, boxes3), max(10, iterations // 2), warmup),
        "pipeline_1_plate_one_look": timeit(pipeline(frame1, boxes1, one_look), iterations, warmup),
        "pipeline_3_plates_one_look": timeit(pipeline(frame3, boxes3, one_look), max(10, iterations // 2), warmup),
    }
    return {
        "stages": stages,
        "read_crops": recognizer.crops.names,
        # what a detected plate gets: crops for whole crop images are not read
        "boxed_read_crops": [c.name for c in recognizer.crops.crops if not c.whole_only],
        "detector_mmacs": graph_mmacs(det_model),
        "ocr_mmacs": graph_mmacs(ocr_model),
        "detector_bytes": det_model.path.stat().st_size,
        "ocr_bytes": ocr_model.path.stat().st_size,
    }


def throughput(models: Path, precision: str, threads: int, frames: int, second_look: bool = True) -> dict:
    """Frames per second of the real agent pipeline (capture thread, queue, tracker, outbox) without MQTT,
    with the detector's second look or (``second_look=False``) one look per frame."""
    import io
    import tempfile

    from edge.cli.run import build_agent

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "frames"
        folder.mkdir()
        import cv2

        for i in range(min(frames, 40)):
            cv2.imwrite(str(folder / f"{i:05d}.jpg"), test_frame(1 + i % 3, seed=i)[0])
        config = Path(tmp) / "agent.yaml"
        config.write_text(f"detector: {{second_look: {str(second_look).lower()}}}\n")
        args = type(
            "Args",
            (),
            {
                "config": config,
                "source": str(folder),
                "fps": None,
                "models": models,
                "mqtt_host": None,
                "mqtt_port": None,
                "device_id": "bench",
                "state_dir": Path(tmp) / "state",
                "drain_timeout": 1.0,
                "precision": precision,
            },
        )()
        _cfg, agent, publisher, _ = build_agent(args)
        publisher.stream = io.StringIO()
        start = time.perf_counter()
        agent.run()
        elapsed = time.perf_counter() - start
    return {
        "fps": round(agent.stats.frames / elapsed, 1),
        "frames": agent.stats.frames,
        "dropped": agent.frames_dropped,
        "threads": threads,
    }


def run_bench(
    models: Path,
    threads: list[int],
    quick: bool,
    peer_data: list[Path] | None = None,
    peer_split: Path | None = None,
    peer_limit: int = 200,
) -> dict:
    iterations, warmup = (20, 3) if quick else (200, 20)
    cores = os.cpu_count() or 1
    threads = sorted({t for t in threads if t <= cores} or {1})
    result: dict = {"board": board_info(), "quick": quick, "iterations": iterations, "runs": {}}
    for precision in ("int8", "float32"):
        for t in threads:
            result["runs"][f"{precision}/{t}"] = bench_precision(models, precision, t, iterations, warmup)
    one = 1 if 1 in threads else threads[0]
    for precision in ("int8", "float32"):
        run = result["runs"][f"{precision}/{one}"]
        stages = run["stages"]
        result.setdefault("detector", {})[precision] = stages["detector_invoke"]
        result.setdefault("ocr", {})[precision] = stages["ocr_invoke"]
        result.setdefault("pipeline", {})[precision] = {**stages["pipeline_1_plate"]}
    frames = 40 if quick else 200
    result["pipeline"]["int8"]["fps"] = throughput(models, "int8", one, frames)["fps"]
    result["pipeline"]["int8"]["fps_one_look"] = throughput(models, "int8", one, frames, second_look=False)["fps"]
    first = result["runs"][f"int8/{one}"]
    result["models"] = {
        "detector": {"mmacs": first["detector_mmacs"], "int8_bytes": first["detector_bytes"]},
        "ocr": {
            "mmacs": first["ocr_mmacs"],
            "int8_bytes": first["ocr_bytes"],
            "read_crops": first["read_crops"],
            "boxed_read_crops": first["boxed_read_crops"],
        },
    }
    result["rss_mb"] = rss_mb()  # before the peers: their runtimes are not part of our footprint
    result["peers"] = bench_peers(models, peer_data or [], peer_split, peer_limit)
    return result


def bench_peers(models: Path, folders: list[Path], split: Path | None, limit: int) -> dict:
    """Our int8 OCR and the installed peers on the same labelled crops, 1 thread each."""
    from edge.peers import compare_peers, load_labelled_crops

    model, card = open_model(models, "ocr", "int8", 1)
    recognizer = PlateRecognizer.from_card(model, card)
    crops = load_labelled_crops(folders, recognizer.spec, split, limit=limit) if folders else []
    return compare_peers(recognizer, crops, threads=1)


def markdown(result: dict) -> str:
    b = result["board"]
    lines = [
        f"# anpr bench on {b['host']} ({b['cpu']}, {b['cores']} cores, {b['arch']})",
        "",
        f"{b['interpreter']}, Python {b['python']}, Edge TPU: {b['edgetpu']}, clock {b['clock']}",
        "",
        "| run | stage | p50 ms | p90 ms | p99 ms |",
        "|---|---|---|---|---|",
    ]
    for run, data in result["runs"].items():
        for stage, s in data["stages"].items():
            lines.append(f"| {run} | {stage} | {s['p50_ms']:.3f} | {s['p90_ms']:.3f} | {s['p99_ms']:.3f} |")
    m = result["models"]
    lines += [
        "",
        f"pipeline int8 fps (agent, 1 thread): {result['pipeline']['int8']['fps']} "
        f"(one detector look per frame: {result['pipeline']['int8'].get('fps_one_look', 'not run')})",
        f"peak RSS: {result['rss_mb']} MB",
        f"detector: {m['detector']['mmacs']} MMACs, {m['detector']['int8_bytes']} bytes int8; "
        f"OCR: {m['ocr']['mmacs']} MMACs, {m['ocr']['int8_bytes']} bytes int8",
    ]
    return "\n".join(lines + peer_lines(result.get("peers", {}))) + "\n"


def peer_lines(peers: dict) -> list[str]:
    """The peer comparison as a Markdown table (or the reason it is missing)."""
    if not peers.get("crops"):
        return ["", f"peers: {peers.get('note', 'not measured')}"]
    lines = [
        "",
        f"Peers on the same {peers['crops']} labelled plate crops ({', '.join(peers['sources'])}), 1 thread:",
        "",
        "| reader | p50 ms/crop | exact % | x slower than ours |",
        "|---|---|---|---|",
        f"| ours (int8) | {peers['ours']['p50_ms']:.2f} | {peers['ours']['exact_pct']:.1f} | 1 |",
    ]
    for name, value in peers.items():
        if name in ("crops", "sources", "ours"):
            continue
        if isinstance(value, dict):
            lines.append(f"| {name} | {value['p50_ms']:.2f} | {value['exact_pct']:.1f} | {value['speed_ratio']} |")
        else:
            lines.append(f"| {name} | - | - | {value} |")
    return lines


def plot(result: dict, path: Path) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    runs = [r for r in result["runs"] if r.endswith("/1")] or list(result["runs"])
    stages = list(result["runs"][runs[0]]["stages"])
    fig, ax = plt.subplots(figsize=(10, 4))
    width = 0.8 / len(runs)
    for i, run in enumerate(runs):
        ax.bar(
            np.arange(len(stages)) + i * width,
            [result["runs"][run]["stages"][s]["p50_ms"] for s in stages],
            width,
            label=run,
        )
    ax.set_xticks(np.arange(len(stages)) + width * (len(runs) - 1) / 2, stages, rotation=30, ha="right")
    ax.set_ylabel("p50 ms")
    ax.set_yscale("log")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return True


def register(subparsers) -> None:
    bench = subparsers.add_parser("bench", help="on-device latency, throughput and memory, int8 vs float32")
    bench.add_argument("--models", type=Path, default=Path("models"))
    bench.add_argument("--quick", action="store_true", help="fewer iterations (a functional check)")
    bench.add_argument("--threads", default="1,2,4", help="interpreter threads to try, capped at the cores present")
    bench.add_argument("--json", type=Path, required=True, help="write the results here")
    bench.add_argument("--markdown", type=Path, help="also write a Markdown table")
    bench.add_argument("--plot", type=Path, help="also write a PNG of the per-stage p50")
    bench.add_argument(
        "--peer-data", type=Path, action="append", help="labelled plates (shared layout) for the peer comparison"
    )
    bench.add_argument("--peer-split", type=Path, help="split manifest: compare on its validation images only")
    bench.add_argument("--peer-limit", type=int, default=200, help="plates per --peer-data folder (default 200)")
    bench.set_defaults(handler=_bench)


def _bench(args) -> int:
    from edge.errors import AnprError

    try:
        threads = [int(t) for t in args.threads.split(",") if t.strip()]
    except ValueError:
        raise AnprError(f"--threads must be a comma-separated list of integers, not {args.threads!r}") from None
    result = run_bench(args.models, threads, args.quick, args.peer_data, args.peer_split, args.peer_limit)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=1) + "\n")
    text = markdown(result)
    if args.markdown:
        args.markdown.write_text(text)
    if args.plot and not plot(result, args.plot):
        print("matplotlib not installed: no plot written", file=sys.stderr)
    print(text)
    return 0
