"""Carry a trained network's weights into one built with more channels (or another input size).

Function-preserving widening (Net2Net's idea with zeros instead of copies): every layer of the
wider network takes the trained weights in its leading channels; a new channel keeps its random
incoming weights but starts with zero weight on every connection *out* of it, so at the start the
wider network computes exactly what the trained one did, and training grows the new channels from
there. Layers are matched by name; the result is checked on a random input.
"""

from __future__ import annotations

import logging

import numpy as np

log = logging.getLogger(__name__)

#: Largest output difference accepted after carrying weights (float32 round-off only).
PRESERVE_TOLERANCE = 1e-4


def widen_weight(old: np.ndarray, new: np.ndarray, zero_new_inputs: bool) -> np.ndarray:
    """``new`` with ``old`` in its leading slice.

    ``zero_new_inputs``: the weight is a kernel whose second-to-last axis counts input channels
    (Conv2D, Dense): the rows that read a new input channel are zeroed, so new channels add
    nothing to the existing outputs until training moves them.
    """
    if old.shape == new.shape:
        return old.copy()
    if old.ndim != new.ndim or any(o > n for o, n in zip(old.shape, new.shape)):
        raise ValueError(f"cannot carry a weight of shape {old.shape} into {new.shape}")
    out = np.array(new, copy=True)
    if zero_new_inputs and new.ndim >= 2:
        out[..., old.shape[-2] :, :] = 0.0
    out[tuple(slice(0, n) for n in old.shape)] = old
    return out


def carry_weights(source, target) -> None:
    """Fill ``target`` (a Keras model) from ``source``, layer by layer (same names, same weight count).

    Raises ``ValueError`` naming the first layer that cannot be carried, or when the widened network
    does not reproduce the source's outputs (for example a Flatten before a Dense mixes channels
    with positions, which leading-slice widening cannot preserve).
    """
    from keras import layers

    by_name = {layer.name: layer for layer in source.layers}
    widened = 0
    for layer in target.layers:
        mine = layer.get_weights()
        if not mine:
            continue
        other = by_name.get(layer.name)
        theirs = other.get_weights() if other is not None else []
        if len(theirs) != len(mine):
            raise ValueError(f"layer {layer.name!r} has no counterpart with the same weights in the source model")
        # Conv2D and Dense kernels read input channels on their second-to-last axis; DepthwiseConv2D
        # (not a Conv2D subclass in Keras 3) filters each channel on its own
        zero_inputs = isinstance(layer, (layers.Conv2D, layers.Dense))
        try:
            carried = [widen_weight(o, n, zero_inputs) for o, n in zip(theirs, mine)]
        except ValueError as error:
            raise ValueError(f"layer {layer.name!r}: {error}") from None
        widened += any(o.shape != n.shape for o, n in zip(theirs, mine))
        layer.set_weights(carried)
    if widened:
        _check_preserved(source, target)
        log.info("weights carried into a wider network: %d layers widened, outputs unchanged", widened)


def _check_preserved(source, target) -> None:
    shape = tuple(source.input_shape[1:])
    if shape != tuple(target.input_shape[1:]):
        raise ValueError(
            f"widening needs the same input size ({shape} -> {tuple(target.input_shape[1:])}): "
            "widen first, then change the input size in a second run"
        )
    probe = np.random.default_rng(0).random((2, *shape), dtype=np.float32)
    before, after = source.predict_on_batch(probe), target.predict_on_batch(probe)
    if not isinstance(before, (list, tuple)):  # one output, or several (the detector's three heads)
        before, after = [before], [after]
    worst = max(float(np.max(np.abs(np.asarray(b) - np.asarray(a)))) for b, a in zip(before, after, strict=True))
    if worst > PRESERVE_TOLERANCE:
        raise ValueError(f"the widened network does not reproduce the source (outputs differ by up to {worst:.3g})")
