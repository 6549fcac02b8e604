"""Grade one submission on a Dask worker, with nbgrader's own Autograde converter, in a private folder.

The worker never writes to the course folder or to the real gradebook. It
builds a private course folder (its own ``submitted/<student>/<assignment>``
copy, links to ``source/`` and ``release/``, an SQLite gradebook made from the
coordinator's template) and runs nbgrader's ``Autograde`` converter there with
the course's ``nbgrader_config.py`` (sandbox, repair, trusted grading, notes,
rename hook, late penalties). What the converter wrote into the private
gradebook and ``autograded/`` folder goes back to the coordinator as a
:class:`Result`, which writes it into the real ones. A task can run twice (a
worker that dies is replaced and its task run again): it only ever touches its
own temporary folder.
"""

from __future__ import annotations

import datetime
import logging
import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .plan import folder_hash


@dataclass(frozen=True)
class Task:
    """One submission to grade."""

    root: str
    assignment: str
    student: str
    template: bytes  # the private gradebook: the assignment's structure, no submission
    course_id: str
    student_row: dict[str, Any] = field(default_factory=dict)
    extension: datetime.timedelta | None = None
    more_after: bool = True  # other submissions may follow on this worker (course.grading.spare_kernel.expect_more)


@dataclass
class NotebookResult:
    """One notebook's grades as the converter recorded them."""

    name: str
    late_penalty: float | None
    grades: dict[str, tuple[float | None, bool]]  # "<cell type>:<name>" -> (auto_score, needs_manual_grade)
    comments: dict[str, str | None]  # "<cell type>:<name>" -> auto_comment
    graded: bool  # an autograded notebook was written (False: nbgrader's "no submitted file", scored 0)
    seconds: float | None = None
    score: float = 0.0
    max_score: float = 0.0
    notes: list[str] = field(default_factory=list)


@dataclass
class Result:
    """What grading one submission produced (or why it failed)."""

    student: str
    assignment: str
    ok: bool
    reason: str = ""
    submission_hash: str = ""
    timestamp: datetime.datetime | None = None
    notebooks: list[NotebookResult] = field(default_factory=list)
    files: dict[str, tuple[bytes, int]] = field(default_factory=dict)  # relative path -> (content, mode)
    log: list[str] = field(default_factory=list)
    worker: str = ""
    seconds: float = 0.0
    signature: str | None = None  # see course.grading.setup_guard


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[str] = []
        self.errors: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        self.lines.append(text if record.levelno < logging.ERROR else f"error: {text}")
        if record.levelno >= logging.ERROR:
            self.errors.append(text)


def course_config(root: Path) -> Any:
    """The course folder's nbgrader configuration (its ``nbgrader_config.py``), rooted there."""
    from traitlets.config.loader import PyFileConfigLoader

    cfg = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
    cfg.CourseDirectory.root = str(root)
    return cfg


def _private_config(root: Path, work: Path) -> Any:
    cfg = course_config(root)
    cfg.CourseDirectory.root = str(work)
    cfg.CourseDirectory.db_url = f"sqlite:///{work / 'gradebook.db'}"
    return cfg


def _worker_name() -> str:
    try:
        from distributed import get_worker

        return str(get_worker().name)
    except (ImportError, ValueError):
        return f"pid {os.getpid()}"


