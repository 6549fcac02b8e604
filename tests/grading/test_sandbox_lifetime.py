"""A sandbox never outlives the grading process that started it, even when that process is killed mid-start.

bubblewrap's ``--die-with-parent`` takes effect only once bubblewrap runs; the grader
ties the forked child to itself before ``exec`` (:func:`course.grading.sandbox.die_with_grader`).
A grading run SIGKILLed while it started a kernel once left that kernel running, orphaned;
after that fix, one more was found (bubblewrap's own set-up leaves a window too), and the
kernel now also watches a pipe whose only writer is its grader (:mod:`course.grading.lifeline`).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time

from course.grading.sandbox import die_with_grader


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/status") as fh:
            return "State:\tZ" not in fh.read()
    except FileNotFoundError:
        return False


def test_a_child_started_for_the_grader_dies_with_it() -> None:
    # an intermediate "grader" starts a long child with the guard, prints its pid, then is SIGKILLed
    grader = subprocess.Popen([sys.executable, "-c", textwrap.dedent("""
        import os, subprocess, sys, time
        from course.grading.sandbox import die_with_grader
        child = subprocess.Popen(["sleep", "300"], preexec_fn=die_with_grader(os.getpid()))
        print(child.pid, flush=True)
        time.sleep(300)
    """)], stdout=subprocess.PIPE, text=True)
    child = int(grader.stdout.readline())
    assert _alive(child)
    grader.kill()
    grader.wait()
    deadline = time.monotonic() + 10
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(child), "the child outlived its killed grader"


def test_a_child_whose_grader_is_already_gone_never_runs(tmp_path) -> None:
    marker = tmp_path / "ran"
    # the guard is made for another process: as far as this child can tell, its grader has gone
    other = os.getppid()
    proc = subprocess.run(["touch", str(marker)], preexec_fn=die_with_grader(other))
    assert proc.returncode == 1
    assert not marker.exists()


def test_without_the_guard_the_same_child_survives() -> None:
    """Control: the first test fails without the guard (the child is reparented and keeps running)."""
    grader = subprocess.Popen([sys.executable, "-c", textwrap.dedent("""
        import subprocess, time
        child = subprocess.Popen(["sleep", "300"])
        print(child.pid, flush=True)
        time.sleep(300)
    """)], stdout=subprocess.PIPE, text=True)
    child = int(grader.stdout.readline())
    grader.kill()
    grader.wait()
    time.sleep(1)
    try:
        assert _alive(child)
    finally:
        os.kill(child, 9)


def test_a_kernel_whose_grader_is_gone_exits_by_its_lifeline() -> None:
    """The pipe of course.grading.lifeline alone (no parent-death signal, another session) ends the child."""
    grader = subprocess.Popen([sys.executable, "-c", textwrap.dedent("""
        import os, subprocess, sys, time
        r, w = os.pipe()
        watched = "import sys, time; from course.grading.lifeline import watch; watch(int(sys.argv[1])); time.sleep(300)"
        child = subprocess.Popen([sys.executable, "-c", watched, str(r)], pass_fds=(r,), start_new_session=True)
        os.close(r)
        print(child.pid, flush=True)
        time.sleep(300)
    """)], stdout=subprocess.PIPE, text=True)
    child = int(grader.stdout.readline())
    time.sleep(0.5)
    assert _alive(child), "the watched child ended while its grader was alive"
    grader.kill()
    grader.wait()
    deadline = time.monotonic() + 10
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        assert not _alive(child), "the child outlived its killed grader"
    finally:
        if _alive(child):
            os.kill(child, 9)
