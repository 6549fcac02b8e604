"""The course's metrics, exactly as the metrics reference defines them.

Every function takes DataFrames shaped like the course's data sets (see
:mod:`course.data`) and returns a plain Python ``float`` (or ``int``, or a
pandas object where the reference says so). Conventions:

* rates and percentages are percent, 0-100 (``nps`` is -100..100); ``sli`` and
  ``error_budget_remaining`` are ratios (the remaining budget can go below 0);
  durations are float hours unless the name says days;
* "no data" returns ``float('nan')``, never 0;
* windows ``[start, end)`` are half-open; ``start``/``end`` accept anything
  ``pandas.Timestamp`` accepts and naive values are taken as UTC; timestamp
  columns may be tz-aware, naive (taken as UTC) or ISO text;
* a missing column raises ``ValueError`` naming it.

Nothing loops over rows in Python: each metric is a handful of vectorised
pandas/numpy operations, so they stay fast on a million incidents.

>>> import pandas as pd
>>> inc = pd.DataFrame({"opened_at": ["2026-03-02T09:00Z", "2026-03-02T10:00Z"],
...                     "resolved_at": ["2026-03-02T11:00Z", None]})
>>> mttr(inc)  # the open incident is left out
2.0
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "availability",
    "mttr",
    "median_time_to_restore",
    "incident_volume",
    "sli",
    "error_budget_remaining",
    "burn_rate",
    "burn_rate_alerts",
    "error_budget_minutes",
    "deployment_frequency",
    "lead_time_for_changes",
    "change_failure_rate",
    "failed_deployment_recovery_time",
    "change_success_rate",
    "test_pass_rate",
    "build_success_rate",
    "defect_escape_rate",
    "nps",
    "csat",
    "improvements_completed",
    "benefit_realisation",
    "mape",
    "wmape",
    "alignment_score",
    "idea_to_live",
    "cycle_time",
    "BURN_RATE_RULES",
]

NAN = float("nan")
_NS_PER_HOUR = 3_600 * 10**9
_NS_PER_DAY = 24 * _NS_PER_HOUR


# --------------------------------------------------------------------------- helpers


def _need(frame: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    """Raise ValueError naming the first column ``frame`` lacks."""
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(f"{what}: expected a pandas DataFrame, got {type(frame).__name__}")
    for col in columns:
        if col not in frame.columns:
            raise ValueError(f"{what}: missing column {col!r} (columns present: {', '.join(map(str, frame.columns))})")


def _when(value: Any, name: str) -> pd.Timestamp:
    """A UTC Timestamp from anything ``pandas.Timestamp`` accepts (naive = UTC)."""
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name}: {value!r} is not a date/time ({exc})") from None
    if ts is pd.NaT:
        raise ValueError(f"{name}: a date/time is required, got {value!r}")
    return ts.tz_localize("UTC") if ts.tz is None else ts.tz_convert("UTC")


def _window(start: Any, end: Any) -> tuple[pd.Timestamp, pd.Timestamp]:
    s, e = _when(start, "start"), _when(end, "end")
    if e <= s:
        raise ValueError(f"the window is empty: end {e} is not after start {s}")
    return s, e


def _times(frame: pd.DataFrame, col: str) -> pd.Series:
    """Column ``col`` as ``datetime64[ns, UTC]`` (naive values taken as UTC)."""
    s = frame[col]
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        out = s.dt.tz_convert("UTC")
    elif pd.api.types.is_datetime64_dtype(s.dtype):
        out = s.dt.tz_localize("UTC")
    else:
        try:
            out = pd.to_datetime(s, utc=True)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"column {col!r} holds values that are not date/times ({exc})") from None
    return out.astype("datetime64[ns, UTC]")


def _ns(series: pd.Series) -> np.ndarray:
    """Nanoseconds since the epoch as float (NaT becomes NaN)."""
    values = series.astype("datetime64[ns, UTC]")
    out = values.array.asi8.astype(float)
    out[values.isna().to_numpy()] = np.nan
    return out


def _numbers(frame: pd.DataFrame, col: str) -> np.ndarray:
    """Column ``col`` as float numpy values (missing becomes NaN)."""
    s = frame[col]
    try:
        return pd.to_numeric(s, errors="raise").astype("float64").to_numpy()
    except (TypeError, ValueError) as exc:
        raise ValueError(f"column {col!r} holds values that are not numbers ({exc})") from None


def _filled(series: pd.Series) -> np.ndarray:
    """True where a text cell holds a value (not missing, not blank)."""
    text = series.astype("string")
    return (text.notna() & (text.str.strip() != "")).fillna(False).to_numpy(dtype=bool)


def _text(series: pd.Series) -> pd.Series:
    return series.astype("string")


def _pct(part: float, whole: float) -> float:
    return float(100.0 * part / whole) if whole else NAN


def _median(values: np.ndarray) -> float:
    values = values[~np.isnan(values)]
    return float(np.median(values)) if values.size else NAN


def _hours(later: pd.Series, earlier: pd.Series) -> np.ndarray:
    return (_ns(later) - _ns(earlier)) / _NS_PER_HOUR


# --------------------------------------------------------------------------- deliver and support


def availability(incidents: pd.DataFrame, service: str, start: Any, end: Any) -> float:
    """Percent of the window ``[start, end)`` that ``service`` was up.

    (agreed - downtime) / agreed x 100, where agreed = end - start and downtime is
    the length of the union of the service's P1 intervals clipped to the window:
    overlapping outages count once and an open P1 runs to ``end``.

    >>> import pandas as pd
    >>> inc = pd.DataFrame({"service": ["wifi", "wifi"], "priority": ["P1", "P1"],
    ...     "opened_at": ["2026-03-01T00:00Z", "2026-03-01T01:00Z"],
    ...     "resolved_at": ["2026-03-01T02:00Z", "2026-03-01T03:00Z"]})
    >>> round(availability(inc, "wifi", "2026-03-01", "2026-03-02"), 4)  # 3 h of 24 down
    87.5
    """
    _need(incidents, ("service", "priority", "opened_at", "resolved_at"), "availability")
    s, e = _window(start, end)
    lo, hi = float(s.value), float(e.value)
    p1 = incidents[_text(incidents["priority"]).isin(["P1"]).to_numpy(dtype=bool)]
    p1 = p1[_text(p1["service"]).isin([service]).to_numpy(dtype=bool)]
    begin = np.clip(_ns(_times(p1, "opened_at")), lo, hi)
    finish = _ns(_times(p1, "resolved_at"))
    finish = np.clip(np.where(np.isnan(finish), hi, finish), lo, hi)
    keep = ~np.isnan(begin) & (finish > begin)
    begin, finish = begin[keep], finish[keep]
    if begin.size:
        order = np.argsort(begin, kind="stable")
        begin, finish = begin[order], finish[order]
        # the furthest end reached by any earlier interval: time before it is already counted
        reached = np.concatenate(([lo], np.maximum.accumulate(finish)[:-1]))
        downtime = float(np.clip(finish - np.maximum(begin, reached), 0, None).sum())
    else:
        downtime = 0.0
    agreed = hi - lo
    return float((agreed - downtime) / agreed * 100.0)


def _restore_hours(incidents: pd.DataFrame, what: str) -> np.ndarray:
    _need(incidents, ("opened_at", "resolved_at"), what)
    hours = _hours(_times(incidents, "resolved_at"), _times(incidents, "opened_at"))
    return hours[~np.isnan(hours)]


def mttr(incidents: pd.DataFrame) -> float:
    """Mean time to restore, hours: mean of resolved_at - opened_at over resolved incidents.

    Open incidents (no resolved_at) are left out; none resolved gives NaN.
    """
    hours = _restore_hours(incidents, "mttr")
    return float(hours.mean()) if hours.size else NAN


def median_time_to_restore(incidents: pd.DataFrame) -> float:
    """Median of resolved_at - opened_at over resolved incidents, in hours (NaN if none)."""
    return _median(_restore_hours(incidents, "median_time_to_restore"))


def incident_volume(incidents: pd.DataFrame, freq: str = "W") -> pd.Series:
    """Count of incidents per period of ``opened_at`` (``freq`` is a pandas offset alias).

    Periods with no incident in between appear with 0. The index holds each
    period's label as pandas' resampling gives it (for ``"W"``, the Sunday that
    ends the week; for ``"D"`` or ``"MS"``, the first day). Empty input gives an
    empty Series.
    """
    _need(incidents, ("opened_at",), "incident_volume")
    opened = _times(incidents, "opened_at").dropna()
    # sorting the int64 values first spares resample a much slower argsort
    ordered = np.sort(opened.array.asi8).view("datetime64[ns]")
    index = pd.DatetimeIndex(ordered).tz_localize("UTC")
    counts = pd.Series(1, index=index, dtype="int64").resample(freq).sum()
    return counts.rename("incidents").rename_axis("opened_at")


# --------------------------------------------------------------------------- service level objectives


def _check_slo(slo: Any) -> float:
    if isinstance(slo, bool) or not isinstance(slo, (int, float, np.floating)) or not 0 < float(slo) < 1:
        raise ValueError(f"slo must be a ratio between 0 and 1 such as 0.999, got {slo!r}")
    return float(slo)


def _sums(requests: pd.DataFrame, what: str) -> tuple[float, float]:
    _need(requests, ("valid_requests", "good_requests"), what)
    valid = np.nansum(_numbers(requests, "valid_requests"))
    good = np.nansum(_numbers(requests, "good_requests"))
    return float(valid), float(good)


def sli(requests: pd.DataFrame) -> float:
    """Service level indicator, a ratio: sum(good_requests) / sum(valid_requests) (NaN if no requests)."""
    valid, good = _sums(requests, "sli")
    return good / valid if valid else NAN


def error_budget_remaining(requests: pd.DataFrame, slo: float) -> float:
    """Share of the error budget left, a ratio: 1 - bad / ((1 - slo) x valid); can go below 0.

    ``bad = valid - good``, summed over the rows given.

    >>> import pandas as pd
    >>> frame = pd.DataFrame({"valid_requests": [1000], "good_requests": [998]})
    >>> round(error_budget_remaining(frame, 0.99), 6)  # 2 bad of a budget of 10
    0.8
    """
    slo = _check_slo(slo)
    valid, good = _sums(requests, "error_budget_remaining")
    if not valid:
        return NAN
    return float(1 - (valid - good) / ((1 - slo) * valid))


def burn_rate(requests: pd.DataFrame, slo: float) -> float:
    """How fast the error budget burns, a ratio: (1 - sli) / (1 - slo); 1 spends it exactly."""
    slo = _check_slo(slo)
    ratio = sli(requests)
    return float((1 - ratio) / (1 - slo)) if not math.isnan(ratio) else NAN


BURN_RATE_RULES: tuple[tuple[str, float, pd.Timedelta, pd.Timedelta, float], ...] = (
    ("page", 14.4, pd.Timedelta(hours=1), pd.Timedelta(minutes=5), 0.02),
    ("page", 6.0, pd.Timedelta(hours=6), pd.Timedelta(minutes=30), 0.05),
    ("ticket", 1.0, pd.Timedelta(days=3), pd.Timedelta(hours=6), 0.10),
)
"""(action, burn-rate threshold, long window, short window, budget share) for a 30-day SLO."""


def burn_rate_alerts(requests: pd.DataFrame, slo: float, now: Any = None) -> pd.DataFrame:
    """Which multiwindow burn-rate rules fire for the windows ending at ``now``.

    The rules (Google SRE Workbook, ch. 5, for a 30-day SLO): page when the burn
    rate is >= 14.4 over both the last hour and the last 5 minutes, or >= 6 over
    both the last 6 hours and 30 minutes; open a ticket when >= 1 over both the
    last 3 days and 6 hours. A window holds the buckets whose ``window_start``
    is in ``[now - length, now)``; ``now`` defaults to the end of the last bucket
    (its ``window_start`` + 5 minutes). Sums run over the rows given, so pass one
    service's rows. A window without requests has a NaN burn rate and does not fire.

    Returns one row per rule: ``action``, ``threshold``, ``long_window``,
    ``short_window``, ``long_burn_rate``, ``short_burn_rate``, ``fires`` (bool).
    """
    slo = _check_slo(slo)
    _need(requests, ("window_start", "valid_requests", "good_requests"), "burn_rate_alerts")
    starts = _times(requests, "window_start")
    if now is None:
        if starts.dropna().empty:
            raise ValueError("burn_rate_alerts: no rows, so there is no last bucket to end at; pass now")
        at = starts.max() + pd.Timedelta(minutes=5)
    else:
        at = _when(now, "now")
    t = _ns(starts)
    valid = np.nan_to_num(_numbers(requests, "valid_requests"))
    good = np.nan_to_num(_numbers(requests, "good_requests"))

    def rate(length: pd.Timedelta) -> float:
        inside = (t >= float((at - length).value)) & (t < float(at.value))
        v = valid[inside].sum()
        if not v:
            return NAN
        return float((1 - good[inside].sum() / v) / (1 - slo))

    rows = []
    for action, threshold, long_w, short_w, _share in BURN_RATE_RULES:
        long_rate, short_rate = rate(long_w), rate(short_w)
        fires = bool(long_rate >= threshold and short_rate >= threshold)
        rows.append((action, threshold, long_w, short_w, long_rate, short_rate, fires))
    return pd.DataFrame(
        rows,
        columns=["action", "threshold", "long_window", "short_window", "long_burn_rate", "short_burn_rate", "fires"],
    )


def error_budget_minutes(slo: float, window_days: float = 30) -> float:
    """The error budget as time, minutes: (1 - slo) x window; 99.9% over 30 days is 43.2.

    >>> round(error_budget_minutes(0.999, 30), 6)
    43.2
    """
    slo = _check_slo(slo)
    if isinstance(window_days, bool) or not isinstance(window_days, (int, float, np.number)) or window_days <= 0:
        raise ValueError(f"window_days must be a positive number, got {window_days!r}")
    return float((1 - slo) * float(window_days) * 24 * 60)


# --------------------------------------------------------------------------- changes (DORA)


def _deployed(changes: pd.DataFrame) -> pd.Series:
    return _times(changes, "deployed_at").notna()


def deployment_frequency(changes: pd.DataFrame, start: Any, end: Any) -> float:
    """Deployments per day: changes with deployed_at in ``[start, end)`` / window length in days."""
    _need(changes, ("deployed_at",), "deployment_frequency")
    s, e = _window(start, end)
    deployed = _times(changes, "deployed_at")
    count = int(((deployed >= s) & (deployed < e)).fillna(False).sum())
    return float(count / ((e - s).value / _NS_PER_DAY))


def lead_time_for_changes(changes: pd.DataFrame) -> float:
    """Median hours from first commit to deploy over deployed changes.

    Values <= 0 (a first commit recorded at or after the deploy) are data errors
    and are ignored, as dora-team/fourkeys does. NaN when nothing is left.
    """
    _need(changes, ("first_commit_at", "deployed_at"), "lead_time_for_changes")
    hours = _hours(_times(changes, "deployed_at"), _times(changes, "first_commit_at"))
    return _median(hours[hours > 0])


def _failed_outcome(changes: pd.DataFrame) -> np.ndarray:
    return _text(changes["outcome"]).isin(("failed", "rolled_back")).fillna(False).to_numpy(dtype=bool)


def change_failure_rate(changes: pd.DataFrame, incidents: pd.DataFrame) -> float:
    """Percent of deployed changes that failed or caused an incident, each counted once.

    A deployed change counts as a failure when its outcome is failed or
    rolled_back, or when some incident names it in caused_by_change; a change
    that did both is still one failure. NaN when nothing was deployed.
    """
    _need(changes, ("change_id", "deployed_at", "outcome"), "change_failure_rate")
    _need(incidents, ("caused_by_change",), "change_failure_rate")
    deployed = _deployed(changes).to_numpy(dtype=bool)
    causes = _text(incidents["caused_by_change"]).dropna()
    caused = _text(changes["change_id"]).isin(set(causes)).fillna(False).to_numpy(dtype=bool)
    failed = deployed & (_failed_outcome(changes) | caused)
    return _pct(int(failed.sum()), int(deployed.sum()))


def failed_deployment_recovery_time(changes: pd.DataFrame, incidents: pd.DataFrame) -> float:
    """Median hours to recover from a failed deployment (DORA 2023's name for time to restore).

    Over resolved incidents with a caused_by_change: resolved_at - min(deployed_at
    of that change, opened_at), the start rule of dora-team/fourkeys. An incident
    whose change is unknown or undeployed starts at its opened_at. NaN if none.
    """
    _need(changes, ("change_id", "deployed_at"), "failed_deployment_recovery_time")
    _need(incidents, ("opened_at", "resolved_at", "caused_by_change"), "failed_deployment_recovery_time")
    linked = incidents[_filled(incidents["caused_by_change"])]
    deploy_at = pd.Series(_times(changes, "deployed_at").to_numpy(), index=_text(changes["change_id"]).to_numpy())
    deploy_at = deploy_at[~deploy_at.index.duplicated(keep="first")]
    deployed = _ns(pd.Series(deploy_at.reindex(_text(linked["caused_by_change"]).to_numpy()).to_numpy()))
    opened = _ns(_times(linked, "opened_at"))
    begin = np.fmin(deployed, opened)  # fmin ignores a missing deploy time
    hours = (_ns(_times(linked, "resolved_at")) - begin) / _NS_PER_HOUR
    return _median(hours)


def change_success_rate(changes: pd.DataFrame) -> float:
    """Percent of deployed changes whose outcome is success (NaN when nothing was deployed)."""
    _need(changes, ("deployed_at", "outcome"), "change_success_rate")
    deployed = _deployed(changes).to_numpy(dtype=bool)
    success = (_text(changes["outcome"]) == "success").fillna(False).to_numpy(dtype=bool)
    return _pct(int((deployed & success).sum()), int(deployed.sum()))


def test_pass_rate(changes: pd.DataFrame) -> float:
    """Percent of test cases passed: sum(run - failed) / sum(run) over rows with run > 0."""
    _need(changes, ("test_cases_run", "test_cases_failed"), "test_pass_rate")
    run = _numbers(changes, "test_cases_run")
    failed = _numbers(changes, "test_cases_failed")
    rows = run > 0  # NaN and 0 are both left out
    return _pct(float(np.nansum(run[rows] - failed[rows])), float(run[rows].sum()))


test_pass_rate.__test__ = False  # type: ignore[attr-defined]  # not a pytest test


# --------------------------------------------------------------------------- obtain/build


def build_success_rate(builds: pd.DataFrame) -> float:
    """Percent of finished builds that passed: passed / (passed + failed); cancelled ones are left out."""
    _need(builds, ("status",), "build_success_rate")
    status = _text(builds["status"])
    passed = int((status == "passed").fillna(False).sum())
    failed = int((status == "failed").fillna(False).sum())
    return _pct(passed, passed + failed)


def defect_escape_rate(defects: pd.DataFrame) -> float:
    """Percent of defects found in production, out of all defects (NaN when there are none)."""
    _need(defects, ("found_in",), "defect_escape_rate")
    found_in = _text(defects["found_in"])
    return _pct(int((found_in == "production").fillna(False).sum()), len(found_in))


# --------------------------------------------------------------------------- engage


def _scores(scores: Any, low: int, high: int, what: str) -> np.ndarray:
    """Non-missing whole-number scores in [low, high] as a float array."""
    if isinstance(scores, pd.DataFrame) or np.ndim(scores) != 1:
        raise ValueError(f"{what}: pass one column of scores (a Series or other 1-D array)")
    values = pd.Series(np.asarray(scores, dtype=object).ravel() if not isinstance(scores, pd.Series) else scores)
    try:
        numbers = pd.to_numeric(values, errors="raise").astype("float64").to_numpy()
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{what}: scores must be numbers ({exc})") from None
    numbers = numbers[~np.isnan(numbers)]
    bad = (numbers < low) | (numbers > high) | (numbers != np.round(numbers))
    if bad.any():
        raise ValueError(f"{what}: score {numbers[bad][0]:g} is not a whole number from {low} to {high}")
    return numbers


def nps(scores: Any) -> float:
    """Net Promoter Score, -100..100: 100 x (share of 9-10 minus share of 0-6).

    Missing scores are left out; 7 and 8 (passives) count in the denominator only.

    >>> nps([10, 9, 8, 7, 6, 0])  # 2 promoters, 2 detractors of 6
    0.0
    """
    values = _scores(scores, 0, 10, "nps")
    if not values.size:
        return NAN
    return float(100.0 * ((values >= 9).sum() - (values <= 6).sum()) / values.size)


def csat(scores: Any) -> float:
    """Customer satisfaction, percent: share of 4-5 among non-missing 1-5 scores (top-two-box).

    >>> csat([5, 4, 3, 1])  # the mean would be 3.25; CSAT is 2 of 4
    50.0
    """
    values = _scores(scores, 1, 5, "csat")
    if not values.size:
        return NAN
    return float(100.0 * (values >= 4).sum() / values.size)


# --------------------------------------------------------------------------- improve


def improvements_completed(improvements: pd.DataFrame, start: Any, end: Any) -> int:
    """Number of improvements with status done and completed_at in ``[start, end)``."""
    _need(improvements, ("status", "completed_at"), "improvements_completed")
    s, e = _window(start, end)
    done = (_text(improvements["status"]) == "done").fillna(False)
    completed = _times(improvements, "completed_at")
    return int((done & (completed >= s).fillna(False) & (completed < e).fillna(False)).sum())


def benefit_realisation(improvements: pd.DataFrame) -> float:
    """Percent of expected benefit realised: sum realised / sum expected hours over done improvements.

    A done improvement with no realised hours recorded adds 0 to the realised sum.
    NaN when no done improvement expects any benefit.
    """
    _need(improvements, ("status", "expected_benefit_hours", "realised_benefit_hours"), "benefit_realisation")
    done = (_text(improvements["status"]) == "done").fillna(False).to_numpy(dtype=bool)
    expected = float(np.nansum(_numbers(improvements, "expected_benefit_hours")[done]))
    realised = float(np.nansum(_numbers(improvements, "realised_benefit_hours")[done]))
    return _pct(realised, expected)


# --------------------------------------------------------------------------- plan


def _forecast_pairs(forecasts: pd.DataFrame, what: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    _need(forecasts, ("forecast", "actual"), what)
    forecast = _numbers(forecasts, "forecast")
    actual = _numbers(forecasts, "actual")
    rows = ~np.isnan(forecast) & ~np.isnan(actual)
    return forecast[rows], actual[rows], np.flatnonzero(rows)


def mape(forecasts: pd.DataFrame) -> float:
    """Mean absolute percentage error, percent: mean(|actual - forecast| / |actual|) x 100.

    Rows missing a forecast or an actual are left out. MAPE is undefined at a
    zero actual: such a row raises ValueError naming its period and measure (use
    :func:`wmape` instead). NaN when no row is left.
    """
    _need(forecasts, ("forecast", "actual"), "mape")
    forecast, actual, rows = _forecast_pairs(forecasts, "mape")
    zero = actual == 0
    if zero.any():
        i = rows[np.flatnonzero(zero)[0]]
        row = forecasts.iloc[i]
        parts = [f"{c}={row[c]}" for c in ("period", "measure") if c in forecasts.columns]
        label = ", ".join(parts) if parts else f"position {i}"
        raise ValueError(
            f"mape: the actual is 0 in row {forecasts.index[i]!r} ({label}); MAPE is undefined there, use wmape"
        )
    if not actual.size:
        return NAN
    return float(np.mean(np.abs(actual - forecast) / np.abs(actual)) * 100.0)


def wmape(forecasts: pd.DataFrame) -> float:
    """Weighted MAPE, percent: sum(|actual - forecast|) / sum(|actual|) x 100 (NaN if the actuals sum to 0)."""
    forecast, actual, _rows = _forecast_pairs(forecasts, "wmape")
    return _pct(float(np.abs(actual - forecast).sum()), float(np.abs(actual).sum()))


def alignment_score(features: pd.DataFrame) -> float:
    """Percent of effort on strategy: effort_hours of features with a strategic_objective / all effort_hours."""
    _need(features, ("strategic_objective", "effort_hours"), "alignment_score")
    effort = np.nan_to_num(_numbers(features, "effort_hours"))
    aligned = _filled(features["strategic_objective"])
    return _pct(float(effort[aligned].sum()), float(effort.sum()))


def idea_to_live(features: pd.DataFrame) -> float:
    """Median days from idea to deployment over deployed features (end-to-end lead time)."""
    _need(features, ("idea_at", "deployed_at"), "idea_to_live")
    return _median(_hours(_times(features, "deployed_at"), _times(features, "idea_at")) / 24)


def cycle_time(features: pd.DataFrame) -> float:
    """Median days from the start of work to deployment over deployed features."""
    _need(features, ("work_started_at", "deployed_at"), "cycle_time")
    return _median(_hours(_times(features, "deployed_at"), _times(features, "work_started_at")) / 24)
