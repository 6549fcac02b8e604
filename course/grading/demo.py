"""``svc-course demo``: a whole grading round on a simulated class, in a scratch copy of the course.

In a scratch course folder (``nbgrader_config.py``, the chosen assignments of
``source/`` and the instructor-only ``keys/`` folder when there is one) it:

1. releases the assignments (``nbgrader generate_assignment``);
2. enrols a class (``nbgrader db student add``) and places their submissions in
   ``submitted/``: a strong student (the model solutions), an average and a
   weak one (solutions with planted misconceptions: confused activities, CSAT
   as a mean, NPS with 6 as a passive, open incidents counted, overlapping
   outages summed, Little's law inverted...), a blank one (the release notebook
   unchanged), a hostile one (objects equal to everything, a peek at the
   gradebook, a kernel that exits), one whose notebooks came through an LMS
   renamed (05 as ``Copy of 05-....ipynb``, graded as 05 with a note; 06 as two
   files, ``draft.ipynb`` and ``final.ipynb``, which the grader cannot tell
   apart: graded as unanswered and flagged for attention) and one who never
   submitted;
3. autogrades with the course's protected grading (``nbgrader autograde``),
   records the manual grade of one student's written answer (as formgrader
   would), and writes feedback (``nbgrader generate_feedback``);
4. writes the class report (Markdown and HTML) and the grade exports for
   Canvas, Moodle and plain CSV (with a roster);

and prints where each is.

The submissions are built from the source notebooks: an answer cell gets the
model solution, then lines that overwrite chosen answers
(:func:`student_notebook`); the wrong values come from
:mod:`course.grading.mistakes`, so the report recognises them.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_ASSIGNMENTS = ("05-mapping-scenarios", "06-value-chain-metrics")

_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")


@dataclass(frozen=True)
class Code:
    """Python source written as is into an answer cell (not a value to ``repr``)."""

    text: str


@dataclass
class Student:
    """A simulated student: who, how they answer, and what they get wrong."""

    student_id: str
    first_name: str
    last_name: str
    mode: str = "solution"  # solution | blank | renamed | absent
    overrides: dict[str, dict[str, Any]] = field(default_factory=dict)  # assignment -> name -> value or Code
    written: str | None = None  # text for written (manually graded) answers; None keeps the release stub

    @property
    def email(self) -> str:
        return f"{self.student_id}@example.edu"


# --------------------------------------------------------------------------- building a submission


def _solution_code(source: str) -> str:
    return "\n".join(line for line in source.splitlines() if not any(m in line for m in _MARKERS))


def _literal(value: Any) -> str:
    return value.text if isinstance(value, Code) else repr(value)


def student_notebook(source_nb: Any, release_nb: Any, overrides: Mapping[str, Any] | None = None, *,
                     blank: bool = False, written: str | None = None) -> Any:
    """A student's notebook: the release notebook with answer cells filled in.

    Args:
        source_nb: the instructor's source notebook (its answer cells hold the model solutions).
        release_nb: the released notebook (what students receive).
        overrides: answer name -> value (written with ``repr``) or :class:`Code`; each is
            appended to the answer cell that assigns that name (else to the last answer cell).
        blank: return the release notebook unchanged (a student who answered nothing).
        written: the text of every written (markdown) answer; None keeps the release stub.
    """
    import copy

    nb = copy.deepcopy(release_nb)
    if blank:
        return nb
    solutions = {c.metadata["nbgrader"]["grade_id"]: c for c in source_nb.cells
                 if c.get("metadata", {}).get("nbgrader", {}).get("solution")}
    answer_cells = []
    for cell in nb.cells:
        md = cell.get("metadata", {}).get("nbgrader", {})
        gid = md.get("grade_id")
        if not md.get("solution") or gid not in solutions:
            continue
        if cell.cell_type == "code":
            cell.source = _solution_code(solutions[gid].source)
            answer_cells.append(cell)
        elif written is not None:
            cell.source = written
    for name, value in (overrides or {}).items():
        target = next((c for c in answer_cells if re.search(rf"^{re.escape(name)}\s*=", c.source, re.M)),
                      answer_cells[-1] if answer_cells else None)
        if target is None:
            raise ValueError(f"no answer cell to write {name!r} into")
        target.source = target.source.rstrip("\n") + f"\n{name} = {_literal(value)}"
    return nb


def truths(source_nb: Any) -> dict[str, Any]:
    """Answer name -> the truth its test cell holds (mapping keys, expected numbers...)."""
    from .expected import expectations

    out: dict[str, Any] = {}
    for cell in source_nb.cells:
        md = cell.get("metadata", {}).get("nbgrader", {})
        if cell.cell_type == "code" and md.get("grade") and not md.get("solution"):
            for name, exp in expectations(cell.source, []).items():
                out[name] = exp.expected
    return out


# --------------------------------------------------------------------------- the simulated class

CONFUSE = {
    "design and transition": "obtain/build",
    "obtain/build": "design and transition",
    "improve": "deliver and support",
    "deliver and support": "improve",
    "plan": "engage",
    "engage": "plan",
}
"""The activity a confused student names instead of each one (the classic pairs)."""


def confused(key: Mapping[str, tuple[str, ...]], count: int) -> dict[str, Any]:
    """A mapping answer with the first ``count`` items confused (their first true activity swapped)."""
    out: dict[str, Any] = {}
    for i, (item, truth) in enumerate(key.items()):
        out[item] = [CONFUSE[truth[0]]] if i < count else list(truth)
    return out


def _variant(name: str, starts: str) -> float:
    from .mistakes import variants

    for v in variants(name):
        if v.label.startswith(starts):
            return v.value()
    raise KeyError(f"no mistake of {name!r} starting {starts!r}")


HOSTILE_EQUALS = Code(
    "type('Yes', (float,), {'__eq__': lambda s, o: True, '__ne__': lambda s, o: False, '__hash__': float.__hash__})(1.0)"
)


def class_of(assignments: list[str], source: Mapping[str, Any]) -> list[Student]:
    """The simulated class for ``assignments`` (``source`` maps each to its source notebook)."""
    average: dict[str, dict[str, Any]] = {}
    weak: dict[str, dict[str, Any]] = {}
    hostile: dict[str, dict[str, Any]] = {}
    for name in assignments:
        truth = truths(source[name])
        avg, wk, hs = {}, {}, {}
        for answer, key in truth.items():
            if isinstance(key, dict) and key and all(isinstance(v, tuple) for v in key.values()):
                if len(key) > 1:
                    avg[answer] = confused(key, 2)
                    wk[answer] = confused(key, 5)
                else:
                    wk[answer] = confused(key, 1)
                hs[answer] = {item: "plan" for item in key}
        numbers = [k for k, v in truth.items() if isinstance(v, float)]  # in notebook order
        for answer, starts in (("csat_pct", "CSAT as the mean"), ("nps_value", "6 counted as a passive")):
            if answer in numbers:
                avg[answer] = _variant(answer, starts)
        for answer, starts in (("mttr_hours", "open incidents counted"), ("availability_pct", "overlapping outages"),
                               ("change_days_in_system", "Little's law"), ("build_success_pct", "cancelled builds"),
                               ("alignment_pct", "features counted"), ("csat_pct", "CSAT as the mean")):
            if answer in numbers:
                wk[answer] = _variant(answer, starts)
        if "mape_pct" in numbers:
            wk["mape_pct"] = truth["mape_pct"] / 100  # a ratio instead of a percent
        for answer in numbers[:3]:
            hs[answer] = HOSTILE_EQUALS
        if numbers:
            last = numbers[-1]
            hs[last] = Code("None\ntry:  # peek at the gradebook, then kill the kernel\n"
                            "    print(open('../../../gradebook.db', 'rb').read(16))\nexcept OSError:\n    pass\n"
                            "import os\nos._exit(0)")
        average[name], weak[name], hostile[name] = avg, wk, hs
    return [
        Student("ada-strong", "Ada", "Strong", written="A library Wi-Fi outage restored by the network team: deliver and support."),
        Student("ben-average", "Ben", "Average", overrides=average, written="Students report a failure; it is fixed."),
        Student("cy-weak", "Cy", "Weak", overrides=weak),
        Student("dee-blank", "Dee", "Blank", mode="blank"),
        Student("eve-hostile", "Eve", "Hostile", overrides=hostile),
        Student("fin-renamed", "Fin", "Renamed", mode="renamed"),
        Student("gus-absent", "Gus", "Absent", mode="absent"),
    ]


# --------------------------------------------------------------------------- running it


def _env() -> dict[str, str]:
    env = dict(os.environ)
    bindir = str(Path(sys.executable).parent)
    env["PATH"] = bindir + os.pathsep + env.get("PATH", "")
    return env


def _run(args: list[str], cwd: Path, timeout: int = 900, allowed_failures: set[str] | None = None) -> str:
    """Run an nbgrader command of this environment; a failure stops the demo with its log.

    ``allowed_failures``: students whose failure is expected (the renamed notebook):
    nbgrader exits 1 for them, and that alone is not a failure of the demo.
    """
    bindir = Path(sys.executable).parent
    exe = bindir / args[0]
    cmd = [str(exe) if exe.exists() else args[0], *args[1:]]
    run = subprocess.run(cmd, cwd=cwd, env=_env(), capture_output=True, text=True, timeout=timeout)
    failed = set(re.findall(r"error processing assignment '[^']+' for student '([^']+)'", run.stdout + run.stderr))
    if run.returncode != 0 and not (allowed_failures is not None and failed and failed <= allowed_failures):
        raise RuntimeError(f"`{' '.join(args)}` failed in {cwd}:\n{(run.stderr or run.stdout)[-3000:]}")
    return run.stdout + run.stderr


def make_course(root: Path, dest: Path, assignments: list[str]) -> Path:
    """A scratch course folder at ``dest`` with the config, the chosen sources and ``keys/``."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy(root / "nbgrader_config.py", dest / "nbgrader_config.py")
    for name in assignments:
        shutil.copytree(root / "source" / name, dest / "source" / name, dirs_exist_ok=True)
    if (root / "keys").is_dir():
        shutil.copytree(root / "keys", dest / "keys", dirs_exist_ok=True)
    return dest


