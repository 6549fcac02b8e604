"""Fixtures that drive the widgets in a real JupyterLab with headless Chromium.

A session fixture starts JupyterLab on 127.0.0.1 and a free port, with its
config, data, runtime and settings folders in a temporary folder, a random
token (passed in the first URL of the browser context, which then holds the
login cookie, and as an ``Authorization`` header in REST calls), and serves a
temporary root holding one small notebook per widget (plus copies of the topic
notebooks in ``release/`` when they exist). Only that JupyterLab process is
stopped at the end, by its pid. Playwright drives Debian's ``/usr/bin/chromium``,
in one browser context for the session (its cache makes each page load quicker);
each test opens its own tab and shuts its kernels down afterwards.

Screenshots go to ``test-artifacts/<widget>.png`` and click-to-feedback times to
``test-artifacts/timings.json`` at the repository root (both git-ignored).
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
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from .notebooks import WIDGET_CALLS, shared_sources, write_notebook

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
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
NEWS_OFF = {"fetchNews": "false", "checkForUpdates": False}


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(url: str, token: str, proc: subprocess.Popen, log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    request = urllib.request.Request(url, headers={"Authorization": f"token {token}"})
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"JupyterLab exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(request, timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"JupyterLab did not answer at {url} within {timeout} s:\n{log.read_text()[-3000:]}")


class Lab:
    """A running JupyterLab: its base URL, token, root folder and progress file."""

    def __init__(self, url: str, token: str, root: Path, progress: Path):
        self.url = url
        self.token = token
        self.root = root
        self.progress = progress

    def notebook_url(self, relative: str) -> str:
        return f"{self.url}/lab/tree/{relative}?reset&token={self.token}"

    def fresh_progress(self) -> None:
        """Start from no progress at all: remove the progress file and any copy set aside."""
        for path in self.progress.parent.glob(f"{self.progress.name}*"):
            path.unlink()


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    base = tmp_path_factory.mktemp("lab")
    root = base / "root"
    root.mkdir()
    write_notebook(root / "widgets.ipynb", shared_sources())
    for name, source in WIDGET_CALLS.items():
        write_notebook(root / f"{name}.ipynb", ["from course import widgets", source])
    release = REPO / "release"
    if release.is_dir():
        shutil.copytree(release, root / "release")
    settings = base / "settings"
    (settings / "@jupyterlab" / "apputils-extension").mkdir(parents=True)
    (settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings").write_text(
        json.dumps(NEWS_OFF)
    )
    progress = base / "progress.json"
    env = dict(
        os.environ,
        JUPYTER_CONFIG_DIR=str(base / "config"),
        JUPYTER_DATA_DIR=str(base / "data"),
        JUPYTER_RUNTIME_DIR=str(base / "runtime"),
        JUPYTERLAB_SETTINGS_DIR=str(settings),
        JUPYTERLAB_WORKSPACES_DIR=str(base / "workspaces"),
        SVC_COURSE_PROGRESS=str(progress),
        PYTHONUNBUFFERED="1",
    )
    port = _free_port()
    token = secrets.token_hex(24)
    log = base / "lab.log"
    jupyter = Path(sys.executable).parent / "jupyter"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [
                str(jupyter), "lab", "--no-browser", "--allow-root", "--ip=127.0.0.1", f"--port={port}",
                f"--IdentityProvider.token={token}", "--ServerApp.password=", f"--ServerApp.root_dir={root}",
                "--LabApp.news_url=", "--ServerApp.open_browser=False",
            ],
            cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{url}/api/status", token, proc, log)
        _refuses_without_token(f"{url}/api/contents")
        yield Lab(url, token, root, progress)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


def _refuses_without_token(url: str) -> None:
    """The server must not answer its API to a caller without the token."""
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            raise RuntimeError(f"JupyterLab answered {url} without a token (HTTP {resp.status})")
    except urllib.error.HTTPError as exc:
        if exc.code != 403:
            raise RuntimeError(f"JupyterLab answered {url} without a token with HTTP {exc.code}, expected 403") from exc


@pytest.fixture(scope="session")
def browser(playwright_session):
    b = playwright_session.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    try:
        yield b
    finally:
        b.close()


@pytest.fixture(scope="session")
def timings():
    """Click-to-feedback milliseconds, written to test-artifacts/timings.json and printed at the end."""
    found: dict[str, float] = {}
    yield found
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "timings.json").write_text(json.dumps(found, indent=1, sort_keys=True))
    print("\nclick-to-feedback timings (ms):")
    for key, ms in sorted(found.items()):
        print(f"  {key}: {ms:.0f}")


@pytest.fixture(scope="session")
def context(browser, lab):
    """One browser context for the session: shared cache, and the login cookie once the first URL gave the token."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 2400})
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture
def page(context, lab):
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    before = session_ids(pg, lab)
    try:
        yield pg
    finally:
        _delete_sessions(pg, lab, keep=before)
        pg.close()


def session_ids(pg, lab: Lab) -> set[str]:
    """The ids of the kernel sessions running now."""
    headers = {"Authorization": f"token {lab.token}"}
    return {s["id"] for s in pg.request.get(f"{lab.url}/api/sessions", headers=headers).json()}


def delete_notebook_sessions(pg, lab: Lab, notebook: str) -> None:
    """Shut down the kernel of one notebook (path relative to the served root), as closing it for the day would."""
    headers = {"Authorization": f"token {lab.token}"}
    for s in pg.request.get(f"{lab.url}/api/sessions", headers=headers).json():
        if s.get("path") == notebook:
            response = pg.request.delete(f"{lab.url}/api/sessions/{s['id']}", headers=headers)
            assert response.ok, f"could not shut down the kernel of {notebook}: HTTP {response.status}"


def _delete_sessions(pg, lab: Lab, keep: set[str] = frozenset()) -> None:
    """Shut down the kernel sessions started since ``keep`` was taken (another tab's kernel is left alone)."""
    try:
        headers = {"Authorization": f"token {lab.token}"}
        for sid in session_ids(pg, lab) - set(keep):
            pg.request.delete(f"{lab.url}/api/sessions/{sid}", headers=headers)
    except Exception as exc:  # cleaning up must not hide the test's own result
        print(f"could not delete kernel sessions: {exc}")
