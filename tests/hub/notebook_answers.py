"""Answers two students give to 01-value-chain-orientation, and what must never reach them.

Pure helpers: no hub, no browser. The right answers are the instructor's
solutions (between BEGIN/END SOLUTION in the source notebook); the partly right
student's answers and both expected scores are worked out by hand below.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
ASSIGNMENT = "01-value-chain-orientation"
SOURCE = REPO / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
RELEASE = REPO / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"

# Points by hand (source notebook): check_activities_in_order 2, check_purpose_match 3,
# check_trap_answers 2: 7 in all.
MAX_SCORE = 7.0
# Right student: every check passes: 7.0.
RIGHT_SCORE = 7.0
# Partly right student: exercise 1 right (2 of 2); exercise 2 with p1 and p6 swapped:
# the hidden check gives credit per statement without partial credit inside one,
# so 4 of 6 statements right = 3 * 4/6 = 2.0 of 3; exercise 3 left as None: 0 of 2.
# 2 + 2 + 0 = 4.0. Plain nbgrader (hidden tests run in the kernel, where a partly
# right mapping raises) would give 0 for exercise 2, i.e. 2.0 in all: only the
# course's trusted grading gives 4.0.
PARTLY_SCORE = 4.0
PARTLY_PURPOSES = {
    "p1": "design and transition",  # swapped with p6
    "p2": "engage",
    "p3": "plan",
    "p4": "deliver and support",
    "p5": "improve",
    "p6": "obtain/build",  # swapped with p1
}
PARTLY_MESSAGES = (
    "4 of 6 scenarios fully right. Not fully right: p1, p6.",
    "Hint: Compare each statement with the key-term definitions in section 3.",
    "no answer yet (it is still None)",
)
# printed by the right student's answer cell when graded: the sandbox's working folder
SANDBOX_WORKDIR_LINE = "graded in: /submission"


def _cells(nb: dict[str, Any]) -> list[dict[str, Any]]:
    return nb["cells"]


def _source(cell: dict[str, Any]) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def grade_id(cell: dict[str, Any]) -> str | None:
    """The nbgrader grade id of a cell, or None."""
    return (cell.get("metadata", {}).get("nbgrader") or {}).get("grade_id")


def regions(text: str, begin: str, end: str) -> list[str]:
    """The lines strictly between ``begin`` and ``end`` marker lines."""
    out, inside = [], False
    for line in text.splitlines():
        if begin in line:
            inside = True
            continue
        if end in line:
            inside = False
            continue
        if inside:
            out.append(line)
    return out


def solutions(source: dict[str, Any]) -> dict[str, str]:
    """The instructor's solution code of each answer cell, by grade id."""
    found = {}
    for cell in _cells(source):
        gid = grade_id(cell)
        if gid and "BEGIN SOLUTION" in _source(cell):
            found[gid] = "\n".join(regions(_source(cell), "BEGIN SOLUTION", "END SOLUTION"))
    return found


def hidden_test_lines(source: dict[str, Any], release: dict[str, Any]) -> set[str]:
    """Lines of the hidden-test regions that appear nowhere in the student's version.

    Stripped, at least 8 characters long (so ``}`` and the like do not count).
    """
    released = {line.strip() for cell in _cells(release) for line in _source(cell).splitlines()}
    lines = set()
    for cell in _cells(source):
        for line in regions(_source(cell), "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
            line = line.strip()
            if len(line) >= 8 and line not in released:
                lines.add(line)
    return lines


def fill(nb: dict[str, Any], answers: dict[str, str]) -> dict[str, Any]:
    """Put ``answers`` (code by grade id) into the answer cells of ``nb``; every id must exist."""
    missing = set(answers)
    for cell in _cells(nb):
        gid = grade_id(cell)
        if gid in answers:
            cell["source"] = answers[gid]
            missing.discard(gid)
    if missing:
        raise KeyError(f"no answer cell with grade id {sorted(missing)} in the notebook")
    return nb


def right_answers(source: dict[str, Any], student: str) -> dict[str, str]:
    """The solutions, marked with the student's name, and a line showing where grading ran."""
    answers = {gid: f"# answers of {student}\n{code}" for gid, code in solutions(source).items()}
    answers["answer_activities_in_order"] += '\nimport os\nprint("graded in:", os.getcwd())'
    return answers


def partly_right_answers(source: dict[str, Any], student: str) -> dict[str, str]:
    """Exercise 1 right, exercise 2 with two statements swapped, exercise 3 unanswered."""
    sol = solutions(source)
    purposes = ",\n".join(f"    {k!r}: {v!r}" for k, v in PARTLY_PURPOSES.items())
    return {
        "answer_activities_in_order": f"# answers of {student}\n{sol['answer_activities_in_order']}",
        "answer_purpose_match": f"# answers of {student}\npurpose_match = {{\n{purposes},\n}}",
        "answer_trap_answers": f"# answers of {student}\ntrap_answers = None",
    }


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in ("script", "style"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_text(page: str) -> str:
    """The visible text of an HTML page (code highlighted in spans comes out as plain code)."""
    parser = _Text()
    parser.feed(page)
    return html.unescape("".join(parser.parts))


def exercise_label(assignment: str, grade_id: str) -> str:
    """How the feedback names a graded cell: its exercise's heading (course.grading.feedback)."""
    import nbformat

    from course.grading.feedback import exercise_label as label

    nb = nbformat.read(str(REPO / "release" / assignment / f"{assignment}.ipynb"), as_version=4)
    index = next(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)
    return label(nb.cells, index)


def score_of(text: str, label: str) -> tuple[float, float] | None:
    """The ``(score, max)`` shown right after ``label`` in feedback text.

    The feedback writes ``NAME (Score: X / Y)`` for the notebook and ``Check: EXERCISE
    Score: X / Y`` above each check cell.
    """
    match = re.search(re.escape(label) + r"\s*\(?Score:\s*([\d.]+)\s*/\s*([\d.]+)", text)
    return (float(match.group(1)), float(match.group(2))) if match else None