def write_roster(path: Path, students: list[Student]) -> Path:
    """A roster CSV (student_id,lms_id,name,email,section) for the enrolled students."""
    import csv

    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["student_id", "lms_id", "name", "email", "section"])
        for i, s in enumerate(students):
            w.writerow([s.student_id, str(9001 + i), f"{s.first_name} {s.last_name}", s.email, "Demo section A"])
    return path


def run(out: Path | None = None, assignments: list[str] | None = None, *, quiet: bool = False) -> dict[str, Any]:
    """Run the whole demo; return the paths written and the seconds each step took."""
    import nbformat

    from ..release import assignments as known, course_root

    try:
        root = course_root()
    except FileNotFoundError:  # run from elsewhere: the clone the package was installed from
        from ..paths import repo_root

        found = repo_root()
        if found is None:
            raise
        root = found
    names = list(assignments or DEFAULT_ASSIGNMENTS)
    unknown = [n for n in names if n not in known(root)]
    if unknown:
        raise ValueError(f"unknown assignment(s) {', '.join(unknown)}; source/ has: {', '.join(known(root))}")
    base = Path(out) if out else Path(tempfile.mkdtemp(prefix="svc-course-demo-"))
    course = base / "course"
    if course.exists():
        shutil.rmtree(course)
    make_course(root, course, names)
    timings: dict[str, float] = {}

    def step(label: str, func: Any) -> Any:
        start = time.monotonic()
        result = func()
        timings[label] = round(time.monotonic() - start, 1)
        if not quiet:
            print(f"  {label}: {timings[label]} s", flush=True)
        return result

    if not quiet:
        print(f"demo course: {course}", flush=True)
    for name in names:
        step(f"release {name}", lambda n=name: _run(["nbgrader", "generate_assignment", n, "--force"], course))
    source = {n: nbformat.read(str(course / "source" / n / f"{n}.ipynb"), as_version=4) for n in names}
    release = {n: nbformat.read(str(course / "release" / n / f"{n}.ipynb"), as_version=4) for n in names}
    students = class_of(names, source)

    def enrol() -> None:  # what `nbgrader db student add` does, in one process
        from .gradebook import open_gradebook

        with open_gradebook(course) as gb:
            for s in students:
                gb.update_or_create_student(s.student_id, first_name=s.first_name, last_name=s.last_name,
                                            email=s.email)

    step("enrol the class", enrol)
    for s in students:
        if s.mode == "absent":
            continue
        for name in names:
            folder = course / "submitted" / s.student_id / name
            folder.mkdir(parents=True, exist_ok=True)
            nb = student_notebook(source[name], release[name], s.overrides.get(name), blank=s.mode == "blank",
                                  written=s.written)
            if s.mode != "renamed":
                nbformat.write(nb, str(folder / f"{name}.ipynb"))
            elif name == names[0]:  # renamed by an LMS: graded as the notebook it stands for
                nbformat.write(nb, str(folder / f"Copy of {name}.ipynb"))
            else:  # two candidates: which one? graded as unanswered, flagged for the instructor
                for filename in ("draft.ipynb", "final.ipynb"):
                    nbformat.write(nb, str(folder / filename))
            (folder / "timestamp.txt").write_text("2026-06-01 09:00:00.000000 UTC\n", encoding="utf-8")
    for name in names:
        renamed = {s.student_id for s in students if s.mode == "renamed"}
        step(f"autograde {name}", lambda n=name: _run(["nbgrader", "autograde", n], course, allowed_failures=renamed))
    step("manual grade of ada-strong's written answers", lambda: _grade_written(course, names, "ada-strong"))
    for name in names:
        step(f"feedback {name}", lambda n=name: _run(["nbgrader", "generate_feedback", n, "--force"], course))
    written: dict[str, Any] = {"course": course, "reports": [], "exports": [], "feedback": course / "feedback"}
    old = Path.cwd()
    os.chdir(course)
    try:
        from . import lms_export, report

        for name in names:
            def one(n: str = name) -> None:
                rep = report.build(course, n)
                md = course / "reports" / f"{n}.md"
                md.parent.mkdir(parents=True, exist_ok=True)
                md.write_text(report.render(rep), encoding="utf-8")
                from .report_html import write_html

                written["reports"] += [md, write_html(rep, md.with_suffix(".html"))]

            step(f"report {name}", one)
        roster = write_roster(course / "roster.csv", students)
        written["roster"] = roster
        for fmt in ("canvas", "moodle", "csv"):
            target = course / "exports" / f"grades-{fmt}.csv"

            def export(f: str = fmt, t: Path = target) -> None:
                result = lms_export.export(course, names, fmt=f, roster=roster, out=t)
                written.setdefault("warnings", {})[f] = result.warnings

            step(f"export {fmt}", export)
            written["exports"].append(target)
    finally:
        os.chdir(old)
    written["timings"] = timings
    written["students"] = [s.student_id for s in students]
    return written


