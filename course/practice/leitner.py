"""A five-box Leitner scheduler for the glossary flashcards, one session a day.

Every card starts in box 1. "I knew it" moves a card up one box (at most box 5);
"I didn't" sends it back to box 1. Scheduling counts *sessions*: box ``k`` is
due every ``2 ** (k - 1)`` sessions (box 1 every session, box 2 every second,
... box 5 every sixteenth). Counting sessions keeps the schedule deterministic
and fair to a learner who studies irregularly; dates would punish a gap with a
pile of overdue cards.

A session belongs to a day. Opening the flashcards on a later day than the
current session started begins the next session; opening them again on the same
day resumes today's session where it was left (cards already known today are
not asked again). Starting another session on the same day is possible, but only
deliberately (:meth:`Leitner.start_session` with ``today_again=True``), because
spacing the sessions a day apart is what makes the boxes work.

Within a session the due cards are drawn lowest box first, shuffled within a box
by a seeded generator. A card answered wrongly goes to the back of the queue, so
it comes back in the same session; a card answered rightly is done until its
box is due again.

Only cards actually reviewed are stored: the state's ``boxes`` holds a card once
it has been marked, so "cards reviewed" counts those and nothing else.

>>> from datetime import date
>>> deck = Leitner(["plan", "engage", "improve"], seed=1)
>>> deck.open(date(2026, 3, 2))  # the first session starts
True
>>> deck.session, len(deck.queue)
(1, 3)
>>> card = deck.next_card(); deck.record(card, knew=True)
2
>>> deck.reviewed_count()
1
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

BOXES = 5
"""Number of Leitner boxes."""


def interval(box: int) -> int:
    """How often (in sessions) box ``box`` is due: ``2 ** (box - 1)``.

    >>> [interval(k) for k in range(1, 6)]
    [1, 2, 4, 8, 16]
    """
    if not isinstance(box, int) or not 1 <= box <= BOXES:
        raise ValueError(f"a Leitner box is 1 to {BOXES}, got {box!r}")
    return 2 ** (box - 1)


def is_due(box: int, session: int) -> bool:
    """Whether box ``box`` is due in session number ``session`` (counted from 1).

    >>> [is_due(2, s) for s in (1, 2, 3, 4)]
    [False, True, False, True]
    """
    return session % interval(box) == 0


class Leitner:
    """Leitner boxes over a list of card ``terms``, restored from and saved to a plain dict.

    ``state`` is what :meth:`to_state` returned earlier: ``{"session": int,
    "boxes": {term: box}, "started": "YYYY-MM-DD", "known": [term, ...]}``
    (``started``, the day the current session began, and ``known``, the cards
    known in it, are optional). Boxes of terms not in ``terms`` are kept
    untouched (another deck may use them). ``seed`` fixes the order of cards
    within a box.
    """

    def __init__(self, terms: Iterable[str], state: Mapping[str, Any] | None = None, seed: int = 0):
        self.terms = list(dict.fromkeys(terms))
        if not self.terms:
            raise ValueError("a flashcard deck needs at least one term")
        state = dict(state or {})
        session = state.get("session", 0)
        boxes = state.get("boxes", {})
        if not isinstance(session, int) or isinstance(session, bool) or session < 0:
            raise ValueError(f"flashcards: session must be a whole number >= 0, got {session!r}")
        if not isinstance(boxes, Mapping):
            raise ValueError(f"flashcards: boxes must be a mapping of term to box, got {type(boxes).__name__}")
        for term, box in boxes.items():
            if not isinstance(box, int) or isinstance(box, bool) or not 1 <= box <= BOXES:
                raise ValueError(f"flashcards: boxes: term {term!r} has box {box!r}, expected 1 to {BOXES}")
        started = state.get("started")
        if started is not None:
            try:
                started = date.fromisoformat(started)
            except (TypeError, ValueError):
                raise ValueError(f"flashcards: started must be a date YYYY-MM-DD, got {started!r}") from None
        self.session = session
        self.stored: dict[str, int] = dict(boxes)
        self.started: date | None = started
        self.known: set[str] = {str(t) for t in state.get("known", ())}
        self.seed = seed
        self.queue: list[str] = []

    @property
    def boxes(self) -> dict[str, int]:
        """The box of every card of this deck (a card never reviewed is in box 1)."""
        return {term: self.stored.get(term, 1) for term in self.terms}

    def box_of(self, term: str) -> int:
        """The box ``term`` is in."""
        if term not in self.terms:
            raise KeyError(f"{term!r} is not a card in this deck")
        return self.stored.get(term, 1)

    def due_in(self, session: int) -> list[str]:
        """This deck's cards due in ``session``, as their boxes are now."""
        return [t for t in self.terms if is_due(self.box_of(t), session)]

    def _queue(self) -> None:
        rng = random.Random(self.seed * 1_000_003 + self.session)
        queue: list[str] = []
        for box in range(1, BOXES + 1):
            if not is_due(box, self.session):
                continue
            cards = [t for t in self.terms if self.box_of(t) == box and t not in self.known]
            rng.shuffle(cards)
            queue.extend(cards)
        self.queue = queue

    def start_session(self, today: date | None = None, *, today_again: bool = False) -> None:
        """Begin the next session and queue its due cards, lowest box first.

        A second session on the day the current one started is refused with
        ``ValueError`` unless ``today_again`` says it is deliberate.
        """
        today = today or date.today()
        if self.started == today and self.session > 0 and not today_again:
            raise ValueError(
                "a session already started today; spacing sessions a day apart is what makes the boxes work "
                "(pass today_again=True to study again today anyway)"
            )
        self.session += 1
        self.started = today
        self.known = set()
        self._queue()

    def open(self, today: date | None = None) -> bool:
        """Resume today's session, or start the next one on a new day; return whether one was started."""
        today = today or date.today()
        if self.session > 0 and self.started == today:
            self._queue()
            return False
        self.start_session(today)
        return True

    def next_card(self) -> str | None:
        """The card to show now, or ``None`` when this session's due cards are done."""
        return self.queue[0] if self.queue else None

    def record(self, term: str, knew: bool) -> int:
        """Record the answer for ``term``; return its new box."""
        box = self.box_of(term)
        self.stored[term] = min(box + 1, BOXES) if knew else 1
        if term in self.queue:
            self.queue.remove(term)
        if knew:
            self.known.add(term)
        else:
            self.known.discard(term)
            self.queue.append(term)
        return self.stored[term]

    def next_session_day(self) -> date | None:
        """The day the next session is planned for: the day after the current one started."""
        return self.started + timedelta(days=1) if self.started else None

    def box_counts(self) -> dict[int, int]:
        """How many of this deck's cards are in each box (cards never reviewed are in box 1)."""
        counts = {box: 0 for box in range(1, BOXES + 1)}
        for term in self.terms:
            counts[self.box_of(term)] += 1
        return counts

    def reviewed_count(self) -> int:
        """How many of this deck's cards have been marked at least once."""
        return sum(term in self.stored for term in self.terms)

    def to_state(self) -> dict[str, Any]:
        """The deck's state as JSON-ready data (see the class docstring); only reviewed cards have a box."""
        state: dict[str, Any] = {"session": self.session, "boxes": dict(sorted(self.stored.items()))}
        if self.started is not None:
            state["started"] = self.started.isoformat()
        if self.known:
            state["known"] = sorted(self.known)
        return state
