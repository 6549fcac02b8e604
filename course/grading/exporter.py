"""An nbgrader exporter that never loses a submission to an unreadable file.

A submitted notebook that is not valid JSON, has the wrong nbformat or is
otherwise unreadable is graded as the blank release notebook (every check
scores 0), with a grading note that says exactly what was wrong with the file.
The submitted file itself is never modified.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat
from nbconvert.exporters import NotebookExporter

from .nodes import course_root_of
from .notes import add_note


def _is_autograde(parent: Any) -> bool:
    from nbgrader.converters import Autograde

    return isinstance(parent, Autograde)


class UnreadableNotebook(ValueError):
    """A submitted file that cannot be read as a notebook."""


def read_submission(text: str, name: str) -> Any:
    """Parse a submitted notebook's text, raising :class:`UnreadableNotebook` with the reason."""
    import json

    try:
        raw = json.loads(text)
    except ValueError as exc:
        raise UnreadableNotebook(f"{name} is not valid JSON ({exc})") from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("cells"), list):
        raise UnreadableNotebook(f"{name} is JSON but not a notebook (no list of cells)")
    major = raw.get("nbformat")
    if major != 4:
        raise UnreadableNotebook(f"{name} has nbformat {major!r}; this course's notebooks are nbformat 4")
    try:
        nb = nbformat.reads(text, as_version=4)
        nbformat.validate(nb)
    except Exception as exc:  # nbformat raises several types
        first = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else type(exc).__name__
        raise UnreadableNotebook(f"{name} does not follow the notebook format ({first})") from exc
    return nb


class SafeNotebookExporter(NotebookExporter):
    """NotebookExporter that grades an unreadable submission as blank, with the reason noted.

    It is also the first course code ``nbgrader autograde`` creates, before it
    removes or rewrites anything: that is where the sandbox is checked, once
    per run, so that a machine that cannot grade (no bubblewrap, or kernels that
    would import another copy of the course) stops before touching a grade.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if _is_autograde(self.parent):
            from .sandbox import Sandbox, preflight

            preflight(Sandbox(config=self.config))

    def from_file(self, file_stream: Any, resources: Any = None, **kw: Any) -> Any:
        text = file_stream.read()
        if isinstance(text, bytes):
            text = text.decode("utf-8", errors="replace")
        name = Path(getattr(file_stream, "name", "notebook")).name
        try:
            nb = read_submission(text, name)
        except UnreadableNotebook as exc:
            nb = self._placeholder(resources)
            add_note(nb, f"the submitted file could not be read: {exc}. It was graded as an unanswered notebook; the file is kept unchanged")
            self.log.warning("%s", exc)
        return self.from_notebook_node(nb, resources=resources, **kw)

    def _placeholder(self, resources: Any) -> Any:
        info = (resources or {}).get("nbgrader", {})
        release = course_root_of(self) / "release" / str(info.get("assignment")) / f"{info.get('notebook')}.ipynb"
        if release.is_file():
            return nbformat.read(str(release), as_version=4)
        return nbformat.v4.new_notebook()
