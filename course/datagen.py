"""Generate the course's synthetic data sets (``data/*.csv``) from a seed.

``generate(out_dir, seed)`` writes the nine CSV files of the metrics reference.
The same seed always gives byte-identical files: one ``numpy.random.default_rng``
stream drawn in a fixed order, fixed column order (from :mod:`course.schemas`),
fixed number formatting, ``\\n`` line endings and UTC timestamps written like
``2026-03-02T09:15:00Z``; an empty cell is a missing value. The committed files
were made with :data:`DEFAULT_SEED` (``svc-course data generate`` rewrites them).

What the data look like (a university IT department, 2026-01-01 to 2026-07-01):

* five services: timetable-app, student-portal, campus-wifi, payments-api,
  learning-platform;
* incidents: restore times lognormal by priority (P1 shortest median, P4
  longest), long outliers, incidents still open at the end (recent ones and a
  few stale ones), two pairs of overlapping P1 outages on one service, an open P1
  at the very end, incidents caused by changes (mostly failed ones), and
  incidents with a known error restoring about twice as fast as those without;
* changes: standard/normal/emergency, some never deployed, success/failed/
  rolled_back outcomes, a few rows whose first commit is after the deploy (data
  errors), some rows with no test cases run;
* builds (a few cancelled), defects found in build/test/production, survey
  answers with a two-humped NPS and some empty scores, improvements across the
  six value chain activities in all four statuses, features (some without a
  strategic objective, some not deployed), and monthly forecasts of four
  measures whose actuals are counted from the other tables (never zero).

``requests.csv`` has one row per 5-minute bucket, so it is kept to three
services (student-portal, payments-api, learning-platform) over the last 60 days
(2026-05-02 to 2026-07-01): 3 x 17,280 rows, about 2.5 MB. Baseline errors burn
the 99.9% SLO's budget slowly; payments-api has two bad afternoons (burn rates
of about 40 and 120), student-portal one bad working day (about 9), and
learning-platform a slow leak over the last three days (about 1.6), so each
multiwindow burn-rate rule fires somewhere.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from .activities import ACTIVITIES
from .paths import data_dir, repo_root
from .schemas import (
    BUILD_STATUSES,
    CHANGE_TYPES,
    CORE_TABLES,
    DETECTED_BY,
    FOUND_IN,
    IMPROVEMENT_STATUSES,
    PRIORITIES,
    TABLES,
)

__all__ = ["DEFAULT_SEED", "SERVICES", "generate", "main"]

DEFAULT_SEED = 14
"""The seed the committed ``data/*.csv`` files were generated with."""

SERVICES: tuple[str, ...] = (
    "timetable-app",
    "student-portal",
    "campus-wifi",
    "payments-api",
    "learning-platform",
)
REQUEST_SERVICES: tuple[str, ...] = ("student-portal", "payments-api", "learning-platform")
OBJECTIVES: tuple[str, ...] = (
    "better student experience",
    "reliable digital campus",
    "lower operating cost",
    "online learning at scale",
)
FORECAST_MEASURES: tuple[str, ...] = ("incidents", "deployments", "survey responses", "defects")

START = np.datetime64("2026-01-01T00:00:00", "s")
END = np.datetime64("2026-07-01T00:00:00", "s")
REQUESTS_START = END - np.timedelta64(60, "D")

# all times are handled as int64 seconds since the epoch
_T0 = int(START.astype(np.int64))
_T1 = int(END.astype(np.int64))
_HOUR = 3600
_DAY = 86400


def _t(text: str) -> int:
    """Seconds since the epoch of an ISO time (UTC)."""
    return int(np.datetime64(text, "s").astype(np.int64))


def _minutes(seconds: np.ndarray) -> np.ndarray:
    """Round seconds down to whole minutes."""
    return (np.asarray(seconds, dtype=np.int64) // 60) * 60


def _lognormal(
    rng: np.random.Generator, median: np.ndarray | float, sigma: np.ndarray | float, n: int
) -> np.ndarray:
    """``n`` lognormal draws with the given median(s) and log-scale sigma(s)."""
    return rng.lognormal(np.log(median), sigma, n)


# --------------------------------------------------------------------------- formatting


def _fmt_time(seconds: np.ndarray, missing: np.ndarray | None = None) -> np.ndarray:
    text = np.char.add(np.datetime_as_string(np.asarray(seconds, dtype="datetime64[s]"), unit="s"), "Z")
    text = text.astype(object)
    if missing is not None:
        text[missing] = ""
    return text


def _fmt_int(values: np.ndarray, missing: np.ndarray | None = None) -> np.ndarray:
    text = np.asarray(values, dtype=np.int64).astype(str).astype(object)
    if missing is not None:
        text[missing] = ""
    return text


def _fmt_float(values: np.ndarray, missing: np.ndarray | None = None, decimals: int = 1) -> np.ndarray:
    values = np.asarray(values, dtype=float)
    text = np.char.mod(f"%.{decimals}f", np.where(np.isnan(values), 0.0, values)).astype(object)
    miss = np.isnan(values) if missing is None else (missing | np.isnan(values))
    text[miss] = ""
    return text


def _ids(prefix: str, n: int, width: int) -> np.ndarray:
    return np.char.add(prefix, np.char.zfill(np.arange(1, n + 1).astype(str), width)).astype(object)


def _frame(name: str, columns: dict[str, np.ndarray]) -> pd.DataFrame:
    """A frame of already formatted strings in the schema's column order."""
    names = TABLES[name].names
    if sorted(columns) != sorted(names):
        raise ValueError(f"{name}: generated columns {sorted(columns)} differ from the schema {names}")
    return pd.DataFrame({c: pd.Series(np.asarray(columns[c], dtype=object), dtype=object) for c in names})


# --------------------------------------------------------------------------- tables


def _changes(rng: np.random.Generator) -> dict[str, np.ndarray]:
    n = 1500
    service = rng.choice(SERVICES, n, p=[0.22, 0.22, 0.12, 0.22, 0.22])
    kind = rng.choice(len(CHANGE_TYPES), n, p=[0.55, 0.35, 0.10])
    lead_h = _lognormal(rng, np.array([18.0, 70.0, 5.0])[kind], 0.9, n)
    deploy = rng.integers(_T0 + 10 * _DAY, _T1 + 4 * _DAY, n)
    first = deploy - (lead_h * _HOUR).astype(np.int64)
    deployed = (deploy < _T1) & (rng.random(n) >= 0.04)
    outcome_p = np.array([[0.95, 0.03, 0.02], [0.86, 0.08, 0.06], [0.75, 0.15, 0.10]])
    u = rng.random(n)
    cum = np.cumsum(outcome_p[kind], axis=1)
    outcome = (u[:, None] >= cum[:, :2]).sum(axis=1)  # 0 success, 1 failed, 2 rolled_back
    # a few data errors: the first commit recorded after the deploy
    errors = rng.choice(np.flatnonzero(deployed), 8, replace=False)
    first[errors] = deploy[errors] + rng.integers(30 * 60, 2 * _DAY, errors.size)
    lam = np.array([120.0, 400.0, 60.0])[kind]
    run = rng.poisson(lam)
    no_tests = rng.random(n) < np.array([0.12, 0.02, 0.25])[kind]
    run[no_tests] = 0
    fail_p = np.where(~deployed, 0.01, np.where(outcome == 0, 0.002, 0.02))
    failed_tests = rng.binomial(run, fail_p)

    first, deploy = _minutes(first), _minutes(deploy)
    order = np.argsort(first, kind="stable")
    return {
        "change_id": _ids("CHG-", n, 4),
        "service": service[order],
        "change_type": np.array(CHANGE_TYPES)[kind][order],
        "first_commit_at": first[order],
        "deployed_at": deploy[order],
        "deployed": deployed[order],
        "outcome": np.array(("success", "failed", "rolled_back"))[outcome][order],
        "test_cases_run": run[order],
        "test_cases_failed": failed_tests[order],
    }


# overlapping P1 outages, a bad day behind the requests data, and an open P1 at the end
_INJECTED_INCIDENTS = (
    ("campus-wifi", "P1", "2026-03-10T08:05", "2026-03-10T11:20", "monitoring"),
    ("campus-wifi", "P1", "2026-03-10T09:40", "2026-03-10T12:05", "user"),
    ("student-portal", "P1", "2026-04-21T13:00", "2026-04-21T14:30", "monitoring"),
    ("student-portal", "P1", "2026-04-21T14:10", "2026-04-21T14:50", "service desk"),
    ("payments-api", "P1", "2026-06-12T14:00", "2026-06-12T15:35", "monitoring"),
    ("payments-api", "P1", "2026-06-18T13:30", "2026-06-18T16:30", "monitoring"),
    ("student-portal", "P2", "2026-06-24T09:00", "2026-06-24T17:00", "user"),
    ("payments-api", "P1", "2026-06-30T22:10", None, "monitoring"),
)


def _incidents(
    rng: np.random.Generator, changes: dict[str, np.ndarray]
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    n = 2400
    service = rng.choice(SERVICES, n, p=[0.15, 0.20, 0.30, 0.15, 0.20])
    prio = rng.choice(4, n, p=[0.025, 0.12, 0.40, 0.455])
    opened = rng.integers(_T0, _T1, n)
    cause = np.full(n, "", dtype=object)

    # incidents caused by changes: most failed deployments, a few successful ones
    dep = changes["deployed"]
    bad = np.isin(changes["outcome"], ("failed", "rolled_back"))
    p_cause = np.where(bad, 0.55, 0.025)
    causing = np.flatnonzero(dep & (rng.random(dep.size) < p_cause))
    c_open = changes["deployed_at"][causing] + 60 + rng.exponential(3 * _HOUR, causing.size).astype(np.int64)
    c_prio = rng.choice(4, causing.size, p=[0.15, 0.35, 0.30, 0.20])

    service = np.concatenate([service, changes["service"][causing]])
    prio = np.concatenate([prio, c_prio])
    opened = np.concatenate([opened, c_open])
    cause = np.concatenate([cause, changes["change_id"][causing]])
    m = service.size

    detect_p = np.array([[0.70, 0.20, 0.10], [0.45, 0.30, 0.25]])[np.minimum(prio, 1)]
    detected = (rng.random(m)[:, None] >= np.cumsum(detect_p, axis=1)[:, :2]).sum(axis=1)
    has_ke = rng.random(m) < np.where(prio == 0, 0.10, 0.30)
    ke = np.char.add("KE-", np.char.zfill(rng.integers(1, 61, m).astype(str), 3)).astype(object)
    ke[~has_ke] = ""
    hours = _lognormal(rng, np.array([1.5, 4.0, 10.0, 30.0])[prio], np.array([0.7, 0.8, 0.9, 1.0])[prio], m)
    hours = np.where(has_ke, hours * 0.45, hours)
    outlier = rng.random(m) < 0.015
    hours = np.where(outlier, hours * rng.uniform(8, 20, m), hours)
    resolved = opened + np.maximum(60, (hours * _HOUR).astype(np.int64))
    stale = (prio >= 2) & (rng.random(m) < 0.012)

    inj = _INJECTED_INCIDENTS
    service = np.concatenate([service, [r[0] for r in inj]])
    prio = np.concatenate([prio, [PRIORITIES.index(r[1]) for r in inj]])
    opened = np.concatenate([opened, [_t(r[2]) for r in inj]])
    resolved = np.concatenate([resolved, [_t(r[3]) if r[3] else _T1 for r in inj]])
    cause = np.concatenate([cause, np.full(len(inj), "", dtype=object)])
    ke = np.concatenate([ke, np.full(len(inj), "", dtype=object)])
    detected = np.concatenate([detected, [DETECTED_BY.index(r[4]) for r in inj]])
    stale = np.concatenate([stale, np.zeros(len(inj), dtype=bool)])

    keep = opened < _T1
    opened, resolved = _minutes(opened), _minutes(resolved)
    is_open = (resolved >= _T1) | stale
    order = np.argsort(opened[keep], kind="stable")

    def pick(a: np.ndarray) -> np.ndarray:
        return np.asarray(a)[keep][order]

    k = int(keep.sum())
    cols = {
        "incident_id": _ids("INC-", k, 5),
        "service": pick(service),
        "priority": np.array(PRIORITIES)[pick(prio)],
        "opened_at": _fmt_time(pick(opened)),
        "resolved_at": _fmt_time(pick(resolved), pick(is_open)),
        "caused_by_change": pick(cause),
        "known_error_id": pick(ke),
        "detected_by": np.array(DETECTED_BY)[pick(detected)],
    }
    return cols, pick(opened)


def _format_changes(c: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    not_deployed = ~c["deployed"]
    outcome = c["outcome"].astype(object)
    outcome[not_deployed] = ""
    return {
        "change_id": c["change_id"],
        "service": c["service"],
        "change_type": c["change_type"],
        "first_commit_at": _fmt_time(c["first_commit_at"]),
        "deployed_at": _fmt_time(c["deployed_at"], not_deployed),
        "outcome": outcome,
        "test_cases_run": _fmt_int(c["test_cases_run"]),
        "test_cases_failed": _fmt_int(c["test_cases_failed"]),
    }


def _builds(rng: np.random.Generator) -> dict[str, np.ndarray]:
    n = 4000
    service = rng.choice(SERVICES, n)
    started = np.sort(rng.integers(_T0, _T1 - _HOUR, n))
    status = rng.choice(len(BUILD_STATUSES), n, p=[0.84, 0.13, 0.03])
    minutes = _lognormal(rng, 9.0, 0.5, n) * np.where(status == 2, 0.4, 1.0)
    finished = started + np.maximum(20, (minutes * 60).astype(np.int64))
    commit = np.char.mod("%012x", rng.integers(0, 2**48, n, dtype=np.int64)).astype(object)
    return {
        "build_id": _ids("BLD-", n, 5),
        "service": service,
        "commit": commit,
        "started_at": _fmt_time(started),
        "finished_at": _fmt_time(finished),
        "status": np.array(BUILD_STATUSES)[status],
    }


def _defects(rng: np.random.Generator) -> tuple[dict[str, np.ndarray], np.ndarray]:
    n = 1100
    service = rng.choice(SERVICES, n)
    found = _minutes(np.sort(rng.integers(_T0, _T1, n)))
    found_in = rng.choice(FOUND_IN, n, p=[0.40, 0.45, 0.15])
    severity = rng.choice(4, n, p=[0.10, 0.25, 0.40, 0.25]) + 1
    cols = {
        "defect_id": _ids("DEF-", n, 4),
        "service": service,
        "found_in": found_in,
        "found_at": _fmt_time(found),
        "severity": _fmt_int(severity),
    }
    return cols, found


# a two-humped NPS: a low hump around 3 and a high one at 9-10
_NPS_PMF = np.array([0.03, 0.03, 0.05, 0.07, 0.06, 0.05, 0.05, 0.07, 0.12, 0.21, 0.26])


def _surveys(rng: np.random.Generator) -> tuple[dict[str, np.ndarray], np.ndarray]:
    n = 3000
    service = rng.choice(SERVICES, n)
    submitted = _minutes(np.sort(rng.integers(_T0, _T1, n)))
    nps = rng.choice(11, n, p=_NPS_PMF / _NPS_PMF.sum())
    csat = np.clip(np.rint(1 + 0.4 * nps + rng.normal(0, 0.6, n)), 1, 5).astype(np.int64)
    u = rng.random(n)
    cols = {
        "response_id": _ids("R-", n, 5),
        "service": service,
        "submitted_at": _fmt_time(submitted),
        "nps_score": _fmt_int(nps, u < 0.07),
        "csat_score": _fmt_int(csat, (u >= 0.07) & (u < 0.16)),
    }
    return cols, submitted


def _improvements(rng: np.random.Generator) -> dict[str, np.ndarray]:
    n = 240
    activity = rng.choice(len(ACTIVITIES), n)
    raised = _minutes(np.sort(rng.integers(_T0, _T1 - 5 * _DAY, n)))
    status = rng.choice(4, n, p=[0.22, 0.25, 0.43, 0.10])  # proposed, in progress, done, abandoned
    completed = _minutes(raised + (_lognormal(rng, 20.0, 0.7, n) * _DAY).astype(np.int64))
    status = np.where((status == 2) & (completed >= _T1), 1, status)
    done = status == 2
    expected = np.maximum(1.0, np.round(_lognormal(rng, 30.0, 0.8, n), 1))
    realised = np.round(expected * np.clip(_lognormal(rng, 0.8, 0.35, n), 0.1, 1.6), 1)
    return {
        "improvement_id": _ids("IMP-", n, 3),
        "activity": np.array(ACTIVITIES)[activity],
        "raised_at": _fmt_time(raised),
        "completed_at": _fmt_time(completed, ~done),
        "status": np.array(IMPROVEMENT_STATUSES)[status],
        "expected_benefit_hours": _fmt_float(expected),
        "realised_benefit_hours": _fmt_float(realised, ~done),
    }


# (service, start, end, share of bad requests) on top of the baseline
_BAD_SPELLS = (
    ("payments-api", "2026-06-12T14:00", "2026-06-12T15:35", 0.04),
    ("payments-api", "2026-06-18T13:30", "2026-06-18T16:30", 0.12),
    ("student-portal", "2026-06-24T09:00", "2026-06-24T17:00", 0.009),
    ("learning-platform", "2026-06-28T00:00", "2026-07-01T00:00", 0.0016),
)


def _requests(rng: np.random.Generator) -> dict[str, np.ndarray]:
    t0 = int(REQUESTS_START.astype(np.int64))
    buckets = t0 + 300 * np.arange((_T1 - t0) // 300, dtype=np.int64)
    k = len(REQUEST_SERVICES)
    starts = np.tile(buckets, k)
    service = np.repeat(np.array(REQUEST_SERVICES, dtype=object), buckets.size)
    base = np.repeat(np.array([900.0, 300.0, 1500.0]), buckets.size)
    hour = (starts % _DAY) / _HOUR
    diurnal = 0.2 + 0.8 * (0.5 - 0.5 * np.cos(2 * np.pi * (hour - 2) / 24))
    weekday = (starts // _DAY + 3) % 7  # 1970-01-01 was a Thursday: 0 = Monday
    weekly = np.where(weekday >= 5, 0.6, 1.0)
    valid = rng.poisson(base * diurnal * weekly)
    p_bad = np.full(starts.size, 0.00025)
    for name, a, b, share in _BAD_SPELLS:
        p_bad[(service == name) & (starts >= _t(a)) & (starts < _t(b))] = share
    good = valid - rng.binomial(valid, p_bad)
    order = np.lexsort((np.repeat(np.arange(k), buckets.size), starts))
    return {
        "window_start": _fmt_time(starts[order]),
        "service": service[order],
        "valid_requests": _fmt_int(valid[order]),
        "good_requests": _fmt_int(good[order]),
    }


def _features(rng: np.random.Generator) -> dict[str, np.ndarray]:
    n = 160
    service = rng.choice(SERVICES, n)
    idea = _minutes(np.sort(rng.integers(_T0 - 60 * _DAY, _T1 - 30 * _DAY, n)))
    approved = _minutes(idea + (_lognormal(rng, 6.0, 0.6, n) * _DAY).astype(np.int64))
    started = _minutes(approved + (_lognormal(rng, 12.0, 0.7, n) * _DAY).astype(np.int64))
    deployed = _minutes(started + (_lognormal(rng, 15.0, 0.6, n) * _DAY).astype(np.int64))
    live = (deployed < _T1) & (rng.random(n) >= 0.08)
    objective = rng.choice(np.array(OBJECTIVES, dtype=object), n)
    objective[rng.random(n) < 0.22] = ""
    effort = np.maximum(2.0, np.round(_lognormal(rng, 50.0, 0.7, n) * 2) / 2)
    return {
        "feature_id": _ids("FEAT-", n, 3),
        "service": service,
        "idea_at": _fmt_time(idea),
        "approved_at": _fmt_time(approved),
        "work_started_at": _fmt_time(started),
        "deployed_at": _fmt_time(deployed, ~live),
        "strategic_objective": objective,
        "effort_hours": _fmt_float(effort),
    }


def _monthly(seconds: np.ndarray) -> np.ndarray:
    """Counts per month January..June of the given times."""
    months = np.asarray(seconds, dtype="datetime64[s]").astype("datetime64[M]")
    first = START.astype("datetime64[M]")
    idx = (months - first).astype(np.int64)
    idx = idx[(idx >= 0) & (idx < 6)]
    return np.bincount(idx, minlength=6)


def _forecasts(rng: np.random.Generator, actual_counts: list[np.ndarray]) -> dict[str, np.ndarray]:
    periods = np.datetime_as_string(np.arange(START.astype("datetime64[M]"), END.astype("datetime64[M]")))
    actual = np.concatenate(actual_counts).astype(float)
    if (actual == 0).any():
        raise RuntimeError("a forecast actual came out zero; choose another seed")
    forecast = np.round(actual * np.exp(rng.normal(0, 0.12, actual.size)))
    m = len(actual_counts)
    return {
        "period": np.tile(periods, m).astype(object),
        "measure": np.repeat(np.array(FORECAST_MEASURES, dtype=object), periods.size),
        "forecast": _fmt_float(forecast),
        "actual": _fmt_float(actual),
    }


# --------------------------------------------------------------------------- entry points


def generate(out_dir: Path | str, seed: int = DEFAULT_SEED) -> list[Path]:
    """Write the nine data sets into ``out_dir`` and return their paths.

    The folder is created if needed; existing files of the same names are
    replaced. The same ``seed`` always gives byte-identical files.
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative whole number, got {seed!r}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(int(seed))

    changes = _changes(rng)
    incidents, opened = _incidents(rng, changes)
    builds = _builds(rng)
    defects, defect_times = _defects(rng)
    surveys, survey_times = _surveys(rng)
    improvements = _improvements(rng)
    requests = _requests(rng)
    features = _features(rng)
    deployed = changes["deployed_at"][changes["deployed"]]
    forecasts = _forecasts(
        rng, [_monthly(opened), _monthly(deployed), _monthly(survey_times), _monthly(defect_times)]
    )

    tables = {
        "incidents": incidents,
        "changes": _format_changes(changes),
        "builds": builds,
        "defects": defects,
        "surveys": surveys,
        "improvements": improvements,
        "requests": requests,
        "features": features,
        "forecasts": forecasts,
    }
    paths = []
    for name in CORE_TABLES:
        path = out / f"{name}.csv"
        _frame(name, tables[name]).to_csv(path, index=False, lineterminator="\n")
        paths.append(path)
    return paths


def _default_out() -> Path | None:
    """The clone's ``data/`` folder when that is where the data live, else None."""
    root = repo_root()
    if root is None:
        return None
    clone = (root / "data").resolve()
    try:
        current = data_dir().resolve()
    except FileNotFoundError:
        return None
    return clone if current == clone else None


def main(argv: list[str] | None = None) -> int:
    """Command line: ``svc-course data generate [--seed N] [--out DIR]``; returns the exit code."""
    parser = argparse.ArgumentParser(
        prog="svc-course data generate",
        description="Write the course's synthetic data sets (nine CSV files).",
    )
    parser.add_argument(
        "--seed", type=int, default=DEFAULT_SEED,
        help=f"random seed (default {DEFAULT_SEED}, the seed of the committed files)",
    )
    parser.add_argument(
        "--out", type=Path, default=None, help="folder to write into (default: the clone's data/)"
    )
    args = parser.parse_args(argv)
    out = args.out if args.out is not None else _default_out()
    if out is None:
        parser.error("no clone data/ folder found to write into; pass --out DIR")
    if args.seed < 0:
        parser.error("--seed must not be negative")
    for path in generate(out, args.seed):
        print(path)
    return 0
