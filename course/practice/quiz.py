"""Quiz sessions: practice with feedback on every option, or a timed mock exam.

Practice mode explains every option (right and wrong) right after each answer,
because a chosen distractor left unexplained is learned as true. Exam mode
follows the ITIL 4 Foundation format: no feedback until the end, 90 seconds per
question (60 minutes for 40), and a pass at 65% (26 of 40). Time comes from an
injectable clock (seconds, like :func:`time.monotonic`), so the timer is tested
without waiting.

Finishing with questions unanswered must be confirmed (:class:`Unanswered`):
only then does an exam count them as wrong, as the real exam does. A practice
quiz scores the questions answered. Unanswered questions are listed in the
review without their answers, so they stay fresh for another attempt.

A session in progress can be kept as plain JSON (:meth:`QuizSession.to_state`)
and restored (:meth:`QuizSession.from_state`), so a kernel restart loses no
answer. Graded questions are never put in a quiz, so no key of theirs is read.

Questions are any objects with the attributes of :class:`course.banks.Question`
(``id``, ``topic``, ``stem``, ``statements``, ``options`` of ``(text, correct,
explanation)`` and, optionally, ``graded``).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

PASS_PERCENT = 65
"""The pass mark in percent: 26 of 40 questions."""

SECONDS_PER_QUESTION = 90
"""Exam time per question: 60 minutes for 40 questions."""

MODES = ("practice", "exam")
LETTERS = "ABCDEFGH"


class QuizClosed(ValueError):
    """An answer given after the quiz was finished or the exam time ran out."""


class Unanswered(ValueError):
    """Finishing with questions unanswered, not confirmed: ask the student first."""

    def __init__(self, ids: Sequence[str]):
        self.ids = tuple(ids)
        n = len(self.ids)
        super().__init__(f"{n} question{'s' if n != 1 else ''} unanswered: finish anyway?")


def exam_seconds(n_questions: int) -> int:
    """Exam time in seconds for ``n_questions``, scaled from 60 minutes for 40.

    >>> exam_seconds(40) // 60, exam_seconds(10) // 60
    (60, 15)
    """
    if not isinstance(n_questions, int) or n_questions < 1:
        raise ValueError(f"the number of questions must be a positive integer, got {n_questions!r}")
    return SECONDS_PER_QUESTION * n_questions


def format_clock(seconds: float) -> str:
    """Format remaining seconds as ``MM:SS`` (never negative).

    >>> format_clock(3599.2), format_clock(-4)
    ('60:00', '00:00')
    """
    whole = max(0, int(-(-seconds // 1)))  # round up: 0.2 s left still shows 00:01
    return f"{whole // 60:02d}:{whole % 60:02d}"


def passed(right: int, total: int) -> bool:
    """Whether ``right`` of ``total`` reaches the 65% pass mark (exact integer test).

    >>> passed(26, 40), passed(25, 40)
    (True, False)
    """
    if total < 1:
        raise ValueError(f"a quiz needs at least one question, got total={total}")
    return right * 100 >= PASS_PERCENT * total


def answer_letter(question: Any) -> str:
    """The letter (A, B, ...) of the question's one correct option."""
    letter = getattr(question, "answer_letter", None)
    if isinstance(letter, str):
        return letter
    for i, option in enumerate(question.options):
        if option.correct:
            return LETTERS[i]
    raise ValueError(f"question {question.id!r}: options: no option is marked correct")


def _letter_index(question: Any, letter: str) -> int:
    if not isinstance(letter, str):
        raise ValueError(f"question {question.id!r}: the answer must be a letter, got {letter!r}")
    key = letter.strip().upper()
    n = len(question.options)
    if len(key) != 1 or key not in LETTERS[:n]:
        raise ValueError(f"question {question.id!r}: {letter!r} is not one of {', '.join(LETTERS[:n])}")
    return LETTERS.index(key)


@dataclass(frozen=True)
class OptionFeedback:
    """One option explained: its letter, text, whether right, whether chosen, and why."""

    letter: str
    text: str
    correct: bool
    chosen: bool
    explanation: str

    @property
    def mark(self) -> str:
        """``[OK]`` for the right option, ``[WRONG]`` for a wrong one."""
        return "[OK]" if self.correct else "[WRONG]"

    @property
    def line(self) -> str:
        """The option and its explanation as one line of text."""
        status = "correct answer" if self.correct else "not the answer"
        who = " (your answer)" if self.chosen else ""
        return f"{self.mark} {self.letter}) {self.text}{who}: {status}. {self.explanation}"


