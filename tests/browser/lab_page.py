"""Helpers that do in JupyterLab what a student does: open a notebook, run it, click and wait."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def open_notebook(page: Page, url: str) -> None:
    """Open a notebook (with ``?reset``) and wait until its kernel is idle."""
    page.goto(url)
    expect(page.locator(".jp-NotebookPanel .jp-Notebook")).to_be_visible(timeout=90_000)
    expect(page.locator("#jp-main-statusbar")).to_contain_text("Idle", timeout=90_000)


def run_all(page: Page) -> None:
    """Run every cell with Run > Run All Cells."""
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator('li[data-command="runmenu:run-all"]').click()


def run_cells(page: Page, indices: list[int]) -> None:
    """Run only the given cells, in order (selecting each by its prompt, then Ctrl+Enter)."""
    cells = page.locator(".jp-Notebook .jp-Cell")
    for i in indices:
        cell = cells.nth(i)
        cell.scroll_into_view_if_needed()
        cell.locator(".jp-InputPrompt").first.click()
        page.keyboard.press("Control+Enter")
        expect(cell.locator(".jp-InputPrompt").first).to_have_text(re.compile(r"\[\d+\]:"), timeout=120_000)


def widget(page: Page, css: str, timeout: float = 120_000) -> Locator:
    """The widget of class ``css`` once it is visible."""
    box = page.locator(f".jp-Cell-outputArea .{css}").first
    expect(box).to_be_visible(timeout=timeout)
    return box


def timed(timings: dict[str, float], key: str, action: Callable[[], None], wait: Callable[[], None]) -> float:
    """Do ``action``, wait with ``wait`` (an ``expect``), record the milliseconds under ``key``."""
    start = time.perf_counter()
    action()
    wait()
    ms = (time.perf_counter() - start) * 1000
    timings[key] = round(ms, 1)
    return ms


def screenshot(box: Locator, name: str) -> Path:
    """Save a screenshot of one widget to ``test-artifacts/<name>.png``."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    box.scroll_into_view_if_needed()
    box.screenshot(path=str(path))
    return path
