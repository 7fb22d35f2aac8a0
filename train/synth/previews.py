"""Regenerate the preview PNGs under ``docs/previews`` (``make previews``).

Only generated content goes into these files: scenes use generated streets, never the
shared photos, whose licences differ from the project's.
"""

from __future__ import annotations

import sys
from pathlib import Path

import cv2
import numpy as np

from train.synth.fonts import plate_font_weights
from train.synth.plates import render_clean, render_plate_sample, style_names, to_bgr
from train.synth.scenes import render_scene
from train.synth.us_extras import us_plate_extras
from train.synth.writer import preview_grid


def write_previews(out: Path, seed: int = 0) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for i, style in enumerate(style_names()):
        items = []
        for k in range(3):
            plate = render_clean(style, np.random.default_rng([seed, i, k]))
            items.append((to_bgr(plate), [], [plate.text]))
        for k in range(5):
            sample = render_plate_sample(np.random.default_rng([seed, i, 100 + k]), styles=[style])
            items.append((sample.image, [], [sample.text]))
        path = out / f"plates_{style}.png"
        cv2.imwrite(str(path), preview_grid(items, (176, 60), 8))
        written.append(path)
    items = []
    with plate_font_weights("stroke"):  # the DIN-style lettering (anpr synth --fonts stroke)
        for k, style in enumerate(["eu_cz", "eu_sk", "eu_de", "eu_ro"]):
            plate = render_clean(style, np.random.default_rng([seed, 500, k]))
            items.append((to_bgr(plate), [], [plate.text]))
            sample = render_plate_sample(np.random.default_rng([seed, 600, k]), styles=[style])
            items.append((sample.image, [], [sample.text]))
    path = out / "plates_din_lettering.png"
    cv2.imwrite(str(path), preview_grid(items, (176, 60), 8))
    written.append(path)
    items = []
    with us_plate_extras():  # the US plates' extra clutter (anpr synth --us-extras)
        for k in range(16):
            plate = render_clean("us", np.random.default_rng([seed, 700, k]))
            items.append((to_bgr(plate), [], [plate.text]))
    path = out / "plates_us_extras.png"
    cv2.imwrite(str(path), preview_grid(items, (176, 88), 8))
    written.append(path)
    scenes = []
    for k in range(8):
        scene = render_scene(np.random.default_rng([seed, 999, k]), [], [])
        scenes.append((scene.image, scene.boxes, scene.texts))
    path = out / "scenes_generated.png"
    cv2.imwrite(str(path), preview_grid(scenes, (320, 180), 4))
    written.append(path)
    return written


if __name__ == "__main__":
    for p in write_previews(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/previews")):
        print(p)
