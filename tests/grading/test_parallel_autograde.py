"""``svc-course autograde`` on real Dask clusters, against what a serial ``nbgrader autograde`` writes.

One small class of ps1 (tests/grading/course): an honest submission, a blank one,
a renamed one (``ps1-copy.ipynb``) and a late one (graded with nbgrader's
"zero" late-penalty rule). Graded once serially with the course's protected
``nbgrader autograde`` and once with ``svc-course autograde`` on a LocalCluster
of two worker processes: the gradebooks and graded notebooks must be the same.
Then: a run killed with SIGKILL (whole process group) and run again, an
external ``dask scheduler`` with two ``dask worker`` processes (one killed
mid-run), a PostgreSQL gradebook on a throw-away server, the class-level setup
guard, and bad input (no scheduler, wrong database URL, workers that cannot see
the course folder).
"""

from __future__ import annotations

import csv
import datetime
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.grading

HERE = Path(__file__).parent
BIN = Path(sys.executable).parent
ASSIGNMENT = "ps1"
STUDENTS = ("blank", "honest", "late", "renamed")
DUE = "2026-01-10 12:00:00 UTC"
FIRST_UID = 310_000 + (os.getpid() % 90) * 50_000  # this module's sandbox uids (see test_hostile_corpus)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{BIN}:{env.get('PATH', '')}"
    return env


def _run(course: Path, *args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / args[0]), *args[1:]], cwd=course, env=_env(), capture_output=True, text=True,
                          timeout=timeout)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def dump(db_url: str) -> dict[str, object]:
    """Everything nbgrader's gradebook holds about ps1's submissions, read with nbgrader's own API."""
    from nbgrader.api import Gradebook

    out: dict[str, object] = {}
    with Gradebook(db_url) as gb:
        for sub in gb.assignment_submissions(ASSIGNMENT):
            out[sub.student_id] = (str(sub.timestamp), str(sub.extension))
            for nb in sub.notebooks:
                out[f"{sub.student_id}/{nb.name}"] = (nb.late_submission_penalty, nb.flagged)
                for g in nb.grades:
                    out[f"{sub.student_id}/{nb.name}/{g.cell.type}/{g.name}"] = (
                        g.auto_score, g.manual_score, g.needs_manual_grade, g.extra_credit)
                for c in nb.comments:
                    out[f"{sub.student_id}/{nb.name}/comment/{c.cell.type}/{c.name}"] = (c.auto_comment,
                                                                                       c.manual_comment)
    return out


def scores(db_url: str) -> dict[str, tuple[float, float]]:
    """Student -> (autograded score, late penalty) of ps1."""
    from nbgrader.api import Gradebook

    with Gradebook(db_url) as gb:
        return {s.student_id: (float(s.code_score), float(s.late_submission_penalty or 0))
                for s in gb.assignment_submissions(ASSIGNMENT)}


def rows(db_url: str) -> int:
    import sqlalchemy
    from nbgrader.api import Gradebook

    with Gradebook(db_url) as gb:
        return gb.db.execute(sqlalchemy.text("select count(*) from submitted_assignment")).scalar()


def graded_notebooks(course: Path) -> dict[str, object]:
    """The autograded notebooks, without nbclient's per-cell execution timestamps."""
    out = {}
    for path in sorted((course / "autograded").rglob("*.ipynb")):
        nb = json.loads(path.read_text())
        for cell in nb["cells"]:
            cell.get("metadata", {}).pop("execution", None)
        out[str(path.relative_to(course))] = nb
    return out


def sqlite(course: Path) -> str:
    return f"sqlite:///{course / 'gradebook.db'}"


