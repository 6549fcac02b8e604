"""An nbgrader exporter that never loses a submission to an unreadable or renamed file.

A notebook in an older format that nbformat can upgrade (nbformat 3, as
``nbformat.write(nb, version=3)`` writes it) is upgraded and graded, with a
note. A submitted notebook that is not valid JSON, is not a notebook, or cannot
be upgraded is graded as the blank release notebook (every check scores 0),
with a grading note that says exactly what was wrong with the file. A renamed
notebook (see :mod:`course.grading.hooks`) is read from where it was submitted.
The submitted file itself is never modified.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat
from nbconvert.exporters import NotebookExporter

from .nodes import course_root_of
from .notes import add_note, who


def _is_autograde(parent: Any) -> bool:
    from nbgrader.converters import Autograde

    return isinstance(parent, Autograde)


class UnreadableNotebook(ValueError):
    """A submitted file that cannot be read as a notebook."""


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:300] if text else type(exc).__name__


def read_submission(text: str, name: str) -> tuple[Any, list[str]]:
    """Parse a submitted notebook's text; return it as nbformat 4 with notes on what was done to it.

    Raises :class:`UnreadableNotebook` with the reason when it cannot be graded.
    """
    import json

    try:
        raw = json.loads(text)
    except ValueError as exc:
        raise UnreadableNotebook(f"{name} is not valid JSON ({exc})") from exc
    if not isinstance(raw, dict):
        raise UnreadableNotebook(f"{name} is JSON but not a notebook (no list of cells)")
    major = raw.get("nbformat")
    notes: list[str] = []
    if major != 4:
        if major not in (1, 2, 3) or type(major) is not int:
            raise UnreadableNotebook(f"{name} has nbformat {major!r}; this course's notebooks are nbformat 4")
        try:
            nb = nbformat.reads(text, as_version=4)
            nbformat.validate(nb)
        except Exception as exc:  # nbformat raises several types
            raise UnreadableNotebook(
                f"{name} says it is nbformat {major} but could not be upgraded to nbformat 4 ({_first_line(exc)})"
            ) from exc
        notes.append(f"{name} was saved in the older nbformat {major}; it was upgraded to nbformat 4 to be graded")
        return nb, notes
    if not isinstance(raw.get("cells"), list):
        raise UnreadableNotebook(f"{name} is JSON but not a notebook (no list of cells)")
    try:
        nb = nbformat.reads(text, as_version=4)
        nbformat.validate(nb)
    except Exception as exc:  # nbformat raises several types
        raise UnreadableNotebook(f"{name} does not follow the notebook format ({_first_line(exc)})") from exc
    return nb, notes


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
            from .summary import print_at_exit, quiet_command_line

            preflight(Sandbox(config=self.config))
            quiet_command_line(self.parent)
            print_at_exit()

    def from_filename(self, filename: str, resources: Any = None, **kw: Any) -> Any:
        """Read a listed notebook, or the submitted file it stands for (a renamed notebook)."""
        from .hooks import mark_in_progress, messages_for, stand_in_for

        from .summary import RUN

        info = (resources or {}).get("nbgrader", {})
        if _is_autograde(self.parent) and getattr(self.parent, "_sanitizing", False) and info.get("db_url"):
            RUN.began(who(resources))
            mark_in_progress(info["db_url"], info["student"], info["assignment"], info["notebook"])
            for line in messages_for(info["student"], info["assignment"]):
                self.log.warning("%s/%s: %s", info["student"], info["assignment"], line)
        stand_in = stand_in_for(filename)
        if stand_in is None:
            return super().from_filename(filename, resources=resources, **kw)
        if stand_in.real is None:
            nb = self._placeholder(resources)
        else:
            with open(stand_in.real, encoding="utf-8", errors="replace") as fh:
                nb = self._read(fh.read(), Path(stand_in.real).name, resources)
        add_note(nb, stand_in.note)
        return self.from_notebook_node(nb, resources=resources, **kw)

    def from_file(self, file_stream: Any, resources: Any = None, **kw: Any) -> Any:
        text = file_stream.read()
        if isinstance(text, bytes):
            text = text.decode("utf-8", errors="replace")
        name = Path(getattr(file_stream, "name", "notebook")).name
        return self.from_notebook_node(self._read(text, name, resources), resources=resources, **kw)

    def _read(self, text: str, name: str, resources: Any) -> Any:
        try:
            nb, notes = read_submission(text, name)
        except UnreadableNotebook as exc:
            nb, notes = self._placeholder(resources), []
            add_note(nb, f"the submitted file could not be read: {exc}. It was graded as an unanswered notebook; "
                         "the file is kept unchanged")
            self.log.warning("%s: %s", who(resources), exc)
        for note in notes:
            add_note(nb, note)
        return nb

    def _placeholder(self, resources: Any) -> Any:
        info = (resources or {}).get("nbgrader", {})
        release = course_root_of(self) / "release" / str(info.get("assignment")) / f"{info.get('notebook')}.ipynb"
        if release.is_file():
            return nbformat.read(str(release), as_version=4)
        return nbformat.v4.new_notebook()
