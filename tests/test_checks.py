"""The check helpers of course.checks, branch by branch: the credit and the verdict each records.

Each case runs a helper in the trusted grader's context (as :func:`course.grading.trusted.run_test_cell`
does), where it records ``(name, fraction)`` and the verdict text instead of printing. Expected fractions
and messages are worked out by hand from the helpers' documented rules. Property tests (Hypothesis) cover
the credit rules over many generated answers.
"""

from __future__ import annotations

import copy
import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course import checks
from course.activities import ACTIVITIES
from course.answers import NOT_REPORTED, Unsupported
from course.checks import _TRUSTED, CheckFailed, TrustedContext

TYPE_HINT = "Hint: Give the value as the plain Python type asked for."


def trusted(helper, *args, **kwargs) -> tuple[float, str]:
    """Run one helper as the trusted grader does; return the fraction and verdict it recorded."""
    ctx = TrustedContext()
    token = _TRUSTED.set(ctx)
    try:
        assert helper(*args, **kwargs) is None
    finally:
        _TRUSTED.reset(token)
    assert len(ctx.fractions) == len(ctx.messages) == 1, ctx
    (name, fraction), = ctx.fractions
    return fraction, ctx.messages[0]


# ------------------------------------------------------------------ number

NUMBER_CASES = [
    # (value, keyword arguments, fraction, verdict)
    (2.0, {"expected": 2.0}, 1.0, "[OK] x: 2.0 is correct."),
    (2.0000001, {"expected": 2.0}, 1.0, "[OK] x: 2.0000001 is correct."),  # within rel 1e-6
    (2.00001, {"expected": 2.0}, 0.0, "[WRONG] x: 2.00001 is not the expected value."),  # 5e-6 off
    (2.1, {"expected": 2.0, "rel": 0.1}, 1.0, "[OK] x: 2.1 is correct."),
    (1e-10, {"expected": 0.0}, 1.0, "[OK] x: 1e-10 is correct."),  # abs_tol 1e-9
    (1e-8, {"expected": 0.0}, 0.0, "[WRONG] x: 1e-08 is not the expected value."),
    (3.0, {"expected": 2.0, "hint": "Divide."}, 0.0, "[WRONG] x: 3.0 is not the expected value.\nHint: Divide."),
    (3, {"expected": 3.0}, 0.0, "[WRONG] x: expected a plain float, got int (wrap it: float(...))\n" + TYPE_HINT),
    (3, {"expected": 3.0, "kinds": (int, float)}, 1.0, "[OK] x: 3 is correct."),
    (True, {"expected": 1.0, "kinds": (int,)}, 0.0,
     "[WRONG] x: expected a plain int, got bool (wrap it: int(...))\n" + TYPE_HINT),
    ("3.0", {"expected": 3.0}, 0.0, "[WRONG] x: expected a plain float, got str (wrap it: float(...))\n" + TYPE_HINT),
    (None, {"expected": 3.0, "hint": "h"}, 0.0, "[WRONG] x: no answer yet (it is still None)"),
    (NOT_REPORTED, {"expected": 3.0}, 0.0,
     "[WRONG] x: no answer named 'x' was reported: the answer cell did not define it, "
     "or the notebook stopped before this check ran"),
    (Unsupported("numpy.float64"), {"expected": 3.0}, 0.0,
     "[WRONG] x: expected a plain float, got numpy.float64 (wrap it: float(...))\n" + TYPE_HINT),
    (float("nan"), {"expected": float("nan")}, 1.0, "[OK] x: NaN is correct: there is no data to measure."),
    (1.0, {"expected": float("nan"), "hint": "h"}, 0.0,
     "[WRONG] x: 1.0 should be NaN: there is no data to measure.\nHint: h"),
    (float("nan"), {"expected": 1.0}, 0.0, "[WRONG] x: nan is not a finite number."),
    (float("inf"), {}, 0.0, "[WRONG] x: inf is not a finite number."),
    (float("-inf"), {"lower": 0}, 0.0, "[WRONG] x: -inf is not a finite number."),
    (-0.5, {"lower": 0}, 0.0, "[WRONG] x: -0.5 is below the lowest possible value 0."),
    (0.0, {"lower": 0, "expected": 0.0}, 1.0, "[OK] x: 0.0 is correct."),  # the bound itself is allowed
    (100.5, {"upper": 100}, 0.0, "[WRONG] x: 100.5 is above the highest possible value 100."),
    (100.0, {"upper": 100}, 1.0, "[FORM OK] x: 100.0 has the right type and range. Graded later."),
    (5.0, {"lower": 0, "upper": 10}, 1.0, "[FORM OK] x: 5.0 has the right type and range. Graded later."),
    (-1.0, {"lower": 0, "expected": -1.0}, 0.0, "[WRONG] x: -1.0 is below the lowest possible value 0."),
]


