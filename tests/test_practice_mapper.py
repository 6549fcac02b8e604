"""Scenario mapping logic: credit, verdicts, feedback text and the dict exported as code."""

from __future__ import annotations

import ast
from types import SimpleNamespace

import pytest

from course.practice.mapper import (
    ACTIVITY_PURPOSE,
    MappingSession,
    check_mapping,
    mapping_code,
    normalise_choice,
)


class KeylessScenario:
    """A graded scenario as the public bank will hold it: any read of its key fails the test."""

    graded = True
    context = "banking"

    def __init__(self, sid):
        self.id = sid
        self.text = f"Scenario {sid} text."

    def _key(self):
        raise AssertionError(f"the key of graded scenario {self.id} was read")

    activities = property(_key)
    cue_words = property(_key)
    explanation = property(_key)
    primary = property(_key)


def scenario(sid="X", activities=("deliver and support",), graded=False):
    return SimpleNamespace(
        id=sid,
        context="university",
        text="The service desk restores the timetable app using a known error record.",
        activities=activities,
        cue_words=("service desk", "known error record"),
        explanation="Restoring a live service is day-to-day operations.",
        graded=graded,
    )


def test_exact_match_is_correct_with_ok_mark():
    r = check_mapping(scenario(), ["Deliver & Support"])
    assert (r.credit, r.verdict, r.mark) == (1.0, "correct", "[OK]")
    assert r.feedback.startswith("[OK] correct")


def test_one_of_two_primary_activities_is_partly_right():
    # |{plan} & {plan, engage}| / max(1, 2) = 1/2
    r = check_mapping(scenario(activities=("plan", "engage")), "plan")
    assert (r.credit, r.verdict, r.mark) == (0.5, "partly right", "[PARTLY]")
    assert "Also part of it: engage." in r.feedback


def test_right_one_beside_a_wrong_one_is_partly_right():
    # |{plan, improve} & {plan}| / max(2, 1) = 1/2
    r = check_mapping(scenario(activities=("plan",)), ["plan", "improve"])
    assert r.credit == 0.5
    assert "Why not improve?" in r.feedback


def test_wrong_choice_explains_the_chosen_activity_and_names_cue_words():
    r = check_mapping(scenario(), ["obtain/build"])
    assert (r.credit, r.verdict) == (0.0, "wrong")
    assert r.feedback.splitlines()[0] == "[WRONG] wrong: you chose obtain/build; the answer is deliver and support."
    assert '"service desk"' in r.feedback and '"known error record"' in r.feedback
    assert "Restoring a live service is day-to-day operations." in r.feedback
    assert ACTIVITY_PURPOSE["obtain/build"].capitalize() in r.feedback


def test_every_activity_has_a_purpose_sentence():
    from course.activities import ACTIVITIES

    assert set(ACTIVITY_PURPOSE) == set(ACTIVITIES)


@pytest.mark.parametrize("given", [[], ["plan", "improve", "engage"], ["planning"]])
def test_bad_choices_raise_value_error(given):
    with pytest.raises(ValueError):
        normalise_choice(given)


def test_choice_is_put_in_syllabus_order_and_deduplicated():
    assert normalise_choice(["deliver and support", "PLAN", "plan"]) == ("plan", "deliver and support")


def test_session_score_counts_correct_and_partly():
    scs = [scenario(str(i), ("plan",)) for i in range(5)]
    s = MappingSession(scs)
    for given in (["plan"], ["plan"], ["plan"], ["plan", "engage"], ["engage"]):
        s.answer(given)
        s.next()
    assert s.score() == (3, 1, 5)
    assert s.score_text() == "3 / 5 correct, 1 partly"


