"""The quiz: practice with every option explained, or a timed mock exam with a review."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import ipywidgets as w

from .. import progress
from ..practice.quiz import (
    PASS_PERCENT,
    QuizClosed,
    QuizResult,
    QuizSession,
    attempt_record,
    format_clock,
    option_feedback,
)
from . import _common as c


def _question_html(q: Any, number: int, total: int) -> str:
    parts = [f'<div class="svc-card"><div><b>Question {number} of {total}</b></div>', f"<div>{c.esc(q.stem)}</div>"]
    statements = getattr(q, "statements", None) or ()
    if statements:
        items = "".join(f"<li>{c.esc(s)}</li>" for s in statements)
        parts.append(f"<ol>{items}</ol>")
    parts.append("</div>")
    return "".join(parts)


def _review_html(result: QuizResult) -> str:
    if not result.reviews:
        return "<div>Every answer was right.</div>"
    blocks = ["<div><b>Review of the questions you missed:</b></div>"]
    for r in result.reviews:
        chosen = f"you answered {r.chosen}" if r.chosen else "not answered"
        lines = [f"{r.stem} ({chosen}; the answer is {r.answer})"] + [o.line for o in r.options]
        blocks.append(f'<div class="svc-card svc-review">{c.lines_html(lines, "svc-review-lines")}</div>')
    return "".join(blocks)


def build(questions: Sequence[Any], mode: str = "practice") -> w.VBox:
    """The quiz view over ``questions`` in ``mode`` (see :func:`course.widgets.quiz`)."""
    session = QuizSession(questions, mode=mode)
    exam = mode == "exam"
    total = len(session.questions)
    index = [0]
    checked: set[str] = set()
    stop = threading.Event()

    if exam:
        info_text = (
            f"Mock exam: {total} questions, {session.time_limit // 60} minutes ({format_clock(session.time_limit)}), "
            f"pass mark {PASS_PERCENT}%. No feedback until you finish. Your answer is saved when you pick it."
        )
    else:
        info_text = f"Practice quiz: {total} questions. Pick an answer and Check it to see why each option is right or wrong."
    info = w.HTML(f"<div>{c.esc(info_text)}</div>")
    timer = w.HTML()
    timer.add_class("svc-timer")
    stem = w.HTML()
    stem.add_class("svc-question")
    options = w.RadioButtons(
        options=[],
        value=None,
        description="Your answer:",
        style={"description_width": "initial"},
        layout=w.Layout(width="100%"),
    )
    options.add_class("svc-options")
    check = c.button("Check answer", "Check your answer and see every option explained", css="svc-submit", primary=True)
    prev = c.button("Previous", "Go to the previous question", css="svc-prev")
    nxt = c.button("Next question", "Go to the next question", css="svc-next")
    finish = c.button("Finish", "Finish and see your score", css="svc-finish")
    start = c.button("Start exam", "Start the exam and its timer", css="svc-start", primary=True)
    feedback = w.HTML()
    feedback.add_class("svc-feedback-box")
    result_box = w.HTML()
    result_box.add_class("svc-result")
    note = w.HTML()
    note.add_class("svc-note")
    controls = w.HBox([check, prev, nxt, finish] if not exam else [prev, nxt, finish], layout=w.Layout(flex_flow="row wrap"))
    question_area = w.VBox([stem, options, controls, feedback])
    setting = [False]

    def current() -> Any:
        return session.questions[index[0]]

    def show() -> None:
        q = current()
        stem.value = _question_html(q, index[0] + 1, total)
        setting[0] = True
        options.options = [(f"{letter}) {o.text}", letter) for letter, o in zip("ABCDEFGH", q.options)]
        options.value = session.answers.get(q.id)
        setting[0] = False
        done = session.result is not None
        options.disabled = done or (q.id in checked)
        check.disabled = done or (q.id in checked)
        prev.disabled = index[0] == 0
        nxt.disabled = index[0] == total - 1
        if not exam and q.id in checked:
            feedback.value = c.lines_html([f.line for f in option_feedback(q, session.answers[q.id])])
        else:
            feedback.value = ""
        if exam:
            answered = len(session.answers)
            feedback.value = f'<div class="svc-progress-line">{answered} of {total} answered.</div>'

    def on_pick(change: dict) -> None:
        if setting[0] or change["new"] is None or not exam:
            return
        try:
            session.answer(current().id, change["new"])
        except QuizClosed as exc:
            note.value = f"<div>{c.esc(exc)}</div>"
            on_finish(None)
            return
        show()

    def on_check(_: Any) -> None:
        q = current()
        if options.value is None:
            feedback.value = c.lines_html(["Pick an answer first, then Check."])
            return
        lines = session.answer(q.id, options.value) or []
        checked.add(q.id)
        show()
        feedback.value = c.lines_html([f.line for f in lines])

    def move(step: int) -> None:
        index[0] = max(0, min(total - 1, index[0] + step))
        show()

    def on_finish(_: Any) -> None:
        if session.result is not None and result_box.value:
            return
        stop.set()
        result = session.finish()
        if exam:
            timer.value = f"<b>Finished with {format_clock(session.remaining())} left.</b>"
        for b in (check, prev, nxt, finish, options):
            b.disabled = True
        question_area.layout.display = "none"
        summary = result.summary if exam else f"{result.right} / {result.total} right ({result.percent:.0f}%)."
        result_box.value = (
            f'<div class="svc-card svc-summary" role="status"><b>{c.esc(summary)}</b></div>' + _review_html(result)
        )
        try:
            loaded = progress.record_quiz_attempt(attempt_record(result))
            if loaded.message:
                note.value = f"<div>{c.esc(loaded.message)}</div>"
        except OSError as exc:
            note.value = f"<div>Your attempt could not be saved to the progress file: {c.esc(exc)}</div>"

    def tick() -> None:
        while not stop.wait(1.0):
            timer.value = f"<b>Time left: {format_clock(session.remaining())}</b>"
            if session.timed_out():
                on_finish(None)
                return

    def on_start(_: Any) -> None:
        session.start()
        start.layout.display = "none"
        question_area.layout.display = None
        timer.value = f"<b>Time left: {format_clock(session.remaining())}</b>"
        threading.Thread(target=tick, name="svc-exam-timer", daemon=True).start()
        show()

    options.observe(on_pick, names="value")
    check.on_click(on_check)
    prev.on_click(lambda _: move(-1))
    nxt.on_click(lambda _: move(1))
    finish.on_click(on_finish)
    start.on_click(on_start)
    show()
    children: list[w.Widget] = [info]
    if exam:
        question_area.layout.display = "none"
        timer.value = f"<b>Time allowed: {format_clock(session.time_limit)}</b>"
        children += [start, timer]
    children += [question_area, result_box, note]
    title = "Mock exam" if exam else "Practice quiz"
    box = c.outer(title, children, "svc-quiz")
    box.add_class(f"svc-quiz-{mode}")
    return box
