"""The value chain dashboard of notebook 06: one measure per activity, its headline and its monthly trend.

Each :class:`Panel` holds one measure and nothing else: its headline (the number
exercise 20 asks for, computed here from the data sets so the dashboard works
before that exercise is answered), its monthly values over the same definition,
its unit, which direction is better, and the y-axis range to draw it on. The
range is honest: a percentage is drawn from 0 to 100 and the NPS from -100 to
100, unless every value sits in a narrow band at the top (availability), where
the panel says in words where its axis starts.

Pure computation on DataFrames shaped like the course's data sets: no plotting,
no files (see :mod:`course.widgets.dashboard` for the view).

>>> from course import data
>>> panels = value_chain_panels({name: data.load(name) for name in SOURCES})
>>> [p.activity for p in panels][:2]
['plan', 'improve']
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from .. import metrics
from ..activities import ACTIVITIES

SOURCES = ("features", "improvements", "surveys", "changes", "builds", "incidents")
"""The data sets the dashboard reads."""

SERVICE = "student-portal"
"""The service whose availability stands for deliver and support."""

HEADLINE_MONTH = "2026-04"
"""The month of the deliver and support headline (exercise 20: April availability)."""

AVAILABILITY_FLOORS = (99.9, 99.5, 99.0, 98.0, 95.0, 90.0)
"""Where an availability axis may start: the highest of these at or below every value (else 0)."""


@dataclass(frozen=True)
class Panel:
    """One activity's measure: headline, monthly values, unit, better direction and axis."""

    activity: str
    measure: str
    unit: str
    definition: str
    better: str
    headline: float
    headline_scope: str
    months: tuple[str, ...]
    values: tuple[float, ...]
    counts: tuple[int, ...]
    axis: tuple[float, float]
    axis_note: str = ""
    percent: bool = True
    decimals: int = 1

    def fmt(self, value: float) -> str:
        """A value of this measure in words: ``78.8%``, ``+10.1`` (NPS), or ``no data``.

        >>> Panel("engage", "NPS", "points", "", "higher", 10.0, "", (), (), (), (-100, 100), percent=False).fmt(10.06)
        '+10.1'
        """
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "no data"
        if self.percent:
            return f"{value:.{self.decimals}f}%"
        return f"{value:+.{self.decimals}f}"

    @property
    def axis_title(self) -> str:
        """The y-axis title: the measure with its unit."""
        return f"{self.measure} ({self.unit})"

    @property
    def better_text(self) -> str:
        """``higher is better`` or ``lower is better``."""
        return f"{self.better} is better"

    @property
    def title(self) -> str:
        """The panel title: activity, measure, headline with its scope, and the better direction."""
        return f"{self.activity}: {self.measure} {self.fmt(self.headline)} ({self.headline_scope}); {self.better_text}"


def _month_labels(start: str, end: str) -> list[str]:
    """Months ``start`` to ``end`` inclusive as ``YYYY-MM``.

    >>> _month_labels("2025-11", "2026-02")
    ['2025-11', '2025-12', '2026-01', '2026-02']
    """
    periods = pd.period_range(pd.Period(start, "M"), pd.Period(end, "M"), freq="M")
    return [str(p) for p in periods]


def _month_of(frame: pd.DataFrame, column: str) -> pd.Series:
    times = pd.to_datetime(frame[column], utc=True, errors="coerce")
    return times.dt.strftime("%Y-%m")


def _monthly(
    frame: pd.DataFrame, column: str, months: Sequence[str], measure: Any
) -> tuple[tuple[float, ...], tuple[int, ...]]:
    """``measure(rows)`` for each month's rows (by ``column``), NaN for a month without rows."""
    month = _month_of(frame, column)
    values, counts = [], []
    for m in months:
        rows = frame[(month == m).fillna(False).to_numpy(dtype=bool)]
        counts.append(len(rows))
        values.append(float(measure(rows)) if len(rows) else math.nan)
    return tuple(values), tuple(counts)


def percent_axis(values: Sequence[float]) -> tuple[tuple[float, float], str]:
    """0 to 100, or wider when a value goes beyond 100 (rounded up to a multiple of 10), with a note then.

    >>> percent_axis([78.8, 91.0])
    ((0.0, 100.0), '')
    >>> percent_axis([80.0, 104.2])
    ((0.0, 110.0), 'the axis goes to 110% because a value is above 100%')
    """
    top = max([v for v in values if not math.isnan(v)] or [100.0])
    if top <= 100:
        return (0.0, 100.0), ""
    upper = float(math.ceil(top / 10) * 10)
    return (0.0, upper), f"the axis goes to {upper:g}% because a value is above 100%"


def availability_axis(values: Sequence[float]) -> tuple[tuple[float, float], str]:
    """A stated range for availability: from the highest floor at or below every value, to 100%.

    >>> availability_axis([99.88, 98.80])
    ((98.0, 100.0), 'the axis starts at 98% (on 0-100% every month would look the same)')
    >>> availability_axis([42.0])
    ((0.0, 100.0), '')
    """
    known = [v for v in values if not math.isnan(v)]
    low = min(known) if known else 100.0
    floor = next((f for f in AVAILABILITY_FLOORS if f <= low), 0.0)
    if floor == 0.0:
        return (0.0, 100.0), ""
    return (floor, 100.0), f"the axis starts at {floor:g}% (on 0-100% every month would look the same)"


def _availability(incidents: pd.DataFrame, month: str) -> float:
    start = pd.Period(month, "M").start_time.tz_localize("UTC")
    end = (pd.Period(month, "M") + 1).start_time.tz_localize("UTC")
    return metrics.availability(incidents, SERVICE, start, end)


