"""The detector's synthetic training scenes: the share with two-row plates."""

import numpy as np

from edge.metadata import InputSpec
from train.detector.data import _build_chunk

SPEC = InputSpec(height=96, width=160, colour="rgb", resize="letterbox")


def scene_boxes(two_row: float, count: int = 4) -> list[np.ndarray]:
    job = ("synth", [(i, None) for i in range(count)], SPEC.model_dump_json(), 3, 0, [], [], 0.0, two_row)
    return [boxes for _, boxes in _build_chunk(job)]


def test_two_row_scenes_carry_squarer_plates_and_the_one_row_mix_stays_wide():
    squarer = [b for boxes in scene_boxes(1.0) for b in boxes]
    assert squarer and all((b[2] - b[0]) / (b[3] - b[1]) < 2.6 for b in squarer)  # one-row EU plates: about 4.7
    one_row = scene_boxes(0.0)
    assert max((b[2] - b[0]) / (b[3] - b[1]) for boxes in one_row for b in boxes) > 2.6
