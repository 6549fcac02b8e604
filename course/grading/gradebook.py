"""The course's nbgrader gradebook: where it is, and the scores the report and the export read.

The database URL comes from the course's own nbgrader configuration
(``nbgrader_config.py``; ``c.CourseDirectory.db_url`` may point to SQLite or
PostgreSQL), so ``svc-course report`` and ``svc-course export`` read the same
gradebook as ``nbgrader autograde`` and formgrader.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any


class NoGradebook(FileNotFoundError):
    """The course has no gradebook yet (nothing generated or graded)."""


def db_url(root: Path) -> str:
    """The gradebook URL of the course folder ``root``, as nbgrader itself computes it."""
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config.loader import PyFileConfigLoader

    cfg = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
    cfg.CourseDirectory.root = str(root)
    return str(CourseDirectory(config=cfg).db_url)


def exchange_outbound(root: Path) -> Path | None:
    """The exchange's outbound folder of the course (where ``nbgrader release_assignment`` puts assignments)."""
    try:
        from nbgrader.coursedir import CourseDirectory
        from traitlets.config.loader import PyFileConfigLoader

        cfg = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
        course_id = str(cfg.CourseDirectory.course_id or CourseDirectory(config=cfg).course_id)
        exchange = cfg.Exchange.root if "root" in cfg.Exchange else "/srv/nbgrader/exchange"
        return Path(str(exchange)) / course_id / "outbound"
    except Exception:  # no exchange configured: nothing was released through it
        return None


def open_gradebook(root: Path) -> Any:
    """Open the course's gradebook; :class:`NoGradebook` names the URL when there is none.

    A SQLite file that does not exist is not created (nbgrader would create an
    empty one): it raises instead.
    """
    from nbgrader.api import Gradebook

    url = db_url(root)
    if url.startswith("sqlite:///"):
        path = Path(url[len("sqlite:///"):])
        if not path.is_file():
            raise NoGradebook(f"no gradebook at {path} (from {root / 'nbgrader_config.py'}); "
                              "run `nbgrader generate_assignment` and `nbgrader autograde` first")
    try:
        return Gradebook(url)
    except Exception as exc:
        raise NoGradebook(f"cannot open the gradebook {url}: {str(exc).splitlines()[0][:200]}") from exc


@dataclass(frozen=True)
class CellScore:
    """One graded cell of one student's submission."""

    student: str
    notebook: str
    grade_id: str
    cell_type: str
    auto_score: float | None
    manual_score: float | None
    max_score: float
    needs_manual_grade: bool


def cell_scores(root: Path, assignment: str) -> list[CellScore] | None:
    """Every graded cell's score of ``assignment`` in the gradebook (None when there is no gradebook)."""
    try:
        gb = open_gradebook(root)
    except NoGradebook:
        return None
    out: list[CellScore] = []
    with gb:
        try:
            gb.find_assignment(assignment)
        except Exception:
            return None
        for sub in gb.assignment_submissions(assignment):
            for nb in sub.notebooks:
                for grade in nb.grades:
                    out.append(CellScore(
                        student=sub.student_id, notebook=nb.name, grade_id=grade.name,
                        cell_type=grade.cell.cell_type,
                        auto_score=None if grade.auto_score is None else float(grade.auto_score),
                        manual_score=None if grade.manual_score is None else float(grade.manual_score),
                        max_score=float(grade.max_score), needs_manual_grade=bool(grade.needs_manual_grade),
                    ))
    return out
