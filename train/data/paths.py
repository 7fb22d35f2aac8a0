"""Where the shared datasets live: ``--data-root`` flag, then ``$ANPR_DATA``, then ``../shared/data``."""

from __future__ import annotations

import os
from pathlib import Path

#: Environment variable that overrides the default data root.
DATA_ENV = "ANPR_DATA"
#: The project root (the folder holding ``pyproject.toml``).
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def data_root(explicit: str | Path | None = None) -> Path:
    """The folder holding the shared dataset folders (it may not exist; callers check)."""
    if explicit:
        return Path(explicit)
    if os.environ.get(DATA_ENV):
        return Path(os.environ[DATA_ENV])
    return PROJECT_ROOT.parent / "shared" / "data"


def source_dirs(root: Path) -> list[Path]:
    """Dataset folders (those holding an ``annotations.csv``) directly under ``root``, sorted."""
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if (p / "annotations.csv").is_file())
