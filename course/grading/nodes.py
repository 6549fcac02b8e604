"""Small builders shared by the grading preprocessors and exporter."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from nbformat.notebooknode import NotebookNode, from_dict


def stream_output(text: str) -> NotebookNode:
    """A stdout stream output."""
    return from_dict({"output_type": "stream", "name": "stdout", "text": text})


def error_output(ename: str, evalue: str) -> NotebookNode:
    """An error output with a one-line traceback (what nbgrader scores as 0)."""
    return from_dict({"output_type": "error", "ename": ename, "evalue": evalue, "traceback": [f"{ename}: {evalue}"]})


def course_root_of(node: Any) -> Path:
    """The nbgrader course folder of a preprocessor or exporter, found through its parents."""
    while node is not None:
        coursedir = getattr(node, "coursedir", None)
        if coursedir is not None:
            return Path(coursedir.root).resolve()
        node = getattr(node, "parent", None)
    return Path.cwd().resolve()
