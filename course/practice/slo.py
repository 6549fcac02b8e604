"""Error budget arithmetic and the burn-down series behind the SLO explorer.

Definitions follow the course's metrics reference: SLI = good / valid requests;
error budget remaining = 1 - bad / ((1 - SLO) x valid), a ratio that drops below
0 once the budget is overspent; burn rate = (1 - SLI) / (1 - SLO); the error
budget in time is (1 - SLO) x window (99.9% over 30 days is 43.2 minutes).

:class:`BurnDown` adds up a service's 5-minute request counts per hour once, as
cumulative sums, so that moving a slider (SLO target or window) only subtracts
two arrays of at most 720 hourly points: no pass over the raw rows. The
burn-down is the share of the window's whole error budget left after the
failures so far: it starts at 100% and falls as failed requests spend it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

WINDOWS_DAYS = (7, 28, 30)
"""The SLO windows offered, in days."""

REQUIRED_COLUMNS = ("window_start", "service", "valid_requests", "good_requests")


def _check_slo(slo: float) -> float:
    if isinstance(slo, bool) or not isinstance(slo, (int, float)) or not 0 < slo < 1:
        raise ValueError(f"slo must be a ratio strictly between 0 and 1 (e.g. 0.999), got {slo!r}")
    return float(slo)


def error_budget_minutes(slo: float, window_days: float) -> float:
    """The error budget of ``window_days`` at target ``slo`` (a ratio), in minutes.

    >>> round(error_budget_minutes(0.999, 30), 6)
    43.2
    """
    slo = _check_slo(slo)
    if isinstance(window_days, bool) or not isinstance(window_days, (int, float)) or window_days <= 0:
        raise ValueError(f"window_days must be a positive number, got {window_days!r}")
    return (1.0 - slo) * window_days * 24 * 60


@dataclass(frozen=True)
class BurnDownSeries:
    """The burn-down over one window at one SLO target.

    ``times`` are the ends of each hour in the window; ``remaining[i]`` is the
    share of the whole window's error budget, (1 - SLO) x all valid requests in
    the window, not yet spent by the failures up to ``times[i]``. It starts near
    1, only goes down, and ends at :attr:`remaining_end`, which is the metrics
    reference's ``error_budget_remaining`` over the window (all NaN when the
    window holds no valid request).
    """

    service: str
    slo: float
    window_days: int
    times: pd.DatetimeIndex
    remaining: np.ndarray
    valid: int
    good: int
    truncated: bool

    @property
    def bad(self) -> int:
        """Failed requests in the window."""
        return self.valid - self.good

    @property
    def sli(self) -> float:
        """Good / valid requests over the window (NaN without data)."""
        return self.good / self.valid if self.valid else float("nan")

    @property
    def remaining_end(self) -> float:
        """Error budget remaining at the end of the window (ratio, may be negative)."""
        if not self.valid:
            return float("nan")
        return 1.0 - self.bad / ((1.0 - self.slo) * self.valid)

    @property
    def burn_rate(self) -> float:
        """(1 - SLI) / (1 - SLO) over the window: 1 spends the budget exactly by the window's end."""
        return (1.0 - self.sli) / (1.0 - self.slo)

    @property
    def budget_minutes(self) -> float:
        """The whole window's error budget in minutes."""
        return error_budget_minutes(self.slo, self.window_days)


class BurnDown:
    """Hourly cumulative request counts of one service, ready for any SLO and window.

    ``requests`` has the columns of ``data/requests.csv``: window_start
    (tz-aware UTC), service, valid_requests, good_requests. A missing column, an
    unknown service or good > valid raises ``ValueError`` naming it.
    """

    def __init__(self, requests: pd.DataFrame, service: str | None = None, *, source: str = "requests.csv"):
        missing = [c for c in REQUIRED_COLUMNS if c not in requests.columns]
        if missing:
            raise ValueError(f"{source}: missing column(s) {', '.join(missing)}")
        services = sorted(requests["service"].dropna().unique().tolist())
        if not services:
            raise ValueError(f"{source}: no rows")
        if service is None:
            service = services[0]
        if service not in services:
            raise ValueError(f"{source}: column service: no rows for {service!r}; services: {', '.join(services)}")
        rows = requests.loc[requests["service"] == service, list(REQUIRED_COLUMNS)]
        over = rows.index[rows["good_requests"] > rows["valid_requests"]]
        if len(over):
            raise ValueError(f"{source}: row {over[0]}: column good_requests is greater than valid_requests")
        starts = pd.to_datetime(rows["window_start"], utc=True)
        hours = starts.dt.floor("h")
        hourly = rows[["valid_requests", "good_requests"]].groupby(hours.rename("_hour")).sum()
        full = pd.date_range(hourly.index.min(), hourly.index.max(), freq="h")
        hourly = hourly.reindex(full, fill_value=0)
        self.service = service
        self.services = services
        self.hour_ends = full + pd.Timedelta(hours=1)
        self.cum_valid = np.concatenate([[0], np.cumsum(hourly["valid_requests"].to_numpy(dtype=np.int64))])
        self.cum_good = np.concatenate([[0], np.cumsum(hourly["good_requests"].to_numpy(dtype=np.int64))])

    @property
    def hours(self) -> int:
        """Number of hourly points in the data."""
        return len(self.hour_ends)

    def series(self, slo: float, window_days: int) -> BurnDownSeries:
        """The burn-down over the last ``window_days`` of data at target ``slo`` (a ratio)."""
        slo = _check_slo(slo)
        if isinstance(window_days, bool) or not isinstance(window_days, int) or window_days <= 0:
            raise ValueError(f"window_days must be a positive whole number of days, got {window_days!r}")
        n = self.hours
        want = window_days * 24
        start = max(0, n - want)
        valid = self.cum_valid[start + 1 :] - self.cum_valid[start]
        good = self.cum_good[start + 1 :] - self.cum_good[start]
        bad = valid - good
        budget = (1.0 - slo) * valid[-1]
        remaining = 1.0 - bad / budget if budget > 0 else np.full(len(bad), np.nan)
        return BurnDownSeries(
            service=self.service,
            slo=slo,
            window_days=window_days,
            times=self.hour_ends[start:],
            remaining=remaining,
            valid=int(valid[-1]),
            good=int(good[-1]),
            truncated=want > n,
        )
