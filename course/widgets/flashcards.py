"""Glossary flashcards with Leitner boxes that persist in the progress file."""

from __future__ import annotations

from collections.abc import Sequence
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


def build(terms: Sequence[Any]) -> w.VBox:
    """The flashcards view over glossary ``terms`` (see :func:`course.widgets.flashcards`)."""
    loaded = progress.load()
    deck = Leitner([t.term for t in terms], loaded.state["flashcards"])
    deck.start_session()
    by_term = {t.term: t for t in terms}
    current: list[str | None] = [None]

    session_info = w.HTML()
    session_info.add_class("svc-session")
    card = w.HTML()
    card.add_class("svc-flashcard")
    flip = c.button("Flip", "Show the definition", css="svc-flip", primary=True)
    knew = c.button("I knew it", "I recalled it: move the card up one box", css="svc-knew", disabled=True)
    didnt = c.button("I didn't", "I did not recall it: send the card back to box 1", css="svc-didnt", disabled=True)
    new_session = c.button("Next session", "Start the next session (cards due then are queued)", css="svc-next-session")
    counts = w.HTML()
    counts.add_class("svc-box-counts")
    note = w.HTML(f"<div>{c.esc(loaded.message)}</div>" if loaded.message else "")
    note.add_class("svc-note")

    def refresh_counts() -> None:
        counts.value = "<div><b>Your boxes</b></div>" + box_counts_html(deck.box_counts())
        due = len(deck.queue)
        session_info.value = f"<div>Session {deck.session}: {due} card{'s' if due != 1 else ''} due now.</div>"

    def show_front() -> None:
        term = deck.next_card()
        current[0] = term
        knew.disabled = didnt.disabled = True
        if term is None:
            card.value = (
                '<div class="svc-card">All cards due this session are done. Come back later, '
                "or start the next session.</div>"
            )
            flip.disabled = True
            return
        flip.disabled = False
        card.value = (
            f'<div class="svc-card svc-front"><div><i>Box {deck.box_of(term)}</i></div>'
            f'<div style="font-size:1.3em"><b>{c.esc(term)}</b></div>'
            "<div>Say or write the definition, then Flip.</div></div>"
        )

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

    def answer(knew_it: bool) -> None:
        term = current[0]
        if term is None:
            return
        deck.record(term, knew_it)
        try:
            result = progress.save_flashcards(deck.to_state())
            if result.message:
                note.value = f"<div>{c.esc(result.message)}</div>"
        except OSError as exc:
            note.value = f"<div>Your boxes could not be saved to the progress file: {c.esc(exc)}</div>"
        refresh_counts()
        show_front()

    def on_new_session(_: Any) -> None:
        deck.start_session()
        refresh_counts()
        show_front()

    flip.on_click(on_flip)
    knew.on_click(lambda _: answer(True))
    didnt.on_click(lambda _: answer(False))
    new_session.on_click(on_new_session)
    refresh_counts()
    show_front()
    buttons = w.HBox([flip, knew, didnt, new_session], layout=w.Layout(flex_flow="row wrap"))
    explain = w.HTML(
        f"<div>{BOXES} Leitner boxes: a card you knew moves up one box and comes back less often; "
        "a card you did not know goes back to box 1 and comes back this session.</div>"
    )
    return c.outer("Key terms flashcards", [explain, session_info, card, buttons, counts, note], "svc-flashcards")
