"""A five-box Leitner scheduler for the glossary flashcards.

Every card starts in box 1. "I knew it" moves a card up one box (at most box 5);
"I didn't" sends it back to box 1. Scheduling counts *sessions*, not dates: a
session starts each time the flashcards open (or on "Next session"), and box
``k`` is due every ``2 ** (k - 1)`` sessions (box 1 every session, box 2 every
second, ... box 5 every sixteenth). Counting sessions keeps the schedule
deterministic and fair to a learner who studies irregularly; dates would punish
a gap with a pile of overdue cards.

Within a session the due cards are drawn lowest box first, shuffled within a box
by a seeded generator. A card answered wrongly goes to the back of the queue, so
it comes back in the same session; a card answered rightly is done until its
box is due again.

>>> deck = Leitner(["plan", "engage", "improve"], seed=1)
>>> deck.start_session(); deck.box_counts()
{1: 3, 2: 0, 3: 0, 4: 0, 5: 0}
>>> card = deck.next_card(); deck.record(card, knew=True)
2
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
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
    "boxes": {term: box}}``; boxes of terms not in ``terms`` are kept untouched
    (another deck may use them). ``seed`` fixes the order of cards within a box.
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
        self.session = session
        self.boxes: dict[str, int] = dict(boxes)
        for term in self.terms:
            self.boxes.setdefault(term, 1)
        self.seed = seed
        self.queue: list[str] = []

    def box_of(self, term: str) -> int:
        """The box ``term`` is in."""
        try:
            return self.boxes[term]
        except KeyError:
            raise KeyError(f"{term!r} is not a card in this deck") from None

    def start_session(self) -> None:
        """Begin the next session and queue its due cards, lowest box first."""
        self.session += 1
        rng = random.Random(self.seed * 1_000_003 + self.session)
        queue: list[str] = []
        for box in range(1, BOXES + 1):
            if not is_due(box, self.session):
                continue
            cards = [t for t in self.terms if self.boxes[t] == box]
            rng.shuffle(cards)
            queue.extend(cards)
        self.queue = queue

    def next_card(self) -> str | None:
        """The card to show now, or ``None`` when this session's due cards are done."""
        return self.queue[0] if self.queue else None

    def record(self, term: str, knew: bool) -> int:
        """Record the answer for ``term``; return its new box."""
        box = self.box_of(term)
        self.boxes[term] = min(box + 1, BOXES) if knew else 1
        if term in self.queue:
            self.queue.remove(term)
        if not knew:
            self.queue.append(term)
        return self.boxes[term]

    def box_counts(self) -> dict[int, int]:
        """How many of this deck's cards are in each box."""
        counts = {box: 0 for box in range(1, BOXES + 1)}
        for term in self.terms:
            counts[self.boxes[term]] += 1
        return counts

    def to_state(self) -> dict[str, Any]:
        """The deck's state as JSON-ready data (see the class docstring)."""
        return {"session": self.session, "boxes": dict(sorted(self.boxes.items()))}
