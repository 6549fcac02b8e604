"""The nbgrader pipeline on every assignment in source/, with the real nbgrader.

- source/ and release/ notebooks carry no outputs and normalised metadata;
- release/ is in sync with a fresh ``svc-course release`` of source/;
- release notebooks hold no solution and no hidden test;
- through ``nbgrader autograde`` (sandboxed, trusted grading) the source notebook
  earns full marks on every autograded cell and the release notebook earns 0.

Running each release notebook unanswered (to the end, errors only in check cells, no graded
answer in any output) is in ``tests/test_release_leaks.py``, which executes each one once.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import nbformat
import pytest

from course.grading.trusted import BEGIN_HIDDEN, END_HIDDEN, strip_hidden_tests
from course.notebooks import normalise
from course.release import assignments, out_of_sync

REPO = Path(__file__).resolve().parent.parent
ASSIGNMENTS = assignments(REPO)
BIN = Path(sys.executable).parent


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{BIN}:{env.get('PATH', '')}"
    return env


def test_there_are_eight_assignments() -> None:
    assert ASSIGNMENTS == [
        "01-value-chain-orientation",
        "02-value-streams-operating-model",
        "03-operational-terms",
        "04-modern-delivery-and-sre",
        "05-mapping-scenarios",
        "06-value-chain-metrics",
        "07-quizzes-and-key-terms",
        "08-mini-case-streaming",
    ]


def _committed_notebooks() -> list[Path]:
    found = sorted((REPO / "source").rglob("*.ipynb")) + sorted((REPO / "release").rglob("*.ipynb"))
    return found + [REPO / "index.ipynb"]


@pytest.mark.parametrize("path", _committed_notebooks(), ids=lambda p: str(p.relative_to(REPO)))
def test_committed_notebooks_are_clean(path: Path) -> None:
    assert ".ipynb_checkpoints" not in path.parts
    nb = nbformat.read(str(path), as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{path}: a code cell has outputs"
    assert normalise(path, check=True), f"{path} is not normalised: run `svc-course normalise {path}`"


def test_release_is_in_sync_with_source() -> None:
    problems = out_of_sync(REPO)
    assert not problems, "run `svc-course release`: " + ", ".join(problems)


def _region_lines(source: str, begin: str, end: str) -> list[str]:
    lines, inside = [], False
    for line in source.splitlines():
        if begin in line:
            inside = True
        elif end in line:
            inside = False
        elif inside and line.strip() and not line.strip().startswith("#"):
            lines.append(line.strip())
    return lines


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_release_holds_no_solution_and_no_hidden_test(name: str) -> None:
    source = nbformat.read(str(REPO / "source" / name / f"{name}.ipynb"), as_version=4)
    release = nbformat.read(str(REPO / "release" / name / f"{name}.ipynb"), as_version=4)
    text = json.dumps([c.source for c in release.cells])
    for marker in ("BEGIN SOLUTION", "END SOLUTION", BEGIN_HIDDEN, END_HIDDEN):
        assert marker not in text
    by_id = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in release.cells if "nbgrader" in c.metadata}
    for cell in source.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if not gid:
            continue
        released = by_id[gid].source
        hidden = _region_lines(cell.source, BEGIN_HIDDEN, END_HIDDEN)
        solution = _region_lines(cell.source, "BEGIN SOLUTION", "END SOLUTION")
        visible = {line.strip() for line in strip_hidden_tests(cell.source).splitlines()
                   if not any(m in line for m in ("BEGIN SOLUTION", "END SOLUTION"))}
        visible -= set(solution)
        leaked = [line for line in hidden + solution
                  if line in {x.strip() for x in released.splitlines()} and line not in visible and len(line) > 12]
        assert not leaked, f"{name}/{gid} leaks: {leaked[:3]}"


def _partly(source: Any, release: Any) -> Any:
    """The release notebook with every other answer cell holding the source's solution: partly right."""
    import copy

    out = copy.deepcopy(release)
    answers = {c.metadata["nbgrader"]["grade_id"]: c for c in source.cells
               if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution")}
    done = 0
    for cell in out.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if cell.cell_type == "code" and gid in answers:
            if done % 2 == 0:
                cell.source = "\n".join(_region_lines(answers[gid].source, "BEGIN SOLUTION", "END SOLUTION"))
            done += 1
    return out


STUDENTS = ("solution", "partly", "blank")


@pytest.fixture(scope="module")
def autograded(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Grade every assignment's source ('solution'), half-answered release ('partly') and release ('blank').

    Then write every student's feedback, as an instructor would hand it out.
    """
    from course.grading.sandbox import check_available

    check_available()
    course = tmp_path_factory.mktemp("pipeline") / "course"
    course.mkdir()
    shutil.copy(REPO / "nbgrader_config.py", course)
    shutil.copytree(REPO / "source", course / "source")
    shutil.copytree(REPO / "keys", course / "keys")
    timings = {}
    for name in ASSIGNMENTS:
        run = subprocess.run([str(BIN / "nbgrader"), "generate_assignment", name, "--force"], cwd=course,
                             env=_env(), capture_output=True, text=True, timeout=300)
        assert run.returncode == 0, run.stderr[-2000:]
        for student, folder in (("solution", "source"), ("blank", "release")):
            dest = course / "submitted" / student / name
            dest.mkdir(parents=True)
            shutil.copy(course / folder / name / f"{name}.ipynb", dest)
        source_nb = nbformat.read(str(course / "source" / name / f"{name}.ipynb"), as_version=4)
        release_nb = nbformat.read(str(course / "release" / name / f"{name}.ipynb"), as_version=4)
        (course / "submitted" / "partly" / name).mkdir(parents=True)
        nbformat.write(_partly(source_nb, release_nb), str(course / "submitted" / "partly" / name / f"{name}.ipynb"))
        start = time.monotonic()
        run = subprocess.run([str(BIN / "nbgrader"), "autograde", name], cwd=course, env=_env(),
                             capture_output=True, text=True, timeout=900)
        timings[name] = round(time.monotonic() - start, 1)
        assert run.returncode == 0, run.stderr[-4000:]
        run = subprocess.run([str(BIN / "nbgrader"), "generate_feedback", name, "--force"], cwd=course, env=_env(),
                             capture_output=True, text=True, timeout=300)
        assert run.returncode == 0, run.stderr[-4000:]
    print("seconds to autograde three submissions per assignment:", timings)
    return {"course": course, "timings": timings}


@pytest.mark.grading
@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_source_earns_full_marks_and_release_earns_zero(autograded: dict, name: str) -> None:
    from nbgrader.api import Gradebook

    course = autograded["course"]
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        assignment = gb.find_assignment(name)
        auto_cells = [c for nb in assignment.notebooks for c in nb.grade_cells if c.cell_type == "code"]
        assert len(auto_cells) >= 3, f"{name} has fewer than 3 autograded exercises"
        for student, want_full in (("solution", True), ("blank", False)):
            sub = gb.find_submission(name, student)
            for nb in sub.notebooks:
                for grade in nb.grades:
                    if grade.cell.cell_type != "code":
                        continue
                    expected = grade.max_score if want_full else 0.0
                    assert grade.auto_score == expected, (
                        f"{name}: {student} scored {grade.auto_score} on {grade.name} (expected {expected})"
                    )


def _feedback_text(course: Path, student: str, name: str) -> str:
    """What a student reads in their feedback file: the HTML's text, tags removed, entities decoded."""
    import html
    import re

    page = (course / "feedback" / student / name / f"{name}.html").read_text(encoding="utf-8")
    page = re.sub(r"<style.*?</style>|<script.*?</script>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def _hidden_lines(name: str) -> list[str]:
    """Lines of the source's hidden tests that the student never saw (not in the release, a visible part or a solution)."""
    source = nbformat.read(str(REPO / "source" / name / f"{name}.ipynb"), as_version=4)
    release = nbformat.read(str(REPO / "release" / name / f"{name}.ipynb"), as_version=4)
    seen = {line.strip() for cell in release.cells for line in cell.source.splitlines()}
    seen |= {line.strip() for cell in source.cells for line in strip_hidden_tests(cell.source).splitlines()}
    seen |= {line for cell in source.cells for line in _region_lines(cell.source, "BEGIN SOLUTION", "END SOLUTION")}
    hidden = [line for cell in source.cells for line in _region_lines(cell.source, BEGIN_HIDDEN, END_HIDDEN)]
    return sorted({line for line in hidden if line not in seen and len(line) > 12})


@pytest.mark.grading
@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_feedback_holds_no_hidden_test(autograded: dict, name: str) -> None:
    lines = _hidden_lines(name)
    assert lines, f"{name}: no hidden-test line to look for"
    for student in STUDENTS:
        text = _feedback_text(autograded["course"], student, name)
        assert "Score:" in text and BEGIN_HIDDEN not in text and END_HIDDEN not in text
        shown = {line.strip() for line in text.splitlines()}
        found = [line for line in lines if line in shown]
        assert not found, f"{student}'s feedback on {name} shows hidden tests: {found[:3]}"


def _graded_key_patterns() -> list[tuple[str, str]]:
    """(what, regex) for every graded key as it would be written: an id beside its answer, an explanation."""
    import re

    from course.grading import keys

    out = []
    for s in keys.scenarios():
        if s.graded:
            out += [(f"{s.id} -> {a}", rf"['\"]{re.escape(s.id)}['\"]\s*:\s*\[?\s*['\"]{re.escape(a)}['\"]")
                    for a in s.activities]
    for q in keys.questions():
        if q.graded:
            out.append((f"{q.id} -> {q.answer_letter}",
                        rf"['\"]{re.escape(q.id)}['\"]\s*:\s*['\"]{q.answer_letter}['\"]"))
    for r in keys.records():
        if r.graded:
            out.append((f"{r.id} -> {r.kind}", rf"['\"]{re.escape(r.id)}['\"]\s*:\s*['\"]{re.escape(r.kind)}['\"]"))
    out += [(f"explanation {text[:40]!r}", re.escape(" ".join(text.split())[:80])) for text in keys.graded_texts()]
    return out


@pytest.mark.grading
@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_feedback_shows_no_graded_key_to_a_student_who_did_not_answer_it(autograded: dict, name: str) -> None:
    import re

    patterns = _graded_key_patterns()
    for student in ("blank", "partly"):
        text = " ".join(_feedback_text(autograded["course"], student, name).split())
        # the partly right student's own answers are theirs to see: look for explanations only
        found = [what for what, rx in patterns
                 if (student == "blank" or what.startswith("explanation")) and re.search(rx, text)]
        assert not found, f"{student}'s feedback on {name} shows graded keys: {found[:5]}"


@pytest.mark.grading
@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_feedback_never_shows_an_expected_value(autograded: dict, name: str) -> None:
    """A wrong or blank answer's verdict says what is wrong, never the value the check expected."""
    from course.grading.trusted import collect_answers

    course = autograded["course"]
    solution = nbformat.read(str(course / "autograded" / "solution" / name / f"{name}.ipynb"), as_version=4)
    values = set()
    for cell in solution.cells:
        answers, _ = collect_answers(cell.get("outputs", []))
        values |= {repr(v) for v in answers.values() if type(v) is float and len(repr(v)) >= 7}
    blank = nbformat.read(str(course / "autograded" / "blank" / name / f"{name}.ipynb"), as_version=4)
    verdicts = " ".join(out.get("text", "") + out.get("evalue", "") for cell in blank.cells
                        if cell.metadata.get("nbgrader", {}).get("grade") for out in cell.get("outputs", []))
    assert not [v for v in values if v in verdicts]
    text = _feedback_text(course, "blank", name)
    assert not [v for v in values if v in text], f"the blank feedback on {name} shows expected values"


def _canon(value: Any) -> Any:
    """A value as the checks compare it loosely: names case-folded, one name or a list of names as a set."""
    if isinstance(value, str):
        return frozenset([value.strip().lower()])
    if isinstance(value, (list, tuple, set)) and all(isinstance(v, str) for v in value):
        return frozenset(v.strip().lower() for v in value)
    return repr(value)


def _other_string(value: str) -> str:
    from course.activities import ACTIVITIES

    if value in ACTIVITIES:
        return ACTIVITIES[(ACTIVITIES.index(value) + 1) % len(ACTIVITIES)]
    if len(value) == 1 and value.upper() in "ABCD":
        return "ABCD"[("ABCD".index(value.upper()) + 1) % 4]
    return value + " (changed)"


def _changed(value: Any) -> Any:
    """Another value of the same kind: a list of names gets its last name replaced by one it lacks."""
    if isinstance(value, str):
        return _other_string(value)
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, str) for v in value):
        other = value[-1]
        while other in value:
            other = _other_string(other)
        return type(value)([*value[:-1], other])
    return next(iter(_perturbations(value).values()))


def _perturbations(value: Any) -> dict[str, Any]:
    """Wrong versions of a right answer: the number off by 5 % (an int by one), the list reversed (or
    one item short), one dict value changed (to another key's value, or altered), and the wrong type."""
    out: dict[str, Any] = {}
    if isinstance(value, bool):
        out["negated"] = not value
        out["wrong type"] = str(value)
    elif isinstance(value, int):
        out["plus one"] = value + 1
        out["wrong type"] = str(value)
    elif isinstance(value, float):
        out["times 1.05"] = value * 1.05 if value else 0.05
        out["wrong type"] = str(value)
    elif isinstance(value, str):
        out["another string"] = _other_string(value)
        out["wrong type"] = [value]
    elif isinstance(value, (list, tuple)):
        if list(value) != list(value)[::-1]:
            out["reversed"] = type(value)(reversed(value))
        out["one item short"] = type(value)(list(value)[:-1])
        out["wrong type"] = tuple(value) if isinstance(value, list) else list(value)
    elif isinstance(value, dict):
        key = sorted(value, key=repr)[0]
        others = [v for k, v in value.items() if k != key and _canon(v) != _canon(value[key])]
        changed = others[0] if others else _changed(value[key])
        out["one value changed"] = {**value, key: changed}
        out["wrong type"] = list(value.items())
    return out


ORDER_FREE = {
    # a pair of activities in any order: the hidden test compares them sorted
    ("02-value-streams-operating-model", "innovation_emphasis"),
    ("02-value-streams-operating-model", "reliability_emphasis"),
}
"""List answers whose order is not graded: reversed, they must still earn full credit."""


@pytest.mark.grading
@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_hidden_tests_reject_every_perturbed_answer(autograded: dict, name: str) -> None:
    """For every graded answer, the solution's value earns full credit in the trusted grader and every
    perturbation of it earns less. The answers are the values the solution's kernel reported (read from its
    graded notebook: no grading run of its own); each perturbation changes one answer of a cell at a time."""
    from course.grading.trusted import collect_answers, run_test_cell

    course = autograded["course"]
    solution = nbformat.read(str(course / "autograded" / "solution" / name / f"{name}.ipynb"), as_version=4)
    source = {c.metadata["nbgrader"]["grade_id"]: c for c in
              nbformat.read(str(REPO / "source" / name / f"{name}.ipynb"), as_version=4).cells
              if c.metadata.get("nbgrader", {}).get("grade_id")}
    accepted, checked = [], 0
    for cell in solution.cells:
        md = cell.metadata.get("nbgrader", {})
        if not (md.get("grade") and not md.get("solution") and cell.cell_type == "code"):
            continue
        gid = md["grade_id"]
        full = source[gid].source  # hidden tests included (some guided-practice checks have none)
        answers, problems = collect_answers(cell.get("outputs", []))
        assert answers and not problems, f"{name}/{gid}: the solution reported {answers} ({problems})"
        control = run_test_cell(full, answers, cell_name=gid)
        assert control.fraction == 1.0, f"{name}/{gid}: the solution's own answers earn {control.fraction}"
        for answer, value in answers.items():
            wrong = _perturbations(value)
            assert wrong, f"{name}/{gid}: no perturbation of {answer} = {value!r}"
            for how, bad in wrong.items():
                verdict = run_test_cell(full, {**answers, answer: bad}, cell_name=gid)
                checked += 1
                if how == "reversed" and (name, answer) in ORDER_FREE:
                    assert verdict.fraction == 1.0, f"{gid}: {answer} in another order earns {verdict.fraction}"
                elif verdict.shares.get(answer, 0.0) >= 1.0 or verdict.fraction >= 1.0:
                    accepted.append(f"{gid}: {answer} {how} = {bad!r}")
    print(f"{name}: {checked} perturbed answers checked")
    assert not accepted, f"{name}: the hidden tests gave full credit to wrong answers: {accepted}"
