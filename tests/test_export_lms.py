"""``svc-course export`` on the constructed class of tests/test_report_class.py (graded by nbgrader).

In a copy of that course: ann's written answer in 05 waits for manual grading;
eli submitted nothing for 05 and, for 06, an HTML export but no notebook; fay is enrolled and
submitted nothing; 03-operational-terms is in the gradebook but was never
released. The roster leaves cat out and lists zoe, who is not in the gradebook.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_report_class import A05, A06, graded_class  # noqa: F401  (the shared, session-scoped class)

BIN = Path(sys.executable).parent
ROSTER = """student_id,lms_id,name,email,section
ann,1001,Ann Archer,ann@example.edu,S1
bob,1002,Bob Baker,bob@example.edu,S1
dan,1004,Dan Dyer,dan@example.edu,S2
eli,1005,Eli Ezra,eli@example.edu,S2
fay,1006,Fay Fox,fay@example.edu,S2
zoe,1009,Zoe Zed,zoe@example.edu,S2
"""


@pytest.fixture(scope="module")
def course(graded_class: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:  # noqa: F811
    from nbgrader.api import Gradebook

    copy = tmp_path_factory.mktemp("export") / "course"
    shutil.copytree(graded_class, copy)
    with Gradebook(f"sqlite:///{copy / 'gradebook.db'}") as gb:
        gb.add_student("fay", first_name="Fay", last_name="Fox")
        gb.add_assignment("03-operational-terms")  # in the gradebook, never released
    (copy / "roster.csv").write_text(ROSTER, encoding="utf-8")
    return copy


def _cli(course: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PATH=f"{BIN}:{os.environ.get('PATH', '')}")
    return subprocess.run([str(BIN / "svc-course"), "export", *args], cwd=course, env=env, capture_output=True,
                          text=True, timeout=300)


def _rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


def _score(course: Path, assignment: str, student: str) -> str:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        return f"{gb.find_submission(assignment, student).score:g}"


@pytest.mark.grading
def test_canvas_import_layout(course: Path) -> None:
    out = _cli(course, "--format", "canvas", "--roster", "roster.csv", "--out", "canvas.csv")
    assert out.returncode == 0, out.stderr
    rows = _rows(course / "canvas.csv")
    # Canvas's gradebook import: identity columns, one column per assignment, a Points Possible row
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", A05, A06]
    assert rows[1][0].strip() == "Points Possible" and rows[1][1:5] == ["", "", "", ""]
    assert rows[1][5:] == ["17", "26"]  # 1 + 1 + 1 + 10 + 4 written; 14 x 1 + 2 + 3 + 2 + 2 + 1 + 2
    ids = {"1001": "ann", "1002": "bob", "1004": "dan", "1005": "eli", "1006": "fay", "1009": "zoe"}
    body = {ids[r[1]]: r for r in rows[2:]}
    assert len(body) == len(rows) - 2 == 6  # cat is not in the roster
    assert body["ann"][:5] == ["Archer, Ann", "1001", "", "", "S1"]  # no SIS ids in the roster: none made up
    assert body["ann"][5:] == ["", "26"]  # 05 waits for manual grading: empty, not a final score
    assert body["bob"][5:] == [_score(course, A05, "bob"), _score(course, A06, "bob")]
    assert body["dan"][5:] == ["0", "0"]  # submitted blank notebooks: 0
    assert body["eli"][5:] == ["", ""]  # nothing for 05; for 06 no notebook, never graded
    assert body["fay"][5:] == ["", ""] and body["zoe"][5:] == ["", ""]  # did not submit: empty, not 0
    assert "03-operational-terms" not in rows[0]
    notes = (course / "canvas.csv.notes.txt").read_text()
    assert "ann: 05-mapping-scenarios: manual grading pending" in notes
    assert "in the gradebook but not in the roster (left out, no LMS id): cat" in out.stderr
    assert "in the roster but not in the gradebook (exported as not submitted): zoe" in out.stderr
    assert "manual grading pending (cells left empty): ann" in out.stderr
    assert "submitted but not autograded (cells left empty): eli" in out.stderr


@pytest.mark.grading
def test_moodle_import_layout_and_missing_as_zero(course: Path) -> None:
    out = _cli(course, A05, A06, "--format", "moodle", "--roster", "roster.csv", "--out", "moodle.csv",
               "--missing-as-zero")
    assert out.returncode == 0, out.stderr
    rows = _rows(course / "moodle.csv")
    # Moodle's CSV grade import: an identifier column to map to a user field, then grade columns
    assert rows[0] == ["First name", "Last name", "ID number", "Email address", A05, A06, "Notes"]
    body = {r[3]: r for r in rows[1:]}
    assert body["fay@example.edu"][:4] == ["Fay", "Fox", "1006", "fay@example.edu"]
    assert body["fay@example.edu"][4:6] == ["0", "0"]  # --missing-as-zero
    assert "not submitted (exported as 0)" in body["fay@example.edu"][6]
    assert body["ann@example.edu"][4] == "" and "manual grading pending" in body["ann@example.edu"][6]
    assert body["eli@example.edu"][4:6] == ["0", ""]  # a submission with nothing to grade is not a missing one
    assert all(r[2] for r in rows[1:]), "every row carries its identifier"


@pytest.mark.grading
def test_plain_csv_one_row_per_grade_released_only(course: Path) -> None:
    out = _cli(course, "--format", "csv", "--out", "grades.csv")  # no roster, no names: every released assignment
    assert out.returncode == 0, out.stderr
    assert "no roster given" in out.stderr
    rows = _rows(course / "grades.csv")
    assert rows[0] == ["student_id", "lms_id", "name", "email", "section", "assignment", "score", "max_score", "status", "note"]
    assignments = {r[5] for r in rows[1:]}
    assert assignments == {A05, A06}, "03-operational-terms was never released"
    status = {(r[0], r[5]): (r[6], r[8]) for r in rows[1:]}
    assert status[("fay", A05)] == ("", "not submitted")
    assert status[("ann", A05)] == ("", "pending manual grading")
    assert status[("eli", A06)] == ("", "not graded")
    assert status[("cat", A06)] == (_score(course, A06, "cat"), "graded")
    assert len(rows) - 1 == 6 * 2  # ann bob cat dan eli fay, two assignments each


@pytest.mark.grading
def test_bad_input_gets_one_clear_message(course: Path, tmp_path: Path) -> None:
    out = _cli(course, "03-operational-terms")
    assert out.returncode == 1 and "never released" in out.stderr and "Traceback" not in out.stderr
    out = _cli(course, "99-nothing")
    assert out.returncode == 1 and "unknown assignment '99-nothing'" in out.stderr
    bad = course / "bad-roster.csv"
    bad.write_text("student_id,lms_id,name\nann,1001,Ann\nbob,1002\n", encoding="utf-8")
    out = _cli(course, "--roster", str(bad))
    assert out.returncode == 1 and "line 3: 2 fields, the header has 3" in out.stderr
    bad.write_text("id,lms_id\nann,1\n", encoding="utf-8")
    out = _cli(course, "--roster", str(bad))
    assert out.returncode == 1 and "no student_id column" in out.stderr
    bad.write_text("student_id,lms_id\nann,1\nann,2\n", encoding="utf-8")
    out = _cli(course, "--roster", str(bad))
    assert out.returncode == 1 and "line 3: student_id 'ann' already on line 2" in out.stderr
    empty = tmp_path / "empty-course"
    (empty / "source").mkdir(parents=True)
    shutil.copy(course / "nbgrader_config.py", empty)
    out = _cli(empty)
    assert out.returncode == 1 and "no gradebook at" in out.stderr and "Traceback" not in out.stderr
    assert not (empty / "gradebook.db").exists(), "looking for the gradebook must not create an empty one"
