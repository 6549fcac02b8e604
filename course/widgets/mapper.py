"""The scenario mapper: read a scenario, pick its activities, get feedback in words."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import ipywidgets as w

from .. import progress
from ..activities import ACTIVITIES
from ..practice.mapper import ACTIVITY_PURPOSE, PRACTICE_NAME, MappingSession, check_name
from . import _common as c


def select_scenarios(scenarios: Sequence[Any], ids: Sequence[str] | None, graded: bool | None) -> list[Any]:
    """Scenarios by ``ids`` (in that order) or all, then kept by their ``graded`` flag unless it is None."""
    if ids is not None:
        by_id = {s.id: s for s in scenarios}
        unknown = [i for i in ids if i not in by_id]
        if unknown:
            raise ValueError(f"scenarios.yml: no scenario with id {unknown[0]!r}")
        chosen = [by_id[i] for i in ids]
    else:
        chosen = list(scenarios)
    if graded is not None:
        chosen = [s for s in chosen if bool(getattr(s, "graded", False)) == graded]
    if not chosen:
        raise ValueError("scenarios.yml: no scenario matches the ids and graded filter given")
    return chosen


KIND = "mapper"
"""The progress file's widget kind for mapper choices (one entry per scenario id, shared by every mapper)."""


def build(scenarios: Sequence[Any], answer_name: str = PRACTICE_NAME) -> w.VBox:
    """The mapper view over ``scenarios`` (see :func:`course.widgets.scenario_mapper`).

    A practice scenario is checked with the Check button. A graded scenario has
    no Check button: each click on an activity records the choice (at most two),
    and nothing about its answer is shown or read.
    """
    check_name(answer_name)
    loaded = progress.load()
    session = MappingSession(scenarios, progress.widget_state(loaded.state, KIND))
    all_graded = all(session.is_graded(s) for s in session.scenarios)
    any_graded = any(session.is_graded(s) for s in session.scenarios)

    position = w.HTML()
    position.add_class("svc-position")
    scenario_box = w.HTML()
    scenario_box.add_class("svc-scenario")
    toggles = [
        w.ToggleButton(
            description=name,
            tooltip=f"{name}: {ACTIVITY_PURPOSE[name]}",
            layout=w.Layout(width="auto"),
        )
        for name in ACTIVITIES
    ]
    for t in toggles:
        t.add_class("svc-activity")
    picker = w.HBox(toggles, layout=w.Layout(flex_flow="row wrap"))
    picker.add_class("svc-activities")
    check = c.button("Check", "Check the activities you picked", css="svc-check", primary=True)
    nxt = c.button("Next scenario", "Go to the next scenario", css="svc-next")
    show = c.button("Show as code", f"Show your answers as Python code that sets {answer_name}", css="svc-show-code")
    prompt = w.HTML()
    prompt.add_class("svc-prompt")
    feedback = w.HTML()
    feedback.add_class("svc-feedback-box")
    score = w.HTML()
    score.add_class("svc-score")
    code = w.HTML()
    code.add_class("svc-code-box")
    note = w.HTML(c.note_html(loaded.message))
    note.add_class("svc-note")
    setting = [False]

    def save(sid: str, chosen: Sequence[str]) -> None:
        try:
            result = progress.save_widget_state(KIND, sid, list(chosen) or None)
            if result.message:
                note.value = c.note_html(result.message)
        except (OSError, ValueError) as exc:
            note.value = c.note_html(f"Your choice could not be saved to the progress file: {exc}")

    def show_scenario() -> None:
        s = session.current
        graded = session.is_graded()
        label = " (graded: recorded here, graded with your notebook)" if graded else ""
        position.value = f"<b>{c.esc(session.position_text)}</b>{c.esc(label)}"
        scenario_box.value = (
            f'<div class="svc-card"><div><i>Context: {c.esc(s.context)}</i></div>'
            f"<div>{c.esc(s.text)}</div></div>"
        )
        chosen = session.choices.get(s.id, ())
        setting[0] = True
        for t in toggles:
            t.value = t.description in chosen
        setting[0] = False
        check.layout.display = "none" if graded else None
        if graded:
            prompt.value = (
                "Which one or two activities does this scenario mainly show? Click them: your choice is recorded "
                "at once. It is not checked here; it is graded when your notebook is graded."
            )
            feedback.value = c.lines_html([recorded_line(chosen)]) if chosen else ""
        else:
            prompt.value = "Which one or two activities does this scenario mainly show? Pick them, then Check."
            done = session.results.get(s.id)
            feedback.value = c.lines_html(done.feedback.splitlines()) if done else ""

    def recorded_line(chosen: Sequence[str]) -> str:
        return f"[RECORDED] Your choice for this scenario: {' + '.join(chosen)}."

    def update_score() -> None:
        parts = []
        if not all_graded:
            correct, partly, answered = session.score()
            parts.append(f"Score: {correct} / {answered} correct, {partly} partly")
        if any_graded:
            n_graded = sum(session.is_graded(s) for s in session.scenarios)
            parts.append(f"{session.graded_recorded()} of {n_graded} graded scenarios answered")
        score.value = f'<div class="svc-score-text">{c.esc("; ".join(parts))}</div>'

    def on_toggle(change: dict) -> None:
        if setting[0] or not session.is_graded():
            return
        picked = [t.description for t in toggles if t.value]
        if len(picked) > 2:
            setting[0] = True
            change["owner"].value = False
            setting[0] = False
            feedback.value = c.lines_html(
                ["Pick at most two activities: unpick one first. " + recorded_line(session.choices.get(session.current.id, ()))]
            )
            return
        chosen = session.record(picked)
        save(session.current.id, chosen)
        feedback.value = c.lines_html([recorded_line(chosen)]) if chosen else c.lines_html(["No choice recorded for this scenario."])
        update_score()
        if code.value:
            on_show(None)

    def on_check(_: Any) -> None:
        if session.is_graded():
            return
        picked = [t.description for t in toggles if t.value]
        if not picked:
            feedback.value = c.lines_html(["Pick one or two activities first, then Check."])
            return
        if len(picked) > 2:
            feedback.value = c.lines_html(
                [f"You picked {len(picked)} activities; pick the one or two that the scenario mainly shows."]
            )
            return
        result = session.answer(picked)
        save(session.current.id, result.given)
        feedback.value = c.lines_html(result.feedback.splitlines())
        update_score()
        if code.value:
            on_show(None)

    def on_next(_: Any) -> None:
        session.next()
        show_scenario()

    def on_show(_: Any) -> None:
        text = session.as_code(answer_name)
        missing = len(session.pending())
        where = (
            f"Copy these lines into the answer cell (they set <code>{c.esc(answer_name)}</code>)"
            if any_graded
            else f"Your answers as Python code (they set <code>{c.esc(answer_name)}</code>), to paste into a code cell"
        )
        todo = f" {missing} scenario{'s' if missing != 1 else ''} not answered yet appear as comments." if missing else ""
        code.value = (
            f"<div>{where}:{c.esc(todo)}</div>"
            f'<pre class="svc-code" aria-label="answers as Python code">{c.esc(text)}</pre>'
        )

    for t in toggles:
        t.observe(on_toggle, names="value")
    check.on_click(on_check)
    nxt.on_click(on_next)
    show.on_click(on_show)
    show_scenario()
    update_score()
    if all_graded:
        intro_text = (
            "These scenarios are graded. Your choices are recorded as you click and kept in your progress file; "
            "none is checked here. They are graded when your notebook is graded: use Show as code to copy them "
            "into the answer cell."
        )
    elif any_graded:
        intro_text = "Practice scenarios are checked here; graded ones are only recorded, and graded with your notebook."
    else:
        intro_text = "Practice: Check each choice to see the verdict, the explanation and the cue words."
    if session.choices:
        intro_text += f" Restored from your progress file: your earlier choices ({len(session.choices)})."
    intro = w.HTML(f"<div>{c.esc(intro_text)}</div>")
    intro.add_class("svc-intro")
    buttons = w.HBox([check, nxt, show], layout=w.Layout(flex_flow="row wrap"))
    title = "Record your graded mapping" if all_graded else "Map the scenario to value chain activities"
    box = c.outer(title, [intro, position, scenario_box, prompt, picker, buttons, feedback, score, code, note], "svc-mapper")
    if all_graded:
        box.add_class("svc-mapper-graded")
    return box
