"""Time the incident metrics on a million synthetic incidents.

Run from the clone's root::

    .venv/bin/python benchmarks/metrics.py [--rows 1000000] [--sample 100000] [--repeat 3]

Prints seconds per call of ``mttr``, ``availability``, ``median_time_to_restore``
and ``incident_volume`` on the full frame, then, on a smaller sample, the same
calls beside a naive loop over rows (``itertuples``) computing the same number,
with the speed-up ratio and a check that both give the same answer. Not a test.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from course import metrics

SERVICES = ("timetable-app", "student-portal", "campus-wifi", "payments-api", "learning-platform")
START = pd.Timestamp("2026-01-01", tz="UTC")
END = pd.Timestamp("2026-07-01", tz="UTC")
SERVICE = "campus-wifi"


def synthetic_incidents(rows: int, seed: int = 0) -> pd.DataFrame:
    """A frame shaped like incidents.csv as loaded: lognormal restore times, 1% still open."""
    rng = np.random.default_rng(seed)
    span = int((END - START).total_seconds())
    opened = START + pd.to_timedelta(rng.integers(0, span, rows), unit="s")
    prio = rng.choice(4, rows, p=[0.03, 0.12, 0.40, 0.45])
    hours = rng.lognormal(np.log(np.array([1.5, 4.0, 10.0, 30.0])[prio]), 0.9)
    resolved = pd.Series(opened + pd.to_timedelta(hours * 3600, unit="s"))
    resolved[rng.random(rows) < 0.01] = pd.NaT
    return pd.DataFrame(
        {
            "service": pd.array(rng.choice(SERVICES, rows), dtype="string"),
            "priority": pd.array(np.array(["P1", "P2", "P3", "P4"])[prio], dtype="string"),
            "opened_at": pd.Series(opened).astype("datetime64[ns, UTC]"),
            "resolved_at": resolved.astype("datetime64[ns, UTC]"),
        }
    )


# --------------------------------------------------------------------------- naive row loops


def naive_mttr(frame: pd.DataFrame) -> float:
    total, count = 0.0, 0
    for row in frame.itertuples(index=False):
        if not pd.isna(row.resolved_at):
            total += (row.resolved_at - row.opened_at).total_seconds() / 3600
            count += 1
    return total / count if count else float("nan")


def naive_median(frame: pd.DataFrame) -> float:
    hours = [
        (row.resolved_at - row.opened_at).total_seconds() / 3600
        for row in frame.itertuples(index=False)
        if not pd.isna(row.resolved_at)
    ]
    return statistics.median(hours) if hours else float("nan")


def naive_availability(frame: pd.DataFrame, service: str, start: pd.Timestamp, end: pd.Timestamp) -> float:
    spans = []
    for row in frame.itertuples(index=False):
        if row.service != service or row.priority != "P1":
            continue
        a = max(row.opened_at, start)
        b = end if pd.isna(row.resolved_at) else min(row.resolved_at, end)
        if b > a:
            spans.append((a, b))
    spans.sort()
    down = pd.Timedelta(0)
    cur_a = cur_b = None
    for a, b in spans:
        if cur_b is None or a > cur_b:
            if cur_b is not None:
                down += cur_b - cur_a
            cur_a, cur_b = a, b
        else:
            cur_b = max(cur_b, b)
    if cur_b is not None:
        down += cur_b - cur_a
    agreed = end - start
    return (agreed - down) / agreed * 100


def naive_volume(frame: pd.DataFrame) -> Counter:
    counts: Counter = Counter()
    for row in frame.itertuples(index=False):
        day = row.opened_at.normalize()
        week_end = day + pd.Timedelta(days=6 - day.weekday())  # the Sunday ending the week
        counts[week_end] += 1
    return counts


# --------------------------------------------------------------------------- timing


def seconds_per_call(func: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Best wall time of ``repeat`` calls, and the last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = func()
        best = min(best, time.perf_counter() - t0)
    return best, result


def same(a: Any, b: Any) -> bool:
    if isinstance(a, pd.Series):
        mine = {k: int(v) for k, v in a.items() if v}
        return mine == dict(b)
    return bool(np.isclose(a, b, rtol=1e-9))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    frame = synthetic_incidents(args.rows)
    print(f"built {len(frame):,} incidents in {time.perf_counter() - t0:.2f} s")

    calls = {
        "mttr": (lambda f: metrics.mttr(f), naive_mttr),
        "availability": (
            lambda f: metrics.availability(f, SERVICE, START, END),
            lambda f: naive_availability(f, SERVICE, START, END),
        ),
        "median_time_to_restore": (lambda f: metrics.median_time_to_restore(f), naive_median),
        "incident_volume": (lambda f: metrics.incident_volume(f, "W"), naive_volume),
    }

    print(f"\nvectorised, {len(frame):,} rows (best of {args.repeat}):")
    for name, (fast, _naive) in calls.items():
        secs, _ = seconds_per_call(lambda: fast(frame), args.repeat)
        print(f"  {name:<24} {secs:8.4f} s per call")

    sample = frame.sample(n=min(args.sample, len(frame)), random_state=1).reset_index(drop=True)
    print(f"\nside by side on a {len(sample):,}-row sample (naive: one run; vectorised: best of {args.repeat}):")
    print(f"  {'metric':<24} {'vectorised':>11} {'naive loop':>11} {'ratio':>8}  same answer")
    for name, (fast, naive) in calls.items():
        fast_s, fast_result = seconds_per_call(lambda: fast(sample), args.repeat)
        naive_s, naive_result = seconds_per_call(lambda: naive(sample), 1)
        agree = same(fast_result, naive_result)
        print(f"  {name:<24} {fast_s:10.4f}s {naive_s:10.4f}s {naive_s / fast_s:7.0f}x  {agree}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
