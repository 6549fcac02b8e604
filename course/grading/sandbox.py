"""The grading sandbox: each submission's kernel runs under bubblewrap.

The kernel sees a scratch copy of its own submission folder (at
``/submission``), the read-only software it needs (``/usr``, the Python
installation, the virtual environment, and exactly the course package and
public data folder the grader itself imported), a private ``/tmp``, and
nothing else: no ``source/``, no ``keys/``, no gradebook, no other student, no
home folder, no network. It runs in its own pid namespace (it sees only its
own processes, and everything it started is killed when it ends, whoever
grades), under ``prlimit`` limits on memory, processes, file size, open files
and CPU time; graded as root it also runs as its own unprivileged uid.

jupyter_client drives it like any kernel: :class:`SandboxKernelManager` wraps
the kernel command in ``bwrap`` and talks to it over IPC sockets in a folder
bound into the sandbox (with ``--unshare-net`` the kernel cannot reach the
host's loopback). Settings live in :class:`Sandbox` and are set from
``nbgrader_config.py``, e.g. ``c.Sandbox.memory_mb = 1024``.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jupyter_client.manager import AsyncKernelManager
from traitlets import Bool, Integer, List, Unicode
from traitlets.config import Configurable

INSIDE_WORKDIR = "/submission"
INSTALL_HINT = (
    "bubblewrap is needed to grade untrusted notebooks safely: install it with "
    "`sudo apt-get install bubblewrap` (Debian/Ubuntu) or `sudo dnf install bubblewrap`; "
    "to grade without a sandbox anyway (trusted notebooks only), set "
    "`c.Sandbox.enabled = False` in nbgrader_config.py."
)


class SandboxUnavailable(RuntimeError):
    """The sandbox cannot run here; the message says how to fix it."""


class Sandbox(Configurable):
    """Limits and switches of the grading sandbox (configurable as ``c.Sandbox.*``)."""

    enabled = Bool(True, help="Run every graded kernel in the sandbox. Turning it off is an explicit opt-out.").tag(
        config=True
    )
    bwrap = Unicode("bwrap", help="The bubblewrap executable.").tag(config=True)
    memory_mb = Integer(2048, help="Address-space limit of the kernel, MiB.").tag(config=True)
    max_processes = Integer(64, help="Processes and threads the kernel's user may run.").tag(config=True)
    max_file_mb = Integer(64, help="Largest file the kernel may write, MiB.").tag(config=True)
    max_open_files = Integer(256, help="Open file descriptors.").tag(config=True)
    cpu_seconds = Integer(600, help="CPU time of the kernel process, seconds.").tag(config=True)
    tmp_mb = Integer(256, help="Size of the kernel's private /tmp, MiB.").tag(config=True)
    max_output_bytes = Integer(
        200_000, help="Output kept per cell; the rest is dropped with a note saying so."
    ).tag(config=True)
    notebook_seconds = Integer(
        240, help="Wall-clock budget of one notebook; past it the kernel is stopped and later cells are not run."
    ).tag(config=True)
    first_user_id = Integer(
        200_000,
        help="Grading as root, each kernel runs as its own unprivileged uid/gid drawn from "
        "[first_user_id, first_user_id + 50000), so limits and clean-up apply per submission.",
    ).tag(config=True)
    extra_ro_paths = List(Unicode(), help="More host paths to bind read-only (at the same place).").tag(config=True)
    start_ahead = Bool(
        True,
        help="While a notebook is graded, start the next notebook's sandboxed kernel (empty until that "
        "notebook comes), so no grading process waits for a kernel to start (course.grading.spare_kernel).",
    ).tag(config=True)


def _real(path: str | Path) -> str:
    return os.path.realpath(str(path))


def course_package() -> tuple[str, str]:
    """The course package folder and the public data folder that this (grading) process uses."""
    import course
    from course.paths import data_dir

    return str(Path(_real(course.__file__)).parent), _real(data_dir())


def course_env() -> dict[str, str]:
    """Environment that makes a sandboxed kernel import exactly the grader's course package and data.

    ``PYTHONPATH`` puts the folder holding the grader's ``course`` package first
    (before the virtual environment's site-packages, where an editable install
    may point to another clone), and ``SVC_COURSE_DATA`` names its data folder.
    """
    package, data = course_package()
    return {"PYTHONPATH": str(Path(package).parent), "SVC_COURSE_DATA": data}


def software_paths(extra: list[str] | None = None) -> list[str]:
    """Host folders the kernel needs read-only: Python, the venv, the course package and data."""
    paths = {_real(sys.prefix), _real(sys.base_prefix), _real(sys.exec_prefix)}
    paths.update(course_package())
    paths.update(_real(p) for p in (extra or []))
    # drop paths nested in another one, and system folders bound anyway
    ordered = sorted(p for p in paths if p and not p.startswith(("/usr/", "/bin", "/lib")) and p != "/usr")
    kept: list[str] = []
    for p in ordered:
        if not any(p == k or p.startswith(k.rstrip("/") + "/") for k in kept):
            kept.append(p)
    return kept


def _system_binds() -> list[str]:
    args = ["--ro-bind", "/usr", "/usr"]
    for top in ("/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32"):
        if os.path.islink(top):
            args += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            args += ["--ro-bind", top, top]
    for etc in ("/etc/ld.so.cache", "/etc/localtime", "/etc/ssl/certs"):
        if os.path.exists(etc):
            args += ["--ro-bind", etc, etc]
    return args


def build_command(
    settings: Sandbox,
    kernel_argv: list[str],
    *,
    scratch: str,
    sockdir: str,
    as_root: bool,
    uid: int = 65534,
    ro_paths: list[str] | None = None,
    env_extra: dict[str, str] | None = None,
) -> list[str]:
    """Return the argv that runs ``kernel_argv`` inside the sandbox.

    Pure: builds the list only. ``scratch`` is bound at ``/submission`` (the
    working folder), ``sockdir`` (connection file and IPC sockets) at its own
    path, each of ``ro_paths`` read-only at its own path; ``env_extra`` (for
    example :func:`course_env`) is added to the kernel's clean environment.
    """
    mib = 1024 * 1024
    cmd = [settings.bwrap, "--die-with-parent", "--new-session"]
    cmd += ["--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-pid", "--unshare-cgroup-try"]
    cmd += _system_binds()
    cmd += ["--proc", "/proc", "--dev", "/dev"]
    cmd += ["--perms", "1777", "--size", str(settings.tmp_mb * mib), "--tmpfs", "/tmp"]
    paths = ro_paths if ro_paths is not None else software_paths(list(settings.extra_ro_paths))
    made: set[str] = set()
    for path in [*paths, sockdir]:
        # parents are created inside the sandbox; make them traversable by the
        # unprivileged user (bwrap would copy /root's 0700 otherwise)
        for parent in reversed(Path(path).parents):
            p = str(parent)
            if p not in ("/", "/tmp") and p not in made and not p.startswith(("/usr", "/proc", "/dev")):
                made.add(p)
                cmd += ["--perms", "0755", "--dir", p]
    for path in paths:
        cmd += ["--ro-bind", path, path]
    cmd += ["--bind", scratch, INSIDE_WORKDIR, "--bind", sockdir, sockdir]
    cmd += ["--chdir", INSIDE_WORKDIR, "--clearenv"]
    env = {
        "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
        "HOME": "/tmp",
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "MPLCONFIGDIR": "/tmp/mpl",
        "IPYTHONDIR": "/tmp/ipython",
        "JUPYTER_RUNTIME_DIR": "/tmp/jupyter-runtime",
        "NBGRADER_EXECUTION": "autograde",
        # No JPY_PARENT_PID: in its own pid namespace the kernel's parent is pid 1,
        # which ipykernel's parent poller would take for an orphaning. The namespace
        # itself ends everything in it when bubblewrap's init goes, and bubblewrap
        # goes with the grader (--die-with-parent).
    }
    env.update(env_extra or {})
    for key, value in env.items():
        cmd += ["--setenv", key, value]
    cmd += ["--"]
    cmd += [
        "prlimit",
        f"--as={settings.memory_mb * mib}",
        f"--fsize={settings.max_file_mb * mib}",
        f"--nofile={settings.max_open_files}",
        f"--cpu={settings.cpu_seconds}",
        "--core=0",
    ]
    # Without root, bubblewrap runs in a user namespace of its own, where the
    # process limit counts only the sandbox's processes; as root it counts the
    # processes of the uid the kernel drops to.
    cmd += [f"--nproc={settings.max_processes}", "--"]
    if as_root:
        cmd += ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--"]
    return cmd + list(kernel_argv)


def check_available(settings: Sandbox | None = None) -> None:
    """Raise :class:`SandboxUnavailable` unless bubblewrap can start a sandbox here."""
    settings = settings or Sandbox()
    exe = shutil.which(settings.bwrap)
    if exe is None:
        raise SandboxUnavailable(f"`{settings.bwrap}` was not found. {INSTALL_HINT}")
    for tool in ("prlimit", "setpriv"):
        if shutil.which(tool) is None:
            raise SandboxUnavailable(f"`{tool}` (util-linux) was not found; install util-linux.")
    probe = [exe, "--die-with-parent", "--unshare-net", *_system_binds(), "--proc", "/proc", "--dev", "/dev", "--", "true"]
    try:
        result = subprocess.run(probe, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SandboxUnavailable(f"bubblewrap could not start a sandbox: {exc}. {INSTALL_HINT}") from exc
    if result.returncode != 0:
        raise SandboxUnavailable(
            f"bubblewrap could not start a sandbox here: {result.stderr.strip() or result.returncode}. "
            "User namespaces may be disabled (see `sysctl kernel.unprivileged_userns_clone`). " + INSTALL_HINT
        )


_PROBE = """
import json, os, sys
out = {"python": sys.executable}
try:
    import course
    from course import banks, data
    from course.paths import data_dir
    out["package"] = os.path.realpath(os.path.dirname(course.__file__))
    out["data"] = os.path.realpath(str(data_dir()))
    out["scenarios"] = len(banks.load_scenarios())
    out["incidents"] = len(data.load("incidents"))
