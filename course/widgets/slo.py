"""The SLO explorer: move the target and window, watch the error budget burn down."""

from __future__ import annotations

import math
from typing import Any

import ipywidgets as w

from ..practice.slo import WINDOWS_DAYS, BurnDown, BurnDownSeries
from . import _common as c


def load_requests() -> Any:
    """The requests data set (``data/requests.csv``) as a DataFrame."""
    from .. import data

    return data.load("requests")


def _figure(series: BurnDownSeries) -> Any:
    import plotly.graph_objects as go

    fig = go.Figure(
        go.Scatter(
            x=[], y=[], mode="lines", name="budget remaining",
            line={"color": "#0072B2", "width": 2},
            hovertemplate="%{x|%d %b %H:%M} UTC<br>%{y:.1f}% of the budget left<extra></extra>",
        )
    )
    fig.add_hline(y=0, line={"color": "#D55E00", "dash": "dash"}, annotation_text="budget spent (0%)",
                  annotation_position="bottom left")
    fig.update_layout(
        height=300,
        margin={"l": 60, "r": 10, "t": 40, "b": 40},
        yaxis={"title": {"text": "error budget remaining (%)"}, "ticksuffix": "%"},
        xaxis={"title": {"text": "time (UTC), hourly"}},
        showlegend=False,
    )
    return fig


def _pct(x: float, digits: int = 2) -> str:
    return "no data" if math.isnan(x) else f"{100 * x:.{digits}f}%"


def summary_html(s: BurnDownSeries) -> str:
    """The numbers of one burn-down in words."""
    used = s.budget_minutes * (1 - s.remaining_end) if not math.isnan(s.remaining_end) else float("nan")
    left = s.budget_minutes - used if not math.isnan(used) else float("nan")
    state = "[OK] budget left" if s.remaining_end > 0 else "[WRONG] budget overspent"
    lines = [
        f"Error budget: {s.budget_minutes:.1f} minutes over {s.window_days} days at {100 * s.slo:.2f}%",
        f"SLI over the window: {_pct(s.sli, 3)} ({s.good:,} good of {s.valid:,} valid requests)",
        f"Budget remaining: {_pct(s.remaining_end, 1)} (about {left:.1f} of {s.budget_minutes:.1f} minutes); {state}",
        f"Burn rate: {s.burn_rate:.2f} (1.0 spends the budget exactly by the end of the window)",
    ]
    if s.truncated:
        lines.append(f"The data covers less than {s.window_days} days, so the window is shorter than chosen.")
    items = "".join(f'<li class="svc-slo-line">{c.esc(t)}</li>' for t in lines)
    return f'<ul class="svc-slo-summary" role="status" aria-live="polite">{items}</ul>'


def build(requests: Any, service: str | None = None, *, debounce: float = 0.15) -> w.VBox:
    """The explorer over a requests frame (see :func:`course.widgets.slo_explorer`)."""
    burn = {"model": BurnDown(requests, service)}
    all_services = burn["model"].services
    cache: dict[str, BurnDown] = {burn["model"].service: burn["model"]}

    service_dd = w.Dropdown(
        options=all_services, value=burn["model"].service, description="Service:",
        style={"description_width": "initial"}, layout=w.Layout(width="24rem"),
    )
    service_dd.add_class("svc-service")
    target = w.FloatSlider(
        value=99.9, min=99.0, max=99.99, step=0.01, readout_format=".2f",
        description="SLO target (%):", tooltip="The share of good requests promised, 99.0% to 99.99%",
        continuous_update=False, style={"description_width": "initial"}, layout=w.Layout(width="32rem"),
    )
    target.add_class("svc-slo-target")
    window = w.SelectionSlider(
        options=[(f"{d} days", d) for d in WINDOWS_DAYS], value=30, description="Window:",
        tooltip="The SLO window in days", continuous_update=False,
        style={"description_width": "initial"}, layout=w.Layout(width="24rem"),
    )
    window.add_class("svc-slo-window")
    numbers = w.HTML()
    numbers.add_class("svc-slo-numbers")
    first = burn["model"].series(target.value / 100, window.value)
    chart = c.Chart(_figure(first), css="svc-slo-chart")

    def redraw() -> None:
        s = burn["model"].series(round(target.value, 2) / 100, int(window.value))
        numbers.value = summary_html(s)
        y = [None if math.isnan(v) else round(100 * float(v), 3) for v in s.remaining]
        chart.update(
            [{"x": list(s.times.strftime("%Y-%m-%dT%H:%M:%SZ")), "y": y}],
            {"title": {"text": f"Error budget burn-down: {s.service}, {100 * s.slo:.2f}% over {s.window_days} days",
                       "font": {"size": 14}}},
        )

    trigger = c.Debouncer(redraw, debounce)

    def on_service(change: dict) -> None:
        name = change["new"]
        if name not in cache:
            cache[name] = BurnDown(requests, name)
        burn["model"] = cache[name]
        trigger()

    service_dd.observe(on_service, names="value")
    target.observe(lambda _: trigger(), names="value")
    window.observe(lambda _: trigger(), names="value")
    redraw()
    intro = w.HTML(
        "<div>Move the SLO target and the window (drag, or focus a slider and use the arrow keys). "
        "A stricter target leaves a smaller error budget; the chart shows how much of the window's budget is left after the failures so far (below 0% it is overspent).</div>"
    )
    children = [intro] + ([service_dd] if len(all_services) > 1 else []) + [target, window, numbers, chart.widget]
    return c.outer("SLO and error budget explorer", children, "svc-slo")
