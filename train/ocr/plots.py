"""Learning-curve and character-confusion PNGs for a training run."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np

from edge.text import ALPHABET
from train.metrics import confusion_pairs


def plot_history(history: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    epochs = [h["epoch"] for h in history]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.5))
    ax1.plot(epochs, [h["loss"] for h in history], label="train loss")
    ax1.plot(epochs, [h["val_loss"] for h in history], label="val loss")
    ax1.set_xlabel("epoch")
    ax1.legend()
    ax2.plot(epochs, [h["val_exact"] for h in history], label="val exact %")
    ax2.plot(epochs, [h["val_char"] for h in history], label="val char %")
    ax2.set_xlabel("epoch")
    ax2.set_ylim(0, 100)
    ax2.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def plot_confusion(pairs: Iterable[tuple[str, str]], path: Path) -> None:
    """Truth (rows) x read (columns) character counts, with a 'none' row/column for missing/extra."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = [*ALPHABET, "none"]
    index = {c: i for i, c in enumerate(ALPHABET)}
    matrix = np.zeros((len(labels), len(labels)), np.int64)
    for (truth, read), count in confusion_pairs(pairs).items():
        matrix[index.get(truth, len(ALPHABET)), index.get(read, len(ALPHABET))] += count
    off = matrix.copy()
    np.fill_diagonal(off, 0)
    fig, ax = plt.subplots(figsize=(9, 8))
    ax.imshow(np.log1p(off), cmap="Reds")
    ax.set_xticks(range(len(labels)), labels, fontsize=7)
    ax.set_yticks(range(len(labels)), labels, fontsize=7)
    ax.set_xlabel("read")
    ax.set_ylabel("truth")
    for (r, c), v in np.ndenumerate(off):
        if v:
            ax.text(c, r, str(v), ha="center", va="center", fontsize=5)
    ax.set_title("character confusions (errors only)")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
