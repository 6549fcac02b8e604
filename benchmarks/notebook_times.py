"""Time each source notebook run top to bottom (the content issue's 10 s target).

Run from the repository root: ``python benchmarks/notebook_times.py``. Prints wall
seconds per notebook, the kernel's CPU seconds, and the machine's load average,
since wall time on a shared machine depends on what else runs.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

REPO = Path(__file__).resolve().parent.parent

TIMER = "import resource as _r; _u = _r.getrusage(_r.RUSAGE_SELF); print('CPU', _u.ru_utime + _u.ru_stime)"


def main() -> int:
    rows = []
    paths = sorted((REPO / "source").glob("*/*.ipynb")) + [REPO / "index.ipynb"]
    for path in paths:
        nb = nbformat.read(str(path), as_version=4)
        nb.cells.append(nbformat.v4.new_code_cell(TIMER))
        start = time.monotonic()
        NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=True,
                       resources={"metadata": {"path": str(path.parent)}}).execute()
        wall = time.monotonic() - start
        cpu = next((o.text.split()[1] for o in nb.cells[-1].outputs if o.output_type == "stream"), "?")
        errors = sum(o.output_type == "error" for c in nb.cells for o in c.get("outputs", []))
        rows.append((path.relative_to(REPO), wall, cpu, errors))
    load = os.getloadavg()[0]
    print(f"load average (1 min) at the end: {load:.1f} on {os.cpu_count()} cores")
    print(f"{'notebook':70} {'wall s':>7} {'kernel CPU s':>12} {'errors':>6}")
    for name, wall, cpu, errors in rows:
        print(f"{str(name):70} {wall:7.1f} {float(cpu):12.1f} {errors:6d}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
