"""Grade the hostile corpus with the real ``nbgrader autograde`` in one class run.

Checks: no submission scores above what its real work earns (honest ones get
full marks), nothing escapes the sandbox, every failure is explained in the
graded notebook, ``submitted/`` is untouched, grading twice gives the same
grades, and a run killed half-way completes when run again.
Figures (attacks, undeserved points, escapes, lost, seconds per notebook) are
written to ``test-artifacts/grading-corpus.json`` and printed.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from .corpus import CORPUS, FULL, LEFTOVER_COMMANDS, RENAMED, UNRESOLVED, key_hunt, render

pytestmark = pytest.mark.grading

HERE = Path(__file__).parent
REPO = HERE.parent.parent
ARTIFACTS = REPO / "test-artifacts"
ASSIGNMENT = "ps1"
# a line of the graded key of wifi-01 (its explanation), which only keys/scenarios.yml holds
KEY_NEEDLE = "Logging an incident and restoring service for users is deliver and support."


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}:{env.get('PATH', '')}"
    return env


def _nbgrader(course: Path, *args: str, timeout: int = 900) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(Path(sys.executable).parent / "nbgrader"), *args],
        cwd=course, env=_env(), capture_output=True, text=True, timeout=timeout,
    )


def _checksums(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*")) if p.is_file()
    }


def _scores(course: Path) -> dict[str, float]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        out = {}
        for student in gb.students:
            try:
                sub = gb.find_submission(ASSIGNMENT, student.id)
            except Exception:
                continue
            out[student.id] = float(sub.code_score)
        return out


class Listener:
    """A TCP server on loopback that counts connections (a sandbox must make none)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.5)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
                self.connections += 1
                conn.close()
            except OSError:
                continue

    def close(self) -> None:
        self._stop = True
        self.thread.join(timeout=2)
        self.sock.close()


# this module's grading runs use their own uid range, so that other grading on the
# machine (another test run) is not mistaken for processes left behind
FIRST_UID = 300_000 + (os.getpid() % 100) * 50_000


def _sandbox_processes() -> list[int]:
    """Processes still running as one of this module's sandbox uids (left behind)."""
    first = FIRST_UID
    left = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            uid = int(next(line for line in (entry / "status").read_text().splitlines() if line.startswith("Uid:")).split()[1])
        except (OSError, StopIteration, ValueError):
            continue
        if first <= uid < first + 50_000:
            left.append(int(entry.name))
    return left


