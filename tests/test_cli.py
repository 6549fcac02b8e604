"""The svc-course command line and the installed-wheel layout."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def test_help_imports_nothing_heavy() -> None:
    code = (
        "import sys, course.cli; course.cli._build_parser().format_help();"
        "heavy = [m for m in ('pandas', 'nbgrader', 'nbformat', 'ipywidgets', 'plotly', 'numpy') if m in sys.modules];"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_help_answers() -> None:
    out = subprocess.run([str(BIN / "svc-course"), "--help"], capture_output=True, text=True)
    assert out.returncode == 0
    for verb in ("data", "release", "normalise", "check-sandbox", "report"):
        assert verb in out.stdout


def test_unknown_assignment_is_a_clear_error() -> None:
    out = subprocess.run([str(BIN / "svc-course"), "release", "99-nope"], cwd=REPO, capture_output=True, text=True)
    assert out.returncode == 1
    assert "unknown assignment(s) 99-nope" in out.stderr


def test_data_generate_writes_the_committed_files(tmp_path: Path) -> None:
    out = subprocess.run([str(BIN / "svc-course"), "data", "generate", "--out", str(tmp_path)], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    for path in sorted((REPO / "data").glob("*.csv")):
        assert (tmp_path / path.name).read_bytes() == path.read_bytes(), path.name


def test_wheel_ships_data_and_loads_from_any_folder(tmp_path: Path) -> None:
    """A JupyterHub image installs the wheel; students get only the assignment folder."""
    wheel_dir = tmp_path / "wheel"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheel_dir), str(REPO)],
                   check=True, capture_output=True)
    wheel = next(wheel_dir.glob("svc_course-*.whl"))
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        zf.extractall(site)
    assert "course/_data/incidents.csv" in names and "course/_data/scenarios.yml" in names
    elsewhere = tmp_path / "student-folder"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "SVC_COURSE_DATA"}
    env["PYTHONPATH"] = str(site)
    code = (
        "import course, course.paths, course.data, course.banks;"
        "assert course.__file__.startswith(%r), course.__file__;"
        "print(course.paths.data_dir()); print(len(course.data.load('incidents'))); print(len(course.banks.load_scenarios()))"
    ) % str(site)
    out = subprocess.run([sys.executable, "-c", code], cwd=elsewhere, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    lines = out.stdout.split()
    assert lines[0] == str(site / "course" / "_data")
    assert int(lines[1]) > 1000 and int(lines[2]) >= 40
