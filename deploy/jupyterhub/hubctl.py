#!/usr/bin/env python3
"""Set up, start and remove the JupyterHub of one svc-course class (run as root).

    python3 deploy/jupyterhub/hubctl.py setup [--settings FILE] [--create-users]
    python3 deploy/jupyterhub/hubctl.py start [--settings FILE]
    python3 deploy/jupyterhub/hubctl.py demo          # what `make hub` runs
    python3 deploy/jupyterhub/hubctl.py clean         # what `make hub-clean` runs (the demo's)

``setup`` is safe to run again: it creates what is missing and never overwrites
an instructor's course folder. It makes the shared course environment (a venv
from ``/usr/bin/python3`` with the course installed as a regular package and
JupyterHub), configurable-http-proxy from npm, the exchange (mode 1777), the
hub's data folder (0700), the role config folders, the two Unix groups, the
instructors' course folders and their ``~/.jupyter/nbgrader_config.py``; it
makes every listed user's home 0700 (with Debian's default 0755, a student's
kernel can read the instructor's ``source/`` and gradebook). With
``--create-users`` (the demonstration) it also creates missing users with random
passwords. ``clean`` removes the users, groups and folders ``setup`` created
(recorded in the hub's data folder); by default the demo's, another settings
file only with ``--yes``.
"""

from __future__ import annotations

import argparse
import json
import os
import pwd
import grp
import secrets
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent

from course_hub import (  # noqa: E402  (beside this script: run as a script, or with this folder on sys.path)
    MANAGED_MARK,
    HubSettings,
    SettingsError,
    config_files,
    course_nbgrader_config,
    instructor_nbgrader_config,
    lab_overrides,
    load_settings,
    spawner_environment,
    with_port,
)

SYSTEM_PYTHON = "/usr/bin/python3"
CREATED = "created.json"  # in the hub's data folder: users, groups and folders setup made
CREDENTIALS = "demo-credentials.json"


class SetupError(RuntimeError):
    """A step of the setup that failed; the message says which and how to fix it."""


def _run(cmd: list[str], what: str, **kw) -> subprocess.CompletedProcess:
    try:
        result = subprocess.run(cmd, capture_output=True, text=True, **kw)
    except FileNotFoundError as exc:
        raise SetupError(f"{what}: {cmd[0]} was not found") from exc
    if result.returncode != 0:
        out = (result.stderr or result.stdout).strip()[-2000:]
        raise SetupError(f"{what} failed ({' '.join(cmd[:4])}...): {out}")
    return result


def _say(message: str) -> None:
    print(f"[hub setup] {message}", flush=True)


def _record(settings: HubSettings, kind: str, name: str) -> None:
    path = settings.data_dir / CREATED
    data = json.loads(path.read_text()) if path.exists() else {}
    if name not in data.setdefault(kind, []):
        data[kind].append(name)
    path.write_text(json.dumps(data, indent=1))
    os.chmod(path, 0o600)


def created(settings: HubSettings) -> dict[str, list[str]]:
    """What ``setup`` created on this machine for these settings (users, groups, venv...)."""
    path = settings.data_dir / CREATED
    return json.loads(path.read_text()) if path.exists() else {}


def _readable_by_all(path: Path) -> bool:
    """Whether every user can reach ``path`` (each parent folder has o+x)."""
    for parent in [path, *path.parents]:
        try:
            mode = parent.stat().st_mode
        except OSError:
            return False
        if parent != path and not mode & stat.S_IXOTH:
            return False
    return True


# --- folders ---------------------------------------------------------------------------


def _first_missing(path: Path) -> Path | None:
    """The outermost folder of ``path`` that does not exist yet (what ``mkdir -p`` would create first)."""
    missing = None
    for folder in [path, *path.parents]:
        if folder.exists():
            break
        missing = folder
    return missing


def _make_folder(settings: HubSettings, path: Path) -> None:
    """``mkdir -p path``, recording the outermost folder it created (clean() removes it)."""
    first = _first_missing(path)
    path.mkdir(parents=True, exist_ok=True)
    if first is not None:
        _record(settings, "folders", str(first))