def _make_class(root: Path) -> None:
    shutil.copytree(HERE / "course", root)
    conf = root / "nbgrader_config.py"
    conf.write_text(conf.read_text() + (
        "\nc.Execute.timeout = 5\nc.Sandbox.notebook_seconds = 60\n"
        f"c.Sandbox.first_user_id = {FIRST_UID}\nc.LateSubmissionPlugin.penalty_method = 'zero'\n"))
    assert _run(root, "nbgrader", "db", "assignment", "add", ASSIGNMENT, f"--duedate={DUE}").returncode == 0
    result = _run(root, "nbgrader", "generate_assignment", ASSIGNMENT, "--force")
    assert result.returncode == 0, result.stderr[-2000:]
    source = root / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    release = root / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    for student, nb, name, stamp in (("honest", source, "ps1.ipynb", "2026-01-09 08:00:00 UTC"),
                                     ("blank", release, "ps1.ipynb", "2026-01-10 11:59:00 UTC"),
                                     ("renamed", source, "ps1-copy.ipynb", None),
                                     ("late", source, "ps1.ipynb", "2026-01-10 15:30:00 UTC")):
        folder = root / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        shutil.copy(nb, folder / name)
        if stamp:
            (folder / "timestamp.txt").write_text(stamp)


@pytest.fixture(scope="module")
def classroom(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The class graded serially (``nbgrader autograde``) and in parallel (``svc-course autograde``)."""
    from course.grading.sandbox import check_available

    check_available()
    base = tmp_path_factory.mktemp("parallel")
    _make_class(base / "fresh")
    serial = base / "serial"
    shutil.copytree(base / "fresh", serial)
    ran = _run(serial, "nbgrader", "autograde", ASSIGNMENT)
    assert ran.returncode == 0, ran.stderr[-3000:]
    parallel = base / "parallel"
    shutil.copytree(base / "fresh", parallel)
    start = time.monotonic()
    ran = _run(parallel, "svc-course", "autograde", ASSIGNMENT, "--workers", "2")
    seconds = time.monotonic() - start
    return {"base": base, "fresh": base / "fresh", "serial": serial, "parallel": parallel, "run": ran,
            "seconds": seconds, "expected": dump(sqlite(serial)), "notebooks": graded_notebooks(serial)}


def test_parallel_grading_writes_what_serial_nbgrader_writes(classroom: dict) -> None:
    ran = classroom["run"]
    assert ran.returncode == 0, ran.stderr[-4000:]
    parallel = classroom["parallel"]
    assert dump(sqlite(parallel)) == classroom["expected"]
    assert graded_notebooks(parallel) == classroom["notebooks"]
    # worked out by hand: ps1 has 2 + 1 + 4 = 7 autograded points; the late submission (3.5 h after the
    # due date) keeps its 7 points with the "zero" rule's penalty of its whole score, 7
    assert scores(sqlite(parallel)) == {"honest": (7.0, 0.0), "blank": (0.0, 0.0), "renamed": (7.0, 0.0),
                                        "late": (7.0, 7.0)}
    assert rows(sqlite(parallel)) == 4


def test_parallel_grading_says_what_it_did(classroom: dict) -> None:
    err = classroom["run"].stderr
    # not a terminal: one plain line per student, then the closing summary
    assert "honest/ps1: graded, 7 of 7 autograded points, 1 notebook in" in err
    assert "blank/ps1: graded, 0 of 7 autograded points" in err
    assert "\nrenamed/ps1: graded 'ps1-copy.ipynb' as ps1.ipynb\n" in err  # the rename hook's line, as serial logs it
    assert "svc-autograde-" not in err  # the workers' private folders are not what the instructor knows
    assert "Grading summary: 4 notebooks graded, 0 failed (1 with grading notes)." in err
    assert "submissions: 4 graded, 0 failed, 0 unchanged since last graded (skipped)" in err
    assert "s per notebook" in err and "notebooks/s" in err


def _export(course: Path, folder: Path) -> dict[str, dict[str, str]]:
    """``nbgrader export`` of the course (with the course's export plugin): student -> row."""
    out = folder / "grades.csv"
    ran = _run(course, "nbgrader", "export", "--to", str(out))
    assert ran.returncode == 0, ran.stderr[-2000:]
    exported = {r["student_id"]: r for r in csv.DictReader(out.open())}
    assert set(exported) == set(STUDENTS)
    # ps1: 7 autograded points and a written answer (1 point) marked by hand
    assert "autograded part so far: 7 of 8" in exported["honest"]["note"]
    return exported


def test_nbgrader_export_and_feedback_read_the_parallel_grades(classroom: dict, tmp_path: Path) -> None:
    parallel = classroom["parallel"]
    _export(parallel, tmp_path)
    ran = _run(parallel, "nbgrader", "generate_feedback", ASSIGNMENT, "--student", "renamed")
    assert ran.returncode == 0, ran.stderr[-2000:]
    page = (parallel / "feedback" / "renamed" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    assert "was submitted as" in page and "ps1-copy.ipynb" in page


def _sandbox_processes() -> list[int]:
    left = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                status = (entry / "status").read_text()
            except OSError:
                continue
            uid = int(next(line for line in status.splitlines() if line.startswith("Uid:")).split()[1])
            if FIRST_UID <= uid < FIRST_UID + 50_000:
                left.append(int(entry.name))
    return left


def _state(course: Path) -> dict:
    path = course / ".svc-autograde" / f"{ASSIGNMENT}.json"
    try:
        return json.loads(path.read_text())["graded"]
    except (OSError, ValueError, KeyError):
        return {}


def test_a_run_killed_with_sigkill_is_completed_by_running_it_again(classroom: dict, tmp_path: Path) -> None:
    course = tmp_path / "course"
    shutil.copytree(classroom["fresh"], course)
    proc = subprocess.Popen([str(BIN / "svc-course"), "autograde", ASSIGNMENT, "--workers", "1"], cwd=course,
                            env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and not _state(course) and proc.poll() is None:
            time.sleep(0.1)
        assert proc.poll() is None, "the run ended before it could be killed"
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    killed_after = sorted(_state(course))
    assert 1 <= len(killed_after) < 4
    time.sleep(1)
    assert _sandbox_processes() == [], "a kernel outlived the killed run"
    # one submission already graded changes (a file added): it is graded again, with the missing ones
    changed = killed_after[0]
    (course / "submitted" / changed / ASSIGNMENT / "notes.txt").write_text("my working notes")
    again = _run(course, "svc-course", "autograde", ASSIGNMENT, "--workers", "2")
    assert again.returncode == 0, again.stderr[-3000:]
    assert f"grading {4 - len(killed_after) + 1} submission(s)" in again.stderr
    assert f"{len(killed_after) - 1} unchanged since last graded (skipped)" in again.stderr
    assert f"{changed}/ps1: graded" in again.stderr
    for student in killed_after[1:]:
        assert f"{student}/ps1: graded" not in again.stderr
    assert dump(sqlite(course)) == classroom["expected"] and rows(sqlite(course)) == 4
    assert graded_notebooks(course) == classroom["notebooks"]
    assert (course / "autograded" / changed / ASSIGNMENT / "notes.txt").read_text() == "my working notes"
    # nothing changed since: nothing is graded
    third = _run(course, "svc-course", "autograde", ASSIGNMENT)
    assert third.returncode == 0 and "all 4 submission(s) of ps1 are graded and unchanged" in third.stderr


def test_a_class_that_fails_alike_at_setup_keeps_its_grades(classroom: dict, tmp_path: Path) -> None:
    """A time budget of 0 s (a setup mistake): no check of any submission runs; nothing is written."""
    course = tmp_path / "course"
    shutil.copytree(classroom["parallel"], course)
    before, files = dump(sqlite(course)), graded_notebooks(course)
    state = _state(course)
    conf = course / "nbgrader_config.py"
    conf.write_text(conf.read_text() + "\nc.Sandbox.notebook_seconds = 0\n")
    ran = _run(course, "svc-course", "autograde", ASSIGNMENT, "--workers", "2")
    assert ran.returncode == 2, ran.stderr[-3000:]
    assert "grading 4 submission(s)" in ran.stderr  # a changed nbgrader_config.py: every submission again
    assert "this looks like a setup problem" in ran.stderr and "no check received any answer" in ran.stderr
    assert "gradebook keeps its previous grades" in ran.stderr
    assert dump(sqlite(course)) == before and graded_notebooks(course) == files and _state(course) == state
    # the instructor who knows better (one student's own broken notebook) writes the grades anyway
    forced = _run(course, "svc-course", "autograde", ASSIGNMENT, "honest", "--workers", "1", "--no-setup-guard")
    assert forced.returncode == 0, forced.stderr[-3000:]
    assert scores(sqlite(course))["honest"] == (0.0, 0.0)


class DaskCluster:
    """A real ``dask scheduler`` and two ``dask worker`` processes on loopback, owned by the test."""

    def __init__(self, folder: Path, *, wrap: list[str] | None = None, worker_args: list[str] | None = None,
                 env: dict[str, str] | None = None) -> None:
        self.port = _free_port()
        self.address = f"tcp://127.0.0.1:{self.port}"
        self.procs: list[subprocess.Popen] = []
        self.logs = folder
        self.env = {**_env(), **(env or {})}
        dask = str(BIN / "dask")
        self._start("scheduler", [dask, "scheduler", "--host", "127.0.0.1", "--port", str(self.port),
                                  "--no-dashboard", "--dashboard-address", "127.0.0.1:0"])
        for name in ("w1", "w2"):
            (folder / name).mkdir()
            self._start(name, [*(wrap or []), dask, "worker", self.address, "--nthreads", "1", "--nworkers", "1",
                               "--host", "127.0.0.1", "--no-dashboard", "--dashboard-address", "127.0.0.1:0",
                               "--name", name, "--local-directory", str(folder / name), *(worker_args or [])])

    def _start(self, name: str, argv: list[str]) -> None:
        log = open(self.logs / f"{name}.log", "w")  # noqa: SIM115 - closed with the process
        self.procs.append(subprocess.Popen(argv, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                           start_new_session=True))
        log.close()

    def wait_for_workers(self, n: int = 2, timeout: float = 60) -> None:
        from distributed import Client

        with Client(self.address, timeout=timeout) as client:
            client.wait_for_workers(n, timeout=timeout)

    def worker_pids(self, name: str) -> list[int]:
        """The worker process (the nanny's child) of worker ``name``."""
        nanny = self.procs[["scheduler", "w1", "w2"].index(name)].pid
        children = Path(f"/proc/{nanny}/task/{nanny}/children").read_text().split()
        return [int(c) for c in children]

    def stop(self) -> None:
        for proc in reversed(self.procs):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in reversed(self.procs):
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def test_an_external_dask_cluster_grades_the_same_even_when_a_worker_dies(classroom: dict, tmp_path: Path) -> None:
    course = tmp_path / "course"
    shutil.copytree(classroom["fresh"], course)
    cluster = DaskCluster(tmp_path)
    try:
        cluster.wait_for_workers()
        proc = subprocess.Popen([str(BIN / "svc-course"), "autograde", ASSIGNMENT, "--scheduler", cluster.address],
                                cwd=course, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        # kill worker w1's process while it grades its first submission; its nanny starts a new one and the
        # scheduler gives the submission to a worker again
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not _sandbox_processes():
            time.sleep(0.05)
        killed = cluster.worker_pids("w1")
        for pid in killed:
            os.kill(pid, signal.SIGKILL)
        out, err = proc.communicate(timeout=400)
    finally:
        cluster.stop()
    assert killed
    assert proc.returncode == 0, err[-4000:]
    assert "on 2 Dask worker(s)" in err
    assert dump(sqlite(course)) == classroom["expected"] and rows(sqlite(course)) == 4
    assert graded_notebooks(course) == classroom["notebooks"]


CRASH_ON_BLANK = """
import os

from distributed.diagnostics.plugin import WorkerPlugin


class CrashOnBlank(WorkerPlugin):
    \"\"\"The worker process dies as soon as it starts grading the submission of student 'blank'.\"\"\"

    def transition(self, key, start, finish, **kwargs):
        if finish == "executing" and "-blank-" in str(key):
            os._exit(17)


async def dask_setup(worker):
    await worker.plugin_add(CrashOnBlank(), name="crash-on-blank")
"""


def test_a_submission_whose_worker_dies_every_time_is_named_and_the_rest_are_graded(classroom: dict,
                                                                                  tmp_path: Path) -> None:
    course = tmp_path / "course"
    shutil.copytree(classroom["fresh"], course)
    preload = tmp_path / "crash_on_blank.py"
    preload.write_text(CRASH_ON_BLANK)
    # the scheduler gives a task up (KilledWorker) once 2 workers died holding it, and puts every task on a
    # worker at once: the submissions queued behind 'blank' on a dying worker are given up too, and must be
    # graded when tried again alone
    cluster = DaskCluster(tmp_path, worker_args=["--preload", str(preload)],
                          env={"DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "1",
                               "DASK_DISTRIBUTED__SCHEDULER__WORKER_SATURATION": "inf"})
    try:
        cluster.wait_for_workers()
        ran = _run(course, "svc-course", "autograde", ASSIGNMENT, "--scheduler", cluster.address)
    finally:
        cluster.stop()
    assert ran.returncode == 1, ran.stderr[-3000:]
    failed = next(line for line in ran.stderr.splitlines() if line.startswith(f"blank/{ASSIGNMENT}: FAILED: "))
    assert "the worker process grading it died each time it was tried, also when it was graded alone" in failed
    assert "3 graded, 1 failed" in ran.stderr and "Traceback" not in ran.stderr, ran.stderr
    expected = {k: v for k, v in classroom["expected"].items() if not k.startswith("blank")}
    assert dump(sqlite(course)) == expected and rows(sqlite(course)) == 3
    assert "blank" not in _state(course) and not (course / "autograded" / "blank").exists()
    assert sorted(_state(course)) == ["honest", "late", "renamed"]


def test_workers_that_cannot_see_the_course_folder_are_named_and_nothing_is_written(classroom: dict,
                                                                                   tmp_path: Path) -> None:
    course = tmp_path / "course"
    shutil.copytree(classroom["fresh"], course)
    # the workers run with an empty folder mounted over the course's folder: they see another machine's disk
    hide = ["bwrap", "--dev-bind", "/", "/", "--tmpfs", str(tmp_path), "--"]
    logs = tmp_path.parent / f"{tmp_path.name}-logs"
    logs.mkdir()
    cluster = DaskCluster(logs, wrap=hide)
    try:
        cluster.wait_for_workers()
        ran = _run(course, "svc-course", "autograde", ASSIGNMENT, "--scheduler", cluster.address)
    finally:
        cluster.stop()
    assert ran.returncode == 1
    assert f"cannot see the course folder {course}" in ran.stderr and "worker w1" in ran.stderr
    assert "nothing was graded or changed" in ran.stderr
    assert dump(sqlite(course)) == {} and not (course / "autograded").exists()


def test_a_scheduler_that_does_not_answer_is_named(classroom: dict, tmp_path: Path) -> None:
    course = tmp_path / "course"
    shutil.copytree(classroom["fresh"], course)
    address = f"tcp://127.0.0.1:{_free_port()}"
    start = time.monotonic()
    ran = _run(course, "svc-course", "autograde", ASSIGNMENT, "--scheduler", address, "--timeout", "1")
    assert time.monotonic() - start < 60
    assert ran.returncode == 1
    assert f"the Dask scheduler at {address} is not answering" in ran.stderr
    assert "Traceback" not in ran.stderr
    assert dump(sqlite(course)) == {} and not (course / "autograded").exists()


def test_a_wrong_database_url_is_named_without_its_password(classroom: dict, tmp_path: Path) -> None:
    course = tmp_path / "course"
    shutil.copytree(classroom["fresh"], course)
    port = _free_port()
    conf = course / "nbgrader_config.py"
    conf.write_text(conf.read_text() + f"\nc.CourseDirectory.db_url = 'postgresql://grader:s3cret@127.0.0.1:{port}/gb'\n")
    ran = _run(course, "svc-course", "autograde", ASSIGNMENT)
    assert ran.returncode == 1
    assert f"cannot use the gradebook postgresql://grader:***@127.0.0.1:{port}/gb" in ran.stderr
    assert "s3cret" not in ran.stderr and "Traceback" not in ran.stderr
    assert "c.CourseDirectory.db_url in nbgrader_config.py" in ran.stderr
    assert not (course / "autograded").exists()


# --------------------------------------------------------------------------- PostgreSQL


class Postgres:
    """A throw-away PostgreSQL cluster on a free loopback port (see /work/shared/testing/scale-notes.md)."""

    def __init__(self, folder: Path) -> None:
        versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
        assert versions, "PostgreSQL is not installed: bash scripts/system-deps"
        self.bin = versions[-1].parent
        self.root = folder
        self.port = _free_port()
        subprocess.run(["install", "-d", "-o", "postgres", "-g", "postgres", str(folder), str(folder / "sock")],
                       check=True)
        self._pg("initdb", "-D", str(folder / "data"), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync",
                 "--no-instructions")
        self.pg_ctl("start")
        self.psql("CREATE ROLE grader LOGIN PASSWORD 'pw'", "CREATE DATABASE gradebook OWNER grader")
        self.url = f"postgresql://grader:pw@127.0.0.1:{self.port}/gradebook"

    def pg_ctl(self, action: str, *args: str) -> None:
        """``pg_ctl start`` (with this server's options) or ``stop``, waiting until it is done.

        Commits are durable (``synchronous_commit`` stays on, as on a real server): a server stopped with
        ``-m immediate`` keeps every transaction it acknowledged; ``fsync=off`` only skips the flush to disk.
        """
        options = ["-l", str(self.root / "log"), "-o", f"-p {self.port} -k {self.root / 'sock'} "
                   "-c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"]
        self._pg("pg_ctl", "-D", str(self.root / "data"), "-w", "-t", "30", *(options if action == "start" else []),
                 *args, action)

    def _pg(self, tool: str, *args: str) -> None:
        result = subprocess.run(["runuser", "-u", "postgres", "--", str(self.bin / tool), *args],
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr

    def psql(self, *commands: str) -> None:
        argv = [str(self.bin / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-v",
                "ON_ERROR_STOP=1"]
        for command in commands:
            argv += ["-c", command]
        result = subprocess.run(argv, capture_output=True, text=True, timeout=60)
        assert result.returncode == 0, result.stderr

    def stop(self) -> None:
        subprocess.run(["runuser", "-u", "postgres", "--", str(self.bin / "pg_ctl"), "-D", str(self.root / "data"),
                        "-m", "fast", "-w", "stop"], capture_output=True, timeout=60)  # already stopped: fine
        shutil.rmtree(self.root, ignore_errors=True)


def _postgres_course(classroom: dict, tmp_path: Path, server: Postgres) -> Path:
    """A copy of the fresh class whose gradebook is on ``server``, with ps1 generated there."""
    course = tmp_path / "course"
    shutil.copytree(classroom["fresh"], course, ignore=shutil.ignore_patterns("gradebook.db"))
    conf = course / "nbgrader_config.py"
    conf.write_text(conf.read_text() + f"\nc.CourseDirectory.db_url = '{server.url}'\n")
    assert _run(course, "nbgrader", "db", "assignment", "add", ASSIGNMENT, f"--duedate={DUE}").returncode == 0
    made = _run(course, "nbgrader", "generate_assignment", ASSIGNMENT, "--force")
    assert made.returncode == 0, made.stderr[-2000:]
    return course


def test_a_postgresql_gradebook_gets_the_same_grades_and_nbgrader_export_reads_them(classroom: dict,
                                                                                   tmp_path: Path) -> None:
    server = Postgres(Path(f"/tmp/svc-pg-{os.getpid()}-{time.monotonic_ns()}"))
    try:
        course = _postgres_course(classroom, tmp_path, server)
        ran = _run(course, "svc-course", "autograde", ASSIGNMENT, "--workers", "2")
        assert ran.returncode == 0, ran.stderr[-4000:]
        assert dump(server.url) == classroom["expected"] and rows(server.url) == 4
        by_student = _export(course, tmp_path)
        # nbgrader scores an unchanged written answer 0 by itself: nothing is left to mark by hand
        assert by_student["blank"]["status"] == "graded" and by_student["blank"]["score"] in ("0", "0.0")
    finally:
        server.stop()


def test_a_database_server_that_goes_down_mid_run_loses_nothing(classroom: dict, tmp_path: Path) -> None:
    """The server stops once the first submission is recorded: the run says so and stops; the grades written
    are kept and only those are marked graded; once the server is back the same command grades the rest."""
    server = Postgres(Path(f"/tmp/svc-pg-{os.getpid()}-{time.monotonic_ns()}"))
    try:
        course = _postgres_course(classroom, tmp_path, server)
        proc = subprocess.Popen([str(BIN / "svc-course"), "autograde", ASSIGNMENT, "--workers", "1"], cwd=course,
                                env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and not _state(course) and proc.poll() is None:
            time.sleep(0.02)
        server.pg_ctl("stop", "-m", "immediate")
        out, err = proc.communicate(timeout=300)
        recorded = _state(course)
        assert proc.returncode == 1, err[-3000:]
        assert 1 <= len(recorded) < len(STUDENTS), err[-3000:]
        assert f"cannot use the gradebook postgresql://grader:***@127.0.0.1:{server.port}/gradebook" in err
        assert "the grades written before this point are kept, and running the same command again grades the " \
               "rest" in err
        assert "Traceback" not in err and ":pw@" not in err
        server.pg_ctl("start")
        assert recorded.keys() <= scores(server.url).keys()  # what is marked graded is in the gradebook
        again = _run(course, "svc-course", "autograde", ASSIGNMENT, "--workers", "2")
        assert again.returncode == 0, again.stderr[-3000:]
        assert f"{len(recorded)} unchanged since last graded, skipped" in again.stderr
        assert dump(server.url) == classroom["expected"] and rows(server.url) == len(STUDENTS)
        assert sorted(_state(course)) == sorted(STUDENTS)
    finally:
        server.stop()


def test_late_submission_timestamps_are_nbgraders(classroom: dict) -> None:
    from nbgrader.api import Gradebook

    with Gradebook(sqlite(classroom["parallel"])) as gb:
        late = gb.find_submission(ASSIGNMENT, "late")
        assert late.timestamp == datetime.datetime(2026, 1, 10, 15, 30)
        assert late.total_seconds_late == 3.5 * 3600


def test_serial_nbgrader_autograde_applies_the_same_setup_guard(classroom: dict, tmp_path: Path) -> None:
    course = tmp_path / "course"
    shutil.copytree(classroom["serial"], course)
    before = scores(sqlite(course))
    conf = course / "nbgrader_config.py"
    conf.write_text(conf.read_text() + "\nc.Sandbox.notebook_seconds = 0\n")
    ran = _run(course, "nbgrader", "autograde", ASSIGNMENT)
    assert ran.returncode == 2, ran.stderr[-3000:]
    # blank (nothing answered: says nothing about the setup), then honest, late, renamed: all alike
    assert "the first 3 graded submission(s) (honest/ps1/ps1, late/ps1/ps1, renamed/ps1/ps1)" in ran.stderr
    assert "this looks like a setup problem" in ran.stderr
    # honest, late and renamed keep their 7 points (renamed too, which nbgrader itself zeroes first: no file
    # named ps1.ipynb), late keeps its penalty; timestamps and flags are as before
    assert scores(sqlite(course)) == before
    assert dump(sqlite(course)) == classroom["expected"]
    forced = subprocess.run([str(BIN / "nbgrader"), "autograde", ASSIGNMENT, "--student", "honest"], cwd=course,
                            env={**_env(), "SVC_GRADE_NO_SETUP_GUARD": "1"}, capture_output=True, text=True, timeout=300)
    assert forced.returncode == 0, forced.stderr[-3000:]
    assert scores(sqlite(course))["honest"] == (0.0, 0.0)


def test_an_unprivileged_instructor_grades_in_parallel_with_the_sandbox(classroom: dict) -> None:
    """A throw-away system user (removed afterwards) runs ``svc-course autograde`` on their own course copy."""
    import pwd

    if os.geteuid() != 0:
        pytest.fail("this test creates a system user: run it as root")
    name = f"svcpar{os.getpid() % 100000}"
    folder = Path(f"/tmp/svc-par-user-{os.getpid()}")
    subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", name],
                   check=True, capture_output=True)
    try:
        shutil.copytree(classroom["fresh"], folder / "course")
        (folder / "home").mkdir()
        subprocess.run(["chown", "-R", f"{name}:{name}", str(folder)], check=True)
        os.chmod(folder, 0o755)
        env = ["env", f"HOME={folder / 'home'}", f"PATH={BIN}:/usr/bin:/bin", "LANG=C.UTF-8"]
        ran = subprocess.run(["runuser", "-u", name, "--", *env, str(BIN / "svc-course"), "autograde", ASSIGNMENT,
                              "--workers", "2"], cwd=folder / "course", capture_output=True, text=True, timeout=600)
        assert ran.returncode == 0, ran.stderr[-4000:]
        course = folder / "course"
        assert dump(sqlite(course)) == classroom["expected"]
        assert graded_notebooks(course) == classroom["notebooks"]
        uid = pwd.getpwnam(name).pw_uid
        written = [course / "gradebook.db", *(course / "autograded").rglob("*"), *(course / ".svc-autograde").rglob("*")]
        assert {p.stat().st_uid for p in written} == {uid}
    finally:
        uid = pwd.getpwnam(name).pw_uid
        for entry in Path("/proc").iterdir():  # whatever this test's own user left running, by pid
            try:
                if entry.name.isdigit() and entry.stat().st_uid == uid:
                    os.kill(int(entry.name), signal.SIGKILL)
            except OSError:
                pass
        time.sleep(0.5)
        subprocess.run(["userdel", name], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)
    assert name not in {p.pw_name for p in pwd.getpwall()}


def test_a_submission_that_cannot_be_graded_is_named_and_never_passes_for_graded(classroom: dict,
                                                                                 tmp_path: Path) -> None:
    """An unreadable timestamp.txt (nbgrader itself refuses it): as serial nbgrader does, no graded copy is left
    and the earlier grades are flagged as needing attention, not shown as the new submission's."""
    from nbgrader.api import Gradebook

    course = tmp_path / "course"
    shutil.copytree(classroom["parallel"], course)
    stamp = course / "submitted" / "honest" / ASSIGNMENT / "timestamp.txt"
    stamp.write_text("the day before yesterday")
    ran = _run(course, "svc-course", "autograde", ASSIGNMENT, "honest", "--workers", "1")
    assert ran.returncode == 1
    failed = next(line for line in ran.stderr.splitlines() if line.startswith("honest/ps1: FAILED: "))
    assert "Unknown string format: the day before yesterday" in failed
    assert "1 failed" in ran.stderr and "svc-autograde-" not in ran.stderr
    assert not (course / "autograded" / "honest" / ASSIGNMENT).exists()
    with Gradebook(sqlite(course)) as gb:
        grades = gb.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, "honest").grades
        assert grades and all(g.needs_manual_grade for g in grades)
    assert _state(course)["honest"] == _state(classroom["parallel"])["honest"]  # not recorded as graded anew
