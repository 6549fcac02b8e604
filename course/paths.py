"""Where the course's files are, from a clone, an installed wheel or any folder."""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def data_dir() -> Path:
    """Return the folder holding the data sets and content banks.

    Looked up in this order: the ``SVC_COURSE_DATA`` environment variable; the
    copy shipped inside an installed wheel (``course/_data``); the ``data/``
    folder of a clone (next to the package). Raises ``FileNotFoundError`` saying
    where it looked when none exists.
    """
    candidates = []
    env = os.environ.get("SVC_COURSE_DATA")
    if env:
        candidates.append(Path(env))
    candidates += [_PACKAGE_DIR / "_data", _PACKAGE_DIR.parent / "data"]
    for path in candidates:
        if path.is_dir():
            return path
    raise FileNotFoundError(
        "course data folder not found; looked in: " + ", ".join(str(p) for p in candidates)
    )


def repo_root() -> Path | None:
    """Return the clone's root folder (holding ``nbgrader_config.py``), or None."""
    root = _PACKAGE_DIR.parent
    return root if (root / "nbgrader_config.py").is_file() else None
