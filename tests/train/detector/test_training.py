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