@pytest.mark.parametrize("value, kwargs, fraction, verdict", NUMBER_CASES)
def test_number(value, kwargs, fraction, verdict) -> None:
    assert trusted(checks.number, "x", value, **kwargs) == (fraction, verdict)


# ------------------------------------------------------------------ equal

EQUAL_CASES = [
    (["a", "b"], ["a", "b"], 1.0, "[OK] v: correct."),
    (["b", "a"], ["a", "b"], 0.0, "[WRONG] v: not the expected answer."),
    (("a", "b"), ["a", "b"], 0.0, "[WRONG] v: expected a plain list, got tuple\n" + TYPE_HINT),
    ([1, 2], [1.0, 2.0], 0.0, "[WRONG] v: not the expected answer."),  # same values, other item types
    ({"b": 2, "a": 1}, {"a": 1, "b": 2}, 1.0, "[OK] v: correct."),  # key order does not matter
    ({"a": 1}, {"a": 1, "b": 2}, 0.0, "[WRONG] v: not the expected answer."),
    ({"a": [1, 2]}, {"a": (1, 2)}, 0.0, "[WRONG] v: not the expected answer."),
    ([float("nan")], [float("nan")], 1.0, "[OK] v: correct."),
    ([1, 2, 3], [1, 2], 0.0, "[WRONG] v: not the expected answer."),
    ("yes", "yes", 1.0, "[OK] v: correct."),
    (True, 1, 0.0, "[WRONG] v: expected a plain int, got bool (wrap it: int(...))\n" + TYPE_HINT),
    (None, ["a"], 0.0, "[WRONG] v: no answer yet (it is still None)"),
    (Unsupported("pandas.Series"), ["a"], 0.0, "[WRONG] v: expected a plain list, got pandas.Series\n" + TYPE_HINT),
]


@pytest.mark.parametrize("value, expected, fraction, verdict", EQUAL_CASES)
def test_equal(value, expected, fraction, verdict) -> None:
    assert trusted(checks.equal, "v", value, expected) == (fraction, verdict)


def test_equal_gives_its_hint_on_a_wrong_value_only() -> None:
    assert trusted(checks.equal, "v", 1, 2, hint="Count again.") == (0.0, "[WRONG] v: not the expected answer.\nHint: Count again.")
    assert trusted(checks.equal, "v", 2, 2, hint="Count again.") == (1.0, "[OK] v: correct.")


# ------------------------------------------------------------------ choices

KEY = {"q1": "B", "q2": "C", "q3": "A", "q4": "D"}
CHOICES_CASES = [
    ({"q1": "B", "q2": "C", "q3": "A", "q4": "D"}, 1.0, "[OK] quiz: 4 of 4 answers right."),
    ({"q1": "b", "q2": " c ", "q3": "A", "q4": "d"}, 1.0, "[OK] quiz: 4 of 4 answers right."),  # case and spaces forgiven
    ({"q1": "B", "q2": "A", "q3": "A", "q4": "D"}, 0.75, "[PARTLY] quiz: 3 of 4 answers right. Not right: q2."),
    ({"q1": "B", "q2": "C"}, 0.5, "[PARTLY] quiz: 2 of 4 answers right. Unanswered: q3, q4."),
    ({"q1": "C", "q3": "B"}, 0.0, "[WRONG] quiz: 0 of 4 answers right. Not right: q1, q3. Unanswered: q2, q4."),
    ({"q1": 2, "q2": ["C"], "q3": "A", "q4": "D"}, 0.5, "[PARTLY] quiz: 2 of 4 answers right. Not right: q1, q2."),
    ({"q1": "B", "q2": "C", "q3": "A", "q4": "D", "q9": "A"}, 1.0, "[OK] quiz: 4 of 4 answers right."),
    ({}, 0.0, "[WRONG] quiz: 0 of 4 answers right. Unanswered: q1, q2, q3, q4."),
    (["B", "C", "A", "D"], 0.0, "[WRONG] quiz: expected a plain dict, got list\n" + TYPE_HINT),
    (None, 0.0, "[WRONG] quiz: no answer yet (it is still None)"),
    (Unsupported("collections.OrderedDict"), 0.0,
     "[WRONG] quiz: expected a plain dict, got collections.OrderedDict\n" + TYPE_HINT),
]


