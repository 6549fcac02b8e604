"""``svc-course autograde ASSIGNMENT [STUDENT...]``: grade every submission of an assignment in parallel.

Every submission is graded by nbgrader's own Autograde converter with the
course's settings (sandbox, repair, trusted grading, notes, rename hook, late
penalties) on a Dask worker (:mod:`.worker`); this process alone writes the
results into the gradebook and ``autograded/`` (:mod:`.merge`), then records
the content hashes it graded (:mod:`.plan`), so a run stopped at any moment is
completed by running it again. The first submissions pass the class-level
guard (:mod:`course.grading.setup_guard`) before any grade is written.
"""

from __future__ import annotations

import fcntl
import re
import sys
import time
from pathlib import Path
from typing import Any, NamedTuple, TextIO

from . import merge, plan
from .cluster import Cluster, ClusterProblem, Starting, check_workers, start_fork_server
from .progress import Progress
from .worker import Result, Task, course_config, grade


class GradingProblem(RuntimeError):
    """The run cannot start or go on; the message says what is wrong and what to do."""


def _safe_url(url: str) -> str:
    """A database URL with its password hidden.

    >>> _safe_url("postgresql://grader:secret@127.0.0.1:5432/gradebook")
    'postgresql://grader:***@127.0.0.1:5432/gradebook'
    """
    return re.sub(r"(://[^:/@]+:)[^@]*@", r"\1***@", url)


def _db_problem(url: str, exc: Exception, *, started: bool = False) -> GradingProblem:
    first = str(exc).strip().splitlines()[0][:240] if str(exc).strip() else type(exc).__name__
    after = ("the grades written before this point are kept, and running the same command again grades the "
             "rest" if started else "nothing was graded or changed")
    return GradingProblem(
        f"cannot use the gradebook {_safe_url(url)} ({type(exc).__name__}: {first}). Check "
        "c.CourseDirectory.db_url in nbgrader_config.py (for PostgreSQL: host, port, user, password, database) "
        f"and that the database server is running; {after}")


def submissions(coursedir: Any, assignment: str) -> dict[str, Path]:
    """Student id -> submitted folder of ``assignment``, as nbgrader finds them (exclusions applied)."""
    pattern = coursedir.format_path(coursedir.submitted_directory, "*", assignment)
    regexp = coursedir.format_path(coursedir.submitted_directory, "(?P<student_id>[^/]+)", re.escape(assignment),
                                   escape=True)
    excluded = set(filter(None, str(coursedir.student_id_exclude or "").split(",")))
    found = {}
    import glob

    for path in sorted(glob.glob(pattern)):
        m = re.match(regexp, path)
        if m and Path(path).is_dir() and m.group("student_id") not in excluded:
            found[m.group("student_id")] = Path(path)
    return found


def _killed_worker(future: Any) -> bool:
    """Dask gave the task up: the workers it was on kept dying (``KilledWorker``)."""
    return future.status == "error" and type(future.exception()).__name__ == "KilledWorker"


def _future_failure(future: Any, student: str, assignment: str) -> Result:
    reason = "lost: the Dask scheduler or its workers went away before it was graded"
    if future.status == "error":
        exc = future.exception()
        if _killed_worker(future):
            reason = ("the worker process grading it died each time it was tried, also when it was graded alone "
                      "(killed, out of memory or crashed); nothing was recorded for it")
        else:
            reason = f"{type(exc).__name__}: {str(exc).splitlines()[0][:300] if str(exc) else ''}"
    return Result(student, assignment, ok=False, reason=reason)


def main(assignment: str, students: list[str] | None = None, *, workers: int | None = None,
         scheduler: str | None = None, force: bool = False, root: str | Path | None = None,
         stream: TextIO | None = None, guard_first: int | None = None, timeout: float = 20.0,
         setup_guard: bool = True) -> int:
    """Run the command; return the exit code (0: all graded; 1: some failed or the run could not start)."""
    from ..startup import skip_unused_imports

    skip_unused_imports()
    out = stream or sys.stderr
    try:
        return _run(assignment, students or [], workers=workers, scheduler=scheduler, force=force,
                    root=Path(root or Path.cwd()).resolve(), out=out, guard_first=guard_first,
                    timeout=timeout, setup_guard=setup_guard)
    except (GradingProblem, ClusterProblem) as exc:
        print(f"svc-course autograde: error: {exc}", file=out, flush=True)
        return 1