def default_months(frames: Mapping[str, pd.DataFrame]) -> list[str]:
    """The months of the operations data: from the first to the last incident opened."""
    opened = pd.to_datetime(frames["incidents"]["opened_at"], utc=True, errors="coerce").dropna()
    if opened.empty:
        raise ValueError("incidents: no opened_at date, so the dashboard has no months to show")
    return _month_labels(opened.min().strftime("%Y-%m"), opened.max().strftime("%Y-%m"))


def month_name(month: str) -> str:
    """``2026-04`` as ``Apr 2026``.

    >>> month_name("2026-04")
    'Apr 2026'
    """
    return pd.Period(month, "M").strftime("%b %Y")


def value_chain_panels(frames: Mapping[str, pd.DataFrame], months: Sequence[str] | None = None) -> list[Panel]:
    """The six panels, in the order of :data:`course.activities.ACTIVITIES`.

    ``frames`` maps each name in :data:`SOURCES` to its DataFrame; ``months``
    (``YYYY-MM``) default to :func:`default_months`. Each headline is the
    number exercise 20 asks for; each monthly value applies the same
    definition to that month's rows.
    """
    missing = [name for name in SOURCES if name not in frames]
    if missing:
        raise ValueError(f"the dashboard needs the data sets {', '.join(missing)}")
    months = list(months) if months is not None else default_months(frames)
    features, improvements = frames["features"], frames["improvements"]
    surveys, changes, builds, incidents = frames["surveys"], frames["changes"], frames["builds"], frames["incidents"]
    done = improvements[(improvements["status"] == "done").fillna(False).to_numpy(dtype=bool)]
    deployed = changes[pd.to_datetime(changes["deployed_at"], utc=True, errors="coerce").notna().to_numpy()]
    finished = builds[builds["status"].isin(["passed", "failed"]).fillna(False).to_numpy(dtype=bool)]

    panels: dict[str, Panel] = {}

    values, counts = _monthly(features, "work_started_at", months, metrics.alignment_score)
    axis, note = percent_axis(values)
    panels["plan"] = Panel(
        "plan", "alignment score", "% of effort",
        "effort hours of features linked to a strategic objective / all effort hours; by month work started",
        "higher", metrics.alignment_score(features), f"all {len(features)} features",
        tuple(months), values, counts, axis, note,
    )

    values, counts = _monthly(done, "completed_at", months, metrics.benefit_realisation)
    axis, note = percent_axis(values)
    panels["improve"] = Panel(
        "improve", "benefit realisation", "% of expected benefit",
        "realised / expected benefit hours of done improvements; by month completed",
        "higher", metrics.benefit_realisation(improvements), f"all {len(done)} done improvements",
        tuple(months), values, counts, axis, note,
    )

    values, counts = _monthly(surveys, "submitted_at", months, lambda rows: metrics.nps(rows["nps_score"]))
    panels["engage"] = Panel(
        "engage", "NPS", "points, -100 to 100",
        "% promoters (9-10) minus % detractors (0-6); by month submitted",
        "higher", metrics.nps(surveys["nps_score"]), f"all {len(surveys)} responses",
        tuple(months), values, counts, (-100.0, 100.0), "", percent=False,
    )

    values, counts = _monthly(deployed, "deployed_at", months, metrics.change_success_rate)
    axis, note = percent_axis(values)
    panels["design and transition"] = Panel(
        "design and transition", "change success rate", "% of deployed changes",
        "deployed changes with outcome success / deployed changes; by month deployed",
        "higher", metrics.change_success_rate(changes), f"all {len(deployed)} deployed changes",
        tuple(months), values, counts, axis, note,
    )

    values, counts = _monthly(finished, "started_at", months, metrics.build_success_rate)
    axis, note = percent_axis(values)
    panels["obtain/build"] = Panel(
        "obtain/build", "build success rate", "% of finished builds",
        "passed / (passed + failed) builds, cancelled ones left out; by month started",
        "higher", metrics.build_success_rate(builds), f"all {len(finished)} finished builds",
        tuple(months), values, counts, axis, note,
    )

    values = tuple(_availability(incidents, m) for m in months)
    opened_month = _month_of(incidents, "opened_at")
    p1 = ((incidents["service"] == SERVICE) & (incidents["priority"] == "P1")).fillna(False).to_numpy(dtype=bool)
    counts = tuple(int((p1 & (opened_month == m).fillna(False).to_numpy(dtype=bool)).sum()) for m in months)
    axis, note = availability_axis(values)
    panels["deliver and support"] = Panel(
        "deliver and support", f"availability of {SERVICE}", "% of the month up",
        f"time {SERVICE} was up / time in the month, P1 outages counted once; by calendar month",
        "higher", _availability(incidents, HEADLINE_MONTH), month_name(HEADLINE_MONTH),
        tuple(months), values, counts, axis, note, decimals=2,
    )
    return [panels[a] for a in ACTIVITIES]


def table_rows(panels: Sequence[Panel]) -> tuple[list[str], list[list[str]]]:
    """The dashboard as a text table: header and one row per panel (values formatted with their unit).

    Columns: activity, measure (unit), better, one per month, then the headline and its scope.
    """
    if not panels:
        raise ValueError("no panels to tabulate")
    months = panels[0].months
    header = ["activity", "measure (unit)", "better", *(month_name(m) for m in months), "headline"]
    rows = []
    for p in panels:
        rows.append(
            [p.activity, p.axis_title, p.better_text, *(p.fmt(v) for v in p.values),
             f"{p.fmt(p.headline)} ({p.headline_scope})"]
        )
    return header, rows


def table_text(panels: Sequence[Panel]) -> str:
    """The table as aligned plain text (what a viewer without HTML or plotly shows)."""
    header, rows = table_rows(panels)
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in [header, *rows]]
    return "\n".join(lines)
