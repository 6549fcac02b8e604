"""A sandboxed kernel ends as soon as the grading process that started it is gone.

The grader keeps the write end of a pipe; the kernel gets the read end and a
thread that reads it. When the grader ends, however it ends (SIGKILL included),
the kernel reads end-of-file and exits, and with it its sandbox (the kernel's
pid namespace ends with its init process).

This is the last of three ties between a grader and its kernels: the forked
child's parent-death signal (:func:`course.grading.sandbox.die_with_grader`)
and bubblewrap's ``--die-with-parent`` both leave a short window while
bubblewrap sets up the namespace, in which a grader killed at that moment
would leave an idle kernel running for ever. The pipe has no such window: the
grader holds its only write end from before the fork.

Run inside the sandbox as ``python -m course.grading.lifeline FD ARGS...``:
watch ``FD`` then start ipykernel with ``ARGS``.
"""

from __future__ import annotations

import os
import sys
import threading


def watch(fd: int) -> threading.Thread:
    """Exit this process when the pipe ``fd`` reaches end-of-file (its writer is gone) or cannot be read."""

    def wait() -> None:
        try:
            while os.read(fd, 4096):
                pass
        except OSError:
            pass
        os._exit(70)

    thread = threading.Thread(target=wait, name="grader-lifeline", daemon=True)
    thread.start()
    return thread


def main(argv: list[str] | None = None) -> None:
    """Watch the pipe named by the first argument, then run ipykernel with the others."""
    args = list(sys.argv[1:] if argv is None else argv)
    watch(int(args[0]))
    from ipykernel import kernelapp

    sys.argv = ["ipykernel_launcher", *args[1:]]
    kernelapp.launch_new_instance()


if __name__ == "__main__":
    main()