@pytest.mark.parametrize("value, fraction, verdict", CHOICES_CASES)
def test_choices(value, fraction, verdict) -> None:
    assert trusted(checks.choices, "quiz", value, KEY) == (fraction, verdict)


def test_choices_with_an_empty_key_earns_nothing() -> None:
    assert trusted(checks.choices, "quiz", {"q1": "A"}, {}) == (0.0, "[WRONG] quiz: 0 of 0 answers right.")


# ------------------------------------------------------------------ choice_map

CHOICE_MAP_CASES = [
    ({"q1": "b", "q2": "D"}, {}, 1.0, "[FORM OK] quiz: 2 answers, each one of A, B, C, D. Graded later."),
    ({"q1": " a ", "q2": "d"}, {}, 1.0, "[FORM OK] quiz: 2 answers, each one of A, B, C, D. Graded later."),
    ({"q1": "B"}, {}, 0.0, "[WRONG] quiz: unanswered: q2."),
    ({"q1": "B", "q2": "C", "q7": "A"}, {}, 0.0, "[WRONG] quiz: not asked: q7."),
    ({"q1": "E", "q2": "AB"}, {}, 0.0, "[WRONG] quiz: not a single letter A/B/C/D: q1, q2."),
    ({"q1": 1, "q2": "C"}, {}, 0.0, "[WRONG] quiz: not a single letter A/B/C/D: q1."),
    ({"q1": "C", "q2": "A"}, {"letters": "AB"}, 0.0, "[WRONG] quiz: not a single letter A/B: q1."),
    ({"q2": "X", "q3": "A"}, {"hint": "h"}, 0.0,
     "[WRONG] quiz: unanswered: q1; not asked: q3; not a single letter A/B/C/D: q2.\nHint: h"),
    ([("q1", "B")], {}, 0.0, "[WRONG] quiz: expected a plain dict, got list"),
    (None, {}, 0.0, "[WRONG] quiz: no answer yet (it is still None)"),
]


@pytest.mark.parametrize("value, kwargs, fraction, verdict", CHOICE_MAP_CASES)
def test_choice_map(value, kwargs, fraction, verdict) -> None:
    assert trusted(checks.choice_map, "quiz", value, ["q1", "q2"], **kwargs) == (fraction, verdict)


# ------------------------------------------------------------------ expect

EXPECT_CASES = [
    (True, "two names.", {}, 1.0, "[OK] check: two names."),
    (False, "two names.", {"hint": "h"}, 0.0, "[WRONG] check: two names.\nHint: h"),
    (1, "truthy is not True.", {}, 0.0, "[WRONG] check: truthy is not True."),
    ([1], "truthy is not True.", {}, 0.0, "[WRONG] check: truthy is not True."),
    (True, "form OK: a list of two names.", {"name": "pair"}, 1.0, "[FORM OK] pair: a list of two names. Graded later."),
    (False, "form OK: a list of two names.", {"name": "pair"}, 0.0,
     "[WRONG] pair: not in the expected form; expected a list of two names."),
]


@pytest.mark.parametrize("condition, message, kwargs, fraction, verdict", EXPECT_CASES)
def test_expect(condition, message, kwargs, fraction, verdict) -> None:
    assert trusted(checks.expect, condition, message, **kwargs) == (fraction, verdict)


# ------------------------------------------------------------------ mapping and activity_map

