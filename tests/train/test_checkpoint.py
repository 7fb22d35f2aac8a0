"""Epoch bookkeeping: best model, early stopping and the tie-break that keeps a CTC reader training."""

from __future__ import annotations

from pathlib import Path

from train.checkpoint import EpochBookkeeper


class FakeModel:
    """Records where it was saved (the bookkeeper only calls ``save``)."""

    def __init__(self) -> None:
        self.saved: list[str] = []

    def save(self, path: Path) -> None:
        self.saved.append(Path(path).name)


def _keeper(tmp_path: Path, patience: int) -> EpochBookkeeper:
    state = {"epoch": 0, "best_exact": -1.0, "best_epoch": -1, "history": [], "seconds": 0.0}
    return EpochBookkeeper(tmp_path, state, "best_exact", patience, None)


def test_stops_after_patience_epochs_without_a_better_score(tmp_path: Path) -> None:
    keeper, model = _keeper(tmp_path, patience=2), FakeModel()
    assert not keeper.end_epoch(model, 0, 10.0)
    assert not keeper.end_epoch(model, 1, 9.0)
    assert keeper.end_epoch(model, 2, 10.0)
    assert keeper.state["best_epoch"] == 1
    assert model.saved.count("best.keras") == 1


def test_a_tie_with_a_better_tie_break_counts_as_progress(tmp_path: Path) -> None:
    keeper, model = _keeper(tmp_path, patience=2), FakeModel()
    for epoch, char_accuracy in enumerate([0.0, 0.0, 8.0, 12.0, 15.0]):
        assert not keeper.end_epoch(model, epoch, 0.0, tie_break=char_accuracy)
    assert keeper.state["best_epoch"] == 5
    assert keeper.state["best_exact_tie_break"] == 15.0
    # a higher score wins whatever its tie-break
    assert not keeper.end_epoch(model, 5, 1.0, tie_break=2.0)
    assert keeper.state["best_epoch"] == 6
    assert not keeper.end_epoch(model, 6, 1.0, tie_break=1.0)
    assert keeper.end_epoch(model, 7, 0.5, tie_break=50.0)
    assert keeper.state["best_epoch"] == 6


def test_keep_epochs_saves_every_epoch_under_its_number(tmp_path: Path) -> None:
    state = {"epoch": 0, "best_exact": -1.0, "best_epoch": -1, "history": [], "seconds": 0.0}
    keeper, model = EpochBookkeeper(tmp_path, state, "best_exact", 5, None, keep_epochs=True), FakeModel()
    for epoch, score in enumerate([3.0, 1.0, 2.0]):
        keeper.end_epoch(model, epoch, score)
    assert [n for n in model.saved if n.startswith("epoch_")] == ["epoch_01.keras", "epoch_02.keras", "epoch_03.keras"]
    plain = FakeModel()
    _keeper(tmp_path, patience=5).end_epoch(plain, 0, 1.0)
    assert sorted(plain.saved) == ["best.keras", "last.keras"]
