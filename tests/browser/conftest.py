"""Fixtures that drive the widgets in a real JupyterLab with headless Chromium.

A session fixture starts JupyterLab on 127.0.0.1 and a free port, with its
config, data, runtime and settings folders in a temporary folder, and serves a
temporary root holding one small notebook per widget (plus copies of the topic
notebooks in ``release/`` when they exist). Only that JupyterLab process is
stopped at the end, by its pid. Playwright drives Debian's ``/usr/bin/chromium``.

Screenshots go to ``test-artifacts/<widget>.png`` and click-to-feedback times to
``test-artifacts/timings.json`` at the repository root (both git-ignored).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from .notebooks import WIDGET_CALLS, write_notebook

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


def _wait_for(url: str, proc: subprocess.Popen, log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"JupyterLab exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"JupyterLab did not answer at {url} within {timeout} s:\n{log.read_text()[-3000:]}")


class Lab:
    """A running JupyterLab: its base URL, root folder and progress file."""

    def __init__(self, url: str, root: Path, progress: Path):
        self.url = url
        self.root = root
        self.progress = progress

    def notebook_url(self, relative: str) -> str:
        return f"{self.url}/lab/tree/{relative}?reset"


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    base = tmp_path_factory.mktemp("lab")
    root = base / "root"
    root.mkdir()
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
    log = base / "lab.log"
    jupyter = Path(sys.executable).parent / "jupyter"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [
                str(jupyter), "lab", "--no-browser", "--allow-root", "--ip=127.0.0.1", f"--port={port}",
                "--IdentityProvider.token=", "--ServerApp.password=", f"--ServerApp.root_dir={root}",
                "--LabApp.news_url=", "--ServerApp.open_browser=False",
            ],
            cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for(f"{url}/api/status", proc, log)
        yield Lab(url, root, progress)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
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


@pytest.fixture
def page(browser, lab):
    context = browser.new_context(viewport={"width": 1280, "height": 2400})
    pg = context.new_page()
    pg.set_default_timeout(60_000)
    try:
        yield pg
    finally:
        _delete_sessions(pg, lab.url)
        context.close()


def _delete_sessions(pg, url: str) -> None:
    """Shut down the kernels this page started (the REST call needs the _xsrf cookie as a header)."""
    try:
        xsrf = next((c["value"] for c in pg.context.cookies() if c["name"] == "_xsrf"), "")
        headers = {"X-XSRFToken": xsrf}
        sessions = pg.request.get(f"{url}/api/sessions", headers=headers).json()
        for s in sessions:
            pg.request.delete(f"{url}/api/sessions/{s['id']}", headers=headers)
    except Exception as exc:  # cleaning up must not hide the test's own result
        print(f"could not delete kernel sessions: {exc}")
