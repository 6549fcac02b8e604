"""The learner's progress file: flashcard boxes and quiz attempts, kept as small JSON.

The file lives in the user's Jupyter data folder, never in the course folder
(``jupyter_data_dir()/svc-course/progress.json``); the environment variable
``SVC_COURSE_PROGRESS`` points elsewhere (tests use a temporary folder). Writes
are atomic: the new content goes to a temporary file in the same folder, is
flushed to disk and then replaces the old file with :func:`os.replace`, so a
crash never leaves half a file.

A file that cannot be read, is not JSON or has the wrong shape never stops a
widget: :func:`load` moves it aside to ``progress.json.corrupt-<timestamp>``
(nothing is lost), returns a fresh state and a message saying so.

Shape (version 1)::

    {"version": 1,
     "flashcards": {"session": 3, "boxes": {"incident": 2, ...}},
     "quizzes": [{"date": "2026-03-02T09:15:00+00:00", "mode": "exam", "score": 27,
                  "total": 40, "percent": 67.5, "passed": true, "wrong": ["q-..."]}, ...]}
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ENV_VAR = "SVC_COURSE_PROGRESS"
"""Environment variable naming the progress file to use instead of the default."""

VERSION = 1
MAX_ATTEMPTS = 200
"""Only the latest quiz attempts are kept, so the file stays small."""

_ATTEMPT_FIELDS: dict[str, tuple[type, ...]] = {
    "date": (str,),
    "mode": (str,),
    "score": (int,),
    "total": (int,),
    "percent": (int, float),
    "passed": (bool,),
    "wrong": (list,),
}


class ProgressError(ValueError):
    """A progress file whose content does not have the expected shape."""


@dataclass(frozen=True)
class LoadResult:
    """What :func:`load` found: the state, and a message when the file had to be set aside."""

    state: dict[str, Any]
    message: str | None = None
    kept_as: Path | None = None


def progress_path() -> Path:
    """The progress file: ``$SVC_COURSE_PROGRESS`` or ``jupyter_data_dir()/svc-course/progress.json``."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    from jupyter_core.paths import jupyter_data_dir

    return Path(jupyter_data_dir()) / "svc-course" / "progress.json"


def empty_state() -> dict[str, Any]:
    """A fresh state: no flashcard sessions, no quiz attempts.

    >>> empty_state()
    {'version': 1, 'flashcards': {'session': 0, 'boxes': {}}, 'quizzes': []}
    """
    return {"version": VERSION, "flashcards": {"session": 0, "boxes": {}}, "quizzes": []}


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def validate(data: Any) -> dict[str, Any]:
    """Return ``data`` if it has the progress file's shape; else raise ``ProgressError`` naming the field."""
    if not isinstance(data, dict):
        raise ProgressError(f"expected a JSON object at the top level, got {type(data).__name__}")
    if data.get("version") != VERSION:
        raise ProgressError(f"field 'version' must be {VERSION}, got {data.get('version')!r}")
    cards = data.get("flashcards")
    if not isinstance(cards, dict):
        raise ProgressError("field 'flashcards' must be an object")
    if not _is_int(cards.get("session")) or cards["session"] < 0:
        raise ProgressError(f"field 'flashcards.session' must be a whole number >= 0, got {cards.get('session')!r}")
    boxes = cards.get("boxes")
    if not isinstance(boxes, dict):
        raise ProgressError("field 'flashcards.boxes' must be an object")
    for term, box in boxes.items():
        if not _is_int(box) or not 1 <= box <= 5:
            raise ProgressError(f"field 'flashcards.boxes': term {term!r} has box {box!r}, expected 1 to 5")
    quizzes = data.get("quizzes")
    if not isinstance(quizzes, list):
        raise ProgressError("field 'quizzes' must be a list")
    for i, attempt in enumerate(quizzes):
        if not isinstance(attempt, dict):
            raise ProgressError(f"field 'quizzes' entry {i} must be an object")
        for name, kinds in _ATTEMPT_FIELDS.items():
            value = attempt.get(name)
            if not isinstance(value, kinds) or (kinds != (bool,) and isinstance(value, bool)):
                raise ProgressError(f"field 'quizzes' entry {i}: '{name}' is missing or has the wrong type")
    return data


def _set_aside(path: Path) -> Path | None:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
    try:
        os.replace(path, target)
    except OSError:
        return None
    return target


def load(path: Path | None = None) -> LoadResult:
    """Read the progress file; a missing file gives a fresh state, a bad one is set aside.

    >>> import tempfile, pathlib
    >>> load(pathlib.Path(tempfile.mkdtemp()) / "progress.json").state["quizzes"]
    []
    """
    path = Path(path) if path is not None else progress_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return LoadResult(empty_state())
    except (OSError, UnicodeDecodeError) as exc:
        reason = f"{type(exc).__name__}: {exc}"
    else:
        try:
            return LoadResult(validate(json.loads(text)))
        except json.JSONDecodeError as exc:
            reason = f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        except ProgressError as exc:
            reason = f"wrong shape: {exc}"
    kept = _set_aside(path)
    where = f"it was kept as {kept}" if kept else "it could not be moved aside and was left in place"
    message = f"Your progress file {path} could not be read ({reason}); {where}; starting fresh."
    return LoadResult(empty_state(), message, kept)


def save(state: dict[str, Any], path: Path | None = None) -> Path:
    """Validate ``state`` and write it atomically; return the file's path."""
    path = Path(path) if path is not None else progress_path()
    text = json.dumps(validate(state), indent=1, sort_keys=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return path


def update(change: Callable[[dict[str, Any]], None], path: Path | None = None) -> LoadResult:
    """Load the state, apply ``change`` to it in place, save it; return what was loaded (with any message)."""
    result = load(path)
    change(result.state)
    save(result.state, path)
    return result


def record_quiz_attempt(attempt: dict[str, Any], path: Path | None = None) -> LoadResult:
    """Append one quiz attempt (see :func:`course.practice.quiz.attempt_record`) and save."""

    def change(state: dict[str, Any]) -> None:
        state["quizzes"] = (state["quizzes"] + [attempt])[-MAX_ATTEMPTS:]

    return update(change, path)


def save_flashcards(cards: dict[str, Any], path: Path | None = None) -> LoadResult:
    """Store the flashcard state (``{"session": int, "boxes": {...}}``) and save."""

    def change(state: dict[str, Any]) -> None:
        state["flashcards"] = {"session": cards["session"], "boxes": dict(cards["boxes"])}

    return update(change, path)
