"""The closing summary of a grading run: what was graded, what failed and why, seconds per notebook.

:class:`RecordOutcome` (the last autograde step) records each notebook graded;
the exporter records when each notebook's grading began. At the end of an
``nbgrader autograde`` command the summary is printed (standard error), and a
notebook that began but never reached the last step is listed as failed.
"""

from __future__ import annotations

import statistics
import sys
import time
from dataclasses import dataclass, field

from nbconvert.exporters.exporter import ResourcesDict
from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import NbGraderPreprocessor

from .notes import notes_of


@dataclass
class Outcome:
    """One notebook's grading."""

    who: str
    started: float
    seconds: float | None = None
    score: float = 0.0
    max_score: float = 0.0
    notes: list[str] = field(default_factory=list)
    reason: str = ""  # why grading failed, when known


@dataclass
class RunSummary:
    """Every notebook of this process's grading run, in order."""

    outcomes: dict[str, Outcome] = field(default_factory=dict)

    def began(self, who: str) -> None:
        """A notebook's grading began (called once per notebook, at its first step)."""
        self.outcomes[who] = Outcome(who, time.monotonic())

    def graded(self, who: str, score: float, max_score: float, notes: list[str]) -> None:
        """A notebook reached the last grading step."""
        outcome = self.outcomes.setdefault(who, Outcome(who, time.monotonic()))
        outcome.seconds = time.monotonic() - outcome.started
        outcome.score, outcome.max_score, outcome.notes = score, max_score, notes

    def add(self, who: str, seconds: float | None, score: float = 0.0, max_score: float = 0.0,
            notes: list[str] | None = None, reason: str = "") -> None:
        """Record a notebook graded elsewhere (seconds None: it failed, for ``reason``)."""
        self.outcomes[who] = Outcome(who, 0.0, seconds, score, max_score, list(notes or []), reason)

    def render(self) -> str:
        """The summary, a few lines.

        >>> run = RunSummary()
        >>> run.began("ana/05/05"); run.graded("ana/05/05", 12.5, 17.0, [])
        >>> run.began("bo/05/05")
        >>> print(run.render().split(chr(10))[0])
        Grading summary: 1 notebook graded, 1 failed (0 with grading notes).
        """
        done = [o for o in self.outcomes.values() if o.seconds is not None]
        failed = [o for o in self.outcomes.values() if o.seconds is None]
        noted = [o for o in done if o.notes]
        lines = [f"Grading summary: {len(done)} notebook{'s' if len(done) != 1 else ''} graded, "
                 f"{len(failed)} failed ({len(noted)} with grading notes)."]
        if done:
            seconds = [o.seconds for o in done if o.seconds is not None]
            lines.append(f"  seconds per notebook: median {statistics.median(seconds):.1f}, "
                         f"max {max(seconds):.1f} ({max(done, key=lambda o: o.seconds or 0).who})")
        for o in failed:
            why = o.reason or "grading stopped with an error (see the log above)"
            kept = ("its previous grades, if any, are kept" if why.startswith("not written") else
                    "its previous grades, if any, are flagged as needing attention")
            lines.append(f"  FAILED {o.who}: {why}; {kept}")
        for o in noted:
            lines.append(f"  {o.who}: {o.score:g} of {o.max_score:g}; " + "; ".join(o.notes)[:300])
        return "\n".join(lines)


RUN = RunSummary()
_REGISTERED = False


def quiet_command_line(converter: object) -> None:
    """In the ``nbgrader autograde`` command, show only warnings (and the closing summary).

    nbgrader logs a dozen INFO lines per notebook; among them the few lines that
    need attention get lost. Asking for them (``--log-level=INFO`` or
    ``--debug``) keeps them. In formgrader (nbgrader's API in the Jupyter
    server) nothing is changed: its log is the server's.
    """
    import logging

    app = getattr(converter, "parent", None)
    if type(app).__name__ != "AutogradeApp" or any(
        arg.startswith(("--log-level", "--log_level", "--debug", "--Application.log_level")) for arg in sys.argv
    ):
        return
    log = getattr(app, "log", None)
    if isinstance(log, logging.Logger):
        log.setLevel(logging.WARNING)
        for handler in log.handlers:
            handler.setLevel(logging.WARNING)


def keep_quiet_at_exit() -> None:
    """Never print this process's summary at exit (a grading worker: its coordinator prints the run's)."""
    global _REGISTERED
    _REGISTERED = True


def print_at_exit() -> None:
    """Print the summary when this (nbgrader) process ends, once."""
    global _REGISTERED
    if _REGISTERED:
        return
    import atexit

    def show() -> None:
        if RUN.outcomes:
            print(RUN.render(), file=sys.stderr, flush=True)

    atexit.register(show)
    _REGISTERED = True


class RecordOutcome(NbGraderPreprocessor):
    """The last autograde step: record the notebook's score and grading notes for the summary."""

    def preprocess(self, nb: NotebookNode, resources: ResourcesDict) -> tuple[NotebookNode, ResourcesDict]:
        info = resources.get("nbgrader", {})
        who = "/".join(str(info.get(k, "?")) for k in ("student", "assignment", "notebook"))
        score = max_score = 0.0
        for cell in nb.cells:
            md = cell.metadata.get("nbgrader", {})
            if md.get("grade") and not md.get("solution") and cell.cell_type == "code":
                from nbgrader.utils import determine_grade

                earned, points = determine_grade(cell, self.log)
                score += float(earned or 0)
                max_score += float(points or 0)
        notes = notes_of(nb)
        RUN.graded(who, score, max_score, notes)
        self.log.info("%s: graded, %g of %g autograded points%s", who, score, max_score,
                      f"; {len(notes)} grading note(s)" if notes else "")
        return nb, resources
