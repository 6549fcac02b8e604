"""Checking a value stream built step by step, and the data to draw it as a flow.

A story (see :class:`course.banks.Story`) is a value stream told as ordered
steps; the student names the activity of each step. :func:`check_stream` marks
every step and explains it; :func:`flow_data` turns the chosen activities into
the nodes and links of an ordered flow, coloured with the
colour-blind-safe Okabe-Ito palette and labelled so colour is never the only cue.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..activities import ACTIVITIES, normalise_activity

PALETTE: dict[str, str] = {
    "plan": "#0072B2",
    "improve": "#009E73",
    "engage": "#E69F00",
    "design and transition": "#CC79A7",
    "obtain/build": "#56B4E9",
    "deliver and support": "#D55E00",
}
"""One Okabe-Ito colour per activity (Okabe & Ito 2008, colour-blind safe)."""

UNANSWERED_COLOUR = "#999999"


@dataclass(frozen=True)
class StepResult:
    """One step checked: what was chosen, what was expected and why."""

    number: int
    step_id: str
    text: str
    given: str | None
    expected: str
    explanation: str

    @property
    def ok(self) -> bool:
        """Whether the chosen activity is the expected one."""
        return self.given == self.expected

    @property
    def mark(self) -> str:
        """``[OK]``, ``[WRONG]`` or ``[MISSING]`` (no activity chosen)."""
        if self.given is None:
            return "[MISSING]"
        return "[OK]" if self.ok else "[WRONG]"

    @property
    def line(self) -> str:
        """The verdict for this step in one line of text."""
        if self.given is None:
            head = f"no activity chosen; it is {self.expected}."
        elif self.ok:
            head = f"{self.given} is correct."
        else:
            head = f"you chose {self.given}; it is {self.expected}."
        return f"{self.mark} Step {self.number}: {head} {self.explanation}"


def _choice(raw: Any, story_id: str, step_id: str) -> str | None:
    if raw is None or raw == "":
        return None
    try:
        return normalise_activity(raw)
    except ValueError as exc:
        raise ValueError(f"story {story_id!r}, step {step_id!r}: {exc}") from None


def check_stream(story: Any, choices: Mapping[str, str | None]) -> list[StepResult]:
    """Mark every step of ``story`` given ``choices`` (step id -> activity or None).

    Unknown step ids or activity names raise ``ValueError`` naming the story and step.

    >>> from types import SimpleNamespace as S
    >>> story = S(id="s", steps=(S(id="a", text="Set goals", activity="plan", explanation="Direction."),
    ...                          S(id="b", text="Run it", activity="deliver and support", explanation="Operations.")))
    >>> [r.mark for r in check_stream(story, {"a": "plan", "b": "improve"})]
    ['[OK]', '[WRONG]']
    """
    step_ids = [s.id for s in story.steps]
    unknown = [k for k in choices if k not in step_ids]
    if unknown:
        raise ValueError(f"story {story.id!r}: no step with id {unknown[0]!r}; steps: {', '.join(step_ids)}")
    return [
        StepResult(
            i,
            s.id,
            s.text,
            _choice(choices.get(s.id), story.id, s.id),
            normalise_activity(s.activity),
            s.explanation,
        )
        for i, s in enumerate(story.steps, start=1)
    ]


def stream_summary(results: Sequence[StepResult]) -> str:
    """The score in words, e.g. ``4 / 6 steps right``.

    >>> stream_summary([])
    '0 / 0 steps right'
    """
    right = sum(r.ok for r in results)
    return f"{right} / {len(results)} steps right"


def flow_data(activities: Sequence[str | None]) -> dict[str, list]:
    """Nodes and links of an ordered flow through ``activities`` (one per step).

    Node ``i`` is step ``i + 1`` labelled with its activity ("?" when none was
    chosen); link ``i`` joins step ``i + 1`` to step ``i + 2`` and takes the
    colour of its source activity. The view draws the nodes as labelled markers in
    step order joined by a line; the same data also fits ``plotly.graph_objects.Sankey``.

    >>> d = flow_data(["plan", "engage", None])
    >>> d["labels"], d["source"], d["target"]
    (['1. plan', '2. engage', '3. ?'], [0, 1], [1, 2])
    """
    names = [normalise_activity(a) if a else None for a in activities]
    labels = [f"{i}. {a or '?'}" for i, a in enumerate(names, start=1)]
    colours = [PALETTE[a] if a else UNANSWERED_COLOUR for a in names]
    n = len(names)
    return {
        "labels": labels,
        "colours": colours,
        "source": list(range(n - 1)),
        "target": list(range(1, n)),
        "value": [1] * max(n - 1, 0),
        "link_colours": [_fade(c) for c in colours[:-1]],
    }


def _fade(hex_colour: str, alpha: float = 0.45) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def legend_text() -> str:
    """The palette in words, for readers who do not see the colours."""
    return "; ".join(f"{a}: {PALETTE[a]}" for a in ACTIVITIES)
