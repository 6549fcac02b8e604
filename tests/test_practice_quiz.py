"""Quiz logic: practice feedback on every option, exam timer, scoring and the pass mark."""

from __future__ import annotations

from datetime import datetime, timezone
from types import SimpleNamespace

import pytest

from course.practice.quiz import (
    QuizClosed,
    QuizSession,
    attempt_record,
    exam_seconds,
    format_clock,
    option_feedback,
    passed,
    select_questions,
)


def opt(text, correct=False):
    return SimpleNamespace(text=text, correct=correct, explanation=f"why {text}")


def question(qid, right=1, topic="mapping", graded=False):
    options = tuple(opt(t, i == right) for i, t in enumerate(["engage", "obtain/build", "plan", "improve"]))
    return SimpleNamespace(id=qid, stem=f"stem {qid}", statements=(), options=options, topic=topic, graded=graded)


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_exam_time_is_90_seconds_per_question():
    assert exam_seconds(40) == 60 * 60  # the real exam: 60 minutes for 40 questions
    assert exam_seconds(10) == 15 * 60
    with pytest.raises(ValueError):
        exam_seconds(0)


@pytest.mark.parametrize(
    "right,total,expected",
    [(26, 40, True), (25, 40, False), (40, 40, True), (13, 20, True), (12, 20, False), (0, 1, False)],
)
def test_pass_mark_is_65_percent(right, total, expected):
    assert passed(right, total) is expected


def test_format_clock_rounds_up_and_never_goes_negative():
    assert format_clock(3600) == "60:00"
    assert format_clock(61.5) == "01:02"
    assert format_clock(0.1) == "00:01"
    assert format_clock(-3) == "00:00"


def test_practice_explains_every_option_and_marks_the_chosen_one():
    q = question("q1", right=1)
    s = QuizSession([q])
    lines = s.answer("q1", "a")
    assert [f.letter for f in lines] == ["A", "B", "C", "D"]
    assert [f.mark for f in lines] == ["[WRONG]", "[OK]", "[WRONG]", "[WRONG]"]
    assert [f.chosen for f in lines] == [True, False, False, False]
    assert lines[0].line == "[WRONG] A) engage (your answer): not the answer. why engage"
    assert lines[1].line == "[OK] B) obtain/build: correct answer. why obtain/build"


def test_unanswered_review_marks_no_option_as_chosen():
    assert not any(f.chosen for f in option_feedback(question("q"), None))


def test_bad_letter_names_the_question():
    s = QuizSession([question("q7")])
    with pytest.raises(ValueError, match="q7"):
        s.answer("q7", "E")
    with pytest.raises(KeyError, match="nope"):
        s.answer("nope", "A")


def test_exam_gives_no_feedback_and_scores_at_finish():
    qs = [question(f"q{i}", right=0) for i in range(4)]
    s = QuizSession(qs, mode="exam", clock=Clock())
    s.start()
    assert s.answer("q0", "A") is None
    s.answer("q1", "A")
    s.answer("q2", "B")  # wrong; q3 left unanswered
    r = s.finish()
    assert (r.right, r.total, r.percent) == (2, 4, 50.0)
    assert r.wrong_ids == ("q2", "q3")
    assert not r.passed and r.summary.startswith("FAIL: 2 / 4 (50.0%)")
    assert "(3 / 4)" in r.summary  # 65% of 4 is 2.6, so 3 are needed
    assert [v.chosen for v in r.reviews] == ["B", None]
    assert all(len(v.options) == 4 for v in r.reviews)
    with pytest.raises(QuizClosed):
        s.answer("q3", "A")


def test_exam_timer_runs_out_and_refuses_late_answers():
    clock = Clock()
    s = QuizSession([question("a"), question("b")], mode="exam", clock=clock)
    assert s.time_limit == 180 and s.remaining() == 180
    s.start()
    clock.now += 100
    assert s.remaining() == 80 and not s.timed_out()
    s.answer("a", "B")
    clock.now += 80
    assert s.remaining() == 0 and s.timed_out()
    with pytest.raises(QuizClosed, match="time is up"):
        s.answer("b", "B")
    r = s.finish()
    assert r.timed_out and r.right == 1 and "Time ran out." in r.summary


def test_exam_pass_summary_in_words():
    s = QuizSession([question(str(i), right=2) for i in range(20)], mode="exam", clock=Clock())
    s.start()
    for i in range(13):
        s.answer(str(i), "C")
    r = s.finish()
    assert r.passed
    assert r.summary == "PASS: 13 / 20 (65.0%); the pass mark is 65% (13 / 20)."


def test_practice_mode_has_no_time_limit():
    clock = Clock()
    s = QuizSession([question("a")], clock=clock)
    clock.now += 10_000
    assert not s.timed_out()
    s.answer("a", "B")


def test_bad_mode_and_empty_quiz_are_refused():
    with pytest.raises(ValueError, match="mode"):
        QuizSession([question("a")], mode="test")
    with pytest.raises(ValueError):
        QuizSession([])


def test_attempt_record_holds_date_mode_score_and_wrong_ids():
    s = QuizSession([question("a"), question("b")], mode="exam", clock=Clock())
    s.answer("a", "B")
    rec = attempt_record(s.finish(), datetime(2026, 3, 2, 9, 15, tzinfo=timezone.utc))
    assert rec == {
        "date": "2026-03-02T09:15:00+00:00",
        "mode": "exam",
        "score": 1,
        "total": 2,
        "percent": 50.0,
        "passed": False,
        "wrong": ["b"],
    }


def test_select_questions_never_offers_graded_ones():
    bank = [question("p1"), question("g1", graded=True), question("p2", topic="metrics")]
    assert {q.id for q in select_questions(bank, seed=1)} == {"p1", "p2"}
    assert [q.id for q in select_questions(bank, topic="metrics")] == ["p2"]
    assert [q.id for q in select_questions(bank, ["p2", "p1"])] == ["p2", "p1"]
    with pytest.raises(ValueError, match="g1.*graded"):
        select_questions(bank, ["g1"])
    with pytest.raises(ValueError, match="nope"):
        select_questions(bank, ["nope"])
    with pytest.raises(ValueError, match="topic 'x'"):
        select_questions(bank, topic="x")


def test_select_questions_is_reproducible_with_a_seed_and_keeps_n():
    bank = [question(f"q{i}") for i in range(30)]
    first = [q.id for q in select_questions(bank, seed=7, n=10)]
    assert first == [q.id for q in select_questions(bank, seed=7, n=10)]
    assert len(first) == 10 and len(set(first)) == 10
    with pytest.raises(ValueError):
        select_questions(bank, n=0)


def test_chapter_quiz_1_answer_is_obtain_build():
    from course.grading import keys

    q = keys.question("q-ch14-quiz1")
    lines = QuizSession([q]).answer(q.id, "B")
    assert lines[1].correct and lines[1].text == "obtain/build"
