"""Release notebooks, run unanswered as a student would: they run to the end and show no graded answer.

Each release notebook is executed once, in the student edition (the ``executed`` session fixture of
``tests/conftest.py``, about 2 minutes for the eight): nbclient, errors allowed, its own folder as the
working folder, the edition's own ``course`` package (without the grading code) and a temporary
progress file, exactly as it reaches a student; the executed notebooks are shared by the tests below:

- no cell raises (Run All reaches the end, and every later cell works without earlier answers:
  a check prints its verdict and never raises in a student's own kernel) and no unanswered
  exercise is shown as ``[OK]``;
- no output, no stored widget state and no cell of a release notebook contains the key or the
  explanation of a graded question, scenario or record (``course.grading.keys``): neither an
  explanation (or a sentence of one) nor a graded id next to its answer (a question id next to
  its letter, a scenario id next to one of its activities, a record id next to its kind);
- no release notebook imports the grader's modules.

The expected values come from the instructor-only keys, never from the notebooks' own output.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import nbformat
import pytest

from course import banks
from course.grading import keys
from course.release import assignments

REPO = Path(__file__).resolve().parent.parent
ASSIGNMENTS = assignments(REPO)


def _is_check(cell: Any) -> bool:
    md = cell.metadata.get("nbgrader", {})
    return bool(md.get("grade")) and not md.get("solution")


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_release_runs_to_the_end_without_an_error(executed: dict[str, Any], name: str) -> None:
    """Run All reaches the last cell: in a student's own kernel a check prints its verdict and never raises."""
    nb = executed[name]
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert code and all(cell.execution_count is not None for cell in code), "not every code cell ran"
    bad = []
    for index, cell in enumerate(nb.cells):
        gid = cell.metadata.get("nbgrader", {}).get("grade_id", "ungraded cell")
        for out in cell.get("outputs", []):
            if out.output_type == "error":
                bad.append(f"cell {index} ({gid}): {out.ename}: {out.evalue[:200]}")
            elif _is_check(cell) and out.output_type == "stream" and "[OK]" in out.text:
                bad.append(f"{gid}: an unanswered exercise is shown as [OK]: {out.text[:200]}")
    assert not bad, bad


ERROR_WIDGET = "[ERROR] This exercise cannot start:"
"""The text of the error widget a course widget shows instead of itself when its call or its data is bad."""


def _error_widgets(nb: Any) -> list[str]:
    """Cells of an executed notebook that show an error widget: ``cell n: message``."""
    found = []
    for index, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            plain = (out.get("data") or {}).get("text/plain", "") if out.output_type in ("display_data", "execute_result") else ""
            plain = "".join(plain) if isinstance(plain, list) else plain
            if ERROR_WIDGET in plain:
                found.append(f"cell {index}: {plain[:200]}")
    return found


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_no_widget_of_a_release_notebook_shows_an_error(executed: dict[str, Any], name: str) -> None:
    """A bad widget call (a misspelt topic, an unknown id) shows an error widget, raising nothing: find them."""
    widget_cells = [c for c in executed[name].cells if c.cell_type == "code" and "widgets." in c.source]
    blank = [c.source for c in widget_cells if not any(o.output_type == "display_data" for o in c.get("outputs", []))]
    assert widget_cells and not blank, f"{name}: widget cells that show nothing: {blank}"
    assert not _error_widgets(executed[name]), f"{name}: error widgets: {_error_widgets(executed[name])}"


