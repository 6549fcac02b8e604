"""The pure parts of ``svc-course autograde`` and of the class-level setup guard (their doctests and more)."""

from __future__ import annotations

import doctest
import os
import sys
from pathlib import Path

import nbformat
import pytest

from course.grading import setup_guard
from course.grading.parallel import plan, progress, run, worker


@pytest.mark.parametrize("module", [plan, progress, run, setup_guard, worker], ids=lambda m: m.__name__)
def test_doctests(module: object) -> None:
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0


def test_resume_state_survives_a_broken_file_and_is_written_whole(tmp_path: Path) -> None:
    path = plan.state_path(tmp_path, "06")
    assert plan.load_state(path) == {}
    path.parent.mkdir()
    path.write_text("{not json")
    assert plan.load_state(path) == {}  # everything is graded again, nothing fails
    plan.save_state(path, {"ana": plan.Graded("a" * 64, "b" * 64)})
    assert plan.load_state(path) == {"ana": plan.Graded("a" * 64, "b" * 64)}
    assert [p.name for p in path.parent.iterdir()] == ["06.json"]  # no temporary file left


def test_the_source_hash_changes_with_the_source_the_keys_and_the_config(tmp_path: Path) -> None:
    src, keys, conf = tmp_path / "src", tmp_path / "keys", tmp_path / "nbgrader_config.py"
    for folder in (src, keys):
        folder.mkdir()
    (src / "a.ipynb").write_text("1")
    (keys / "k.yml").write_text("x: 1")
    conf.write_text("c = 1")
    first = plan.source_hash(src, keys, conf)
    seen = {first}
    for path, text in ((src / "a.ipynb", "2"), (keys / "k.yml", "x: 2"), (conf, "c = 2")):
        path.write_text(text)
        seen.add(plan.source_hash(src, keys, conf))
    assert len(seen) == 4


def _graded(cells: list) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = cells
    return nb


def _check(text: str) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell("checks.number('x', x)")
    cell.metadata["nbgrader"] = {"grade": True, "solution": False, "grade_id": "c", "points": 1}
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=text)]
    return cell


def test_a_setup_failure_is_told_from_a_students_own_failure() -> None:
    none = "[WRONG] x: no answer named 'x' was reported: the answer cell did not define it\n"
    assert setup_guard.signature(_graded([_check(none), _check(none)])).startswith("no check received any answer")
    # one check that received an answer: the student's own work
    assert setup_guard.signature(_graded([_check(none), _check("[OK] y: right\n")])) is None
    # different first words: different signatures, so the guard does not count them together
    other = "[NOT RUN] This check did not run: the kernel stopped while running cell 4.\n"
    assert setup_guard.signature(_graded([_check(none)])) != setup_guard.signature(_graded([_check(other)]))
    g = setup_guard.Guard(first=3)
    assert [g.add(w, s) for w, s in (("a", "x"), ("b", "x"), ("c", "y"))] == [None, None, "ok"]


class _Terminal:
    def __init__(self) -> None:
        self.text = ""

    def isatty(self) -> bool:
        return True

    def write(self, text: str) -> None:
        self.text += text

    def flush(self) -> None:
        pass


def test_on_a_terminal_one_bar_is_redrawn_and_failures_stay_visible() -> None:
    from course.grading.parallel.worker import NotebookResult, Result

    term = _Terminal()
    bar = progress.Progress(2, term)
    bar.finished(Result("ana", "06", ok=True, notebooks=[NotebookResult("06", None, {}, {}, True, 5.0, 3, 4)]))
    bar.finished(Result("bo", "06", ok=False, reason="the worker died"))
    lines = term.text.split("\n")
    assert "bo/06: FAILED: the worker died" in lines[0]  # a failure gets its own line
    assert "1/2 graded, 1 failed" in lines[1]
    assert "\r\033[K[" in term.text and "notebooks/s" in term.text
    assert "ana/06: graded" not in term.text  # graded students only move the bar


def test_a_gradebook_error_is_not_logged_with_its_traceback_during_the_runs_writes(tmp_path: Path,
                                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """nbgrader logs a database error on tornado's application logger (printed by Dask) before raising it."""
    import logging

    from nbgrader.api import Gradebook, InvalidEntry

    from course.grading.parallel import merge

    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}:{os.environ['PATH']}")  # a new gradebook asks alembic
    seen: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record)

    logger = logging.getLogger("tornado.application")
    handler = Keep()
    logger.addHandler(handler)
    try:
        with Gradebook(f"sqlite:///{tmp_path / 'gradebook.db'}") as gb:
            gb.add_student("ana")
            with merge.errors_reported_once(), pytest.raises(InvalidEntry):
                gb.add_student("ana")  # the same id again: nbgrader logs, rolls back and raises
            assert seen == []
            with pytest.raises(InvalidEntry):  # control: without it, nbgrader's log record reaches the handler
                gb.add_student("ana")
            assert [r.getMessage().startswith("Rolling back session") for r in seen] == [True]
            logger.error("not from nbgrader")  # others' records pass
            with merge.errors_reported_once():
                logger.error("not from nbgrader either")
            assert len(seen) == 3
    finally:
        logger.removeHandler(handler)
