"""A tiny detector trains a few steps on generated scenes, ships, exports to Edge TPU-ready int8."""

import json

import pytest

pytest.importorskip("tensorflow")

from edge.cli.main import main
from edge.metadata import InputSpec
from train.detector.model import OUTPUT_NAMES, build_detector


def test_model_outputs():
    model = build_detector(InputSpec(height=224, width=384, colour="rgb", resize="letterbox"), width=0.5)
    assert [o.shape[1:] for o in model.outputs] == [(56, 96, 1), (56, 96, 2), (56, 96, 2)]
    assert model.output_names == OUTPUT_NAMES


def test_train_ship_export(tmp_path, capsys):
    config = tmp_path / "d.yaml"
    config.write_text(
        "name: detector\nreal_sources: []\nsynthetic_scenes: 24\nepochs: 1\nbatch_size: 8\nwidth_multiplier: 0.5\n"
    )
    models = tmp_path / "models"
    assert (
        main(
            [
                "train",
                "detector",
                "--config",
                str(config),
                "--run-dir",
                str(tmp_path / "run"),
                "--ship",
                "--models",
                str(models),
            ]
        )
        == 0
    )
    card = json.loads((models / "detector.json").read_text())
    assert card["output_names"] == OUTPUT_NAMES and card["decode"]["stride"] == 4 and card["mmacs"] > 0
    assert (tmp_path / "run" / "learning_curve.png").is_file()
    assert main(["export", "--models", str(models), "--data-root", str(tmp_path / "none")]) == 0
    capsys.readouterr()
    assert main(["export", "--models", str(models), "--check-edgetpu", "--only", "detector"]) == 0
    assert "detector: OK for the Edge TPU" in capsys.readouterr().out
