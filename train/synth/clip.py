"""The sample clip: generated cars with rendered plates driving towards the camera.

Used by ``make demo``, the agent's end-to-end tests and the benchmarks. Everything in it is
generated here (no third-party media). A JSON file beside the video gives the ground truth:
each car's plate text, the frames it is visible in and its plate box per frame.
"""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np

from edge.errors import AnprError
from edge.types import Box
from train.synth.plates import choose_style, render_clean, to_bgr
from train.synth.procedural import CAR_PAINTS, car_extent, draw_car, street
from train.synth.scenes import blend_quad

FRAME_SIZE = (720, 1280)  # height, width


def _car_track(frame: int, start: int, duration: int, lane_x: float, width: int, height: int):
    """Position of a car ``frame`` frames into the clip: (x, y_bottom, car_width), or None when off screen."""
    t = (frame - start) / duration
    if not 0.0 <= t <= 1.0:
        return None
    car_w = width * (0.1 + 0.4 * t**1.5)
    y_bottom = height * (0.5 + 0.55 * t)
    x = lane_x * width - car_w / 2
    return x, y_bottom, car_w


def write_clip(
    out: str | Path,
    frames: int = 120,
    seed: int = 0,
    fps: float = 10.0,
    styles: list[str] | None = None,
    cars: int | None = None,
) -> dict:
    """Write an MP4 of ``frames`` frames plus ``<out>.json`` with the ground truth; returns that dict."""
    out = Path(out)
    if out.suffix.lower() != ".mp4":
        raise AnprError(f"{out}: the clip is written as .mp4")
    out.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    height, width = FRAME_SIZE
    background = street(height, width, rng)
    n_cars = cars or max(1, frames // 40)
    duration = max(10, int(frames / max(1, n_cars) * 1.4))
    tracks = []
    for k in range(n_cars):
        plate = render_clean(choose_style(rng, styles), rng)
        tracks.append(
            {
                "text": plate.text,
                "style": plate.style,
                "plate": to_bgr(plate),
                "start": int(k * (frames - duration) / max(1, n_cars - 1)) if n_cars > 1 else 0,
                "lane": float(rng.uniform(0.3, 0.7)),
                "paint": CAR_PAINTS[int(rng.integers(len(CAR_PAINTS)))],
                "seed": int(rng.integers(1 << 30)),
                "boxes": {},
            }
        )
    writer = cv2.VideoWriter(str(out), cv2.VideoWriter_fourcc(*"mp4v"), fps, (width, height))
    if not writer.isOpened():
        raise AnprError(f"{out}: OpenCV cannot write MP4 video here")
    try:
        for f in range(frames):
            image = background.copy()
            visible = [(tr, _car_track(f, tr["start"], duration, tr["lane"], width, height)) for tr in tracks]
            drawn: list[tuple[dict, Box]] = []
            # far cars first so nearer ones cover them; a covered plate leaves the ground truth
            for tr, pos in sorted((v for v in visible if v[1] is not None), key=lambda v: v[1][1]):
                x, y_bottom, car_w = pos
                body = Box(*car_extent(x, y_bottom, car_w))
                for other, plate_box in drawn:
                    if plate_box.iou(body) > 0 and str(f) in other["boxes"]:
                        del other["boxes"][str(f)]
                rect = draw_car(image, x, y_bottom, car_w, np.random.default_rng(tr["seed"]), paint=tr["paint"])
                ph, pw = tr["plate"].shape[:2]
                x1, y1, x2, _ = rect
                quad = np.float32([[x1, y1], [x2, y1], [x2, y1 + (x2 - x1) * ph / pw], [x1, y1 + (x2 - x1) * ph / pw]])
                box = blend_quad(image, tr["plate"], quad, match_light=False)
                if box is not None:
                    tr["boxes"][str(f)] = [round(v, 1) for v in box.as_list()]
                    drawn.append((tr, box))
            writer.write(image)
    finally:
        writer.release()
    info = {
        "video": out.name,
        "frames": frames,
        "fps": fps,
        "size": [width, height],
        "seed": seed,
        "plates": [tr["text"] for tr in tracks],
        "tracks": [{"text": tr["text"], "style": tr["style"], "boxes": tr["boxes"]} for tr in tracks],
    }
    out.with_suffix(".json").write_text(json.dumps(info, indent=1) + "\n")
    return info
