"""Widening a trained network: exact slices on hand-made kernels, and a reader widened 0.5x -> 1x that
computes exactly what it did before; a network whose channels cannot be widened is refused."""

import numpy as np
import pytest

pytest.importorskip("keras")

from edge.metadata import InputSpec
from edge.text import ALPHABET
from train.ocr.model import build_ocr_model
from train.widen import carry_weights, widen_weight

SPEC = InputSpec(height=16, width=32, colour="grey")


def test_widen_conv_kernel_zeroes_the_rows_of_new_inputs():
    old = np.arange(6, dtype=np.float32).reshape(1, 1, 2, 3) + 1  # (kh, kw, in=2, out=3)
    new = np.full((1, 1, 3, 4), 9.0, np.float32)
    out = widen_weight(old, new, zero_new_inputs=True)
    np.testing.assert_array_equal(out[:, :, :2, :3], old)
    np.testing.assert_array_equal(out[:, :, 2, :], 0.0)  # the new input channel is read by no one yet
    np.testing.assert_array_equal(out[:, :, :2, 3], 9.0)  # the new output channel keeps its own init


def test_widen_depthwise_and_vectors_keep_the_new_channels_init():
    old = np.ones((3, 3, 2, 1), np.float32)
    out = widen_weight(old, np.full((3, 3, 4, 1), 5.0, np.float32), zero_new_inputs=False)
    np.testing.assert_array_equal(out[:, :, :2], 1.0)
    np.testing.assert_array_equal(out[:, :, 2:], 5.0)
    gamma = widen_weight(np.array([2.0, 3.0], np.float32), np.ones(4, np.float32), zero_new_inputs=False)
    np.testing.assert_array_equal(gamma, [2.0, 3.0, 1.0, 1.0])
    assert widen_weight(old, old, zero_new_inputs=True) is not old  # same shape: a copy


def test_a_weight_cannot_shrink():
    with pytest.raises(ValueError, match="cannot carry"):
        widen_weight(np.ones((1, 1, 4, 4), np.float32), np.ones((1, 1, 2, 4), np.float32), True)


def _trained_like(model):
    """Random (non-default) weights everywhere, BatchNorm statistics included, as after training."""
    rng = np.random.default_rng(1)
    model.set_weights([rng.uniform(0.5, 1.5, w.shape).astype(np.float32) for w in model.get_weights()])
    return model


def test_widened_reader_reads_exactly_as_before():
    narrow = _trained_like(build_ocr_model(SPEC, len(ALPHABET) + 1, width=0.5))
    wide = build_ocr_model(SPEC, len(ALPHABET) + 1, width=1.0)
    carry_weights(narrow, wide)  # checks the outputs itself; checked again here
    probe = np.random.default_rng(2).random((3, *SPEC.shape), dtype=np.float32)
    np.testing.assert_allclose(wide.predict_on_batch(probe), narrow.predict_on_batch(probe), atol=1e-5)
    assert wide.count_params() > narrow.count_params()


def test_a_head_that_flattens_channels_is_refused():
    narrow = _trained_like(build_ocr_model(SPEC, len(ALPHABET) + 1, width=0.5, head="slots", slots=4))
    wide = build_ocr_model(SPEC, len(ALPHABET) + 1, width=1.0, head="slots", slots=4)
    with pytest.raises(ValueError, match="does not reproduce"):
        carry_weights(narrow, wide)


def test_another_architecture_is_named():
    ctc = build_ocr_model(SPEC, len(ALPHABET) + 1, width=0.5)
    slots = build_ocr_model(SPEC, len(ALPHABET) + 1, width=0.5, head="slots", slots=4)
    with pytest.raises(ValueError, match="layer 'slot_reduce_conv'"):
        carry_weights(ctc, slots)
