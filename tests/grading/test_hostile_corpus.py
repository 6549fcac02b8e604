"""Grade the hostile corpus with the real ``nbgrader autograde`` in one class run.

Checks: no submission scores above what its real work earns (honest ones get
full marks), nothing escapes the sandbox, every failure is explained in the
graded notebook, ``submitted/`` is untouched, grading twice gives the same
grades, and a run killed half-way completes when run again.
Figures (attacks, undeserved points, escapes, lost, seconds per notebook) are
written to ``test-artifacts/grading-corpus.json`` and printed.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from .corpus import (
    AFTER_LIMIT,
    BURNERS,
    CORPUS,
    CPU_SECONDS,
    FULL,
    LEFTOVER_COMMANDS,
    NOTEBOOK_SECONDS,
    OUTPUT_LIMIT,
    RECORDED_PREFIX,
    RENAMED,
    SLEEPERS,
    UNRESOLVED,
    key_hunt,
    render,
)

pytestmark = pytest.mark.grading

HERE = Path(__file__).parent
REPO = HERE.parent.parent
ARTIFACTS = REPO / "test-artifacts"
ASSIGNMENT = "ps1"
# a line of the graded key of wifi-01 (its explanation), which only keys/scenarios.yml holds
KEY_NEEDLE = "Logging an incident and restoring service for users is deliver and support."


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}:{env.get('PATH', '')}"
    return env


def _nbgrader(course: Path, *args: str, timeout: int = 900) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(Path(sys.executable).parent / "nbgrader"), *args],
        cwd=course, env=_env(), capture_output=True, text=True, timeout=timeout,
    )


def _checksums(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*")) if p.is_file()
    }


def _scores(course: Path) -> dict[str, float]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        out = {}
        for student in gb.students:
            try:
                sub = gb.find_submission(ASSIGNMENT, student.id)
            except Exception:
                continue
            out[student.id] = float(sub.code_score)
        return out


class Listener:
    """A TCP server on loopback that counts connections (a sandbox must make none)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.5)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
                self.connections += 1
                conn.close()
            except OSError:
                continue

    def close(self) -> None:
        self._stop = True
        self.thread.join(timeout=2)
        self.sock.close()


# this module's grading runs use their own uid range, so that other grading on the
# machine (another test run) is not mistaken for processes left behind
FIRST_UID = 300_000 + (os.getpid() % 100) * 50_000


def _sandbox_processes() -> list[int]:
    """Processes still running as one of this module's sandbox uids (left behind)."""
    first = FIRST_UID
    left = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            uid = int(next(line for line in (entry / "status").read_text().splitlines() if line.startswith("Uid:")).split()[1])
        except (OSError, StopIteration, ValueError):
            continue
        if first <= uid < first + 50_000:
            left.append(int(entry.name))
    return left


