"""How ``nbgrader autograde`` finds and flags a submission's notebooks: its pre-convert hook and friends.

* :func:`resolve_submitted_notebooks` (``c.Autograde.pre_convert_hook``) runs
  for each submission before nbgrader looks at its files. It applies
  :func:`course.grading.submissions.plan` (renamed notebooks from an LMS) by
  changing nbgrader's list of the submission's notebooks in place: a renamed
  file is listed under the expected notebook's path, and
  :class:`course.grading.exporter.SafeNotebookExporter` reads it from where it
  really is (``submitted/`` is never changed).
* :class:`FlagForAttention` (after nbgrader's ``SaveAutoGrades``) marks every
  grade of a notebook that could not be matched to a submitted file as needing
  the instructor's attention (formgrader's "needs manual grade"), so it is
  never exported as a final 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from nbconvert.exporters.exporter import ResourcesDict
from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import NbGraderPreprocessor

from .submissions import plan

@dataclass(frozen=True)
class StandIn:
    """A notebook path nbgrader is given that stands for another file (or for no file)."""

    real: str | None  # the submitted file graded under this name; None: graded as unanswered
    note: str
    attention: bool


STAND_INS: dict[str, StandIn] = {}
"""Listed path -> what it stands for, for this process's grading run."""

ATTENTION: set[tuple[str, str, str]] = set()
"""(student, assignment, notebook) whose grades need the instructor's attention."""

MESSAGES: dict[tuple[str, str], list[str]] = {}
"""(student, assignment) -> what the instructor is told about its files, logged by the exporter
(nbgrader's own log, which formgrader shows after Autograde) when it reads the submission."""


def resolve_submitted_notebooks(assignment: str, student: str, notebooks: list[str], **_: object) -> None:
    """nbgrader pre-convert hook: grade renamed notebooks as the ones they stand for.

    nbgrader passes its command-line ids (``*``) and the list of the
    submission's notebook paths it is about to grade; the paths say whose files
    these are. The list is changed in place.
    """
    if not notebooks:
        return
    first = Path(notebooks[0])
    student, assignment = first.parts[-3], first.parts[-2]
    folder = first.parent
    # the course folder: nbgrader works in it; submitted/<student>/<assignment>/ is three levels below it
    roots = [Path.cwd(), *first.parents[3:4]]
    _remember_previous(first.parents[3], student, assignment)
    source = next((r / "source" / assignment for r in roots if (r / "source" / assignment).is_dir()), None)
    expected = sorted(p.name for p in source.glob("*.ipynb")) if source else []
    if not expected:
        return
    decided = plan(expected, sorted(Path(n).name for n in notebooks))
    if decided.log:
        MESSAGES[(student, assignment)] = list(decided.log)
    if not decided.graded_as:
        return
    keep = [n for n in notebooks if Path(n).name in expected]
    for name, real in decided.graded_as.items():
        stand_in = str(folder / name)
        STAND_INS[stand_in] = StandIn(str(folder / real) if real else None, decided.notes[name],
                                      name in decided.attention)
        if name in decided.attention:
            ATTENTION.add((student, assignment, name[: -len(".ipynb")]))
        keep.append(stand_in)
    notebooks[:] = sorted(keep)


def _remember_previous(root: Path, student: str, assignment: str) -> None:
    """The setup guard's copy of this submission's grades, before nbgrader writes anything for it."""
    from .guard_step import GUARD, remember_previous

    if GUARD.verdict is None and (root / "nbgrader_config.py").is_file():
        from .gradebook import db_url

        remember_previous(db_url(root), student, assignment)


class FlagForAttention(NbGraderPreprocessor):
    """Mark the grades of a notebook that needs the instructor's attention as needing manual grading."""

    def preprocess(self, nb: NotebookNode, resources: ResourcesDict) -> tuple[NotebookNode, ResourcesDict]:
        info = resources.get("nbgrader", {})
        key = (info.get("student"), info.get("assignment"), info.get("notebook"))
        if key in ATTENTION:
            from nbgrader.api import Gradebook

            with Gradebook(info["db_url"]) as gb:
                notebook = gb.find_submission_notebook(key[2], key[1], key[0])
                for grade in notebook.grades:
                    grade.needs_manual_grade = True
                gb.db.commit()
            self.log.warning("%s/%s/%s: flagged as needing attention in formgrader and the export", *key)
        return nb, resources


def mark_in_progress(db_url: str, student: str, assignment: str, notebook: str) -> None:
    """Flag a notebook's existing grades until this grading run records new ones.

    nbgrader has already recorded the new submission time; if grading this
    notebook then fails, its old scores stay in the gradebook. Flagged, they
    show as needing attention in formgrader and the export rather than as the
    new submission's grade. nbgrader's ``SaveAutoGrades`` clears the flag of
    every autograded cell it grades.
    """
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(db_url) as gb:
        try:
            found = gb.find_submission_notebook(notebook, assignment, student)
        except MissingEntry:
            return
        for grade in found.grades:
            grade.needs_manual_grade = True
        gb.db.commit()


def stand_in_for(path: str) -> StandIn | None:
    """What a listed notebook path stands for, if anything."""
    return STAND_INS.get(str(path))


def messages_for(student: str, assignment: str) -> list[str]:
    """What the instructor is to be told about a submission's files (once: the list is emptied)."""
    return MESSAGES.pop((student, assignment), [])
