"""Training batches made ahead by loader threads: the same batches whatever the threads' timing."""

import numpy as np
import pytest

from tests.conftest import noise_image
from train.ocr.config import OcrTrainConfig
from train.ocr.data import OcrCrop
from train.ocr.train import TrainingSequence


def _sequence(threads_seed=0):
    cfg = OcrTrainConfig(real_repeat=3, batch_size=4, loader_threads=2)
    real = [OcrCrop(noise_image(i, 50, 150), None, f"AB{i}123", "us_crops", "us_crops") for i in range(5)]
    synth = np.random.default_rng(1).integers(0, 255, (6, 48, 160, 1), dtype=np.uint8)
    return TrainingSequence(cfg, synth, [f"SY{i}NTH" for i in range(6)], real, epoch_seed=threads_seed)


def test_threaded_batches_do_not_depend_on_the_threads():
    one = list(_sequence().batches(1, seed=(0, 0)))
    three = list(_sequence().batches(3, seed=(0, 0)))
    assert len(one) == len(_sequence()) == 5
    for (x1, y1), (x3, y3) in zip(one, three):
        assert np.array_equal(x1, x3) and np.array_equal(y1, y3)
    other_epoch = list(_sequence().batches(3, seed=(0, 1)))
    assert any(not np.array_equal(a[0], b[0]) for a, b in zip(one, other_epoch))


def test_no_threads_is_the_sequential_stream():
    sequential = [_sequence().batch(i) for i in range(1)]  # one stream: batch 0 first
    fresh = _sequence()
    assert np.array_equal(next(iter(fresh.batches(0)))[0], sequential[0][0])
    assert OcrTrainConfig().loader_threads == 0


def test_stop_after_epoch_ends_the_run_early_and_resume_continues(tmp_path):
    pytest.importorskip("keras")
    from train.ocr.train import train_ocr

    cfg = OcrTrainConfig(
        synthetic_count=40, real_sources=[], epochs=4, batch_size=16, width_multiplier=0.25, stop_after_epoch=1
    )
    run, manifest = tmp_path / "run", tmp_path / "splits.json"
    state = train_ocr(cfg, run, tmp_path / "no-data", manifest)
    assert state["epoch"] == 1 and len(state["history"]) == 1
    state = train_ocr(cfg.model_copy(update={"stop_after_epoch": 2}), run, tmp_path / "no-data", manifest, resume=True)
    assert state["epoch"] == 2 and [r["epoch"] for r in state["history"]] == [1, 2]
    assert state["history"][1]["lr"] > 0.5 * cfg.learning_rate  # the schedule still spans 4 epochs
