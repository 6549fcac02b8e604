"""The class report: what the class misunderstands, from the autograded notebooks.

For each check of an assignment it counts full, partial and zero scores, the
hints students most often received (each hint names a misconception, e.g.
"CSAT is the share of 4-5, not the mean"), the items (scenarios, questions,
records) most often not right, and the most common wrong answers to them. It
also counts the grading notes (kernels stopped, unreadable files...).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_ITEMS = re.compile(r"Not (?:fully )?right: ([^.]+)\.")


@dataclass
class CheckSummary:
    """What the class did on one check cell."""

    grade_id: str
    students: int = 0
    full: int = 0
    partial: int = 0
    zero: int = 0
    hints: Counter = field(default_factory=Counter)
    items_wrong: Counter = field(default_factory=Counter)
    wrong_answers: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))


@dataclass
class ClassReport:
    """The whole assignment's report."""

    assignment: str
    students: list[str]
    checks: dict[str, CheckSummary]
    notes: Counter


def _text(outputs: list[dict[str, Any]]) -> str:
    parts = []
    for out in outputs:
        if out.get("output_type") == "stream":
            parts.append(out.get("text", "") if isinstance(out.get("text"), str) else "".join(out.get("text", [])))
    return "".join(parts)


def _note_kind(note: str) -> str:
    for key, kind in (
        ("kernel stopped", "kernel stopped (exit, crash or memory)"),
        ("time limit", "cell stopped at the time limit"),
        ("time budget", "notebook time budget used up"),
        ("could not be read", "unreadable notebook file"),
        ("missing from the submission", "graded cell deleted by the student (restored)"),
        ("copy of graded cell", "graded cell copied by the student"),
        ("edited", "grading settings edited (restored)"),
    ):
        if key in note:
            return kind
    return "other"


def build(root: Path, assignment: str) -> ClassReport:
    """Read ``autograded/*/<assignment>/*.ipynb`` under ``root`` and summarise them."""
    import nbformat

    from .notes import notes_of
    from .trusted import collect_answers

    checks: dict[str, CheckSummary] = {}
    notes: Counter = Counter()
    students = []
    for path in sorted((root / "autograded").glob(f"*/{assignment}/*.ipynb")):
        students.append(path.parent.parent.name)
        nb = nbformat.read(str(path), as_version=4)
        notes.update(_note_kind(n) for n in notes_of(nb))
        for cell in nb.cells:
            md = cell.get("metadata", {}).get("nbgrader", {})
            if cell.cell_type != "code" or not md.get("grade") or md.get("solution"):
                continue
            summary = checks.setdefault(md["grade_id"], CheckSummary(md["grade_id"]))
            summary.students += 1
            kinds = {o.get("output_type") for o in cell.outputs}
            if "error" in kinds:
                summary.zero += 1
            elif "execute_result" in kinds:
                summary.partial += 1
            else:
                summary.full += 1
            text = _text(cell.outputs)
            summary.hints.update({line[len("Hint: "):].strip() for line in text.splitlines() if line.startswith("Hint: ")})
            answers, _ = collect_answers(cell.outputs)
            for match in _ITEMS.finditer(text):
                for item in (i.strip() for i in match.group(1).split(",")):
                    summary.items_wrong[item] += 1
                    for value in answers.values():
                        if isinstance(value, dict) and item in value:
                            summary.wrong_answers[item][repr(value[item])] += 1
    return ClassReport(assignment, students, checks, notes)


def render(report: ClassReport, top: int = 3) -> str:
    """The report as Markdown, hardest checks first."""
    n = len(report.students)
    lines = [f"# What the class misunderstands: {report.assignment}", "", f"{n} graded submissions.", ""]
    if report.notes:
        lines += ["## Grading notes", ""] + [f"- {kind}: {count}" for kind, count in report.notes.most_common()] + [""]
    lines += ["## Checks, hardest first", "", "| check | full | partial | zero |", "|---|---|---|---|"]
    ordered = sorted(report.checks.values(), key=lambda s: (s.full / max(s.students, 1), s.grade_id))
    lines += [f"| {s.grade_id} | {s.full} | {s.partial} | {s.zero} |" for s in ordered]
    for s in ordered:
        if not (s.hints or s.items_wrong):
            continue
        lines += ["", f"### {s.grade_id}", ""]
        for hint, count in s.hints.most_common(top):
            lines.append(f"- {count} of {s.students} were told: {hint}")
        for item, count in s.items_wrong.most_common(top):
            common = ", ".join(f"{a} ({c})" for a, c in s.wrong_answers[item].most_common(2))
            lines.append(f"- `{item}` not right for {count} of {s.students}" + (f"; most common answers: {common}" if common else ""))
    return "\n".join(lines) + "\n"


def main(assignment: str, out: str | None = None) -> int:
    """CLI: write ``reports/<assignment>.md`` (or ``out``) from the autograded notebooks."""
    from ..release import course_root

    root = course_root()
    report = build(root, assignment)
    if not report.students:
        raise FileNotFoundError(f"no autograded notebooks for {assignment!r} under {root / 'autograded'}; run `nbgrader autograde {assignment}` first")
    target = Path(out) if out else root / "reports" / f"{assignment}.md"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render(report), encoding="utf-8")
    print(f"wrote {target} ({len(report.students)} submissions)")
    return 0
