"""SLO arithmetic and the burn-down series, on small frames worked out by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from course.practice.slo import BurnDown, error_budget_minutes


def frame(rows):
    """rows: (iso time, service, valid, good)."""
    df = pd.DataFrame(rows, columns=["window_start", "service", "valid_requests", "good_requests"])
    df["window_start"] = pd.to_datetime(df["window_start"], utc=True)
    return df


def hourly(start, hours, service="web", valid=100, bad_hours=()):
    times = pd.date_range(start, periods=hours, freq="h", tz="UTC")
    return frame([(t, service, valid, valid - (10 if i in bad_hours else 0)) for i, t in enumerate(times)])


@pytest.mark.parametrize(
    "slo,days,minutes",
    [(0.999, 30, 43.2), (0.99, 7, 100.8), (0.9999, 28, 4.032), (0.995, 30, 216.0)],
)
def test_error_budget_minutes(slo, days, minutes):
    # (1 - slo) x days x 1440, e.g. 0.001 x 30 x 1440 = 43.2
    assert error_budget_minutes(slo, days) == pytest.approx(minutes)


@pytest.mark.parametrize("slo", [0, 1, 99.9, -0.5, True])
def test_slo_must_be_a_ratio(slo):
    with pytest.raises(ValueError, match="ratio"):
        error_budget_minutes(slo, 30)


def test_five_minute_buckets_sum_per_hour_and_budget_burns_down():
    # Two hours of 5-minute buckets, 100 valid each (1200 per hour). Hour 1: no failures.
    # Hour 2: two buckets with 10 bad each -> 20 bad of 2400 valid overall.
    rows = []
    for h in range(2):
        for m in range(0, 60, 5):
            bad = 10 if (h == 1 and m in (10, 40)) else 0
            rows.append((f"2026-03-02T{9 + h:02d}:{m:02d}:00Z", "web", 100, 100 - bad))
    s = BurnDown(frame(rows)).series(0.99, 7)
    assert s.truncated  # 2 hours of data, 7 days asked
    assert list(s.times) == list(pd.to_datetime(["2026-03-02T10:00Z", "2026-03-02T11:00Z"], utc=True))
    # window budget 0.01 x 2400 = 24 bad requests. End of hour 1: 0 spent -> 100% left;
    # end of hour 2: 1 - 20/24 = 1/6
    assert s.remaining[0] == pytest.approx(1.0)
    assert s.remaining[1] == pytest.approx(1 / 6)
    assert (s.valid, s.good, s.bad) == (2400, 2380, 20)
    assert s.sli == pytest.approx(2380 / 2400)
    assert s.remaining_end == pytest.approx(1 / 6)
    assert s.burn_rate == pytest.approx((20 / 2400) / 0.01)  # 0.8333...
    assert s.budget_minutes == pytest.approx(0.01 * 7 * 1440)


def test_window_keeps_only_the_last_days():
    # 9 days hourly; the failures are in the first two days only (hours 0..47).
    data = hourly("2026-03-01", 9 * 24, bad_hours=range(0, 48))
    seven = BurnDown(data).series(0.999, 7)
    assert len(seven.times) == 7 * 24 and not seven.truncated
    assert seven.times[0] == pd.Timestamp("2026-03-03T01:00Z")
    assert seven.bad == 0 and seven.sli == 1.0 and seven.remaining_end == 1.0
    month = BurnDown(data).series(0.999, 30)
    assert month.truncated and len(month.times) == 9 * 24
    # 48 bad hours x 10 = 480 bad of 21600 valid: budget 0.001 x 21600 = 21.6 -> 1 - 480/21.6
    assert month.remaining_end == pytest.approx(1 - 480 / 21.6)
    assert month.remaining_end < 0  # overspent


def test_changing_the_target_needs_no_new_pass_over_the_rows():
    data = hourly("2026-03-01", 48, bad_hours=(5,))
    burn = BurnDown(data)
    loose, strict = burn.series(0.99, 7), burn.series(0.999, 7)
    # 10 bad of 4800: 1 - 10/48 vs 1 - 10/4.8
    assert loose.remaining_end == pytest.approx(1 - 10 / 48)
    assert strict.remaining_end == pytest.approx(1 - 10 / 4.8)


def test_gaps_are_filled_with_zero_requests():
    data = frame(
        [
            ("2026-03-01T00:00Z", "web", 0, 0),
            ("2026-03-01T03:00Z", "web", 50, 45),
        ]
    )
    s = BurnDown(data).series(0.9, 7)
    assert len(s.times) == 4  # hours 00, 01, 02, 03 (the gap hours hold zero requests)
    # budget 0.1 x 50 = 5 bad requests; all 5 spent in the last hour
    assert list(s.remaining) == pytest.approx([1.0, 1.0, 1.0, 0.0])


def test_burn_down_starts_full_and_never_rises():
    data = hourly("2026-03-01", 72, bad_hours=(3, 30, 31, 60))
    s = BurnDown(data).series(0.999, 7)
    # budget 0.001 x 7200 = 7.2; each bad hour spends 10: 1 - 10/7.2 after hour 3 (index 3)
    assert list(s.remaining[:3]) == [1.0, 1.0, 1.0]
    assert s.remaining[3] == pytest.approx(1 - 10 / 7.2)
    assert (np.diff(s.remaining) <= 0).all()
    assert s.remaining[-1] == pytest.approx(s.remaining_end) == pytest.approx(1 - 40 / 7.2)


def test_services_are_kept_apart_and_the_first_is_the_default():
    data = pd.concat([hourly("2026-03-01", 24, "web", bad_hours=(1,)), hourly("2026-03-01", 24, "api")])
    assert BurnDown(data).service == "api"
    assert BurnDown(data).services == ["api", "web"]
    assert BurnDown(data, "web").series(0.99, 7).bad == 10
    assert BurnDown(data, "api").series(0.99, 7).bad == 0


def test_bad_input_names_the_column_or_row():
    with pytest.raises(ValueError, match="good_requests"):
        BurnDown(hourly("2026-03-01", 2).drop(columns="good_requests"))
    with pytest.raises(ValueError, match="service.*'mail'"):
        BurnDown(hourly("2026-03-01", 2), "mail")
    bad = hourly("2026-03-01", 3)
    bad.loc[2, "good_requests"] = 101
    with pytest.raises(ValueError, match="row 2: column good_requests"):
        BurnDown(bad)
    with pytest.raises(ValueError, match="window_days"):
        BurnDown(hourly("2026-03-01", 2)).series(0.99, 0)


def test_empty_window_has_nan_sli():
    data = frame([("2026-03-01T00:00Z", "web", 0, 0)])
    s = BurnDown(data).series(0.99, 7)
    assert math.isnan(s.sli) and math.isnan(s.remaining_end) and np.isnan(s.remaining).all()


def test_real_requests_data_agrees_with_the_definitions():
    from course import data

    requests = data.load("requests")
    burn = BurnDown(requests)
    s = burn.series(0.999, 30)
    assert len(s.times) <= 30 * 24  # hourly points, small enough to send to the browser
    rows = requests[requests["service"] == burn.service]
    start = s.times[0] - pd.Timedelta(hours=1)
    window = rows[rows["window_start"] >= start]
    valid = int(window["valid_requests"].sum())
    good = int(window["good_requests"].sum())
    assert (s.valid, s.good) == (valid, good)
    assert s.remaining_end == pytest.approx(1 - (valid - good) / (0.001 * valid))


def test_agrees_with_course_metrics_on_the_same_rows():
    from course import data, metrics

    requests = data.load("requests")
    burn = BurnDown(requests)
    s = burn.series(0.995, 7)
    start = s.times[0] - pd.Timedelta(hours=1)
    rows = requests[(requests["service"] == burn.service) & (requests["window_start"] >= start)]
    assert s.sli == pytest.approx(metrics.sli(rows))
    assert s.remaining_end == pytest.approx(metrics.error_budget_remaining(rows, 0.995))
    assert s.burn_rate == pytest.approx(metrics.burn_rate(rows, 0.995))
    assert s.budget_minutes == pytest.approx(metrics.error_budget_minutes(0.995, 7))
