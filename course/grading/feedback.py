"""Feedback files students can keep: their points, verdicts and hints, never the grader's tests.

``nbgrader generate_feedback`` turns each autograded notebook into an HTML
file for the student. The autograded notebook holds every test cell whole,
hidden tests included (nbgrader puts them back before grading), so nbgrader's
own feedback shows them to the student (nbgrader#917). The course's feedback
steps, plugged in through ``c.GenerateFeedback.preprocessors`` and a template
of its own (see :func:`configure_feedback`):

* :class:`FeedbackCells` (after nbgrader's ``GetGrades``) cuts every hidden-test
  region out of the test cells, so the student sees only what the release
  notebook showed them, the grader's verdicts and hints, and their points;
  names each graded cell after its exercise; and marks cells still waiting for
  manual grading, which the template shows as "not graded yet" rather than 0.
* the ``svc_feedback.html.j2`` template (in ``templates/feedback/``) extends nbgrader's: exercise
  names in the summary, "not graded yet", long lines wrapped.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from nbconvert.exporters.exporter import ResourcesDict
from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import NbGraderPreprocessor

from .trusted import BEGIN_HIDDEN, END_HIDDEN, strip_hidden_tests

TEMPLATES = Path(__file__).parent / "templates"
TEMPLATE_FILE = "svc_feedback.html.j2"
"""The course's page, in ``templates/feedback/``: nbgrader's template name stays ``feedback`` (formgrader
sets that name itself), and this file, found first, extends nbgrader's ``feedback/index.html.j2``."""
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*$")
_DOCSTRING = re.compile(r'^\s*(?:"""|\'\'\')\s*(.+?)\s*(?:"""|\'\'\')?\s*$')


def exercise_label(cells: list[Any], index: int) -> str:
    """A student-facing name for the graded cell at ``index``.

    The last heading of the closest markdown cell above that names an exercise
    ("### Exercise 20 (graded, 2 points): the headline numbers"), else the first
    line of the test cell's docstring ("Checks the MTTR ..."), else its grade id.

    >>> from nbformat.v4 import new_markdown_cell, new_code_cell
    >>> cells = [new_markdown_cell("## Exercise 3: MTTR (2 points)\\n\\ntext"), new_code_cell("x = 1")]
    >>> exercise_label(cells, 1)
    'Exercise 3: MTTR (2 points)'
    """
    for cell in reversed(cells[:index]):
        if cell.cell_type != "markdown":
            continue
        headings = [m.group(1) for m in map(_HEADING.match, cell.source.splitlines()) if m]
        named = [h for h in headings if "exercise" in h.casefold()]
        if named:
            return named[-1].replace("**", "")
    first = cells[index].source.strip().splitlines()[:1]
    match = _DOCSTRING.match(first[0]) if first else None
    if match:
        return match.group(1).rstrip('."')
    md = cells[index].metadata.get("nbgrader", {})
    return str(md.get("grade_id", "graded cell"))


def _is_test_cell(cell: Any) -> bool:
    md = cell.metadata.get("nbgrader", {})
    return bool(md.get("grade")) and not md.get("solution") and cell.cell_type == "code"


class FeedbackCells(NbGraderPreprocessor):
    """Keep hidden tests out of feedback; name exercises; mark grades still pending."""

    def preprocess(self, nb: NotebookNode, resources: ResourcesDict) -> tuple[NotebookNode, ResourcesDict]:
        from nbgrader.api import Gradebook, MissingEntry

        info = resources["nbgrader"]
        pending_points = 0.0
        with Gradebook(info["db_url"]) as gb:
            for index, cell in enumerate(nb.cells):
                md = cell.metadata.get("nbgrader")
                if not md:
                    continue
                if _is_test_cell(cell) or BEGIN_HIDDEN in cell.source or END_HIDDEN in cell.source:
                    cell.source = strip_hidden_tests(cell.source)
                if not (md.get("grade") or md.get("task")):
                    continue
                svc: dict[str, Any] = {"label": exercise_label(nb.cells, index), "pending": False}
                try:
                    grade = gb.find_grade(md["grade_id"], info["notebook"], info["assignment"], info["student"])
                except MissingEntry:
                    grade = None
                if grade is not None and grade.manual_score is None and grade.needs_manual_grade:
                    svc["pending"] = True
                    pending_points += float(grade.max_score or 0)
                cell.metadata["svc_feedback"] = svc
        resources["nbgrader"]["pending_points"] = pending_points
        return nb, resources


def configure_feedback(c: Any) -> None:
    """Plug :class:`FeedbackCells` and the course's feedback template into ``generate_feedback``."""
    import os

    from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
    from nbgrader.preprocessors import GetGrades

    import nbgrader

    nbgrader_templates = os.path.join(os.path.dirname(nbgrader.__file__), "server_extensions", "formgrader", "templates")
    c.GenerateFeedback.preprocessors = [GetGrades, FeedbackCells, CSSHTMLHeaderPreprocessor]
    c.HTMLExporter.template_name = "feedback"
    c.HTMLExporter.template_file = TEMPLATE_FILE
    c.HTMLExporter.extra_template_basedirs = [str(TEMPLATES), nbgrader_templates]
