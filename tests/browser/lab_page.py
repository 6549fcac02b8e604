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


def wait_until_run_all_stops(page: Page, timeout: float = 240) -> None:
    """Wait until Run All has stopped: no cell queued or running (``[*]``) and the kernel idle, twice in a row.

    Run All stops at the end of the notebook or at the first cell that raises;
    either way nothing is queued any more.
    """
    prompts = page.locator(".jp-Notebook .jp-Cell .jp-InputPrompt")
    deadline = time.monotonic() + timeout
    calm = 0
    while time.monotonic() < deadline:
        busy = page.evaluate(
            "() => Array.from(document.querySelectorAll('.jp-Notebook .jp-Cell .jp-InputPrompt'))"
            ".some(p => p.textContent.includes('[*]'))"
        )
        idle = "Idle" in (page.locator("#jp-main-statusbar").text_content() or "")
        calm = calm + 1 if (idle and not busy) else 0
        if calm >= 3:
            return
        page.wait_for_timeout(500)
    raise AssertionError(f"Run All still busy after {timeout} s ({prompts.count()} cells)")


def restart_kernel(page: Page) -> None:
    """Kernel > Restart Kernel..., confirm, and wait until the new kernel is idle."""
    page.locator(".lm-MenuBar-itemLabel", has_text="Kernel").first.click()
    page.locator('li[data-command="kernelmenu:restart"]').click()
    page.locator(".jp-Dialog-button.jp-mod-accept").click()
    expect(page.locator(".jp-Dialog")).to_have_count(0)
    expect(page.locator("#jp-main-statusbar")).to_contain_text("Idle", timeout=90_000)


def active_cell(page: Page) -> int:
    """The index of the notebook's active cell."""
    return page.evaluate(
        "() => Array.from(document.querySelectorAll('.jp-Notebook .jp-Cell'))"
        ".findIndex(c => c.classList.contains('jp-mod-active'))"
    )


_WATCH_PROMPT = """
(i) => {
  const prompt = document.querySelectorAll('.jp-Notebook .jp-Cell')[i].querySelector('.jp-InputPrompt');
  window.__svcPromptRan = false;
  const watch = new MutationObserver(() => {
    if (prompt.textContent.includes('*')) { window.__svcPromptRan = true; watch.disconnect(); }
  });
  watch.observe(prompt, {childList: true, characterData: true, subtree: true});
}
"""


def run_cells(page: Page, indices: list[int]) -> None:
    """Run only the given cells, in order (selecting each by its prompt, then Ctrl+Enter)."""
    cells = page.locator(".jp-Notebook .jp-Cell")
    for i in indices:
        cell = cells.nth(i)
        cell.scroll_into_view_if_needed()
        prompt = cell.locator(".jp-InputPrompt").first
        # a cell run again may end with the same count as before (after a kernel restart):
        # watch its prompt go through [*] to know this run has happened
        page.evaluate(_WATCH_PROMPT, i)
        prompt.click()
        page.keyboard.press("Control+Enter")
        page.wait_for_function("() => window.__svcPromptRan === true", timeout=120_000)
        expect(prompt).to_have_text(re.compile(r"\[\d+\]:"), timeout=120_000)


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
