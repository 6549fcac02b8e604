"""A catalogue of the mistakes students make on number exercises, each computed from the course data.

The hints of the source notebooks' test cells name the usual mistakes ("CSAT is the
share of 4-5, not the mean score", "6 is a detractor", "leave open incidents out",
"overlapping outages count once", "a percentage, not a ratio"...). Each such
mistake is a *variant* of the right computation; here every variant is computed
from :mod:`course.data` with the same steps a student who made that mistake would
take, so that a wrong value in the class report can be named: a student who sent
``csat_pct = 3.62`` took the mean score.

>>> [v.label for v in variants("change_days_in_system")]
["Little's law inverted: throughput / WIP instead of WIP / throughput"]
>>> round(variants("change_days_in_system")[0].value(), 4)
0.3333

Two generic variants apply to every answer: a ratio sent where a percent was
asked (the expected value / 100) and a percent sent where a ratio was asked (the
expected value x 100); see :func:`match`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

__all__ = ["Variant", "variants", "match", "names", "REL_TOL"]

REL_TOL = 5e-4
"""Relative tolerance within which a wrong value matches a variant (students round)."""

_ABS_TOL = 1e-6


@dataclass(frozen=True)
class Variant:
    """One recognisable mistake: what the student did, and the value it gives."""

    label: str
    compute: Callable[[], float]

    def value(self) -> float:
        """The value this mistake gives on the course data (NaN if it cannot be computed)."""
        return _cached(self.label, self.compute)


_VALUES: dict[str, float] = {}


def _cached(label: str, compute: Callable[[], float]) -> float:
    key = f"{id(compute)}:{label}"
    if key not in _VALUES:
        try:
            _VALUES[key] = float(compute())
        except Exception:  # a variant that cannot be computed on this data matches nothing
            _VALUES[key] = math.nan
    return _VALUES[key]


# --------------------------------------------------------------------------- helpers on the data


def _load(table: str, case: str | None = None) -> Any:
    from .. import data

    return data.load(table, case=case) if case else data.load(table)


def _ts(text: str) -> Any:
    import pandas as pd

    return pd.Timestamp(text, tz="UTC") if "Z" not in text and "+" not in text else pd.Timestamp(text)


def _hours(later: Any, earlier: Any) -> Any:
    return (later - earlier).dt.total_seconds() / 3600


def _restore(frame: Any, *, open_as_zero: bool = False, seconds_only: bool = False) -> Any:
    """Restore times in hours; open incidents dropped, or counted as 0; ``.dt.seconds`` drops whole days."""
    delta = frame["resolved_at"] - frame["opened_at"]
    hours = (delta.dt.seconds / 3600) if seconds_only else (delta.dt.total_seconds() / 3600)
    hours = hours.astype("float64")
    return hours.fillna(0.0) if open_as_zero else hours.dropna()


def _ke(frame: Any, with_ke: bool) -> Any:
    has = frame["known_error_id"].notna()
    return frame[has if with_ke else ~has]


def _restore_variants(select: Callable[[], Any], *, mean: bool) -> list[Variant]:
    """The usual restore-time mistakes for a mean (MTTR) or a median answer."""
    stat = "mean" if mean else "median"
    other = "median" if mean else "mean"

    def agg(hours: Any, how: str) -> float:
        return float(hours.mean() if how == "mean" else hours.median())

    return [
        Variant("open incidents counted with a restore time of 0", lambda: agg(_restore(select(), open_as_zero=True), stat)),
        Variant(".dt.seconds instead of .dt.total_seconds() (whole days dropped)",
                lambda: agg(_restore(select(), seconds_only=True), stat)),
        Variant(f"the {other} instead of the {stat}", lambda: agg(_restore(select()), other)),
        Variant("in days instead of hours", lambda: agg(_restore(select()), stat) / 24),
        Variant("in minutes instead of hours", lambda: agg(_restore(select()), stat) * 60),
    ]


def _sli_mean_of_ratios(frame: Any) -> float:
    rows = frame[frame["valid_requests"] > 0]
    return float((rows["good_requests"] / rows["valid_requests"]).astype("float64").mean())


def _requests_week() -> Any:
    r = _load("requests")
    return r[(r["service"] == "payments-api") & (r["window_start"] >= _ts("2026-06-15"))
             & (r["window_start"] < _ts("2026-06-22"))]


def _requests_june(service: str) -> Any:
    r = _load("requests")
    return r[(r["service"] == service) & (r["window_start"] >= _ts("2026-06-01"))
             & (r["window_start"] < _ts("2026-07-01"))]


def _budget_variants(frame: Callable[[], Any], slo: float = 0.999) -> list[Variant]:
    from .. import metrics

    def sums() -> tuple[float, float]:
        f = frame()
        return float(f["valid_requests"].sum()), float(f["good_requests"].sum())

    def budget_is_slo() -> float:
        valid, good = sums()
        return 1 - (valid - good) / (slo * valid)

    def bad_over_budget() -> float:
        valid, good = sums()
        return (valid - good) / ((1 - slo) * valid)

    return [
        Variant("the SLO (0.999) used as the budget instead of 1 - SLO", budget_is_slo),
        Variant("the budget spent instead of the budget left", bad_over_budget),
        Variant("the SLI given instead of the budget left", lambda: metrics.sli(frame())),
    ]


def _streaming_night() -> Any:
    inc = _load("incidents", case="streaming")
    return inc[(inc["opened_at"] >= _ts("2026-05-16T18:30:00Z")) & (inc["opened_at"] < _ts("2026-05-16T22:00:00Z"))]


def _p1_portal() -> Any:
    inc = _load("incidents")
    return inc[(inc["service"] == "student-portal") & (inc["priority"] == "P1")]


def _availability_summed() -> float:
    start, end = _ts("2026-04-01"), _ts("2026-05-01")
    spans = _p1_portal()[["opened_at", "resolved_at"]].copy()
    spans["resolved_at"] = spans["resolved_at"].fillna(end)
    spans = spans.clip(lower=start, upper=end)
    down = (spans["resolved_at"] - spans["opened_at"]).clip(lower=_zero()).sum()
    return float((1 - down / (end - start)) * 100)


def _availability_open_ignored() -> float:
    from .. import metrics

    inc = _load("incidents")
    return metrics.availability(inc[inc["resolved_at"].notna()], "student-portal", "2026-04-01T00:00:00Z", "2026-05-01T00:00:00Z")


def _availability_all_priorities() -> float:
    from .. import metrics

    inc = _load("incidents").copy()
    inc["priority"] = "P1"
    return metrics.availability(inc, "student-portal", "2026-04-01T00:00:00Z", "2026-05-01T00:00:00Z")


def _zero() -> Any:
    import pandas as pd

    return pd.Timedelta(0)


def _build_all() -> float:
    b = _load("builds")
    return float(100 * (b["status"] == "passed").sum() / len(b))


def _change_success_all() -> float:
    c = _load("changes")
    return float(100 * (c["outcome"] == "success").sum() / len(c))


def _cfr_summed() -> float:
    c, inc = _load("changes"), _load("incidents")
    deployed = c[c["deployed_at"].notna()]
    failed = deployed["outcome"].isin(["failed", "rolled_back"]).sum()
    caused = deployed["change_id"].isin(set(inc["caused_by_change"].dropna())).sum()
    return float(100 * (failed + caused) / len(deployed))


def _cfr_outcome_only() -> float:
    c = _load("changes")
    deployed = c[c["deployed_at"].notna()]
    return float(100 * deployed["outcome"].isin(["failed", "rolled_back"]).sum() / len(deployed))


def _cfr_all_changes() -> float:
    c, inc = _load("changes"), _load("incidents")
    deployed = c["deployed_at"].notna()
    bad = c["outcome"].isin(["failed", "rolled_back"]) | c["change_id"].isin(set(inc["caused_by_change"].dropna()))
    return float(100 * (bad & deployed).sum() / len(c))


def _recovery(start_at_opened: bool = False, how: str = "median") -> float:
    c, inc = _load("changes"), _load("incidents")
    caused = inc[inc["caused_by_change"].notna() & inc["resolved_at"].notna()]
    joined = caused.merge(c[["change_id", "deployed_at"]], left_on="caused_by_change", right_on="change_id", how="left")
    began = joined["opened_at"] if start_at_opened else joined[["deployed_at", "opened_at"]].min(axis=1)
    hours = _hours(joined["resolved_at"], began).astype("float64")
    return float(hours.median() if how == "median" else hours.mean())


def _lead(keep_nonpositive: bool = False, how: str = "median", days: bool = False) -> float:
    c = _load("changes")
    done = c[c["deployed_at"].notna()]
    lead = _hours(done["deployed_at"], done["first_commit_at"]).astype("float64")
    if not keep_nonpositive:
        lead = lead[lead > 0]
    value = float(lead.median() if how == "median" else lead.mean())
    return value / 24 if days else value


def _deploys(per: str = "day", include_end: bool = False, all_changes: bool = False) -> float:
    c = _load("changes")
    start, end = _ts("2026-04-01"), _ts("2026-07-01")
    when = c["deployed_at"]
    inside = (when >= start) & ((when <= end) if include_end else (when < end))
    count = float(len(c)) if all_changes else float(inside.sum())
    days = (end - start).days
    return count / (days / 7) if per == "week" else count / days


def _nps(six_passive: bool = False, drop_passives: bool = False) -> float:
    s = _load("surveys")["nps_score"].dropna().astype("float64")
    if drop_passives:
        s = s[(s <= 6) | (s >= 9)]
    det = (s < 6) if six_passive else (s <= 6)
    return float(((s >= 9).mean() - det.mean()) * 100)


def _csat(how: str) -> float:
    s = _load("surveys")["csat_score"]
    answered = s.dropna().astype("float64")
    if how == "mean":
        return float(answered.mean())
    if how == "top3":
        return float((answered >= 3).mean() * 100)
    if how == "empty_in_denominator":
        return float((answered >= 4).sum() / len(s) * 100)
    if how == "top1":
        return float((answered >= 5).mean() * 100)
    raise ValueError(how)


def _test_pass_mean_of_rates() -> float:
    c = _load("changes")
    ran = c[c["test_cases_run"] > 0]
    return float(((ran["test_cases_run"] - ran["test_cases_failed"]) / ran["test_cases_run"]).astype("float64").mean() * 100)


def _defect_escape_over_others() -> float:
    d = _load("defects")
    prod = (d["found_in"] == "production").sum()
    return float(prod / (len(d) - prod) * 100)


def _busiest(how: str) -> float:
    inc = _load("incidents")
    if how == "resolved_only":
        inc = inc[inc["resolved_at"].notna()]
    weekly = inc.resample("W", on="opened_at").size()
    return float(weekly.mean() if how == "mean" else weekly.max())


def _improvements(status_any: bool = False, by_raised: bool = False, include_end: bool = False) -> float:
    imp = _load("improvements")
    rows = imp if status_any else imp[imp["status"] == "done"]
    when = rows["raised_at"] if by_raised else rows["completed_at"]
    start, end = _ts("2026-04-01"), _ts("2026-07-01")
    return float(((when >= start) & ((when <= end) if include_end else (when < end))).sum())


def _benefit_all() -> float:
    imp = _load("improvements")
    done = imp[imp["status"] == "done"]
    return float(done["realised_benefit_hours"].sum() / imp["expected_benefit_hours"].sum() * 100)


def _alignment_by_count(frame: Any) -> float:
    return float(frame["strategic_objective"].notna().mean() * 100)


def _mape_as_wmape() -> float:
    from .. import metrics

    return metrics.wmape(_load("forecasts"))


def _wmape_as_mape() -> float:
    from .. import metrics

    return metrics.mape(_load("forecasts"))


def _quiet_zero_dropped() -> float:
    return (1 + 10) / (4 + 50) * 100


def _quiet_mape_without_zero() -> float:
    return (1 / 4 + 10 / 50) / 2 * 100


def _features_split(after: bool) -> Any:
    f = _load("features", case="streaming")
    new = f["approved_at"] >= _ts("2026-05-25T00:00:00Z")
    return f[new] if after else f[~new]


def _streaming_requests(after: bool) -> Any:
    r = _load("requests", case="streaming")
    late = r["window_start"] >= _ts("2026-05-22T00:00:00Z")
    return r[late] if after else r[~late]


def _root_causes_by_opened() -> float:
    p = _load("problems", case="streaming")
    when = p["opened_at"]
    return float(((when >= _ts("2026-05-16T00:00:00Z")) & (when < _ts("2026-06-15T00:00:00Z"))).sum())


def _p1_april_all_priorities() -> float:
    inc = _load("incidents")
    inc = inc[inc["service"] == "student-portal"]
    return float(((inc["opened_at"] >= _ts("2026-04-01")) & (inc["opened_at"] < _ts("2026-05-01"))).sum())


def _share_ke(denominator: str) -> float:
    inc = _load("incidents")
    with_ke = inc["known_error_id"].notna()
    if denominator == "resolved":
        return float(100 * (with_ke & inc["resolved_at"].notna()).sum() / inc["resolved_at"].notna().sum())
    raise ValueError(denominator)


def _p2_saving(all_priorities: bool = False, reversed_order: bool = False, means: bool = False) -> float:
    inc = _load("incidents")
    p = inc if all_priorities else inc[inc["priority"] == "P2"]
    agg = (lambda h: float(h.mean())) if means else (lambda h: float(h.median()))
    without, with_ = agg(_restore(_ke(p, False))), agg(_restore(_ke(p, True)))
    return with_ - without if reversed_order else without - with_


def _burn(frame: Callable[[], Any], how: str) -> float:
    from .. import metrics

    f = frame()
    if how == "by_slo":
        return (1 - metrics.sli(f)) / 0.999
    if how == "sli_percent":
        return (1 - 100 * metrics.sli(f)) / (1 - 0.999)
    raise ValueError(how)


def _final_budget_min() -> float:
    w = _requests_june("payments-api").sort_values("window_start")
    cum_valid = w["valid_requests"].cumsum()
    cum_bad = (w["valid_requests"] - w["good_requests"]).cumsum()
    return float((1 - cum_bad / (0.001 * cum_valid)).astype("float64").min())


def _days(features: Any, start_col: str, how: str = "median") -> float:
    live = features[features["deployed_at"].notna()]
    days = ((live["deployed_at"] - live[start_col]).dt.total_seconds() / 86400).astype("float64")
    return float(days.median() if how == "median" else days.mean())


# --------------------------------------------------------------------------- the catalogue


def _catalogue() -> dict[str, list[Variant]]:
    from .. import metrics

    inc = lambda: _load("incidents")  # noqa: E731
    feats = lambda: _load("features")  # noqa: E731
    return {
        # 03 operational terms
        "share_with_known_error": [Variant("divided by resolved incidents only, not all incidents", lambda: _share_ke("resolved"))],
        "mttr_with_ke_hours": _restore_variants(lambda: _ke(inc(), True), mean=True),
        "mttr_without_ke_hours": _restore_variants(lambda: _ke(inc(), False), mean=True)
        + [Variant("the incidents WITH a known error taken instead", lambda: metrics.mttr(_ke(inc(), True)))],
        "median_with_ke_hours": _restore_variants(lambda: _ke(inc(), True), mean=False),
        "median_without_ke_hours": _restore_variants(lambda: _ke(inc(), False), mean=False),
        "p2_median_saving_hours": [
            Variant("all priorities instead of P2 only", lambda: _p2_saving(all_priorities=True)),
            Variant("with minus without (order reversed)", lambda: _p2_saving(reversed_order=True)),
            Variant("means instead of medians", lambda: _p2_saving(means=True)),
        ],
        # 04 modern delivery and SRE, 06 value chain metrics
        "build_success_percent": [Variant("cancelled builds kept in the denominator", _build_all)],
        "build_success_pct": [Variant("cancelled builds kept in the denominator", _build_all)],
        "deploys_per_day": [
            Variant("per week instead of per day", lambda: _deploys(per="week")),
            Variant("end of the window included", lambda: _deploys(include_end=True)),
            Variant("every change counted, deployed in the window or not", lambda: _deploys(all_changes=True)),
        ],
        "lead_time_hours": [
            Variant("lead times <= 0 kept before the median", lambda: _lead(keep_nonpositive=True)),
            Variant("the mean instead of the median", lambda: _lead(how="mean")),
            Variant("in days instead of hours", lambda: _lead(days=True)),
        ],
        "change_failure_percent": [
            Variant("failed and incident-causing changes summed (a change that did both counted twice)", _cfr_summed),
            Variant("failed outcomes only, incidents caused by changes left out", _cfr_outcome_only),
            Variant("divided by all changes, deployed or not", _cfr_all_changes),
        ],
        "recovery_hours": [
            Variant("started at the incident's opened_at instead of min(deployed_at, opened_at)", lambda: _recovery(start_at_opened=True)),
            Variant("the mean instead of the median", lambda: _recovery(how="mean")),
        ],
        "week_sli": [Variant("the mean of per-bucket ratios instead of sum(good) / sum(valid)", lambda: _sli_mean_of_ratios(_requests_week()))],
        "week_budget_remaining": _budget_variants(_requests_week),
        "week_burn_rate": [
            Variant("divided by the SLO (0.999) instead of the allowed error rate (0.001)", lambda: _burn(_requests_week, "by_slo")),
        ],
        "final_budget_remaining": [Variant("the minimum over the month instead of the last value", _final_budget_min)]
        + _budget_variants(lambda: _requests_june("payments-api")),
        "mape_pct": [Variant("wMAPE (total error / total actual) instead of MAPE", _mape_as_wmape)],
        "wmape_pct": [Variant("MAPE (mean of per-row ratios) instead of wMAPE", _wmape_as_mape)],
        "quiet_wmape_pct": [
            Variant("the month with a zero actual dropped", _quiet_zero_dropped),
            Variant("MAPE over the non-zero months instead of wMAPE", _quiet_mape_without_zero),
        ],
        "alignment_pct": [Variant("features counted instead of weighted by effort_hours", lambda: _alignment_by_count(feats()))],
        "improvements_done_q2": [
            Variant("improvements not done (in progress) counted too", lambda: _improvements(status_any=True)),
            Variant("counted by raised_at instead of completed_at", lambda: _improvements(by_raised=True)),
            Variant("end of the window (2026-07-01) included", lambda: _improvements(include_end=True)),
        ],
        "benefit_pct": [Variant("expected hours of improvements not done kept in the denominator", _benefit_all)],
        "nps_value": [
            Variant("6 counted as a passive, not a detractor (< 6 instead of <= 6)", lambda: _nps(six_passive=True)),
            Variant("passives (7-8) left out of the denominator", lambda: _nps(drop_passives=True)),
        ],
        "csat_pct": [
            Variant("CSAT as the mean score instead of the share of 4-5", lambda: _csat("mean")),
            Variant("3 counted as satisfied (share of 3-5)", lambda: _csat("top3")),
            Variant("empty answers kept in the denominator", lambda: _csat("empty_in_denominator")),
            Variant("only 5 counted as satisfied", lambda: _csat("top1")),
        ],
        "test_pass_pct": [Variant("the mean of per-change pass rates instead of summing the cases", _test_pass_mean_of_rates)],
        "change_success_pct": [Variant("divided by all changes, never-deployed ones included", _change_success_all)],
        "defect_escape_pct": [Variant("divided by the defects found before production, not by all defects", _defect_escape_over_others)],
        "busiest_week_incidents": [
            Variant("the mean weekly count instead of the maximum", lambda: _busiest("mean")),
            Variant("resolved incidents only (open ones left out)", lambda: _busiest("resolved_only")),
        ],
        "mttr_hours": _restore_variants(inc, mean=True),
        "median_restore_hours": _restore_variants(inc, mean=False),
        "availability_pct": [
            Variant("overlapping outages summed (the same downtime counted twice)", _availability_summed),
            Variant("open P1 incidents left out instead of running to the window end", _availability_open_ignored),
            Variant("incidents of every priority, not only P1", _availability_all_priorities),
        ],
        "p1_incidents_april": [Variant("incidents of every priority counted, not only P1", _p1_april_all_priorities)],
        "portal_sli_june": [Variant("the mean of per-bucket ratios instead of sum(good) / sum(valid)",
                                    lambda: _sli_mean_of_ratios(_requests_june("student-portal")))],
        "portal_budget_left_june": _budget_variants(lambda: _requests_june("student-portal")),
        "idea_to_live_days": [
            Variant("started at work_started_at (that is the cycle time)", lambda: _days(feats(), "work_started_at")),
            Variant("the mean instead of the median", lambda: _days(feats(), "idea_at", "mean")),
        ],
        "cycle_time_days": [
            Variant("started at idea_at (that is idea-to-live)", lambda: _days(feats(), "idea_at")),
            Variant("the mean instead of the median", lambda: _days(feats(), "work_started_at", "mean")),
        ],
        "change_days_in_system": [Variant("Little's law inverted: throughput / WIP instead of WIP / throughput", lambda: 15 / 45)],
        # 08 mini case
        "event_mttr_hours": _restore_variants(_streaming_night, mean=True)
        + [Variant("every incident of the day, not only 18:30-22:00", lambda: metrics.mttr(
            _load("incidents", case="streaming").pipe(lambda f: f[f["opened_at"].dt.strftime("%Y-%m-%d") == "2026-05-16"])))],
        "root_causes_found": [Variant("counted by opened_at instead of root_cause_found_at", _root_causes_by_opened)],
        "sli_before": [Variant("the mean of per-bucket ratios instead of sum(good) / sum(valid)", lambda: _sli_mean_of_ratios(_streaming_requests(False)))],
        "sli_after": [Variant("the mean of per-bucket ratios instead of sum(good) / sum(valid)", lambda: _sli_mean_of_ratios(_streaming_requests(True)))],
        "alignment_before": [Variant("features counted instead of weighted by effort_hours", lambda: _alignment_by_count(_features_split(False)))],
        "alignment_after": [Variant("features counted instead of weighted by effort_hours", lambda: _alignment_by_count(_features_split(True)))],
    }


@lru_cache(maxsize=1)
def _all() -> dict[str, tuple[Variant, ...]]:
    return {name: tuple(found) for name, found in _catalogue().items()}


def names() -> list[str]:
    """The answer names that have a catalogue of mistakes."""
    return sorted(_all())


def variants(name: str) -> list[Variant]:
    """The catalogued mistakes of answer ``name`` (empty when none is known)."""
    return list(_all().get(name, ()))


def _close(a: float, b: float, rel: float) -> bool:
    return math.isfinite(a) and math.isfinite(b) and math.isclose(a, b, rel_tol=rel, abs_tol=_ABS_TOL)


def match(name: str, value: float, expected: float | None, *, rel: float = REL_TOL) -> str | None:
    """Name the mistake(s) that give ``value`` for answer ``name``, or None when none matches.

    Catalogued variants are tried first, then the two generic ones built from
    ``expected``: a ratio instead of a percent, a percent instead of a ratio. A
    variant that gives the expected value itself on this data is never named.
    When several variants give the value, all are named, joined by "or".

    >>> match("anything", 0.5, 50.0)
    'a ratio (0-1) instead of a percent'
    >>> match("anything", 7.0, 50.0) is None
    True
    """
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
        return None
    candidates = [(v.label, v.value()) for v in variants(name)]
    if expected is not None and math.isfinite(expected) and expected != 0:
        candidates += [("a ratio (0-1) instead of a percent", expected / 100),
                       ("a percent instead of a ratio (0-1)", expected * 100)]
    found = [label for label, got in candidates
             if _close(float(value), got, rel) and not (expected is not None and _close(got, expected, rel))]
    return " or ".join(dict.fromkeys(found)) or None
