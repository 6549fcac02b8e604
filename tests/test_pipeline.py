"""The nbgrader pipeline on every assignment in source/, with the real nbgrader.

- source/ and release/ notebooks carry no outputs and normalised metadata;
- release/ is in sync with a fresh ``svc-course release`` of source/;
- release notebooks hold no solution and no hidden test;
- through ``nbgrader autograde`` (sandboxed, trusted grading) the source notebook
  earns full marks on every autograded cell and the release notebook earns 0;
- the release notebook runs top to bottom with errors only in check cells.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from course.grading.trusted import BEGIN_HIDDEN, END_HIDDEN, strip_hidden_tests
from course.notebooks import normalise
from course.release import assignments, out_of_sync

REPO = Path(__file__).resolve().parent.parent
ASSIGNMENTS = assignments(REPO)
BIN = Path(sys.executable).parent


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{BIN}:{env.get('PATH', '')}"
    return env


def test_there_are_eight_assignments() -> None:
    assert ASSIGNMENTS == [
        "01-value-chain-orientation",
        "02-value-streams-operating-model",
        "03-operational-terms",
        "04-modern-delivery-and-sre",
        "05-mapping-scenarios",
        "06-value-chain-metrics",
        "07-quizzes-and-key-terms",
        "08-mini-case-streaming",
    ]


def _committed_notebooks() -> list[Path]:
    found = sorted((REPO / "source").rglob("*.ipynb")) + sorted((REPO / "release").rglob("*.ipynb"))
    return found + [REPO / "index.ipynb"]


@pytest.mark.parametrize("path", _committed_notebooks(), ids=lambda p: str(p.relative_to(REPO)))
def test_committed_notebooks_are_clean(path: Path) -> None:
    assert ".ipynb_checkpoints" not in path.parts
    nb = nbformat.read(str(path), as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{path}: a code cell has outputs"
    assert normalise(path, check=True), f"{path} is not normalised: run `svc-course normalise {path}`"


def test_release_is_in_sync_with_source() -> None:
    problems = out_of_sync(REPO)
    assert not problems, "run `svc-course release`: " + ", ".join(problems)


def _region_lines(source: str, begin: str, end: str) -> list[str]:
    lines, inside = [], False
    for line in source.splitlines():
        if begin in line:
            inside = True
        elif end in line:
            inside = False
        elif inside and line.strip() and not line.strip().startswith("#"):
            lines.append(line.strip())
    return lines


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_release_holds_no_solution_and_no_hidden_test(name: str) -> None:
    source = nbformat.read(str(REPO / "source" / name / f"{name}.ipynb"), as_version=4)
    release = nbformat.read(str(REPO / "release" / name / f"{name}.ipynb"), as_version=4)
    text = json.dumps([c.source for c in release.cells])
    for marker in ("BEGIN SOLUTION", "END SOLUTION", BEGIN_HIDDEN, END_HIDDEN):
        assert marker not in text
    by_id = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in release.cells if "nbgrader" in c.metadata}
    for cell in source.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if not gid:
            continue
        released = by_id[gid].source
        hidden = _region_lines(cell.source, BEGIN_HIDDEN, END_HIDDEN)
        solution = _region_lines(cell.source, "BEGIN SOLUTION", "END SOLUTION")
        visible = {line.strip() for line in strip_hidden_tests(cell.source).splitlines()
                   if not any(m in line for m in ("BEGIN SOLUTION", "END SOLUTION"))}
        visible -= set(solution)
        leaked = [line for line in hidden + solution
                  if line in {x.strip() for x in released.splitlines()} and line not in visible and len(line) > 12]
        assert not leaked, f"{name}/{gid} leaks: {leaked[:3]}"


@pytest.fixture(scope="module")
def autograded(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Grade every assignment's source (as student 'solution') and release (as 'blank')."""
    from course.grading.sandbox import check_available

    check_available()
    course = tmp_path_factory.mktemp("pipeline") / "course"
    course.mkdir()
    shutil.copy(REPO / "nbgrader_config.py", course)
    shutil.copytree(REPO / "source", course / "source")
    shutil.copytree(REPO / "keys", course / "keys")
    timings = {}
    for name in ASSIGNMENTS:
        run = subprocess.run([str(BIN / "nbgrader"), "generate_assignment", name, "--force"], cwd=course,
                             env=_env(), capture_output=True, text=True, timeout=300)
        assert run.returncode == 0, run.stderr[-2000:]
        for student, folder in (("solution", "source"), ("blank", "release")):
            dest = course / "submitted" / student / name
            dest.mkdir(parents=True)
            shutil.copy(course / folder / name / f"{name}.ipynb", dest)
        start = time.monotonic()
        run = subprocess.run([str(BIN / "nbgrader"), "autograde", name], cwd=course, env=_env(),
                             capture_output=True, text=True, timeout=900)
        timings[name] = round(time.monotonic() - start, 1)
        assert run.returncode == 0, run.stderr[-4000:]
    print("seconds to autograde two submissions per assignment:", timings)
    return {"course": course, "timings": timings}


@pytest.mark.grading
@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_source_earns_full_marks_and_release_earns_zero(autograded: dict, name: str) -> None:
    from nbgrader.api import Gradebook

    course = autograded["course"]
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        assignment = gb.find_assignment(name)
        auto_cells = [c for nb in assignment.notebooks for c in nb.grade_cells if c.cell_type == "code"]
        assert len(auto_cells) >= 3, f"{name} has fewer than 3 autograded exercises"
        for student, want_full in (("solution", True), ("blank", False)):
            sub = gb.find_submission(name, student)
            for nb in sub.notebooks:
                for grade in nb.grades:
                    if grade.cell.cell_type != "code":
                        continue
                    expected = grade.max_score if want_full else 0.0
                    assert grade.auto_score == expected, (
                        f"{name}: {student} scored {grade.auto_score} on {grade.name} (expected {expected})"
                    )


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_release_runs_with_errors_only_in_checks(name: str, tmp_path: Path) -> None:
    from nbclient import NotebookClient

    path = REPO / "release" / name / f"{name}.ipynb"
    nb = nbformat.read(str(path), as_version=4)
    start = time.monotonic()
    NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    seconds = time.monotonic() - start
    bad = []
    for cell in nb.cells:
        md = cell.metadata.get("nbgrader", {})
        for out in cell.get("outputs", []):
            if out.output_type == "error" and not (md.get("grade") and not md.get("solution")):
                bad.append(f"{md.get('grade_id', 'ungraded cell')}: {out.ename}: {out.evalue[:200]}")
            elif out.output_type == "error" and out.ename != "CheckFailed":
                bad.append(f"{md.get('grade_id')}: {out.ename}: {out.evalue[:200]}")
    print(f"{name}: release ran in {seconds:.1f} s")
    assert not bad, bad
