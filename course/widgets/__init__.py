"""Interactive practice widgets for the topic notebooks (ipywidgets 8).

Each function returns a widget to display as a cell's last expression. Its
outermost box carries a CSS class (``svc-mapper``, ``svc-quiz``,
``svc-flashcards``, ``svc-stream``, ``svc-slo``, ``svc-progress``). When its data
cannot be found or a bank entry is malformed, it returns an ``ipywidgets.HTML``
of class ``svc-error`` with a short message naming the file and entry instead.

The logic lives in :mod:`course.practice`; progress is kept by
:mod:`course.progress`. Nothing here runs at import time.

>>> from course import widgets
>>> "svc-mapper" in widgets.scenario_mapper(["A"])._dom_classes
True
"""

from __future__ import annotations

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

__all__ = ["scenario_mapper", "quiz", "flashcards", "value_stream_builder", "slo_explorer", "progress_panel"]


@_guarded
def scenario_mapper(
    ids: list[str] | None = None, *, graded: bool | None = None, answer_name: str = "my_mapping"
) -> _w.Widget:
    """Map scenarios to one or two activities, with feedback naming the cue words.

    ``ids`` picks scenarios from ``data/scenarios.yml`` in that order (default:
    all); ``graded`` keeps only graded (True) or only practice (False) ones.
    Graded scenarios are recorded but not checked here, so the tool never gives
    a graded answer away. "Show as code" prints ``<answer_name> = {...}`` to paste
    into the graded cell.
    """
    from .. import banks

    return _mapper_view.build(_mapper_view.select_scenarios(banks.load_scenarios(), ids, graded), answer_name)


@_guarded
def quiz(
    ids: list[str] | None = None, *, topic: str | None = None, mode: str = "practice", n: int | None = None
) -> _w.Widget:
    """A practice quiz (every option explained) or a timed mock exam (``mode="exam"``).

    ``ids`` picks questions from ``data/questions.yml``; otherwise practice
    questions (optionally of one ``topic``) are shuffled and ``n`` kept (an exam
    defaults to 40 or all there are). Graded questions are never offered. The
    exam allows 90 seconds per question and passes at 65%; each finished attempt
    is saved to the progress file.
    """
    from .. import banks
    from ..practice.quiz import MODES, select_questions

    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
    if n is None and ids is None and mode == "exam":
        n = 40
    chosen = select_questions(banks.load_questions(), ids, topic=topic, n=n)
    return _quiz_view.build(chosen, mode)


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
