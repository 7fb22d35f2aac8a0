"""Epoch bookkeeping shared by the trainers: checkpoints, best model, early stopping, time budget.

The run folder keeps ``last.keras`` (resume point), ``best.keras`` and ``state.json`` (epoch,
best score, history, seconds of training), and with ``keep_epochs`` every epoch's ``epoch_NN.keras``.
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

log = logging.getLogger(__name__)


class EpochBookkeeper:
    def __init__(
        self,
        run_dir: Path,
        state: dict,
        best_key: str,
        patience: int,
        budget_minutes: float | None,
        keep_epochs: bool = False,
    ) -> None:
        self.run_dir, self.state, self.best_key = run_dir, state, best_key
        self.keep_epochs = keep_epochs
        self.patience, self.budget_minutes = patience, budget_minutes
        self.started = time.monotonic()

    @property
    def path(self) -> Path:
        return self.run_dir / "state.json"

    def save(self) -> None:
        self.path.write_text(json.dumps(self.state, indent=1))

    def end_epoch(self, model, epoch: int, score: float, tie_break: float | None = None, **best_extra) -> bool:
        """Record epoch ``epoch`` (0-based) with its validation ``score``; True when training should stop.

        An epoch that ties the best ``score`` but has a higher ``tie_break`` (the reader's character
        accuracy, while no plate is read whole yet) is an improvement too: early stopping must not end a
        CTC reader that is still leaving its all-blank plateau."""
        state = self.state
        state["epoch"] = epoch + 1
        best, best_tie = state[self.best_key], state.get(f"{self.best_key}_tie_break")
        tied_better = score == best and tie_break is not None and (best_tie is None or tie_break > best_tie)
        if score > best or tied_better:
            state.update({self.best_key: score, "best_epoch": epoch + 1, **best_extra})
            if tie_break is not None:
                state[f"{self.best_key}_tie_break"] = tie_break
            model.save(self.run_dir / "best.keras")
        model.save(self.run_dir / "last.keras")
        if self.keep_epochs:
            model.save(self.run_dir / f"epoch_{epoch + 1:02d}.keras")
        state["seconds"] += time.monotonic() - self.started
        self.started = time.monotonic()
        self.save()
        stale = state["epoch"] - max(0, state["best_epoch"])
        if stale >= self.patience:
            log.info("early stop: no better validation score for %d epochs", stale)
            return True
        if self.budget_minutes and state["seconds"] > self.budget_minutes * 60:
            log.info(
                "time budget of %.0f min reached after epoch %d; continue with --resume", self.budget_minutes, epoch + 1
            )
            return True
        return False