MAP_KEY = {"A": ["deliver and support"], "B": ["obtain/build", "design and transition"]}
MAPPING_CASES = [
    ({"A": "deliver and support", "B": ["design and transition", "obtain/build"]}, {}, 1.0,
     "[OK] m: 2 of 2 scenarios fully right."),
    ({"A": "Deliver and Support", "B": ["obtain/build", "design and transition"]}, {}, 1.0,
     "[OK] m: 2 of 2 scenarios fully right."),
    ({"A": "deliver and support", "B": "obtain/build"}, {}, 0.75,  # (1 + 1/2) / 2
     "[PARTLY] m: 1 of 2 scenarios fully right. Not fully right: B."),
    ({"A": "deliver and support", "B": ["obtain/build", "plan"]}, {}, 0.75,
     "[PARTLY] m: 1 of 2 scenarios fully right. Not fully right: B."),
    ({"A": "deliver and support", "B": "obtain/build"}, {"partial": False}, 0.5,
     "[PARTLY] m: 1 of 2 scenarios fully right. Not fully right: B."),
    ({"A": ["plan", "deliver and support"]}, {}, 0.25,  # A: 1/2, B missing
     "[PARTLY] m: 0 of 2 scenarios fully right. Not fully right: A. Missing: B."),
    ({"A": "deliver and support", "B": "obtain/build", "Z": "plan"}, {}, 0.75,
     "[PARTLY] m: 1 of 2 scenarios fully right. Not fully right: B. Not asked: Z."),
    ({"A": "shopping", "B": []}, {}, 0.0,
     "[WRONG] m: 0 of 2 scenarios fully right. Not fully right: A, B. A: 'shopping' is not one of the six "
     "activities; B: give one activity name or a list of one or two names."),
    ({"A": ["plan", "improve", "engage"], "B": "obtain/build"}, {}, 0.25,
     "[PARTLY] m: 0 of 2 scenarios fully right. Not fully right: A, B. A: name at most two activities."),
    ("deliver and support", {}, 0.0, "[WRONG] m: expected a plain dict, got str\n" + TYPE_HINT),
    (None, {}, 0.0, "[WRONG] m: no answer yet (it is still None)"),
]


@pytest.mark.parametrize("value, kwargs, fraction, verdict", MAPPING_CASES)
def test_mapping(value, kwargs, fraction, verdict) -> None:
    assert trusted(checks.mapping, "m", value, MAP_KEY, **kwargs) == (fraction, verdict)


ACTIVITY_MAP_CASES = [
    ({"A": "plan", "B": ["engage", "Improve"]}, 1.0,
     "[FORM OK] m: 2 answers, each naming one or two of the six activities. Graded later."),
    ({"A": "plan"}, 0.0, "[WRONG] m: missing ids: B."),
    ({"A": "plan", "B": "plan", "C": "plan"}, 0.0, "[WRONG] m: ids not asked: C."),
    ({"A": "plan", "B": "shopping"}, 0.0,
     "[WRONG] m: B: 'shopping' is not one of the six activities.\nHint: Use the six names: " + ", ".join(ACTIVITIES)),
    ({"A": [], "B": "plan"}, 0.0,
     "[WRONG] m: A: give one activity name or a list of one or two names.\nHint: Use the six names: "
     + ", ".join(ACTIVITIES)),
    (["plan", "plan"], 0.0, "[WRONG] m: expected a plain dict, got list"),
]


@pytest.mark.parametrize("value, fraction, verdict", ACTIVITY_MAP_CASES)
def test_activity_map(value, fraction, verdict) -> None:
    assert trusted(checks.activity_map, "m", value, ["A", "B"]) == (fraction, verdict)


# ------------------------------------------------------------------ in a kernel


def test_in_a_students_kernel_a_check_prints_and_never_raises(monkeypatch, capsys) -> None:
    monkeypatch.delenv("NBGRADER_VALIDATING", raising=False)
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    checks.number("x", 3.0, expected=2.0, hint="h")
    checks.choices("quiz", {"q1": "B"}, {"q1": "B"})
    assert capsys.readouterr().out == "[WRONG] x: 3.0 is not the expected value.\nHint: h\n[OK] quiz: 1 of 1 answers right.\n"


