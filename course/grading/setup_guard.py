"""The class-level guard: stop when the first graded submissions all fail the same way at setup level.

When the course itself cannot run in the grading kernels (``import course``
fails, or the kernel dies before the first cell, or no check receives any
answer), every submission would score 0, and those zeros would replace the
grades of an earlier run. The guard looks at the first submissions of a run,
before their grades are written: when each of the first :data:`FIRST` (or all of
them, when there are fewer) shows the same setup-level failure, grading stops
with a message saying it is a setup problem, and the gradebook keeps what it had.

A blank submission (every answer cell left as released) says nothing about the
setup and is not counted either way. :func:`signature` is pure; :class:`Guard`
keeps the count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

FIRST = 3
"""How many (non-blank) first submissions must fail the same way for the run to stop."""

OFF_ENV = "SVC_GRADE_NO_SETUP_GUARD"
"""Set to 1 to grade without the guard (``nbgrader autograde``; ``svc-course autograde --no-setup-guard``)."""

BLANK = "blank"

_KERNEL_DEAD = "the notebook's kernel stopped unexpectedly"


def _text(cell: Any) -> str:
    parts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream":
            parts.append(str(out.get("text", "")))
        elif out.get("output_type") == "error":
            parts.append(f"{out.get('ename', '')}: {out.get('evalue', '')}")
    return "\n".join(parts)


def _is_test_cell(cell: Any) -> bool:
    md = cell.get("metadata", {}).get("nbgrader", {}) or {}
    return bool(md.get("grade") and not md.get("solution") and cell.get("cell_type") == "code")


def is_blank(nb: Any) -> bool:
    """Whether every answer cell is as released (nbgrader's own "No response." rule: unchanged checksum)."""
    from nbgrader.utils import compute_checksum, is_solution, is_task

    answers = [c for c in nb.cells if is_solution(c) and not is_task(c)]
    return bool(answers) and all(c.metadata.nbgrader.get("checksum") == compute_checksum(c) for c in answers)


def signature(nb: Any, *, blank: bool = False) -> str | None:
    """The setup-level failure an autograded notebook shows, :data:`BLANK`, or None (graded normally).

    ``blank``: every answer cell of the submission was left as released.

    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook()
    >>> setup = nbformat.v4.new_code_cell("import course")
    >>> setup.outputs = [nbformat.v4.new_output("error", ename="ModuleNotFoundError",
    ...                  evalue="No module named 'course'", traceback=[])]
    >>> nb.cells = [setup]
    >>> signature(nb)
    "import of the course package failed (ModuleNotFoundError: No module named 'course')"
    >>> signature(nb, blank=True)
    'blank'
    """
    if blank:
        return BLANK
    for cell in nb.cells:
        if cell.get("id") == "svc-grading-notes" and _KERNEL_DEAD in cell.get("source", ""):
            return "the grading kernel did not start or died before running the notebook"
    for cell in nb.cells:
        if cell.get("cell_type") != "code" or _is_test_cell(cell):
            continue
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error" and out.get("ename") in ("ModuleNotFoundError", "ImportError") \
                    and "course" in str(out.get("evalue", "")):
                return f"import of the course package failed ({out.get('ename')}: {out.get('evalue')})"
    tests = [c for c in nb.cells if _is_test_cell(c)]
    if tests and all("no answer named" in _text(c) or "[NOT RUN]" in _text(c) for c in tests):
        # the first check's own words: the same in every submission only when the cause is common to all
        first = next(line.strip() for line in _text(tests[0]).splitlines()
                     if "no answer named" in line or "[NOT RUN]" in line)
        # cell numbers differ between submissions (a grading-notes cell comes first in some)
        first = re.sub(r"\bcell \d+", "cell N", first)
        return f"no check received any answer (the first check says: {first[:200]})"
    return None


@dataclass
class Guard:
    """Counts the first submissions' signatures; decides once whether the run may write grades."""

    first: int = FIRST
    seen: list[tuple[str, str]] = field(default_factory=list)  # (who, signature) of non-blank, first ones
    verdict: str | None = None  # None: undecided; "ok"; or the setup problem

    def add(self, who: str, sig: str | None) -> str | None:
        """Record one submission's signature; return the verdict once decided (None while undecided).

        >>> g = Guard(first=2)
        >>> g.add("a", "x"), g.add("b", "blank"), g.add("c", "x")
        (None, None, 'x')
        >>> g = Guard(first=2); g.add("a", "x"), g.add("b", None)
        (None, 'ok')
        """
        if self.verdict is not None:
            return self.verdict
        if sig == BLANK:
            return None
        if sig is None or (self.seen and self.seen[0][1] != sig):
            self.verdict = "ok"
            return self.verdict
        self.seen.append((who, sig))
        if len(self.seen) >= self.first:
            self.verdict = sig
        return self.verdict

    def finish(self) -> str:
        """At the end of the submissions: fewer than ``first`` non-blank ones, all failing alike, is a setup problem.

        >>> g = Guard(); g.add("a", "x"); g.finish()
        'x'
        >>> Guard().finish()
        'ok'
        """
        if self.verdict is None:
            self.verdict = self.seen[0][1] if self.seen else "ok"
        return self.verdict

    @property
    def stopped(self) -> bool:
        """Whether the verdict is a setup problem."""
        return self.verdict not in (None, "ok")

    def message(self) -> str:
        """What the instructor is told when the run stops."""
        who = ", ".join(w for w, _ in self.seen)
        return (f"grading stopped: this looks like a setup problem, not the students' work: the first "
                f"{len(self.seen)} graded submission(s) ({who}) all failed the same way: {self.verdict}. "
                "No grade was written and the gradebook keeps its previous grades. Check the grading "
                "environment (`svc-course check-sandbox` in the course folder; is the course package "
                "installed where the graded kernels can import it?) and run the grading again. If these "
                "submissions really are broken this way (one student regraded alone, say), grade them with "
                "`svc-course autograde --no-setup-guard`, or `SVC_GRADE_NO_SETUP_GUARD=1 nbgrader autograde`.")
