"""``svc-course demo`` for real: a simulated class released, graded, reported and exported (about 70 s).

The demo's class is built from the source notebooks (see course/grading/demo.py):
ada (model solutions, written answer graded by hand), ben (two confused
mappings, CSAT as a mean, NPS with 6 as a passive; written answer not graded
yet), cy (five confused mappings, open incidents counted, overlapping outages
summed, Little's law inverted, cancelled builds kept, features counted, MAPE as
a ratio), dee (blank), eve (hostile: objects equal to everything, a kernel that
exits), fin (05 renamed by an LMS, graded; 06 as two unknown files, flagged)
and gus (never submitted).
"""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent
REPO = Path(__file__).resolve().parent.parent
A05, A06 = "05-mapping-scenarios", "06-value-chain-metrics"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict:
    from course.grading.sandbox import check_available

    check_available()
    out = tmp_path_factory.mktemp("demo")
    env = dict(os.environ, PATH=f"{BIN}:{os.environ.get('PATH', '')}")
    run = subprocess.run([str(BIN / "svc-course"), "demo", "--out", str(out)], cwd=REPO, env=env,
                         capture_output=True, text=True, timeout=1200)
    assert run.returncode == 0, (run.stdout + run.stderr)[-4000:]
    print(run.stdout)
    return {"course": out / "course", "stdout": run.stdout}


@pytest.mark.grading
def test_demo_prints_where_everything_is(demo: dict) -> None:
    course = demo["course"]
    for path in (course / "reports" / f"{A05}.md", course / "reports" / f"{A05}.html",
                 course / "reports" / f"{A06}.md", course / "reports" / f"{A06}.html",
                 course / "exports" / "grades-canvas.csv", course / "exports" / "grades-moodle.csv",
                 course / "exports" / "grades-csv.csv", course / "feedback"):
        assert path.exists(), path
        assert str(path) in demo["stdout"], f"{path} is not printed"


@pytest.mark.grading
def test_demo_feedback_for_every_graded_student(demo: dict) -> None:
    feedback = demo["course"] / "feedback"
    for student in ("ada-strong", "ben-average", "cy-weak", "dee-blank", "eve-hostile"):
        for name in (A05, A06):
            assert (feedback / student / name / f"{name}.html").is_file(), (student, name)
    assert not (feedback / "gus-absent").exists()
    fin05 = (feedback / "fin-renamed" / A05 / f"{A05}.html").read_text()
    assert f"submitted as &#39;Copy of {A05}.ipynb&#39;" in fin05 or f"submitted as 'Copy of {A05}.ipynb'" in fin05
    fin06 = (feedback / "fin-renamed" / A06 / f"{A06}.html").read_text()
    assert "the files submitted were draft.ipynb, final.ipynb" in fin06


@pytest.mark.grading
def test_demo_report_finds_the_planted_misconceptions(demo: dict) -> None:
    reports = demo["course"] / "reports"
    r06 = (reports / f"{A06}.md").read_text()
    assert "CSAT as the mean score instead of the share of 4-5" in r06  # ben and cy
    assert "6 counted as a passive" in r06  # ben
    assert "open incidents counted with a restore time of 0" in r06  # cy
    assert "overlapping outages summed" in r06  # cy
    assert "Little's law inverted" in r06  # cy
    assert "a ratio (0-1) instead of a percent" in r06  # cy's MAPE
    assert "fin-renamed" in r06 and "the files submitted were draft.ipynb, final.ipynb" in r06
    assert "**eve-hostile**: graded with notes: the kernel stopped" in r06
    assert "did not submit: gus-absent" in r06
    r05 = (reports / f"{A05}.md").read_text()
    # ben and cy both map wifi-01 (deliver and support) to improve and shop-02 (obtain/build) to design and transition
    # ada and fin (the model solutions, fin's renamed by an LMS) right; ben, cy, eve wrong; dee blank
    assert "| wifi-01 | deliver and support | 5 | 2 | 0 | 3 | 1 |" in r05
    assert "notebook renamed, e.g. by an LMS (graded as the one it stands for): 1" in r05
    assert "design and transition chosen for obtain/build" in r05
    for page in (reports / f"{A05}.html", reports / f"{A06}.html"):
        assert page.stat().st_size < 5_000_000


@pytest.mark.grading
def test_demo_exports(demo: dict) -> None:
    exports = demo["course"] / "exports"
    rows = list(csv.reader(io.StringIO((exports / "grades-canvas.csv").read_text())))
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", A05, A06]
    assert rows[1][0].strip() == "Points Possible" and rows[1][5:] == ["17", "26"]
    by_name = {r[0]: r[5:] for r in rows[2:]}
    assert by_name["Strong, Ada"] == ["17", "26"]  # solutions, written answer graded by hand
    assert by_name["Average, Ben"][0] == ""  # written answer waiting for manual grading
    assert by_name["Blank, Dee"] == ["0", "0"]
    # fin: 05 renamed by an LMS, graded (the model answers, the written one left blank: nbgrader scores an
    # unchanged written answer 0 at once); 06 two unknown files, flagged: left empty
    assert by_name["Renamed, Fin"] == ["13", ""] and by_name["Absent, Gus"] == ["", ""]
    plain = list(csv.DictReader(io.StringIO((exports / "grades-csv.csv").read_text())))
    status = {(r["student_id"], r["assignment"]): r["status"] for r in plain}
    assert status[("ben-average", A05)] == "pending manual grading"
    assert status[("gus-absent", A06)] == "not submitted"
    assert status[("fin-renamed", A06)] == "needs attention"
