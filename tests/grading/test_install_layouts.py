"""Grading gives the same marks whatever way the course package is installed.

An instructor may keep one environment with the course installed editable from
one clone and grade from another copy of the course folder (one per term), or
install the course as a regular package and grade from a folder holding only
``nbgrader_config.py``, ``source/`` and ``keys/``. The grading kernel must
import exactly the package the grader uses: both layouts give the honest
submission full marks. A layout the sandbox cannot use stops the run with one
clear message before any grade is written.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.grading

HERE = Path(__file__).parent
REPO = HERE.parent.parent
BIN = Path(sys.executable).parent
ASSIGNMENT = "ps1"
FULL = 7.0


def _course_folder(root: Path, *, with_package: bool) -> Path:
    """A course folder like an instructor's: config, source/, one honest submission."""
    shutil.copytree(HERE / "course", root)
    if with_package:  # a copy of the whole course, package and data included
        shutil.copytree(REPO / "course", root / "course", ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copytree(REPO / "data", root / "data")
    return root


def _run(python_bin: Path, course: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("SVC_COURSE_DATA", "PYTHONPATH")}
    env["PATH"] = f"{python_bin}:{env.get('PATH', '')}"
    return subprocess.run([str(python_bin / "nbgrader"), *args], cwd=course, env=env,
                          capture_output=True, text=True, timeout=600)


def _submit_honest(python_bin: Path, course: Path) -> None:
    result = _run(python_bin, course, "generate_assignment", ASSIGNMENT, "--force")
    assert result.returncode == 0, result.stderr[-3000:]
    folder = course / "submitted" / "honest" / ASSIGNMENT
    folder.mkdir(parents=True)
    shutil.copy(course / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", folder)


def _score(course: Path, student: str = "honest") -> float | None:
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        try:
            return float(gb.find_submission(ASSIGNMENT, student).code_score)
        except MissingEntry:
            return None


def test_a_course_folder_copy_with_an_editable_install_of_another_clone(tmp_path: Path) -> None:
    # this test's own environment has the course installed editable from the repository;
    # the instructor grades from a copy of the whole course folder elsewhere
    import course as installed

    assert Path(installed.__file__).resolve().is_relative_to(REPO.resolve())
    course = _course_folder(tmp_path / "term-2027", with_package=True)
    _submit_honest(BIN, course)
    check = subprocess.run([str(BIN / "svc-course"), "check-sandbox"], cwd=course, capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    assert f"imports the course package from {course / 'course'}" in check.stdout
    result = _run(BIN, course, "autograde", ASSIGNMENT)
    assert result.returncode == 0, result.stderr[-4000:]
    assert _score(course) == FULL, result.stderr[-4000:]


@pytest.fixture(scope="module")
def regular_install(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new environment with the course installed from its wheel (not editable)."""
    base = tmp_path_factory.mktemp("regular")
    wheels = base / "wheels"
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                            "-w", str(wheels), str(REPO)], capture_output=True, text=True)
    assert build.returncode == 0, build.stderr[-2000:]
    venv = base / "venv"
    subprocess.run(["/usr/bin/python3" if Path("/usr/bin/python3").exists() else sys.executable,
                    "-m", "venv", str(venv)], check=True)
    install = subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "--no-compile", str(next(wheels.glob("*.whl")))],
                             capture_output=True, text=True, timeout=600)
    assert install.returncode == 0, install.stderr[-2000:]
    return venv / "bin"


def test_a_course_folder_without_the_package_and_a_regular_install(tmp_path: Path, regular_install: Path) -> None:
    course = _course_folder(tmp_path / "course", with_package=False)
    _submit_honest(regular_install, course)
    result = _run(regular_install, course, "autograde", ASSIGNMENT)
    assert result.returncode == 0, result.stderr[-4000:]
    assert _score(course) == FULL, result.stderr[-4000:]


def test_a_layout_the_kernel_cannot_use_stops_before_any_grade(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.fail("this test makes the course package unreadable for the sandbox's own uid: run it as root")
    course = _course_folder(tmp_path / "private-umask", with_package=True)
    _submit_honest(BIN, course)
    # a clone made with umask 077: the grader (root) reads it, a graded kernel's uid cannot
    for folder, dirs, files in os.walk(course / "course"):
        os.chmod(folder, stat.S_IRWXU)
        for name in files:
            os.chmod(os.path.join(folder, name), stat.S_IRUSR | stat.S_IWUSR)
    result = _run(BIN, course, "autograde", ASSIGNMENT)
    assert result.returncode != 0
    text = result.stdout + result.stderr
    assert "a sandboxed kernel cannot load the course" in text, text[-3000:]
    assert f"grader uses the course package in {course / 'course'}" in text
    assert _score(course) is None
    assert not (course / "autograded").exists() or not any((course / "autograded").iterdir())
    check = subprocess.run([str(BIN / "svc-course"), "check-sandbox"], cwd=course, capture_output=True, text=True)
    assert check.returncode == 1 and "a sandboxed kernel cannot load the course" in check.stderr
