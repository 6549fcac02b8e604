"""Notebook 06's dashboard: one measure per panel, worked by hand on small frames, and its plotly view."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from course.practice.dashboard import (
    availability_axis,
    default_months,
    month_name,
    percent_axis,
    table_rows,
    table_text,
    value_chain_panels,
)


def frames():
    """Two months of made-up data; every expected value below is worked by hand in its comment."""
    return {
        "features": pd.DataFrame({
            "work_started_at": ["2026-03-05T09:00Z", "2026-03-20T09:00Z", "2026-04-02T09:00Z"],
            "strategic_objective": ["grow", None, "save"],
            "effort_hours": [10.0, 30.0, 20.0],
        }),
        "improvements": pd.DataFrame({
            "status": ["done", "done", "in progress"],
            "completed_at": ["2026-03-10T09:00Z", "2026-04-10T09:00Z", None],
            "expected_benefit_hours": [10.0, 20.0, 100.0],
            "realised_benefit_hours": [5.0, 20.0, None],
        }),
        "surveys": pd.DataFrame({
            "submitted_at": ["2026-03-01T09:00Z"] * 4 + ["2026-04-01T09:00Z"],
            "nps_score": [10, 9, 0, 7, 5],
        }),
        "changes": pd.DataFrame({
            "deployed_at": ["2026-03-01T09:00Z", "2026-03-15T09:00Z", "2026-04-01T09:00Z", None],
            "outcome": ["success", "failed", "rolled_back", "success"],
        }),
        "builds": pd.DataFrame({
            "started_at": ["2026-03-01T09:00Z", "2026-03-02T09:00Z", "2026-03-03T09:00Z", "2026-04-01T09:00Z"],
            "status": ["passed", "failed", "cancelled", "passed"],
        }),
        "incidents": pd.DataFrame({
            "service": ["student-portal", "student-portal", "campus-wifi"],
            "priority": ["P1", "P2", "P1"],
            "opened_at": ["2026-04-10T00:00Z", "2026-03-05T00:00Z", "2026-03-07T00:00Z"],
            "resolved_at": ["2026-04-10T07:12Z", "2026-03-06T00:00Z", "2026-03-08T00:00Z"],
        }),
    }


@pytest.fixture(scope="module")
def panels():
    return {p.activity: p for p in value_chain_panels(frames())}


def close(values, expected):
    return all(math.isclose(v, e, abs_tol=1e-9) for v, e in zip(values, expected, strict=True))


def test_months_default_to_the_incident_log(panels):
    assert default_months(frames()) == ["2026-03", "2026-04"]
    assert all(p.months == ("2026-03", "2026-04") for p in panels.values())
    assert list(panels) == ["plan", "improve", "engage", "design and transition", "obtain/build", "deliver and support"]


def test_plan_alignment_score_per_month_and_overall(panels):
    p = panels["plan"]
    assert close(p.values, [25.0, 100.0])  # March 10 of 40 effort hours aligned; April 20 of 20
    assert math.isclose(p.headline, 50.0)  # 30 of 60 over all features
    assert p.counts == (2, 1)
    assert p.measure == "alignment score" and p.unit == "% of effort" and p.better == "higher"
    assert p.axis == (0.0, 100.0) and p.axis_note == ""
    assert p.title == "plan: alignment score 50.0% (all 3 features); higher is better"


def test_improve_benefit_realisation_of_done_improvements(panels):
    p = panels["improve"]
    assert close(p.values, [50.0, 100.0])  # 5 of 10 hours; 20 of 20
    assert math.isclose(p.headline, 100 * 25 / 30)  # the improvement in progress is left out
    assert p.headline_scope == "all 2 done improvements"


def test_engage_nps_axis_is_minus_100_to_100(panels):
    p = panels["engage"]
    assert close(p.values, [25.0, -100.0])  # March: 2 promoters, 1 detractor of 4; April: 1 detractor of 1
    assert math.isclose(p.headline, 0.0)  # 2 promoters, 2 detractors of 5
    assert p.axis == (-100.0, 100.0) and not p.percent
    assert p.fmt(25.0) == "+25.0" and p.fmt(-100.0) == "-100.0"


def test_design_and_transition_change_success_over_deployed_changes(panels):
    p = panels["design and transition"]
    assert close(p.values, [50.0, 0.0])  # success + failed; rolled back
    assert math.isclose(p.headline, 100 / 3)  # the undeployed change is left out
    assert p.headline_scope == "all 3 deployed changes"


def test_obtain_build_build_success_leaves_cancelled_out(panels):
    p = panels["obtain/build"]
    assert close(p.values, [50.0, 100.0])
    assert math.isclose(p.headline, 200 / 3)
    assert p.counts == (2, 1)


def test_deliver_and_support_availability_by_month_on_a_stated_axis(panels):
    p = panels["deliver and support"]
    # April has 720 hours; the P1 outage of student-portal lasted 7.2 h: (720 - 7.2) / 720 = 99.0%
    assert close(p.values, [100.0, 99.0])  # the P2 and the other service's P1 do not count
    assert math.isclose(p.headline, 99.0) and p.headline_scope == "Apr 2026"
    assert p.axis == (99.0, 100.0)
    assert p.axis_note == "the axis starts at 99% (on 0-100% every month would look the same)"
    assert p.counts == (0, 1)
    assert p.fmt(99.0) == "99.00%"


def test_a_month_without_rows_is_no_data_not_zero():
    p = {q.activity: q for q in value_chain_panels(frames(), ["2026-02", "2026-03"])}["obtain/build"]
    assert math.isnan(p.values[0]) and p.counts[0] == 0 and p.fmt(p.values[0]) == "no data"


def test_axes_are_honest():
    assert percent_axis([12.0, 14.0]) == ((0.0, 100.0), "")
    assert percent_axis([80.0, 123.0])[0] == (0.0, 130.0)
    assert availability_axis([99.95, 99.91])[0] == (99.9, 100.0)
    assert availability_axis([96.0])[0] == (95.0, 100.0)
    assert availability_axis([50.0]) == ((0.0, 100.0), "")


def test_table_has_one_row_per_panel_with_units_and_direction(panels):
    header, rows = table_rows(list(panels.values()))
    assert header == ["activity", "measure (unit)", "better", "Mar 2026", "Apr 2026", "headline"]
    assert rows[0] == ["plan", "alignment score (% of effort)", "higher is better", "25.0%", "100.0%",
                       "50.0% (all 3 features)"]
    assert rows[5][3:] == ["100.00%", "99.00%", "99.00% (Apr 2026)"]
    text = table_text(list(panels.values()))
    assert text.splitlines()[0].startswith("activity") and len(text.splitlines()) == 7
    assert month_name("2026-12") == "Dec 2026"


def test_missing_data_set_is_named():
    partial = frames()
    del partial["builds"]
    with pytest.raises(ValueError, match="builds"):
        value_chain_panels(partial)


def test_view_titles_axes_and_table_on_the_course_data():
    """The real data, as notebook 06 draws it, with no earlier answer in the namespace."""
    from course import widgets

    board = widgets.value_chain_dashboard()
    spec = board.figure_bundle()["application/vnd.plotly.v1+json"]
    titles = [a["text"] for a in spec["layout"]["annotations"]]
    measures = ["alignment score", "benefit realisation", "NPS", "change success rate", "build success rate",
                "availability of student-portal"]
    assert len(titles) == 6 and len(spec["data"]) == 6
    for title, measure, panel in zip(titles, measures, board.panels):
        assert measure in title and "higher is better" in title and "?" not in title
        assert panel.fmt(panel.headline) in title
    yaxes = [spec["layout"][k] for k in sorted(k for k in spec["layout"] if k.startswith("yaxis"))]
    ranges = sorted(tuple(a["range"]) for a in yaxes)
    # four percentages from 0, the NPS from -100, availability (98.8% at worst, in April) from the stated 98%
    assert ranges == [(-100.0, 100.0)] + [(0.0, 100.0)] * 4 + [(98.0, 100.0)]
    assert {a["title"]["text"] for a in yaxes} >= {"alignment score (% of effort)", "NPS (points, -100 to 100)"}
    # exercise 20's April availability is the deliver-and-support headline, and April's point on its chart
    from course import data, metrics

    april = metrics.availability(data.load("incidents"), "student-portal", "2026-04-01T00:00:00Z", "2026-05-01T00:00:00Z")
    availability = board.panels[5]
    assert math.isclose(availability.headline, april)
    assert math.isclose(availability.values[availability.months.index("2026-04")], april)
    table = board.table_bundle()
    assert table["text/html"].count("<tr>") == 7 and "svc-dashboard-table" in table["text/html"]
    assert "higher is better" in table["text/plain"] and "Jan 2026" in table["text/plain"]
