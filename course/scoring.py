"""Credit rules shared by the graded checks and the practice widgets."""

from __future__ import annotations

from collections.abc import Iterable


def activity_credit(given: Iterable[str], expected: Iterable[str]) -> float:
    """Credit for naming ``given`` activities when ``expected`` are the primary ones.

    ``|given & expected| / max(|given|, |expected|)``: an exact match is 1; one of
    two primary activities, alone or beside a wrong one, is 0.5; nothing right is 0.
    Names must already be canonical (see :func:`course.activities.normalise_activity`).

    >>> activity_credit({"plan"}, {"plan", "engage"})
    0.5
    >>> activity_credit({"plan", "engage"}, {"engage", "plan"})
    1.0
    """
    g, e = set(given), set(expected)
    if not g or not e:
        return 0.0
    return len(g & e) / max(len(g), len(e))


def verdict(credit: float) -> str:
    """Name a credit as the feedback word students see: correct, partly right or wrong.

    >>> verdict(0.5)
    'partly right'
    """
    if credit >= 1.0:
        return "correct"
    return "partly right" if credit > 0 else "wrong"
