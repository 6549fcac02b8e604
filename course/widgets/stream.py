"""The value stream builder: name the activity of each step, check it, see the flow."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import ipywidgets as w

from .. import progress
from ..activities import ACTIVITIES
from ..practice.stream import PALETTE, check_stream, flow_data, stream_summary
from . import _common as c

_PLACEHOLDER = "(choose an activity)"

KIND = "stream"
"""The progress file's widget kind: the activity chosen for each step, by story id."""


def _flow_traces(data: dict[str, list], texts: Sequence[str]) -> list[dict[str, Any]]:
    """Trace properties of the ordered flow: a connecting line, then one labelled marker per step."""
    n = len(data["labels"])
    x = list(range(1, n + 1))
    return [
        {"x": x, "y": [0] * n},
        {
            "x": x,
            "y": [0] * n,
            "text": data["labels"],
            "textposition": ["top center" if i % 2 == 0 else "bottom center" for i in range(n)],
            "marker": {"color": data["colours"], "size": 26, "symbol": "circle",
                       "line": {"color": "#333333", "width": 1}},
            "customdata": list(texts),
            "hovertemplate": "%{text}<br>%{customdata}<extra></extra>",
        },
    ]


def _figure(story: Any) -> Any:
    import plotly.graph_objects as go

    data = flow_data([None] * len(story.steps))
    line, markers = _flow_traces(data, [s.text for s in story.steps])
    fig = go.Figure(
        [
            go.Scatter(mode="lines", line={"color": "#777777", "width": 3}, hoverinfo="skip", **line),
            go.Scatter(mode="markers+text", textfont={"size": 13}, **markers),
        ]
    )
    fig.update_layout(
        title={"text": f"Your value stream: {story.title}", "font": {"size": 14}},
        height=190,
        margin={"l": 20, "r": 20, "t": 40, "b": 10},
        showlegend=False,
        plot_bgcolor="white",
        xaxis={"visible": False, "range": [0.4, len(story.steps) + 0.6]},
        yaxis={"visible": False, "range": [-1, 1]},
    )
    return fig


def build(stories: Sequence[Any], story_id: str) -> w.VBox:
    """The builder over ``stories``, starting with ``story_id`` (see :func:`course.widgets.value_stream_builder`)."""
    by_id = {s.id: s for s in stories}
    if story_id not in by_id:
        raise ValueError(f"stories.yml: no story with id {story_id!r}; stories: {', '.join(by_id)}")
    state = {"story": by_id[story_id]}
    loaded = progress.load()
    kept = progress.widget_state(loaded.state, KIND)
    note = w.HTML(c.note_html(loaded.message))
    note.add_class("svc-note")

    selector = w.Dropdown(
        options=[(s.title, s.id) for s in stories],
        value=story_id,
        description="Story:",
        style={"description_width": "initial"},
        layout=w.Layout(width="36rem", max_width="100%"),
    )
    selector.add_class("svc-story-select")
    intro = w.HTML()
    steps_box = w.VBox()
    steps_box.add_class("svc-steps")
    check = c.button("Check", "Check the activity chosen for every step", css="svc-check", primary=True)
    feedback = w.HTML()
    feedback.add_class("svc-feedback-box")
    chart = c.Chart(_figure(state["story"]), css="svc-stream-chart")
    chart.show(False)
    legend = w.HTML(
        "<div><small>Colours (Okabe-Ito, colour-blind safe), each node also names its activity: "
        + ", ".join(f'<span style="color:{PALETTE[a]}">&#9632;</span> {c.esc(a)}' for a in ACTIVITIES)
        + "</small></div>"
    )
    legend.layout.display = "none"
    dropdowns: list[w.Dropdown] = []

    def show_story() -> None:
        story = state["story"]
        intro.value = f'<div class="svc-card"><b>{c.esc(story.title)}</b><div>{c.esc(story.intro)}</div></div>'
        rows = []
        dropdowns.clear()
        stored = kept.get(story.id, {})
        stored = stored if isinstance(stored, dict) else {}
        for i, step in enumerate(story.steps, start=1):
            restored = stored.get(step.id)
            dd = w.Dropdown(
                options=[(_PLACEHOLDER, "")] + [(a, a) for a in ACTIVITIES],
                value=restored if restored in ACTIVITIES else "",
                description=f"Step {i}:",
                tooltip=step.text,
                style={"description_width": "initial"},
                layout=w.Layout(width="auto", min_width="16rem"),
            )
            dd.add_class("svc-step-choice")
            dd.observe(on_choice, names="value")
            dropdowns.append(dd)
            rows.append(w.HBox([dd, w.HTML(f"<div style='padding-left:0.5em'>{c.esc(step.text)}</div>")]))
        steps_box.children = rows
        feedback.value = ""
        chart.show(False)
        legend.layout.display = "none"

    def on_choice(_: Any) -> None:
        story = state["story"]
        choices = {s.id: dd.value for s, dd in zip(story.steps, dropdowns) if dd.value}
        kept[story.id] = choices
        try:
            result = progress.save_widget_state(KIND, story.id, choices or None)
            if result.message:
                note.value = c.note_html(result.message)
        except (OSError, ValueError) as exc:
            note.value = c.note_html(f"Your choices could not be saved to the progress file: {exc}")

    def on_check(_: Any) -> None:
        story = state["story"]
        choices = {s.id: (dd.value or None) for s, dd in zip(story.steps, dropdowns)}
        results = check_stream(story, choices)
        lines = [r.line for r in results]
        feedback.value = c.lines_html([stream_summary(results) + "."] + lines)
        data = flow_data([r.given for r in results])
        chart.update(
            _flow_traces(data, [s.text for s in story.steps]),
            {
                "title": {"text": f"Your value stream: {story.title}"},
                "xaxis": {"range": [0.4, len(story.steps) + 0.6]},
            },
        )
        chart.show()
        legend.layout.display = None

    def on_story(change: dict) -> None:
        state["story"] = by_id[change["new"]]
        show_story()

    selector.observe(on_story, names="value")
    check.on_click(on_check)
    show_story()
    prompt = w.HTML("<div>For each step, choose the value chain activity it mainly belongs to, then Check.</div>")
    return c.outer(
        "Build the value stream",
        [selector, intro, prompt, steps_box, w.HBox([check]), feedback, legend, chart.widget, note],
        "svc-stream",
    )