def headline(question: Any, chosen: str) -> str:
    """The student's verdict in one line, said before the options are explained.

    >>> from types import SimpleNamespace as S
    >>> q = S(id="q1", options=(S(text="plan", correct=False, explanation=""),
    ...                         S(text="obtain/build", correct=True, explanation="")))
    >>> headline(q, "a"), headline(q, "B")
    ('[WRONG] Your answer A is wrong; the answer is B.', '[OK] Your answer B is right.')
    """
    letter = LETTERS[_letter_index(question, chosen)]
    key = answer_letter(question)
    if letter == key:
        return f"[OK] Your answer {letter} is right."
    return f"[WRONG] Your answer {letter} is wrong; the answer is {key}."


def option_feedback(question: Any, chosen: str | None) -> list[OptionFeedback]:
    """Explain every option of ``question``, marking the one chosen (``None``: unanswered).

    >>> from types import SimpleNamespace as S
    >>> q = S(id="q1", options=(S(text="plan", correct=False, explanation="Plan sets direction."),
    ...                         S(text="obtain/build", correct=True, explanation="CI is building.")))
    >>> [f.line for f in option_feedback(q, "a")][0]
    '[WRONG] A) plan (your answer): not the answer. Plan sets direction.'
    """
    index = _letter_index(question, chosen) if chosen is not None else None
    return [
        OptionFeedback(LETTERS[i], o.text, bool(o.correct), i == index, o.explanation)
        for i, o in enumerate(question.options)
    ]


@dataclass(frozen=True)
class Review:
    """A question answered wrongly, with every option explained."""

    question_id: str
    stem: str
    chosen: str | None
    answer: str
    options: tuple[OptionFeedback, ...]


@dataclass(frozen=True)
class Skipped:
    """A question left unanswered: only its stem, never its answer."""

    question_id: str
    number: int
    stem: str