@pytest.mark.parametrize("variable", ["NBGRADER_VALIDATING", "NBGRADER_EXECUTION"])
def test_under_nbgrader_a_check_that_is_not_fully_right_raises(monkeypatch, capsys, variable) -> None:
    monkeypatch.delenv("NBGRADER_VALIDATING", raising=False)
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    monkeypatch.setenv(variable, "1")
    with pytest.raises(CheckFailed, match=r"^\[PARTLY\] quiz: 1 of 2 answers right\. Unanswered: q2\.$"):
        checks.choices("quiz", {"q1": "B"}, {"q1": "B", "q2": "C"})
    checks.expect(True, "fine.")
    assert capsys.readouterr().out == "[OK] check: fine.\n"


def test_a_fraction_is_clamped_to_0_and_1() -> None:
    ctx = TrustedContext()
    token = _TRUSTED.set(ctx)
    try:
        checks._finish("a", 1.5, "m")
        checks._finish("b", -2, "m")
    finally:
        _TRUSTED.reset(token)
    assert ctx.fractions == [("a", 1.0), ("b", 0.0)]


# ------------------------------------------------------------------ properties

finite = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12)


@settings(max_examples=200, deadline=None)
@given(finite)
def test_number_accepts_its_own_expected_value(x: float) -> None:
    assert trusted(checks.number, "x", x, expected=x)[0] == 1.0


@settings(max_examples=200, deadline=None)
@given(finite.filter(lambda v: abs(v) > 1e-3), st.floats(min_value=1e-5, max_value=10.0))
def test_number_rejects_a_value_off_by_more_than_its_tolerance(x: float, off: float) -> None:
    assert trusted(checks.number, "x", x * (1 + off), expected=x)[0] == 0.0
    assert trusted(checks.number, "x", x * (1 - off / 2), expected=x)[0] == 0.0


@settings(max_examples=200, deadline=None)
@given(finite, finite, finite)
def test_number_range_is_inclusive(x: float, a: float, b: float) -> None:
    lower, upper = min(a, b), max(a, b)
    fraction, _ = trusted(checks.number, "x", x, lower=lower, upper=upper)
    assert fraction == (1.0 if lower <= x <= upper else 0.0)


letters = st.sampled_from("ABCD")
quiz_keys = st.dictionaries(st.sampled_from([f"q{i}" for i in range(1, 9)]), letters, min_size=1)


@settings(max_examples=200, deadline=None)
@given(quiz_keys, st.dictionaries(st.sampled_from([f"q{i}" for i in range(1, 11)]),
                                  st.one_of(letters, letters.map(str.lower), st.integers(0, 3))))
def test_choices_credit_is_the_share_of_right_letters(key: dict, given_answers: dict) -> None:
    right = sum(1 for q, letter in key.items()
                if isinstance(given_answers.get(q), str) and given_answers[q].upper() == letter)
    assert trusted(checks.choices, "quiz", given_answers, key)[0] == right / len(key)


activity_sets = st.sets(st.sampled_from(ACTIVITIES), min_size=1, max_size=2)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from("ABCDEFGH"), activity_sets, min_size=1), st.data())
def test_mapping_credit_is_the_mean_of_overlap_over_the_larger_set(key: dict, data) -> None:
    answer = {sid: sorted(data.draw(activity_sets)) for sid in key if data.draw(st.booleans())}
    expected = sum(len(set(answer[s]) & key[s]) / max(len(answer[s]), len(key[s])) for s in answer) / len(key)
    fraction, _ = trusted(checks.mapping, "m", answer, {s: sorted(v) for s, v in key.items()})
    assert math.isclose(fraction, expected)
    assert (fraction == 1.0) == (answer.keys() == key.keys() and all(set(answer[s]) == key[s] for s in key))


json_like = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False).map(lambda f: f + 0.0) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=3), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=200, deadline=None)
@given(json_like, json_like)
def test_equal_gives_credit_exactly_for_an_equal_value_of_the_same_types(a, b) -> None:
    assert trusted(checks.equal, "v", copy.deepcopy(a), a)[0] == 1.0
    same = json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)  # tells 1, 1.0 and True apart
    assert trusted(checks.equal, "v", b, a)[0] == (1.0 if same else 0.0)


@settings(max_examples=200, deadline=None)
@given(json_like)
def test_no_helper_raises_in_the_trusted_grader_whatever_the_answer(value) -> None:
    for helper, args in ((checks.number, ()), (checks.equal, ([1],)), (checks.choices, (KEY,)),
                         (checks.choice_map, (["q1"],)), (checks.mapping, (MAP_KEY,)), (checks.activity_map, (["A"],))):
        fraction, verdict = trusted(helper, "v", value, *args)
        assert 0.0 <= fraction <= 1.0 and verdict.startswith(("[OK]", "[FORM OK]", "[PARTLY]", "[WRONG]"))