def _processes_running(commands: tuple[str, ...]) -> list[str]:
    """Processes on the machine whose command line is one of ``commands`` (whoever runs them)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:
            continue
        if cmdline in commands:
            found.append(f"{entry.name}: {cmdline}")
    return found


def _make_course(root: Path, port: int) -> None:
    shutil.copytree(HERE / "course", root)
    conf = root / "nbgrader_config.py"
    conf.write_text(
        conf.read_text()
        + f"\nc.Execute.timeout = 5\nc.Sandbox.notebook_seconds = 60\nc.Sandbox.first_user_id = {FIRST_UID}\n"
    )
    (root / "canary.txt").write_text("CANARY-" + hashlib.sha256(str(root).encode()).hexdigest()[:16])
    shutil.copytree(REPO / "keys", root / "keys")  # the answer keys sit in the course folder, as in the instructors' repo
    result = _nbgrader(root, "generate_assignment", ASSIGNMENT, "--force")
    assert result.returncode == 0, result.stderr[-3000:]
    source_nb = json.loads((root / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text())
    release_nb = json.loads((root / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text())
    ctx = {"root": str(root), "port": str(port), "needle": KEY_NEEDLE}
    for sub in CORPUS:
        folder = root / "submitted" / sub.name / ASSIGNMENT
        folder.mkdir(parents=True)
        (folder / f"{ASSIGNMENT}.ipynb").write_text(render(sub, source_nb, release_nb, ctx))
    renamed = root / "submitted" / RENAMED / ASSIGNMENT
    renamed.mkdir(parents=True)
    (renamed / f"{ASSIGNMENT}-copy.ipynb").write_text(json.dumps(source_nb))
    unresolved = root / "submitted" / UNRESOLVED / ASSIGNMENT
    unresolved.mkdir(parents=True)
    for name in ("draft.ipynb", "final.ipynb"):
        (unresolved / name).write_text(json.dumps(source_nb))


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict:
    from course.grading.sandbox import check_available

    check_available()  # fails with the install command if bubblewrap is missing
    listener = Listener()
    course = tmp_path_factory.mktemp("corpus") / "course"
    _make_course(course, listener.port)
    before = _checksums(course / "submitted")
    start = time.monotonic()
    result = _nbgrader(course, "autograde", ASSIGNMENT)
    seconds = time.monotonic() - start
    listener.close()
    leftovers = _sandbox_processes() + _processes_running(LEFTOVER_COMMANDS)
    yield {
        "course": course,
        "result": result,
        "seconds": seconds,
        "before": before,
        "scores": _scores(course),
        "connections": listener.connections,
        "leftovers": leftovers,
    }


def test_every_submission_earns_exactly_what_its_work_deserves(graded: dict) -> None:
    scores = graded["scores"]
    wrong = {s.name: (scores.get(s.name), s.earns) for s in CORPUS if scores.get(s.name) != s.earns}
    assert not wrong, f"(got, deserved) per submission: {wrong}\n{graded['result'].stderr[-4000:]}"
    assert scores["honest"] == FULL


def test_a_renamed_notebook_is_graded_as_the_one_it_stands_for(graded: dict) -> None:
    assert graded["scores"][RENAMED] == FULL
    log = graded["result"].stdout + graded["result"].stderr
    assert f"{RENAMED}/ps1: graded 'ps1-copy.ipynb' as ps1.ipynb" in log
    notes = json.loads((graded["course"] / "autograded" / RENAMED / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text())
    assert "submitted as 'ps1-copy.ipynb' and was graded as ps1.ipynb" in json.dumps(notes["cells"][0])
    # every other student was graded despite it
    assert all(s.name in graded["scores"] for s in CORPUS)


def test_a_notebook_that_cannot_be_told_apart_is_flagged_not_graded_as_zero(graded: dict) -> None:
    from nbgrader.api import Gradebook

    log = graded["result"].stdout + graded["result"].stderr
    assert (f"{UNRESOLVED}/ps1: expected ps1.ipynb, submitted draft.ipynb, final.ipynb: graded as unanswered, "
            "flagged for attention") in log
    with Gradebook(f"sqlite:///{graded['course'] / 'gradebook.db'}") as gb:
        grades = gb.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, UNRESOLVED).grades
        assert grades and all(g.needs_manual_grade for g in grades)  # formgrader: needs manual grade
        honest = gb.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, "honest").grades
        assert not any(g.needs_manual_grade for g in honest if g.cell.cell_type == "code")
    graded_nb = (graded["course"] / "autograded" / UNRESOLVED / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text()
    assert "the files submitted were draft.ipynb, final.ipynb" in graded_nb


def test_a_run_ends_with_a_summary_and_logs_only_what_needs_attention(graded: dict) -> None:
    err = graded["result"].stderr
    assert "Grading summary: " in err and "0 failed" in err
    assert "seconds per notebook: median" in err
    assert "[AutogradeApp | INFO]" not in err  # nbgrader's step-by-step lines stay out
    assert "checksum" not in err and "SAWarning" not in err
    for line in err.splitlines():
        if "| WARNING]" in line and "No submitted file" not in line and "Skipping unknown notebook" not in line:
            assert "/ps1" in line, f"a log line that names no submission: {line}"


def test_nothing_escapes_the_sandbox(graded: dict) -> None:
    course = graded["course"]
    canary = (course / "canary.txt").read_text()
    leaks = []
    for nb in (course / "autograded").rglob("*.ipynb"):
        cells = json.loads(nb.read_text())["cells"]
        text = json.dumps([c.get("outputs", []) for c in cells])
        if "ESCAPE:" in text or canary in text:
            leaks.append(str(nb.relative_to(course)))
    assert not leaks
    assert graded["connections"] == 0
    assert graded["leftovers"] == [], "sandboxed processes outlived the grading run"
    assert not list(course.rglob("pwned*.txt"))
    assert not (course / "source" / ASSIGNMENT / "pwned.txt").exists()
    snoop = json.loads((course / "autograded" / "snoop" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text())
    text = json.dumps(snoop)
    assert "blocked read gradebook" in text and "blocked network" in text


def test_the_answer_keys_cannot_be_read_from_the_grading_kernel(graded: dict) -> None:
    course = graded["course"]
    assert KEY_NEEDLE in (course / "keys" / "scenarios.yml").read_text()
    hunt = json.loads((course / "autograded" / "key-hunt" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text())
    said = "".join("".join(o.get("text", "")) for c in hunt["cells"] for o in c.get("outputs", [])
                   if o.get("name") == "stdout")
    assert "ESCAPE" not in said
    assert "blocked keys module" in said
    searched = int(said.split("key hunt searched ")[1].split()[0])
    assert searched > 50, said  # it ran, and read the package, the data and the submission
    assert graded["scores"]["key-hunt"] == 0.0
    # positive control: the same code, run on the host over the course folder, finds the keys both ways
    control = subprocess.run([sys.executable, "-c", key_hunt(KEY_NEEDLE, [str(course)])], cwd=course,
                             capture_output=True, text=True, timeout=300, env=_env())
    assert f"ESCAPE:keys in {course / 'keys' / 'scenarios.yml'}" in control.stdout, control.stdout + control.stderr
    assert "ESCAPE:keys through course.grading.keys ('deliver and support',)" in control.stdout, control.stdout


def test_submitted_files_are_never_modified(graded: dict) -> None:
    assert _checksums(graded["course"] / "submitted") == graded["before"]


def test_every_failure_is_explained_in_the_graded_notebook(graded: dict) -> None:
    course = graded["course"]
    missing = []
    for sub in CORPUS:
        if not sub.reason_expected:
            continue
        path = course / "autograded" / sub.name / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
        if not path.exists():
            missing.append(f"{sub.name}: no graded notebook")
            continue
        cells = json.loads(path.read_text())["cells"]
        if not any(c.get("id") == "svc-grading-notes" for c in cells):
            missing.append(f"{sub.name}: no grading notes")
    assert not missing, missing


def test_failed_checks_say_what_is_wrong(graded: dict) -> None:
    path = graded["course"] / "autograded" / "eq-anything" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    text = path.read_text()
    assert "[WRONG]" in text and "Anything" in text


# a quick subset (no time-outs) for the runs that repeat grading
REPEAT = ["honest", "blank", "eq-anything", "patched-helpers", "exit-midway", "invalid-json",
          "honest-tests-deleted", "honest-tests-copied-old-schema", "edited-metadata", "snoop"]


def _subset_course(graded: dict, dest: Path) -> Path:
    shutil.copytree(graded["course"], dest, ignore=shutil.ignore_patterns("autograded", "gradebook.db", "feedback", "submitted"))
    for name in REPEAT:
        shutil.copytree(graded["course"] / "submitted" / name, dest / "submitted" / name)
    assert _nbgrader(dest, "generate_assignment", ASSIGNMENT, "--force").returncode == 0
    return dest


def test_grading_twice_gives_the_same_grades(graded: dict, tmp_path: Path) -> None:
    course = _subset_course(graded, tmp_path / "course")
    before = _checksums(course / "submitted")
    _nbgrader(course, "autograde", ASSIGNMENT)
    first = _scores(course)
    result = _nbgrader(course, "autograde", ASSIGNMENT)
    assert _scores(course) == first == {n: graded["scores"][n] for n in REPEAT}, result.stderr[-3000:]
    assert _checksums(course / "submitted") == before


def test_a_run_killed_half_way_completes_when_run_again(graded: dict, tmp_path: Path) -> None:
    course = _subset_course(graded, tmp_path / "course")
    proc = subprocess.Popen(  # noqa: S603
        [str(Path(sys.executable).parent / "nbgrader"), "autograde", ASSIGNMENT],
        cwd=course, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        done = list((course / "autograded").glob("*/ps1/ps1.ipynb")) if (course / "autograded").exists() else []
        if len(done) >= 3:
            break
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    time.sleep(2)
    assert _sandbox_processes() == [], "a kernel outlived the killed grader"
    _nbgrader(course, "autograde", ASSIGNMENT)
    assert _scores(course) == {n: graded["scores"][n] for n in REPEAT}
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        rows = gb.db.execute(__import__("sqlalchemy").text("select count(*) from submitted_assignment")).scalar()
    assert rows == len(REPEAT)


def test_report_figures(graded: dict) -> None:
    """Write the figures the README's instructor section quotes."""
    scores = graded["scores"]
    hostile = [s for s in CORPUS if not s.name.startswith("honest") and s.name != "blank"]
    undeserved = sum(max(0.0, scores.get(s.name, 0.0) - s.earns) for s in CORPUS)
    figures = {
        "attacks_tried": len(hostile),
        "attack_classes": sorted({s.kind for s in hostile}),
        "points_wrongly_given": undeserved,
        "escapes": graded["connections"],
        "submissions_lost": sum(1 for s in CORPUS if s.name not in scores),
        "notebooks_graded": len(CORPUS) + 2,  # + the renamed and the two-unknown submissions
        "seconds_total": round(graded["seconds"], 1),
        "seconds_per_notebook": round(graded["seconds"] / (len(CORPUS) + 2), 2),
    }
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "grading-corpus.json").write_text(json.dumps(figures, indent=2))
    print(json.dumps(figures, indent=2))
    assert figures["points_wrongly_given"] == 0 and figures["submissions_lost"] == 0


