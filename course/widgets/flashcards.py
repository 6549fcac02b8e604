"""Glossary flashcards with Leitner boxes that persist in the progress file."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import Any

import ipywidgets as w

from .. import progress
from ..practice.leitner import BOXES, Leitner, interval
from . import _common as c


def select_terms(glossary: Sequence[Any], names: Sequence[str] | None) -> list[Any]:
    """Glossary entries named in ``names`` (case-insensitive, in that order), or all of them."""
    if names is None:
        return list(glossary)
    by_name = {t.term.casefold(): t for t in glossary}
    chosen = []
    for name in names:
        key = str(name).strip().casefold()
        if key not in by_name:
            raise ValueError(f"glossary.yml: no term {name!r}")
        chosen.append(by_name[key])
    if not chosen:
        raise ValueError("glossary.yml: no terms chosen")
    return chosen


def box_counts_html(counts: dict[int, int]) -> str:
    """The box counts in words, e.g. ``Box 1: 20 cards (every session) ...``."""
    cells = "".join(
        f"<li>Box {box}: {n} card{'s' if n != 1 else ''} (every "
        f"{'session' if interval(box) == 1 else f'{interval(box)} sessions'})</li>"
        for box, n in counts.items()
    )
    return (
        '<ul class="svc-box-list" style="display:flex;flex-wrap:wrap;gap:0.4em 1.5em;list-style:none;'
        f'margin:0.2em 0;padding:0">{cells}</ul>'
    )


def day_text(day: date, today: date) -> str:
    """A day in words relative to ``today``: ``today``, ``tomorrow (Tue 3 Mar 2026)`` or the date.

    >>> day_text(date(2026, 3, 3), date(2026, 3, 2))
    'tomorrow (Tue 3 Mar 2026)'
    """
    label = f"{day:%a} {day.day} {day:%b %Y}"
    if day == today:
        return f"today ({label})"
    if day == today + timedelta(days=1):
        return f"tomorrow ({label})"
    return label


def build(terms: Sequence[Any], today: Callable[[], date] = date.today) -> w.VBox:
    """The flashcards view over glossary ``terms`` (see :func:`course.widgets.flashcards`).

    One session a day: opening the cards on a new day starts the next session;
    opening them again the same day resumes it. When today's cards are done the
    view says when the next session is due and offers, separately, to study
    again today anyway. Keyboard focus moves to the next control after each
    click, so it never falls back to the page.
    """
    loaded = progress.load()
    deck = Leitner([t.term for t in terms], loaded.state["flashcards"])
    deck.open(today())
    by_term = {t.term: t for t in terms}
    current: list[str | None] = [None]

    session_info = w.HTML()
    session_info.add_class("svc-session")
    card = w.HTML()
    card.add_class("svc-flashcard")
    flip = c.button("Flip", "Show the definition", css="svc-flip", primary=True)
    knew = c.button("I knew it", "I recalled it: move the card up one box", css="svc-knew", disabled=True)
    didnt = c.button("I didn't", "I did not recall it: send the card back to box 1", css="svc-didnt", disabled=True)
    done_box = w.HTML()
    done_box.add_class("svc-session-done")
    again_today = c.button(
        "Study again today anyway",
        "Start the next session now, although one session a day works best",
        css="svc-again-today",
    )
    after = w.VBox([done_box, again_today])
    after.layout.display = "none"
    counts = w.HTML()
    counts.add_class("svc-box-counts")
    note = w.HTML(c.note_html(loaded.message))
    note.add_class("svc-note")
    buttons = w.HBox([flip, knew, didnt], layout=w.Layout(flex_flow="row wrap"))

    def refresh_counts() -> None:
        counts.value = "<div><b>Your boxes</b></div>" + box_counts_html(deck.box_counts())
        due = len(deck.queue)
        when = day_text(deck.started, today()) if deck.started else "today"
        session_info.value = (
            f"<div>Session {deck.session}, started {c.esc(when)}: "
            f"{due} card{'s' if due != 1 else ''} left to review.</div>"
        )

    def show_front() -> bool:
        term = deck.next_card()
        current[0] = term
        knew.disabled = didnt.disabled = True
        if term is None:
            card.value = '<div class="svc-card">All the cards due in this session are done. Well done.</div>'
            flip.disabled = True
            buttons.layout.display = "none"
            next_day = deck.next_session_day() or today()
            n_next = len(deck.due_in(deck.session + 1))
            done_box.value = (
                f'<div class="svc-card"><b>Next session: {c.esc(day_text(max(next_day, today()), today()))}</b>, '
                f"or whenever you next open these cards on a later day: {n_next} card{'s' if n_next != 1 else ''} "
                "will be due then. Spacing the sessions a day apart is what makes the boxes work; "
                "if you still want to, you can study the next session's cards now.</div>"
            )
            after.layout.display = None
            return False
        after.layout.display = "none"
        buttons.layout.display = None
        flip.disabled = False
        card.value = (
            f'<div class="svc-card svc-front"><div><i>Box {deck.box_of(term)}</i></div>'
            f'<div style="font-size:1.3em"><b>{c.esc(term)}</b></div>'
            "<div>Say or write the definition, then Flip.</div></div>"
        )
        return True

    def on_flip(_: Any) -> None:
        term = current[0]
        if term is None:
            return
        t = by_term[term]
        extra = []
        if getattr(t, "activity", None):
            extra.append(f"<div>Mainly: {c.esc(t.activity)}</div>")
        confusion = getattr(t, "confused_with", None)
        if confusion is not None:
            extra.append(
                f"<div>Not to be confused with <b>{c.esc(confusion.term)}</b>: {c.esc(confusion.difference)}</div>"
            )
        card.value = (
            f'<div class="svc-card svc-back"><div><b>{c.esc(term)}</b></div>'
            f'<div class="svc-definition">{c.esc(t.definition)}</div>{"".join(extra)}</div>'
        )
        flip.disabled = True
        knew.disabled = didnt.disabled = False
        c.focus(knew)

    def save(term: str | None) -> None:
        try:
            result = progress.save_flashcards(deck.to_state(), terms=[term] if term else [])
            if result.message:
                note.value = c.note_html(result.message)
        except (OSError, ValueError) as exc:
            note.value = c.note_html(f"Your boxes could not be saved to the progress file: {exc}")

    def answer(knew_it: bool) -> None:
        term = current[0]
        if term is None:
            return
        deck.record(term, knew_it)
        save(term)
        refresh_counts()
        c.focus(flip if show_front() else again_today)

    def on_again_today(_: Any) -> None:
        deck.start_session(today(), today_again=True)
        save(None)
        refresh_counts()
        if show_front():
            c.focus(flip)

    flip.on_click(on_flip)
    knew.on_click(lambda _: answer(True))
    didnt.on_click(lambda _: answer(False))
    again_today.on_click(on_again_today)
    refresh_counts()
    show_front()
    explain = w.HTML(
        f"<div>{BOXES} Leitner boxes: a card you knew moves up one box and comes back less often; "
        "a card you did not know goes back to box 1 and comes back this session. One session a day: "
        "come back tomorrow for the next one.</div>"
    )
    return c.outer("Key terms flashcards", [explain, session_info, card, buttons, after, counts, note], "svc-flashcards")
