"""Checks used in the notebooks' test cells, for self-checking and for grading.

Each helper takes the answer's *name* (as a string) and its *value*. It runs in
two places:

* In the student's kernel it prints one short verdict with its hint:
  ``[OK]`` (right), ``[PARTLY]``, ``[WRONG]``, or ``[FORM OK]`` when it only
  checked the form of an answer whose value is graded later. In the student's
  own JupyterLab it never raises, so "Run All" reaches the end of a notebook
  with unanswered exercises. Under ``nbgrader validate`` and autograding
  (``NBGRADER_VALIDATING`` / ``NBGRADER_EXECUTION`` set) it raises
  :class:`CheckFailed` unless the answer is fully right, so validation still
  fails; while autograding it also reports the answer as tagged JSON (see
  :mod:`course.answers`) for the trusted grader.
* In the trusted grader (:mod:`course.grading.trusted`) the whole test cell,
  hidden tests included, runs again outside the kernel with each name bound to
  the value the kernel reported. There the helpers report nothing and record
  the fraction of credit earned for that answer name; a student's patched
  helper or an object that claims to equal everything never reaches this side.
  A cell with several answers gives each its share (see
  :func:`course.grading.trusted.run_test_cell`).

So a test cell looks like::

    \"\"\"MTTR over resolved incidents, in hours.\"\"\"
    from course import checks
    checks.number("mttr_hours", mttr_hours, lower=0, hint="Drop open incidents first.")
    ### BEGIN HIDDEN TESTS
    from course import data, metrics
    checks.number("mttr_hours", mttr_hours, expected=metrics.mttr(data.load("incidents")))
    ### END HIDDEN TESTS

Every name used by the hidden part must be reported by a helper in the visible
part of the same cell.
"""

from __future__ import annotations

import contextvars
import math
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .activities import ACTIVITIES, normalise_activity
from .answers import NOT_REPORTED, Unsupported, report_payload
from .scoring import activity_credit

__all__ = [
    "CheckFailed",
    "report",
    "activity_map",
    "choice_map",
    "number",
    "equal",
    "mapping",
    "choices",
    "expect",
]


class CheckFailed(AssertionError):
    """An answer that is wrong or only partly right; the message says why."""


@dataclass
class TrustedContext:
    """Collects the credit earned by the helpers run in the trusted grader.

    ``fractions`` holds ``(answer name, fraction)`` for every check that ran.
    """

    fractions: list[tuple[str, float]] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)


_TRUSTED: contextvars.ContextVar[TrustedContext | None] = contextvars.ContextVar(
    "svc_course_trusted", default=None
)


FORM_ONLY = "form OK:"
"""A check message starting with this only vouches for an answer's form (its value is graded later)."""


def _grading() -> bool:
    """Whether this kernel runs under ``nbgrader validate`` or autograding (checks must raise there)."""
    return bool(os.environ.get("NBGRADER_VALIDATING") or os.environ.get("NBGRADER_EXECUTION"))


def _report(name: str, value: Any) -> None:
    if _TRUSTED.get() is not None or os.environ.get("NBGRADER_EXECUTION") != "autograde":
        return  # only an autograding kernel reports answers; students see verdicts, not reports
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # plain Python: nothing to report to
        return
    if get_ipython() is not None:
        display(report_payload(name, value), raw=True)


def verdict_text(name: str, fraction: float, message: str, hint: str = "", *, form_only: bool = False) -> str:
    """The one-line verdict (and hint) a check prints.

    >>> verdict_text("x", 0.0, "3.0 is not the expected value.", "Drop open incidents.")
    '[WRONG] x: 3.0 is not the expected value.\\nHint: Drop open incidents.'
    >>> verdict_text("m", 1.0, "10 answers, each one or two activities.", form_only=True)
    '[FORM OK] m: 10 answers, each one or two activities. Graded later.'
    """
    if fraction >= 1.0:
        if form_only or message.startswith(FORM_ONLY):
            text = message.removeprefix(FORM_ONLY).strip()
            return f"[FORM OK] {name}: {text} Graded later."
        return f"[OK] {name}: {message}"
    if message.startswith(FORM_ONLY):
        message = "not in the expected form; expected " + message.removeprefix(FORM_ONLY).strip()
    text = f"[PARTLY] {name}: {message}" if fraction > 0 else f"[WRONG] {name}: {message}"
    if hint:
        text += f"\nHint: {hint}"
    return text


