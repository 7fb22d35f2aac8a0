"""Random and truncated bytes into every decoder path: frames, uploads, models, configs.

Each must end in one clean error (an :class:`AnprError`, or a 400 for uploads), never another
exception and never a crash. Seeded, so a failure reproduces.
"""

from __future__ import annotations

import random
from pathlib import Path

import cv2
import numpy as np
import pytest

from edge.config import load_agent_config
from edge.errors import AnprError, ConfigError, ImageReadError
from edge.imageio import decode_image
from edge.sources.files import ImageFolderSource

ROOT = Path(__file__).resolve().parents[2]
RNG_SEED = 20261123


def _valid_images() -> dict[str, bytes]:
    rng = np.random.default_rng(0)
    image = rng.integers(0, 255, (48, 64, 3), np.uint8)
    return {ext: cv2.imencode(ext, image)[1].tobytes() for ext in (".jpg", ".png", ".bmp")}


def _fuzz_cases(rng: random.Random, valid: list[bytes], count: int) -> list[bytes]:
    """Random bytes (some behind a real magic number), truncations and bit flips of valid files."""
    cases = []
    for i in range(count):
        good = valid[i % len(valid)]
        kind = i % 4
        if kind == 0:
            cases.append(bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 2048))))
        elif kind == 1:
            cases.append(good[:8] + bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 512))))
        elif kind == 2:
            cases.append(good[: rng.randint(0, len(good) - 1)])
        else:
            flipped = bytearray(good)
            for _ in range(rng.randint(1, 16)):
                flipped[rng.randrange(len(flipped))] = rng.getrandbits(8)
            cases.append(bytes(flipped))
    return cases


def test_image_decoder_fuzz():
    rng = random.Random(RNG_SEED)
    outcomes = {"error": 0, "image": 0}
    for data in _fuzz_cases(rng, list(_valid_images().values()), 400):
        try:
            image = decode_image(data, name="fuzz")
        except ImageReadError as exc:
            assert str(exc).startswith("fuzz: ") and "\n" not in str(exc)
            outcomes["error"] += 1
        else:
            assert image.ndim == 3 and image.dtype == np.uint8  # a damaged but decodable image is fine
            outcomes["image"] += 1
    assert outcomes["error"] > 100  # most garbage is refused, not silently accepted


def test_frame_source_skips_fuzzed_files(tmp_path):
    rng = random.Random(RNG_SEED + 1)
    valid = _valid_images()
    folder = tmp_path / "frames"
    folder.mkdir()
    for i, data in enumerate(_fuzz_cases(rng, list(valid.values()), 40)):
        (folder / f"{i:03d}.jpg").write_bytes(data)
    (folder / "999.png").write_bytes(valid[".png"])
    source = ImageFolderSource(folder)
    frames = list(source.frames())
    assert len(frames) + source.skipped == 41 and source.skipped > 0 and frames[-1].index == 40


def test_upload_fuzz_is_always_400_or_200():
    pytest.importorskip("fastapi")
    pytest.importorskip("httpx")
    from fastapi.testclient import TestClient

    from edge.api.app import ApiSettings, create_app

    class NoPlates:
        def recognize(self, image):
            return {"results": [], "width": image.shape[1], "height": image.shape[0]}

    client = TestClient(create_app(ApiSettings(still=NoPlates())))
    rng = random.Random(RNG_SEED + 2)
    statuses = set()
    for data in _fuzz_cases(rng, list(_valid_images().values()), 120):
        response = client.post("/v1/recognize", content=data, headers={"Content-Type": "application/octet-stream"})
        assert response.status_code in (200, 400), response.text
        assert isinstance(response.json(), dict)
        statuses.add(response.status_code)
    assert 400 in statuses


def test_model_loader_fuzz(tmp_path):
    """Random, truncated and bit-flipped model files and cards, loaded the way the agent loads them.

    ``open_model`` checks the file's sha256 against its card before the interpreter sees a byte:
    LiteRT's own flatbuffer checks do not catch every bit flip, so that gate is what keeps a
    damaged file from reaching (and possibly crashing) the interpreter.
    """
    import json
    import shutil

    from edge.models import open_model

    rng = random.Random(RNG_SEED + 3)
    models = tmp_path / "models"
    models.mkdir()
    good_model = (ROOT / "models" / "ocr_int8.tflite").read_bytes()
    good_card = (ROOT / "models" / "ocr.json").read_bytes()
    shutil.copy(ROOT / "models" / "ocr.json", models / "ocr.json")
    for data in _fuzz_cases(rng, [good_model], 40):
        (models / "ocr_int8.tflite").write_bytes(data)
        with pytest.raises(AnprError) as info:
            open_model(models, "ocr", "int8")
        assert "\n" not in str(info.value)
    (models / "ocr_int8.tflite").write_bytes(good_model)
    for data in _fuzz_cases(rng, [good_card], 80):
        (models / "ocr.json").write_bytes(data)
        try:
            open_model(models, "ocr", "int8")
        except AnprError as exc:
            assert "\n" not in str(exc)
        except (KeyError, TypeError, ValueError, json.JSONDecodeError) as exc:
            pytest.fail(f"a damaged card gave {type(exc).__name__}: {exc}")


def test_config_fuzz(tmp_path):
    rng = random.Random(RNG_SEED + 4)
    valid = (ROOT / "edge" / "deploy" / "agent.example.yaml").read_bytes()
    path = tmp_path / "agent.yaml"
    for data in _fuzz_cases(rng, [valid], 200):
        path.write_bytes(data)
        try:
            load_agent_config(path)
        except ConfigError as exc:
            assert str(exc).startswith(str(path))
