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


def test_shipped_card_and_edgetpu_ready(tiny_models, capsys):
    card = json.loads((tiny_models / "detector.json").read_text())
    assert card["output_names"] == OUTPUT_NAMES and card["decode"]["stride"] == 4 and card["mmacs"] > 0
    assert card["export"]["parity"]["frames"] == 40
    assert (tiny_models.parent / "runs" / "detector" / "learning_curve.png").is_file()
    assert main(["export", "--models", str(tiny_models), "--check-edgetpu", "--only", "detector"]) == 0
    assert "detector: OK for the Edge TPU" in capsys.readouterr().out


def test_quantisation_aware_fine_tune(tiny_models, tmp_path):
    """From the tiny shipped detector: one quantisation-aware epoch, shipped plain (no fake-quant layers)."""
    import keras

    config = tmp_path / "qat.yaml"
    config.write_text(
        "name: detector\nreal_sources: []\nsynthetic_scenes: 24\nepochs: 1\nbatch_size: 8\nwidth_multiplier: 0.5\n"
        f"init_from: {tiny_models / 'detector.keras'}\nquantisation_aware: true\n"
    )
    run, models = tmp_path / "run", tmp_path / "models"
    args = ["train", "detector", "--config", str(config), "--run-dir", str(run), "--ship", "--models", str(models)]
    assert main(args) == 0
    state = json.loads((run / "state.json").read_text())
    assert state["epoch"] == 1 and "threshold" in state
    card = json.loads((models / "detector.json").read_text())
    assert card["training"]["config"]["quantisation_aware"] is True
    shipped = keras.models.load_model(models / "detector.keras", compile=False)
    assert not any(layer.name.endswith("_fq") for layer in shipped.layers)
    assert [o.shape[1:] for o in shipped.outputs] == [(56, 96, 1), (56, 96, 2), (56, 96, 2)]