def ensure_folders(settings: HubSettings) -> None:
    """The hub's data folder (0700), the exchange (1777) and the role config folders."""
    first = _first_missing(settings.data_dir)
    settings.data_dir.mkdir(parents=True, exist_ok=True)  # holds the record of what setup made
    os.chown(settings.data_dir, 0, 0)
    os.chmod(settings.data_dir, 0o700)
    if first is not None and first != settings.data_dir:
        _record(settings, "folders", str(first))
    _make_folder(settings, settings.exchange)
    os.chown(settings.exchange, 0, 0)
    os.chmod(settings.exchange, 0o1777)  # as nbgrader documents; it makes inbound/ 2733 and feedback/ 711
    if not _readable_by_all(settings.exchange):
        raise SetupError(f"the exchange {settings.exchange} is inside a folder other users cannot enter; choose another place")
    _make_folder(settings, settings.config_dir)
    for path, text in config_files(settings).items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        os.chmod(path, 0o644)
    for folder in [settings.config_dir, *settings.config_dir.rglob("*")]:
        if folder.is_dir():
            os.chmod(folder, 0o755)
    _say(f"exchange {settings.exchange} (1777), hub data {settings.data_dir} (0700), config {settings.config_dir}")


# --- software --------------------------------------------------------------------------


def ensure_venv(settings: HubSettings, repo: Path = REPO) -> None:
    """The course environment for every user: a venv from /usr/bin/python3, the course as a regular package.

    A regular (not editable) install: the grading sandbox binds the installed
    package, and every user's kernel imports exactly that copy.
    """
    venv = settings.venv
    python = venv / "bin" / "python"
    os.umask(0o022)
    if not python.exists():
        _make_folder(settings, venv)
    if not _readable_by_all(venv.parent):
        raise SetupError(
            f"{venv.parent} cannot be entered by other users, so a venv there would fail students' servers "
            "with 'Permission denied': choose [paths] venv under /opt or /srv"
        )
    if not python.exists():
        base = SYSTEM_PYTHON if os.path.exists(SYSTEM_PYTHON) else sys.executable
        _say(f"creating the course environment {venv} from {base} (a minute or two)")
        _run([base, "-m", "venv", str(venv)], "creating the venv")
        _run([str(python), "-m", "pip", "install", "--quiet", f"{repo}[hub]"], "installing the course and JupyterHub")
    else:
        if not (venv / "bin" / "jupyterhub-singleuser").exists():
            _run([str(python), "-m", "pip", "install", "--quiet", f"{repo}[hub]"], "installing the course and JupyterHub")
        # refresh the course itself (a regular install, not editable)
        _run([str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--force-reinstall", str(repo)], "updating the course package")
    if not _readable_by_all(python.resolve()) or not _readable_by_all(venv):
        raise SetupError(
            f"{venv} (or its Python {python.resolve()}) is inside a folder other users cannot enter; "
            "students' servers would fail with 'Permission denied'. Put the venv under /opt or /srv."
        )
    overrides = venv / "share" / "jupyter" / "lab" / "settings" / "overrides.d" / "svc-course.json"
    overrides.parent.mkdir(parents=True, exist_ok=True)
    overrides.write_text(json.dumps(lab_overrides(), indent=2) + "\n")
    _say(f"course environment {venv} ready")


def ensure_proxy(settings: HubSettings) -> None:
    """configurable-http-proxy from the npm registry, into the settings' npm prefix."""
    if settings.proxy_command.exists():
        return
    if shutil.which("npm") is None:
        raise SetupError("npm was not found: install Node.js 18+ and npm (Debian: apt-get install nodejs npm)")
    _make_folder(settings, settings.proxy_prefix)
    _run(["npm", "install", "--prefix", str(settings.proxy_prefix), "-g", "--no-fund", "--no-audit",
          "configurable-http-proxy"], "installing configurable-http-proxy from npm")
    _say(f"configurable-http-proxy in {settings.proxy_prefix}")


# --- people ----------------------------------------------------------------------------


def _group_exists(name: str) -> bool:
    try:
        grp.getgrnam(name)
        return True
    except KeyError:
        return False


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def ensure_groups(settings: HubSettings) -> None:
    """The instructors' and the students' Unix groups."""
    for group in (settings.instructors_group, settings.students_group):
        if not _group_exists(group):
            _run(["groupadd", group], f"creating group {group}")
            _record(settings, "groups", group)


def ensure_user(settings: HubSettings, name: str, group: str, *, create: bool, full_name: str = "") -> str | None:
    """Put ``name`` in ``group`` with a 0700 home; create it (returning its new password) if allowed."""
    password = None
    if not _user_exists(name):
        if not create:
            raise SetupError(
                f"user {name} (listed in {settings.source}) does not exist: create the account first "
                "(useradd -m -K HOME_MODE=0700 NAME), or run setup with --create-users"
            )
        _run(["useradd", "-m", "-K", "HOME_MODE=0700", "-s", "/bin/bash", "-c", full_name, "-G", group, name],
             f"creating user {name}")
        _record(settings, "users", name)
        password = secrets.token_urlsafe(9)
        _run(["chpasswd"], f"setting the password of {name}", input=f"{name}:{password}\n")
    else:
        _run(["usermod", "-a", "-G", group, name], f"adding {name} to {group}")
    home = Path(pwd.getpwnam(name).pw_dir)
    if home.is_dir() and stat.S_IMODE(home.stat().st_mode) != 0o700:
        _say(f"{home}: mode {stat.S_IMODE(home.stat().st_mode):o} -> 0700 (other users must not read it)")
        os.chmod(home, 0o700)
    return password


def _chown_tree(path: Path, uid: int, gid: int) -> None:
    os.chown(path, uid, gid)
    for folder, dirs, files in os.walk(path):
        for name in dirs + files:
            os.lchown(os.path.join(folder, name), uid, gid)


def ensure_course_folder(settings: HubSettings, instructor: str, repo: Path = REPO) -> Path:
    """The instructor's course folder and their ``~/.jupyter/nbgrader_config.py``.

    A new course folder gets ``source/``, ``keys/`` (instructor-only answer keys,
    when the course has them) and ``nbgrader_config.py``; an existing one is
    kept as it is.
    """
    entry = pwd.getpwnam(instructor)
    home = Path(entry.pw_dir)
    root = settings.course_root(home)
    if not root.exists():
        root.mkdir()
        shutil.copytree(repo / "source", root / "source", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        if (repo / "keys").is_dir():
            shutil.copytree(repo / "keys", root / "keys")
        text = course_nbgrader_config((repo / "nbgrader_config.py").read_text(), settings)
        (root / "nbgrader_config.py").write_text(text)
        _chown_tree(root, entry.pw_uid, entry.pw_gid)
        os.chmod(root, 0o700)
        _say(f"course folder {root} created for {instructor}")
    else:
        _say(f"course folder {root} exists: kept as it is")
    jupyter = home / ".jupyter"
    config = jupyter / "nbgrader_config.py"
    if not jupyter.exists():
        jupyter.mkdir(mode=0o700)
        os.chown(jupyter, entry.pw_uid, entry.pw_gid)
    if not config.exists() or MANAGED_MARK in config.read_text():
        config.write_text(instructor_nbgrader_config(settings, home))
        os.chown(config, entry.pw_uid, entry.pw_gid)
    else:
        _say(f"{config} was written by {instructor}: kept (it must set CourseDirectory.root = {str(root)!r})")
    return root


def as_user(settings: HubSettings, user: str, role: str, argv: list[str], cwd: Path) -> list[str]:
    """The command that runs ``argv`` as ``user`` with the environment of their hub server."""
    env = spawner_environment(settings, role)
    home = pwd.getpwnam(user).pw_dir
    return ["runuser", "-u", user, "--", "env", "-i", f"HOME={home}", f"USER={user}", "LANG=C.UTF-8",
            *(f"{k}={v}" for k, v in env.items()), "sh", "-c", 'cd "$0" && exec "$@"', str(cwd), *argv]


def add_students_to_gradebook(settings: HubSettings, instructor: str, root: Path) -> None:
    """List the class in the instructor's gradebook (formgrader's Manage Students shows who is missing)."""
    if not settings.students:
        return
    import tempfile

    import csv

    entry = pwd.getpwnam(instructor)
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["id", "first_name", "last_name"])
        for student in settings.students:
            # formgrader shows "last, first": the account name, then its full name (GECOS), not "None, None"
            writer.writerow([student, pwd.getpwnam(student).pw_gecos.split(",")[0], student])
    os.chown(fh.name, entry.pw_uid, entry.pw_gid)
    try:
        nbgrader = str(settings.venv / "bin" / "nbgrader")
        _run(as_user(settings, instructor, "instructors", [nbgrader, "db", "student", "import", fh.name], root),
             f"adding the students to {instructor}'s gradebook")
    finally:
        os.unlink(fh.name)


def check_sandbox(settings: HubSettings, instructor: str) -> str:
    """Run ``svc-course check-sandbox`` as the instructor: can their own server grade in the sandbox?"""
    cmd = as_user(settings, instructor, "instructors", [str(settings.venv / "bin" / "svc-course"), "check-sandbox"],
                  Path(pwd.getpwnam(instructor).pw_dir))
    result = subprocess.run(cmd, capture_output=True, text=True)
    return (result.stdout + result.stderr).strip()


# --- the whole setup, start, clean -----------------------------------------------------


def setup(settings: HubSettings, *, create_users: bool = False, repo: Path = REPO) -> dict[str, str]:
    """Make everything the hub needs; return the passwords of users created now."""
    if os.geteuid() != 0:
        raise SetupError("the hub setup needs root (it creates groups, users' folders and the exchange): run it with sudo")
    os.umask(0o022)
    ensure_folders(settings)
    ensure_groups(settings)
    passwords: dict[str, str] = {}
    for group, names, role in ((settings.instructors_group, settings.instructors, "Instructor"),
                               (settings.students_group, settings.students, "Student")):
        for number, name in enumerate(names, start=1):
            password = ensure_user(settings, name, group, create=create_users, full_name=f"{role} {number}")
            if password:
                passwords[name] = password
    ensure_proxy(settings)
    ensure_venv(settings, repo)
    for instructor in settings.instructors:
        root = ensure_course_folder(settings, instructor, repo)
        add_students_to_gradebook(settings, instructor, root)
    if settings.instructors:
        report = check_sandbox(settings, settings.instructors[0])
        _say(f"grading sandbox as {settings.instructors[0]}: {report}")
    return passwords


def hub_command(settings: HubSettings) -> tuple[list[str], dict[str, str]]:
    """The command line and environment that start the hub (run as root, from the hub's data folder)."""
    env = {
        "PATH": f"{settings.venv / 'bin'}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "SVC_HUB_SETTINGS": str(settings.source.resolve()),
        "SVC_HUB_PORT": str(settings.port),
        "LANG": "C.UTF-8",
        "HOME": "/root",
    }
    argv = [str(settings.venv / "bin" / "jupyterhub"), "-f", str(HERE / "jupyterhub_config.py")]
    return argv, env


def processes_of(uids: set[int]) -> list[int]:
    """Pids of the processes whose real or effective uid is one of ``uids``."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status") as fh:
                ids = next(line for line in fh if line.startswith("Uid:")).split()[1:3]
        except (OSError, StopIteration):
            continue
        if any(int(i) in uids for i in ids):
            found.append(int(entry))
    return found


def kill_user_processes(names: list[str]) -> int:
    """SIGTERM, then SIGKILL, every process of these users (their servers and kernels); return how many."""
    uids = set()
    for name in names:
        try:
            uids.add(pwd.getpwnam(name).pw_uid)
        except KeyError:
            pass
    if not uids:
        return 0
    pids = processes_of(uids)
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in processes_of(uids):
            try:
                os.kill(pid, sig)
            except OSError:
                pass
        deadline = time.monotonic() + 5
        while processes_of(uids) and time.monotonic() < deadline:
            time.sleep(0.1)
    return len(pids)


def remove_tree(path: str | Path) -> None:
    """``rm -rf`` (several times faster than shutil.rmtree on a venv's 30,000 files), not crossing mounts."""
    if os.path.lexists(path):
        subprocess.run(["rm", "-rf", "--one-file-system", "--", str(path)], capture_output=True)


def clean(settings: HubSettings) -> None:
    """Remove what ``setup`` created: its users (with their homes), its groups and the hub's folders."""
    made = created(settings)
    users = made.get("users", [])
    kill_user_processes(users)
    for name in users:
        if _user_exists(name):
            subprocess.run(["userdel", "-r", name], capture_output=True)
    for group in made.get("groups", []):
        if _group_exists(group):
            subprocess.run(["groupdel", group], capture_output=True)
    for folder in [settings.data_dir, *made.get("folders", [])]:
        remove_tree(folder)
    _say(f"removed users {', '.join(users) or '(none)'}, groups {', '.join(made.get('groups', [])) or '(none)'} and the hub's folders")


def _banner(settings: HubSettings, passwords: dict[str, str]) -> str:
    lines = ["", f"JupyterHub for course {settings.course_id}: open {settings.url}", ""]
    for role, names in (("instructor", settings.instructors), ("student", settings.students)):
        for name in names:
            lines.append(f"  {role:10} {name:24} password: {passwords.get(name, '(your own)')}")
    lines += [
        "",
        f"Instructor: open {settings.url}/user/{settings.instructors[0] if settings.instructors else 'NAME'}/formgrader "
        "in its own tab (Generate, Release, Collect, Autograde, Generate feedback, Release feedback).",
        "Students: the Assignments tab in the Nbgrader menu (Fetch, Validate, Submit, Fetch Feedback).",
        "Stop with Ctrl-C; remove the demo users and folders with `make hub-clean`.",
        "",
    ]
    return "\n".join(lines)


def demo(settings: HubSettings) -> None:
    """Set up the demonstration hub (creating its users), print how to log in, and run it in the foreground."""
    new = setup(settings, create_users=True)
    path = settings.data_dir / CREDENTIALS
    known = json.loads(path.read_text()) if path.exists() else {}
    known.update(new)
    path.write_text(json.dumps(known, indent=1))
    os.chmod(path, 0o600)
    print(_banner(settings, known), flush=True)
    start(settings)


def check_ports(settings: HubSettings) -> None:
    """Fail with the setting to change when one of the hub's ports is already taken."""
    import socket

    for key, ip, port in (("port", settings.ip, settings.port), ("hub_port", "127.0.0.1", settings.hub_port),
                          ("proxy_api_port", "127.0.0.1", settings.proxy_api_port)):
        with socket.socket() as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind((ip, port))
            except OSError as exc:
                raise SetupError(
                    f"port {port} on {ip} is in use ({exc.strerror}): choose another [hub] {key} in {settings.source}"
                    + (" (or `make hub HUB_PORT=...`)" if key == "port" else "")
                ) from exc


def start(settings: HubSettings) -> None:
    """Run the hub in the foreground (replaces this process; Ctrl-C stops it, its proxy and the users' servers)."""
    argv, env = hub_command(settings)
    if not Path(argv[0]).exists():
        raise SetupError(f"{argv[0]} not found: run `hubctl.py setup` first")
    check_ports(settings)
    os.chdir(settings.data_dir)
    os.execve(argv[0], argv, env)


def main(argv: list[str] | None = None) -> int:
    """Command line: setup, start, demo or clean."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["setup", "start", "demo", "clean"])
    parser.add_argument("--settings", default=None, help="settings file (default: settings.toml; demo.toml for demo)")
    parser.add_argument("--create-users", action="store_true", help="create missing users with random passwords")
    parser.add_argument("--port", type=int, default=None, help="listen on this port instead of the settings' [hub] port")
    parser.add_argument("--yes", action="store_true", help="clean: also for a settings file other than demo.toml")
    args = parser.parse_args(argv)
    default = "demo.toml" if args.command in ("demo", "clean") else "settings.toml"
    try:
        if args.command == "clean" and args.settings and Path(args.settings).resolve() != HERE / "demo.toml" and not args.yes:
            raise SetupError(
                f"clean deletes the users, the exchange (with every submission) and the folders setup made for "
                f"{args.settings}; add --yes if that is what you want"
            )
        settings = with_port(load_settings(args.settings or HERE / default), args.port)
        if os.geteuid() != 0:
            raise SetupError(f"`hubctl.py {args.command}` needs root (system users, their folders, PAM logins): run it with sudo")
        if args.command == "setup":
            passwords = setup(settings, create_users=args.create_users)
            for name, password in passwords.items():
                print(f"created user {name} with password {password}")
        elif args.command == "start":
            start(settings)
        elif args.command == "demo":
            demo(settings)
        else:
            clean(settings)
    except (SettingsError, SetupError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