def grade(task: Task) -> Result:
    """Grade ``task``'s submission in a private folder; never raises for a submission's own failure."""
    from ..startup import skip_unused_imports

    skip_unused_imports()
    from nbgrader.coursedir import CourseDirectory

    started = time.monotonic()
    result = Result(task.student, task.assignment, ok=False, worker=_worker_name())
    root = Path(task.root)
    work = Path(tempfile.mkdtemp(prefix="svc-autograde-"))
    old_cwd = os.getcwd()
    lines = _Lines()
    log = logging.getLogger(f"svc-course.autograde.{os.getpid()}")
    log.handlers[:] = [lines]
    log.setLevel(logging.WARNING)
    log.propagate = False
    try:
        os.chdir(root)  # as `nbgrader autograde` run in the course folder (answer keys are found from it)
        cfg = _private_config(root, work)
        real = CourseDirectory(config=course_config(root))
        private = CourseDirectory(config=cfg)
        submitted = Path(real.format_path(real.submitted_directory, task.student, task.assignment))
        copy = Path(private.format_path(private.submitted_directory, task.student, task.assignment))
        shutil.copytree(submitted, copy, symlinks=True)
        result.submission_hash = folder_hash(copy)
        for name in {real.source_directory, real.release_directory}:
            if (root / name).exists():
                (work / name).symlink_to(root / name, target_is_directory=True)
        (work / "gradebook.db").write_bytes(task.template)
        _add_student(private.db_url, task)
        _run_converter(private, cfg, task, log)
        _collect(result, private, copy, task)
        result.ok = True
    except Exception as exc:  # noqa: BLE001 - every failure becomes the submission's reason
        result.reason = _reason(exc, lines.errors)
    finally:
        os.chdir(old_cwd)
        shutil.rmtree(work, ignore_errors=True)
    # the instructor knows the course folder, not this task's private copy of it
    result.log = [line.replace(str(work), str(root)) for line in lines.lines]
    result.reason = result.reason.replace(str(work), str(root))
    result.seconds = time.monotonic() - started
    return result


_EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Exit|Interrupt)\b.*")


def _reason(exc: Exception, errors: list[str]) -> str:
    """One line on why grading failed: the exceptions nbgrader logged, else the one raised.

    >>> log = ["There was an error", "Traceback (most recent call last):", "ValueError: Unknown string format: soon"]
    >>> _reason(RuntimeError("x"), [chr(10).join(log[1:]), log[0]])
    'ValueError: Unknown string format: soon'
    >>> _reason(OSError("disk full"), [])
    'OSError: disk full'
    """
    found = [m.group(0)[:300] for e in errors for line in e.splitlines() if (m := _EXCEPTION_LINE.match(line.strip()))]
    if found:
        return "; ".join(dict.fromkeys(found))
    first = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


def _add_student(db_url: str, task: Task) -> None:
    from nbgrader.api import Gradebook

    with Gradebook(db_url, task.course_id) as gb:
        gb.update_or_create_student(task.student, **task.student_row)
        if task.extension is not None:
            gb.update_or_create_submission(task.assignment, task.student, extension=task.extension)


def _run_converter(private: Any, cfg: Any, task: Task, log: logging.Logger) -> None:
    from nbgrader.converters import Autograde

    from .. import summary
    from ..guard_step import decided_elsewhere

    from .. import spare_kernel

    spare_kernel.expect_more(task.more_after)
    decided_elsewhere()  # the coordinator holds results back (course.grading.setup_guard)
    summary.RUN.outcomes.clear()
    summary.keep_quiet_at_exit()  # the coordinator prints the run's summary
    private.assignment_id = task.assignment
    private.student_id = task.student
    converter = Autograde(coursedir=private, config=cfg, log=log)
    converter.start()


def _collect(result: Result, private: Any, copy: Path, task: Task) -> None:
    import nbformat
    from nbgrader.api import Gradebook

    from .. import summary
    from ..setup_guard import is_blank, signature

    result.timestamp = private.get_existing_timestamp(str(copy))
    out = Path(private.format_path(private.autograded_directory, task.student, task.assignment))
    for path in sorted(out.rglob("*")) if out.is_dir() else []:
        if path.is_file():
            result.files[str(path.relative_to(out))] = (path.read_bytes(), path.stat().st_mode & 0o777)
    signatures = []
    with Gradebook(private.db_url, task.course_id) as gb:
        sub = gb.find_submission(task.assignment, task.student)
        for nb in sub.notebooks:
            graded = (out / f"{nb.name}.ipynb").is_file()
            who = f"{task.student}/{task.assignment}/{nb.name}"
            outcome = summary.RUN.outcomes.get(who)
            item = NotebookResult(
                name=nb.name,
                late_penalty=nb.late_submission_penalty,
                grades={f"{g.cell.type}:{g.name}": (g.auto_score, bool(g.needs_manual_grade)) for g in nb.grades},
                comments={f"{c.cell.type}:{c.name}": c.auto_comment for c in nb.comments},
                graded=graded,
            )
            if outcome is not None:
                item.seconds, item.score, item.max_score, item.notes = (outcome.seconds, outcome.score,
                                                                        outcome.max_score, list(outcome.notes))
            result.notebooks.append(item)
            if graded:
                graded_nb = nbformat.read(str(out / f"{nb.name}.ipynb"), as_version=4)
                signatures.append(signature(graded_nb, blank=is_blank(graded_nb)))
    failed = [who for who, o in summary.RUN.outcomes.items() if o.seconds is None]
    if failed:
        raise RuntimeError(f"grading stopped with an error in {', '.join(failed)}")
    real_sigs = [s for s in signatures if s is not None]
    result.signature = real_sigs[0] if real_sigs and len(real_sigs) == len(signatures) else None


