"""The class-level setup guard in ``nbgrader autograde`` (serial): gradebook writes held back until it decides.

:class:`GuardedGradebookWrites` takes the place of nbgrader's ``SaveAutoGrades``,
the course's ``FlagForAttention`` and nbgrader's ``AssignLatePenalties`` in the
autograde steps and runs them itself. For the first graded notebooks of a run it
asks :class:`course.grading.setup_guard.Guard` first: a notebook that shows a
setup-level failure is held back (its grades are not written) until the guard
decides. When a later notebook grades normally, the held ones are written as
usual; when the first :data:`~course.grading.setup_guard.FIRST` (or all, when the
run has fewer) fail the same way, the run stops with the guard's message and
the gradebook keeps its previous grades (flagged as needing attention, as for
any regrade that did not complete). ``svc-course autograde`` applies the same
guard before it writes anything (:mod:`course.grading.parallel.run`).
"""

from __future__ import annotations

import copy
import sys
from typing import Any

from nbconvert.exporters.exporter import ResourcesDict
from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import NbGraderPreprocessor

from .notes import who
from .setup_guard import BLANK, Guard, is_blank, signature

GUARD = Guard()
HELD: list[tuple[NotebookNode, dict[str, Any]]] = []
_AT_EXIT = False


class SetupProblem(SystemExit):
    """Stops ``nbgrader autograde``: nbgrader goes on after a submission's ``Exception``, not after this."""


def _report_at_exit() -> None:
    global _AT_EXIT
    if _AT_EXIT:
        return
    import atexit

    def decide() -> None:
        if HELD and GUARD.verdict is None and GUARD.finish() and GUARD.stopped:
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
        if GUARD.verdict is not None:
            return self._write(nb, resources)
        sig = signature(nb, blank=is_blank(nb))
        verdict = GUARD.add(who(resources), sig)
        if GUARD.stopped:
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
        return self._write(nb, resources)
