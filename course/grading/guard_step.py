"""The class-level setup guard in ``nbgrader autograde`` (serial): gradebook writes held back until it decides.

:class:`GuardedGradebookWrites` takes the place of nbgrader's ``SaveAutoGrades``,
the course's ``FlagForAttention`` and nbgrader's ``AssignLatePenalties`` in the
autograde steps and runs them itself. For the first graded notebooks of a run it
asks :class:`course.grading.setup_guard.Guard` first: a notebook that shows a
setup-level failure is held back (its grades are not written) until the guard
decides. When a later notebook grades normally, the held ones are written as
usual; when the first :data:`~course.grading.setup_guard.FIRST` (or all, when the
run has fewer) fail the same way, the run stops with the guard's message and
the gradebook keeps its previous grades; what nbgrader itself wrote before the course's
steps (timestamps, zeros for a renamed notebook) is put back too
(:func:`remember_previous`, from the pre-convert hook). ``svc-course autograde`` applies the same
guard before it writes anything (:mod:`course.grading.parallel.run`).
"""

from __future__ import annotations

import copy
import os
import sys
from typing import Any

from nbconvert.exporters.exporter import ResourcesDict
from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import NbGraderPreprocessor

from .notes import who
from .setup_guard import BLANK, OFF_ENV, Guard, is_blank, signature

GUARD = Guard()
HELD: list[tuple[NotebookNode, dict[str, Any]]] = []
PREVIOUS: dict[tuple[str, str], tuple[str, dict[str, Any]]] = {}
"""(student, assignment) -> (gradebook URL, its grades before this run touched them), while undecided."""
_AT_EXIT = False


def remember_previous(db_url: str, student: str, assignment: str) -> None:
    """Before nbgrader touches a submission (pre-convert hook), keep its grades while the guard is undecided.

    nbgrader itself writes before any grading step: the new timestamp, and 0 for
    every notebook it finds no file for (a renamed one, graded later under its
    name). When the guard stops the run, :func:`restore_previous` puts back what
    was there.
    """
    if GUARD.verdict is not None or (student, assignment) in PREVIOUS:
        return
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(db_url) as gb:
        try:
            sub = gb.find_submission(assignment, student)
        except MissingEntry:
            return
        PREVIOUS[(student, assignment)] = (db_url, {
            "timestamp": sub.timestamp,
            "notebooks": {nb.name: (nb.late_submission_penalty,
                                    {g.cell_id: (g.auto_score, g.needs_manual_grade) for g in nb.grades},
                                    {c.cell_id: c.auto_comment for c in nb.comments}) for nb in sub.notebooks},
        })


def restore_previous() -> None:
    """Put back the grades :func:`remember_previous` kept (the run stopped on a setup problem)."""
    from nbgrader.api import Gradebook

    for (student, assignment), (db_url, before) in PREVIOUS.items():
        with Gradebook(db_url) as gb:
            sub = gb.find_submission(assignment, student)
            sub.timestamp = before["timestamp"]
            for nb in sub.notebooks:
                if nb.name not in before["notebooks"]:
                    continue
                penalty, grades, comments = before["notebooks"][nb.name]
                nb.late_submission_penalty = penalty
                for g in nb.grades:
                    if g.cell_id in grades:
                        g.auto_score, g.needs_manual_grade = grades[g.cell_id]
                for c in nb.comments:
                    if c.cell_id in comments:
                        c.auto_comment = comments[c.cell_id]
            gb.db.commit()
    PREVIOUS.clear()


class SetupProblem(SystemExit):
    """Stops ``nbgrader autograde``: nbgrader goes on after a submission's ``Exception``, not after this."""


def _stopped() -> None:
    """The guard stopped the run: previous grades back, and the summary says what was not written."""
    from .summary import RUN

    restore_previous()
    for who_, _ in GUARD.seen:
        RUN.add(who_, None, reason="not written: grading stopped on a setup problem (see above)")


def _report_at_exit() -> None:
    global _AT_EXIT
    if _AT_EXIT:
        return
    import atexit

    def decide() -> None:
        if HELD and GUARD.verdict is None and GUARD.finish() and GUARD.stopped:
            _stopped()
            print(f"nbgrader autograde: {GUARD.message()}", file=sys.stderr, flush=True)

    atexit.register(decide)
    _AT_EXIT = True


def decided_elsewhere() -> None:
    """Write every notebook's grades at once in this process: the caller applies the guard itself.

    A ``svc-course autograde`` worker grades into a private gradebook; its
    coordinator holds results back instead.
    """
    GUARD.verdict = "ok"


class GuardedGradebookWrites(NbGraderPreprocessor):
    """nbgrader's gradebook writes for one notebook, held back while the setup guard is undecided."""

    def _write(self, nb: NotebookNode, resources: ResourcesDict) -> tuple[NotebookNode, ResourcesDict]:
        from nbgrader.preprocessors import AssignLatePenalties, SaveAutoGrades

        from .hooks import FlagForAttention

        for step in (SaveAutoGrades(parent=self), FlagForAttention(parent=self), AssignLatePenalties(parent=self)):
            nb, resources = step(nb, resources)
        return nb, resources

    def preprocess(self, nb: NotebookNode, resources: ResourcesDict) -> tuple[NotebookNode, ResourcesDict]:
        if GUARD.verdict is None and os.environ.get(OFF_ENV) == "1":
            decided_elsewhere()
        if GUARD.verdict is not None:
            return self._write(nb, resources)
        sig = signature(nb, blank=is_blank(nb))
        verdict = GUARD.add(who(resources), sig)
        if GUARD.stopped:
            _stopped()
            self.log.error("%s", GUARD.message())
            raise SetupProblem(2)
        if verdict is None and sig != BLANK:
            HELD.append((copy.deepcopy(nb), {"nbgrader": dict(resources.get("nbgrader", {}))}))
            _report_at_exit()
            self.log.warning("%s: %s; its grades are written once the first submissions show that grading "
                             "is set up right", who(resources), sig)
            return nb, resources
        if verdict == "ok":
            for held_nb, held_resources in HELD:
                self._write(held_nb, held_resources)
            HELD.clear()
            PREVIOUS.clear()
        return self._write(nb, resources)
