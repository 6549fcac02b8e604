"""The consistency checks catch drift: each is shown passing on a clean copy, then failing on a drifted one
and naming what drifted (``svc-course release --check``, :func:`course.release.out_of_sync`,
``svc-course normalise --check``, ``svc-course check-sandbox``).

A small course folder (one assignment of the repository, its release and nbgrader_config.py) is copied
for each test, so that regenerating its release takes a few seconds.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from course.release import out_of_sync

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
NAME = "01-value-chain-orientation"


def _course(dest: Path) -> Path:
    dest.mkdir()
    shutil.copy(REPO / "nbgrader_config.py", dest)
    shutil.copytree(REPO / "keys", dest / "keys")
    for folder in ("source", "release"):
        shutil.copytree(REPO / folder / NAME, dest / folder / NAME)
    return dest


def _cli(course: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "svc-course"), *args], cwd=course, capture_output=True, text=True, timeout=300)


def _edit_first_markdown(path: Path, extra: str) -> None:
    nb = json.loads(path.read_text())
    cell = next(c for c in nb["cells"] if c["cell_type"] == "markdown")
    cell["source"] = "".join(cell["source"]) + extra
    path.write_text(json.dumps(nb, indent=1) + "\n")


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _course(tmp_path_factory.mktemp("drift") / "course")


def test_a_clean_copy_is_in_sync(course: Path) -> None:
    result = _cli(course, "release", "--check")
    assert (result.returncode, result.stdout.strip()) == (0, "release/ is in sync with source/"), result.stderr[-2000:]


def test_a_source_edit_not_released_is_named(tmp_path: Path, course: Path) -> None:
    drifted = shutil.copytree(course, tmp_path / "course")
    _edit_first_markdown(drifted / "source" / NAME / f"{NAME}.ipynb", "\n\nA sentence added to the source only.")
    result = _cli(drifted, "release", "--check")
    assert result.returncode == 1
    assert result.stdout.splitlines() == [f"out of sync: release/{NAME}/{NAME}.ipynb", "1 file(s) out of sync"]
    # svc-course release brings it back in sync
    assert _cli(drifted, "release").returncode == 0
    assert out_of_sync(drifted) == []


def test_release_files_edited_added_or_missing_are_named(tmp_path: Path, course: Path) -> None:
    drifted = shutil.copytree(course, tmp_path / "course")
    _edit_first_markdown(drifted / "release" / NAME / f"{NAME}.ipynb", "\n\nEdited in release/ by hand.")
    (drifted / "release" / NAME / "stray.csv").write_text("a,b\n")
    (drifted / "release" / "99-no-source").mkdir()
    assert out_of_sync(drifted) == [f"release/{NAME}/{NAME}.ipynb", f"release/{NAME}/stray.csv",
                                    "release/99-no-source/ (no source)"]
    shutil.rmtree(drifted / "release" / NAME)
    assert out_of_sync(drifted) == [f"release/{NAME}/ (missing)", "release/99-no-source/ (no source)"]


def test_normalise_check_names_a_notebook_with_outputs_and_leaves_it(tmp_path: Path) -> None:
    path = tmp_path / "nb.ipynb"
    shutil.copy(REPO / "release" / NAME / f"{NAME}.ipynb", path)
    clean = _cli(tmp_path, "normalise", "--check", str(path))
    assert (clean.returncode, clean.stdout) == (0, "")
    nb = json.loads(path.read_text())
    code = next(c for c in nb["cells"] if c["cell_type"] == "code")
    code["execution_count"] = 3
    code["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "left over\n"}]
    nb["metadata"]["widgets"] = {"state": {}}
    path.write_text(json.dumps(nb, indent=1) + "\n")
    drifted = path.read_text()
    result = _cli(tmp_path, "normalise", "--check", str(path))
    assert (result.returncode, result.stdout) == (1, f"not normalised: {path}\n")
    assert path.read_text() == drifted  # --check changes nothing
    fixed = _cli(tmp_path, "normalise", str(path))
    assert (fixed.returncode, fixed.stdout) == (0, f"normalised: {path}\n")
    assert path.read_text() == (REPO / "release" / NAME / f"{NAME}.ipynb").read_text()


def test_check_sandbox_fails_with_the_fix_when_bubblewrap_is_missing(tmp_path: Path, course: Path) -> None:
    broken = shutil.copytree(course, tmp_path / "course")
    conf = broken / "nbgrader_config.py"
    conf.write_text(conf.read_text() + "\nc.Sandbox.bwrap = 'bwrap-not-installed'\n")
    result = _cli(broken, "check-sandbox")
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.startswith("sandbox unavailable: `bwrap-not-installed` was not found.")
    assert "apt-get install bubblewrap" in result.stderr
