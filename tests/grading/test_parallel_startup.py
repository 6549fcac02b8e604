"""How ``svc-course autograde``'s workers get ready before the first submission, and what they skip at the end.

- The run's own LocalCluster forks its workers from a fork server that loaded
  the grading code and the course's data once (:mod:`course.grading.parallel.preload`):
  a worker has them before it has run anything, and is not a child of the
  coordinating process. The fork server imports the coordinator's ``course``
  package, not the ``course/`` folder of the course folder it starts in.
- A worker's warm-up task starts, in the thread that grades, the kernel its
  first submission takes (:func:`course.grading.parallel.worker.warm_up`).
- The last submission a worker takes starts no kernel for a next one
  (:func:`course.grading.spare_kernel.expect_more`); other submissions do.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.grading

HERE = Path(__file__).parent
BIN = Path(sys.executable).parent
ASSIGNMENT = "ps1"
FIRST_UID = 320_000 + (os.getpid() % 80) * 50_000  # this module's sandbox uids (see test_hostile_corpus)
FULL_SCORE = 7.0  # check_mean 2 + check_six 1 + check_mapping 4 (tests/grading/course)


def _worker_state(dask_worker: Any = None) -> dict[str, Any]:
    """What a worker process holds before it ran any task (run with ``Client.run``)."""
    import sys

    import dask

    from course import data

    return {
        "pid": os.getpid(),
        "parent": os.getppid(),
        "modules": sorted(m for m in ("nbgrader.converters", "nbclient", "course.grading.preprocessors",
                                      "course.grading.trusted", "course.grading.parallel.worker")
                          if m in sys.modules),
        "data_sets": len(data._CACHE),
        "available": len(data.available()),
        "rfc3987_blocked": "rfc3987_syntax" in sys.modules and sys.modules["rfc3987_syntax"] is None,
        "profiler": dask.config.get("distributed.worker.profile.enabled"),
    }


def test_the_local_cluster_forks_workers_with_the_grading_code_and_data_loaded() -> None:
    from course.grading.parallel.cluster import start_local

    cluster = start_local(1)
    try:
        (state,) = cluster.client.run(_worker_state).values()
    finally:
        cluster.close()
    assert state["parent"] != os.getpid(), "the worker should be forked by the fork server, not by this process"
    assert state["modules"] == ["course.grading.parallel.worker", "course.grading.preprocessors",
                                "course.grading.trusted", "nbclient", "nbgrader.converters"]
    assert state["available"] > 0 and state["data_sets"] == state["available"]
    assert state["rfc3987_blocked"] is True
    assert state["profiler"] is False


def _nbgrader(course: Path, *args: str) -> None:
    env = dict(os.environ, PATH=f"{BIN}:{os.environ.get('PATH', '')}")
    result = subprocess.run([str(BIN / "nbgrader"), *args], cwd=course, env=env, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("startup") / "course"
    shutil.copytree(HERE / "course", root)
    conf = root / "nbgrader_config.py"
    conf.write_text(conf.read_text() + f"\nc.Sandbox.first_user_id = {FIRST_UID}\n")
    _nbgrader(root, "generate_assignment", ASSIGNMENT, "--force")
    for student in ("first", "second"):
        folder = root / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        shutil.copy(root / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", folder)
    return root


@pytest.fixture
def spares() -> Any:
    """course.grading.spare_kernel, with no spare and "more to come" before and after the test."""
    from course.grading import spare_kernel

    spare_kernel.discard_spare()
    spare_kernel.expect_more(True)
    yield spare_kernel
    spare_kernel.discard_spare()
    spare_kernel.expect_more(True)


def _task(course: Path, student: str, *, more_after: bool) -> Any:
    from nbgrader.coursedir import CourseDirectory

    from course.grading.parallel import merge
    from course.grading.parallel.worker import Task, course_config

    coursedir = CourseDirectory(config=course_config(course))
    tpl = merge.template(str(coursedir.db_url), str(coursedir.course_id), ASSIGNMENT)
    return Task(str(course), ASSIGNMENT, student, tpl, str(coursedir.course_id), more_after=more_after)


def test_the_warm_up_starts_the_kernel_the_first_submission_takes(course: Path, spares: Any,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from course.grading.parallel.worker import grade, warm_up

    warm_up(str(course), ASSIGNMENT)
    assert spares._SPARE is not None, "the warm-up started no kernel"
    started = spares._SPARE.km
    taken = []
    real_take = spares.take

    def take(key: Any, submission: Any) -> Any:
        km = real_take(key, submission)
        taken.append(km)
        return km

    monkeypatch.setattr(spares, "take", take)
    result = grade(_task(course, "first", more_after=True))
    assert result.ok, result.reason
    assert taken == [started], "the first submission did not take the kernel started by the warm-up"
    assert sum(nb.score for nb in result.notebooks) == FULL_SCORE
    assert spares._SPARE is not None and spares._SPARE.km is not started, "no kernel started for a next one"


def test_the_last_submission_starts_no_kernel_for_a_next_one(course: Path, spares: Any) -> None:
    from course.grading.parallel.worker import grade

    result = grade(_task(course, "second", more_after=False))
    assert result.ok, result.reason
    assert sum(nb.score for nb in result.notebooks) == FULL_SCORE
    assert spares._SPARE is None


def test_workers_import_the_coordinators_course_package_not_the_course_folders_copy(tmp_path: Path) -> None:
    """The course folder (the repository root) holds a ``course/`` folder too; a fork server started there
    would import that one first (Python 3.11 puts the current folder first for ``python -c``)."""
    import course

    (tmp_path / "course").mkdir()
    (tmp_path / "course" / "__init__.py").write_text("COPY = True\n")
    script = tmp_path / "bin" / "coordinate.py"  # run as a script, as the svc-course command is
    script.parent.mkdir()
    script.write_text("import course\n"
                      "from course.grading.parallel.cluster import start_local\n"
                      "if __name__ == '__main__':\n"
                      "    c = start_local(1)\n"
                      "    try:\n"
                      "        print(list(c.client.run(lambda: __import__('course').__file__).values())[0])\n"
                      "    finally:\n"
                      "        c.close()\n")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONSAFEPATH"}
    env["PYTHONPATH"] = str(Path(course.__file__).parent.parent)
    result = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().splitlines()[-1] == course.__file__