except BaseException as exc:
    out["error"] = type(exc).__name__ + ": " + str(exc)
print(json.dumps(out))
"""


def check_course_import(settings: Sandbox | None = None) -> dict[str, Any]:
    """Start a sandbox as a graded kernel would be started and check that it imports the grader's course.

    The probe runs with the same binds, environment, limits and (as root) the
    same kind of unprivileged uid as a kernel, imports ``course`` and loads its
    data, and reports where it found them. Raises :class:`SandboxUnavailable`
    with what was found where and what to do when the package or its data
    differ from the grader's, or cannot be loaded; returns the probe's report.
    """
    import json

    settings = settings or Sandbox()
    package, data = course_package()
    as_root = os.geteuid() == 0
    uid = _next_uid(settings.first_user_id)
    work = Path(tempfile.mkdtemp(prefix="svc-probe-"))
    try:
        scratch, sock = work / "submission", work / "sock"
        scratch.mkdir()
        sock.mkdir()
        if as_root:
            os.chmod(work, 0o711)
            for folder in (scratch, sock):
                os.chown(folder, uid, uid)
        argv = build_command(settings, [sys.executable, "-c", _PROBE], scratch=str(scratch), sockdir=str(sock),
                             as_root=as_root, uid=uid, env_extra=course_env())
        try:
            result = subprocess.run(argv, capture_output=True, text=True, timeout=120)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise SandboxUnavailable(f"the sandbox could not start Python: {exc}. {INSTALL_HINT}") from exc
    finally:
        if as_root:
            kill_uid(uid)
        shutil.rmtree(work, ignore_errors=True)
    lines = result.stdout.strip().splitlines()
    try:
        report = json.loads(lines[-1])
    except (IndexError, ValueError):
        raise SandboxUnavailable(
            f"a sandboxed Python ({sys.executable}) did not run: exit {result.returncode}: "
            f"{(result.stderr or result.stdout).strip()[-600:]}. Check that every user can read the virtual "
            f"environment (a venv under a private home folder cannot be used by the unprivileged grading uid)."
        ) from None
    where = f"the grader uses the course package in {package} with its data in {data}"
    if "error" in report:
        raise SandboxUnavailable(
            f"a sandboxed kernel cannot load the course: {report['error']} ({where}). Every submission would "
            "score 0. Check that the package and data folders can be read by every user, and that "
            "`svc-course check-sandbox` passes, before grading."
        )
    if report["package"] != package or report["data"] != data:
        raise SandboxUnavailable(
            f"a sandboxed kernel imports the course package from {report['package']} (data {report['data']}), "
            f"but {where}. Grading would compare answers against another copy of the course. Install the "
            "course into the environment you grade with (pip install . from this course folder), or grade "
            "from the folder the environment's package comes from."
        )
    return report


_PREFLIGHT_DONE: set[int] = set()


def preflight(settings: Sandbox) -> None:
    """Once per process: raise :class:`SandboxUnavailable` unless graded kernels can run here.

    Checks bubblewrap (:func:`check_available`) and that a sandboxed kernel imports
    the grader's own course package and data (:func:`check_course_import`).
    Does nothing when the sandbox is turned off (``c.Sandbox.enabled = False``).
    """
    if not settings.enabled or os.getpid() in _PREFLIGHT_DONE:
        return
    check_available(settings)
    check_course_import(settings)
    _PREFLIGHT_DONE.add(os.getpid())


def _copy_submission(src: str | None, dest: Path, uid: int | None) -> None:
    """Copy the submission folder (not following symlinks out of it) into the scratch folder."""
    if src and os.path.isdir(src):
        shutil.copytree(src, dest, symlinks=True, dirs_exist_ok=True)
    if uid is not None:
        for folder, dirs, files in os.walk(dest):
            os.chown(folder, uid, uid)
            for name in files:
                os.lchown(os.path.join(folder, name), uid, uid)


def kill_uid(uid: int) -> int:
    """Kill every process running as ``uid`` (what a sandboxed kernel left behind); return how many."""
    import signal

    killed = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status") as fh:
                uids = next(line for line in fh if line.startswith("Uid:")).split()[1:]
        except (OSError, StopIteration):
            continue
        if str(uid) in uids:
            try:
                os.kill(int(entry), signal.SIGKILL)
                killed += 1
            except OSError:
                pass
    return killed


_uid_counter = 0


def _next_uid(first: int) -> int:
    global _uid_counter
    _uid_counter += 1
    return first + (os.getpid() * 97 + _uid_counter) % 50_000


def die_with_grader(grader_pid: int) -> Callable[[], None]:
    """A ``preexec_fn`` that ties the sandbox to the grading process from its first instruction.

    bubblewrap's ``--die-with-parent`` is set only once bubblewrap runs: a grader killed
    between the fork and that moment (SIGKILL of a grading run while it starts a kernel)
    would leave the sandbox and its kernel running, orphaned. Here the forked child asks
    for SIGKILL when its parent dies (kept across ``exec``: bubblewrap is not setuid),
    then exits at once if the parent is already gone.
    """
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)  # loaded before the fork: nothing to import in the child
    pr_set_pdeathsig = 1

    def preexec() -> None:
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != grader_pid:
            os._exit(1)

    return preexec


class SandboxKernelManager(AsyncKernelManager):
    """A kernel manager whose kernels run in the bubblewrap sandbox."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.sandbox = Sandbox(parent=self)
        self._as_root = os.geteuid() == 0
        self._uid = _next_uid(self.sandbox.first_user_id)
        self._workdir = Path(tempfile.mkdtemp(prefix="svc-sandbox-"))
        self._scratch = self._workdir / "submission"
        self._sockdir = self._workdir / "sock"
        self._scratch.mkdir()
        self._sockdir.mkdir()
        if self._as_root:
            os.chmod(self._workdir, 0o711)
            for p in (self._scratch, self._sockdir):
                os.chown(p, self._uid, self._uid)
        self._lifeline_read: int | None = None
        self._lifeline_write: int | None = None
        self.transport = "ipc"
        self.ip = str(self._sockdir / "kernel")
        self.connection_file = str(self._sockdir / "kernel.json")

    @property
    def workdir(self) -> Path:
        """The host folder holding this kernel's ``/submission`` copy and sockets."""
        return self._workdir

    def receive_submission(self, src: str | None) -> None:
        """Copy the submission folder ``src`` into the kernel's ``/submission`` (for a kernel started empty)."""
        _copy_submission(src, self._scratch, self._uid if self._as_root else None)

    @property
    def sandbox_uid(self) -> int | None:
        """The uid the sandboxed kernel runs as (None when grading without root)."""
        return self._uid if self._as_root else None

    def write_connection_file(self, **kwargs: Any) -> None:
        super().write_connection_file(**kwargs)
        if self._as_root and os.path.exists(self.connection_file):
            os.chown(self.connection_file, self._uid, self._uid)

    async def _async_pre_start_kernel(self, **kw: Any) -> Any:
        # Interrupt through the kernel's control channel: a signal would reach
        # bubblewrap, not the kernel, and end the sandbox instead.
        self.kernel_spec.interrupt_mode = "message"
        uid = self._uid if self._as_root else None
        _copy_submission(kw.get("cwd"), self._scratch, uid)
        kw["cwd"] = str(self._workdir)
        env = dict(kw.get("env") or os.environ)
        kw["env"] = env
        # the kernel's own stdout/stderr are not the student's outputs: keep them out of the grader's log
        kw.setdefault("stdout", subprocess.DEVNULL)
        kw.setdefault("stderr", subprocess.DEVNULL)
        if sys.platform.startswith("linux"):
            kw["preexec_fn"] = die_with_grader(os.getpid())
        # the kernel's lifeline (course.grading.lifeline): this process keeps the only write end
        self._close_lifeline()
        self._lifeline_read, self._lifeline_write = os.pipe()
        kw["pass_fds"] = (*kw.get("pass_fds", ()), self._lifeline_read)
        return await super()._async_pre_start_kernel(**kw)

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
        try:
            await super()._async_launch_kernel(kernel_cmd, **kw)
        finally:
            if self._lifeline_read is not None:  # the kernel has its copy
                os.close(self._lifeline_read)
                self._lifeline_read = None

    def _close_lifeline(self) -> None:
        for name in ("_lifeline_read", "_lifeline_write"):
            fd = getattr(self, name, None)
            if fd is not None:
                os.close(fd)
            setattr(self, name, None)

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        # -P: the submission folder is not on sys.path while the kernel starts (IPython adds it for the notebook)
        argv = [sys.executable, "-P", "-m", "course.grading.lifeline", str(self._lifeline_read)]
        argv += ["-f", self.connection_file, "--HistoryManager.enabled=False"]
        return build_command(
            self.sandbox,
            argv,
            scratch=str(self._scratch),
            sockdir=str(self._sockdir),
            as_root=self._as_root,
            uid=self._uid,
            env_extra=course_env(),
        )

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        self._close_lifeline()
        if self._as_root:
            kill_uid(self._uid)  # processes the kernel started and left running
        if not restart:
            shutil.rmtree(self._workdir, ignore_errors=True)


def _course_settings(config_dir: str | None) -> Sandbox:
    """The ``c.Sandbox`` settings of the course folder's ``nbgrader_config.py`` (defaults without one)."""
    if config_dir and os.path.isfile(os.path.join(config_dir, "nbgrader_config.py")):
        from traitlets.config.loader import PyFileConfigLoader

        return Sandbox(config=PyFileConfigLoader("nbgrader_config.py", path=config_dir).load_config())
    return Sandbox()


def main(quiet: bool = False, config_dir: str | None = None) -> int:
    """CLI: report whether the sandbox can run here and grade with this course (exit 1 with the fix if not)."""
    settings = _course_settings(config_dir)
    try:
        check_available(settings)
        report = check_course_import(settings)
    except SandboxUnavailable as exc:
        print(f"sandbox unavailable: {exc}", file=sys.stderr)
        return 1
    if not quiet:
        who = "as its own unprivileged uid" if os.geteuid() == 0 else "as this user, in its own user namespace"
        print(f"sandbox ready: bubblewrap, prlimit and setpriv work here; a graded kernel runs {who} and "
              f"imports the course package from {report['package']} with its data from {report['data']} "
              f"({report['scenarios']} scenarios, {report['incidents']} incidents)")
    return 0