@dataclass(frozen=True)
class QuizResult:
    """The score of a finished quiz, the review of every wrong answer and the questions left unanswered.

    ``total`` is what the score is out of: every question in an exam (an
    unanswered one earns nothing, as in the real exam), the questions answered
    in a practice quiz.
    """

    mode: str
    right: int
    total: int
    timed_out: bool
    wrong_ids: tuple[str, ...]
    reviews: tuple[Review, ...] = field(repr=False)
    skipped: tuple[Skipped, ...] = field(default=(), repr=False)

    @property
    def unanswered_ids(self) -> tuple[str, ...]:
        """The ids of the questions left unanswered."""
        return tuple(s.question_id for s in self.skipped)

    @property
    def percent(self) -> float:
        """The score in percent (0 when nothing was scored)."""
        return 100.0 * self.right / self.total if self.total else 0.0

    @property
    def passed(self) -> bool:
        """Whether the score reaches the 65% pass mark."""
        return passed(self.right, self.total) if self.total else False

    @property
    def summary(self) -> str:
        """The score in words, e.g. ``PASS: 27 / 40 (67.5%); the pass mark is 65% (26 / 40).``"""
        n_skipped = len(self.skipped)
        if self.mode == "practice":
            if not self.total:
                return f"No question answered; all {n_skipped} stay in your pool."
            text = f"{self.right} / {self.total} answered questions right ({self.percent:.0f}%)."
            if n_skipped:
                text += f" {n_skipped} unanswered (not scored)."
            return text
        need = -(-PASS_PERCENT * self.total // 100)
        word = "PASS" if self.passed else "FAIL"
        late = " Time ran out." if self.timed_out else ""
        blank = ""
        if n_skipped:
            blank = f" {n_skipped} unanswered, counted as wrong as in the real exam."
        return (
            f"{word}: {self.right} / {self.total} ({self.percent:.1f}%); the pass mark is "
            f"{PASS_PERCENT}% ({need} / {self.total}).{blank}{late}"
        )


def attempt_record(result: QuizResult, when: datetime | None = None) -> dict[str, Any]:
    """The attempt as a small JSON-ready dict for the progress file (``unanswered`` lists the ids left blank)."""
    if not result.total:
        raise ValueError("an attempt with no question answered is not recorded")
    when = when or datetime.now(timezone.utc)
    return {
        "date": when.isoformat(timespec="seconds"),
        "mode": result.mode,
        "score": result.right,
        "total": result.total,
        "percent": round(result.percent, 1),
        "passed": result.passed,
        "wrong": list(result.wrong_ids),
        "unanswered": list(result.unanswered_ids),
    }


class QuizSession:
    """One run through a list of questions in ``practice`` or ``exam`` mode.

    In practice mode :meth:`answer` returns every option explained; in exam mode
    it returns ``None`` and only :meth:`finish` tells the score. An exam's clock
    starts at :meth:`start`; once :meth:`remaining` reaches 0 answers are refused
    with :class:`QuizClosed` and :meth:`finish` reports ``timed_out``.

    >>> from types import SimpleNamespace as S
    >>> q = S(id="q1", stem="?", options=(S(text="x", correct=True, explanation=""),
    ...                                    S(text="y", correct=False, explanation="")))
    >>> now = [0.0]
    >>> s = QuizSession([q], mode="exam", clock=lambda: now[0]); s.start()
    >>> s.answer("q1", "A"); now[0] = 30.0; s.remaining()
    60.0
    >>> s.finish().summary
    'PASS: 1 / 1 (100.0%); the pass mark is 65% (1 / 1).'
    """

    def __init__(self, questions: Sequence[Any], mode: str = "practice", clock: Callable[[], float] = time.monotonic):
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
        if not questions:
            raise ValueError("a quiz needs at least one question")
        self.questions = list(questions)
        self.mode = mode
        self.clock = clock
        self.answers: dict[str, str] = {}
        self.started_at: float | None = None
        self.result: QuizResult | None = None
        self._by_id = {q.id: q for q in self.questions}

    @property
    def time_limit(self) -> int:
        """Seconds allowed for the whole exam."""
        return exam_seconds(len(self.questions))

    def start(self) -> None:
        """Start the exam clock (practice mode has no clock)."""
        if self.started_at is None:
            self.started_at = self.clock()

    def remaining(self) -> float:
        """Seconds left in an exam (the full limit before :meth:`start`)."""
        if self.started_at is None:
            return float(self.time_limit)
        return max(0.0, self.time_limit - (self.clock() - self.started_at))

    def timed_out(self) -> bool:
        """Whether an exam's time has run out."""
        return self.mode == "exam" and self.started_at is not None and self.remaining() <= 0

    def question(self, qid: str) -> Any:
        """The question with id ``qid``."""
        try:
            return self._by_id[qid]
        except KeyError:
            raise KeyError(f"question {qid!r} is not in this quiz") from None

    def answer(self, qid: str, letter: str) -> list[OptionFeedback] | None:
        """Record ``letter`` for question ``qid``; in practice mode return the feedback."""
        if self.result is not None:
            raise QuizClosed("this quiz is finished; start a new one to answer again")
        if self.timed_out():
            raise QuizClosed("the exam time is up; your answers so far are being scored")
        question = self.question(qid)
        index = _letter_index(question, letter)
        self.answers[qid] = LETTERS[index]
        if self.mode == "practice":
            return option_feedback(question, LETTERS[index])
        return None

    def unanswered(self) -> list[str]:
        """The ids of the questions not answered yet, in quiz order."""
        return [q.id for q in self.questions if q.id not in self.answers]

    def finish(self, *, confirmed: bool = False) -> QuizResult:
        """Score the quiz and close it.

        With questions unanswered this raises :class:`Unanswered` unless
        ``confirmed`` (the student said "finish anyway") or the exam time is up.
        An exam then counts them as wrong; a practice quiz scores only the
        questions answered. Either way they are listed without their answers.
        """
        if self.result is not None:
            return self.result
        timed_out = self.timed_out()
        blank = self.unanswered()
        if blank and not confirmed and not timed_out:
            raise Unanswered(blank)
        reviews = []
        skipped = []
        right = 0
        for number, q in enumerate(self.questions, start=1):
            chosen = self.answers.get(q.id)
            if chosen is None:
                skipped.append(Skipped(q.id, number, q.stem))
                continue
            key = answer_letter(q)
            if chosen == key:
                right += 1
            else:
                reviews.append(Review(q.id, q.stem, chosen, key, tuple(option_feedback(q, chosen))))
        total = len(self.questions) if self.mode == "exam" else len(self.questions) - len(skipped)
        self.result = QuizResult(
            self.mode, right, total, timed_out, tuple(r.question_id for r in reviews), tuple(reviews), tuple(skipped)
        )
        return self.result

    def elapsed(self) -> float | None:
        """Seconds since the exam clock started (``None`` before it started)."""
        return None if self.started_at is None else self.clock() - self.started_at

    def to_state(self, *, index: int = 0, checked: Sequence[str] = ()) -> dict[str, Any]:
        """The attempt in progress as plain JSON: question ids, answers, position, checked ids, elapsed time."""
        return {
            "mode": self.mode,
            "ids": [q.id for q in self.questions],
            "answers": dict(self.answers),
            "index": index,
            "checked": [qid for qid in checked if qid in self._by_id],
            "elapsed": self.elapsed(),
        }

    @classmethod
    def from_state(
        cls, state: Any, pool: Sequence[Any], mode: str, clock: Callable[[], float] = time.monotonic
    ) -> tuple[QuizSession, int, list[str]]:
        """Rebuild a session kept by :meth:`to_state`: ``(session, index, checked ids)``.

        ``pool`` holds the questions the quiz may ask; a stored id not in it
        (the bank changed), a different mode or any malformed field raises
        ``ValueError``, and the caller starts a fresh attempt. A started exam
        resumes with its clock moved on by the stored ``elapsed`` seconds.
        """
        if not isinstance(state, dict) or state.get("mode") != mode:
            raise ValueError("the stored quiz is not of this mode")
        by_id = {q.id: q for q in pool}
        ids = state.get("ids")
        if not isinstance(ids, list) or not ids or not all(isinstance(i, str) and i in by_id for i in ids):
            raise ValueError("the stored quiz names questions that are not in this quiz any more")
        session = cls([by_id[i] for i in ids], mode=mode, clock=clock)
        answers = state.get("answers", {})
        if not isinstance(answers, dict):
            raise ValueError("the stored answers are not a mapping")
        for qid, letter in answers.items():
            if qid not in session._by_id:
                raise ValueError(f"the stored answer names question {qid!r}, not in this quiz")
            session.answers[qid] = LETTERS[_letter_index(session.question(qid), letter)]
        index = state.get("index", 0)
        if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < len(ids):
            index = 0
        checked = [qid for qid in state.get("checked", []) if qid in session.answers]
        elapsed = state.get("elapsed")
        if elapsed is not None:
            if isinstance(elapsed, bool) or not isinstance(elapsed, (int, float)) or elapsed < 0:
                raise ValueError(f"the stored elapsed time is not a number of seconds: {elapsed!r}")
            session.started_at = session.clock() - float(elapsed)
        return session, index, checked


def select_questions(
    questions: Sequence[Any],
    ids: Sequence[str] | None = None,
    *,
    topic: str | None = None,
    n: int | None = None,
    seed: int | None = None,
) -> list[Any]:
    """Choose the questions for a quiz.

    ``ids`` picks those questions in that order; otherwise every non-graded
    question (optionally of one ``topic``) is shuffled with ``seed``. ``n`` keeps
    the first ``n``. Graded questions are never offered for practice: naming one
    in ``ids`` raises ``ValueError``, as does an unknown id or topic.
    """
    by_id = {q.id: q for q in questions}
    if ids is not None:
        chosen = []
        for qid in ids:
            if qid not in by_id:
                raise ValueError(f"questions.yml: no question with id {qid!r}")
            if getattr(by_id[qid], "graded", False):
                raise ValueError(
                    f"questions.yml: question {qid!r} is graded: answer it in the notebook's graded cell, not in the quiz"
                )
            chosen.append(by_id[qid])
    else:
        pool = [q for q in questions if not getattr(q, "graded", False)]
        if topic is not None:
            topics = sorted({q.topic for q in pool})
            pool = [q for q in pool if q.topic == topic]
            if not pool:
                raise ValueError(f"questions.yml: no practice question has topic {topic!r}; topics: {', '.join(topics)}")
        chosen = list(pool)
        random.Random(seed).shuffle(chosen)
    if n is not None:
        if not isinstance(n, int) or n < 1:
            raise ValueError(f"n must be a positive integer, got {n!r}")
        chosen = chosen[:n]
    if not chosen:
        raise ValueError("questions.yml: no questions to ask")
    return chosen


class QuestionPicker:
    """Picks the questions of each new attempt of one quiz: ``picker()`` calls :func:`select_questions`.

    ``pool`` holds every question an attempt may contain (a kept attempt is
    resumed only when all its questions are still in it); ``key`` names the
    quiz in the progress file, from its arguments.

    >>> from types import SimpleNamespace as S
    >>> bank = [S(id=f"q{i}", topic="t", graded=False) for i in range(5)]
    >>> picker = QuestionPicker(bank, topic="t", n=2, mode="exam")
    >>> len(picker()), len(picker.pool), picker.key
    (2, 5, 'exam|topic=t|n=2')
    """

    def __init__(
        self,
        questions: Sequence[Any],
        ids: Sequence[str] | None = None,
        *,
        topic: str | None = None,
        n: int | None = None,
        mode: str = "practice",
    ):
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
        self.questions = list(questions)
        self.ids = list(ids) if ids is not None else None
        self.topic = topic
        self.n = n
        self.mode = mode
        # validates ids, topic and n at once (and gives the pool before shuffling)
        self.pool = select_questions(self.questions, self.ids, topic=topic)
        select_questions(self.questions, self.ids, topic=topic, n=n, seed=0)
        parts = [mode]
        if ids is not None:
            parts.append("ids=" + ",".join(self.ids or ()))
        if topic is not None:
            parts.append(f"topic={topic}")
        if n is not None:
            parts.append(f"n={n}")
        self.key = "|".join(parts)

    def __call__(self) -> list[Any]:
        return select_questions(self.questions, self.ids, topic=self.topic, n=self.n)
