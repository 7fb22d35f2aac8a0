"""Averaging readers' weights: exact means, one clear error for different networks, shipped with its inputs."""

import json

import numpy as np
import pytest

pytest.importorskip("keras")

from edge.cli.main import main
from edge.errors import AnprError
from edge.metadata import InputSpec
from edge.text import ALPHABET
from train.ocr.average import average_weights
from train.ocr.model import build_ocr_model


def test_average_weights_is_the_element_wise_mean():
    a = [np.array([[1.0, 2.0]], np.float32), np.array([3.0], np.float32)]
    b = [np.array([[3.0, 6.0]], np.float32), np.array([-3.0], np.float32)]
    c = [np.array([[2.0, 1.0]], np.float32), np.array([0.0], np.float32)]
    mean = average_weights([a, b, c])
    assert np.array_equal(mean[0], np.array([[2.0, 3.0]], np.float32)) and mean[0].dtype == np.float32
    assert np.array_equal(mean[1], np.array([0.0], np.float32))
    assert all(np.array_equal(x, y) for x, y in zip(average_weights([a]), a))


def test_different_networks_are_refused():
    a = [np.zeros((2, 2), np.float32)]
    with pytest.raises(AnprError, match="model 2 is not the same network"):
        average_weights([a, [np.zeros((2, 3), np.float32)]])
    with pytest.raises(AnprError, match="model 2 is not the same network"):
        average_weights([a, a + a])
    with pytest.raises(AnprError, match="nothing to average"):
        average_weights([])


def test_anpr_train_ocr_ships_the_average(tmp_path, capsys):
    import keras

    spec = InputSpec(height=48, width=160, colour="grey")
    paths = []
    for seed in (1, 2):
        keras.utils.set_random_seed(seed)
        model = build_ocr_model(spec, len(ALPHABET) + 1, width=0.25)
        paths.append(tmp_path / f"reader{seed}.keras")
        model.save(paths[-1])
    config = tmp_path / "average.yaml"
    config.write_text(
        "name: ocr\nreal_sources: []\nwidth_multiplier: 0.25\naverage_of:\n" + "".join(f"  - {p}\n" for p in paths)
    )
    models, run = tmp_path / "models", tmp_path / "runs" / "average"
    command = ["train", "ocr", "--config", str(config), "--run-dir", str(run)]
    assert main([*command, "--ship", "--models", str(models)]) == 0
    assert "average of 2 readers" in capsys.readouterr().out
    inputs = [keras.models.load_model(p, compile=False).get_weights() for p in paths]
    shipped = keras.models.load_model(models / "ocr.keras", compile=False).get_weights()
    assert all(np.allclose(s, (x + y) / 2) for s, x, y in zip(shipped, *inputs))
    card = json.loads((models / "ocr.json").read_text())
    assert [a["file"] for a in card["training"]["average_of"]] == [str(p) for p in paths]
    assert all(len(a["sha256"]) == 64 for a in card["training"]["average_of"])
    assert card["training"]["config"]["average_of"] == [str(p) for p in paths]

    config.write_text(config.read_text() + f"  - {tmp_path / 'missing.keras'}\n")
    assert main(command) == 2
    assert "average_of: not found" in capsys.readouterr().err
