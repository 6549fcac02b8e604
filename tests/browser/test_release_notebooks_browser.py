"""Every topic notebook in ``release/``, as a student opens it: its widgets, and Run All unanswered.

Each notebook is opened once, unanswered, and run with Run All, the student's
first move (a module-scoped fixture; pytest runs both tests of one notebook
before opening the next). ``test_run_all_reaches_the_last_cell_unanswered``:
Run All must reach the last cell, show no error outside the check cells, and no
check may say ``[OK]`` for an exercise that was not answered.
``test_release_notebook_widgets_render``: every widget cell (those Run All did
not reach are run one by one) shows its widget, with no error widget or error
output.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .lab_page import open_notebook, run_all, run_cells, screenshot, wait_until_run_all_stops, widget
from .notebooks import (
    RELEASE_DASHBOARDS,
    RELEASE_WIDGETS,
    check_cells,
    last_code_cell,
    release_notebooks,
    widget_calls,
    widget_cells,
)

REPO = Path(__file__).resolve().parents[2]
RELEASE = release_notebooks(REPO)
IDS = [n.split("/")[1] for n, _ in RELEASE]

_ERROR_CELLS_JS = """
() => Array.from(document.querySelectorAll('.jp-Notebook .jp-Cell')).flatMap((cell, i) =>
    cell.querySelector(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr'], .svc-error")
        ? [i] : [])
"""


def test_every_release_notebook_is_covered():
    folders = sorted(p.name for p in (REPO / "release").iterdir() if p.is_dir())
    assert len(folders) == 8, folders
    assert sorted(RELEASE_WIDGETS) == folders


class Opened:
    """A release notebook open in its own tab, after Run All: its page, path and expected widget classes."""

    def __init__(self, page, notebook: str, classes: list[str] | None):
        self.page = page
        self.notebook = notebook
        self.path = REPO / notebook
        self.classes = classes


@pytest.fixture(scope="module", params=RELEASE, ids=IDS)
def opened(request, context, lab):
    """Open one release notebook unanswered and Run All; both tests below read the same tab (one kernel each)."""
    from .conftest import _delete_sessions, session_ids

    notebook, classes = request.param
    page = context.new_page()
    page.set_default_timeout(60_000)
    before = session_ids(page, lab)
    try:
        open_notebook(page, lab.notebook_url(notebook))
        run_all(page)
        wait_until_run_all_stops(page)
        yield Opened(page, notebook, classes)
    finally:
        _delete_sessions(page, lab, keep=before)
        page.close()


def test_run_all_reaches_the_last_cell_unanswered(opened):
    """Run All on the unanswered notebook: it reaches the end, and no unanswered exercise is marked [OK]."""
    page, path, notebook = opened.page, opened.path, opened.notebook
    cells = page.locator(".jp-Notebook .jp-Cell")
    last = last_code_cell(path)
    text = cells.nth(last).locator(".jp-InputPrompt").first.text_content() or ""
    if not re.search(r"\[\d+\]", text):
        stopped = page.evaluate(_ERROR_CELLS_JS)
        screenshot(cells.nth(stopped[0] if stopped else last), f"run-all-{path.parent.name}")
        pytest.fail(f"{notebook}: Run All stopped before the last cell (cell {last} shows {text!r}); "
                    f"cells with an error: {stopped}")
    checks = set(check_cells(path))
    errors = [i for i in page.evaluate(_ERROR_CELLS_JS) if i not in checks]
    assert not errors, f"{notebook}: error output or error widget outside the check cells, in cells {errors}"
    ok = [i for i in sorted(checks) if "[OK]" in (cells.nth(i).locator(".jp-Cell-outputArea").text_content() or "")]
    assert not ok, f"{notebook}: unanswered exercises marked [OK] by the check cells {ok}"


def test_release_notebook_widgets_render(opened):
    """Every widget cell shows its widget, not an error widget or an error output.

    Widget cells that Run All did not reach are run one by one (each imports what it needs).
    """
    page, path, notebook, classes = opened.page, opened.path, opened.notebook, opened.classes
    assert classes is not None, f"{notebook} is not listed in tests/browser/notebooks.py RELEASE_WIDGETS"
    calls = widget_calls(path)
    assert sorted(set(calls)) == sorted(classes), f"{notebook} calls {calls}, expected {classes}"
    cells = page.locator(".jp-Notebook .jp-Cell")
    wanted = widget_cells(path)
    not_run = [i for i in wanted if not re.search(r"\[\d+\]", cells.nth(i).locator(".jp-InputPrompt").first.text_content() or "")]
    run_cells(page, not_run)
    for css in classes:
        widget(page, css)
    roots = page.locator(".jp-Cell-outputArea .svc-widget")
    expect(roots).to_have_count(len(calls), timeout=60_000)
    for i in range(len(calls)):
        expect(roots.nth(i).locator("button, select, input").first).to_be_attached()
    if path.parent.name in RELEASE_DASHBOARDS:
        expect(page.locator(".jp-Cell-outputArea table.svc-dashboard-table")).to_have_count(1, timeout=60_000)
        expect(page.locator(".jp-Cell-outputArea .jp-RenderedPlotly svg.main-svg").first).to_be_visible()
    expect(page.locator(".jp-Cell-outputArea .svc-error")).to_have_count(0)
    errors = [i for i in page.evaluate(_ERROR_CELLS_JS) if i in wanted]
    assert not errors, f"{notebook}: error output in the widget cells {errors}"
    expect(page.locator(".jp-Cell-outputArea .svc-fallback:visible")).to_have_count(0)  # every widget alive
