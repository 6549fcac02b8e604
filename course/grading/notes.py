"""Grading notes: the plain-words account of what happened to a submission.

Notes go into a markdown cell at the top of the autograded notebook (so
``nbgrader generate_feedback`` shows them to the student) and into the
instructor's log. The cell is found again by its id, so both grading steps
(sanitize, then autograde) add to the same cell.
"""

from __future__ import annotations

from typing import Any

NOTES_CELL_ID = "svc-grading-notes"
_HEADING = "### Grading notes\n\nThe grader recorded the following while grading this notebook:\n"


def add_note(nb: Any, note: str) -> None:
    """Append ``note`` to the notebook's grading-notes cell, creating it first if needed."""
    import nbformat

    for cell in nb.cells:
        if cell.get("id") == NOTES_CELL_ID:
            cell.source = cell.source.rstrip("\n") + f"\n- {note}"
            return
    cell = nbformat.v4.new_markdown_cell(_HEADING + f"\n- {note}")
    cell["id"] = NOTES_CELL_ID
    nb.cells.insert(0, cell)


def notes_of(nb: Any) -> list[str]:
    """Return the notes recorded in a notebook (empty if none)."""
    for cell in nb.cells:
        if cell.get("id") == NOTES_CELL_ID:
            return [line[2:] for line in cell.source.splitlines() if line.startswith("- ")]
    return []


def who(resources: dict[str, Any]) -> str:
    """``student/assignment/notebook`` for log lines, from nbgrader's resources."""
    info = resources.get("nbgrader", {}) if isinstance(resources, dict) else {}
    return "/".join(str(info.get(k, "?")) for k in ("student", "assignment", "notebook"))
