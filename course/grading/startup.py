"""Start-up cost of the grading processes: leave out an import nothing in grading uses.

``jsonschema`` checks the ``iri`` and ``iri-reference`` string formats with
``rfc3987_syntax`` when it is installed (Jupyter's event schemas ask for it),
and that package compiles 39 grammars as it is imported: about 0.9 s of CPU in
every process that imports ``nbformat``. Neither nbformat's nor nbgrader's
schemas use those formats, so a grading process (the ``svc-course autograde``
coordinator and each of its Dask workers) blocks the import before anything
imports ``jsonschema``; jsonschema then leaves those two formats unchecked, as
it does wherever ``rfc3987_syntax`` is not installed.
"""

from __future__ import annotations

import sys

UNUSED = ("rfc3987_syntax",)


def skip_unused_imports() -> bool:
    """Block :data:`UNUSED` in this process if nothing imported ``jsonschema`` yet; return whether it did.

    >>> import subprocess, sys
    >>> code = ("from course.grading.startup import skip_unused_imports as s; print(s()); "
    ...         "import jsonschema._format as f; print('iri' in f.draft202012_format_checker.checkers, s())")
    >>> print(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip())
    True
    False False
    """
    if "jsonschema" in sys.modules:
        return False
    for name in UNUSED:
        if name not in sys.modules:
            sys.modules[name] = None  # type: ignore[assignment]  # `import name` raises ImportError
    return True