def warm_up(root: str, assignment: str) -> None:
    """A worker's first task, while the coordinator still prepares the run: get ready to grade at once.

    Imports the grading code, checks the sandbox once (:func:`course.grading.sandbox.preflight`)
    and starts the kernel the first submission will take (:mod:`course.grading.spare_kernel`),
    empty, in the thread that runs the grading tasks. Never raises: :func:`probe` says what is
    wrong with the course folder or the sandbox, and a first submission without a spare kernel
    starts its own.
    """
    from ..startup import skip_unused_imports

    skip_unused_imports()
    old = os.getcwd()
    try:
        from nbgrader.converters import Autograde  # noqa: F401 - imported now, used by the first task

        from .. import spare_kernel
        from ..preprocessors import SandboxedExecute
        from ..sandbox import preflight

        os.chdir(root)
        cfg = course_config(Path(root))
        execute = SandboxedExecute(config=cfg)
        preflight(execute.sandbox)
        if execute.sandbox.enabled and execute.sandbox.start_ahead:
            spare_kernel.start_for(cfg, execute.kernel_name or _kernel_name(Path(root), assignment, cfg))
    except Exception:  # noqa: BLE001, S110 - the probe and the first submission report it
        pass
    finally:
        os.chdir(old)


def _kernel_name(root: Path, assignment: str, cfg: Any) -> str:
    """The kernel of the assignment's first source notebook ("" when there is none)."""
    import json

    from nbgrader.coursedir import CourseDirectory

    coursedir = CourseDirectory(config=cfg)
    for path in sorted(Path(coursedir.format_path(coursedir.source_directory, ".", assignment)).glob("*.ipynb")):
        return str(json.loads(path.read_text()).get("metadata", {}).get("kernelspec", {}).get("name", ""))
    return ""


def finish(leaving: bool) -> None:
    """Run on every worker when a run ends (``Client.run``): kill its spare kernel.

    A worker of the run's own LocalCluster is about to exit (``leaving``): its
    last garbage collection, which would walk every object the grading code
    loaded, is skipped (the process frees its memory as it exits).
    """
    import gc

    from ..spare_kernel import discard_spare

    discard_spare()
    if leaving:
        gc.freeze()


def probe(root: str, source_digest: str, assignment: str, dask_worker: Any = None) -> dict[str, Any]:
    """Run on every worker before grading (``Client.run``): can it see the course folder, and grade here?"""
    import course

    from ..startup import skip_unused_imports

    skip_unused_imports()
    from ..sandbox import Sandbox, SandboxUnavailable, preflight
    from .plan import folder_hash as digest_of

    name = str(dask_worker.name) if dask_worker is not None else _worker_name()
    out: dict[str, Any] = {"worker": name, "course_package": str(Path(course.__file__).resolve().parent)}
    folder = Path(root)
    if not (folder / "nbgrader_config.py").is_file():
        out["problem"] = f"cannot see the course folder {root} (no nbgrader_config.py there)"
        return out
    try:
        from nbgrader.coursedir import CourseDirectory

        real = CourseDirectory(config=course_config(folder))
        source = Path(real.format_path(real.source_directory, ".", assignment))
        if digest_of(source) != source_digest:
            out["problem"] = (f"sees a different {source} than the coordinating process (another copy of the "
                              "course folder at the same path?)")
            return out
        old = os.getcwd()
        try:
            os.chdir(folder)
            preflight(Sandbox(config=course_config(folder)))
        finally:
            os.chdir(old)
    except SandboxUnavailable as exc:
        out["problem"] = f"cannot run the grading sandbox: {exc}"
    except Exception as exc:  # noqa: BLE001
        out["problem"] = f"cannot read the course folder {root}: {type(exc).__name__}: {exc}"
    return out
