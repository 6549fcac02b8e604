"""Where the grading runs: a LocalCluster of this machine, or an existing Dask scheduler.

Connecting is wrapped in an outer time-out (a scheduler address that answers
something other than Dask can make ``Client()`` wait for ever), and every
worker is asked, before any grading, whether it sees the course folder as this
process does and can run the sandbox there.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from typing import Any


class ClusterProblem(RuntimeError):
    """The Dask cluster cannot be used; the message says what is wrong and what to do."""


@dataclass
class Cluster:
    """A connected client, and the LocalCluster this process started (if any)."""

    client: Any
    local: Any = None
    workers: int = 0

    def close(self) -> None:
        """Kill the workers' spare kernels, disconnect; stop the LocalCluster (an external cluster keeps running)."""
        from ..spare_kernel import discard_spare

        def discard() -> None:
            try:
                self.client.run(discard_spare, on_error="ignore")
            except Exception:  # noqa: BLE001 - a worker already gone takes its spare with it
                pass

        waiting = threading.Thread(target=discard, daemon=True)
        waiting.start()
        waiting.join(15)
        try:
            self.client.close(timeout=10)
        except Exception:  # noqa: BLE001 - closing a broken connection
            pass
        if self.local is not None:
            try:
                self.local.close(timeout=20)
            except Exception:  # noqa: BLE001
                pass


def start_local(workers: int | None) -> Cluster:
    """One worker process per core (or ``workers``), one thread each, on loopback, no dashboard."""
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:
        raise SystemExit(f"svc-course autograde needs Dask distributed, which is not installed here ({exc}): "
                         "install the course's dependencies again (`make setup`, or `pip install -e .`)") from None

    n = workers or os.cpu_count() or 1
    # memory_limit=0: the kernels' memory is limited by the sandbox; a worker restarted over a
    # limit that counts only itself would drop its task
    local = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None,
                         host="127.0.0.1", memory_limit=0, silence_logs=40)
    return Cluster(Client(local), local, n)


def connect(address: str, *, timeout: float = 20.0, min_workers: int = 1) -> Cluster:
    """Connect to the scheduler at ``address`` and wait for at least one worker, or raise :class:`ClusterProblem`."""
    from distributed import Client

    box: dict[str, Any] = {}

    def attempt() -> None:
        try:
            box["client"] = Client(address, timeout=timeout)
        except BaseException as exc:  # noqa: BLE001 - reported below
            box["error"] = exc

    thread = threading.Thread(target=attempt, daemon=True)
    thread.start()
    thread.join(timeout + 5)
    if "client" not in box:
        why = box.get("error")
        detail = f" ({type(why).__name__}: {str(why).splitlines()[0][:200] if str(why) else ''})" if why else \
            f" (no answer within {timeout + 5:.0f} s)"
        raise ClusterProblem(
            f"the Dask scheduler at {address} is not answering{detail}. Start it (`dask scheduler`) and its "
            "workers (`dask worker ADDRESS`) on machines that see this course folder, check the address and "
            "port, or leave out --scheduler to grade on this machine's cores")
    client = box["client"]
    try:
        client.wait_for_workers(min_workers, timeout=timeout)
    except Exception:  # noqa: BLE001 - a TimeoutError by another name in some versions
        client.close()
        raise ClusterProblem(f"the Dask scheduler at {address} answers but has no worker (waited {timeout:.0f} s): "
                             "start workers with `dask worker " + address + "`") from None
    return Cluster(client, None, len(client.scheduler_info().get("workers", {})))


def check_workers(cluster: Cluster, root: str, source_digest: str, assignment: str) -> list[str]:
    """Every worker's problem with the course folder or the sandbox (empty: all can grade)."""
    from .worker import probe

    answers = cluster.client.run(probe, root, source_digest, assignment)
    problems = []
    packages = {a.get("course_package") for a in answers.values()}
    for address, answer in sorted(answers.items()):
        if answer.get("problem"):
            problems.append(f"worker {answer.get('worker')} ({address}) {answer['problem']}")
    import course
    from pathlib import Path

    mine = str(Path(course.__file__).resolve().parent)
    if not problems and packages != {mine}:
        problems.append(f"the workers import the course package from {', '.join(sorted(map(str, packages)))}, "
                        f"but this process from {mine}: start the workers with the same Python environment")
    return problems
