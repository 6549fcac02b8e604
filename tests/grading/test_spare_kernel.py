"""The next notebook's sandboxed kernel starts while the current one is graded, and carries nothing over.

``nbgrader autograde`` grades three submissions of the grading tests' course. A
probe in each student's first answer prints how long its kernel process has
been running, its uid, and what it can see of other students. The first student
also leaves a variable, a file in ``/tmp`` and a file in ``/submission`` behind,
and sleeps 4 s.

- With the spare kernel (the default), the second student's kernel was started
  before the first notebook ran, so it is older than the first notebook's sleep.
- With ``c.Sandbox.start_ahead = False`` (the control), it is started only when
  the second notebook comes, and is younger than that.
- Either way the second and third students see only their own submission, no
  trace of the first, and (as root) run as their own uids; every kernel watches
  its grader's lifeline; scores are full; nothing of any kernel (process or
  folder) is left once nbgrader exits.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.grading

HERE = Path(__file__).parent
REPO = HERE.parent.parent
ASSIGNMENT = "ps1"
FIRST_SLEEP = 4.0
FULL_SCORE = 7.0  # check_mean 2 + check_six 1 + check_mapping 4

PROBE = """
import json as _j, os as _o, threading as _th
_start = int(open("/proc/self/stat").read().rsplit(")", 1)[1].split()[19]) / _o.sysconf("SC_CLK_TCK")
_age = float(open("/proc/uptime").read().split()[0]) - _start
print("SPARE-PROBE " + _j.dumps({"age": _age, "uid": _o.getuid(), "files": sorted(_o.listdir("/submission")),
      "tmp": sorted(_o.listdir("/tmp")), "leak": "left_by_first" in globals(),
      "lifeline": any(t.name == "grader-lifeline" for t in _th.enumerate())}))
"""
TRACES = f"""
left_by_first = 1
open("/tmp/left-by-first", "w").write("x")
open("/submission/left-by-first", "w").write("x")
import time as _t
_t.sleep({FIRST_SLEEP})
"""
STUDENTS = {"a-first": PROBE + TRACES, "b-second": PROBE, "c-third": PROBE}


def _nbgrader(course: Path, *args: str, tmpdir: Path | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}")
    if tmpdir is not None:
        env["TMPDIR"] = str(tmpdir)
    return subprocess.run([str(Path(sys.executable).parent / "nbgrader"), *args], cwd=course, env=env,
                          capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("spare") / "course"
    shutil.copytree(HERE / "course", root)
    shutil.copytree(REPO / "keys", root / "keys")
    result = _nbgrader(root, "generate_assignment", ASSIGNMENT, "--force")
    assert result.returncode == 0, result.stderr[-3000:]
    source = json.loads((root / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text())
    for student, probe in STUDENTS.items():
        nb = json.loads(json.dumps(source))
        cell = next(c for c in nb["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") == "answer_mean")
        cell["source"] = probe + "\n" + "".join(cell["source"])
        folder = root / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        (folder / f"{ASSIGNMENT}.ipynb").write_text(json.dumps(nb))
    return root


def _grade(template: Path, tmp_path: Path, extra_config: str = "") -> dict:
    course = tmp_path / "course"
    shutil.copytree(template, course)
    if extra_config:
        with open(course / "nbgrader_config.py", "a") as fh:
            fh.write("\n" + extra_config + "\n")
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    result = _nbgrader(course, "autograde", ASSIGNMENT, tmpdir=private_tmp)
    assert result.returncode == 0, result.stderr[-3000:]
    probes = {}
    for student in STUDENTS:
        graded = json.loads((course / "autograded" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text())
        text = "".join("".join(o.get("text", "")) for c in graded["cells"] for o in c.get("outputs", []))
        line = next(x for x in text.splitlines() if x.startswith("SPARE-PROBE "))
        probes[student] = json.loads(line.removeprefix("SPARE-PROBE "))
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        scores = {s: float(gb.find_submission(ASSIGNMENT, s).code_score) for s in STUDENTS}
    left_processes = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and str(private_tmp) in (entry / "cmdline").read_text():
                left_processes.append(int(entry.name))
        except OSError:
            continue
    return {"probes": probes, "scores": scores, "left_folders": sorted(p.name for p in private_tmp.iterdir()),
            "left_processes": left_processes}


def _no_trace_of_the_first(run: dict) -> None:
    assert run["scores"] == dict.fromkeys(STUDENTS, FULL_SCORE)
    for student in ("b-second", "c-third"):
        probe = run["probes"][student]
        assert probe["files"] == [f"{ASSIGNMENT}.ipynb"], probe
        assert "left-by-first" not in probe["tmp"], probe
        assert probe["leak"] is False
    if os.geteuid() == 0:
        assert len({p["uid"] for p in run["probes"].values()}) == len(STUDENTS)
    assert all(p["lifeline"] for p in run["probes"].values())  # course.grading.lifeline watches the grader
    assert run["left_processes"] == []
    assert run["left_folders"] == []


def test_the_next_kernel_is_started_while_a_notebook_is_graded(template: Path, tmp_path: Path) -> None:
    run = _grade(template, tmp_path)
    assert run["probes"]["b-second"]["age"] > FIRST_SLEEP, run["probes"]
    _no_trace_of_the_first(run)


def test_control_without_the_spare_the_next_kernel_starts_afterwards(template: Path, tmp_path: Path) -> None:
    run = _grade(template, tmp_path, "c.Sandbox.start_ahead = False")
    assert run["probes"]["b-second"]["age"] < FIRST_SLEEP, run["probes"]
    _no_trace_of_the_first(run)
