"""Loaded once by the fork server that starts ``svc-course autograde``'s own Dask workers.

Its LocalCluster starts each worker process from a fork server
(:func:`.cluster.start_local`) that imported this module first, so the grading
code (about 1 s of imports per process) and the course's data sets (read by
the trusted tests) are loaded once and shared, not loaded again by every
worker. Importing it is its purpose: this is the package's one module with
effects at import. Nothing of any student is here: the fork server exists
before the first submission is read.
"""

from __future__ import annotations


def load() -> None:
    """Import the grading code and read the course's data sets; never raises (a worker then loads them itself)."""
    from ..startup import skip_unused_imports

    skip_unused_imports()
    try:
        import distributed  # noqa: F401
        import nbclient  # noqa: F401
        from nbgrader.converters import Autograde  # noqa: F401

        from ... import data
        from .. import exporter, feedback, guard_step, hooks, preprocessors, setup_guard, summary, trusted  # noqa: F401
        from . import worker  # noqa: F401

        for name in data.available():
            data.load(name)
    except Exception:  # noqa: BLE001, S110
        pass


load()