def _finish(name: str, fraction: float, message: str, hint: str = "", *, form_only: bool = False) -> None:
    """Record (trusted grader) or print (kernel) the verdict.

    In the trusted grader the fraction is recorded for ``name`` and nothing is
    raised, so the other answers of the cell are still checked. In a kernel the
    verdict is printed; under ``nbgrader validate`` or autograding a verdict
    that is not fully right raises :class:`CheckFailed` instead (its message is
    the verdict, printed once).
    """
    __tracebackhide__ = True  # IPython leaves this helper's frames out of tracebacks
    fraction = max(0.0, min(1.0, float(fraction)))
    text = verdict_text(name, fraction, message, hint, form_only=form_only)
    ctx = _TRUSTED.get()
    if ctx is not None:
        ctx.fractions.append((name, fraction))
        ctx.messages.append(text)
        return None
    if fraction < 1.0 and _grading():
        raise CheckFailed(text)
    print(text)
    return None


def _type_hint(problem: str) -> str:
    """The only hint worth giving when an answer has the wrong type: how to fix the type."""
    if problem.startswith(("no answer yet", "no answer named")):
        return ""
    return "Give the value as the plain Python type asked for."


def report(name: str, value: Any) -> None:
    """Report an answer for grading without checking it (no credit of its own)."""
    _report(name, value)


def _type_problem(value: Any, kinds: tuple[type, ...], name: str = "") -> str | None:
    if type(value) in kinds:
        return None
    if value is None:
        return "no answer yet (it is still None)"
    if value is NOT_REPORTED:
        return (f"no answer named '{name}' was reported: the answer cell did not define it, "
                "or the notebook stopped before this check ran")
    if isinstance(value, Unsupported):
        got = value.type_name
    else:
        got = type(value).__module__ + "." + type(value).__qualname__
        got = got.removeprefix("builtins.")
    want = " or ".join(k.__name__ for k in kinds)
    fix = f" (wrap it: {kinds[0].__name__}(...))" if kinds[0] in (float, int, str) else ""
    return f"expected a plain {want}, got {got}{fix}"


def number(
    name: str,
    value: Any,
    *,
    expected: float | None = None,
    rel: float = 1e-6,
    abs_tol: float = 1e-9,
    lower: float | None = None,
    upper: float | None = None,
    kinds: tuple[type, ...] = (float,),
    hint: str = "",
) -> None:
    """Check a numeric answer: its exact type, its range and (optionally) its value.

    ``expected`` NaN means the answer must be NaN ("no data").

    >>> import math
    >>> number("x", 2.0, expected=2.0000000001)
    [OK] x: 2.0 is correct.
    """
    __tracebackhide__ = True
    _report(name, value)
    problem = _type_problem(value, kinds, name)
    if problem:
        return _finish(name, 0.0, problem, _type_hint(problem))
    if expected is not None and isinstance(expected, float) and math.isnan(expected):
        if math.isnan(value):
            return _finish(name, 1.0, "NaN is correct: there is no data to measure.")
        return _finish(name, 0.0, f"{value!r} should be NaN: there is no data to measure.", hint)
    if math.isnan(value) or math.isinf(value):
        return _finish(name, 0.0, f"{value!r} is not a finite number.", hint)
    if lower is not None and value < lower:
        return _finish(name, 0.0, f"{value!r} is below the lowest possible value {lower}.", hint)
    if upper is not None and value > upper:
        return _finish(name, 0.0, f"{value!r} is above the highest possible value {upper}.", hint)
    if expected is None:
        return _finish(name, 1.0, f"{value!r} has the right type and range.", form_only=True)
    if math.isclose(float(value), float(expected), rel_tol=rel, abs_tol=abs_tol):
        return _finish(name, 1.0, f"{value!r} is correct.")
    return _finish(name, 0.0, f"{value!r} is not the expected value.", hint)


