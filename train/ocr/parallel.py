"""Train several plate-reader configs at once on one machine, for a GPU lent for minutes.

``python -m train.ocr.parallel --data-root .gpu/ocr_crops.npz --run-root runs/gpu CONFIG...`` renders
each distinct synthetic set once with many processes (``--render-workers``), then trains every config in
its own process (``runs/gpu/<config stem>/``, log in ``<stem>.log``), all at the same time, sharing the
accelerator: the loop of one small reader leaves a GPU idle while its CPU makes batches (see the configs'
``loader_threads``). It works with any Keras backend (``KERAS_BACKEND=jax`` on a machine without
TensorFlow); each run is an ordinary run folder that ``anpr train ocr --resume`` or a quantisation-aware
stage here can start from. ``--out DIR`` packs each run's ``best.keras``, ``state.json`` and log into
``DIR/<stem>.tgz``. ``--data-root`` takes the shared datasets' folder or a pack (``train/ocr/pack.py``).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
import tarfile
import time
from pathlib import Path

from train.data.paths import data_root
from train.data.splits import DEFAULT_MANIFEST
from train.ocr.config import OcrTrainConfig

log = logging.getLogger(__name__)

#: Share of the GPU's memory the JAX runs may take together (each takes its part).
JAX_MEMORY_SHARE = 0.8


def render_synthetic(configs: list[OcrTrainConfig], cache: Path, workers: int) -> None:
    """Render every config's synthetic plates into ``cache`` with ``workers`` processes before training
    starts (``synthetic_set`` caches each distinct set, so configs that share one render it once)."""
    from train.ocr.data import synthetic_set

    for cfg in configs:
        if not cfg.synthetic_count:
            continue
        start = time.monotonic()
        synthetic_set(
            cfg.input,
            cfg.synthetic_count,
            cfg.seed,
            cfg.synthetic_styles,
            cache,
            workers=workers,
            fonts=cfg.synthetic_fonts,
            us_extras=cfg.synthetic_us_extras,
        )
        log.info(
            "%d synthetic plates (seed %d) ready in %.0f s", cfg.synthetic_count, cfg.seed, time.monotonic() - start
        )


def train_one(config: Path, run_dir: Path, root: Path, manifest: Path) -> int:
    """One config's run, in this process."""
    from train.ocr.train import train_ocr

    state = train_ocr(OcrTrainConfig.from_yaml(config), run_dir, root, manifest)
    log.info(
        "%s: best exact %.2f %% at epoch %d, %.1f min",
        config.stem,
        state["best_exact"],
        state["best_epoch"],
        state["seconds"] / 60,
    )
    return 0


def launch(configs: list[Path], run_root: Path, root: Path, manifest: Path) -> dict[str, int]:
    """Start one process per config and wait for all; returns each one's exit status."""
    env = dict(os.environ)
    env.setdefault("XLA_PYTHON_CLIENT_MEM_FRACTION", f"{JAX_MEMORY_SHARE / len(configs):.3f}")
    processes = {}
    for config in configs:
        log_path = run_root / f"{config.stem}.log"
        command = [sys.executable, "-m", "train.ocr.parallel", "--one", str(config), "--run-root", str(run_root)]
        command += ["--data-root", str(root), "--manifest", str(manifest)]
        with log_path.open("w") as out:
            processes[config.stem] = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)
    return {stem: process.wait() for stem, process in processes.items()}


def summary(run_root: Path, stem: str) -> str:
    state_path = run_root / stem / "state.json"
    if not state_path.is_file():
        return f"{stem}: no state.json (see {run_root / stem}.log)"
    state = json.loads(state_path.read_text())
    history = " ".join(f"{r['val_exact']:.2f}" for r in state["history"])
    return (
        f"{stem}: best {state['best_exact']:.2f} % at epoch {state['best_epoch']} of {state['epoch']}, "
        f"{state['seconds'] / 60:.1f} min; by epoch {history}"
    )


def pack_runs(run_root: Path, stems: list[str], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for stem in stems:
        with tarfile.open(out / f"{stem}.tgz", "w:gz") as tar:
            for name in ("best.keras", "state.json", "history.csv"):
                if (run_root / stem / name).is_file():
                    tar.add(run_root / stem / name, arcname=f"{stem}/{name}")
            if (run_root / f"{stem}.log").is_file():
                tar.add(run_root / f"{stem}.log", arcname=f"{stem}/train.log")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("configs", nargs="*", type=Path, help="OCR training configs (YAML)")
    parser.add_argument("--data-root", type=Path, default=None, help="shared datasets or a pack (.npz)")
    parser.add_argument("--manifest", type=Path, default=DEFAULT_MANIFEST, help="split manifest")
    parser.add_argument("--run-root", type=Path, default=Path("runs/parallel"), help="folder of the run folders")
    parser.add_argument("--render-workers", type=int, default=os.cpu_count() or 2, help="processes rendering")
    parser.add_argument("--out", type=Path, default=None, help="write <stem>.tgz of each run here")
    parser.add_argument("--one", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    root = data_root(args.data_root)
    if args.one:
        return train_one(args.one, args.run_root / args.one.stem, root, args.manifest)
    if not args.configs:
        parser.error("name at least one config")
    stems = [c.stem for c in args.configs]
    if len(set(stems)) != len(stems):
        parser.error("configs need distinct file names: each names its run folder")
    configs = [OcrTrainConfig.from_yaml(c) for c in args.configs]
    args.run_root.mkdir(parents=True, exist_ok=True)
    render_synthetic(configs, args.run_root / "cache", args.render_workers)
    statuses = launch(args.configs, args.run_root, root, args.manifest)
    for stem in stems:
        print(summary(args.run_root, stem) + ("" if statuses[stem] == 0 else f" (exit status {statuses[stem]})"))
    if args.out:
        pack_runs(args.run_root, stems, args.out)
    return max(statuses.values())


if __name__ == "__main__":
    raise SystemExit(main())
