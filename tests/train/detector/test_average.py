"""Averaging detectors' weights (a config's ``average_of``): the exact mean ships with its inputs listed."""

import json

import numpy as np
import pytest

pytest.importorskip("keras")

from edge.cli.main import main
from edge.metadata import InputSpec
from train.detector.model import build_detector


def test_anpr_train_detector_ships_the_average(tmp_path, capsys):
    import keras

    spec = InputSpec(height=224, width=384, colour="rgb", resize="letterbox")
    paths = []
    for seed in (1, 2):
        keras.utils.set_random_seed(seed)
        paths.append(tmp_path / f"detector{seed}" / "best.keras")
        paths[-1].parent.mkdir()
        build_detector(spec, width=0.5).save(paths[-1])
    (paths[0].parent / "state.json").write_text(json.dumps({"threshold": 0.4}))
    config = tmp_path / "average.yaml"
    config.write_text(
        "name: detector\nreal_sources: []\ninput: {height: 224, width: 384, colour: rgb, resize: letterbox}\n"
        "width_multiplier: 0.5\naverage_of:\n" + "".join(f"  - {p}\n" for p in paths)
    )
    models, run = tmp_path / "models", tmp_path / "runs" / "average"
    command = ["train", "detector", "--config", str(config), "--run-dir", str(run)]
    assert main([*command, "--ship", "--models", str(models)]) == 0
    assert "average of 2 detectors" in capsys.readouterr().out
    inputs = [keras.models.load_model(p, compile=False).get_weights() for p in paths]
    shipped = keras.models.load_model(models / "detector.keras", compile=False).get_weights()
    assert all(np.allclose(s, (x + y) / 2) for s, x, y in zip(shipped, *inputs))
    card = json.loads((models / "detector.json").read_text())
    assert [a["file"] for a in card["training"]["average_of"]] == [str(p) for p in paths]
    assert card["decode"]["score_threshold"] == 0.4  # unscored: the first detector's run threshold

    config.write_text(config.read_text() + f"  - {tmp_path / 'missing.keras'}\n")
    assert main(command) == 2
    assert "average_of: not found" in capsys.readouterr().err
