"""Every command of the README's instructor section runs as written, in a scratch copy of the course.

The commands are read from the README (between the ``instructor-commands`` markers), with
``NN-slug`` replaced by a real assignment, and run one after another in a copy of the
instructors' repository, with one student's notebook placed in ``submitted/`` where the README
says. The first line (making the environment) is the environment these tests run in.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
ASSIGNMENT = "01-value-chain-orientation"

pytestmark = pytest.mark.grading


def readme_commands() -> list[str]:
    """The README's instructor commands, comments and the environment line left out."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = re.search(r"<!-- instructor-commands:start -->\s*```bash\n(.*?)```\s*<!-- instructor-commands:end -->",
                      text, re.S)
    assert block, "README.md has no instructor-commands block"
    commands = []
    for line in block.group(1).splitlines():
        command = line.split("  #", 1)[0].strip()
        if command and not command.startswith("#"):
            commands.append(command)
    return commands


def test_the_readme_lists_the_whole_round() -> None:
    verbs = " ".join(readme_commands())
    for needed in ("make setup sandbox", "check-sandbox", "svc-course release NN-slug", "nbgrader autograde NN-slug",
                   "--student", "generate_feedback", "svc-course report", "svc-course export", "nbgrader export",
                   "student-edition"):
        assert needed in verbs, needed
    assert "nbgrader formgrader" not in verbs  # formgrader runs inside JupyterLab


def test_every_instructor_command_runs_as_written(tmp_path: Path) -> None:
    course = tmp_path / "course"
    top_level = {".git", ".venv", "test-artifacts", "autograded", "submitted", "feedback", "gradebook.db", "reports",
                 "exports", "my-work"}  # the instructor's own state; course/grading/templates/feedback is code

    def ignore(folder: str, names: list[str]) -> set[str]:
        skip = {n for n in names if n in ("__pycache__", ".pytest_cache") or n.endswith(".egg-info")}
        return skip | (top_level & set(names) if Path(folder) == REPO else set())

    shutil.copytree(REPO, course, ignore=ignore)
    env = dict(os.environ, PATH=f"{BIN}:{os.environ.get('PATH', '')}")
    commands = readme_commands()
    assert commands[0].startswith("make setup sandbox")  # the environment these tests run in
    ran = []
    for command in commands[1:]:
        command = command.replace("NN-slug", ASSIGNMENT).replace("../svc-course-student", str(tmp_path / "student"))
        if command.startswith("nbgrader autograde") and not (course / "submitted").exists():
            # the README: students' notebooks go to submitted/<student>/NN-slug/
            folder = course / "submitted" / "ana" / ASSIGNMENT
            folder.mkdir(parents=True)
            shutil.copy(course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", folder)
        run = subprocess.run(command, shell=True, cwd=course, env=env, capture_output=True, text=True, timeout=600)
        assert run.returncode == 0, f"`{command}` failed:\n{run.stdout[-2000:]}\n{run.stderr[-3000:]}"
        ran.append((command, run))
    said = {command: run.stdout + run.stderr for command, run in ran}
    assert "sandbox ready" in said["svc-course check-sandbox"]
    assert "Grading summary: 1 notebook graded, 0 failed" in said[f"nbgrader autograde {ASSIGNMENT}"]
    assert (course / "feedback" / "ana" / ASSIGNMENT / f"{ASSIGNMENT}.html").is_file()
    assert (course / "reports" / f"{ASSIGNMENT}.html").is_file()
    assert (course / "exports" / "grades-csv.csv").is_file() and (course / "grades.csv").is_file()
    assert (tmp_path / "student" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").is_file()
    assert not (tmp_path / "student" / "keys").exists()
