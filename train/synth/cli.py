"""``anpr synth``: write synthetic plates, scenes or the demo clip in the common layout."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

import cv2
import numpy as np

from edge.errors import AnprError, DataError
from train.data.annotations import read_dataset
from train.data.paths import data_root, source_dirs
from train.data.splits import DEFAULT_MANIFEST, load_manifest, select_split
from train.synth.fonts import plate_font_weights
from train.synth.plates import render_plate_sample, style_names
from train.synth.scenes import collect_real, render_scene
from train.synth.us_extras import us_plate_extras
from train.synth.writer import LayoutWriter, preview_grid

log = logging.getLogger(__name__)
PREVIEW_COUNT = 48


def _styles(arg: str | None) -> list[str] | None:
    if not arg:
        return None
    names = [s.strip() for s in arg.split(",") if s.strip()]
    unknown = [s for s in names if s not in style_names()]
    if unknown:
        raise AnprError(f"unknown plate style(s) {', '.join(unknown)}; choose from {', '.join(style_names())}")
    return names


def training_real_data(root: Path, manifest_path: Path = DEFAULT_MANIFEST):
    """Real photos and crops from the *training* split of every shared source (never validation)."""
    dirs = source_dirs(root)
    if not dirs:
        return [], []
    manifest = load_manifest(manifest_path)
    selected = []
    for directory in dirs:
        dataset = read_dataset(directory)
        try:
            selected.append((dataset, select_split(dataset, manifest, "train").annotations))
        except DataError as exc:
            log.warning("not using %s for scenes: %s", directory, exc)
    return collect_real(selected)


def run_synth(args: argparse.Namespace) -> int:
    if args.list_styles:
        print("\n".join(style_names()))
        return 0
    if args.kind is None or args.out is None:
        raise AnprError("anpr synth needs --kind and --out (or --list-styles)")
    if args.count < 1:
        raise AnprError("--count must be at least 1")
    styles = _styles(args.styles)
    with plate_font_weights(args.fonts), us_plate_extras(args.us_extras):
        return _write(args, styles)


def _write(args: argparse.Namespace, styles: list[str] | None) -> int:
    """Render and write what ``args`` asks for, in the current plate fonts."""
    if args.kind == "clip":
        from train.synth.clip import write_clip

        info = write_clip(args.out, frames=args.count, seed=args.seed, styles=styles)
        print(f"wrote {args.out}: {info['frames']} frames at {info['fps']} fps, plates {', '.join(info['plates'])}")
        return 0
    preview: list = []
    with LayoutWriter(args.out) as writer:
        if args.kind == "plates":
            for i in range(args.count):
                sample = render_plate_sample(np.random.default_rng([args.seed, i]), styles, clean=args.clean)
                writer.add(f"{sample.style}/{i:06d}.jpg", sample.image, [(None, sample.text)])
                if len(preview) < PREVIEW_COUNT:
                    preview.append((sample.image, [], [sample.text]))
        else:
            photos, crops = ([], []) if args.no_real else training_real_data(data_root(args.data_root))
            log.info("scenes: %d real photos and %d real crops from the training split", len(photos), len(crops))
            for i in range(args.count):
                scene = render_scene(np.random.default_rng([args.seed, i]), photos, crops, styles)
                writer.add(f"scenes/{i:06d}.jpg", scene.image, list(zip(scene.boxes, scene.texts)))
                if len(preview) < PREVIEW_COUNT // 2:
                    preview.append((scene.image, scene.boxes, scene.texts))
    print(f"wrote {args.count} {args.kind} to {args.out}")
    if args.preview:
        tile, columns = ((192, 64), 6) if args.kind == "plates" else ((320, 200), 4)
        grid = preview_grid(preview, tile, columns)
        args.preview.parent.mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(args.preview), grid)
        print(f"wrote preview {args.preview}")
    return 0
