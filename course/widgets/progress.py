"""The progress panel: the learner's flashcard boxes and quiz history, for the course home."""

from __future__ import annotations

from typing import Any

import ipywidgets as w

from .. import progress
from ..practice.leitner import BOXES
from . import _common as c

SHOWN_ATTEMPTS = 10


def panel_html(state: dict[str, Any]) -> str:
    """The progress state in words: box counts and the latest quiz attempts."""
    boxes = state["flashcards"]["boxes"]
    counts = {box: 0 for box in range(1, BOXES + 1)}
    for box in boxes.values():
        counts[box] += 1
    parts = ["<div><b>Flashcards</b></div>"]
    if boxes:
        cells = ", ".join(f"box {box}: {n}" for box, n in counts.items())
        sessions = state["flashcards"]["session"]
        started = state["flashcards"].get("started")
        last = f" (the latest started {c.esc(started)})" if started else ""
        parts.append(
            f'<div class="svc-panel-boxes">{len(boxes)} card{"s" if len(boxes) != 1 else ""} reviewed over '
            f'{sessions} session{"s" if sessions != 1 else ""}{last}; {c.esc(cells)}.</div>'
        )
    else:
        parts.append('<div class="svc-panel-boxes">No flashcards reviewed yet.</div>')
    parts.append("<div><b>Quizzes</b></div>")
    attempts = state["quizzes"][-SHOWN_ATTEMPTS:]
    if not attempts:
        parts.append('<div class="svc-panel-quizzes">No quiz attempts yet.</div>')
    else:
        rows = "".join(
            f"<tr><td>{c.esc(a['date'][:16].replace('T', ' '))}</td><td>{c.esc(a['mode'])}</td>"
            f"<td>{a['score']} / {a['total']} ({a['percent']:.0f}%)</td>"
            f"<td>{'PASS' if a['passed'] else 'FAIL'}</td><td>{len(a['wrong'])}</td>"
            f"<td>{len(a.get('unanswered', []))}</td></tr>"
            for a in reversed(attempts)
        )
        parts.append(
            '<table class="svc-panel-quizzes" style="border-collapse:collapse">'
            '<caption style="text-align:left">Latest attempts, newest first</caption>'
            "<thead><tr><th scope='col'>Date (UTC)</th><th scope='col'>Mode</th><th scope='col'>Score</th>"
            f"<th scope='col'>Result</th><th scope='col'>Wrong</th><th scope='col'>Unanswered</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>"
        )
    return "".join(parts)


def build() -> w.VBox:
    """The progress panel (see :func:`course.widgets.progress_panel`)."""
    body = w.HTML()
    body.add_class("svc-panel-body")
    note = w.HTML()
    note.add_class("svc-note")
    refresh = c.button("Refresh", "Read the progress file again", css="svc-refresh")

    def load(_: Any = None) -> None:
        result = progress.load()
        body.value = panel_html(result.state)
        note.value = f"<div>{c.esc(result.message)}</div>" if result.message else ""

    refresh.on_click(load)
    load()
    where = w.HTML(f"<div><small>Kept in {c.esc(progress.progress_path())}</small></div>")
    return c.outer("Your progress", [body, w.HBox([refresh]), note, where], "svc-progress")
