"""Small notebooks for the browser tests, and the cells of a release notebook that show widgets."""

from __future__ import annotations

import json
import re
from pathlib import Path

SHARED_CELLS: dict[str, str] = {
    "mapper": 'widgets.scenario_mapper(["A", "B", "C", "D"])',
    "mapper_keys": 'widgets.scenario_mapper(["A", "B", "C", "D"])',
    "quiz": "widgets.quiz(n=5)",
    "exam": 'widgets.quiz(mode="exam", n=4)',
    "flashcards": "widgets.flashcards()",
    "stream": 'widgets.value_stream_builder("timetable")',
    "slo": "widgets.slo_explorer()",
    "progress": "widgets.progress_panel()",
}
"""The widgets of the shared notebook ``widgets.ipynb``, one per cell after the import cell, in this order.

The widget tests that can share a kernel act on these (one tab, one Run All);
a cell after the last widget shows whether a key moved JupyterLab to the next cell.
"""

WIDGET_CALLS: dict[str, str] = {
    "graded_mapper": 'widgets.scenario_mapper(graded=True, answer_name="graded_mapping")',
}
"""Notebooks with one widget each (for tests that restart the kernel): name and the call in the second cell."""


def shared_sources() -> list[str]:
    """The cells of ``widgets.ipynb``: the import, one widget per cell, then a last plain cell."""
    return ["from course import widgets", *SHARED_CELLS.values(), "'the cell after the widgets'"]


def shared_cell(name: str) -> int:
    """The index in ``widgets.ipynb`` of the cell showing widget ``name``."""
    return 1 + list(SHARED_CELLS).index(name)


WIDGET_CLASSES = {
    "scenario_mapper": "svc-mapper",
    "quiz": "svc-quiz",
    "flashcards": "svc-flashcards",
    "value_stream_builder": "svc-stream",
    "slo_explorer": "svc-slo",
    "progress_panel": "svc-progress",
}

RELEASE_WIDGETS = {
    "01-value-chain-orientation": ["svc-flashcards", "svc-quiz"],
    "02-value-streams-operating-model": ["svc-stream"],
    "03-operational-terms": ["svc-quiz", "svc-flashcards"],
    "04-modern-delivery-and-sre": ["svc-slo", "svc-quiz"],
    "05-mapping-scenarios": ["svc-mapper"],
    "06-value-chain-metrics": ["svc-quiz"],
    "07-quizzes-and-key-terms": ["svc-quiz", "svc-flashcards"],
    "08-mini-case-streaming": ["svc-mapper"],
}
"""Every topic notebook, and the widget classes it must render (a test fails if a notebook is missing here)."""

RELEASE_DASHBOARDS = {"06-value-chain-metrics"}
"""The topic notebooks that draw the value chain dashboard (``widgets.value_chain_dashboard()``)."""

_CALL = re.compile(r"\bwidgets\.(%s)\(" % "|".join(WIDGET_CLASSES))
_DASHBOARD = re.compile(r"\bwidgets\.value_chain_dashboard\(")


def write_notebook(path: Path, sources: list[str]) -> None:
    """Write a minimal nbformat 4 notebook with one code cell per source."""
    cells = [
        {"cell_type": "code", "execution_count": None, "id": f"cell-{i}", "metadata": {}, "outputs": [], "source": src}
        for i, src in enumerate(sources)
    ]
    nb = {
        "cells": cells,
        "metadata": {
            "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path.write_text(json.dumps(nb, indent=1))


def _code_cells(path: Path) -> list[tuple[int, str]]:
    nb = json.loads(path.read_text())
    out = []
    for i, cell in enumerate(nb["cells"]):
        src = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
        if cell["cell_type"] == "code":
            out.append((i, src))
    return out


def check_cells(path: Path) -> list[int]:
    """Indices of nbgrader's test cells (graded, not an answer): the only cells whose output may be an error."""
    nb = json.loads(path.read_text())
    return [
        i for i, cell in enumerate(nb["cells"])
        if cell["cell_type"] == "code"
        and cell.get("metadata", {}).get("nbgrader", {}).get("grade")
        and not cell["metadata"]["nbgrader"].get("solution")
    ]


def last_code_cell(path: Path) -> int:
    """Index of the notebook's last code cell."""
    return _code_cells(path)[-1][0]


def dashboard_cells(path: Path) -> list[int]:
    """Indices of the code cells that draw the value chain dashboard."""
    return [i for i, src in _code_cells(path) if _DASHBOARD.search(src)]


def widget_cells(path: Path) -> list[int]:
    """Indices of the code cells that import or call ``course.widgets`` (the ones to run, in order)."""
    return [i for i, src in _code_cells(path) if "widgets" in src]


def widget_calls(path: Path) -> list[str]:
    """The widget classes the notebook's cells should render, one per ``widgets.<name>(`` call."""
    return [WIDGET_CLASSES[m.group(1)] for _, src in _code_cells(path) for m in _CALL.finditer(src)]


def release_notebooks(repo: Path) -> list[tuple[str, list[str]]]:
    """(notebook path relative to the repo, classes it must render) for every release notebook.

    A notebook in ``release/`` that is not in :data:`RELEASE_WIDGETS` is listed
    with ``None`` as its classes, so the test that uses this fails naming it.
    """
    cases = []
    for nb in sorted((repo / "release").glob("*/*.ipynb")):
        cases.append((nb.relative_to(repo).as_posix(), RELEASE_WIDGETS.get(nb.parent.name)))
    return cases