def _run(assignment: str, wanted: list[str], *, workers: int | None, scheduler: str | None, force: bool,
         root: Path, out: TextIO, guard_first: int | None, timeout: float, setup_guard: bool) -> int:
    started = time.monotonic()
    if not (root / "nbgrader_config.py").is_file():
        raise GradingProblem(f"{root} is not a course folder (no nbgrader_config.py): run this in the course folder")
    # the workers start and import the grading code while this process reads the gradebook and hashes
    if not scheduler:
        start_fork_server()
    starting = Starting(scheduler, workers, str(root), assignment, timeout=timeout)
    from ..setup_guard import FIRST, Guard
    from ..summary import RunSummary

    try:
        prepared = _prepare(assignment, wanted, root=root, force=force, out=out)
    except BaseException:
        starting.close_unused()
        raise
    if prepared is None:
        starting.close_unused()
        return 0
    (cfg, coursedir, db_url, course_id, source, tpl, students_rows, extensions, src_digest, state_file, lock,
     state, todo, skipped) = prepared
    try:
        cluster: Cluster = starting.result()
    except BaseException:
        lock.close()
        raise
    progress = Progress(len(todo), out)
    summary = RunSummary()
    results: list[Result] = []
    create_student = bool(cfg.Autograde.get("create_student", True))
    try:
        problems = check_workers(cluster, str(root), plan.folder_hash(source), assignment)
        if problems:
            raise ClusterProblem("the Dask workers cannot grade this course: " + "; ".join(problems)
                                 + ". Workers must see the course folder at the same path, with the same "
                                 "Python environment; nothing was graded or changed")
        progress.say(f"grading {len(todo)} submission(s) of {assignment} on {cluster.workers} Dask worker(s)"
                     + (f"; {skipped} unchanged since last graded, skipped" if skipped else ""))
        client = cluster.client
        futures: dict[Any, str] = {}

        # the last submission each worker takes needs no kernel started ahead for a next one
        last_wave = set(todo[-max(1, cluster.workers):])

        def submit(student: str, *, alone: bool = False) -> Any:
            task = Task(str(root), assignment, student, tpl, course_id,
                        {k: v for k, v in students_rows.get(student, {}).items() if v is not None},
                        extensions.get(student), more_after=not alone and student not in last_wave)
            future = client.submit(grade, task, pure=False, key=f"svc-grade-{assignment}-{student}-{time.time_ns()}")
            futures[future] = student
            return future

        for student in todo:
            submit(student)
        guard = Guard(first=guard_first or FIRST)
        if not setup_guard:
            guard.verdict = "ok"
        held: list[Result] = []

        def record(result: Result) -> None:
            who = f"{result.student}/{result.assignment}"
            for line in result.log:
                progress.say(line if line.startswith(who) else f"{who}: {line}")
            if result.ok:
                dest = Path(coursedir.format_path(coursedir.autograded_directory, result.student, assignment))
                merge.write_files(dest, result.files)
                try:
                    with merge.errors_reported_once():
                        merge.commit(db_url, course_id, result, create_student=create_student)
                except Exception as exc:  # noqa: BLE001
                    raise _db_problem(db_url, exc, started=True) from exc
                state[result.student] = plan.Graded(result.submission_hash, src_digest)
                plan.save_state(state_file, state)
                for nb in result.notebooks:
                    summary.add(f"{result.student}/{assignment}/{nb.name}", nb.seconds if nb.graded else 0.0,
                                nb.score, nb.max_score, nb.notes)
            else:
                # as nbgrader does with a submission it failed to grade: no graded copy (and so no
                # feedback) from an earlier grading, and its earlier grades flagged
                merge.remove_graded_copy(
                    Path(coursedir.format_path(coursedir.autograded_directory, result.student, assignment)))
                try:
                    with merge.errors_reported_once():
                        merge.flag_failed(db_url, course_id, result.student, assignment)
                except Exception as exc:  # noqa: BLE001
                    raise _db_problem(db_url, exc, started=True) from exc
                summary.add(f"{result.student}/{assignment}", None, reason=result.reason)
            results.append(result)
            progress.finished(result)

        from distributed import wait

        pending = set(futures)
        budget = _stall_seconds(cfg, tpl)
        last = time.monotonic()
        # A worker that dies takes the submissions queued on it along: Dask gives up on each one that was
        # there for too many deaths (KilledWorker), the culprit's and innocent ones alike. Each is tried once
        # more, alone on the cluster, so only the one that kills its worker fails.
        suspects: list[str] = []
        alone: set[str] = set()
        while pending or suspects:
            if not pending:
                student = suspects.pop(0)
                alone.add(student)
                pending = {submit(student, alone=True)}
                last = time.monotonic()
            try:
                done, pending = wait(pending, timeout=2, return_when="FIRST_COMPLETED")
            except TimeoutError:
                done = set()
            if not done:
                if time.monotonic() - last > budget:
                    for f in pending:
                        f.cancel()
                        record(Result(futures[f], assignment, ok=False,
                                      reason=f"no worker finished it within {budget:.0f} s (a worker may have "
                                      "been restarted or lost; see the workers' logs)"))
                    pending = set()
                continue
            last = time.monotonic()
            for f in sorted(done, key=lambda f: futures[f]):
                if _killed_worker(f) and futures[f] not in alone:
                    suspects.append(futures[f])
                    continue
                result = f.result() if f.status == "finished" else _future_failure(f, futures[f], assignment)
                if guard.verdict is None and result.ok:
                    guard.add(result.student, result.signature)
                    held.append(result)
                    if guard.verdict is None:
                        continue
                    if guard.stopped:
                        break
                    for r in held:
                        record(r)
                    held = []
                else:
                    record(result)
            if guard.stopped:
                for f in pending:
                    f.cancel()
                break
        if guard.verdict is None:
            guard.finish()
            if not guard.stopped:
                for r in held:
                    record(r)
        if guard.stopped:
            progress.say(f"svc-course autograde: {guard.message()}")
            return 2
    finally:
        cluster.close()
        lock.close()
    elapsed = time.monotonic() - started
    progress.say(summary.render())
    notebooks = sum(len(r.notebooks) for r in results if r.ok)
    failed = [r for r in results if not r.ok]
    progress.say(f"  submissions: {len(results) - len(failed)} graded, {len(failed)} failed, {skipped} unchanged "
                 f"since last graded (skipped); {notebooks} notebook(s) in {elapsed:.1f} s on {cluster.workers} "
                 f"worker(s): {elapsed / max(notebooks, 1):.2f} s per notebook, "
                 f"{notebooks / elapsed if elapsed else 0:.2f} notebooks/s")
    return 1 if failed else 0


