"""Item analysis: how hard each exercise was and how well it separates strong from weak students.

Pure functions on lists of numbers, one value per student, in the same order.
An item's score is the *fraction* of its points a student earned (0..1; partial
credit allowed).

* **Difficulty** (the classical p-value): the mean fraction of points among the
  students who answered the item (blanks left out). High is easy; 0.3 means
  students who tried got 30% of the points on average.
* **Discrimination, r** (corrected item-total correlation): the Pearson
  correlation between the item's fraction and the *rest score* (the student's
  autograded points on the other items), over every graded student, blanks
  scoring 0. For an item scored right/wrong this is the point-biserial
  correlation. Above 0.3 separates well; near 0 or negative flags a
  misleading item or key.
* **Discrimination, D** (upper-lower index): the item's mean fraction in the
  upper 27% of students by total autograded score minus that in the lower 27%
  (group size ``max(1, round(0.27 n))``; ties in the total broken by the order
  the students are given in).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = ["difficulty", "pearson", "item_rest_correlation", "upper_lower", "UPPER_LOWER_SHARE"]

UPPER_LOWER_SHARE = 0.27


def difficulty(fractions: Sequence[float]) -> float | None:
    """Mean fraction of points among those who answered (None when nobody did).

    >>> difficulty([1.0, 0.5, 0.0])
    0.5
    """
    return sum(fractions) / len(fractions) if fractions else None


def pearson(x: Sequence[float], y: Sequence[float]) -> float | None:
    """Pearson correlation of two equally long sequences (None when either does not vary).

    >>> round(pearson([1, 2, 3], [2, 4, 7]), 4)
    0.9934
    """
    if len(x) != len(y):
        raise ValueError(f"pearson: {len(x)} values against {len(y)}")
    n = len(x)
    if n < 2:
        return None
    mx, my = sum(x) / n, sum(y) / n
    sxx = sum((a - mx) ** 2 for a in x)
    syy = sum((b - my) ** 2 for b in y)
    if sxx <= 1e-15 or syy <= 1e-15:
        return None
    sxy = sum((a - mx) * (b - my) for a, b in zip(x, y))
    return sxy / math.sqrt(sxx * syy)


def item_rest_correlation(item: Sequence[float], rest: Sequence[float]) -> float | None:
    """Corrected item-total correlation: ``item`` fractions against ``rest`` scores (points on other items)."""
    return pearson(item, rest)


def upper_lower(item: Sequence[float], totals: Sequence[float], share: float = UPPER_LOWER_SHARE) -> float | None:
    """Upper-lower discrimination index D (None with fewer than two students).

    >>> upper_lower([1, 1, 0, 0], [9, 7, 5, 1])  # groups of round(0.27 x 4) = 1
    1.0
    """
    if len(item) != len(totals):
        raise ValueError(f"upper_lower: {len(item)} item scores against {len(totals)} totals")
    n = len(item)
    if n < 2:
        return None
    k = max(1, round(share * n))
    k = min(k, n // 2)
    order = sorted(range(n), key=lambda i: (-totals[i], i))
    upper, lower = order[:k], order[n - k:]
    return sum(item[i] for i in upper) / k - sum(item[i] for i in lower) / k
