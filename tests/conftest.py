"""Session fixtures shared by the tests: the student edition, built once, and its notebooks run once."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent

# the corpus's course folder: its nbgrader_config.py runs only under nbgrader (--doctest-modules would import it)
collect_ignore_glob = ["grading/course/*"]


@pytest.fixture(scope="session")
def student_edition(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The student edition, as ``svc-course student-edition`` builds it for publishing."""
    from course.edition import build

    return build(tmp_path_factory.mktemp("edition") / "svc-course-student", root=REPO)


@pytest.fixture(scope="session")
def executed(student_edition: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Every topic notebook of the student edition run once, unanswered, as a student opens it.

    The kernel imports the edition's own ``course`` package (no grading code) and reads
    its ``data/``; progress goes to a throw-away file. The notebooks are the release
    notebooks, copied unchanged into the edition.
    """
    import nbformat
    from nbclient import NotebookClient

    from course.release import assignments

    progress = tmp_path_factory.mktemp("progress") / "progress.json"
    out: dict[str, Any] = {}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SVC_COURSE_PROGRESS", str(progress))  # the kernels inherit all of these
        mp.setenv("PYTHONPATH", str(student_edition))
        mp.delenv("SVC_COURSE_DATA", raising=False)
        mp.delenv("SVC_COURSE_KEYS", raising=False)
        for name in assignments(REPO):
            path = student_edition / name / f"{name}.ipynb"
            nb = nbformat.read(str(path), as_version=4)
            start = time.monotonic()
            NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True,
                           resources={"metadata": {"path": str(path.parent)}}).execute()
            print(f"{name}: ran in the student edition in {time.monotonic() - start:.1f} s")
            out[name] = nb
    assert os.environ.get("PYTHONPATH") != str(student_edition)
    return out


@pytest.fixture(scope="session")
def playwright_session():
    """One Playwright driver for the whole run.

    Playwright's sync API keeps its event loop running in this thread while it is open,
    so the browser tests and the JupyterHub test share one driver instead of opening a
    second one (which Playwright refuses).
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        yield p
