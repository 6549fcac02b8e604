"""The scenario mapper: read a scenario, pick its activities, get feedback in words."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import ipywidgets as w

from ..activities import ACTIVITIES
from ..practice.mapper import ACTIVITY_PURPOSE, MappingSession
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


def build(scenarios: Sequence[Any], answer_name: str = "my_mapping") -> w.VBox:
    """The mapper view over ``scenarios`` (see :func:`course.widgets.scenario_mapper`)."""
    if not answer_name.isidentifier():
        raise ValueError(f"answer_name must be a Python identifier, got {answer_name!r}")
    session = MappingSession(scenarios)

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
    show = c.button("Show as code", "Show your answers so far as a Python dict to paste into the graded cell", css="svc-show-code")
    feedback = w.HTML()
    feedback.add_class("svc-feedback-box")
    score = w.HTML()
    score.add_class("svc-score")
    code = w.HTML()
    code.add_class("svc-code-box")

    def show_scenario() -> None:
        s = session.current
        graded_note = " (graded: checked by the test cell, not here)" if session.is_graded() else ""
        position.value = f"<b>{c.esc(session.position_text)}</b>{c.esc(graded_note)}"
        scenario_box.value = (
            f'<div class="svc-card"><div><i>Context: {c.esc(s.context)}</i></div>'
            f"<div>{c.esc(s.text)}</div></div>"
        )
        chosen = session.choices.get(s.id, ())
        for t in toggles:
            t.value = t.description in chosen
        feedback.value = ""

    def update_score() -> None:
        score.value = f'<div class="svc-score-text">Score: {c.esc(session.score_text())}</div>'

    def on_check(_: Any) -> None:
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
        if session.is_graded():
            feedback.value = c.lines_html(
                [
                    f"[RECORDED] Your answer ({' + '.join(result.given)}) is recorded. This scenario is graded, "
                    "so it is checked when you run the test cell: use Show as code to copy your answers."
                ]
            )
        else:
            feedback.value = c.lines_html(result.feedback.splitlines())
        update_score()
        if code.value:
            on_show(None)

    def on_next(_: Any) -> None:
        session.next()
        show_scenario()

    def on_show(_: Any) -> None:
        text = session.as_code(answer_name)
        code.value = (
            '<div>Copy this line into the graded cell:</div>'
            f'<pre class="svc-code" aria-label="answers as Python code">{c.esc(text)}</pre>'
        )

    check.on_click(on_check)
    nxt.on_click(on_next)
    show.on_click(on_show)
    show_scenario()
    update_score()
    prompt = w.HTML("Which one or two activities does this scenario mainly show? Pick them, then Check.")
    buttons = w.HBox([check, nxt, show], layout=w.Layout(flex_flow="row wrap"))
    return c.outer(
        "Map the scenario to value chain activities",
        [position, scenario_box, prompt, picker, buttons, feedback, score, code],
        "svc-mapper",
    )
