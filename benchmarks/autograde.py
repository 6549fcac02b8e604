"""Benchmark (run by hand, not part of the tests): plain vs protected serial vs parallel autograding.

    python benchmarks/autograde.py [--submissions 8] [--rounds 1] [--assignment 06-value-chain-metrics] [--workers N]

In scratch copies of one course folder holding N submissions (correct,
partly answered, blank, and a few hostile ones: a blank notebook that turns
every check into a no-op, a kernel that exits half-way), it grades with

1. plain ``nbgrader autograde``: nbgrader's own preprocessors, no course protections;
2. protected serial ``nbgrader autograde``: the course's nbgrader_config.py (sandbox, trusted grading...);
3. ``svc-course autograde``: the same protections on a Dask LocalCluster (one worker per core);

and prints notebooks per second, the ratios, the mean seconds per notebook
spent outside the notebook's cells (wall time x processes / notebooks minus the
time the kernel spent running cells, read from the graded notebooks), and
whether every run gave the same scores.

Wall times depend on what else runs on the machine (on a shared virtual machine
the same run was seen to take 38 s and 54 s within the hour): ``--rounds R``
runs the three R times, interleaved and in a rotating order, and reports the
median wall time of each and the ratio of every round, so that the ratios
compare runs made side by side. The load average is printed too.
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


RUNS = ("plain nbgrader autograde", "protected serial nbgrader autograde", "svc-course autograde")


def _grade(name: str, template: Path, course: Path, assignment: str, workers: int) -> float:
    """Grade a fresh copy of ``template`` at ``course`` the way ``name`` says; its wall time."""
    shutil.copytree(template, course)
    if name == RUNS[0]:
        (course / "nbgrader_config.py").write_text(PLAIN_CONFIG)
    if name == RUNS[2]:
        return _run(course, "svc-course", "autograde", assignment, "--workers", str(workers))
    return _run(course, "nbgrader", "autograde", assignment)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=1, help="run the three this many times, interleaved")
    parser.add_argument("--assignment", default="06-value-chain-metrics")
    parser.add_argument("--workers", type=int, default=None, help="svc-course autograde workers (default: one per core)")
    args = parser.parse_args(argv)
    workers = args.workers or os.cpu_count() or 1
    procs = {RUNS[0]: 1, RUNS[1]: 1, RUNS[2]: workers}
    base = Path(tempfile.mkdtemp(prefix="svc-bench-"))
    try:
        students = _make_course(base / "template", args.assignment, args.submissions)
        walls: dict[str, list[float]] = {name: [] for name in RUNS}
        outside: dict[str, list[float]] = {name: [] for name in RUNS}
        scores: dict[str, dict[str, float]] = {}
        n = len(students)
        for r in range(args.rounds):
            order = RUNS[r % 3:] + RUNS[:r % 3]
            for name in order:
                course = base / f"{RUNS.index(name)}-{r}"
                seconds = _grade(name, base / "template", course, args.assignment, workers)
                cells = _cell_seconds(course)
                walls[name].append(seconds)
                outside[name].append(seconds * procs[name] / n - (statistics.mean(cells) if cells else 0.0))
                got = _scores(course, args.assignment)
                if name in scores and scores[name] != got:
                    raise SystemExit(f"{name} gave other scores in round {r + 1}: {got} after {scores[name]}")
                scores[name] = got
                shutil.rmtree(course)
        print(f"{n} submissions of {args.assignment}; {os.cpu_count()} cores; {args.rounds} round(s); "
              f"load average (1 min) at the end {os.getloadavg()[0]:.1f}")
        print(f"{'run':40} {'wall s':>7} {'nb/s':>6} {'s/nb':>6} {'outside cells s/nb':>19}"
              + ("   wall s of each round" if args.rounds > 1 else ""))
        rate = {}
        for name in RUNS:
            seconds = statistics.median(walls[name])
            rate[name] = n / seconds
            rounds = "   " + " ".join(f"{w:.1f}" for w in walls[name]) if args.rounds > 1 else ""
            print(f"{name:40} {seconds:7.1f} {rate[name]:6.2f} {seconds / n:6.2f} "
                  f"{statistics.median(outside[name]):19.2f}{rounds}")

        def ratio(faster: str, slower: str, label: str, target: str) -> None:
            each = [s / f for f, s in zip(walls[faster], walls[slower])]
            spread = f"; each round {', '.join(f'{x:.2f}x' for x in each)}" if args.rounds > 1 else ""
            print(f"{label} {rate[faster] / rate[slower]:.2f}x{target}{spread}")

        ratio(RUNS[2], RUNS[1], "svc-course autograde / protected serial:", " (target >= 1.7x on 2 cores)")
        ratio(RUNS[2], RUNS[0], "svc-course autograde / plain nbgrader:  ", " (target > 1)")
        ratio(RUNS[1], RUNS[0], "protected serial / plain nbgrader:      ", "")
        s_plain, s_prot, s_par = (scores[name] for name in RUNS)
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
