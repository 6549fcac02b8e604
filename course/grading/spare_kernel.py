"""A spare sandboxed kernel, started while the previous notebook is graded.

Starting a sandboxed kernel (bubblewrap, then Python importing ipykernel) takes
about a second, during which the grader only waits. A grading process that has
started one notebook's kernel therefore also starts the next one, with nothing
of any student in it: an empty ``/submission`` folder, its own uid, the same
limits. When the next notebook comes, its submission folder is copied into the
spare's ``/submission`` and the kernel, booted by then, runs it; a new spare is
started at once for the notebook after it.

One spare at most per grading process. It is used only by the thread that
started it (its parent-death signal is tied to that thread) and only with the
same sandbox settings and kernel; otherwise it is shut down and a kernel is
started the usual way. A spare never ran any code but ipykernel's own, so no
student's work can reach another through it. The one left when grading ends is
killed at exit (and by its parent-death signal if the grader is killed).

Turned off with ``c.Sandbox.start_ahead = False``.
"""

from __future__ import annotations

import atexit
import logging
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .sandbox import Sandbox, SandboxKernelManager, course_env, kill_uid

log = logging.getLogger(__name__)


@dataclass
class _Spare:
    km: SandboxKernelManager
    key: tuple[Any, ...]
    thread: int


_SPARE: _Spare | None = None
_AT_EXIT = False
_MORE_COMING = True  # see expect_more


def settings_key(kernel_name: str, config: Any) -> tuple[Any, ...]:
    """What a spare must share with the notebook that takes it: kernel, sandbox settings, course package.

    >>> from traitlets.config import Config
    >>> a, b = Config(), Config()
    >>> b.Sandbox.memory_mb = 512
    >>> settings_key("python3", a) == settings_key("python3", Config())
    True
    >>> settings_key("python3", a) == settings_key("python3", b)
    False
    """
    sandbox = Sandbox(config=config)
    traits = tuple(sorted((name, repr(getattr(sandbox, name))) for name in sandbox.traits(config=True)))
    managers = tuple(repr(config.get(name, {})) for name in ("KernelManager", "AsyncKernelManager",
                                                              "SandboxKernelManager"))
    return (kernel_name, traits, managers, tuple(sorted(course_env().items())))


def take(key: tuple[Any, ...], submission: str | None) -> SandboxKernelManager | None:
    """The spare kernel, holding a copy of ``submission``, if one fits ``key`` and is alive; else None."""
    global _SPARE
    spare, _SPARE = _SPARE, None
    if spare is None:
        return None
    if spare.key != key or spare.thread != threading.get_ident() or not _alive(spare.km):
        discard(spare.km)
        return None
    spare.km.receive_submission(submission)
    return spare.km


def start(factory: Callable[[], SandboxKernelManager], key: tuple[Any, ...]) -> None:
    """Start a spare kernel from ``factory`` for the next notebook (replacing any spare there is).

    A spare that cannot start is only logged: the next notebook then starts its
    kernel the usual way, and reports the problem there.
    """
    global _SPARE
    from jupyter_core.utils import run_sync

    if _SPARE is not None:
        old, _SPARE = _SPARE, None
        discard(old.km)
    km = factory()
    try:
        run_sync(km.start_kernel)()
    except Exception as exc:  # noqa: BLE001 - the next notebook starts its own kernel
        log.debug("no spare kernel: %s", exc)
        discard(km)
        return
    _SPARE = _Spare(km, key, threading.get_ident())
    _kill_at_exit()


def expect_more(more: bool) -> None:
    """Whether this process will grade another notebook after the current one (default: yes).

    A ``svc-course autograde`` worker is told no for the last submissions of
    its run: a spare started then would only be killed, and its start would
    take CPU from the workers still grading.
    """
    global _MORE_COMING
    _MORE_COMING = more


def start_for(config: Any, kernel_name: str) -> None:
    """Start a spare for the next notebook of ``kernel_name`` graded with ``config`` (the grader's settings).

    Does nothing after :func:`expect_more` was told no.
    """
    if not _MORE_COMING:
        return
    key = settings_key(kernel_name, config)

    def factory() -> SandboxKernelManager:
        kwargs = {"kernel_name": kernel_name} if kernel_name else {}
        return SandboxKernelManager(config=config, **kwargs)

    start(factory, key)


def _alive(km: SandboxKernelManager) -> bool:
    from jupyter_core.utils import run_sync

    try:
        return bool(run_sync(km.is_alive)())
    except Exception:  # noqa: BLE001
        return False


def discard(km: SandboxKernelManager) -> None:
    """Shut a spare kernel down and remove its folder."""
    from jupyter_core.utils import run_sync

    try:
        if km.has_kernel:
            run_sync(km.shutdown_kernel)(now=True)
    except Exception:  # noqa: BLE001 - fall back to killing it
        _kill(km)
    _kill(km)


def _kill(km: SandboxKernelManager) -> None:
    process = getattr(getattr(km, "provisioner", None), "process", None)
    if process is not None and process.poll() is None:
        process.kill()
        process.wait(timeout=10)
    if km.sandbox_uid is not None:
        kill_uid(km.sandbox_uid)
    shutil.rmtree(km.workdir, ignore_errors=True)


def discard_spare() -> None:
    """Kill the spare kernel now (at exit, or when grading is over)."""
    global _SPARE
    spare, _SPARE = _SPARE, None
    if spare is not None:
        _kill(spare.km)


def _kill_at_exit() -> None:
    global _AT_EXIT
    if not _AT_EXIT:
        atexit.register(discard_spare)
        _AT_EXIT = True
