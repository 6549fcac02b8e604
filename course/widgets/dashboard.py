"""The value chain dashboard of notebook 06, drawn with plotly beside a text table.

The numbers come from :mod:`course.practice.dashboard`; this module only draws
them. :class:`Dashboard` displays as two ordinary outputs (no widget, so they
need no running kernel to show): the six panels as one plotly figure, then the
same numbers as a table (HTML, with a plain-text alternative).
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence
from typing import Any

from ..practice.dashboard import SOURCES, Panel, month_name, table_rows, table_text, value_chain_panels

LINE_COLOUR = "#0072B2"  # Okabe-Ito blue


def _subplot_title(p: Panel) -> str:
    first = f"<b>{html.escape(p.activity)}</b>: {html.escape(p.measure)} {p.fmt(p.headline)}"
    second = f"{html.escape(p.headline_scope)}; {p.better_text}"
    if p.axis_note:
        second += f"; {html.escape(p.axis_note.split(' (')[0])}"
    return f"{first}<br><span style='font-size:11px'>{second}</span>"


def figure(panels: Sequence[Panel]) -> Any:
    """The six panels as one plotly figure (three rows of two), each titled with its own measure."""
    from plotly.subplots import make_subplots

    cols = 2
    rows = -(-len(panels) // cols)
    fig = make_subplots(
        rows=rows, cols=cols, subplot_titles=[_subplot_title(p) for p in panels],
        vertical_spacing=0.16, horizontal_spacing=0.14,
    )
    for i, p in enumerate(panels):
        row, col = i // cols + 1, i % cols + 1
        labels = [month_name(m) for m in p.months]
        fig.add_scatter(
            x=labels, y=[None if v != v else round(v, 3) for v in p.values], mode="lines+markers",
            name=p.measure, line={"color": LINE_COLOUR, "width": 2}, marker={"size": 7},
            customdata=[[p.fmt(v), n] for v, n in zip(p.values, p.counts)],
            hovertemplate=f"%{{x}}: %{{customdata[0]}} ({html.escape(p.measure)}; %{{customdata[1]}} records)<extra></extra>",
            row=row, col=col,
        )
        fig.update_yaxes(
            title_text=p.axis_title, range=list(p.axis), ticksuffix="%" if p.percent else "",
            title_font={"size": 11}, row=row, col=col,
        )
        fig.update_xaxes(type="category", row=row, col=col)
    for annotation in fig.layout.annotations:
        annotation.font.size = 13
    first, last = month_name(panels[0].months[0]), month_name(panels[0].months[-1])
    fig.update_layout(
        height=330 * rows, showlegend=False, margin={"l": 70, "r": 20, "t": 110, "b": 40},
        title={"text": f"Value chain dashboard: one measure per activity, by month ({first} to {last})",
               "font": {"size": 15}},
    )
    return fig


def table_html(panels: Sequence[Panel]) -> str:
    """The same numbers as an HTML table, with the axis notes under it."""
    header, rows = table_rows(panels)
    head = "".join(f"<th scope='col'>{html.escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + f"<th scope='row'>{html.escape(r[0])}</th>" + "".join(f"<td>{html.escape(c)}</td>" for c in r[1:]) + "</tr>"
        for r in rows
    )
    notes = "".join(f"<li>{html.escape(p.activity)}: {html.escape(p.axis_note)}.</li>" for p in panels if p.axis_note)
    defs = "".join(f"<li>{html.escape(p.activity)}: {html.escape(p.definition)}.</li>" for p in panels)
    return (
        '<div class="svc-dashboard-text">'
        '<table class="svc-dashboard-table" style="border-collapse:collapse">'
        "<caption style='text-align:left'><b>The dashboard's numbers</b> (each row is one panel; "
        "the headline is the number of exercise 20)</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        f"<div><small>How each measure is computed:</small><ul><small>{defs}</small></ul></div>"
        + (f"<div><small>Axes:</small><ul><small>{notes}</small></ul></div>" if notes else "")
        + "</div>"
    )


class Dashboard:
    """The dashboard as notebook outputs: the plotly figure, then the table.

    ``panels`` are :class:`course.practice.dashboard.Panel` objects; ``figure``
    is the plotly figure drawn from them.
    """

    def __init__(self, panels: Sequence[Panel]):
        if not panels:
            raise ValueError("the dashboard needs at least one panel")
        self.panels = list(panels)
        self.figure = figure(self.panels)

    def figure_bundle(self) -> dict[str, Any]:
        """The figure's display bundle: plotly JSON, and a line of text for viewers without plotly."""
        spec = json.loads(self.figure.to_json())
        spec["config"] = {"displaylogo": False}
        return {
            "application/vnd.plotly.v1+json": spec,
            "text/plain": "Value chain dashboard (a plotly chart of six panels; the table below has the same numbers).",
        }

    def table_bundle(self) -> dict[str, str]:
        """The table's display bundle: HTML and aligned plain text."""
        return {"text/html": table_html(self.panels), "text/plain": table_text(self.panels)}

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.figure_bundle(), raw=True)
        display(self.table_bundle(), raw=True)

    def __repr__(self) -> str:
        return table_text(self.panels)


def build(frames: Mapping[str, Any] | None = None, months: Sequence[str] | None = None) -> Dashboard:
    """The dashboard over ``frames`` (default: the course's data sets, loaded here)."""
    if frames is None:
        from .. import data

        frames = {name: data.load(name) for name in SOURCES}
    return Dashboard(value_chain_panels(frames, months))
