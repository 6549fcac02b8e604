"""Benchmark (run by hand, not part of the tests): plain vs protected serial vs parallel autograding.

    python benchmarks/autograde.py [--submissions 8] [--assignment 06-value-chain-metrics] [--workers N]

In three scratch copies of one course folder holding N submissions (correct,
partly answered, blank, and a few hostile ones: a blank notebook that turns
every check into a no-op, a kernel that exits half-way), it grades with

1. plain ``nbgrader autograde``: nbgrader's own preprocessors, no course protections;
2. protected serial ``nbgrader autograde``: the course's nbgrader_config.py (sandbox, trusted grading...);
3. ``svc-course autograde``: the same protections on a Dask LocalCluster (one worker per core);

and prints notebooks per second, the ratios, the mean seconds per notebook
spent outside the notebook's cells (wall time x processes / notebooks minus the
time the kernel spent running cells, read from the graded notebooks), and
whether every run gave the same scores. Wall times depend on what else runs on
the machine: the load average is printed too.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

PLAIN_CONFIG = """c = get_config()  # noqa: F821
c.CourseDirectory.course_id = "svc-value-chain"
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
c.Execute.timeout = 20
"""

# Hostile submissions: a blank notebook whose first answer turns every check of course.checks into a
# no-op (in plain nbgrader, where tests run in the student's kernel, every test then passes), and a
# correct one whose kernel exits half-way.
HOSTILE = {
    "patches-checks": "\nfrom course import checks as _c\nfor _n in dir(_c):\n"
                      "    if not _n.startswith('_') and callable(getattr(_c, _n)):\n"
                      "        setattr(_c, _n, lambda *a, **k: None)\n",
    "exits": "\nimport os\nos._exit(0)\n",
}


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{BIN}:{env.get('PATH', '')}"
    return env


def _run(course: Path, *argv: str) -> float:
    start = time.monotonic()
    result = subprocess.run([str(BIN / argv[0]), *argv[1:]], cwd=course, env=_env(), capture_output=True, text=True)
    seconds = time.monotonic() - start
    # exit status 1 is a class with failed submissions (nbgrader's convention); a traceback is the tool failing
    if result.returncode not in (0, 1) or "Traceback (most recent call last)" in result.stderr.split("\n[")[-1]:
        raise SystemExit(f"{' '.join(argv)} failed in {course}:\n{result.stderr[-3000:]}")
    return seconds


def _make_course(root: Path, assignment: str, n: int) -> list[str]:
    import nbformat

    from course.grading.demo import student_notebook

    root.mkdir(parents=True)
    shutil.copy(REPO / "nbgrader_config.py", root)
    shutil.copytree(REPO / "source" / assignment, root / "source" / assignment)
    if (REPO / "keys").is_dir():
        shutil.copytree(REPO / "keys", root / "keys")
    _run(root, "nbgrader", "generate_assignment", assignment, "--force")
    source = nbformat.read(str(root / "source" / assignment / f"{assignment}.ipynb"), as_version=4)
    release = nbformat.read(str(root / "release" / assignment / f"{assignment}.ipynb"), as_version=4)
    kinds = ["correct", "partly", "blank", "correct", "partly", "patches-checks", "correct", "exits"]
    students = []
    for i in range(n):
        kind = kinds[i % len(kinds)]
        student = f"s{i:03d}-{kind}"
        nb = student_notebook(source, release, blank=kind in ("blank", "patches-checks"))
        answers = [c for c in nb.cells if c.get("metadata", {}).get("nbgrader", {}).get("solution")
                   and c.cell_type == "code"]
        if kind == "partly":
            blank_cells = {c.metadata["nbgrader"]["grade_id"]: c for c in release.cells if "nbgrader" in c.metadata}
            for cell in answers[1::2]:
                cell.source = blank_cells[cell.metadata["nbgrader"]["grade_id"]].source
        elif kind in HOSTILE:
            target = answers[0] if kind == "patches-checks" else answers[len(answers) // 2]
            target.source += HOSTILE[kind]
        folder = root / "submitted" / student / assignment
        folder.mkdir(parents=True)
        nbformat.write(nb, str(folder / f"{assignment}.ipynb"))
        students.append(student)
    return students


def _scores(course: Path, assignment: str) -> dict[str, float]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        return {s.student_id: round(float(s.code_score), 4) for s in gb.assignment_submissions(assignment)}


def _cell_seconds(course: Path) -> list[float]:
    """Per graded notebook: seconds the kernel spent running its cells (nbclient's timestamps)."""
    out = []
    for path in sorted((course / "autograded").rglob("*.ipynb")):
        total = 0.0
        for cell in json.loads(path.read_text())["cells"]:
            ex = cell.get("metadata", {}).get("execution", {})
            if "iopub.execute_input" in ex and "shell.execute_reply" in ex:
                a = datetime.datetime.fromisoformat(ex["iopub.execute_input"].replace("Z", "+00:00"))
                b = datetime.datetime.fromisoformat(ex["shell.execute_reply"].replace("Z", "+00:00"))
                total += (b - a).total_seconds()
        out.append(total)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=8)
    parser.add_argument("--assignment", default="06-value-chain-metrics")
    parser.add_argument("--workers", type=int, default=None, help="svc-course autograde workers (default: one per core)")
    args = parser.parse_args(argv)
    workers = args.workers or os.cpu_count() or 1
    base = Path(tempfile.mkdtemp(prefix="svc-bench-"))
    try:
        students = _make_course(base / "template", args.assignment, args.submissions)
        runs: dict[str, tuple[float, int, Path]] = {}
        plain = base / "plain"
        shutil.copytree(base / "template", plain)
        (plain / "nbgrader_config.py").write_text(PLAIN_CONFIG)
        runs["plain nbgrader autograde"] = (_run(plain, "nbgrader", "autograde", args.assignment), 1, plain)
        protected = base / "protected"
        shutil.copytree(base / "template", protected)
        runs["protected serial nbgrader autograde"] = (_run(protected, "nbgrader", "autograde", args.assignment), 1,
                                                       protected)
        parallel = base / "parallel"
        shutil.copytree(base / "template", parallel)
        runs["svc-course autograde"] = (_run(parallel, "svc-course", "autograde", args.assignment, "--workers",
                                             str(workers)), workers, parallel)
        n = len(students)
        print(f"{n} submissions of {args.assignment}; {os.cpu_count()} cores; load average (1 min) at the end "
              f"{os.getloadavg()[0]:.1f}")
        print(f"{'run':40} {'wall s':>7} {'nb/s':>6} {'s/nb':>6} {'outside cells s/nb':>19}")
        rate = {}
        for name, (seconds, procs, course) in runs.items():
            cells = _cell_seconds(course)
            outside = seconds * procs / n - (statistics.mean(cells) if cells else 0.0)
            rate[name] = n / seconds
            print(f"{name:40} {seconds:7.1f} {rate[name]:6.2f} {seconds / n:6.2f} {outside:19.2f}")
        par, ser, pl = (rate["svc-course autograde"], rate["protected serial nbgrader autograde"],
                        rate["plain nbgrader autograde"])
        print(f"svc-course autograde / protected serial: {par / ser:.2f}x (target >= 1.7x on 2 cores)")
        print(f"svc-course autograde / plain nbgrader:   {par / pl:.2f}x (target > 1)")
        print(f"protected serial / plain nbgrader:       {ser / pl:.2f}x")
        s_plain, s_prot, s_par = (_scores(c, args.assignment) for _, _, c in runs.values())
        print("protected serial and svc-course autograde give identical scores:", s_prot == s_par)
        honest = [s for s in students if not any(s.endswith(k) for k in HOSTILE)]
        print("plain nbgrader gives the same scores on the non-hostile submissions:",
              all(s_plain.get(s) == s_par.get(s) for s in honest))
        for s in students:
            if len({s_plain.get(s), s_prot.get(s), s_par.get(s)}) > 1:
                print(f"  {s}: plain {s_plain.get(s)}, protected {s_prot.get(s)}, svc-course {s_par.get(s)}")
    finally:
        shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
