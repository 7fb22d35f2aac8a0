import json

import cv2
import numpy as np

from edge.cli.main import main
from edge.types import Box
from tests.conftest import noise_image
from train.data.annotations import read_dataset
from train.data.check import check_dataset
from train.synth.clip import write_clip
from train.synth.scenes import RealPhoto, generated_scene, real_scene, render_scene


def test_generated_scene_boxes_lie_inside_the_image():
    for seed in range(5):
        scene = generated_scene(np.random.default_rng(seed), [], None, size=(360, 640))
        h, w = scene.image.shape[:2]
        assert scene.boxes and len(scene.boxes) == len(scene.texts)
        for box in scene.boxes:
            assert box.is_inside(w, h) and box.width >= 4


def test_replacing_a_real_plate_keeps_its_place(tmp_path):
    photo = tmp_path / "car.jpg"
    cv2.imwrite(str(photo), noise_image(3, 480, 640))
    box = Box(200, 300, 320, 330)
    real = RealPhoto(photo, (box,), ("",))
    scene = real_scene(real, np.random.default_rng(0), [], ["eu_cz"], replace_share=1.0, max_extra=0)
    assert len(scene.boxes) == 1 and scene.texts[0] != ""
    assert scene.boxes[0].iou(box) > 0.7
    before = cv2.imread(str(photo)).astype(int)
    changed = np.abs(scene.image.astype(int) - before).sum(axis=2) > 30
    assert changed[300:330, 200:320].mean() > 0.5 and changed[:200].mean() < 0.01


def test_render_scene_without_real_data():
    scene = render_scene(np.random.default_rng(1), [], [], camera=True)
    assert scene.image.shape == (720, 1280, 3)


def test_synth_cli_writes_a_valid_layout(tmp_path, capsys):
    out = tmp_path / "plates"
    assert (
        main(
            [
                "synth",
                "--kind",
                "plates",
                "--count",
                "12",
                "--out",
                str(out),
                "--seed",
                "4",
                "--preview",
                str(tmp_path / "p.png"),
            ]
        )
        == 0
    )
    summary = check_dataset(read_dataset(out))
    assert summary.rows == 12 and summary.crops == 12 and not summary.issues
    assert cv2.imread(str(tmp_path / "p.png")) is not None
    scenes = tmp_path / "scenes"
    assert main(["synth", "--kind", "scenes", "--count", "3", "--out", str(scenes), "--no-real"]) == 0
    summary = check_dataset(read_dataset(scenes))
    assert summary.boxes >= 3 and not summary.errors
    assert main(["synth", "--kind", "plates", "--count", "1", "--out", str(out), "--styles", "mars"]) == 2


def test_clip_ground_truth(tmp_path):
    info = write_clip(tmp_path / "clip.mp4", frames=40, seed=2)
    assert json.loads((tmp_path / "clip.json").read_text()) == info
    capture = cv2.VideoCapture(str(tmp_path / "clip.mp4"))
    frames = 0
    while capture.read()[0]:
        frames += 1
    assert frames == 40
    assert all(track["boxes"] for track in info["tracks"])
    assert len(set(info["plates"])) == len(info["plates"])
