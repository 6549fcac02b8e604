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

A file that cannot be *moved aside* is never overwritten either: saving then
fails with a message naming it, so an unreadable file is never replaced by a
fresh one. Concurrent updates (two notebooks open at once) are serialised with
an advisory lock on the file's folder, so one widget's save never drops
another's.

Shape (version 1; ``widgets`` and the flashcards' ``started`` and ``known``
were added later and are optional, so older files still load)::

    {"version": 1,
     "flashcards": {"session": 3, "boxes": {"incident": 2, ...},
                    "started": "2026-03-02", "known": ["incident"]},
     "quizzes": [{"date": "2026-03-02T09:15:00+00:00", "mode": "exam", "score": 27,
                  "total": 40, "percent": 67.5, "passed": true, "wrong": ["q-..."]}, ...],
     "widgets": {"mapper": {"shop-01": ["deliver and support"], ...},
                 "quiz": {"<quiz key>": {...the attempt in progress...}}, ...}}

``widgets`` keeps what a student did in a widget (the mapper's choices, a quiz
attempt in progress, ...) by widget kind and key, so that running the cell
again after a kernel restart shows it again. Its values are plain JSON checked
by the widget that reads them (a value it cannot use is ignored, never fatal).
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timezone
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
    """A fresh state: no flashcard sessions, no quiz attempts, no widget answers.

    >>> empty_state()
    {'version': 1, 'flashcards': {'session': 0, 'boxes': {}}, 'quizzes': [], 'widgets': {}}
    """
    return {"version": VERSION, "flashcards": {"session": 0, "boxes": {}}, "quizzes": [], "widgets": {}}


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
    started = cards.get("started")
    if started is not None and not _is_iso_date(started):
        raise ProgressError(f"field 'flashcards.started' must be a date YYYY-MM-DD, got {started!r}")
    known = cards.get("known", [])
    if not isinstance(known, list) or not all(isinstance(t, str) for t in known):
        raise ProgressError("field 'flashcards.known' must be a list of terms")
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
    stored = data.get("widgets", {})
    if not isinstance(stored, dict):
        raise ProgressError("field 'widgets' must be an object")
    for kind, entries in stored.items():
        if not isinstance(entries, dict):
            raise ProgressError(f"field 'widgets.{kind}' must be an object")
    data.setdefault("widgets", {})
    return data


def _is_iso_date(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10


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


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold an exclusive advisory lock on ``path``'s folder (no lock file is left behind)."""
    try:
        import fcntl
    except ImportError:  # not on POSIX: updates are not serialised
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path.parent, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def update(change: Callable[[dict[str, Any]], None], path: Path | None = None) -> LoadResult:
    """Load the state, apply ``change`` to it in place, save it; return what was loaded (with any message).

    Raises ``ProgressError`` (naming the file) instead of saving when the file
    could not be read and could not be moved aside either: saving would
    overwrite it, and the student's progress in it would be lost.
    """
    path = Path(path) if path is not None else progress_path()
    with _locked(path):
        result = load(path)
        if result.message and result.kept_as is None and path.exists():
            raise ProgressError(
                f"Your progress file {path} could not be read and could not be moved aside, so nothing was "
                "saved (saving would overwrite it). Move or repair that file, then try again."
            )
        change(result.state)
        save(result.state, path)
    return result


def record_quiz_attempt(attempt: dict[str, Any], path: Path | None = None) -> LoadResult:
    """Append one quiz attempt (see :func:`course.practice.quiz.attempt_record`) and save."""

    def change(state: dict[str, Any]) -> None:
        state["quizzes"] = (state["quizzes"] + [attempt])[-MAX_ATTEMPTS:]

    return update(change, path)


def save_flashcards(cards: dict[str, Any], path: Path | None = None, terms: Iterable[str] | None = None) -> LoadResult:
    """Store the flashcard state (``{"session": int, "boxes": {...}}``, optionally ``started``, ``known``) and save.

    With ``terms``, only those cards' boxes are written over the stored ones
    (the boxes another open deck saved in the meantime are kept).
    """

    def change(state: dict[str, Any]) -> None:
        boxes = dict(cards["boxes"])
        if terms is not None:
            merged = dict(state["flashcards"]["boxes"])
            merged.update({t: boxes[t] for t in terms if t in boxes})
            boxes = merged
        kept: dict[str, Any] = {"session": cards["session"], "boxes": boxes}
        if cards.get("started") is not None:
            kept["started"] = cards["started"]
        if cards.get("known"):
            kept["known"] = list(cards["known"])
        state["flashcards"] = kept

    return update(change, path)


def widget_state(state: dict[str, Any], kind: str) -> dict[str, Any]:
    """The stored entries of one widget ``kind`` in a loaded ``state`` (an empty dict when none).

    >>> widget_state({"widgets": {"mapper": {"A": ["plan"]}}}, "mapper")
    {'A': ['plan']}
    """
    entries = state.get("widgets", {}).get(kind, {})
    return entries if isinstance(entries, dict) else {}


def save_widget_state(kind: str, key: str, value: Any, path: Path | None = None) -> LoadResult:
    """Store ``value`` (plain JSON) for widget ``kind`` under ``key`` and save; ``None`` removes the entry."""
    json.dumps(value)  # refuse what JSON cannot hold before touching the file

    def change(state: dict[str, Any]) -> None:
        entries = state.setdefault("widgets", {}).setdefault(kind, {})
        if value is None:
            entries.pop(key, None)
        else:
            entries[key] = value

    return update(change, path)
