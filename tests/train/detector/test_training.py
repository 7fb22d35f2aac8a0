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
    """From the tiny shipped detector: one quantisation-aware epoch, kept by number, shipped plain."""
    import keras

    config = tmp_path / "qat.yaml"
    config.write_text(
        "name: detector\nreal_sources: []\nsynthetic_scenes: 24\nepochs: 1\nbatch_size: 8\nwidth_multiplier: 0.5\n"
        f"init_from: {tiny_models / 'detector.keras'}\nquantisation_aware: true\nkeep_epochs: true\n"
    )
    run, models = tmp_path / "run", tmp_path / "models"
    args = ["train", "detector", "--config", str(config), "--run-dir", str(run), "--ship", "--models", str(models)]
    assert main(args) == 0
    state = json.loads((run / "state.json").read_text())
    assert state["epoch"] == 1 and "threshold" in state
    assert (run / "epoch_01.keras").is_file()
    card = json.loads((models / "detector.json").read_text())
    assert card["training"]["config"]["quantisation_aware"] is True
    shipped = keras.models.load_model(models / "detector.keras", compile=False)
    assert not any(layer.name.endswith("_fq") for layer in shipped.layers)
    assert [o.shape[1:] for o in shipped.outputs] == [(56, 96, 1), (56, 96, 2), (56, 96, 2)]


def test_init_from_another_input_size_carries_every_weight():
    """A detector trained at one input size starts another size's training with the same weights."""
    import numpy as np

    from train.detector.config import DetectorTrainConfig
    from train.detector.train import _initial_model

    small = build_detector(InputSpec(height=224, width=384, colour="rgb", resize="letterbox"), width=0.5)
    rng = np.random.default_rng(0)
    small.set_weights([rng.normal(size=w.shape).astype(np.float32) for w in small.get_weights()])
    larger = {"height": 288, "width": 512, "colour": "rgb", "resize": "letterbox"}
    cfg = DetectorTrainConfig(input=larger, width_multiplier=0.5)
    model = _initial_model(small, cfg)
    assert [o.shape[1:] for o in model.outputs] == [(72, 128, 1), (72, 128, 2), (72, 128, 2)]
    assert all(np.array_equal(a, b) for a, b in zip(model.get_weights(), small.get_weights(), strict=True))
    same = DetectorTrainConfig(input={**larger, "height": 224, "width": 384}, width_multiplier=0.5)
    assert _initial_model(small, same) is small
    with pytest.raises(ValueError, match="widening needs the same input size"):
        _initial_model(small, DetectorTrainConfig(input=larger, width_multiplier=1.0))
    with pytest.raises(ValueError, match="cannot carry a weight"):
        _initial_model(small, DetectorTrainConfig(input=same.input, width_multiplier=0.25))


def test_init_from_a_narrower_detector_widens_it_and_keeps_its_outputs():
    """A wider width_multiplier grows the trained detector: same heatmap, offsets and sizes at the start."""
    import numpy as np

    from train.detector.config import DetectorTrainConfig
    from train.detector.train import _initial_model

    spec = {"height": 64, "width": 96, "colour": "rgb", "resize": "letterbox"}
    narrow = build_detector(InputSpec(**spec), width=0.5)
    rng = np.random.default_rng(1)
    narrow.set_weights([rng.normal(scale=0.3, size=w.shape).astype(np.float32) for w in narrow.get_weights()])
    wide = _initial_model(narrow, DetectorTrainConfig(input=spec, width_multiplier=1.0))
    assert wide.count_params() > narrow.count_params()
    image = rng.random((1, 64, 96, 3), dtype=np.float32)
    for before, after in zip(narrow.predict_on_batch(image), wide.predict_on_batch(image), strict=True):
        np.testing.assert_allclose(after, before, atol=1e-4)
