"""Where the grading runs: a LocalCluster of this machine, or an existing Dask scheduler.

Connecting is wrapped in an outer time-out (a scheduler address that answers
something other than Dask can make ``Client()`` wait for ever), and every
worker is asked, before any grading, whether it sees the course folder as this
process does and can run the sandbox there.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any


class ClusterProblem(RuntimeError):
    """The Dask cluster cannot be used; the message says what is wrong and what to do."""


@dataclass
class Cluster:
    """A connected client, and the LocalCluster this process started (if any)."""

    client: Any
    local: Any = None
    workers: int = 0
    warming: list[Any] = field(default_factory=list)  # each worker's warm-up task (Starting)

    def close(self) -> None:
        """Kill the workers' spare kernels, disconnect; stop the LocalCluster (an external cluster keeps running)."""
        from .worker import finish

        self.warming = []

        def discard() -> None:
            try:
                self.client.run(finish, self.local is not None, on_error="ignore")
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
    method = start_fork_server()  # first: the workers' imports start in it while this process imports Dask
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:
        raise SystemExit(f"svc-course autograde needs Dask distributed, which is not installed here ({exc}): "
                         "install the course's dependencies again (`make setup`, or `pip install -e .`)") from None

    import dask
    import distributed.utils

    # Dask would set its own list of modules for the fork server to load (and import them all
    # into this process to test them, pandas included); the server already runs, so skip it
    distributed.utils._forkserver_preload_set = True  # noqa: SLF001
    n = workers or os.cpu_count() or 1
    # memory_limit=0: the kernels' memory is limited by the sandbox; a worker restarted over a
    # limit that counts only itself would drop its task
    quiet = {
        "distributed.worker.multiprocessing-method": method,
        # nobody looks at these here: the statistical profiler samples the grading thread 100
        # times a second, the event-loop check runs 50 times a second in every process
        "distributed.worker.profile.enabled": False,
        "distributed.admin.tick.interval": "500ms",
    }
    with dask.config.set(quiet):
        local = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=None,
                             host="127.0.0.1", memory_limit=0, silence_logs=40)
    return Cluster(Client(local), local, n)


def start_fork_server() -> str:
    """Start multiprocessing's fork server with the grading code loaded (:mod:`.preload`); its method name.

    Every worker process of the LocalCluster is then forked from it, with the
    imports and the course data already in memory, instead of starting a new
    Python that imports them again. The server imports with this process's
    ``sys.path`` and not from the folder it starts in: the course folder holds
    a ``course/`` folder of its own, which may not be the package this process
    runs (Python 3.11's fork server would put the current folder first). Call it
    from the main thread before other threads start processes (it sets two
    environment variables for the moment it starts the server). Does nothing
    more once the server runs.
    """
    import multiprocessing
    from multiprocessing import forkserver

    multiprocessing.get_context("forkserver").set_forkserver_preload(["course.grading.parallel.preload"])
    env = {"PYTHONSAFEPATH": "1", "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    saved = {name: os.environ.get(name) for name in env}
    os.environ.update(env)
    try:
        forkserver.ensure_running()
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    return "forkserver"


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


class Starting:
    """The LocalCluster being started (or the scheduler connected to) in a thread, its workers warmed up.

    The coordinator prepares the run meanwhile (gradebook, hashes). Each
    worker's first task, pinned to it, gets it ready to grade
    (:func:`.worker.warm_up`). :meth:`result` gives the :class:`Cluster` or
    raises what starting it raised; a run that turns out to have nothing to
    grade calls :meth:`close_unused` instead.
    """

    def __init__(self, scheduler: str | None, workers: int | None, root: str, assignment: str, *,
                 timeout: float = 20.0) -> None:
        self._unused = threading.Event()
        executor = ThreadPoolExecutor(1, thread_name_prefix="svc-autograde-cluster")
        try:
            self._future: Future[Cluster] = executor.submit(self._start, scheduler, workers, root, assignment,
                                                            timeout)
        finally:
            executor.shutdown(wait=False)

    def _start(self, scheduler: str | None, workers: int | None, root: str, assignment: str,
               timeout: float) -> Cluster:
        from .worker import warm_up

        cluster = connect(scheduler, timeout=timeout) if scheduler else start_local(workers)
        if not self._unused.is_set():
            client = cluster.client
            try:
                cluster.warming = [
                    client.submit(warm_up, root, assignment, workers=[address], allow_other_workers=False,
                                  priority=100, pure=False, key=f"svc-warm-up-{address}-{time.time_ns()}")
                    for address in client.scheduler_info().get("workers", {})]
            except Exception:  # noqa: BLE001, S110 - the workers then get ready with their first submission
                pass
        return cluster

    def result(self) -> Cluster:
        """The started cluster (waits for it)."""
        return self._future.result()

    def close_unused(self) -> None:
        """Close the cluster once it is up, without warming it up (the run grades nothing)."""
        self._unused.set()
        try:
            cluster = self._future.result()
        except BaseException:  # noqa: BLE001 - it did not start: nothing to close
            return
        cluster.close()


def check_workers(cluster: Cluster, root: str, source_digest: str, assignment: str) -> list[str]:
    """Every worker's problem with the course folder or the sandbox (empty: all can grade)."""
    from distributed import wait

    from .worker import probe

    if cluster.warming:  # the probe must not check the sandbox while a warm-up does, in the same process
        try:
            wait(cluster.warming, timeout=60)
        except Exception:  # noqa: BLE001, S110 - a worker stuck or gone: the probe finds out
            pass
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