def test_graded_scenarios_are_recorded_never_checked_nor_scored():
    s = MappingSession([KeylessScenario("g1"), scenario("p1")])
    with pytest.raises(ValueError, match="g1.*graded"):
        s.answer(["plan"])
    assert s.record(["Plan", "engage"]) == ("plan", "engage")
    s.next()
    s.answer(["deliver and support"])
    assert s.score() == (1, 0, 1)
    assert s.score_text() == "1 / 1 correct, 0 partly; 1 graded answer recorded"
    assert s.is_graded(s.scenarios[0]) and not s.is_graded(s.scenarios[1])
    assert s.as_code("graded_mapping") == (
        'graded_mapping = {\n    "g1": ["plan", "engage"],\n    "p1": "deliver and support",\n}'
    )


def test_recording_nothing_removes_the_record():
    s = MappingSession([KeylessScenario("g1")])
    s.record("improve")
    assert s.choices == {"g1": ("improve",)} and s.graded_recorded() == 1
    assert s.record([]) == ()
    assert s.choices == {} and s.pending() == ["g1"]
    with pytest.raises(ValueError, match="at most two"):
        s.record(["plan", "engage", "improve"])


def test_restored_choices_come_back_checked_for_practice_and_recorded_for_graded():
    kept = {"g1": ["engage"], "p1": ["plan"], "p2": ["deliver and support"], "other": ["plan"], "g2": ["nonsense"]}
    scs = [KeylessScenario("g1"), KeylessScenario("g2"), scenario("p1"), scenario("p2"), scenario("p3")]
    s = MappingSession(scs, kept)
    assert s.choices == {"g1": ("engage",), "p1": ("plan",), "p2": ("deliver and support",)}
    assert s.score() == (1, 0, 2)  # p1 wrong (plan), p2 right; graded not scored
    assert s.current.id == "g2"  # starts at the first scenario without a choice
    assert s.pending() == ["g2", "p3"]


def test_next_wraps_round_and_position_text():
    s = MappingSession([scenario("A"), scenario("B")])
    assert s.position_text == "Scenario 1 of 2"
    s.next()
    assert s.current.id == "B"
    s.next()
    assert s.current.id == "A"


def test_as_code_is_one_entry_per_line_in_scenario_order_with_missing_ids_as_comments():
    s = MappingSession([scenario("A"), scenario("B"), scenario("C")])
    s.next()
    s.answer(["design and transition", "obtain/build"])
    s.next()
    s.next()
    s.answer("deliver and support")
    code = s.as_code("graded_mapping")
    assert code.splitlines() == [
        "graded_mapping = {",
        '    "A": "deliver and support",',
        '    "B": ["design and transition", "obtain/build"],',
        '    # "C": not answered yet',
        "}",
    ]
    tree = ast.parse(code)
    assert ast.literal_eval(tree.body[0].value) == {"A": "deliver and support", "B": ["design and transition", "obtain/build"]}
    assert max(len(line) for line in code.splitlines()) < 60  # short lines: nothing wraps mid-word


def test_as_code_default_name_is_one_a_notebook_can_ask_for():
    s = MappingSession([scenario("A")])
    assert s.as_code() == 'practice_mapping = {\n    # "A": not answered yet\n}'


def test_answer_changed_replaces_the_earlier_answer():
    s = MappingSession([scenario("A")])
    s.answer("plan")
    s.answer("deliver and support")
    assert s.as_code("m") == 'm = {\n    "A": "deliver and support",\n}'


@pytest.mark.parametrize("name", ["my mapping", "class", "1st", ""])
def test_mapping_code_rejects_a_bad_name(name):
    with pytest.raises(ValueError, match="variable name"):
        mapping_code({}, name)


def test_empty_session_is_refused():
    with pytest.raises(ValueError):
        MappingSession([])


def test_chapter_scenarios_from_the_bank_check_as_the_chapter_says():
    from course import banks

    # The chapter's suggested mappings: A deliver and support; B obtain/build + design and transition.
    assert check_mapping(banks.scenario("A"), ["deliver and support"]).verdict == "correct"
    assert check_mapping(banks.scenario("B"), ["design and transition", "obtain/build"]).verdict == "correct"
    assert check_mapping(banks.scenario("B"), ["obtain/build"]).verdict == "partly right"
    for cue in banks.scenario("A").cue_words:
        assert cue in check_mapping(banks.scenario("A"), "plan").feedback
