"""Scene compositor: detector training images with exact plate boxes.

Plates (rendered, or real crops from the training split) are put into scenes three ways:
- replacing the plate inside a labelled real photo (the box stays right, the text becomes known);
- pasted onto real photos at other places and sizes (often on a patch of car body);
- on generated streets with generated cars (no real data needed).
Boxes are the axis-aligned bounds of the warped plate corners, in pixels of the scene.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from edge.imageio import read_image
from edge.types import Box
from train.data.annotations import Annotation, Dataset
from train.synth import degrade
from train.synth.lettering import paint_lettering
from train.synth.plates import car_body, choose_style, render_clean, to_bgr
from train.synth.procedural import car_extent, draw_car, street


@dataclass
class Scene:
    """A scene image (BGR uint8) and its plates: boxes and texts ('' when unknown)."""

    image: np.ndarray
    boxes: list[Box] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class RealPhoto:
    """A real photo with labelled plates, usable as a background."""

    path: Path
    boxes: tuple[Box, ...]
    texts: tuple[str, ...]


@dataclass(frozen=True)
class RealCrop:
    """A real plate crop with its text, usable as a plate to paste."""

    path: Path
    text: str


def collect_real(datasets: list[tuple[Dataset, list[Annotation]]]) -> tuple[list[RealPhoto], list[RealCrop]]:
    """Split (dataset, selected rows) pairs into photos with boxes and crops with text."""
    photos, crops = [], []
    for dataset, rows in datasets:
        by_image: dict[str, list[Annotation]] = {}
        for a in rows:
            if a.box is None:
                if a.text:
                    crops.append(RealCrop(dataset.image_path(a), a.text))
            else:
                by_image.setdefault(a.image, []).append(a)
        for image, image_rows in sorted(by_image.items()):
            photos.append(
                RealPhoto(
                    dataset.images_dir / image, tuple(a.box for a in image_rows), tuple(a.text for a in image_rows)
                )
            )
    return photos, crops


def _plate_image(
    rng: np.random.Generator, crops: list[RealCrop], real_crop_share: float, styles: list[str] | None
) -> tuple[np.ndarray, str]:
    if crops and rng.random() < real_crop_share:
        crop = crops[int(rng.integers(len(crops)))]
        try:
            return read_image(crop.path), crop.text
        except Exception:
            pass  # an unreadable crop is reported by 'anpr data check'; render instead
    plate = render_clean(choose_style(rng, styles), rng)
    return to_bgr(plate), plate.text


def blend_quad(scene: np.ndarray, plate: np.ndarray, quad: np.ndarray, match_light: bool) -> Box | None:
    """Warp ``plate`` onto ``quad`` (4x2, clockwise from top-left) in ``scene``; return its bounds."""
    h, w = plate.shape[:2]
    H, W = scene.shape[:2]
    matrix = cv2.getPerspectiveTransform(np.float32([[0, 0], [w, 0], [w, h], [0, h]]), quad.astype(np.float32))
    x1, y1 = np.floor(quad.min(axis=0)).astype(int)
    x2, y2 = np.ceil(quad.max(axis=0)).astype(int)
    cx1, cy1, cx2, cy2 = max(0, x1), max(0, y1), min(W, x2), min(H, y2)
    if cx2 - cx1 < 4 or cy2 - cy1 < 3:
        return None
    shift = np.float32([[1, 0, -cx1], [0, 1, -cy1], [0, 0, 1]]) @ matrix
    size = (cx2 - cx1, cy2 - cy1)
    warped = cv2.warpPerspective(plate, shift, size, flags=cv2.INTER_AREA if size[0] < w else cv2.INTER_LINEAR)
    alpha = cv2.warpPerspective(np.ones((h, w), np.float32), shift, size, flags=cv2.INTER_LINEAR)[:, :, None]
    region = scene[cy1:cy2, cx1:cx2].astype(np.float32)
    warped = warped.astype(np.float32)
    if match_light:  # bring the plate to the brightness of what it covers
        target = region.mean() + 1e-3
        warped *= np.clip(target / (warped.mean() + 1e-3), 0.35, 1.3) ** 0.6
    scene[cy1:cy2, cx1:cx2] = np.clip(region * (1 - alpha) + warped * alpha, 0, 255).astype(np.uint8)
    visible = Box(
        float(max(0, quad[:, 0].min())),
        float(max(0, quad[:, 1].min())),
        float(min(W, quad[:, 0].max())),
        float(min(H, quad[:, 1].max())),
    )
    full = Box(*quad.min(axis=0).tolist(), *quad.max(axis=0).tolist())
    return visible if visible.area >= 0.6 * full.area else None


def _quad_in_box(box: Box, rng: np.random.Generator, tilt: float = 0.05) -> np.ndarray:
    quad = np.float32([[box.x1, box.y1], [box.x2, box.y1], [box.x2, box.y2], [box.x1, box.y2]])
    jitter = rng.uniform(-tilt, tilt, (4, 2)) * np.float32([box.width, box.height])
    return quad + jitter.astype(np.float32)


def _random_quad(rng: np.random.Generator, width: float, aspect: float, centre: tuple[float, float]) -> np.ndarray:
    h = width / aspect
    flat = np.float32([[0, 0], [width, 0], [width, h], [0, h]])
    matrix = degrade.perspective_matrix(width, h, rng, 0.1, 10.0)
    quad = cv2.perspectiveTransform(flat[None], matrix)[0]
    return quad - quad.mean(axis=0) + np.float32(centre)


def _overlaps(box: Box, others: list[Box]) -> bool:
    return any(box.iou(o) > 0.0 for o in others)


def paste_plates(
    scene: Scene,
    rng: np.random.Generator,
    count: int,
    crops: list[RealCrop],
    real_crop_share: float,
    styles: list[str] | None,
    min_width: float = 25.0,
) -> None:
    """Paste ``count`` plates at random places and sizes, avoiding existing plates."""
    H, W = scene.image.shape[:2]
    for _ in range(count):
        plate, text = _plate_image(rng, crops, real_crop_share, styles)
        aspect = plate.shape[1] / plate.shape[0]
        width = float(np.exp(rng.uniform(np.log(min_width), np.log(max(min_width * 1.5, W * 0.35)))))
        centre = (rng.uniform(width * 0.6, W - width * 0.6), rng.uniform(H * 0.2, H - width / aspect))
        quad = _random_quad(rng, width, aspect, centre)
        bounds = Box(*quad.min(axis=0).tolist(), *quad.max(axis=0).tolist())
        if _overlaps(
            Box(bounds.x1 - width * 0.6, bounds.y1 - width * 0.3, bounds.x2 + width * 0.6, bounds.y2 + width * 0.3),
            scene.boxes,
        ):
            continue
        if rng.random() < 0.6:  # a patch of car body behind the plate
            pad = np.float32([[-0.5, -0.6], [0.5, -0.6], [0.5, 0.8], [-0.5, 0.8]]) * np.float32([width, width / aspect])
            body_quad = quad + pad
            body = car_body(int(width / aspect * 3) + 2, int(width * 2) + 2, rng)
            blend_quad(scene.image, body, body_quad, match_light=True)
        box = blend_quad(scene.image, plate, quad, match_light=True)
        if box is not None:
            scene.boxes.append(box)
            scene.texts.append(text)


def real_scene(
    photo: RealPhoto,
    rng: np.random.Generator,
    crops: list[RealCrop],
    styles: list[str] | None,
    replace_share: float = 0.7,
    real_crop_share: float = 0.2,
    max_extra: int = 2,
) -> Scene:
    """A real photo, each labelled plate replaced with probability ``replace_share``, plus extra plates."""
    image = read_image(photo.path)
    scene = Scene(image)
    for box, text in zip(photo.boxes, photo.texts):
        if rng.random() < replace_share and box.width >= 12:
            plate, new_text = _plate_image(rng, crops, real_crop_share, styles)
            placed = blend_quad(scene.image, plate, _quad_in_box(box, rng), match_light=True)
            if placed is not None:
                scene.boxes.append(placed)
                scene.texts.append(new_text)
                continue
        scene.boxes.append(box)
        scene.texts.append(text)
    paste_plates(scene, rng, int(rng.integers(0, max_extra + 1)), crops, real_crop_share, styles)
    return scene


def generated_scene(
    rng: np.random.Generator,
    crops: list[RealCrop],
    styles: list[str] | None,
    size: tuple[int, int] = (720, 1280),
    real_crop_share: float = 0.2,
) -> Scene:
    """A generated street with 1-4 cars, each carrying a plate."""
    height, width = size
    scene = Scene(street(height, width, rng))
    cars = []
    for _ in range(int(rng.integers(1, 5))):
        depth = rng.uniform(0.0, 1.0)  # 0 far (near the horizon, small), 1 close (bottom, large)
        car_w = width * (0.08 + 0.45 * depth**1.5) * rng.uniform(0.85, 1.15)
        y_bottom = height * (0.55 + 0.47 * depth)
        cars.append((rng.uniform(-car_w * 0.1, width - car_w * 0.9), y_bottom, car_w))
    for x, y_bottom, car_w in sorted(cars, key=lambda c: c[1]):  # far cars first, nearer ones cover them
        covered = Box(*car_extent(x, y_bottom, car_w))
        keep = [i for i, b in enumerate(scene.boxes) if b.iou(covered) == 0.0]
        scene.boxes = [scene.boxes[i] for i in keep]
        scene.texts = [scene.texts[i] for i in keep]
        rect = draw_car(scene.image, x, y_bottom, car_w, rng)
        plate, text = _plate_image(rng, crops, real_crop_share, styles)
        aspect = plate.shape[1] / plate.shape[0]
        plate_box = Box(rect[0], rect[1], rect[2], rect[1] + (rect[2] - rect[0]) / aspect)
        placed = blend_quad(scene.image, plate, _quad_in_box(plate_box, rng, 0.03), match_light=False)
        if placed is not None:
            scene.boxes.append(placed)
            scene.texts.append(text)
    return scene


def render_scene(
    rng: np.random.Generator,
    photos: list[RealPhoto],
    crops: list[RealCrop],
    styles: list[str] | None = None,
    real_share: float = 0.7,
    camera: bool = True,
    lettering: float = 0.0,
    replace_share: float = 0.7,
) -> Scene:
    """One scene: a real photo background with probability ``real_share`` (when any; each of its plates
    replaced with probability ``replace_share``), else generated; with probability ``lettering``, 1-4
    pieces of non-plate lettering are painted clear of its plates (hard negatives, no box;
    ``train/synth/lettering.py``)."""
    if photos and rng.random() < real_share:
        scene = real_scene(photos[int(rng.integers(len(photos)))], rng, crops, styles, replace_share)
    else:
        scene = generated_scene(rng, crops, styles)
    if lettering > 0.0 and rng.random() < lettering:
        paint_lettering(scene.image, rng, scene.boxes, int(rng.integers(1, 5)))
    if camera:
        scene.image = degrade.camera_effects(scene.image, rng, strength=0.5, plate_only=False)
    return scene