def _same(a: Any, b: Any) -> bool:
    """Equality that also requires identical builtin types, recursively."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return bool(a == b)


def equal(name: str, value: Any, expected: Any, *, hint: str = "") -> None:
    """Check that ``value`` equals ``expected`` with the same builtin types throughout.

    >>> equal("order", ["a", "b"], ["a", "b"])
    [OK] order: correct.
    """
    __tracebackhide__ = True
    _report(name, value)
    problem = _type_problem(value, (type(expected),), name)
    if problem:
        return _finish(name, 0.0, problem, _type_hint(problem))
    if _same(value, expected):
        return _finish(name, 1.0, "correct.")
    return _finish(name, 0.0, "not the expected answer.", hint)


def _activity_set(raw: Any) -> tuple[set[str] | None, str]:
    items = [raw] if isinstance(raw, str) else raw
    if type(items) not in (list, tuple, set) or not items:
        return None, "give one activity name or a list of one or two names"
    out: set[str] = set()
    for item in items:
        try:
            out.add(normalise_activity(item))
        except ValueError:
            return None, f"{str(item)[:40]!r} is not one of the six activities"
    if len(out) > 2:
        return None, "name at most two activities"
    return out, ""


def mapping(
    name: str,
    value: Any,
    key: Mapping[str, Iterable[str]],
    *,
    partial: bool = True,
    hint: str = "",
) -> None:
    """Check a dict of scenario id -> activity (or list of one or two activities).

    Each scenario scores ``|given & key| / max(|given|, |key|)``: exact is 1;
    one of two primary activities, alone or beside a wrong one, is 0.5. Without
    ``partial`` only an exact match counts. The fraction is the mean over ``key``.

    >>> mapping("m", {"A": "deliver and support"}, {"A": ["deliver and support"]})
    [OK] m: 1 of 1 scenarios fully right.
    """
    __tracebackhide__ = True
    _report(name, value)
    if isinstance(value, Unsupported) or type(value) is not dict:
        problem = _type_problem(value, (dict,), name) or "expected a dict"
        return _finish(name, 0.0, problem, _type_hint(problem))
    missing = [k for k in key if k not in value]
    extra = [k for k in value if k not in key]
    total = 0.0
    notes: list[str] = []
    full = 0
    not_right: list[str] = []
    for sid, expected in key.items():
        want = {normalise_activity(a) for a in expected}
        if sid not in value:
            continue
        given, problem = _activity_set(value[sid])
        if given is None:
            notes.append(f"{sid}: {problem}")
            not_right.append(str(sid))
            continue
        score = activity_credit(given, want)
        if score >= 1:
            full += 1
        else:
            not_right.append(str(sid))
            if not partial:
                score = 0.0
        total += score
    fraction = total / len(key) if key else 0.0
    message = f"{full} of {len(key)} scenarios fully right."
    if not_right:
        message += f" Not fully right: {', '.join(not_right)}."
    if missing:
        message += f" Missing: {', '.join(map(str, missing[:10]))}."
    if extra:
        message += f" Not asked: {', '.join(map(str, extra[:10]))}."
    if notes:
        message += " " + "; ".join(notes[:10]) + "."
    return _finish(name, fraction, message, hint)


def activity_map(name: str, value: Any, ids: Iterable[str], *, hint: str = "") -> None:
    """Check the shape of a mapping answer: exactly these ids, each one or two activity names.

    For the visible part of a test cell: it says what is malformed without
    revealing the key (the hidden part then calls :func:`mapping`).

    >>> activity_map("m", {"A": "plan", "B": ["engage", "improve"]}, ["A", "B"])
    [FORM OK] m: 2 answers, each naming one or two of the six activities. Graded later.
    """
    __tracebackhide__ = True
    _report(name, value)
    ids = list(ids)
    if isinstance(value, Unsupported) or type(value) is not dict:
        return _finish(name, 0.0, _type_problem(value, (dict,), name) or "expected a dict", hint)
    missing = [k for k in ids if k not in value]
    extra = [k for k in value if k not in ids]
    if missing or extra:
        parts = []
        if missing:
            parts.append("missing ids: " + ", ".join(map(str, missing[:10])))
        if extra:
            parts.append("ids not asked: " + ", ".join(map(str, extra[:10])))
        return _finish(name, 0.0, "; ".join(parts) + ".", hint)
    for sid in ids:
        given, problem = _activity_set(value[sid])
        if given is None:
            return _finish(name, 0.0, f"{sid}: {problem}.", hint or "Use the six names: " + ", ".join(ACTIVITIES))
    return _finish(name, 1.0, f"{len(ids)} answers, each naming one or two of the six activities.", form_only=True)


def choice_map(name: str, value: Any, ids: Iterable[str], *, letters: str = "ABCD", hint: str = "") -> None:
    """Check the shape of a quiz answer: exactly these question ids, each one letter.

    >>> choice_map("quiz", {"q1": "b"}, ["q1"])
    [FORM OK] quiz: 1 answers, each one of A, B, C, D. Graded later.
    """
    __tracebackhide__ = True
    _report(name, value)
    ids = list(ids)
    if isinstance(value, Unsupported) or type(value) is not dict:
        return _finish(name, 0.0, _type_problem(value, (dict,), name) or "expected a dict", hint)
    missing = [k for k in ids if k not in value]
    extra = [k for k in value if k not in ids]
    bad = [
        k
        for k in ids
        if k in value and not (type(value[k]) is str and len(value[k].strip()) == 1 and value[k].strip().upper() in letters)
    ]
    if missing or extra or bad:
        parts = []
        if missing:
            parts.append("unanswered: " + ", ".join(map(str, missing[:10])))
        if extra:
            parts.append("not asked: " + ", ".join(map(str, extra[:10])))
        if bad:
            parts.append("not a single letter " + "/".join(letters) + ": " + ", ".join(map(str, bad[:10])))
        return _finish(name, 0.0, "; ".join(parts) + ".", hint)
    return _finish(name, 1.0, f"{len(ids)} answers, each one of {', '.join(letters)}.", form_only=True)


def choices(name: str, value: Any, key: Mapping[str, str], *, hint: str = "") -> None:
    """Check a dict of question id -> option letter; credit is the share right.

    >>> choices("quiz", {"q1": "b"}, {"q1": "B"})
    [OK] quiz: 1 of 1 answers right.
    """
    __tracebackhide__ = True
    _report(name, value)
    if isinstance(value, Unsupported) or type(value) is not dict:
        problem = _type_problem(value, (dict,), name) or "expected a dict"
        return _finish(name, 0.0, problem, _type_hint(problem))
    right = 0
    not_right: list[str] = []
    for qid, letter in key.items():
        given = value.get(qid)
        if type(given) is str and given.strip().upper() == str(letter).upper():
            right += 1
        elif qid in value:
            not_right.append(str(qid))
    message = f"{right} of {len(key)} answers right."
    if not_right:
        message += f" Not right: {', '.join(not_right)}."
    missing = [q for q in key if q not in value]
    if missing:
        message += f" Unanswered: {', '.join(missing[:10])}."
    return _finish(name, right / len(key) if key else 0.0, message, hint)


def expect(condition: bool, message: str, *, name: str = "check", hint: str = "") -> None:
    """A free-form check: full credit when ``condition`` is exactly ``True``.

    A ``message`` that starts with ``"form OK:"`` marks a check of the answer's
    form only (printed as ``[FORM OK] ... Graded later.`` when it passes).

    >>> expect(True, "form OK: a list of two names.", name="pair")
    [FORM OK] pair: a list of two names. Graded later.
    """
    __tracebackhide__ = True
    if condition is True:
        return _finish(name, 1.0, message)
    return _finish(name, 0.0, message, hint)


def activities() -> tuple[str, ...]:
    """The six activity names, for hints and keys in test cells."""
    return ACTIVITIES
