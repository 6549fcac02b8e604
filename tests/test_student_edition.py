"""The student edition: what is published for students holds what they need and nothing they must not read.

Built once per test session (``tests/conftest.py``); its notebooks are run to the end, unanswered,
by ``tests/test_release_leaks.py`` (which also checks their outputs for graded keys).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from course.edition import EditionError, build, check
from course.release import assignments

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def test_the_edition_holds_the_course_and_nothing_of_the_instructors(student_edition: Path) -> None:
    names = assignments(REPO)
    for name in names:
        assert (student_edition / name / f"{name}.ipynb").is_file()
    for kept in ("index.ipynb", "README.md", "pyproject.toml", "environment.yml", "Makefile", "binder/postBuild",
                 "data/incidents.csv", "data/scenarios.yml", "course/checks.py", "course/widgets/__init__.py"):
        assert (student_edition / kept).exists(), kept
    present = {p.relative_to(student_edition).parts[0] for p in student_edition.iterdir()}
    assert not present & {"source", "keys", "release", "autograded", "submitted", "feedback", "tests", ".git"}
    assert not (student_edition / "course" / "grading").exists()
    assert not list(student_edition.rglob("*.pyc"))
    assert check(student_edition, REPO) == []


def test_the_course_home_links_to_the_editions_notebooks(student_edition: Path) -> None:
    home = json.loads((student_edition / "index.ipynb").read_text())
    links = re.findall(r"\]\(([^)]+\.ipynb)\)", json.dumps(home))
    assert len([link for link in links if not link.startswith("my-work")]) >= 8
    for link in links:
        if not link.startswith(("http", "my-work")):
            assert (student_edition / link).is_file(), link
    assert "](release/" not in json.dumps(home)
    readme = (student_edition / "README.md").read_text()
    for name in assignments(REPO):
        assert f"labpath={name}%2F{name}.ipynb" in readme


def test_the_check_finds_each_kind_of_leak(student_edition: Path, tmp_path: Path) -> None:
    """A positive control: plant what must never be published; every one is named."""
    from course.grading import keys

    tree = tmp_path / "leaky"
    shutil.copytree(student_edition, tree)
    source = (REPO / "source" / "05-mapping-scenarios" / "05-mapping-scenarios.ipynb").read_text()
    (tree / "05-mapping-scenarios" / "05-mapping-scenarios.ipynb").write_text(source)
    graded = next(s for s in keys.scenarios() if s.graded)
    (tree / "data" / "notes.md").write_text(f"why: {graded.explanation}\n")
    (tree / "course" / "extra.py").write_text(f'KEY = {{"{graded.id}": "{graded.activities[0]}"}}\n')
    (tree / "keys").mkdir()
    findings = "\n".join(check(tree, REPO))
    assert "keys: instructor-only folder" in findings
    assert "05-mapping-scenarios/05-mapping-scenarios.ipynb: holds 'BEGIN SOLUTION'" in findings
    assert "05-mapping-scenarios/05-mapping-scenarios.ipynb: holds a line of a solution or hidden test" in findings
    assert "data/notes.md: holds the explanation of a graded item" in findings
    assert "course/extra.py: holds a graded key" in findings


def test_the_edition_is_never_written_over_something_else(tmp_path: Path) -> None:
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.tex").write_text("x")
    with pytest.raises(EditionError, match="pass --force"):
        build(tmp_path / "mine", root=REPO)
    with pytest.raises(EditionError, match="not a student edition"):
        build(tmp_path / "mine", root=REPO, force=True)
    assert (tmp_path / "mine" / "thesis.tex").read_text() == "x"
    with pytest.raises(EditionError, match="inside the course folder"):
        build(REPO / "edition-out", root=REPO)


def test_the_editions_package_installs_without_grading_code(student_edition: Path, tmp_path: Path) -> None:
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                            "-w", str(tmp_path), str(student_edition)], capture_output=True, text=True)
    assert built.returncode == 0, built.stderr[-2000:]
    names = zipfile.ZipFile(next(tmp_path.glob("*.whl"))).namelist()
    assert "course/checks.py" in names and "course/_data/scenarios.yml" in names
    assert not [n for n in names if "/grading/" in n or n.startswith("keys/")]
    env = {"PYTHONPATH": str(student_edition), "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-m", "course.cli", "report", "05-mapping-scenarios"], cwd=student_edition,
                         env=env, capture_output=True, text=True)
    assert out.returncode == 1 and "instructor's tool" in out.stderr and "Traceback" not in out.stderr
    out = subprocess.run([sys.executable, "-c", "import course.banks as b; print(len(b.load_scenarios()))"],
                         cwd=tmp_path, env=env, capture_output=True, text=True)
    assert out.returncode == 0 and int(out.stdout) >= 49, out.stderr


def test_every_notebook_ran_to_the_end_in_the_edition(executed: dict) -> None:
    assert sorted(executed) == assignments(REPO)
    for name, nb in executed.items():
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert code[-1].execution_count is not None, name
        assert not [o for c in code for o in c.get("outputs", []) if o.output_type == "error"], name