# ------------------------------------------------------------------ what an autograding kernel reports


@pytest.fixture
def autograding_kernel(monkeypatch):
    """An IPython shell with ``NBGRADER_EXECUTION=autograde``, as in a graded kernel; yields a display capturer."""
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output

    monkeypatch.delenv("NBGRADER_VALIDATING", raising=False)
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    InteractiveShell.instance()
    try:
        yield capture_output
    finally:
        InteractiveShell.clear_instance()


REPORTING = [  # (helper, answer, other arguments): every helper reports the answer it was given, fully right here
    (checks.number, 2.0, {"expected": 2.0}),
    (checks.equal, ["a", 1], {"expected": ["a", 1]}),
    (checks.mapping, {"A": "plan"}, {"key": {"A": ["plan"]}}),
    (checks.activity_map, {"A": "plan"}, {"ids": ["A"]}),
    (checks.choice_map, {"q1": "B"}, {"ids": ["q1"]}),
    (checks.choices, {"q1": "B"}, {"key": {"q1": "B"}}),
    (checks.report, (1, "x"), {}),
]


@pytest.mark.parametrize("helper, value, kwargs", REPORTING, ids=lambda x: getattr(x, "__name__", ""))
def test_an_autograding_kernel_reports_each_answer_as_given(autograding_kernel, helper, value, kwargs) -> None:
    from course.answers import MIME_TYPE, report_payload

    with autograding_kernel() as captured:
        helper("answer", value, **kwargs)
    reports = [o.data for o in captured.outputs if MIME_TYPE in o.data]
    assert reports == [report_payload("answer", value)]


def test_a_check_reports_nothing_outside_autograding_or_in_the_trusted_grader(autograding_kernel, monkeypatch) -> None:
    from course.answers import MIME_TYPE

    with autograding_kernel() as captured:
        trusted(checks.number, "x", 2.0, expected=2.0)
    monkeypatch.setenv("NBGRADER_EXECUTION", "validate")
    with autograding_kernel() as validating:
        checks.number("x", 2.0, expected=2.0)
    assert [o for o in captured.outputs + validating.outputs if MIME_TYPE in o.data] == []


# ------------------------------------------------------------------ hints, lists of ids, joined parts

HINTS = [  # every failing branch gives the caller's hint
    (checks.number, (float("inf"),), {}, "[WRONG] x: inf is not a finite number.\nHint: h"),
    (checks.number, (-1.0,), {"lower": 0}, "[WRONG] x: -1.0 is below the lowest possible value 0.\nHint: h"),
    (checks.number, (11.0,), {"upper": 10}, "[WRONG] x: 11.0 is above the highest possible value 10.\nHint: h"),
    (checks.mapping, ({"A": "plan"}, {"A": ["engage"]}), {}, "[WRONG] x: 0 of 1 scenarios fully right. Not fully right: A.\nHint: h"),
    (checks.activity_map, ([], ["A"]), {}, "[WRONG] x: expected a plain dict, got list\nHint: h"),
    (checks.activity_map, ({}, ["A"]), {}, "[WRONG] x: missing ids: A.\nHint: h"),
    (checks.activity_map, ({"A": "shop"}, ["A"]), {}, "[WRONG] x: A: 'shop' is not one of the six activities.\nHint: h"),
    (checks.choice_map, ([], ["q1"]), {}, "[WRONG] x: expected a plain dict, got list\nHint: h"),
    (checks.choice_map, ({}, ["q1"]), {}, "[WRONG] x: unanswered: q1.\nHint: h"),
    (checks.choices, ({"q1": "A"}, {"q1": "B"}), {}, "[WRONG] x: 0 of 1 answers right. Not right: q1.\nHint: h"),
]


@pytest.mark.parametrize("helper, args, kwargs, verdict", HINTS)
def test_a_failing_check_gives_its_hint(helper, args, kwargs, verdict) -> None:
    assert trusted(helper, "x", *args, hint="h", **kwargs) == (0.0, verdict)


