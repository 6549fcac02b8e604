"""The report's pure parts, on constructed data: item statistics, the mistake catalogue, the truth of a test cell."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest

from course.grading import itemstats, mistakes
from course.grading.expected import checked_names, expectations
from course.grading.report import confusion_sentence, is_blank

REPO = Path(__file__).resolve().parent.parent


def test_difficulty_is_the_mean_fraction_among_those_who_answered() -> None:
    assert itemstats.difficulty([1.0, 0.5, 0.25, 0.25]) == 0.5
    assert itemstats.difficulty([]) is None


def test_item_rest_correlation_by_hand() -> None:
    # item fractions 1, 1, 0, 0 (means 0.5); rest scores 8, 6, 4, 2 (mean 5)
    # deviations: item +.5 +.5 -.5 -.5; rest +3 +1 -1 -3
    # sum of products = 1.5 + .5 + .5 + 1.5 = 4; sum sq item = 1; sum sq rest = 20
    # r = 4 / sqrt(1 x 20) = 0.894427...
    r = itemstats.item_rest_correlation([1, 1, 0, 0], [8, 6, 4, 2])
    assert r == pytest.approx(4 / math.sqrt(20))
    # an item that everybody got right does not vary: no correlation
    assert itemstats.item_rest_correlation([1, 1, 1], [3, 2, 1]) is None
    # an item the weak get right and the strong wrong discriminates negatively
    assert itemstats.item_rest_correlation([0, 0, 1, 1], [8, 6, 4, 2]) == pytest.approx(-4 / math.sqrt(20))


def test_upper_lower_index_by_hand() -> None:
    # 10 students: groups of round(0.27 x 10) = 3
    totals = [10, 9, 8, 7, 6, 5, 4, 3, 2, 1]
    item = [1, 1, 0.5, 0, 1, 0, 0, 0, 1, 0]
    # top 3: 1, 1, 0.5 (mean 2.5 / 3); bottom 3: 0, 1, 0 (mean 1 / 3)
    assert itemstats.upper_lower(item, totals) == pytest.approx(2.5 / 3 - 1 / 3)
    # ties in the total: broken by the order the students are given in
    assert itemstats.upper_lower([1, 0, 0, 1], [5, 5, 5, 5]) == pytest.approx(1 - 1)
    assert itemstats.upper_lower([1], [3]) is None


def _column(table: str, name: str) -> list[str]:
    with (REPO / "data" / f"{table}.csv").open(newline="") as fh:
        return [row[name] for row in csv.DictReader(fh)]


def test_mistakes_are_computed_from_the_data() -> None:
    csat = [float(v) for v in _column("surveys", "csat_score") if v]
    by_label = {v.label: v.value() for v in mistakes.variants("csat_pct")}
    assert by_label["CSAT as the mean score instead of the share of 4-5"] == pytest.approx(sum(csat) / len(csat))
    assert by_label["3 counted as satisfied (share of 3-5)"] == pytest.approx(100 * sum(c >= 3 for c in csat) / len(csat))
    status = _column("builds", "status")
    cancelled_kept = 100 * status.count("passed") / len(status)
    assert mistakes.variants("build_success_pct")[0].value() == pytest.approx(cancelled_kept)
    nps = [float(v) for v in _column("surveys", "nps_score") if v]
    six_passive = 100 * (sum(s >= 9 for s in nps) - sum(s < 6 for s in nps)) / len(nps)
    assert mistakes.variants("nps_value")[0].value() == pytest.approx(six_passive)
    assert mistakes.variants("change_days_in_system")[0].value() == pytest.approx(15 / 45)


def test_match_names_the_mistake_within_a_tolerance() -> None:
    mean = mistakes.variants("csat_pct")[0].value()
    assert mistakes.match("csat_pct", round(mean, 3), 64.6) == "CSAT as the mean score instead of the share of 4-5"
    assert mistakes.match("csat_pct", 0.646, 64.6) == "a ratio (0-1) instead of a percent"
    assert mistakes.match("week_sli", 99.5, 0.995) == "a percent instead of a ratio (0-1)"
    assert mistakes.match("csat_pct", 12.0, 64.6) is None
    assert mistakes.match("csat_pct", float("nan"), 64.6) is None
    # a variant that gives the right value on this data is never named
    assert mistakes.match("anything", 50.0, 50.0) is None


def test_every_catalogued_mistake_computes_a_number() -> None:
    bad = [(n, v.label) for n in mistakes.names() for v in mistakes.variants(n) if not math.isfinite(v.value())]
    assert not bad, bad


def test_the_truth_comes_from_the_cell_itself() -> None:
    cell = '''"""Checks two answers."""
from course import checks
checks.activity_map("m", m, ["A", "B"])
checks.number("x", x, lower=0, hint="a percent")
### BEGIN HIDDEN TESTS
checks.mapping("m", m, {"A": ["plan"], "B": ["Design & Transition", "obtain / build"]}, hint="reread")
checks.number("x", x, expected=2.5, rel=1e-3)
print("this line is not shown")
### END HIDDEN TESTS
'''
    found = expectations(cell, [{"m": {"A": "plan"}, "x": None}])
    assert list(found) == ["m", "x"] == checked_names(cell)
    assert found["m"].kind == "mapping"
    assert found["m"].expected == {"A": ("plan",), "B": ("design and transition", "obtain/build")}
    assert found["m"].hints == ["reread"]
    assert (found["x"].kind, found["x"].expected, found["x"].rel) == ("number", 2.5, 1e-3)
    assert found["x"].hints == ["a percent"]


def test_a_hint_reading_the_answer_does_not_hide_the_key() -> None:
    cell = '''from course import checks
checks.equal("h", h, {"a": 1.0}, hint="not as expected: " + ", ".join(k for k in h if h[k] != 1.0))
'''
    assert expectations(cell, [])["h"].kind == "shape"  # bound to None, the hint fails before the check
    assert expectations(cell, [{"h": {"a": 2.0}}])["h"].expected == {"a": 1.0}


def test_blank_is_none_or_empty() -> None:
    assert is_blank(None) and is_blank({}) and is_blank({"A": None, "B": None}) and is_blank("")
    assert not is_blank(0.0) and not is_blank({"A": None, "B": "plan"}) and not is_blank(False)


def test_confusions_in_words() -> None:
    assert confusion_sentence("design and transition", "obtain/build", 5, 5 / 13) == (
        "obtain/build chosen for design and transition: 38% (5 answers)")
    assert confusion_sentence("plan", "engage", 1, 0.25) == "engage chosen for plan: 25% (1 answer)"
