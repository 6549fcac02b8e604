"""Which submissions a run grades: content hashes and the resume state (pure logic and small file I/O).

A submission is graded again when the hash of its submitted folder, or the hash
of the assignment's source folder (the source notebooks, the files copied beside
them) and of the answer keys, differs from the hashes recorded when it was last
graded (or of the course's ``nbgrader_config.py``), or when the gradebook has no row for it. The state is one JSON file per
assignment, written atomically by the coordinating process after the gradebook
has been committed: a run killed at any moment leaves either the old record
(graded again next time) or the new one (grades already committed).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

STATE_DIR = ".svc-autograde"


def folder_hash(folder: Path, *, ignore: tuple[str, ...] = (".ipynb_checkpoints", "__pycache__")) -> str:
    """SHA-256 over the relative names and contents of every file under ``folder`` (empty folder: a fixed value).

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> h0 = folder_hash(d); _ = (d / "a.txt").write_text("x"); h1 = folder_hash(d)
    >>> h0 != h1 and len(h1) == 64
    True
    """
    digest = hashlib.sha256()
    if folder.is_dir():
        for path in sorted(folder.rglob("*")):
            if any(part in ignore for part in path.relative_to(folder).parts) or not path.is_file():
                continue
            digest.update(str(path.relative_to(folder)).encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def source_hash(source_folder: Path, keys_folder: Path | None, config: Path | None = None) -> str:
    """The hash of what grading a submission depends on besides the submission.

    The assignment's source folder, the answer keys and the course's
    ``nbgrader_config.py`` (limits, late penalties...).
    """
    digest = hashlib.sha256(folder_hash(source_folder).encode())
    if keys_folder is not None and keys_folder.is_dir():
        digest.update(folder_hash(keys_folder).encode())
    if config is not None and config.is_file():
        digest.update(hashlib.sha256(config.read_bytes()).digest())
    return digest.hexdigest()


@dataclass(frozen=True)
class Graded:
    """What one submission was last graded from."""

    submission: str
    source: str


def state_path(root: Path, assignment: str) -> Path:
    """The resume state file of ``assignment`` in the course folder ``root``."""
    return root / STATE_DIR / f"{assignment}.json"


def load_state(path: Path) -> dict[str, Graded]:
    """Student id -> what their submission was last graded from (empty when there is no state yet).

    A state file that cannot be read is treated as empty (everything is graded
    again), never as an error: it only saves time.
    """
    try:
        raw = json.loads(path.read_text())
        return {s: Graded(v["submission"], v["source"]) for s, v in raw.get("graded", {}).items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def save_state(path: Path, state: dict[str, Graded]) -> None:
    """Write the state atomically (a temporary file renamed over the old one)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"graded": {s: {"submission": g.submission, "source": g.source} for s, g in sorted(state.items())}}
    fd, tmp = tempfile.mkstemp(prefix=".state-", dir=path.parent)
    with os.fdopen(fd, "w") as fh:
        json.dump(data, fh, indent=1)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def to_grade(hashes: dict[str, str], source: str, state: dict[str, Graded], in_gradebook: set[str],
             *, force: bool = False) -> list[str]:
    """The students (sorted) whose submission must be graded.

    ``hashes``: student -> hash of their submitted folder now; ``source``: the
    source hash now; ``in_gradebook``: students with a submission row in the gradebook.

    >>> st = {"ana": Graded("h1", "s"), "bo": Graded("h2", "s")}
    >>> to_grade({"ana": "h1", "bo": "h2x", "cy": "h3"}, "s", st, {"ana", "bo"})
    ['bo', 'cy']
    >>> to_grade({"ana": "h1"}, "s2", st, {"ana"}), to_grade({"ana": "h1"}, "s", st, set())
    (['ana'], ['ana'])
    >>> to_grade({"ana": "h1"}, "s", st, {"ana"}, force=True)
    ['ana']
    """
    out = []
    for student, digest in sorted(hashes.items()):
        last = state.get(student)
        if force or last is None or last != Graded(digest, source) or student not in in_gradebook:
            out.append(student)
    return out
