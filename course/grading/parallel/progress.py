"""What the instructor sees while a run grades: a progress bar on a terminal, else a line per student."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from .worker import Result


def _clock(seconds: float) -> str:
    seconds = max(0, int(round(seconds)))
    return f"{seconds // 60:d}:{seconds % 60:02d}"


def bar(done: int, failed: int, total: int, elapsed: float, notebooks: int, width: int = 24) -> str:
    """One progress line: done, failed, notebooks per second, time left.

    >>> bar(3, 1, 8, 10.0, 4)
    '[############............] 3/8 graded, 1 failed, 0.40 notebooks/s, about 0:10 left'
    """
    finished = done + failed
    filled = int(width * finished / total) if total else width
    rate = notebooks / elapsed if elapsed > 0 else 0.0
    per_submission = elapsed / finished if finished else 0.0
    left = f", about {_clock(per_submission * (total - finished))} left" if finished else ""
    return (f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total} graded, {failed} failed, "
            f"{rate:.2f} notebooks/s{left}")


def student_line(result: Result) -> str:
    """The plain line for one finished submission (output that is not a terminal).

    >>> from course.grading.parallel.worker import Result, NotebookResult
    >>> r = Result("ana", "06", ok=True, seconds=7.25, worker="w1",
    ...            notebooks=[NotebookResult("06", None, {}, {}, True, 7.0, 12.5, 17.0)])
    >>> student_line(r)
    'ana/06: graded, 12.5 of 17 autograded points, 1 notebook in 7.2 s (worker w1)'
    >>> student_line(Result("bo", "06", ok=False, reason="the worker died"))
    'bo/06: FAILED: the worker died'
    """
    who = f"{result.student}/{result.assignment}"
    if not result.ok:
        return f"{who}: FAILED: {result.reason}"
    score = sum(n.score for n in result.notebooks)
    points = sum(n.max_score for n in result.notebooks)
    n = len(result.notebooks)
    notes = sum(len(nb.notes) for nb in result.notebooks)
    return (f"{who}: graded, {score:g} of {points:g} autograded points, {n} notebook{'s' if n != 1 else ''} "
            f"in {result.seconds:.1f} s" + (f", {notes} grading note(s)" if notes else "")
            + (f" (worker {result.worker})" if result.worker else ""))


class Progress:
    """Shows each finished submission: a redrawn bar on a terminal, a plain line otherwise."""

    def __init__(self, total: int, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.total = total
        self.done = self.failed = self.notebooks = 0
        self.started = time.monotonic()

    def finished(self, result: Result) -> None:
        """One submission finished (committed, or failed)."""
        if result.ok:
            self.done += 1
            self.notebooks += len(result.notebooks)
        else:
            self.failed += 1
        if self.tty:
            line = bar(self.done, self.failed, self.total, time.monotonic() - self.started, self.notebooks)
            if not result.ok:
                self.stream.write("\r\033[K" + student_line(result) + "\n")
            self.stream.write("\r\033[K" + line)
            if self.done + self.failed >= self.total:
                self.stream.write("\n")
        else:
            self.stream.write(student_line(result) + "\n")
        self.stream.flush()

    def say(self, text: str) -> None:
        """A message between progress updates."""
        self.stream.write(("\r\033[K" if self.tty else "") + text + "\n")
        self.stream.flush()
