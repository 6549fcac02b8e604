"""Checking which value chain activities a scenario shows, with feedback in words.

A student reads a short scenario and names the one or two activities it mainly
shows. :func:`check_mapping` scores that choice with the same credit rule as the
graded checks (:func:`course.scoring.activity_credit`) and explains it: the
verdict in words, the scenario's explanation, its cue words, and for every
activity chosen wrongly what that activity is for. :class:`MappingSession` walks
through several scenarios, keeps a running score and prints the answers as a
Python dict literal to paste into a graded cell.

A scenario marked ``graded`` is only ever shown and recorded: its key fields
(``activities``, ``cue_words``, ``explanation``) are never read, so the public
bank may leave them empty.

Scenarios are any objects with the attributes of :class:`course.banks.Scenario`
(``id``, ``context``, ``text``, ``activities``, ``cue_words``, ``explanation``
and, optionally, ``graded``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from ..activities import ACTIVITIES, normalise_activity
from ..scoring import activity_credit, verdict

ACTIVITY_PURPOSE: dict[str, str] = {
    "plan": "plan sets direction: a shared vision, current status and priorities for all products and services",
    "improve": "improve raises performance: continual improvement of products, services and practices across all activities",
    "engage": "engage connects with stakeholders: understanding their needs, transparency and continual communication",
    "design and transition": "design and transition shapes services: designing them and moving them into use so they meet expectations for quality, cost and time to market",
    "obtain/build": "obtain/build provides components: acquiring or creating service components that meet agreed specifications",
    "deliver and support": "deliver and support runs operations: delivering and supporting live services as agreed (incidents, requests, monitoring)",
}
"""One sentence per activity on what it is for, used to explain a wrong choice."""

MARKS: dict[str, str] = {"correct": "[OK]", "partly right": "[PARTLY]", "wrong": "[WRONG]"}
"""The text mark shown with each verdict, so feedback never relies on colour."""


class ScenarioLike(Protocol):
    """What the mapper needs from a scenario (see :class:`course.banks.Scenario`)."""

    id: str
    context: str
    text: str
    activities: Sequence[str]
    cue_words: Sequence[str]
    explanation: str


@dataclass(frozen=True)
class MappingResult:
    """The outcome of one mapping: credit, verdict and the feedback text."""

    scenario_id: str
    given: tuple[str, ...]
    expected: tuple[str, ...]
    credit: float
    verdict: str
    feedback: str

    @property
    def mark(self) -> str:
        """The text mark for the verdict: ``[OK]``, ``[PARTLY]`` or ``[WRONG]``."""
        return MARKS[self.verdict]


def normalise_choice(given: str | Iterable[str]) -> tuple[str, ...]:
    """Return one or two distinct canonical activity names, in the six's order.

    Raises ``ValueError`` when nothing, more than two, or an unknown name is given.

    >>> normalise_choice(["Deliver & Support", "plan"])
    ('plan', 'deliver and support')
    """
    items = [given] if isinstance(given, str) else list(given)
    names = {normalise_activity(item) for item in items}
    if not names:
        raise ValueError("choose one or two activities, got none")
    if len(names) > 2:
        raise ValueError(f"choose at most two activities, got {len(names)}: {', '.join(sorted(names))}")
    return tuple(a for a in ACTIVITIES if a in names)


def check_mapping(scenario: ScenarioLike, given: str | Iterable[str]) -> MappingResult:
    """Score ``given`` activities for ``scenario`` and explain the verdict.

    >>> from types import SimpleNamespace as S
    >>> sc = S(id="A", context="university", text="The app is down; the service desk restores service.",
    ...        activities=("deliver and support",), cue_words=("service desk", "restores service"),
    ...        explanation="Restoring a live service is day-to-day operations.")
    >>> r = check_mapping(sc, ["plan"])
    >>> r.verdict, r.mark
    ('wrong', '[WRONG]')
    >>> print(r.feedback.splitlines()[0])
    [WRONG] wrong: you chose plan; the answer is deliver and support.
    """
    chosen = normalise_choice(given)
    expected = tuple(normalise_activity(a) for a in scenario.activities)
    credit = activity_credit(chosen, expected)
    word = verdict(credit)
    lines = [f"{MARKS[word]} {word}: you chose {' + '.join(chosen)}; the answer is {' + '.join(expected)}."]
    lines.append(scenario.explanation.strip())
    cues = [str(c) for c in scenario.cue_words]
    if cues:
        lines.append("Cue words: " + ", ".join(f'"{c}"' for c in cues) + ".")
    for name in chosen:
        if name not in expected:
            lines.append(f"Why not {name}? {ACTIVITY_PURPOSE[name].capitalize()}; that is not what this scenario is mainly about.")
    missed = [a for a in expected if a not in chosen]
    if missed and credit > 0:
        lines.append("Also part of it: " + ", ".join(missed) + ".")
    return MappingResult(scenario.id, chosen, expected, credit, word, "\n".join(lines))


PRACTICE_NAME = "practice_mapping"
"""The name "Show as code" uses for practice answers when the notebook asks for none."""

GRADED_NAME = "graded_mapping"
"""The name "Show as code" uses for graded answers when the notebook asks for none."""


def check_name(answer_name: str) -> str:
    """Return ``answer_name`` if it can be assigned to in Python, else raise ``ValueError``.

    >>> check_name("graded_mapping")
    'graded_mapping'
    """
    import keyword

    if not isinstance(answer_name, str) or not answer_name.isidentifier() or keyword.iskeyword(answer_name):
        raise ValueError(f"answer_name must be a Python variable name, got {answer_name!r}")
    return answer_name


def mapping_code(
    answers: dict[str, Sequence[str]], answer_name: str = PRACTICE_NAME, pending: Sequence[str] = ()
) -> str:
    """Return ``answers`` as a Python assignment to paste into a code cell, one entry per line.

    One activity is written as a string, two as a list (the form the graded
    cells ask for). Ids in ``pending`` (not answered yet) are listed as comment
    lines, so the student sees what is missing. Every line is short, so the
    code never wraps in the middle of a word.

    >>> print(mapping_code({"A": ["deliver and support"], "B": ["obtain/build", "design and transition"]},
    ...                    "graded_mapping", pending=["C"]))
    graded_mapping = {
        "A": "deliver and support",
        "B": ["obtain/build", "design and transition"],
        # "C": not answered yet
    }
    >>> mapping_code({})
    'practice_mapping = {}'
    """
    check_name(answer_name)
    lines = []
    for sid, acts in answers.items():
        acts = list(acts)
        value = json.dumps(acts[0]) if len(acts) == 1 else "[" + ", ".join(json.dumps(a) for a in acts) + "]"
        lines.append(f"    {json.dumps(str(sid))}: {value},")
    lines += [f"    # {json.dumps(str(sid))}: not answered yet" for sid in pending]
    if not lines:
        return f"{answer_name} = {{}}"
    return "\n".join([f"{answer_name} = {{", *lines, "}"])


class MappingSession:
    """A walk through scenarios: answer, move on, keep score, export as code.

    Answers to scenarios marked ``graded`` are recorded with :meth:`record`,
    never checked nor counted in the score, so the practice tool never gives
    away a graded answer (and never reads a graded scenario's key).
    ``choices`` (scenario id to activities) can be restored from a previous
    session; practice choices restored are checked again for the score.

    >>> from types import SimpleNamespace as S
    >>> mk = lambda i, acts: S(id=i, context="c", text="t", activities=acts, cue_words=(), explanation="e")
    >>> s = MappingSession([mk("A", ("plan",)), mk("B", ("engage", "plan"))])
    >>> s.answer(["plan"]).verdict
    'correct'
    >>> s.next(); s.answer(["plan"]).verdict
    'partly right'
    >>> s.score_text()
    '1 / 2 correct, 1 partly'
    """

    def __init__(self, scenarios: Sequence[Any], choices: dict[str, Any] | None = None):
        if not scenarios:
            raise ValueError("a mapping session needs at least one scenario")
        self.scenarios = list(scenarios)
        self.index = 0
        self.choices: dict[str, tuple[str, ...]] = {}
        self.results: dict[str, MappingResult] = {}
        ids = {s.id for s in self.scenarios}
        for sid, given in (choices or {}).items():
            if sid not in ids:
                continue
            try:
                chosen = normalise_choice(given)
            except (TypeError, ValueError):
                continue  # a stored choice that is no longer valid is dropped, never fatal
            scenario = self._by_id(sid)
            if self.is_graded(scenario):
                self.choices[sid] = chosen
            else:
                result = check_mapping(scenario, chosen)
                self.choices[sid] = result.given
                self.results[sid] = result
        unanswered = [i for i, s in enumerate(self.scenarios) if s.id not in self.choices]
        self.index = unanswered[0] if unanswered else 0

    @property
    def current(self) -> Any:
        """The scenario on show."""
        return self.scenarios[self.index]

    @property
    def position_text(self) -> str:
        """Where the student is, e.g. ``Scenario 2 of 5``."""
        return f"Scenario {self.index + 1} of {len(self.scenarios)}"

    def is_graded(self, scenario: Any | None = None) -> bool:
        """Whether ``scenario`` (default: the current one) is graded elsewhere."""
        return bool(getattr(scenario if scenario is not None else self.current, "graded", False))

    def answer(self, given: str | Iterable[str]) -> MappingResult:
        """Check and record the answer to the current (practice) scenario and return its result.

        A graded scenario is refused with ``ValueError``: use :meth:`record`.
        """
        if self.is_graded():
            raise ValueError(f"scenario {self.current.id!r} is graded: it is recorded, never checked here")
        result = check_mapping(self.current, given)
        self.choices[self.current.id] = result.given
        self.results[self.current.id] = result
        return result

    def record(self, given: str | Iterable[str]) -> tuple[str, ...]:
        """Record a choice for the current scenario without checking it; return it normalised.

        An empty choice removes the record. This is how graded scenarios are answered.
        """
        sid = self.current.id
        items = [given] if isinstance(given, str) else list(given)
        if not items:
            self.choices.pop(sid, None)
            self.results.pop(sid, None)
            return ()
        chosen = normalise_choice(items)
        self.choices[sid] = chosen
        self.results.pop(sid, None)
        return chosen

    def pending(self) -> list[str]:
        """Ids of the scenarios without a recorded answer, in order."""
        return [s.id for s in self.scenarios if s.id not in self.choices]

    def next(self) -> None:
        """Move to the next scenario, wrapping round after the last."""
        self.index = (self.index + 1) % len(self.scenarios)

    def score(self) -> tuple[int, int, int]:
        """Return ``(correct, partly, answered)`` over the non-graded scenarios answered."""
        counted = [r for sid, r in self.results.items() if not self.is_graded(self._by_id(sid))]
        correct = sum(r.verdict == "correct" for r in counted)
        partly = sum(r.verdict == "partly right" for r in counted)
        return correct, partly, len(counted)

    def score_text(self) -> str:
        """The running score in words, e.g. ``3 / 5 correct, 1 partly``."""
        correct, partly, answered = self.score()
        text = f"{correct} / {answered} correct, {partly} partly"
        graded = self.graded_recorded()
        if graded:
            text += f"; {graded} graded answer{'s' if graded != 1 else ''} recorded"
        return text

    def graded_recorded(self) -> int:
        """How many graded scenarios have a recorded choice."""
        return sum(self.is_graded(self._by_id(sid)) for sid in self.choices)

    def as_code(self, answer_name: str = PRACTICE_NAME) -> str:
        """The answers so far, in scenario order, as a Python dict assignment (unanswered ids as comments)."""
        ordered = {s.id: self.choices[s.id] for s in self.scenarios if s.id in self.choices}
        return mapping_code(ordered, answer_name, self.pending())

    def _by_id(self, sid: str) -> Any:
        for s in self.scenarios:
            if s.id == sid:
                return s
        raise KeyError(sid)
