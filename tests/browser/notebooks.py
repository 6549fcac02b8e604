"""Small notebooks for the browser tests, and the cells of a release notebook that show widgets."""

from __future__ import annotations

import json
import re
from pathlib import Path

WIDGET_CALLS: dict[str, str] = {
    "mapper": 'widgets.scenario_mapper(["A", "B", "C", "D"])',
    "quiz": "widgets.quiz(n=5)",
    "exam": 'widgets.quiz(mode="exam", n=4)',
    "flashcards": "widgets.flashcards()",
    "stream": 'widgets.value_stream_builder("timetable")',
    "slo": "widgets.slo_explorer()",
    "progress": "widgets.progress_panel()",
}
"""One notebook per widget: its name and the call in its second cell."""

WIDGET_CLASSES = {
    "scenario_mapper": "svc-mapper",
    "quiz": "svc-quiz",
    "flashcards": "svc-flashcards",
    "value_stream_builder": "svc-stream",
    "slo_explorer": "svc-slo",
    "progress_panel": "svc-progress",
}

RELEASE_WIDGETS = {
    "02-value-streams-operating-model": ["svc-stream"],
    "04-modern-delivery-and-sre": ["svc-slo", "svc-quiz"],
    "05-mapping-scenarios": ["svc-mapper"],
    "07-quizzes-and-key-terms": ["svc-quiz", "svc-flashcards"],
}
"""The topic notebooks that use widgets, and the widget classes each must render."""

_CALL = re.compile(r"\bwidgets\.(%s)\(" % "|".join(WIDGET_CLASSES))


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


def widget_cells(path: Path) -> list[int]:
    """Indices of the code cells that import or call ``course.widgets`` (the ones to run, in order)."""
    return [i for i, src in _code_cells(path) if "widgets" in src]


def widget_calls(path: Path) -> list[str]:
    """The widget classes the notebook's cells should render, one per ``widgets.<name>(`` call."""
    return [WIDGET_CLASSES[m.group(1)] for _, src in _code_cells(path) for m in _CALL.finditer(src)]


def release_notebooks(repo: Path) -> list[tuple[str, list[str]]]:
    """(notebook path relative to the repo, classes it must render) for each listed release notebook that exists."""
    cases = []
    for folder, classes in RELEASE_WIDGETS.items():
        for nb in sorted((repo / "release" / folder).glob("*.ipynb")):
            cases.append((nb.relative_to(repo).as_posix(), classes))
    return cases