IDS = [f"s{i:02d}" for i in range(12)]  # twelve ids: messages list the first ten
TEN = ", ".join(IDS[:10])


def test_long_lists_of_ids_are_cut_at_ten() -> None:
    key = {i: ["plan"] for i in IDS}
    others = {f"x{i:02d}": "plan" for i in range(12)}
    assert trusted(checks.mapping, "m", others, key)[1] == (
        f"[WRONG] m: 0 of 12 scenarios fully right. Missing: {TEN}. Not asked: {', '.join(list(others)[:10])}.")
    bad = {i: "shop" for i in IDS}
    notes = "; ".join(f"{i}: 'shop' is not one of the six activities" for i in IDS[:10])
    assert trusted(checks.mapping, "m", bad, key)[1] == (
        f"[WRONG] m: 0 of 12 scenarios fully right. Not fully right: {', '.join(IDS)}. {notes}.")
    assert trusted(checks.activity_map, "m", others, IDS)[1] == (
        f"[WRONG] m: missing ids: {TEN}; ids not asked: {', '.join(list(others)[:10])}.")
    assert trusted(checks.choice_map, "q", {i: "Z" for i in IDS}, IDS)[1] == f"[WRONG] q: not a single letter A/B/C/D: {TEN}."
    assert trusted(checks.choice_map, "q", {f"x{i}": "A" for i in range(12)}, IDS)[1] == (
        f"[WRONG] q: unanswered: {TEN}; not asked: {', '.join(f'x{i}' for i in range(10))}.")
    assert trusted(checks.choices, "q", {}, {i: "A" for i in IDS})[1] == f"[WRONG] q: 0 of 12 answers right. Unanswered: {TEN}."


def test_other_messages_in_full() -> None:
    assert trusted(checks.number, "x", "4", kinds=(int, float))[1] == (
        "[WRONG] x: expected a plain int or float, got str (wrap it: int(...))\n" + TYPE_HINT)
    long_name = "n" * 60
    assert trusted(checks.activity_map, "m", {"A": long_name}, ["A"])[1].startswith(
        f"[WRONG] m: A: {'n' * 40!r} is not one of the six activities.")
    assert trusted(checks.mapping, "m", {"A": "plan"}, {})== (0.0, "[WRONG] m: 0 of 0 scenarios fully right. Not asked: A.")


# ------------------------------------------------------------------ scoring

@pytest.mark.parametrize("credit, word", [(1.0, "correct"), (1.5, "correct"), (0.999, "partly right"), (0.5, "partly right"),
                                          (1e-9, "partly right"), (0.0, "wrong"), (-0.1, "wrong")])
def test_verdict_words(credit: float, word: str) -> None:
    from course.scoring import verdict

    assert verdict(credit) == word


@pytest.mark.parametrize("given, expected, credit", [
    (set(), set(), 0.0), ({"plan"}, set(), 0.0), (set(), {"plan"}, 0.0), ({"plan"}, {"plan"}, 1.0),
    ({"plan", "engage"}, {"plan"}, 0.5), ({"plan"}, {"plan", "engage"}, 0.5), ({"improve"}, {"plan"}, 0.0),
    ({"plan", "improve"}, {"plan", "engage"}, 0.5),
])
def test_activity_credit(given, expected, credit) -> None:
    from course.scoring import activity_credit

    assert activity_credit(given, expected) == credit


@pytest.mark.parametrize("helper, args", [(checks.equal, ([1],)), (checks.mapping, (MAP_KEY,)), (checks.activity_map, (["A"],)),
                                          (checks.choice_map, (["q1"],)), (checks.choices, (KEY,))])
def test_an_answer_never_reported_is_named(helper, args) -> None:
    fraction, verdict = trusted(helper, "ans", NOT_REPORTED, *args)
    assert fraction == 0.0 and verdict.startswith(
        "[WRONG] ans: no answer named 'ans' was reported: the answer cell did not define it, "
        "or the notebook stopped before this check ran")


def test_a_verdict_without_a_hint_has_no_hint_line() -> None:
    assert checks.verdict_text("x", 0.0, "3.0 is not the expected value.") == "[WRONG] x: 3.0 is not the expected value."
    assert checks.verdict_text("x", 0.5, "1 of 2.") == "[PARTLY] x: 1 of 2."