class _Prepared(NamedTuple):
    """What a run grades, and what it needs to write the results."""

    cfg: Any  # the course's nbgrader configuration
    coursedir: Any
    db_url: str
    course_id: str
    source: Path  # the assignment's source folder
    tpl: bytes  # the private gradebook template (merge.template)
    students_rows: dict[str, dict[str, Any]]
    extensions: dict[str, Any]
    src_digest: str
    state_file: Path
    lock: TextIO  # the assignment's run lock, held until the run ends
    state: dict[str, plan.Graded]
    todo: list[str]
    skipped: int


def _prepare(assignment: str, wanted: list[str], *, root: Path, force: bool, out: TextIO) -> _Prepared | None:
    """What the run grades, read from the course folder and the gradebook (None: nothing to grade)."""
    from nbgrader.api import MissingEntry
    from nbgrader.coursedir import CourseDirectory

    from ..keys import keys_dir

    cfg = course_config(root)
    coursedir = CourseDirectory(config=cfg)
    db_url, course_id = str(coursedir.db_url), str(coursedir.course_id)
    source = Path(coursedir.format_path(coursedir.source_directory, ".", assignment))
    if not source.is_dir():
        raise GradingProblem(f"no assignment {assignment}: {source} does not exist")
    try:
        with merge.errors_reported_once():
            tpl = merge.template(db_url, course_id, assignment)
            students_rows, extensions = merge.students_and_submissions(db_url, course_id, assignment)
    except MissingEntry:
        raise GradingProblem(f"the gradebook {_safe_url(db_url)} has no assignment {assignment}: run "
                             f"`nbgrader generate_assignment {assignment}` first") from None
    except Exception as exc:  # noqa: BLE001 - SQLAlchemy, the driver, the network
        raise _db_problem(db_url, exc) from exc
    found = submissions(coursedir, assignment)
    unknown = [s for s in wanted if s not in found]
    if unknown:
        raise GradingProblem(f"no submission of {assignment} by {', '.join(unknown)} in "
                             f"{coursedir.format_path(coursedir.submitted_directory, '*', assignment)}")
    if wanted:
        found = {s: p for s, p in found.items() if s in wanted}
    if not found:
        print(f"svc-course autograde: no submission of {assignment} to grade", file=out)
        return None
    try:
        keys: Path | None = keys_dir(root)
    except FileNotFoundError:
        keys = None
    src_digest = plan.source_hash(source, keys, root / "nbgrader_config.py")
    hashes = {s: plan.folder_hash(p) for s, p in found.items()}
    state_file = plan.state_path(root, assignment)
    state_file.parent.mkdir(parents=True, exist_ok=True)
    lock = open(state_file.with_suffix(".lock"), "w")  # noqa: SIM115 - held for the whole run
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        raise GradingProblem(f"another svc-course autograde of {assignment} is running in this course folder "
                             f"(it holds {lock.name}); wait for it to finish") from None
    state = plan.load_state(state_file)
    todo = plan.to_grade(hashes, src_digest, state, set(extensions), force=force)
    skipped = len(found) - len(todo)
    if not todo:
        print(f"svc-course autograde: all {len(found)} submission(s) of {assignment} are graded and unchanged "
              "since (--force grades them again)", file=out)
        lock.close()
        return None
    return _Prepared(cfg, coursedir, db_url, course_id, source, tpl, students_rows, extensions, src_digest,
                     state_file, lock, state, todo, skipped)


def _stall_seconds(cfg: Any, tpl: bytes) -> float:
    """How long the run waits with no submission finishing before it gives the rest up."""
    import sqlite3
    import tempfile

    from ..sandbox import Sandbox

    with tempfile.NamedTemporaryFile(suffix=".db") as fh:
        fh.write(tpl)
        fh.flush()
        with sqlite3.connect(fh.name) as db:
            notebooks = db.execute("select count(*) from notebook").fetchone()[0]
    return max(1, notebooks) * (Sandbox(config=cfg).notebook_seconds + 60) + 120
