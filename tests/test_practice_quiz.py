"""Quiz logic: practice feedback on every option, exam timer, scoring and the pass mark."""

from __future__ import annotations

from datetime import datetime, timezone
from types import SimpleNamespace

import pytest

from course.practice.quiz import (
    QuestionPicker,
    QuizClosed,
    QuizSession,
    Unanswered,
    attempt_record,
    headline,
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


def test_headline_says_the_students_verdict_first():
    q = question("q1", right=0)  # A is right
    assert headline(q, "b") == "[WRONG] Your answer B is wrong; the answer is A."
    assert headline(q, "A") == "[OK] Your answer A is right."


def test_exam_gives_no_feedback_and_asks_before_scoring_unanswered_questions():
    qs = [question(f"q{i}", right=0) for i in range(4)]
    s = QuizSession(qs, mode="exam", clock=Clock())
    s.start()
    assert s.answer("q0", "A") is None
    s.answer("q1", "A")
    s.answer("q2", "B")  # wrong; q3 left unanswered
    with pytest.raises(Unanswered, match="1 question unanswered: finish anyway") as asked:
        s.finish()
    assert asked.value.ids == ("q3",)
    assert s.result is None
    s.answer("q3", "C")  # still open: the student went back and answered
    r = s.finish()  # nothing unanswered now: no question asked
    with pytest.raises(QuizClosed):
        s.answer("q3", "A")
    assert (r.right, r.total, r.percent) == (2, 4, 50.0)
    assert r.wrong_ids == ("q2", "q3") and r.unanswered_ids == ()


def test_exam_finish_anyway_counts_unanswered_as_wrong_and_never_reviews_their_answers():
    qs = [question(f"q{i}", right=0) for i in range(10)]
    s = QuizSession(qs, mode="exam", clock=Clock())
    s.start()
    s.answer("q0", "A")
    s.answer("q1", "D")
    with pytest.raises(Unanswered, match="8 questions unanswered"):
        s.finish()
    r = s.finish(confirmed=True)
    assert (r.right, r.total) == (1, 10) and not r.passed
    assert r.summary == (
        "FAIL: 1 / 10 (10.0%); the pass mark is 65% (7 / 10). 8 unanswered, counted as wrong as in the real exam."
    )
    assert [v.question_id for v in r.reviews] == ["q1"]  # only the wrong answer is explained
    assert r.wrong_ids == ("q1",)
    assert [(k.question_id, k.number, k.stem) for k in r.skipped] == [(f"q{i}", i + 1, f"stem q{i}") for i in range(2, 10)]
    assert not hasattr(r.skipped[0], "options") and not hasattr(r.skipped[0], "answer")


def test_practice_finish_scores_the_answered_questions_only():
    s = QuizSession([question(f"q{i}", right=1) for i in range(5)])
    s.answer("q0", "B")
    s.answer("q1", "B")
    s.answer("q2", "A")
    r = s.finish(confirmed=True)
    assert (r.right, r.total) == (2, 3)
    assert r.summary == "2 / 3 answered questions right (67%). 2 unanswered (not scored)."
    assert r.unanswered_ids == ("q3", "q4")


def test_practice_finish_with_nothing_answered_records_nothing():
    s = QuizSession([question("a"), question("b")])
    r = s.finish(confirmed=True)
    assert r.total == 0 and r.summary == "No question answered; all 2 stay in your pool."
    with pytest.raises(ValueError, match="not recorded"):
        attempt_record(r)


def test_a_session_round_trips_through_plain_json():
    import json

    bank = [question(f"q{i}", right=1) for i in range(4)]
    clock = Clock()
    s = QuizSession(bank[:3], mode="exam", clock=clock)
    s.start()
    s.answer("q1", "c")
    clock.now += 42
    kept = json.loads(json.dumps(s.to_state(index=1, checked=["q1"])))
    assert kept == {"mode": "exam", "ids": ["q0", "q1", "q2"], "answers": {"q1": "C"}, "index": 1,
                    "checked": ["q1"], "elapsed": 42.0}
    later = Clock()
    later.now = 5000.0
    back, index, checked = QuizSession.from_state(kept, bank, "exam", clock=later)
    assert [q.id for q in back.questions] == ["q0", "q1", "q2"] and back.answers == {"q1": "C"}
    assert (index, checked) == (1, ["q1"])
    assert back.remaining() == 270 - 42


@pytest.mark.parametrize(
    "kept",
    [
        {"mode": "practice", "ids": ["q0"], "answers": {}},  # another mode
        {"mode": "exam", "ids": ["gone"], "answers": {}},  # a question no longer in the bank
        {"mode": "exam", "ids": ["q0"], "answers": {"q0": "Z"}},
        {"mode": "exam", "ids": ["q0"], "answers": {"q9": "A"}},
        {"mode": "exam", "ids": ["q0"], "answers": {}, "elapsed": "soon"},
        {"mode": "exam", "ids": [], "answers": {}},
        ["not", "a", "dict"],
    ],
)
def test_a_kept_session_that_does_not_fit_is_refused(kept):
    with pytest.raises(ValueError):
        QuizSession.from_state(kept, [question("q0")], "exam")


def test_picker_key_names_the_quiz_and_its_pool_holds_every_candidate():
    bank = [question(f"q{i}", topic="t" if i % 2 else "u") for i in range(6)] + [question("g", graded=True)]
    picker = QuestionPicker(bank, topic="t", n=2)
    assert picker.key == "practice|topic=t|n=2"
    assert {q.id for q in picker.pool} == {"q1", "q3", "q5"}
    assert all(q.id in {"q1", "q3", "q5"} for q in picker()) and len(picker()) == 2
    assert QuestionPicker(bank, ["q2", "q0"], mode="exam").key == "exam|ids=q2,q0"
    with pytest.raises(ValueError, match="topic 'x'"):
        QuestionPicker(bank, topic="x")


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
    r = s.finish()  # time is up: no question asked, the blank one counts as wrong
    assert r.timed_out and r.right == 1 and r.total == 2 and r.unanswered_ids == ("b",)
    assert r.summary.endswith("1 unanswered, counted as wrong as in the real exam. Time ran out.")


def test_exam_pass_summary_in_words():
    s = QuizSession([question(str(i), right=2) for i in range(20)], mode="exam", clock=Clock())
    s.start()
    for i in range(13):
        s.answer(str(i), "C")
    for i in range(13, 20):
        s.answer(str(i), "A")
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
    s = QuizSession([question("a"), question("b"), question("c")], mode="exam", clock=Clock())
    s.answer("a", "B")
    s.answer("b", "C")
    rec = attempt_record(s.finish(confirmed=True), datetime(2026, 3, 2, 9, 15, tzinfo=timezone.utc))
    assert rec == {
        "date": "2026-03-02T09:15:00+00:00",
        "mode": "exam",
        "score": 1,
        "total": 3,
        "percent": 33.3,
        "passed": False,
        "wrong": ["b"],
        "unanswered": ["c"],
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


class KeylessQuestion:
    """A graded question as the public bank will hold it: reading its options or answer fails the test."""

    graded = True
    topic = "mapping"
    stem = "a graded stem"
    statements = ()

    def __init__(self, qid):
        self.id = qid

    def _key(self):
        raise AssertionError(f"the key of graded question {self.id} was read")

    options = property(_key)
    answer_letter = property(_key)
    answer_index = property(_key)


def test_graded_questions_are_left_out_without_reading_their_keys():
    bank = [question("p1"), KeylessQuestion("g1"), question("p2"), KeylessQuestion("g2")]
    picker = QuestionPicker(bank, mode="exam")
    assert {q.id for q in picker.pool} == {"p1", "p2"}
    s = QuizSession(picker(), mode="exam", clock=Clock())
    s.start()
    for q in s.questions:
        s.answer(q.id, "B")
    assert s.finish().right == 2
    with pytest.raises(ValueError, match="g1.*graded"):
        QuestionPicker(bank, ["p1", "g1"])
