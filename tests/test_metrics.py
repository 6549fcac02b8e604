"""The metric library against hand-worked examples of the metrics reference.

Each expected value is worked out by hand in a comment next to it; the last
tests check the metrics on the committed data against plain pandas/Python.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from course import data, metrics

NAN = float("nan")


def incidents(rows: list[tuple]) -> pd.DataFrame:
    """(service, priority, opened_at, resolved_at) rows; None = still open."""
    return pd.DataFrame(rows, columns=["service", "priority", "opened_at", "resolved_at"])


# --------------------------------------------------------------------------- availability


def test_availability_counts_overlapping_outages_once():
    frame = incidents(
        [
            ("wifi", "P1", "2026-03-01T00:00Z", "2026-03-01T02:00Z"),
            ("wifi", "P1", "2026-03-01T01:00Z", "2026-03-01T03:00Z"),
        ]
    )
    # union 00:00-03:00 = 3 h of 24: (24 - 3) / 24 = 87.5 % (summing would give 4 h, 83.33 %)
    assert metrics.availability(frame, "wifi", "2026-03-01", "2026-03-02") == pytest.approx(87.5)


def test_availability_nested_and_chained_intervals():
    frame = incidents(
        [
            ("wifi", "P1", "2026-03-01T00:00Z", "2026-03-01T10:00Z"),
            ("wifi", "P1", "2026-03-01T02:00Z", "2026-03-01T03:00Z"),  # inside the first
            ("wifi", "P1", "2026-03-01T09:00Z", "2026-03-01T12:00Z"),  # overlaps the first only
            ("wifi", "P1", "2026-03-01T18:00Z", "2026-03-01T19:00Z"),  # separate
        ]
    )
    # union: 00:00-12:00 (12 h) + 18:00-19:00 (1 h) = 13 h; (24 - 13) / 24 = 45.8333 %
    assert metrics.availability(frame, "wifi", "2026-03-01", "2026-03-02") == pytest.approx(1100 / 24)


def test_availability_only_p1_of_that_service_counts():
    frame = incidents(
        [
            ("wifi", "P1", "2026-03-01T00:00Z", "2026-03-01T06:00Z"),
            ("wifi", "P2", "2026-03-01T06:00Z", "2026-03-01T18:00Z"),
            ("portal", "P1", "2026-03-01T06:00Z", "2026-03-01T18:00Z"),
        ]
    )
    # 6 h of wifi P1 downtime: 18 / 24 = 75 %
    assert metrics.availability(frame, "wifi", "2026-03-01", "2026-03-02") == pytest.approx(75.0)
    # the portal: 12 h down, 50 %
    assert metrics.availability(frame, "portal", "2026-03-01", "2026-03-02") == pytest.approx(50.0)


def test_availability_open_p1_runs_to_end():
    frame = incidents([("wifi", "P1", "2026-03-01T18:00Z", None)])
    # open since 18:00: 6 h down to the window's end, 75 %
    assert metrics.availability(frame, "wifi", "2026-03-01", "2026-03-02") == pytest.approx(75.0)
    # a longer window: still open at its end (2026-03-03), 30 h down of 48 = 37.5 %
    assert metrics.availability(frame, "wifi", "2026-03-01", "2026-03-03") == pytest.approx(37.5)


def test_availability_clips_p1_to_the_window():
    frame = incidents(
        [
            ("wifi", "P1", "2026-02-28T22:00Z", "2026-03-01T02:00Z"),  # 2 h inside
            ("wifi", "P1", "2026-03-01T23:00Z", "2026-03-02T05:00Z"),  # 1 h inside
            ("wifi", "P1", "2026-03-02T00:00Z", "2026-03-02T08:00Z"),  # opens at end: outside
            ("wifi", "P1", "2026-02-27T00:00Z", "2026-03-01T00:00Z"),  # ends at start: outside
        ]
    )
    # 3 h of 24 down: 87.5 %
    assert metrics.availability(frame, "wifi", "2026-03-01", "2026-03-02") == pytest.approx(87.5)


def test_availability_without_outage_and_with_time_zones():
    frame = incidents([("wifi", "P1", "2026-03-01T00:00Z", "2026-03-01T06:00Z")])
    assert metrics.availability(frame, "portal", "2026-03-01", "2026-03-02") == 100.0
    # 01:00+01:00 is 00:00 UTC, so the window is the same day as above: 75 %
    start = pd.Timestamp("2026-03-01T01:00:00+01:00")
    assert metrics.availability(frame, "wifi", start, "2026-03-02") == pytest.approx(75.0)
    # tz-aware columns give the same answer as text
    typed = frame.assign(
        opened_at=pd.to_datetime(frame["opened_at"], utc=True),
        resolved_at=pd.to_datetime(frame["resolved_at"], utc=True),
    )
    assert metrics.availability(typed, "wifi", "2026-03-01", "2026-03-02") == pytest.approx(75.0)


def test_availability_rejects_an_empty_window():
    frame = incidents([])
    with pytest.raises(ValueError, match="window"):
        metrics.availability(frame, "wifi", "2026-03-02", "2026-03-01")


# --------------------------------------------------------------------------- restore times


def test_mttr_and_median_exclude_open_incidents():
    frame = incidents(
        [
            ("a", "P3", "2026-03-01T00:00Z", "2026-03-01T01:00Z"),  # 1 h
            ("a", "P3", "2026-03-01T00:00Z", "2026-03-01T03:00Z"),  # 3 h
            ("a", "P3", "2026-03-01T00:00Z", "2026-03-01T08:00Z"),  # 8 h
            ("a", "P3", "2026-03-01T00:00Z", None),  # open: left out
        ]
    )
    assert metrics.mttr(frame) == pytest.approx(4.0)  # (1 + 3 + 8) / 3
    assert metrics.median_time_to_restore(frame) == pytest.approx(3.0)


def test_median_resists_an_outlier():
    frame = incidents(
        [("a", "P4", "2026-03-01T00:00Z", f"2026-03-0{1 + h // 24}T{h % 24:02d}:00Z") for h in (1, 2, 3)]
        + [("a", "P4", "2026-03-01T00:00Z", "2026-03-05T04:00Z")]  # 100 h
    )
    assert metrics.mttr(frame) == pytest.approx(26.5)  # (1 + 2 + 3 + 100) / 4
    assert metrics.median_time_to_restore(frame) == pytest.approx(2.5)


def test_restore_metrics_are_nan_without_resolved_incidents():
    only_open = incidents([("a", "P1", "2026-03-01T00:00Z", None)])
    assert math.isnan(metrics.mttr(only_open))
    assert math.isnan(metrics.median_time_to_restore(only_open))


def test_incident_volume_weekly_includes_empty_weeks():
    frame = incidents(
        [
            ("a", "P3", "2026-03-02T09:00Z", None),  # Monday, week ending Sunday 8 March
            ("a", "P3", "2026-03-04T09:00Z", None),  # Wednesday, same week
            ("a", "P3", "2026-03-16T09:00Z", None),  # Monday, week ending 22 March
        ]
    )
    volume = metrics.incident_volume(frame)
    expected = [("2026-03-08", 2), ("2026-03-15", 0), ("2026-03-22", 1)]
    assert [(ts.strftime("%Y-%m-%d"), int(n)) for ts, n in volume.items()] == expected
    daily = metrics.incident_volume(frame, freq="D")
    assert len(daily) == 15 and int(daily.sum()) == 3  # 2 to 16 March inclusive
    assert metrics.incident_volume(frame.iloc[:0]).empty


# --------------------------------------------------------------------------- SLOs


def requests(valid: list[int], good: list[int]) -> pd.DataFrame:
    return pd.DataFrame({"valid_requests": valid, "good_requests": good})


def test_sli_budget_and_burn_rate():
    frame = requests([1000, 1000], [999, 990])
    assert metrics.sli(frame) == pytest.approx(0.9945)  # 1989 / 2000
    # 11 bad of an allowed 0.01 x 2000 = 20: 1 - 11/20 = 0.45 left
    assert metrics.error_budget_remaining(frame, 0.99) == pytest.approx(0.45)
    # (1 - 0.9945) / 0.01 = 0.55
    assert metrics.burn_rate(frame, 0.99) == pytest.approx(0.55)


def test_error_budget_remaining_goes_below_zero():
    frame = requests([1000], [970])
    # 30 bad of an allowed 10: 1 - 3 = -2
    assert metrics.error_budget_remaining(frame, 0.99) == pytest.approx(-2.0)
    assert metrics.burn_rate(frame, 0.99) == pytest.approx(3.0)


def test_error_budget_minutes():
    assert metrics.error_budget_minutes(0.999, 30) == pytest.approx(43.2)  # 0.001 x 43,200 min
    assert metrics.error_budget_minutes(0.99, 7) == pytest.approx(100.8)  # 0.01 x 10,080 min


@pytest.mark.parametrize("slo", [1.0, 0.0, 99.9, -0.5, "0.999"])
def test_slo_must_be_a_ratio(slo):
    with pytest.raises(ValueError, match="slo"):
        metrics.burn_rate(requests([10], [10]), slo)


def _buckets(days: int = 4, bad_last: int = 12, bad: int = 20) -> pd.DataFrame:
    """5-minute buckets of 1000 requests each; the last ``bad_last`` have ``bad`` errors."""
    n = days * 288
    start = pd.date_range("2026-03-01", periods=n, freq="5min", tz="UTC")
    good = np.full(n, 1000)
    good[n - bad_last :] -= bad
    return pd.DataFrame({"window_start": start, "valid_requests": 1000, "good_requests": good})


def test_burn_rate_alerts_fast_burn_pages():
    frame = _buckets()
    alerts = metrics.burn_rate_alerts(frame, 0.999)
    # last hour: 240 bad / 12,000 = 2 % -> burn 20; last 5 min also 20: the 14.4 page fires
    # 6 h: 240 / 72,000 -> 3.33 (< 6, no page); 3 days: 240 / 864,000 -> 0.278 (< 1, no ticket)
    assert alerts["fires"].tolist() == [True, False, False]
    assert alerts["long_burn_rate"].tolist() == pytest.approx([20.0, 10 / 3, 0.2777778])
    assert alerts["short_burn_rate"].tolist() == pytest.approx([20.0, 20.0, 10 / 3])
    assert alerts["action"].tolist() == ["page", "page", "ticket"]


def test_burn_rate_alerts_at_a_chosen_time():
    frame = _buckets()
    # before the bad hour nothing burns
    before = metrics.burn_rate_alerts(frame, 0.999, now="2026-03-04T23:00Z")
    assert not before["fires"].any()
    assert before["long_burn_rate"].tolist() == pytest.approx([0.0, 0.0, 0.0])
    # half-way through it: 1 h window has 6 bad buckets of 12 -> burn 10 (< 14.4), 5 min -> 20
    halfway = metrics.burn_rate_alerts(frame, 0.999, now="2026-03-04T23:30Z")
    assert halfway.loc[0, "long_burn_rate"] == pytest.approx(10.0)
    assert halfway.loc[0, "short_burn_rate"] == pytest.approx(20.0)
    assert not halfway.loc[0, "fires"]


def test_burn_rate_alerts_reset_once_the_short_window_is_clean():
    # the bad hour ended 10 minutes ago: 10 bad buckets x 20 = 200 / 12,000 -> 1 h burn 16.67,
    # but the last 5 minutes are clean (burn 0), so the page no longer fires
    frame = _buckets(bad_last=12)
    frame.loc[frame.index[-2:], "good_requests"] = 1000
    alerts = metrics.burn_rate_alerts(frame, 0.999)
    assert alerts.loc[0, "long_burn_rate"] == pytest.approx(50 / 3)
    assert alerts.loc[0, "short_burn_rate"] == pytest.approx(0.0)
    assert not alerts.loc[0, "fires"]


def test_burn_rate_alerts_slow_burn_opens_a_ticket():
    # 3 days + 6 h of buckets each with 2 bad of 1000: burn 2 everywhere -> ticket only
    frame = _buckets(days=4, bad_last=4 * 288, bad=2)
    assert metrics.burn_rate_alerts(frame, 0.999)["fires"].tolist() == [False, False, True]


# --------------------------------------------------------------------------- changes


def test_deployment_frequency_per_day_half_open():
    changes = pd.DataFrame(
        {
            "deployed_at": [
                "2026-03-01T00:00Z",  # at start: in
                "2026-03-03T12:00Z",
                "2026-03-07T23:59Z",
                "2026-03-08T00:00Z",  # at end: out
                None,  # not deployed
            ]
        }
    )
    # 3 deployments over 7 days
    assert metrics.deployment_frequency(changes, "2026-03-01", "2026-03-08") == pytest.approx(3 / 7)


def test_lead_time_ignores_non_positive_values():
    changes = pd.DataFrame(
        {
            "first_commit_at": [
                "2026-03-01T00:00Z",  # 2 h
                "2026-03-01T00:00Z",  # 10 h
                "2026-03-01T00:00Z",  # 30 h
                "2026-03-01T05:00Z",  # deployed 3 h before its first commit: ignored
                "2026-03-01T02:00Z",  # 0 h: ignored
                "2026-03-01T00:00Z",  # not deployed
            ],
            "deployed_at": [
                "2026-03-01T02:00Z",
                "2026-03-01T10:00Z",
                "2026-03-02T06:00Z",
                "2026-03-01T02:00Z",
                "2026-03-01T02:00Z",
                None,
            ],
        }
    )
    # median of 2, 10, 30 = 10 (with the errors it would be median(-3, 0, 2, 10, 30) = 2)
    assert metrics.lead_time_for_changes(changes) == pytest.approx(10.0)


def _changes_and_incidents() -> tuple[pd.DataFrame, pd.DataFrame]:
    changes = pd.DataFrame(
        {
            "change_id": ["C1", "C2", "C3", "C4", "C5", "C6", "C7", "C8"],
            "deployed_at": ["2026-03-01T10:00Z"] * 5 + [None] + ["2026-03-01T12:00Z"] * 2,
            "outcome": ["success", "failed", "rolled_back", "success", "failed", None, "success", "rolled_back"],
        }
    )
    incidents = pd.DataFrame(
        {
            "caused_by_change": ["C4", "C5", "C5", "C6", None],
            "opened_at": ["2026-03-01T11:00Z"] * 5,
            "resolved_at": ["2026-03-01T12:00Z"] * 5,
        }
    )
    return changes, incidents


def test_change_failure_rate_counts_each_change_once():
    changes, incidents = _changes_and_incidents()
    # deployed: C1-C5, C7, C8 = 7; failed: C2, C3, C4 (caused an incident), C5 (failed and
    # caused two incidents, still one), C8 = 5; C6 caused an incident but was never deployed
    assert metrics.change_failure_rate(changes, incidents) == pytest.approx(500 / 7)


def test_change_success_rate():
    changes, _ = _changes_and_incidents()
    # success among the 7 deployed: C1, C4, C7 = 3
    assert metrics.change_success_rate(changes) == pytest.approx(300 / 7)


def test_failed_deployment_recovery_time_start_rule():
    changes = pd.DataFrame(
        {"change_id": ["X", "Y"], "deployed_at": ["2026-03-01T10:00Z", "2026-03-01T12:00Z"]}
    )
    incidents = pd.DataFrame(
        {
            "caused_by_change": ["X", "Y", "Z", "X", None],
            "opened_at": [
                "2026-03-01T11:00Z",  # starts at the deploy (10:00): 4 h (3 h from opening)
                "2026-03-01T11:30Z",  # opened before the deploy time: starts 11:30, 2 h
                "2026-03-01T09:00Z",  # unknown change: starts at opening, 6 h
                "2026-03-01T11:00Z",  # still open: left out
                "2026-03-01T00:00Z",  # no change named: left out
            ],
            "resolved_at": [
                "2026-03-01T14:00Z",
                "2026-03-01T13:30Z",
                "2026-03-01T15:00Z",
                None,
                "2026-03-05T00:00Z",
            ],
        }
    )
    # median(4, 2, 6) = 4 (starting at opened_at would give median(3, 2, 6) = 3)
    assert metrics.failed_deployment_recovery_time(changes, incidents) == pytest.approx(4.0)


def test_test_pass_rate_skips_rows_without_tests():
    changes = pd.DataFrame(
        {
            "test_cases_run": pd.array([100, 0, 50, None], dtype="Int64"),
            "test_cases_failed": pd.array([5, 0, 10, 3], dtype="Int64"),
        }
    )
    # (95 + 40) / (100 + 50) = 90 % (the mean of the row rates would be 87.5 %)
    assert metrics.test_pass_rate(changes) == pytest.approx(90.0)


# --------------------------------------------------------------------------- build, engage, improve, plan


def test_build_success_rate_excludes_cancelled():
    builds = pd.DataFrame({"status": ["passed"] * 3 + ["failed"] + ["cancelled"] * 4})
    # 3 / (3 + 1) = 75 % (counting cancelled would give 3 / 8 = 37.5 %)
    assert metrics.build_success_rate(builds) == pytest.approx(75.0)


def test_defect_escape_rate():
    defects = pd.DataFrame({"found_in": ["build", "build", "test", "production"]})
    assert metrics.defect_escape_rate(defects) == pytest.approx(25.0)


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        ([6, 7, 8, 9], 0.0),  # 1 promoter (9), 1 detractor (6), 2 passives
        ([0, 10], 0.0),  # the extremes: one of each
        ([6, 9, 9], 100 / 3),  # 6 is a detractor: (2 - 1) / 3 (as a passive it would be 66.7)
        ([7, 8, 7], 0.0),  # passives only count in the denominator
        ([9, None, 6, 6], -100 / 3),  # missing left out: (1 - 2) / 3
        ([10, 10, 10], 100.0),
        ([0, 1, 2, 3, 4, 5, 6], -100.0),
    ],
)
def test_nps_boundaries(scores, expected):
    assert metrics.nps(pd.Series(scores, dtype="Int64")) == pytest.approx(expected)
    assert metrics.nps(scores) == pytest.approx(expected)  # any 1-D array works too


def test_csat_is_top_two_box_not_the_mean():
    scores = pd.Series([5, 4, 3, 2, 1, None], dtype="Int64")
    # 2 of 5 answered are 4-5: 40 % (the mean score would be 3.0)
    assert metrics.csat(scores) == pytest.approx(40.0)
    assert metrics.csat(np.array([3, 3, 5])) == pytest.approx(100 / 3)


@pytest.mark.parametrize(("func", "bad"), [("nps", 11), ("nps", -1), ("nps", 7.5), ("csat", 0), ("csat", 6)])
def test_scores_out_of_range_raise(func, bad):
    with pytest.raises(ValueError, match=func):
        getattr(metrics, func)([5, bad])


def test_scores_must_be_one_dimensional():
    with pytest.raises(ValueError, match="1-D"):
        metrics.nps(pd.DataFrame({"nps_score": [9, 10]}))


def test_improvements_completed_and_benefit_realisation():
    improvements = pd.DataFrame(
        {
            "status": ["done", "done", "done", "in progress", "abandoned"],
            "completed_at": ["2026-03-01T00:00Z", "2026-03-31T23:59Z", "2026-04-01T00:00Z", "2026-03-10T00:00Z", None],
            "expected_benefit_hours": [10.0, 30.0, 60.0, 100.0, 50.0],
            "realised_benefit_hours": [8.0, 12.0, 40.0, None, None],
        }
    )
    # done in March: the first two (the third is at the window's end, the in-progress one does not count)
    assert metrics.improvements_completed(improvements, "2026-03-01", "2026-04-01") == 2
    # done only: (8 + 12 + 40) / (10 + 30 + 60) = 60 %
    assert metrics.benefit_realisation(improvements) == pytest.approx(60.0)


def test_mape_and_wmape():
    forecasts = pd.DataFrame(
        {
            "period": ["2026-01", "2026-02", "2026-03"],
            "measure": ["incidents"] * 3,
            "forecast": [110.0, 45.0, 260.0],
            "actual": [100.0, 50.0, 200.0],
        }
    )
    # errors 10 %, 10 %, 30 %: mean 16.667 %
    assert metrics.mape(forecasts) == pytest.approx(50 / 3)
    # (10 + 5 + 60) / (100 + 50 + 200) = 21.43 %
    assert metrics.wmape(forecasts) == pytest.approx(7500 / 350)


def test_mape_zero_actual_names_the_row_but_wmape_copes():
    forecasts = pd.DataFrame(
        {
            "period": ["2026-03", "2026-04"],
            "measure": ["incidents", "outage hours"],
            "forecast": [110.0, 5.0],
            "actual": [100.0, 0.0],
        }
    )
    with pytest.raises(ValueError, match=r"2026-04.*outage hours"):
        metrics.mape(forecasts)
    # (10 + 5) / (100 + 0) = 15 %
    assert metrics.wmape(forecasts) == pytest.approx(15.0)


def test_alignment_score_weights_by_effort():
    features = pd.DataFrame(
        {"strategic_objective": ["cost", None, "reliability", ""], "effort_hours": [10.0, 30.0, 60.0, 20.0]}
    )
    # (10 + 60) / 120 = 58.33 % (counting features would give 2 / 4 = 50 %)
    assert metrics.alignment_score(features) == pytest.approx(70 / 1.2)


def test_idea_to_live_is_not_cycle_time():
    features = pd.DataFrame(
        {
            "idea_at": ["2026-01-01T00:00Z", "2026-01-01T00:00Z", "2026-01-10T00:00Z", "2026-01-01T00:00Z"],
            "work_started_at": ["2026-01-11T00:00Z", "2026-02-01T00:00Z", "2026-01-12T00:00Z", "2026-01-02T00:00Z"],
            "deployed_at": ["2026-01-21T00:00Z", "2026-02-05T00:00Z", "2026-02-01T00:00Z", None],
        }
    )
    # idea to live: 20, 35, 22 days -> median 22; cycle: 10, 4, 20 days -> median 10
    assert metrics.idea_to_live(features) == pytest.approx(22.0)
    assert metrics.cycle_time(features) == pytest.approx(10.0)


# --------------------------------------------------------------------------- empty inputs and bad columns


EMPTY_INCIDENTS = pd.DataFrame(columns=["service", "priority", "opened_at", "resolved_at", "caused_by_change"])
EMPTY_CHANGES = pd.DataFrame(
    columns=["change_id", "first_commit_at", "deployed_at", "outcome", "test_cases_run", "test_cases_failed"]
)


@pytest.mark.parametrize(
    "call",
    [
        lambda: metrics.mttr(EMPTY_INCIDENTS),
        lambda: metrics.median_time_to_restore(EMPTY_INCIDENTS),
        lambda: metrics.sli(requests([], [])),
        lambda: metrics.error_budget_remaining(requests([], []), 0.999),
        lambda: metrics.burn_rate(requests([], []), 0.999),
        lambda: metrics.lead_time_for_changes(EMPTY_CHANGES),
        lambda: metrics.change_failure_rate(EMPTY_CHANGES, EMPTY_INCIDENTS),
        lambda: metrics.failed_deployment_recovery_time(EMPTY_CHANGES, EMPTY_INCIDENTS),
        lambda: metrics.change_success_rate(EMPTY_CHANGES),
        lambda: metrics.test_pass_rate(EMPTY_CHANGES),
        lambda: metrics.build_success_rate(pd.DataFrame({"status": ["cancelled"]})),
        lambda: metrics.defect_escape_rate(pd.DataFrame({"found_in": []})),
        lambda: metrics.nps([]),
        lambda: metrics.nps([None, None]),
        lambda: metrics.csat(pd.Series([], dtype="Int64")),
        lambda: metrics.benefit_realisation(
            pd.DataFrame({"status": ["proposed"], "expected_benefit_hours": [5.0], "realised_benefit_hours": [None]})
        ),
        lambda: metrics.mape(pd.DataFrame({"forecast": [], "actual": []})),
        lambda: metrics.wmape(pd.DataFrame({"forecast": [], "actual": []})),
        lambda: metrics.alignment_score(pd.DataFrame({"strategic_objective": [], "effort_hours": []})),
        lambda: metrics.idea_to_live(pd.DataFrame({"idea_at": [], "deployed_at": []})),
        lambda: metrics.cycle_time(pd.DataFrame({"work_started_at": [], "deployed_at": []})),
    ],
)
def test_no_data_gives_nan(call):
    result = call()
    assert type(result) is float and math.isnan(result)


def test_counts_on_empty_input_are_zero_not_nan():
    empty = pd.DataFrame({"status": [], "completed_at": [], "deployed_at": []})
    assert metrics.improvements_completed(empty, "2026-01-01", "2026-02-01") == 0
    assert metrics.deployment_frequency(empty, "2026-01-01", "2026-02-01") == 0.0


@pytest.mark.parametrize(
    ("call", "column"),
    [
        (lambda: metrics.mttr(pd.DataFrame({"opened_at": []})), "resolved_at"),
        (lambda: metrics.availability(pd.DataFrame({"service": []}), "a", "2026-01-01", "2026-01-02"), "priority"),
        (lambda: metrics.sli(pd.DataFrame({"valid_requests": [1]})), "good_requests"),
        (lambda: metrics.build_success_rate(pd.DataFrame({"state": ["passed"]})), "status"),
        (lambda: metrics.mape(pd.DataFrame({"forecast": [1.0]})), "actual"),
        (lambda: metrics.alignment_score(pd.DataFrame({"effort_hours": [1.0]})), "strategic_objective"),
    ],
)
def test_missing_column_is_named(call, column):
    with pytest.raises(ValueError, match=f"'{column}'"):
        call()


def test_scalar_results_are_plain_python_numbers():
    frame = incidents([("a", "P1", "2026-03-01T00:00Z", "2026-03-01T02:00Z")])
    assert type(metrics.mttr(frame)) is float
    assert type(metrics.availability(frame, "a", "2026-03-01", "2026-03-02")) is float
    assert type(metrics.nps(np.array([9, 10]))) is float


# --------------------------------------------------------------------------- the committed data


def test_real_incident_metrics_match_plain_pandas():
    inc = data.load("incidents")
    hours = (inc["resolved_at"] - inc["opened_at"]).dt.total_seconds() / 3600
    assert metrics.mttr(inc) == pytest.approx(hours.dropna().mean())
    assert metrics.median_time_to_restore(inc) == pytest.approx(hours.dropna().median())
    weekly = metrics.incident_volume(inc)
    assert int(weekly.sum()) == len(inc)


def test_real_availability_matches_a_minute_grid():
    inc = data.load("incidents")
    start, end = pd.Timestamp("2026-01-01", tz="UTC"), pd.Timestamp("2026-07-01", tz="UTC")
    minutes = int((end - start).total_seconds() // 60)
    for service in ("campus-wifi", "payments-api"):
        down = np.zeros(minutes, dtype=bool)
        p1 = inc[(inc["service"] == service) & (inc["priority"] == "P1")]
        for opened, resolved in zip(p1["opened_at"], p1["resolved_at"]):
            a = int((opened - start).total_seconds() // 60)
            b = minutes if pd.isna(resolved) else int((resolved - start).total_seconds() // 60)
            down[max(a, 0) : max(min(b, minutes), 0)] = True
        expected = 100.0 * (minutes - down.sum()) / minutes
        assert metrics.availability(inc, service, "2026-01-01", "2026-07-01") == pytest.approx(expected, abs=1e-9)


def test_real_change_and_engagement_metrics_match_plain_python():
    changes, inc = data.load("changes"), data.load("incidents")
    caused = set(inc["caused_by_change"].dropna())
    deployed = [row for row in changes.itertuples() if not pd.isna(row.deployed_at)]
    failed = [r for r in deployed if r.outcome in ("failed", "rolled_back") or r.change_id in caused]
    assert metrics.change_failure_rate(changes, inc) == pytest.approx(100 * len(failed) / len(deployed))

    builds = data.load("builds")["status"].tolist()
    assert metrics.build_success_rate(data.load("builds")) == pytest.approx(
        100 * builds.count("passed") / (builds.count("passed") + builds.count("failed"))
    )

    scores = [int(s) for s in data.load("surveys")["nps_score"].dropna()]
    promoters = sum(s >= 9 for s in scores)
    detractors = sum(s <= 6 for s in scores)
    assert metrics.nps(data.load("surveys")["nps_score"]) == pytest.approx(100 * (promoters - detractors) / len(scores))


def test_real_data_has_the_teaching_features():
    inc = data.load("incidents")
    hours = (inc["resolved_at"] - inc["opened_at"]).dt.total_seconds() / 3600
    medians = hours.groupby(inc["priority"]).median()
    assert list(medians.sort_values().index) == ["P1", "P2", "P3", "P4"]
    with_ke = inc["known_error_id"].notna()
    assert metrics.mttr(inc[with_ke]) < 0.7 * metrics.mttr(inc[~with_ke])
    assert inc["resolved_at"].isna().any()  # some still open
    # two P1 outages of one service overlap somewhere
    p1 = inc[inc["priority"] == "P1"].sort_values(["service", "opened_at"])
    next_open = p1.groupby("service")["opened_at"].shift(-1)
    assert (next_open < p1["resolved_at"]).any()
    changes = data.load("changes")
    failed = set(changes.loc[changes["outcome"].isin(["failed", "rolled_back"]), "change_id"])
    assert failed & set(inc["caused_by_change"].dropna())  # failed and caused an incident
    assert (changes["first_commit_at"] > changes["deployed_at"]).any()  # data errors
    assert (changes["test_cases_run"] == 0).any()
    assert (data.load("builds")["status"] == "cancelled").any()
    forecasts = data.load("forecasts")
    assert (forecasts["actual"] != 0).all()
    metrics.mape(forecasts)  # no zero actual, so no error


def test_real_requests_fire_the_fast_burn_page_on_a_bad_afternoon():
    req = data.load("requests")
    payments = req[req["service"] == "payments-api"]
    assert not metrics.burn_rate_alerts(payments, 0.999, now="2026-06-10T15:00Z")["fires"].any()
    assert metrics.burn_rate_alerts(payments, 0.999, now="2026-06-12T15:00Z")["fires"].all()
    assert (req["good_requests"] <= req["valid_requests"]).all()