def _grade_written(course: Path, names: list[str], student: str) -> None:
    """Give ``student`` full marks on every written answer, as an instructor would in formgrader."""
    from .gradebook import open_gradebook

    with open_gradebook(course) as gb:
        for name in names:
            try:
                sub = gb.find_submission(name, student)
            except Exception:
                continue
            for nb in sub.notebooks:
                for grade in nb.grades:
                    if grade.cell.cell_type == "markdown":
                        grade.manual_score = grade.max_score
                        grade.needs_manual_grade = False
            gb.db.commit()


def main(out: str | None = None, assignments: list[str] | None = None) -> int:
    """CLI: run the demo and print where everything is."""
    start = time.monotonic()
    done = run(Path(out) if out else None, assignments)
    course = done["course"]
    print(f"\nDemo finished in {time.monotonic() - start:.0f} s. Everything is under {course}:")
    print(f"  submissions:   {course / 'submitted'} ({', '.join(done['students'])})")
    print(f"  graded copies: {course / 'autograded'}")
    print(f"  feedback:      {course / 'feedback'}")
    for path in done["reports"]:
        print(f"  report:        {path}")
    for path in done["exports"]:
        print(f"  export:        {path}")
    print(f"  roster:        {done['roster']}")
    for fmt, warnings in done.get("warnings", {}).items():
        for w in warnings:
            print(f"  {fmt} warning: {w}")
    return 0