def _processes_running(commands: tuple[str, ...]) -> list[str]:
    """Processes on the machine whose command line is one of ``commands`` (whoever runs them)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
        except OSError:
            continue
        if cmdline in commands:
            found.append(f"{entry.name}: {cmdline}")
    return found


def _plant_home_canary() -> Path:
    """A canary file in a home folder of this machine that the sandbox's uid could read without the sandbox.

    Graded as root, the kernel runs as an unprivileged uid, which cannot enter root's own home
    (mode 0700): the canary goes in a world-readable home folder under /home instead.
    """
    folder = Path("/home") / f"svc-grading-canary-{os.getpid()}"
    folder.mkdir(mode=0o755, exist_ok=True)
    folder.chmod(0o755)
    canary = folder / "canary.txt"
    canary.write_text("HOME-CANARY-" + hashlib.sha256(str(folder).encode()).hexdigest()[:16])
    canary.chmod(0o644)
    return canary


def _readable_without_sandbox(path: Path) -> bool:
    """Whether the uid a graded kernel runs as can read ``path`` outside the sandbox (the probe's control)."""
    argv = ["setpriv", f"--reuid={FIRST_UID}", f"--regid={FIRST_UID}", "--clear-groups", "--", "cat", str(path)]
    result = subprocess.run(argv, capture_output=True, text=True, timeout=30)  # noqa: S603
    return result.returncode == 0 and result.stdout == path.read_text()


def _make_course(root: Path, port: int, home_canary: Path) -> None:
    shutil.copytree(HERE / "course", root)
    conf = root / "nbgrader_config.py"
    conf.write_text(
        conf.read_text()
        + f"\nc.Execute.timeout = 5\nc.Sandbox.notebook_seconds = {NOTEBOOK_SECONDS}\n"
        + f"c.Sandbox.cpu_seconds = {CPU_SECONDS}\nc.Sandbox.first_user_id = {FIRST_UID}\n"
    )
    (root / "canary.txt").write_text("CANARY-" + hashlib.sha256(str(root).encode()).hexdigest()[:16])
    shutil.copytree(REPO / "keys", root / "keys")  # the answer keys sit in the course folder, as in the instructors' repo
    result = _nbgrader(root, "generate_assignment", ASSIGNMENT, "--force")
    assert result.returncode == 0, result.stderr[-3000:]
    source_nb = json.loads((root / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text())
    release_nb = json.loads((root / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text())
    ctx = {"root": str(root), "port": str(port), "needle": KEY_NEEDLE, "home_canary": str(home_canary)}
    for sub in CORPUS:
        folder = root / "submitted" / sub.name / ASSIGNMENT
        folder.mkdir(parents=True)
        (folder / f"{ASSIGNMENT}.ipynb").write_text(render(sub, source_nb, release_nb, ctx))
    renamed = root / "submitted" / RENAMED / ASSIGNMENT
    renamed.mkdir(parents=True)
    (renamed / f"{ASSIGNMENT}-copy.ipynb").write_text(json.dumps(source_nb))
    unresolved = root / "submitted" / UNRESOLVED / ASSIGNMENT
    unresolved.mkdir(parents=True)
    for name in ("draft.ipynb", "final.ipynb"):
        (unresolved / name).write_text(json.dumps(source_nb))


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict:
    from course.grading.sandbox import check_available

    check_available()  # fails with the install command if bubblewrap is missing
    if os.geteuid() != 0:
        pytest.fail("the hostile corpus grades as root, as a class is graded with the strongest isolation: each "
                    "kernel then runs as its own uid, which its checks of processes left behind rely on. "
                    "Run it as root (sudo .venv/bin/python -m pytest tests/grading).")
    listener = Listener()
    course = tmp_path_factory.mktemp("corpus") / "course"
    home_canary = _plant_home_canary()
    try:
        _make_course(course, listener.port, home_canary)
        before = _checksums(course / "submitted")
        start = time.monotonic()
        result = _nbgrader(course, "autograde", ASSIGNMENT)
        seconds = time.monotonic() - start
        listener.close()
        leftovers = _sandbox_processes() + _processes_running(LEFTOVER_COMMANDS)
        home_canary_readable = _readable_without_sandbox(home_canary)
        home_canary_text = home_canary.read_text()
    finally:
        shutil.rmtree(home_canary.parent, ignore_errors=True)
    yield {
        "home_canary": home_canary_text,
        "home_canary_readable": home_canary_readable,
        "course": course,
        "result": result,
        "seconds": seconds,
        "before": before,
        "scores": _scores(course),
        "connections": listener.connections,
        "leftovers": leftovers,
    }


def test_every_submission_earns_exactly_what_its_work_deserves(graded: dict) -> None:
    scores = graded["scores"]
    wrong = {s.name: (scores.get(s.name), s.earns) for s in CORPUS if scores.get(s.name) != s.earns}
    assert not wrong, f"(got, deserved) per submission: {wrong}\n{graded['result'].stderr[-4000:]}"
    assert scores["honest"] == FULL


def test_the_graders_own_log_has_no_warning_or_traceback(graded: dict) -> None:
    """Stopping a kernel (a loop, an exit, a time budget) once left its shutdown coroutine never awaited."""
    log = graded["result"].stderr
    assert "RuntimeWarning" not in log and "never awaited" not in log, log[-4000:]
    assert "Traceback (most recent call last)" not in log, log[-4000:]


def test_a_renamed_notebook_is_graded_as_the_one_it_stands_for(graded: dict) -> None:
    assert graded["scores"][RENAMED] == FULL
    log = graded["result"].stdout + graded["result"].stderr
    assert f"{RENAMED}/ps1: graded 'ps1-copy.ipynb' as ps1.ipynb" in log
    notes = json.loads((graded["course"] / "autograded" / RENAMED / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text())
    assert "submitted as 'ps1-copy.ipynb' and was graded as ps1.ipynb" in json.dumps(notes["cells"][0])
    # every other student was graded despite it
    assert all(s.name in graded["scores"] for s in CORPUS)


def test_a_notebook_that_cannot_be_told_apart_is_flagged_not_graded_as_zero(graded: dict) -> None:
    from nbgrader.api import Gradebook

    log = graded["result"].stdout + graded["result"].stderr
    assert (f"{UNRESOLVED}/ps1: expected ps1.ipynb, submitted draft.ipynb, final.ipynb: graded as unanswered, "
            "flagged for attention") in log
    with Gradebook(f"sqlite:///{graded['course'] / 'gradebook.db'}") as gb:
        grades = gb.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, UNRESOLVED).grades
        assert grades and all(g.needs_manual_grade for g in grades)  # formgrader: needs manual grade
        honest = gb.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, "honest").grades
        assert not any(g.needs_manual_grade for g in honest if g.cell.cell_type == "code")
    graded_nb = (graded["course"] / "autograded" / UNRESOLVED / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text()
    assert "the files submitted were draft.ipynb, final.ipynb" in graded_nb


def test_a_run_ends_with_a_summary_and_logs_only_what_needs_attention(graded: dict) -> None:
    err = graded["result"].stderr
    assert "Grading summary: " in err and "0 failed" in err
    assert "seconds per notebook: median" in err
    assert "[AutogradeApp | INFO]" not in err  # nbgrader's step-by-step lines stay out
    assert "checksum" not in err and "SAWarning" not in err
    for line in err.splitlines():
        if "| WARNING]" in line and "No submitted file" not in line and "Skipping unknown notebook" not in line:
            assert "/ps1" in line, f"a log line that names no submission: {line}"


def test_nothing_escapes_the_sandbox(graded: dict) -> None:
    course = graded["course"]
    canary = (course / "canary.txt").read_text()
    leaks = []
    for nb in (course / "autograded").rglob("*.ipynb"):
        cells = json.loads(nb.read_text())["cells"]
        text = json.dumps([c.get("outputs", []) for c in cells])
        if "ESCAPE:" in text or canary in text:
            leaks.append(str(nb.relative_to(course)))
    assert not leaks
    assert graded["connections"] == 0
    assert graded["leftovers"] == [], "sandboxed processes outlived the grading run"
    assert not list(course.rglob("pwned*.txt"))
    assert not (course / "source" / ASSIGNMENT / "pwned.txt").exists()
    snoop = json.loads((course / "autograded" / "snoop" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text())
    text = json.dumps(snoop)
    assert "blocked read gradebook" in text and "blocked network" in text
    # the home-folder canary: the kernel's uid can read it outside the sandbox, not inside
    assert graded["home_canary_readable"], "control: the sandbox's uid should read the canary without the sandbox"
    assert "blocked read home" in text
    assert graded["home_canary"] not in json.dumps([_graded(course, s.name) for s in CORPUS])


@pytest.mark.parametrize("name, blocked", [("memory-bomb", "blocked memory"),
                                           ("fork-bomb", "blocked processes after"),
                                           ("file-bomb", "blocked file size")])
def test_each_bomb_was_stopped_by_its_limit(graded: dict, name: str, blocked: str) -> None:
    """Positive controls of the bombs: the probe ran and said which limit stopped it."""
    outputs = json.dumps([c.get("outputs", []) for c in _graded(graded["course"], name)["cells"]])
    assert blocked in outputs, f"{name}: the probe did not report '{blocked}'"


def _graded(course: Path, student: str) -> dict:
    return json.loads((course / "autograded" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text())


def _stream_text(cell: dict) -> str:
    return "".join("".join(o.get("text", "")) for o in cell.get("outputs", []) if o.get("output_type") == "stream")


def _hidden_lines(course: Path) -> list[str]:
    """Lines of the hidden tests a student never sees: in a hidden region and nowhere in the release notebook."""
    from course.grading.trusted import BEGIN_HIDDEN, END_HIDDEN

    source = json.loads((course / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text())
    release = json.loads((course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text())
    public = {line.strip() for c in release["cells"] for line in "".join(c["source"]).splitlines()}
    lines, inside = [], False
    for cell in source["cells"]:
        for line in "".join(cell["source"]).splitlines():
            if BEGIN_HIDDEN in line:
                inside = True
            elif END_HIDDEN in line:
                inside = False
            elif inside and line.strip() and line.strip() not in public:
                lines.append(line.strip())
    return lines


def _hidden_text_in(sources: list[str], hidden: list[str]) -> list[str]:
    """The hidden-test lines (and region markers) found in ``sources``."""
    from course.grading.trusted import BEGIN_HIDDEN, END_HIDDEN

    found = [m for m in (BEGIN_HIDDEN, END_HIDDEN, "HIDDEN TESTS") if any(m in s for s in sources)]
    sent = {line.strip() for s in sources for line in s.splitlines()}
    return found + [line for line in hidden if line in sent]


def test_hidden_tests_never_reach_a_kernel(graded: dict) -> None:
    """The kernel of ``kernel-records-sources`` recorded every cell source it was sent: no hidden test is among them."""
    course = graded["course"]
    nb = _graded(course, "kernel-records-sources")
    printed = _stream_text(next(c for c in nb["cells"] if c.get("id") == "print-recorded"))
    assert printed.startswith(RECORDED_PREFIX), f"the recording was not printed: {printed[:300]!r}"
    recorded = json.loads(printed[len(RECORDED_PREFIX):])
    hidden = _hidden_lines(course)
    assert len(hidden) >= 3, hidden  # ps1's three test cells each hide a check
    # control 1: the recording saw the test cells (their visible part) and every code cell after the recorder
    source = json.loads((course / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text())
    for gid, visible in (("check_mean", 'checks.number("mean_restore", mean_restore, lower=0'),
                         ("check_six", 'checks.report("six", six)'),
                         ("check_mapping", 'checks.activity_map("mapping", mapping, ["A", "B", "C", "D"])')):
        assert any(visible in s for s in recorded), f"the recording missed the visible part of {gid}"
    code_cells = [c for c in source["cells"] if c["cell_type"] == "code"]
    assert len(recorded) == len(code_cells) - 1 + 1, recorded  # all but the first (run before the recorder), + the printer
    # control 2: the same detector finds the hidden tests in the test cells as the instructor wrote them
    full_tests = ["".join(c["source"]) for c in source["cells"] if (c["metadata"].get("nbgrader") or {}).get("points")]
    assert set(_hidden_text_in(full_tests, hidden)) >= set(hidden)
    leaked = _hidden_text_in(recorded, hidden)
    assert not leaked, f"hidden-test text reached the student's kernel: {leaked}"
    assert graded["scores"]["kernel-records-sources"] == FULL


@pytest.mark.parametrize("student, mapping_points", [("partial-mapping-3-of-4", 3.0), ("partial-mapping-3-of-8", 1.5),
                                                     ("honest", 4.0), ("blank", 0.0)])
def test_partial_scores_reach_the_gradebook_exactly(graded: dict, student: str, mapping_points: float) -> None:
    """check_mapping's partial credit (worked out by hand in corpus.py) is what nbgrader records for the cell."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{graded['course'] / 'gradebook.db'}") as gb:
        grade = gb.find_grade("check_mapping", ASSIGNMENT, ASSIGNMENT, student)
        assert (grade.auto_score, grade.max_score, grade.needs_manual_grade) == (mapping_points, 4.0, False)
    if 0 < mapping_points < 4:
        cell = next(c for c in _graded(graded["course"], student)["cells"]
                    if (c["metadata"].get("nbgrader") or {}).get("grade_id") == "check_mapping")
        assert "[PARTLY] mapping:" in _stream_text(cell)


def _notes(nb: dict) -> list[str]:
    cell = next((c for c in nb["cells"] if c.get("id") == "svc-grading-notes"), None)
    return [] if cell is None else [line[2:] for line in "".join(cell["source"]).splitlines() if line.startswith("- ")]


def test_output_beyond_the_cap_is_dropped_with_a_note_and_the_points_are_kept(graded: dict) -> None:
    course = graded["course"]
    nb = _graded(course, "honest-output-flood")
    # cell 3 is the student's own cell, after the notebook's title and first code cell
    assert _notes(nb) == [f"cell 3 printed more than {OUTPUT_LIMIT} bytes; the rest of its output was dropped"]
    assert graded["scores"]["honest-output-flood"] == FULL
    flood = nb["cells"][3]  # the notes cell came first, at index 0
    assert 'print("y" * 10000)' in "".join(flood["source"])
    kept = len(_stream_text(flood))
    assert OUTPUT_LIMIT * 0.9 < kept < OUTPUT_LIMIT + 20_000, kept
    assert f"[output beyond {OUTPUT_LIMIT} bytes was dropped by the grader]" in _stream_text(flood)
    size = (course / "autograded" / "honest-output-flood" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").stat().st_size
    honest = (course / "autograded" / "honest" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").stat().st_size
    assert size < honest + OUTPUT_LIMIT + 30_000, f"graded file of {size} bytes (honest one: {honest})"


def _cell_number(note: str, pattern: str) -> int:
    import re

    match = re.fullmatch(pattern, note)
    assert match, f"note {note!r} does not match {pattern!r}"
    return int(match.group(1))


def test_the_notebook_time_budget_stops_later_cells_and_keeps_earlier_points(graded: dict) -> None:
    nb = _graded(graded["course"], "honest-over-time-budget")
    notes = _notes(nb)
    assert len(notes) == 1, notes
    n = _cell_number(notes[0], rf"the notebook used up its {NOTEBOOK_SECONDS} s time budget before cell (\d+); "
                               "later cells were not run")
    cells = nb["cells"]  # the notes cell is at 0, so the note's "cell n" is cells[n]
    sleepers = [i for i, c in enumerate(cells) if "time.sleep(4)" in "".join(c["source"])]
    assert len(sleepers) == SLEEPERS
    # each sleeper takes 4 s: the budget runs out after at least (budget - 4 s) / 4 s sleepers
    assert sleepers[0] + (NOTEBOOK_SECONDS - 4) // 4 <= n <= sleepers[-1] + 1, (n, sleepers)
    assert all("slept" in _stream_text(cells[i]) for i in sleepers if i < n)
    assert all(not cells[i].get("outputs") for i in sleepers if i >= n)
    mapping = next(c for c in cells if (c["metadata"].get("nbgrader") or {}).get("grade_id") == "check_mapping")
    assert "[NOT RUN]" in _stream_text(mapping)
    assert graded["scores"]["honest-over-time-budget"] == 3.0  # check_mean 2 + check_six 1, run before the budget ran out


def test_the_cpu_limit_stops_the_kernel_and_keeps_earlier_points(graded: dict) -> None:
    nb = _graded(graded["course"], "honest-over-cpu-limit")
    notes = _notes(nb)
    assert len(notes) == 1, notes
    n = _cell_number(notes[0], r"the kernel stopped while running cell (\d+) \(the code exited the process, crashed, "
                               r"ran out of memory or used up its CPU time\); cells after it were not run")
    cells = nb["cells"]
    burners = [i for i, c in enumerate(cells) if "time.process_time()" in "".join(c["source"])]
    assert len(burners) == BURNERS and n in burners and n - 1 in burners, (n, burners)
    # the last burner that finished had used between (limit - one burner) and the limit of CPU time
    used = float(_stream_text(cells[n - 1]).split("cpu seconds used:")[1])
    assert CPU_SECONDS - 2.5 - 0.5 <= used < CPU_SECONDS, used
    after = next(c for c in cells if "".join(c["source"]) == AFTER_LIMIT)
    assert not after.get("outputs")
    assert graded["scores"]["honest-over-cpu-limit"] == FULL


def test_the_answer_keys_cannot_be_read_from_the_grading_kernel(graded: dict) -> None:
    course = graded["course"]
    assert KEY_NEEDLE in (course / "keys" / "scenarios.yml").read_text()
    hunt = json.loads((course / "autograded" / "key-hunt" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text())
    said = "".join("".join(o.get("text", "")) for c in hunt["cells"] for o in c.get("outputs", [])
                   if o.get("name") == "stdout")
    assert "ESCAPE" not in said
    assert "blocked keys module" in said
    searched = int(said.split("key hunt searched ")[1].split()[0])
    assert searched > 50, said  # it ran, and read the package, the data and the submission
    assert graded["scores"]["key-hunt"] == 0.0
    # positive control: the same code, run on the host over the course folder, finds the keys both ways
    control = subprocess.run([sys.executable, "-c", key_hunt(KEY_NEEDLE, [str(course)])], cwd=course,
                             capture_output=True, text=True, timeout=300, env=_env())
    assert f"ESCAPE:keys in {course / 'keys' / 'scenarios.yml'}" in control.stdout, control.stdout + control.stderr
    assert "ESCAPE:keys through course.grading.keys ('deliver and support',)" in control.stdout, control.stdout


def test_submitted_files_are_never_modified(graded: dict) -> None:
    assert _checksums(graded["course"] / "submitted") == graded["before"]


def test_every_failure_is_explained_in_the_graded_notebook(graded: dict) -> None:
    course = graded["course"]
    missing = []
    for sub in CORPUS:
        if not sub.reason_expected:
            continue
        path = course / "autograded" / sub.name / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
        if not path.exists():
            missing.append(f"{sub.name}: no graded notebook")
            continue
        cells = json.loads(path.read_text())["cells"]
        if not any(c.get("id") == "svc-grading-notes" for c in cells):
            missing.append(f"{sub.name}: no grading notes")
    assert not missing, missing


def test_failed_checks_say_what_is_wrong(graded: dict) -> None:
    path = graded["course"] / "autograded" / "eq-anything" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    text = path.read_text()
    assert "[WRONG]" in text and "Anything" in text


# a quick subset (no time-outs) for the runs that repeat grading
REPEAT = ["honest", "blank", "eq-anything", "patched-helpers", "exit-midway", "invalid-json",
          "honest-tests-deleted", "honest-tests-copied-old-schema", "edited-metadata", "snoop"]


def _subset_course(graded: dict, dest: Path) -> Path:
    shutil.copytree(graded["course"], dest, ignore=shutil.ignore_patterns("autograded", "gradebook.db", "feedback", "submitted"))
    for name in REPEAT:
        shutil.copytree(graded["course"] / "submitted" / name, dest / "submitted" / name)
    assert _nbgrader(dest, "generate_assignment", ASSIGNMENT, "--force").returncode == 0
    return dest


def test_grading_twice_gives_the_same_grades_and_regrades_a_changed_submission(graded: dict, tmp_path: Path) -> None:
    """Unchanged submissions keep their grades; a submission changed between the runs is graded again
    (``c.Autograde.force``): honest and blank swap their notebooks, and their scores swap."""
    course = _subset_course(graded, tmp_path / "course")
    _nbgrader(course, "autograde", ASSIGNMENT)
    first = _scores(course)
    assert first == {n: graded["scores"][n] for n in REPEAT}
    honest, blank = (course / "submitted" / n / ASSIGNMENT / f"{ASSIGNMENT}.ipynb" for n in ("honest", "blank"))
    honest_text, blank_text = honest.read_text(), blank.read_text()
    honest.write_text(blank_text)
    blank.write_text(honest_text)
    before = _checksums(course / "submitted")
    result = _nbgrader(course, "autograde", ASSIGNMENT)
    assert _scores(course) == {**first, "honest": 0.0, "blank": FULL}, result.stderr[-3000:]
    assert _checksums(course / "submitted") == before


def test_a_run_killed_half_way_completes_when_run_again(graded: dict, tmp_path: Path) -> None:
    course = _subset_course(graded, tmp_path / "course")
    proc = subprocess.Popen(  # noqa: S603
        [str(Path(sys.executable).parent / "nbgrader"), "autograde", ASSIGNMENT],
        cwd=course, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    deadline = time.monotonic() + 300
    done: list[Path] = []
    while time.monotonic() < deadline and proc.poll() is None:
        done = list((course / "autograded").glob("*/ps1/ps1.ipynb")) if (course / "autograded").exists() else []
        if len(done) >= 3:
            break
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    done = list((course / "autograded").glob("*/ps1/ps1.ipynb"))
    assert 3 <= len(done) < len(REPEAT), f"the kill did not land half-way: {len(done)} of {len(REPEAT)} graded"
    deadline = time.monotonic() + 30  # the kernels go with their grader (--die-with-parent): wait for it
    while _sandbox_processes() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _sandbox_processes() == [], "a kernel outlived the killed grader"
    _nbgrader(course, "autograde", ASSIGNMENT)
    assert _scores(course) == {n: graded["scores"][n] for n in REPEAT}
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        rows = gb.db.execute(__import__("sqlalchemy").text("select count(*) from submitted_assignment")).scalar()
    assert rows == len(REPEAT)


def test_report_figures(graded: dict) -> None:
    """Write the figures the README's instructor section quotes."""
    scores = graded["scores"]
    hostile = [s for s in CORPUS if not s.name.startswith("honest") and s.name != "blank"]
    undeserved = sum(max(0.0, scores.get(s.name, 0.0) - s.earns) for s in CORPUS)
    figures = {
        "attacks_tried": len(hostile),
        "attack_classes": sorted({s.kind for s in hostile}),
        "points_wrongly_given": undeserved,
        "escapes": graded["connections"],
        "submissions_lost": sum(1 for s in CORPUS if s.name not in scores),
        "notebooks_graded": len(CORPUS) + 2,  # + the renamed and the two-unknown submissions
        "seconds_total": round(graded["seconds"], 1),
        "seconds_per_notebook": round(graded["seconds"] / (len(CORPUS) + 2), 2),
    }
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "grading-corpus.json").write_text(json.dumps(figures, indent=2))
    print(json.dumps(figures, indent=2))
    assert figures["points_wrongly_given"] == 0 and figures["submissions_lost"] == 0


def test_without_bubblewrap_grading_refuses_with_the_install_command(graded: dict, tmp_path: Path) -> None:
    course = _subset_course(graded, tmp_path / "course")
    conf = course / "nbgrader_config.py"
    conf.write_text(conf.read_text() + "\nc.Sandbox.bwrap = 'bwrap-not-installed'\n")
    before = _checksums(course / "submitted")
    result = _nbgrader(course, "autograde", ASSIGNMENT)
    assert result.returncode != 0
    assert "apt-get install bubblewrap" in result.stderr + result.stdout
    assert not list((course / "autograded").glob("*/ps1/ps1.ipynb")) if (course / "autograded").exists() else True
    assert _checksums(course / "submitted") == before


def test_feedback_files_carry_the_explanations(graded: dict) -> None:
    course = graded["course"]
    for student in ("exit-midway", "invalid-json"):
        result = _nbgrader(course, "generate_feedback", ASSIGNMENT, "--student", student)
        assert result.returncode == 0, result.stderr[-2000:]
    exit_html = (course / "feedback" / "exit-midway" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    assert "Grading notes" in exit_html and "kernel stopped while running cell" in exit_html
    bad_html = (course / "feedback" / "invalid-json" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    assert "is not valid JSON" in bad_html


def test_class_report_names_what_the_class_got_wrong(graded: dict) -> None:
    from course.grading.report import build, render

    report = build(graded["course"], ASSIGNMENT)
    assert len(report.students) == len(CORPUS) + 2  # + the renamed notebook and the two unknown ones
    mean = next(e for e in report.exercises if e.grade_id == "check_mean")
    assert len(mean.status) == len(CORPUS) + 2
    # honest work on the mean: the corpus's, and the renamed notebook (graded as ps1.ipynb)
    # 2 points or more need the mean (2 of the 7), except for honest-wrong-mean (six and mapping: 5)
    assert mean.count("right") == sum(1 for s in CORPUS if s.earns >= 2.0 and s.name != "honest-wrong-mean") + 1
    assert "Add the four times and divide by four." in mean.hints
    assert report.notes_by_kind["kernel stopped (exit, crash, memory or CPU time)"] >= 1
    assert report.notes_by_kind["unreadable notebook file (graded as unanswered)"] == 4
    text = render(report)
    assert "check_mapping" in text and "graded with notes" in text


def test_nbgrader_export_never_shows_a_flagged_or_pending_submission_as_a_final_score(graded: dict,
                                                                                       tmp_path: Path) -> None:
    import csv

    out = tmp_path / "grades.csv"
    result = _nbgrader(graded["course"], "export", "--to", str(out))
    assert result.returncode == 0, result.stderr[-2000:]
    rows = {r["student_id"]: r for r in csv.DictReader(out.open())}
    assert rows[UNRESOLVED]["status"] == "needs attention" and rows[UNRESOLVED]["score"] == ""
    # ps1 has a written answer marked by hand: until it is, no submission's score is final
    assert rows["honest"]["status"] == "pending manual grading" and rows["honest"]["score"] == ""
    assert "autograded part so far: 7 of 8" in rows["honest"]["note"]
    assert len(rows) == len(CORPUS) + 2


def test_formgrader_writes_the_course_feedback_too(graded: dict) -> None:
    """Formgrader's "Generate feedback" goes through nbgrader's API, which sets its own template name."""
    from nbgrader.apps import NbGraderAPI
    from traitlets.config.loader import PyFileConfigLoader

    course = graded["course"]
    config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    config.CourseDirectory.root = str(course)
    result = NbGraderAPI(config=config).generate_feedback(ASSIGNMENT, "honest-wrong-mean", force=True)
    assert result["success"], result.get("error", "")[-2000:]
    page = (course / "feedback" / "honest-wrong-mean" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    assert "Check: Checks the mean restore time" in page and "Hint: Add the four times and divide by four." in page
    assert "HIDDEN TESTS" not in page and "statistics.mean" not in page