def test_a_bad_widget_call_is_found_as_an_error_widget(student_edition: Path, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The control of the test above: a misspelt topic, run as the release notebooks are, is found."""
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell('from course import widgets\nwidgets.quiz(topic="orientaton")'),
                nbformat.v4.new_code_cell('widgets.quiz(topic="orientation")')]
    monkeypatch.setenv("SVC_COURSE_PROGRESS", str(tmp_path / "progress.json"))
    monkeypatch.setenv("PYTHONPATH", str(student_edition))
    NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    assert not [o for c in nb.cells for o in c.outputs if o.output_type == "error"]  # no exception: the trap
    found = _error_widgets(nb)
    assert len(found) == 1 and found[0].startswith("cell 0: ") and "orientaton" in found[0], found


# --------------------------------------------------------------------------- what must never show


def _norm(text: str) -> str:
    return " ".join(text.split())


def _output_text(nb: Any) -> str:
    """Everything a student sees come out of the notebook: outputs and the stored widget state."""
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.output_type == "stream":
                parts.append(out.text)
            elif out.output_type == "error":
                parts += [out.ename, out.evalue, *out.traceback]
            else:
                for value in out.get("data", {}).values():
                    parts.append(value if isinstance(value, str) else json.dumps(value))
    parts.append(json.dumps(nb.metadata.get("widgets", {})))
    return "\n".join(parts)


def _source_text(nb: Any) -> str:
    return "\n".join(cell.source for cell in nb.cells)


@lru_cache(maxsize=None)
def _public_texts() -> list[str]:
    """What students may see of graded items (and everything else public), longest first; short texts
    such as option texts that are activity names are left out, so they never hide an answer."""
    texts = [s.text for s in banks.load_scenarios()] + [r.text for r in banks.load_records()]
    for q in banks.load_questions():
        texts += [q.stem, *q.statements, *(o.text for o in q.options)]
    texts += [t.definition for t in banks.load_glossary()]
    return sorted({_norm(t) for t in texts if len(_norm(t)) >= 30}, key=len, reverse=True)


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.;:!?])\s+", _norm(text)) if len(s) >= 40]


SEP = r"""['"]?\s*(?:[:=,)\]>|-]+\s*|\s+)?['"\[(]*\s*(?i:(?:the\s+)?answer(?:\s+is)?:?\s*)?['"]?"""
"""What may stand between an id and its answer in a printed dict, a table or a sentence."""


@lru_cache(maxsize=None)
def _key_patterns() -> list[tuple[str, re.Pattern[str]]]:
    """(what, pattern) for every graded id next to its answer."""
    found = []
    for q in keys.questions():
        if q.graded:
            found.append((f"{q.id} -> {q.answer_letter}",
                          re.compile(rf"(?<![\w-]){re.escape(q.id)}(?![\w-]){SEP}{q.answer_letter}(?![\w])")))
    for s in keys.scenarios():
        if s.graded:
            for activity in s.activities:
                found.append((f"{s.id} -> {activity}", re.compile(
                    rf"(?<![\w-]){re.escape(s.id)}(?![\w-]){SEP}{re.escape(activity)}", re.IGNORECASE)))
    for r in keys.records():
        if r.graded:
            found.append((f"{r.id} -> {r.kind}", re.compile(
                rf"(?<![\w-]){re.escape(r.id)}(?![\w-]){SEP}{re.escape(str(r.kind))}\b", re.IGNORECASE)))
    return found


@lru_cache(maxsize=None)
def _practice_texts() -> str:
    """Every explanation students may read (practice items and the glossary), to tell secrets from shared words."""
    texts = [s.explanation for s in banks.load_scenarios()] + [r.explanation for r in banks.load_records()]
    texts += [o.explanation for q in banks.load_questions() for o in q.options]
    texts += [t.definition for t in banks.load_glossary()]
    return "\n".join(_norm(t) for t in texts)


@lru_cache(maxsize=None)
def _explanations() -> list[str]:
    """Each graded explanation whole, and each of its sentences of 40 characters or more.

    An explanation that practice material also uses word for word (such as "Correct pairing, as in the
    chapter.") gives nothing away and is left out.
    """
    shared = _practice_texts()
    out: set[str] = set()
    for text in keys.graded_texts():
        for piece in [_norm(text), *_sentences(text)]:
            if len(piece) >= 20 and piece not in shared:
                out.add(piece)
    return sorted(out)


@lru_cache(maxsize=None)
def _stem_answers() -> list[tuple[str, re.Pattern[str]]]:
    """A graded question's stem followed, before the next stem, by "Answer: <its letter>"."""
    found = []
    for q in keys.questions():
        if q.graded:
            found.append((f"{q.id}: stem then answer {q.answer_letter}", re.compile(
                rf"{re.escape(_norm(q.stem))}(?:(?!<stem>).){{0,1500}}?(?i:answer)(?:\s+is)?\W{{1,4}}{q.answer_letter}\b")))
    return found


def leaks(text: str) -> list[str]:
    """The graded keys and explanations that ``text`` shows."""
    shown = _norm(text)
    problems = [f"explanation shown: {piece!r}" for piece in _explanations() if piece in shown]
    marked = shown
    for q in banks.load_questions():
        marked = marked.replace(_norm(q.stem), "<stem>" + _norm(q.stem))
    problems += [what for what, pattern in _stem_answers() if pattern.search(marked)]
    for public in _public_texts():
        shown = shown.replace(public, " <public> ")
    problems += [f"key shown: {what}" for what, pattern in _key_patterns() if pattern.search(shown)]
    return problems


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_no_output_of_a_release_notebook_shows_a_graded_answer(executed: dict[str, Any], name: str) -> None:
    problems = leaks(_output_text(executed[name]))
    assert not problems, f"{name} shows graded answers before grading: {problems[:5]}"


@pytest.mark.parametrize("name", ASSIGNMENTS)
def test_no_cell_of_a_release_notebook_shows_a_graded_answer(name: str) -> None:
    nb = nbformat.read(str(REPO / "release" / name / f"{name}.ipynb"), as_version=4)
    problems = leaks(_source_text(nb))
    assert not problems, f"{name} shows graded answers before grading: {problems[:5]}"
    assert "course.grading" not in _source_text(nb) and "SVC_COURSE_KEYS" not in _source_text(nb)


def test_the_course_home_shows_no_graded_answer() -> None:
    nb = nbformat.read(str(REPO / "index.ipynb"), as_version=4)
    assert not leaks(_source_text(nb))


# --------------------------------------------------------------------------- the detector can fail


def test_the_leak_detector_finds_each_kind_of_leak() -> None:
    """Hand-written leaks, as the notebooks once printed them, are all found; public texts are not."""
    quiz = keys.question("q-orient-01")
    scenario = keys.scenario("mfg-04")
    record = keys.record("r06")
    options = "\n".join(f"  {letter}) {option.text}" for letter, option in zip("ABCD", quiz.options))
    examples = {
        # notebook 01's old text fallback: the stem, the options, then "Answer: A. <explanation>"
        "stem, options and answer": f"{quiz.stem}\n{options}\n  Answer: {quiz.answer_letter}. (see above)",
        "short explanation": quiz.correct_option.explanation,
        "explanation of a wrong option": keys.question("q-metrics-07").options[2].explanation,
        "letter": f"{{'q-orient-01': '{quiz.answer_letter}'}}",
        "letter in words": f"q-orient-01: the answer is {quiz.answer_letter}",
        "mapping": f'graded_mapping = {{"mfg-04": "{scenario.activities[0]}"}}',
        "mapping table": f"[mfg-04] {' + '.join(scenario.activities)}",
        "record kind": f"r06: {record.kind} (activity: {record.activity})",
        "scenario explanation": scenario.explanation,
    }
    for what, text in examples.items():
        assert leaks(text), f"the detector misses a leak: {what}"
    # What students are meant to see is not a leak: the public texts of graded items, ids alone,
    # and a record id followed by its own text (r06's text starts with "Release").
    public = banks.question("q-orient-01")
    fine = [
        f"'q-orient-01'\n{public.stem}\n" + "\n".join(f"  {l}. {o.text}" for l, o in zip("ABCD", public.options)),
        f"r06: {banks.load_records()[5].text}",
        "'wifi-01' (campus-wifi)\n    " + banks.scenario("wifi-01").text,
        "quiz_answers = None",
    ]
    for text in fine:
        assert not leaks(text), (text, leaks(text))
