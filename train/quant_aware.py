"""Quantisation-aware fine-tuning: train against the int8 arithmetic the exporter will produce.

Post-training int8 rounds every activation to 256 levels and every weight to 255 per output
channel. A network picked for its float score can sit close to decision boundaries that this
rounding crosses (the shipped OCR lost about one point of exact plates this way). Fine-tuning with
the rounding in the forward pass and the gradient passed straight through (the straight-through
estimator) moves it away from them. Two parts, both free of TensorFlow-specific code:

- :func:`fake_quant_view`: the same layers (shared weights) with an :class:`ActivationFakeQuant`
  after every ReLU6 (fixed range [0, 6], which is what calibration finds for a saturating ReLU6)
  and after the named output layers (range measured on training batches, as calibration does).
- :class:`WeightRounding`: swaps the float kernels for their per-channel int8 grid values before
  a step and puts the float values back after it, carrying the step's update over (weights keep
  accumulating updates smaller than one int8 step). BatchNorm is frozen so that rounding the
  unfolded kernel per output channel is the same grid as rounding the folded one.
"""

from __future__ import annotations

import logging

import numpy as np

log = logging.getLogger(__name__)

WEIGHT_LEVELS = 127  # symmetric per-channel int8, as the TFLite converter quantises kernels
ACTIVATION_LEVELS = 255


def activation_fake_quant_layer():
    """The Keras layer class (built lazily so that importing this module does not import Keras)."""
    import keras
    from keras import ops

    @keras.saving.register_keras_serializable(package="anpr", name="ActivationFakeQuant")
    class ActivationFakeQuant(keras.layers.Layer):
        """Rounds to ``ACTIVATION_LEVELS`` steps of [low, high]; identity gradient inside the range."""

        def __init__(self, low: float = 0.0, high: float = 6.0, **kwargs) -> None:
            super().__init__(**kwargs)
            self.low_init, self.high_init = float(low), float(high)

        def build(self, input_shape) -> None:
            self.low = self.add_weight(
                shape=(), initializer=keras.initializers.Constant(self.low_init), trainable=False, name="low"
            )
            self.high = self.add_weight(
                shape=(), initializer=keras.initializers.Constant(self.high_init), trainable=False, name="high"
            )

        def call(self, x):
            low, high = self.low, self.high
            # the zero point is an integer, so 0 is exactly representable (as in TFLite)
            scale = (high - low) / ACTIVATION_LEVELS
            zero = ops.round(-low / scale)
            clipped = ops.clip(x, low, high)
            rounded = (ops.round(clipped / scale + zero) - zero) * scale
            return clipped + ops.stop_gradient(rounded - clipped)

        def get_config(self) -> dict:
            return {**super().get_config(), "low": self.low_init, "high": self.high_init}

    return ActivationFakeQuant


def fake_quant_view(model, measured_outputs: tuple[str, ...] = ("logits",)):
    """``model``'s layers (shared, not copied) with fake quantisation after each ReLU and ``measured_outputs``."""
    import keras

    fake_quant = activation_fake_quant_layer()

    def call(layer, *args, **kwargs):
        out = layer(*args, **kwargs)
        if isinstance(layer, keras.layers.ReLU):
            high = layer.max_value if layer.max_value is not None else 6.0
            return fake_quant(0.0, float(high), name=f"{layer.name}_fq")(out)
        if layer.name in measured_outputs:
            return fake_quant(-1.0, 1.0, name=f"{layer.name}_fq")(out)
        return out

    return keras.models.clone_model(model, clone_function=lambda layer: layer, call_function=call)


def measure_output_ranges(view, model, batches, measured_outputs: tuple[str, ...] = ("logits",)) -> dict:
    """Set each measured fake-quant layer's range to the min/max of its input over ``batches``
    (what the converter's calibration does) and return the ranges."""
    import keras

    probe = keras.Model(model.input, [model.get_layer(name).output for name in measured_outputs])
    low = {n: np.inf for n in measured_outputs}
    high = {n: -np.inf for n in measured_outputs}
    for x in batches:
        outs = probe.predict_on_batch(x)
        outs = outs if isinstance(outs, (list, tuple)) else [outs]
        for name, out in zip(measured_outputs, outs):
            low[name] = min(low[name], float(np.min(out)))
            high[name] = max(high[name], float(np.max(out)))
    ranges = {}
    for name in measured_outputs:
        lo, hi = min(low[name], 0.0), max(high[name], 0.0)  # the range always holds zero
        layer = view.get_layer(f"{name}_fq")
        layer.low.assign(lo)
        layer.high.assign(hi)
        ranges[name] = (lo, hi)
    return ranges


def quantisation_aware(model, measured_outputs: tuple[str, ...]):
    """Prepare ``model`` for quantisation-aware fine-tuning: BatchNorm frozen, and the fake-quant view
    to train and score plus the :class:`WeightRounding` context to wrap each step in."""
    frozen = freeze_batch_norm(model)
    view = fake_quant_view(model, measured_outputs)
    log.info("quantisation-aware: %d BatchNorm layers frozen, activations and kernels on the int8 grid", frozen)
    return view, WeightRounding(model)


def calibrate(view, model, batches, measured_outputs: tuple[str, ...]) -> None:
    """:func:`measure_output_ranges` on ``batches``, logged (once per epoch, as the inputs drift)."""
    ranges = measure_output_ranges(view, model, batches, measured_outputs)
    log.info("simulated int8 ranges: %s", ", ".join(f"{k} [{lo:.2f}, {hi:.2f}]" for k, (lo, hi) in ranges.items()))


def freeze_batch_norm(model) -> int:
    """Put every BatchNormalization in inference mode (statistics fixed); returns how many."""
    import keras

    count = 0
    for layer in model.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            layer.trainable = False
            count += 1
    return count


def round_per_channel(kernel: np.ndarray, channel_axis: int) -> np.ndarray:
    """Symmetric int8 grid values of ``kernel``, one scale per index of ``channel_axis``."""
    axes = tuple(a for a in range(kernel.ndim) if a != channel_axis % kernel.ndim)
    peak = np.max(np.abs(kernel), axis=axes, keepdims=True)
    scale = np.where(peak > 0, peak / WEIGHT_LEVELS, 1.0)
    return (np.round(kernel / scale) * scale).astype(kernel.dtype)


def _channel_axis(layer) -> int | None:
    import keras

    if isinstance(layer, keras.layers.DepthwiseConv2D):
        return 2  # (kh, kw, channels, multiplier): TFLite's per-channel axis is the channel
    if isinstance(layer, (keras.layers.Conv2D, keras.layers.Dense)):
        return -1  # (..., out)
    return None


class WeightRounding:
    """Context for one training step: kernels on the int8 grid inside, float kernels (plus the
    step's update) after. Also used around evaluation, without an update, to score the int8 view."""

    def __init__(self, model) -> None:
        self.kernels = [(layer.kernel, axis) for layer in model.layers if (axis := _channel_axis(layer)) is not None]
        self._float: list[np.ndarray] = []
        self._rounded: list[np.ndarray] = []

    def __enter__(self) -> WeightRounding:
        self._float = [np.asarray(var.numpy()) for var, _ in self.kernels]
        self._rounded = [round_per_channel(w, axis) for w, (_, axis) in zip(self._float, self.kernels)]
        for (var, _), rounded in zip(self.kernels, self._rounded):
            var.assign(rounded)
        return self

    def __exit__(self, *exc) -> None:
        for (var, _), w, rounded in zip(self.kernels, self._float, self._rounded):
            update = np.asarray(var.numpy()) - rounded
            var.assign(w + update)