def test_without_bubblewrap_grading_refuses_with_the_install_command(graded: dict, tmp_path: Path) -> None:
    course = _subset_course(graded, tmp_path / "course")
    conf = course / "nbgrader_config.py"
    conf.write_text(conf.read_text() + "\nc.Sandbox.bwrap = 'bwrap-not-installed'\n")
    before = _checksums(course / "submitted")
    result = _nbgrader(course, "autograde", ASSIGNMENT)
    assert result.returncode != 0
    assert "apt-get install bubblewrap" in result.stderr + result.stdout
    assert not list((course / "autograded").glob("*/ps1/ps1.ipynb")) if (course / "autograded").exists() else True
    assert _checksums(course / "submitted") == before


def test_feedback_files_carry_the_explanations(graded: dict) -> None:
    course = graded["course"]
    for student in ("exit-midway", "invalid-json"):
        result = _nbgrader(course, "generate_feedback", ASSIGNMENT, "--student", student)
        assert result.returncode == 0, result.stderr[-2000:]
    exit_html = (course / "feedback" / "exit-midway" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    assert "Grading notes" in exit_html and "kernel stopped while running cell" in exit_html
    bad_html = (course / "feedback" / "invalid-json" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    assert "is not valid JSON" in bad_html


def test_class_report_names_what_the_class_got_wrong(graded: dict) -> None:
    from course.grading.report import build, render

    report = build(graded["course"], ASSIGNMENT)
    assert len(report.students) == len(CORPUS) + 2  # + the renamed notebook and the two unknown ones
    mean = next(e for e in report.exercises if e.grade_id == "check_mean")
    assert len(mean.status) == len(CORPUS) + 2
    # honest work on the mean: the corpus's, and the renamed notebook (graded as ps1.ipynb)
    assert mean.count("right") == sum(1 for s in CORPUS if s.earns == FULL or s.earns == 2.0) + 1
    assert "Add the four times and divide by four." in mean.hints
    assert report.notes_by_kind["kernel stopped (exit, crash or memory)"] >= 1
    assert report.notes_by_kind["unreadable notebook file (graded as unanswered)"] == 4
    text = render(report)
    assert "check_mapping" in text and "graded with notes" in text


def test_nbgrader_export_never_shows_a_flagged_or_pending_submission_as_a_final_score(graded: dict,
                                                                                       tmp_path: Path) -> None:
    import csv

    out = tmp_path / "grades.csv"
    result = _nbgrader(graded["course"], "export", "--to", str(out))
    assert result.returncode == 0, result.stderr[-2000:]
    rows = {r["student_id"]: r for r in csv.DictReader(out.open())}
    assert rows[UNRESOLVED]["status"] == "needs attention" and rows[UNRESOLVED]["score"] == ""
    # ps1 has a written answer marked by hand: until it is, no submission's score is final
    assert rows["honest"]["status"] == "pending manual grading" and rows["honest"]["score"] == ""
    assert "autograded part so far: 7 of 8" in rows["honest"]["note"]
    assert len(rows) == len(CORPUS) + 2


def test_formgrader_writes_the_course_feedback_too(graded: dict) -> None:
    """Formgrader's "Generate feedback" goes through nbgrader's API, which sets its own template name."""
    from nbgrader.apps import NbGraderAPI
    from traitlets.config.loader import PyFileConfigLoader

    course = graded["course"]
    config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    config.CourseDirectory.root = str(course)
    result = NbGraderAPI(config=config).generate_feedback(ASSIGNMENT, "honest-wrong-mean", force=True)
    assert result["success"], result.get("error", "")[-2000:]
    page = (course / "feedback" / "honest-wrong-mean" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    assert "Check: Checks the mean restore time" in page and "Hint: Add the four times and divide by four." in page
    assert "HIDDEN TESTS" not in page and "statistics.mean" not in page
