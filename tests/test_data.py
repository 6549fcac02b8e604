"""The typed loader: dtypes of the committed data, and strict errors on malformed files."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

from course import data
from course.schemas import CORE_TABLES, TABLES

# --------------------------------------------------------------------------- the committed data

EXPECTED_DTYPES = {
    "id": "string",
    "enum": "string",
    "month": "string",
    "timestamp": "datetime64[ns, UTC]",
    "int": "Int64",
    "float": "float64",
}


def test_available_lists_the_nine_data_sets():
    assert data.available() == list(CORE_TABLES)


@pytest.mark.parametrize("name", CORE_TABLES)
def test_committed_data_loads_with_the_promised_dtypes(name):
    frame = data.load(name)
    assert list(frame.columns) == TABLES[name].names
    assert len(frame) > 0
    for col in TABLES[name].columns:
        assert str(frame[col.name].dtype) == EXPECTED_DTYPES[col.kind], col.name
        if col.required:
            assert frame[col.name].notna().all(), col.name


def test_missing_values_load_as_missing():
    inc = data.load("incidents")
    assert inc["resolved_at"].isna().any()  # open incidents
    assert inc["caused_by_change"].isna().any()
    surveys = data.load("surveys")
    assert surveys["nps_score"].isna().any() and surveys["csat_score"].isna().any()
    assert surveys["nps_score"].isna().sum() < len(surveys)


def test_load_returns_copies():
    first = data.load("forecasts")
    first.loc[0, "actual"] = -1.0
    del first["measure"]
    again = data.load("forecasts")
    assert "measure" in again.columns
    assert again.loc[0, "actual"] != -1.0


def test_load_works_from_another_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SVC_COURSE_DATA", raising=False)
    assert len(data.load("improvements")) > 0


def test_unknown_names_and_missing_files(tmp_path, monkeypatch):
    monkeypatch.setenv("SVC_COURSE_DATA", str(tmp_path))
    with pytest.raises(ValueError, match="unknown data set 'incident'"):
        data.load("incident")
    with pytest.raises(FileNotFoundError, match="incidents.csv"):
        data.load("incidents")
    with pytest.raises(ValueError, match="case"):
        data.load("incidents", case="../etc")
    assert data.available() == []


# --------------------------------------------------------------------------- small files in tmp_path

GOOD = {
    "incidents": (
        "incident_id,service,priority,opened_at,resolved_at,caused_by_change,known_error_id,detected_by\n"
        "INC-1,wifi,P1,2026-03-02T09:15:00Z,2026-03-02T10:15:00Z,CHG-1,KE-1,monitoring\n"
        "INC-2,wifi,P3,2026-03-02T11:00:00Z,,,,service desk\n"
    ),
    "changes": (
        "change_id,service,change_type,first_commit_at,deployed_at,outcome,test_cases_run,test_cases_failed\n"
        "CHG-1,wifi,normal,2026-03-01T09:00:00Z,2026-03-02T09:00:00Z,failed,10,2\n"
        "CHG-2,wifi,standard,2026-03-01T09:00:00Z,,,0,0\n"
    ),
    "requests": (
        "window_start,service,valid_requests,good_requests\n"
        "2026-03-02T09:00:00Z,portal,100,99\n"
        "2026-03-02T09:05:00Z,portal,120,120\n"
    ),
    "improvements": (
        "improvement_id,activity,raised_at,completed_at,status,expected_benefit_hours,realised_benefit_hours\n"
        "IMP-1,improve,2026-03-01T09:00:00Z,2026-03-05T09:00:00Z,done,10.5,8\n"
        "IMP-2,plan,2026-03-01T09:00:00Z,,proposed,4,\n"
    ),
    "forecasts": "period,measure,forecast,actual\n2026-01,incidents,110,100\n2026-02,incidents,90.5,95\n",
}


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.setenv("SVC_COURSE_DATA", str(tmp_path))
    return tmp_path


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / f"{name}.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_good_small_files_load_with_types(folder):
    for name, text in GOOD.items():
        write(folder, name, text)
    inc = data.load("incidents")
    assert inc.loc[0, "opened_at"] == pd.Timestamp("2026-03-02T09:15:00Z")
    assert pd.isna(inc.loc[1, "resolved_at"]) and pd.isna(inc.loc[1, "caused_by_change"])
    changes = data.load("changes")
    assert changes["test_cases_run"].tolist() == [10, 0]
    assert pd.isna(changes.loc[1, "outcome"])
    assert data.load("improvements")["realised_benefit_hours"].iloc[0] == 8.0
    assert data.load("forecasts")["forecast"].tolist() == [110.0, 90.5]
    assert data.available() == ["incidents", "changes", "improvements", "requests", "forecasts"]


def test_a_case_folder_is_read(folder):
    (folder / "case-demo").mkdir()
    write(folder / "case-demo", "requests", GOOD["requests"])
    write(
        folder / "case-demo",
        "problems",
        "problem_id,service,opened_at,root_cause_found_at,known_error_id,incident_count\n"
        "PRB-1,stream,2026-03-01T00:00:00Z,,,4\n",
    )
    assert data.available(case="demo") == ["requests", "problems"]
    assert data.load("problems", case="demo")["incident_count"].tolist() == [4]
    assert data.load("requests", case="demo")["valid_requests"].sum() == 220


def test_a_changed_file_is_read_again(folder):
    write(folder, "forecasts", GOOD["forecasts"])
    assert len(data.load("forecasts")) == 2
    write(folder, "forecasts", GOOD["forecasts"] + "2026-03,incidents,1,2\n")
    assert len(data.load("forecasts")) == 3


def _replace(text: str, line: int, old: str, new: str) -> str:
    """Replace ``old`` by ``new`` on 1-based ``line`` only (so the test says where the fault is)."""
    lines = text.split("\n")
    if old not in lines[line - 1]:
        raise ValueError(f"{old!r} is not on line {line}")
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    return "\n".join(lines)


MALFORMED = [
    # (table, line, old, new, line reported, column reported, words in the message)
    ("incidents", 1, ",detected_by", "", 1, "detected_by", "missing column"),
    ("incidents", 1, "detected_by", "detected_by,team", 1, "team", "unknown column"),
    ("incidents", 3, "2026-03-02T11:00:00Z", "2026-03-02 11:00", 3, "opened_at", "not a UTC timestamp"),
    ("incidents", 2, "2026-03-02T10:15:00Z", "2026-02-30T10:15:00Z", 2, "resolved_at", "not a real date"),
    ("incidents", 3, "P3", "P5", 3, "priority", "not one of: P1, P2, P3, P4"),
    ("incidents", 3, "service desk", "chatbot", 3, "detected_by", "not one of"),
    ("incidents", 3, "INC-2", "", 3, "incident_id", "required"),
    ("incidents", 3, "INC-2", "INC-1", 3, "incident_id", "repeats the row on line 2"),
    ("incidents", 3, "wifi", " wifi", 3, "service", "spaces"),
    ("changes", 2, "failed", "broken", 2, "outcome", "not one of"),
    ("changes", 2, ",10,2", ",10.0,2", 2, "test_cases_run", "not a whole number"),
    ("changes", 3, ",0,0", ",-1,0", 3, "test_cases_run", "below the minimum"),
    ("changes", 2, ",10,2", ",10,12", 2, "test_cases_failed", "greater than test_cases_run"),
    ("changes", 3, ",,0,0", ",success,0,0", 3, "outcome", "must be empty when deployed_at is empty"),
    ("changes", 2, ",failed,", ",,", 2, "outcome", "required when deployed_at"),
    ("requests", 3, "120,120", "120,121", 3, "good_requests", "greater than valid_requests"),
    ("requests", 2, "100,99", "100,ninety", 2, "good_requests", "not a whole number"),
    ("improvements", 2, ",done,", ",doing,", 2, "status", "not one of"),
    ("improvements", 3, "plan,", "planning,", 3, "activity", "not one of"),
    ("improvements", 3, ",4,", ",4,2", 3, "realised_benefit_hours", "must be empty when status is not done"),
    ("improvements", 2, ",10.5,", ",1O.5,", 2, "expected_benefit_hours", "not a decimal number"),
    ("forecasts", 3, "2026-02", "2026-13", 3, "period", "not a month"),
    ("forecasts", 2, ",100", ",nan", 2, "actual", "not a decimal number"),
]


@pytest.mark.parametrize(("table", "line", "old", "new", "at_line", "column", "words"), MALFORMED)
def test_malformed_files_name_file_line_and_column(folder, table, line, old, new, at_line, column, words):
    path = write(folder, table, _replace(GOOD[table], line, old, new))
    with pytest.raises(data.DataError) as caught:
        data.load(table)
    message = str(caught.value)
    assert str(path) in message
    assert f"line {at_line}," in message
    assert f"column '{column}'" in message
    assert words in message
    assert (caught.value.line, caught.value.column) == (at_line, column)
    assert isinstance(caught.value, ValueError)


def test_row_with_wrong_field_count_names_its_line(folder):
    path = write(folder, "requests", GOOD["requests"] + "2026-03-02T09:10:00Z,portal,5\n")
    with pytest.raises(data.DataError, match=r"line 4: row has 3 fields, the header has 4") as caught:
        data.load("requests")
    assert str(path) in str(caught.value)


def test_blank_line_inside_the_file_is_an_error(folder):
    lines = GOOD["forecasts"].split("\n")
    write(folder, "forecasts", "\n".join([lines[0], lines[1], "", lines[2]]) + "\n")
    with pytest.raises(data.DataError, match="line 3: row has 0 fields"):
        data.load("forecasts")


def test_empty_file_is_an_error(folder):
    write(folder, "forecasts", "")
    with pytest.raises(data.DataError, match="line 1.*empty"):
        data.load("forecasts")


def test_errors_are_reported_on_the_first_bad_line_with_a_count(folder):
    text = GOOD["requests"] + "2026-03-02T09:10:00Z,portal,5,6\n2026-03-02T09:15:00Z,portal,5,7\n"
    write(folder, "requests", text)
    with pytest.raises(data.DataError, match=r"line 4, column 'good_requests'.*\(1 more row"):
        data.load("requests")


def test_data_error_keeps_the_path(folder):
    path = write(folder, "forecasts", "period,measure,forecast\n")
    with pytest.raises(data.DataError) as caught:
        data.load("forecasts")
    assert caught.value.path == path
    assert os.fspath(path) in str(caught.value)
