"""Interactive practice widgets for the topic notebooks (ipywidgets 8).

Each function returns a widget to display as a cell's last expression. Its
outermost box carries a CSS class (``svc-mapper``, ``svc-quiz``,
``svc-flashcards``, ``svc-stream``, ``svc-slo``, ``svc-progress``). When its data
cannot be found or a bank entry is malformed, it returns an ``ipywidgets.HTML``
of class ``svc-error`` with a short message naming the file and entry instead.

Every widget is displayed with a plain note beside it, "run this cell again to
show this widget", which JupyterLab hides while the widget is alive and shows
where it cannot be drawn (after a kernel restart, in a static viewer). What a
student does in a widget (the mapper's choices, a quiz attempt in progress, the
value stream's steps, the flashcard boxes) is kept in the progress file and
comes back when the cell runs again.

:func:`value_chain_dashboard` is no widget: it displays notebook 06's dashboard
as a plotly figure and a text table, which need no running kernel.

The logic lives in :mod:`course.practice`; progress is kept by
:mod:`course.progress`. Nothing here runs at import time.

>>> from course import widgets
>>> "svc-mapper" in widgets.scenario_mapper(["A"])._dom_classes
True
"""

from __future__ import annotations

from typing import Any

import ipywidgets as _w

from . import flashcards as _flashcards_view
from . import mapper as _mapper_view
from . import progress as _progress_view
from . import quiz as _quiz_view
from . import slo as _slo_view
from . import stream as _stream_view
from ._common import guarded as _guarded

# The view modules share names with the public functions below: they are imported
# first (above) so that the functions, defined last, are what ``widgets.quiz``
# and ``widgets.flashcards`` name.

__all__ = [
    "scenario_mapper",
    "quiz",
    "flashcards",
    "value_stream_builder",
    "slo_explorer",
    "progress_panel",
    "value_chain_dashboard",
]


@_guarded
def scenario_mapper(
    ids: list[str] | None = None, *, graded: bool | None = None, answer_name: str | None = None
) -> _w.Widget:
    """Map scenarios to one or two activities, with feedback naming the cue words.

    ``ids`` picks scenarios from ``data/scenarios.yml`` in that order (default:
    all); ``graded`` keeps only graded (True) or only practice (False) ones.
    Graded scenarios are only recorded (no Check button, no verdict), so the
    tool never gives a graded answer away; they are graded with the notebook.
    "Show as code" prints ``<answer_name> = {...}``, one entry per line, to
    paste into the answer cell; ``answer_name`` defaults to
    ``graded_mapping`` when every scenario shown is graded, else
    ``practice_mapping``. Choices are kept in the progress file and restored
    when the cell runs again.
    """
    from .. import banks
    from ..practice.mapper import GRADED_NAME, PRACTICE_NAME

    chosen = _mapper_view.select_scenarios(banks.load_scenarios(), ids, graded)
    if answer_name is None:
        answer_name = GRADED_NAME if all(getattr(s, "graded", False) for s in chosen) else PRACTICE_NAME
    return _mapper_view.build(chosen, answer_name)


@_guarded
def quiz(
    ids: list[str] | None = None, *, topic: str | None = None, mode: str = "practice", n: int | None = None
) -> _w.Widget:
    """A practice quiz (every option explained) or a timed mock exam (``mode="exam"``).

    ``ids`` picks questions from ``data/questions.yml``; otherwise practice
    questions (optionally of one ``topic``) are shuffled and ``n`` kept (an exam
    defaults to 40 or all there are). Graded questions are never offered. The
    exam allows 90 seconds per question and passes at 65%. Finishing with
    questions unanswered asks first; "Start again" begins a new attempt. The
    attempt in progress is kept in the progress file (restored when the cell
    runs again) and each finished attempt is saved there.
    """
    from .. import banks
    from ..practice.quiz import MODES, QuestionPicker

    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
    if n is None and ids is None and mode == "exam":
        n = 40
    picker = QuestionPicker(banks.load_questions(), ids, topic=topic, n=n, mode=mode)
    return _quiz_view.build(picker, mode, key=picker.key)


@_guarded
def flashcards(terms: list[str] | None = None) -> _w.Widget:
    """Glossary flashcards with five Leitner boxes kept in the progress file.

    ``terms`` picks glossary entries by name (case-insensitive; default: all).
    """
    from .. import banks

    return _flashcards_view.build(_flashcards_view.select_terms(banks.load_glossary(), terms))


@_guarded
def value_stream_builder(story_id: str = "timetable") -> _w.Widget:
    """Choose the activity of each step of a value stream story, check it and see the flow."""
    from .. import banks

    return _stream_view.build(banks.load_stories(), story_id)


@_guarded
def slo_explorer(service: str | None = None) -> _w.Widget:
    """Explore SLO targets and windows on ``data/requests.csv`` (default: the first service)."""
    return _slo_view.build(_slo_view.load_requests(), service)


@_guarded
def progress_panel() -> _w.Widget:
    """The learner's flashcard boxes and quiz history."""
    return _progress_view.build()


@_guarded
def value_chain_dashboard(months: list[str] | None = None) -> Any:
    """Notebook 06's dashboard: one measure per activity, its headline and monthly trend, and a text table.

    Computed from the course's data sets (it needs no earlier answer); ``months``
    (``"YYYY-MM"``) default to the months of the incident log. Each panel's
    title and chart show the same measure, with its unit, which direction is
    better and an honest axis. Displays as a plotly figure followed by a table.
    """
    from . import dashboard as dashboard_view

    return dashboard_view.build(months=months)
