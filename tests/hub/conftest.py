"""A real JupyterHub for one course, with throw-away system users, for the hub tests.

The ``hub`` fixture (one per module) runs the deployment's own setup
(``deploy/jupyterhub/hubctl.py``) on a settings file of its own: random user and
group names with the prefix ``svcht-``, free loopback ports, and the exchange,
the hub's data, the Jupyter config folders, configurable-http-proxy (from npm)
and the shared course venv in a fresh folder under /tmp. It then starts the hub
as root. However the test ends, it stops the hub (SIGTERM, then SIGKILL), kills
whatever still runs as the test users, deletes them with their homes
(``userdel -r``) and their groups, and removes the folder.

``SVC_HUB_TEST_VENV=/some/world-readable/path`` keeps the course venv there
between runs (it is refreshed, not rebuilt); by default it is built each time.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy" / "jupyterhub"
ARTIFACTS = REPO / "test-artifacts" / "hub"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
USER_PREFIX = "svcht-"

if str(DEPLOY) not in sys.path:
    sys.path.insert(0, str(DEPLOY))


def _free_ports(n: int) -> list[int]:
    socks = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


@dataclass
class Timings:
    """Seconds per step, written to test-artifacts/hub/timings.json."""

    steps: dict[str, float] = field(default_factory=dict)
    _start: float = field(default_factory=time.monotonic)

    def mark(self, step: str) -> None:
        now = time.monotonic()
        self.steps[step] = round(now - self._start, 1)
        self._start = now

    def write(self) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / "timings.json").write_text(json.dumps(self.steps, indent=1))


@dataclass
class Hub:
    """A running hub: its settings, address, users and their passwords."""

    settings: object  # course_hub.HubSettings
    url: str
    instructor: str
    students: tuple[str, str]
    passwords: dict[str, str]
    base: Path
    log: Path
    timings: Timings

    def home(self, user: str) -> Path:
        import pwd

        return Path(pwd.getpwnam(user).pw_dir)

    @property
    def course_root(self) -> Path:
        return self.settings.course_root(self.home(self.instructor))


def _settings_text(tag: str, ports: list[int], base: Path, venv: Path) -> str:
    return f"""
[course]
id = "svc-value-chain"
folder = "svc-value-chain"
[people]
instructors_group = "{USER_PREFIX}{tag}-inst"
students_group = "{USER_PREFIX}{tag}-stud"
instructors = ["{USER_PREFIX}{tag}-teacher"]
students = ["{USER_PREFIX}{tag}-ann", "{USER_PREFIX}{tag}-ben"]
[hub]
ip = "127.0.0.1"
port = {ports[0]}
hub_port = {ports[1]}
proxy_api_port = {ports[2]}
data_dir = "{base / 'hub'}"
[paths]
exchange = "{base / 'exchange'}"
venv = "{venv}"
proxy = "{base / 'proxy'}"
config = "{base / 'jupyter-config'}"
"""


def _wait_for_hub(url: str, proc: subprocess.Popen, log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the hub exited with {proc.returncode}:\n{log.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(f"{url}/hub/api", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"the hub did not answer at {url} within {timeout} s:\n{log.read_text()[-4000:]}")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)  # the hub stops the proxy and the users' servers
        try:
            proc.wait(timeout=40)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def _preflight() -> None:
    if os.geteuid() != 0:
        pytest.fail("the hub test needs root: it creates system users and starts JupyterHub as root "
                    "(run it as root, or leave it out with -m 'not hub')")
    for tool in ("npm", "useradd", "userdel", "chpasswd", "runuser", "bwrap"):
        if shutil.which(tool) is None:
            pytest.fail(f"the hub test needs `{tool}` (scripts/system-deps installs bubblewrap and npm)")
    if not os.path.exists("/usr/bin/python3"):
        pytest.fail("the hub test builds the course venv from /usr/bin/python3, which is missing")


STALE_AFTER_S = 2 * 3600


def _remove_stale_leftovers() -> None:
    """Remove what a killed earlier run left: its users, groups and folders, when idle for 2 hours.

    A run that ends normally (or fails) cleans up after itself; this only catches a
    run killed outright (SIGKILL, a CI time-out). Users with a running process are kept.
    """
    import grp
    import hubctl
    import pwd

    now = time.time()
    stale_tags = set()
    for entry in pwd.getpwall():
        if not entry.pw_name.startswith(USER_PREFIX):
            continue
        try:
            idle = now - Path(entry.pw_dir).stat().st_mtime
        except OSError:
            idle = STALE_AFTER_S + 1
        if idle > STALE_AFTER_S and not hubctl.processes_of({entry.pw_uid}):
            subprocess.run(["userdel", "-r", entry.pw_name], capture_output=True)
            stale_tags.add(entry.pw_name.split("-")[1])
    for group in grp.getgrall():
        parts = group.gr_name.split("-")
        if group.gr_name.startswith(USER_PREFIX) and len(parts) > 1 and parts[1] in stale_tags:
            subprocess.run(["groupdel", group.gr_name], capture_output=True)
    for folder in Path("/tmp").glob("svc-hub-test-*"):
        try:
            if now - folder.stat().st_mtime > STALE_AFTER_S:
                hubctl.remove_tree(folder)
        except OSError:
            pass


@pytest.fixture(scope="module")
def hub():
    import course_hub
    import hubctl

    _preflight()
    _remove_stale_leftovers()
    timings = Timings()
    tag = secrets.token_hex(3)
    base = Path(tempfile.mkdtemp(prefix="svc-hub-test-", dir="/tmp"))
    os.chmod(base, 0o755)  # users' servers reach the exchange, the venv and the config through it
    venv = Path(os.environ.get("SVC_HUB_TEST_VENV") or base / "venv")
    settings_file = base / "settings.toml"
    settings_file.write_text(_settings_text(tag, _free_ports(3), base, venv))
    settings = course_hub.load_settings(settings_file)
    names = [*settings.instructors, *settings.students]
    log = base / "hub.log"
    proc = None
    try:
        passwords = hubctl.setup(settings, create_users=True)
        timings.mark("setup (users, folders, proxy, venv, course folder)")
        argv, env = hubctl.hub_command(settings)
        with open(log, "wb") as out:
            proc = subprocess.Popen(argv, env=env, cwd=settings.data_dir, stdout=out, stderr=subprocess.STDOUT)
        _wait_for_hub(settings.url, proc, log)
        timings.mark("hub start")
        yield Hub(
            settings=settings,
            url=settings.url,
            instructor=settings.instructors[0],
            students=tuple(settings.students),
            passwords=passwords,
            base=base,
            log=log,
            timings=timings,
        )
    finally:
        timings.mark("test")
        if proc is not None:
            _stop(proc)
        timings.mark("teardown: stop the hub (SIGTERM)")
        if log.exists():
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            shutil.copy(log, ARTIFACTS / "hub.log")
        left = hubctl.kill_user_processes(names)
        hubctl.clean(settings)
        for name in names:  # whatever clean() did not know about
            subprocess.run(["userdel", "-r", name], capture_output=True)
        for group in (settings.instructors_group, settings.students_group):
            subprocess.run(["groupdel", group], capture_output=True)
        hubctl.remove_tree(base)
        timings.mark("teardown: users, groups and folders removed")
        timings.steps["user processes left after the hub stopped"] = left
        timings.write()


@pytest.fixture(scope="module")
def browser(playwright_session):
    b = playwright_session.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    try:
        yield b
    finally:
        b.close()
