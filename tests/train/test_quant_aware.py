"""Quantisation-aware fine-tuning: the int8 grid on hand-made kernels, the fake-quant layer, the
weight swap carrying updates over, and a tiny quantisation-aware fine-tune from a trained reader."""

import json

import numpy as np
import pytest

pytest.importorskip("keras")

from edge.cli.main import main
from train.quant_aware import (
    ACTIVATION_LEVELS,
    WeightRounding,
    activation_fake_quant_layer,
    fake_quant_view,
    freeze_batch_norm,
    round_per_channel,
)


def test_round_per_channel_on_hand_made_kernel():
    kernel = np.array([[1.0, 0.5], [-0.25, -2.0], [0.3, 0.01]], np.float32)  # (in=3, out=2)
    rounded = round_per_channel(kernel, -1)
    # channel 0: peak 1.0 -> step 1/127; channel 1: peak 2.0 -> step 2/127
    expected = np.array(
        [
            [127 / 127, 32 * 2 / 127],
            [-32 / 127, -127 * 2 / 127],
            [38 / 127, 1 * 2 / 127],
        ],
        np.float32,
    )
    np.testing.assert_allclose(rounded, expected, rtol=1e-6)
    # a channel of zeros stays zero (no division by zero)
    assert np.all(round_per_channel(np.zeros((3, 3, 4, 1), np.float32), 2) == 0)


def test_depthwise_kernels_round_per_channel_axis_two():
    kernel = np.zeros((3, 3, 2, 1), np.float32)
    kernel[..., 0, 0] = 0.1
    kernel[0, 0, 0, 0] = 1.0
    kernel[..., 1, 0] = 0.1  # a channel with a small peak keeps a fine step
    rounded = round_per_channel(kernel, 2)
    np.testing.assert_allclose(rounded[1, 1, 1, 0], 0.1, rtol=1e-6)
    np.testing.assert_allclose(rounded[1, 1, 0, 0], 13 / 127, rtol=1e-6)


def test_activation_fake_quant_rounds_to_the_grid_and_keeps_zero():
    layer = activation_fake_quant_layer()(-2.0, 6.0)
    x = np.linspace(-3.0, 7.0, 1001, dtype=np.float32)[None]
    y = np.asarray(layer(x))
    scale = 8.0 / ACTIVATION_LEVELS
    zero = round(2.0 / scale)
    assert y.min() >= -zero * scale - 1e-6 and y.max() <= 6.0 + scale  # clipped to the range
    assert len(np.unique(np.round(y / scale, 3))) <= ACTIVATION_LEVELS + 1
    np.testing.assert_allclose(y / scale, np.round(y / scale), atol=1e-3)  # on the grid
    assert np.asarray(layer(np.zeros((1, 3), np.float32))).tolist() == [[0.0, 0.0, 0.0]]


def test_view_shares_weights_and_weight_rounding_carries_updates():
    import keras

    inputs = keras.Input((8, 8, 1))
    x = keras.layers.Conv2D(4, 3, padding="same", use_bias=False, name="conv")(inputs)
    x = keras.layers.BatchNormalization(name="bn")(x)
    x = keras.layers.ReLU(max_value=6.0, name="relu")(x)
    x = keras.layers.Conv2D(3, 1, name="logits")(x)
    model = keras.Model(inputs, x)
    assert freeze_batch_norm(model) == 1 and not model.get_layer("bn").trainable
    view = fake_quant_view(model)
    assert {"relu_fq", "logits_fq"} <= {layer.name for layer in view.layers}
    assert view.get_layer("conv") is model.get_layer("conv")

    kernel = model.get_layer("conv").kernel
    before = np.asarray(kernel.numpy()).copy()
    rounding = WeightRounding(model)
    with rounding:
        inside = np.asarray(kernel.numpy())
        np.testing.assert_allclose(inside, round_per_channel(before, -1))
        kernel.assign(inside + 0.001)  # what an optimizer step would do to the rounded kernel
    np.testing.assert_allclose(np.asarray(kernel.numpy()), before + 0.001, rtol=1e-5, atol=1e-7)


def test_quantisation_aware_fine_tune_from_a_trained_reader(tmp_path):
    base = tmp_path / "base.yaml"
    base.write_text(
        "name: ocr\nsynthetic_count: 64\nreal_sources: []\nepochs: 1\nbatch_size: 16\nwidth_multiplier: 0.25\n"
    )
    assert main(["train", "ocr", "--config", str(base), "--run-dir", str(tmp_path / "base")]) == 0
    qat = tmp_path / "qat.yaml"
    qat.write_text(base.read_text() + f"init_from: {tmp_path / 'base' / 'best.keras'}\nquantisation_aware: true\n")
    run = tmp_path / "qat"
    models = tmp_path / "models"
    assert main(["train", "ocr", "--config", str(qat), "--run-dir", str(run), "--ship", "--models", str(models)]) == 0
    state = json.loads((run / "state.json").read_text())
    record = state["history"][0]
    assert {"val_exact", "val_exact_float"} <= set(record)
    card = json.loads((models / "ocr.json").read_text())
    assert card["training"]["config"]["quantisation_aware"] is True
    # the shipped model is the plain network: no fake-quant layers
    import keras

    shipped = keras.models.load_model(models / "ocr.keras", compile=False)
    assert not any(layer.name.endswith("_fq") for layer in shipped.layers)
