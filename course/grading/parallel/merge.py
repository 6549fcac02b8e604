"""The coordinating process's side: the private gradebook template, and the one writer of the real results.

Only this process writes the course's gradebook (SQLite or PostgreSQL, as
``nbgrader_config.py`` says) and its ``autograded/`` folder. For each graded
submission it writes exactly what a serial ``nbgrader autograde`` writes:
the submission (timestamp from ``timestamp.txt``), each notebook's late
penalty, each grade's autograded score and "needs manual grade" flag
(nbgrader's rule: a grade already marked by hand stays flagged for review),
each answer cell's automatic comment; manual scores and comments are kept.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import sqlite3
import tempfile
from pathlib import Path
from collections.abc import Iterator
from typing import Any

from .worker import Result


class _FromNbgraderApi(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not record.pathname.replace(os.sep, "/").endswith("/nbgrader/api.py")


@contextlib.contextmanager
def errors_reported_once() -> Iterator[None]:
    """Keep nbgrader's Gradebook from logging a database error with its traceback before it raises it.

    nbgrader logs it on tornado's application logger, which Dask prints; the run
    reports the error itself, in one line naming the gradebook and what to do.
    """
    logger = logging.getLogger("tornado.application")
    quiet = _FromNbgraderApi()
    logger.addFilter(quiet)
    try:
        yield
    finally:
        logger.removeFilter(quiet)


def template(db_url: str, course_id: str, assignment: str) -> bytes:
    """An SQLite gradebook holding only ``assignment``'s structure (notebooks and cells), as bytes."""
    from nbgrader.api import Gradebook

    folder = Path(tempfile.mkdtemp(prefix="svc-template-"))
    try:
        path = folder / "gradebook.db"
        _empty_like(db_url, path)
        with Gradebook(db_url, course_id) as src, Gradebook(f"sqlite:///{path}", course_id) as dst:
            a = src.find_assignment(assignment)
            dst.update_or_create_assignment(a.name, duedate=a.duedate)
            for nb in a.notebooks:
                dst.update_or_create_notebook(nb.name, a.name, kernelspec=nb.kernelspec)
                for c in nb.grade_cells:
                    dst.update_or_create_grade_cell(c.name, nb.name, a.name, max_score=c.max_score,
                                                    cell_type=c.cell_type)
                for c in nb.solution_cells:
                    dst.update_or_create_solution_cell(c.name, nb.name, a.name)
                for c in nb.task_cells:
                    dst.update_or_create_task_cell(c.name, nb.name, a.name, max_score=c.max_score,
                                                   cell_type=c.cell_type)
                for c in nb.source_cells:
                    dst.update_or_create_source_cell(c.name, nb.name, a.name, cell_type=c.cell_type,
                                                     locked=c.locked, source=c.source, checksum=c.checksum)
        with sqlite3.connect(path) as db:  # one self-contained file
            db.execute("PRAGMA journal_mode=DELETE")
        return path.read_bytes()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _empty_like(db_url: str, path: Path) -> None:
    """An empty SQLite gradebook with nbgrader's tables and the real gradebook's schema version.

    nbgrader would ask the ``alembic`` command for the version of a new
    gradebook (a subprocess, and the command must be on PATH); the real
    gradebook already records it.
    """
    import sqlalchemy
    from nbgrader.api import Base, Gradebook

    with Gradebook(db_url) as gb:
        version = gb.db.execute(sqlalchemy.text("SELECT version_num FROM alembic_version")).scalar()
    engine = sqlalchemy.create_engine(f"sqlite:///{path}")
    try:
        Base.metadata.create_all(bind=engine)
        with engine.begin() as db:
            db.execute(sqlalchemy.text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)"))
            db.execute(sqlalchemy.text("INSERT INTO alembic_version (version_num) VALUES (:v)"), {"v": version})
    finally:
        engine.dispose()


def students_and_submissions(db_url: str, course_id: str, assignment: str) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """(student id -> their row's fields, student id -> their submission's extension) of the real gradebook."""
    from nbgrader.api import Gradebook

    with Gradebook(db_url, course_id) as gb:
        students = {s.id: {"first_name": s.first_name, "last_name": s.last_name, "email": s.email,
                           "lms_user_id": s.lms_user_id} for s in gb.students}
        subs = {s.student.id: s.extension for s in gb.assignment_submissions(assignment)}
    return students, subs


def write_files(dest: Path, files: dict[str, tuple[bytes, int]]) -> None:
    """Replace the folder ``dest`` by ``files`` in one rename (a reader sees the old or the new folder)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    new = Path(tempfile.mkdtemp(prefix=f".{dest.name}.new-", dir=dest.parent))
    for rel, (content, mode) in files.items():
        path = new / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        os.chmod(path, mode)
    os.chmod(new, 0o755)
    old = dest.parent / f".{dest.name}.old-{os.getpid()}"
    if dest.exists():
        os.replace(dest, old)
    os.replace(new, dest)
    shutil.rmtree(old, ignore_errors=True)


def remove_graded_copy(dest: Path) -> None:
    """Remove a submission's graded folder (renamed away first, so no reader sees half of it)."""
    if dest.exists():
        old = dest.parent / f".{dest.name}.old-{os.getpid()}"
        os.replace(dest, old)
        shutil.rmtree(old, ignore_errors=True)


def commit(db_url: str, course_id: str, result: Result, *, create_student: bool) -> None:
    """Write one graded submission into the real gradebook, in one transaction."""
    from nbgrader.api import Comment, Grade, Gradebook, MissingEntry
    from sqlalchemy.orm import joinedload

    with Gradebook(db_url, course_id) as gb:
        if create_student:
            gb.update_or_create_student(result.student)
        else:
            try:
                gb.find_student(result.student)
            except MissingEntry:
                raise RuntimeError(f"No student with ID '{result.student}' exists in the database") from None
        kwargs = {"timestamp": result.timestamp} if result.timestamp is not None else {}
        gb.update_or_create_submission(result.assignment, result.student, **kwargs)
        for item in result.notebooks:
            nb = gb.find_submission_notebook(item.name, result.assignment, result.student)
            nb.late_submission_penalty = item.late_penalty
            # each grade's and comment's cell in the same query (one query per cell otherwise)
            grades = gb.db.query(Grade).options(joinedload(Grade.cell)).filter(Grade.notebook_id == nb.id).all()
            comments = gb.db.query(Comment).options(joinedload(Comment.cell)).filter(
                Comment.notebook_id == nb.id).all()
            for grade in grades:
                key = f"{grade.cell.type}:{grade.name}"
                if key not in item.grades:
                    continue
                auto, needs = item.grades[key]
                grade.auto_score = auto
                # nbgrader's SaveAutoGrades: a grade with a manual score stays flagged for review
                grade.needs_manual_grade = needs or (item.graded and grade.manual_score is not None)
            for comment in comments:
                key = f"{comment.cell.type}:{comment.name}"
                if key in item.comments:
                    comment.auto_comment = item.comments[key]
        gb.db.commit()


def flag_failed(db_url: str, course_id: str, student: str, assignment: str) -> None:
    """A submission whose grading failed: its previous grades, if any, are flagged as needing attention."""
    from nbgrader.api import Gradebook, MissingEntry

    from ..hooks import mark_in_progress

    try:
        with Gradebook(db_url, course_id) as gb:
            names = [n.name for n in gb.find_assignment(assignment).notebooks]
    except MissingEntry:
        return
    for name in names:
        mark_in_progress(db_url, student, assignment, name)
