"""The quiz: practice with every option explained, or a timed mock exam with a review.

Finishing with questions unanswered asks first; unanswered questions are listed
after finishing without their answers. "Start again" begins a new attempt in
place. The attempt in progress is kept in the progress file (under the quiz's
``key``), so running the cell again after a kernel restart brings it back.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

import ipywidgets as w

from .. import progress
from ..practice.quiz import (
    PASS_PERCENT,
    QuizClosed,
    QuizResult,
    QuizSession,
    Unanswered,
    attempt_record,
    format_clock,
    headline,
    option_feedback,
)
from . import _common as c

KIND = "quiz"
"""The progress file's widget kind for quiz attempts in progress."""


def _question_html(q: Any, number: int, total: int) -> str:
    parts = [f'<div class="svc-card"><div><b>Question {number} of {total}</b></div>', f"<div>{c.esc(q.stem)}</div>"]
    statements = getattr(q, "statements", None) or ()
    if statements:
        items = "".join(f"<li>{c.esc(s)}</li>" for s in statements)
        parts.append(f"<ol>{items}</ol>")
    parts.append("</div>")
    return "".join(parts)


def feedback_lines(q: Any, chosen: str) -> list[str]:
    """The practice feedback: the student's verdict first, then every option explained."""
    return [headline(q, chosen)] + [f.line for f in option_feedback(q, chosen)]


def review_html(result: QuizResult) -> str:
    """The review after finishing: wrong answers explained, unanswered questions listed without their answers."""
    blocks = []
    if result.reviews:
        blocks.append("<div><b>Review of the questions you got wrong:</b></div>")
        for r in result.reviews:
            lines = [f"{r.stem} (you answered {r.chosen}; the answer is {r.answer})"] + [o.line for o in r.options]
            blocks.append(f'<div class="svc-card svc-review">{c.lines_html(lines, "svc-review-lines")}</div>')
    elif result.total:
        blocks.append("<div>Every answered question was right.</div>")
    if result.skipped:
        items = "".join(f"<li>Question {s.number}: {c.esc(s.stem)}</li>" for s in result.skipped)
        blocks.append(
            '<div class="svc-unanswered"><b>Unanswered</b> (their answers are not shown, so they stay fresh '
            f"for your next attempt):<ul>{items}</ul></div>"
        )
    return "".join(blocks)


