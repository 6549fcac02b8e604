"""Normalising notebooks: no outputs, no execution counts, stable metadata.

Committed notebooks (``source/``, ``release/``, the course home) go through
:func:`normalise` so that regenerating them gives byte-identical files and diffs
show only real changes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
NOTEBOOK_METADATA = {"kernelspec": KERNELSPEC, "language_info": {"name": "python"}}
_KEPT_CELL_METADATA = ("nbgrader", "tags", "editable", "deletable")


class NotebookError(ValueError):
    """A notebook file that cannot be read as a notebook; the message names it."""


def read(path: Path) -> Any:
    """Read a notebook as nbformat 4, raising :class:`NotebookError` naming the file."""
    import nbformat

    try:
        return nbformat.read(str(path), as_version=4)
    except FileNotFoundError:
        raise
    except Exception as exc:  # nbformat raises several unrelated types
        raise NotebookError(f"{path}: not a readable notebook: {exc}") from exc


def normalise_node(nb: Any) -> Any:
    """Return ``nb`` with outputs, execution counts and volatile metadata removed."""
    import copy

    import nbformat

    nb.metadata = nbformat.from_dict(copy.deepcopy(NOTEBOOK_METADATA))
    for cell in nb.cells:
        kept = {k: cell.metadata[k] for k in _KEPT_CELL_METADATA if k in cell.metadata}
        cell.metadata = nbformat.from_dict(kept)
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        if "attachments" in cell and not cell["attachments"]:
            del cell["attachments"]
    nb.nbformat, nb.nbformat_minor = 4, 5
    return nb


def dumps(nb: Any) -> str:
    """Serialise a notebook the way the repository stores it."""
    import nbformat

    text = nbformat.writes(nb)
    return text if text.endswith("\n") else text + "\n"


def normalise(path: Path, *, check: bool = False) -> bool:
    """Normalise the notebook at ``path`` in place; return True if it was already normal.

    With ``check`` the file is left untouched.
    """
    path = Path(path)
    original = path.read_text(encoding="utf-8")
    text = dumps(normalise_node(read(path)))
    if text == original:
        return True
    if not check:
        path.write_text(text, encoding="utf-8")
    return False


def main(paths: list[str], *, check: bool = False) -> int:
    """CLI: normalise (or with ``check`` list) notebooks; exit 1 if any was not normal."""
    bad = [p for p in paths if not normalise(Path(p), check=check)]
    for p in bad:
        print(f"{'not normalised' if check else 'normalised'}: {p}")
    return 1 if (bad and check) else 0