def build(
    select: Callable[[], Sequence[Any]], mode: str = "practice", key: str | None = None
) -> w.VBox:
    """The quiz view (see :func:`course.widgets.quiz`).

    ``select`` returns the questions of a new attempt (called again by "Start
    again"); ``key`` names the quiz in the progress file (``None``: nothing
    kept). A kept attempt is resumed when its questions are still among those
    ``select`` may return.
    """
    exam = mode == "exam"
    first = list(select())
    loaded = progress.load()
    session = QuizSession(first, mode=mode)
    index = [0]
    checked: set[str] = set()
    restored = False
    if key is not None:
        kept = progress.widget_state(loaded.state, KIND).get(key)
        if kept is not None:
            try:
                session, index[0], kept_checked = QuizSession.from_state(kept, _pool(select, first), mode)
                checked.update(kept_checked)
                restored = True
            except (ValueError, KeyError):
                session = QuizSession(first, mode=mode)
    # a restored exam's clock stays paused until "Resume exam"
    state = {"session": session, "stop": threading.Event(), "paused": session.elapsed() if restored else None}

    info = w.HTML()
    timer = w.HTML()
    timer.add_class("svc-timer")
    stem = w.HTML()
    stem.add_class("svc-question")
    options = c.radio_group("Your answer:", "svc-options")
    check = c.button("Check answer", "Check your answer and see every option explained", css="svc-submit", primary=True)
    prev = c.button("Previous", "Go to the previous question", css="svc-prev")
    nxt = c.button("Next question", "Go to the next question", css="svc-next")
    finish = c.button("Finish", "Finish and see your score", css="svc-finish")
    start = c.button("Start exam", "Start the exam and its timer", css="svc-start", primary=True)
    confirm_text = w.HTML()
    confirm_yes = c.button("Finish anyway", "Finish now; unanswered questions are listed without answers", css="svc-confirm-finish")
    confirm_no = c.button("Keep answering", "Go to the first unanswered question", css="svc-keep-going", primary=True)
    confirm = w.VBox([confirm_text, w.HBox([confirm_no, confirm_yes])])
    confirm.add_class("svc-confirm")
    confirm.layout.display = "none"
    again = c.button("Start again", "Start a new attempt with fresh questions", css="svc-again", primary=True)
    again.layout.display = "none"
    feedback = w.HTML()
    feedback.add_class("svc-feedback-box")
    result_box = w.HTML()
    result_box.add_class("svc-result")
    note = w.HTML(c.note_html(loaded.message))
    note.add_class("svc-note")
    controls = w.HBox([check, prev, nxt, finish] if not exam else [prev, nxt, finish], layout=w.Layout(flex_flow="row wrap"))
    question_area = w.VBox([stem, options, controls, feedback])
    setting = [False]

    def s() -> QuizSession:
        return state["session"]

    def total() -> int:
        return len(s().questions)

    def current() -> Any:
        return s().questions[index[0]]

    def save() -> None:
        if key is None:
            return
        value = None if s().result is not None else s().to_state(index=index[0], checked=sorted(checked))
        try:
            result = progress.save_widget_state(KIND, key, value)
            if result.message:
                note.value = c.note_html(result.message)
        except (OSError, ValueError) as exc:
            note.value = c.note_html(f"Your answers could not be saved to the progress file: {exc}")

    def set_info() -> None:
        n = total()
        if exam:
            text = (
                f"Mock exam: {n} questions, {s().time_limit // 60} minutes ({format_clock(s().time_limit)}), "
                f"pass mark {PASS_PERCENT}%. No feedback until you finish. Your answer is saved when you pick it."
            )
        else:
            text = f"Practice quiz: {n} questions. Pick an answer and Check it to see why each option is right or wrong."
        info.value = f"<div>{c.esc(text)}</div>"

    def show() -> None:
        q = current()
        stem.value = _question_html(q, index[0] + 1, total())
        setting[0] = True
        options.options = [(f"{letter}) {o.text}", letter) for letter, o in zip("ABCDEFGH", q.options)]
        options.value = s().answers.get(q.id)
        setting[0] = False
        done = s().result is not None
        options.disabled = done or (q.id in checked)
        check.disabled = done or (q.id in checked)
        prev.disabled = index[0] == 0
        nxt.disabled = index[0] == total() - 1
        if exam:
            feedback.value = f'<div class="svc-progress-line">{len(s().answers)} of {total()} answered.</div>'
        elif q.id in checked:
            feedback.value = c.lines_html(feedback_lines(q, s().answers[q.id]))
        else:
            feedback.value = ""

    def on_pick(change: dict) -> None:
        if setting[0] or change["new"] is None or not exam:
            return
        try:
            s().answer(current().id, change["new"])
        except QuizClosed as exc:
            note.value = c.note_html(str(exc))
            do_finish(confirmed=True)
            return
        save()
        show()

    def on_check(_: Any) -> None:
        q = current()
        if options.value is None:
            feedback.value = c.lines_html(["Pick an answer first, then Check."])
            return
        s().answer(q.id, options.value)
        checked.add(q.id)
        save()
        show()
        c.focus(nxt if not nxt.disabled else finish)

    def move(step: int) -> None:
        confirm.layout.display = "none"
        index[0] = max(0, min(total() - 1, index[0] + step))
        show()
        save()
        c.focus(options)

    def do_finish(confirmed: bool) -> None:
        if s().result is not None:
            return
        try:
            result = s().finish(confirmed=confirmed)
        except Unanswered as exc:
            confirm_text.value = (
                f"<div><b>{c.esc(exc)}</b> Unanswered questions are "
                + ("counted as wrong, as in the real exam" if exam else "not scored")
                + "; their answers are not shown, so they stay in your pool.</div>"
            )
            confirm.layout.display = None
            c.focus(confirm_no)
            return
        state["stop"].set()
        confirm.layout.display = "none"
        if exam:
            timer.value = f"<b>Finished with {format_clock(s().remaining())} left.</b>"
        for b in (check, prev, nxt, finish, options):
            b.disabled = True
        question_area.layout.display = "none"
        result_box.value = (
            f'<div class="svc-card svc-summary" role="status"><b>{c.esc(result.summary)}</b></div>' + review_html(result)
        )
        again.layout.display = None
        save()
        if result.total:
            try:
                saved = progress.record_quiz_attempt(attempt_record(result))
                if saved.message:
                    note.value = c.note_html(saved.message)
            except (OSError, ValueError) as exc:
                note.value = c.note_html(f"Your attempt could not be saved to the progress file: {exc}")
        c.focus(again)

    def on_keep_going(_: Any) -> None:
        confirm.layout.display = "none"
        blank = s().unanswered()
        if blank:
            index[0] = [q.id for q in s().questions].index(blank[0])
        show()
        c.focus(options)

    def tick(session: QuizSession, stop: threading.Event) -> None:
        while not stop.wait(1.0):
            timer.value = f"<b>Time left: {format_clock(session.remaining())}</b>"
            if session.timed_out():
                if session is s():
                    do_finish(confirmed=True)
                return

    def begin_clock() -> None:
        start.layout.display = "none"
        question_area.layout.display = None
        timer.value = f"<b>Time left: {format_clock(s().remaining())}</b>"
        threading.Thread(target=tick, args=(s(), state["stop"]), name="svc-exam-timer", daemon=True).start()
        show()
        c.focus(options)

    def on_start(_: Any) -> None:
        if state["paused"] is not None:
            s().started_at = s().clock() - state["paused"]
            state["paused"] = None
        elif s().started_at is None:
            s().start()
        save()
        if s().timed_out():
            show()
            do_finish(confirmed=True)
            return
        begin_clock()

    def reset_view() -> None:
        set_info()
        confirm.layout.display = "none"
        result_box.value = ""
        again.layout.display = "none"
        for b in (prev, nxt, finish):
            b.disabled = False
        if exam:
            if s().started_at is None:
                question_area.layout.display = "none"
                start.description = "Start exam"
                start.layout.display = None
                timer.value = f"<b>Time allowed: {format_clock(s().time_limit)}</b>"
            else:
                question_area.layout.display = "none"
                start.description = "Resume exam"
                start.layout.display = None
                timer.value = (
                    f"<b>Exam in progress: {len(s().answers)} of {total()} answered, "
                    f"{format_clock(s().remaining())} left.</b>"
                )
        else:
            question_area.layout.display = None
        show()

    def on_again(_: Any) -> None:
        state["stop"].set()
        state["session"] = QuizSession(list(select()), mode=mode)
        state["stop"] = threading.Event()
        state["paused"] = None
        index[0] = 0
        checked.clear()
        note.value = ""
        save()
        reset_view()
        c.focus(start if exam else options)

    options.observe(on_pick, names="value")
    check.on_click(on_check)
    prev.on_click(lambda _: move(-1))
    nxt.on_click(lambda _: move(1))
    finish.on_click(lambda _: do_finish(confirmed=False))
    confirm_yes.on_click(lambda _: do_finish(confirmed=True))
    confirm_no.on_click(on_keep_going)
    start.on_click(on_start)
    again.on_click(on_again)
    reset_view()
    if restored:
        answered = len(s().answers)
        note.value = c.note_html(
            f"Your attempt in progress was restored ({answered} of {total()} answered)."
            + (" The exam clock was paused while the kernel was stopped." if exam and s().started_at is not None else "")
        )
    children: list[w.Widget] = [info]
    if exam:
        children += [start, timer]
    children += [question_area, confirm, result_box, w.HBox([again]), note]
    title = "Mock exam" if exam else "Practice quiz"
    box = c.outer(title, children, "svc-quiz")
    box.add_class(f"svc-quiz-{mode}")
    return box


def _pool(select: Callable[[], Sequence[Any]], first: Sequence[Any]) -> list[Any]:
    """The questions a kept attempt may name: those of ``first`` and of the selector's ``pool``, if it has one."""
    pool = {q.id: q for q in first}
    for q in getattr(select, "pool", ()):
        pool.setdefault(q.id, q)
    return list(pool.values())
