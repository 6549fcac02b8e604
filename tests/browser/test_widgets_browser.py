"""Each widget in a real JupyterLab: what a student does, and what appears.

Run with ``pytest -m browser tests/browser``. Most tests act on their own widget
in one shared tab (``widgets.ipynb``, opened and run once with a fresh progress
file); the kernel-restart test and the dashboard test open their own notebook.
Screenshots go to ``test-artifacts/<widget>.png``; click-to-feedback times are
printed and saved to ``test-artifacts/timings.json`` (measured, not asserted).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .lab_page import (
    active_cell,
    open_notebook,
    restart_kernel,
    run_all,
    run_cells,
    screenshot,
    timed,
    wait_until_run_all_stops,
    widget,
)
from .notebooks import SHARED_CELLS, shared_cell

REPO = Path(__file__).resolve().parents[2]


def start(page, lab, name, css):
    open_notebook(page, lab.notebook_url(f"{name}.ipynb"))
    run_all(page)
    return widget(page, css)


@pytest.fixture(scope="module")
def shared(context, lab):
    """The shared tab: widgets.ipynb opened with no progress yet, run once; every widget alive."""
    from .conftest import _delete_sessions, session_ids

    lab.fresh_progress()
    page = context.new_page()
    page.set_default_timeout(60_000)
    before = session_ids(page, lab)
    try:
        open_notebook(page, lab.notebook_url("widgets.ipynb"))
        run_all(page)
        wait_until_run_all_stops(page)
        expect(page.locator(".jp-Cell-outputArea .svc-widget")).to_have_count(len(SHARED_CELLS), timeout=120_000)
        yield page
    finally:
        _delete_sessions(page, lab, keep=before)
        page.close()


def in_cell(page, name, css):
    """The widget of class ``css`` shown by the shared notebook's cell for ``name``."""
    box = page.locator(".jp-Notebook .jp-Cell").nth(shared_cell(name)).locator(f".jp-Cell-outputArea .{css}").first
    expect(box).to_be_visible(timeout=60_000)
    box.scroll_into_view_if_needed()
    return box


def quiz_attempts(lab):
    return json.loads(lab.progress.read_text())["quizzes"] if lab.progress.exists() else []


def test_mapper_check_next_and_show_as_code(shared, timings):
    box = in_cell(shared, "mapper", "svc-mapper")
    expect(box.locator(".svc-scenario")).to_contain_text("service desk is flooded")
    box.locator("button.svc-activity", has_text="deliver and support").click()
    feedback = box.locator(".svc-feedback-box")
    timed(
        timings, "mapper_check",
        lambda: box.locator("button.svc-check").click(),
        lambda: expect(feedback).to_contain_text("[OK] correct", timeout=30_000),
    )
    expect(feedback).to_contain_text("Cue words:")
    expect(box.locator(".svc-score")).to_contain_text("1 / 1 correct, 0 partly")
    screenshot(box, "mapper")
    box.locator("button.svc-next").click()
    expect(box.locator(".svc-scenario")).to_contain_text("push small code changes")
    expect(feedback).to_have_text("")
    box.locator("button.svc-activity", has_text="obtain/build").click()
    box.locator("button.svc-check").click()
    expect(feedback).to_contain_text("[PARTLY] partly right")
    code = box.locator(".svc-code-box pre")
    timed(
        timings, "mapper_show_code",
        lambda: box.locator("button.svc-show-code").click(),
        lambda: expect(code).to_contain_text('"B": "obtain/build",', timeout=30_000),
    )
    lines = code.inner_text().splitlines()
    assert lines == [
        "practice_mapping = {",
        '    "A": "deliver and support",',
        '    "B": "obtain/build",',
        '    # "C": not answered yet',
        '    # "D": not answered yet',
        "}",
    ]
    # one entry per line and no wrapping: the block is as tall as its six lines, not more
    height = code.evaluate("e => e.getBoundingClientRect().height / parseFloat(getComputedStyle(e).lineHeight || 16)")
    assert height < 8, f"the code block is {height:.1f} lines tall for 6 lines of code"


def test_mapper_by_keyboard_only(shared, timings):
    """Tab, Space and Enter only: pick an activity, check, move on, show the code."""
    page = shared
    box = in_cell(page, "mapper_keys", "svc-mapper")
    first = box.locator("button.svc-activity").first
    first.focus()  # as a screen reader's jump to the first control; all else is keys
    expect(first).to_be_focused()
    for _ in range(5):  # plan -> improve -> engage -> design and transition -> obtain/build -> deliver and support
        page.keyboard.press("Tab")
    expect(box.locator("button.svc-activity", has_text="deliver and support")).to_be_focused()
    page.keyboard.press("Space")
    expect(box.locator("button.svc-activity.mod-active")).to_have_text("deliver and support")
    page.keyboard.press("Tab")
    expect(box.locator("button.svc-check")).to_be_focused()
    timed(
        timings, "mapper_check_keyboard",
        lambda: page.keyboard.press("Enter"),
        lambda: expect(box.locator(".svc-feedback-box")).to_contain_text("[OK] correct", timeout=30_000),
    )
    page.keyboard.press("Tab")
    expect(box.locator("button.svc-next")).to_be_focused()
    page.keyboard.press("Enter")
    expect(box.locator(".svc-scenario")).to_contain_text("push small code changes")
    page.keyboard.press("Tab")
    expect(box.locator("button.svc-show-code")).to_be_focused()
    page.keyboard.press("Space")
    expect(box.locator(".svc-code-box pre")).to_contain_text('"A": "deliver and support",')
    screenshot(box, "mapper-keyboard")


def test_graded_mapper_records_without_checking_and_survives_a_kernel_restart(page, lab, timings):
    """No Check button; each click is recorded; after a restart the note says what to do and the choices come back.

    Then the saved notebook is reopened with a new kernel, as the issue saw it:
    "Error displaying widget: model not found", and the note beside it.
    """
    lab.fresh_progress()
    box = start(page, lab, "graded_mapper", "svc-mapper-graded")
    expect(box.locator("button.svc-check")).to_be_hidden()
    expect(box).to_contain_text("graded when your notebook is graded")
    expect(box).not_to_contain_text("checked by the test cell")
    fallback = page.locator(".jp-Cell-outputArea .svc-fallback").first
    expect(fallback).to_be_attached()
    expect(fallback).to_be_hidden()  # the widget is alive: its note is hidden
    feedback = box.locator(".svc-feedback-box")
    timed(
        timings, "graded_mapper_record",
        lambda: box.locator("button.svc-activity", has_text="engage").click(),
        lambda: expect(feedback).to_contain_text("[RECORDED] Your choice for this scenario: engage.", timeout=30_000),
    )
    box.locator("button.svc-next").click()
    box.locator("button.svc-activity", has_text="obtain/build").click()
    box.locator("button.svc-activity", has_text="design and transition").click()
    expect(box.locator(".svc-score")).to_contain_text("2 of 10 graded scenarios answered")
    screenshot(box, "graded-mapper")

    restart_kernel(page)
    expect(fallback).to_be_visible(timeout=30_000)
    expect(fallback).to_contain_text("run this cell again")
    screenshot(page.locator(".jp-Notebook .jp-Cell").nth(1), "graded-mapper-after-restart")

    run_cells(page, [0, 1])
    box = widget(page, "svc-mapper-graded")
    expect(box.locator(".svc-score")).to_contain_text("2 of 10 graded scenarios answered", timeout=60_000)
    expect(fallback).to_be_hidden()
    expect(box.locator(".svc-position")).to_contain_text("Scenario 3 of 10")  # the first one without a choice
    box.locator("button.svc-show-code").click()
    code = box.locator(".svc-code-box pre")
    expect(code).to_contain_text('"wifi-01": "engage",')
    expect(code).to_contain_text('"shop-02": ["design and transition", "obtain/build"],')
    assert code.inner_text().startswith("graded_mapping = {")
    for _ in range(8):  # round to scenario 1: its recorded choice is shown
        box.locator("button.svc-next").click()
    expect(box.locator(".svc-position")).to_contain_text("Scenario 1 of 10")
    expect(box.locator("button.svc-activity.mod-active")).to_have_text("engage")

    # the notebook saved with its outputs, reopened later with a new kernel: the widget cannot be drawn
    page.keyboard.press("Control+s")
    expect(page.locator(".jp-mod-dirty")).to_have_count(0, timeout=30_000)
    from .conftest import delete_notebook_sessions

    delete_notebook_sessions(page, lab, "graded_mapper.ipynb")
    page.goto(lab.notebook_url("graded_mapper.ipynb").replace("?reset&", "?"))
    expect(page.locator("#jp-main-statusbar")).to_contain_text("Idle", timeout=90_000)
    output = page.locator(".jp-Notebook .jp-Cell").nth(1).locator(".jp-Cell-outputArea")
    expect(output).to_contain_text("Error displaying widget: model not found", timeout=30_000)
    expect(output.locator(".svc-fallback")).to_be_visible()
    expect(output.locator(".svc-fallback")).to_contain_text("run this cell again")


def test_practice_quiz_verdict_arrow_keys_early_finish_and_start_again(shared, lab, timings):
    page = shared
    box = in_cell(page, "quiz", "svc-quiz")
    radios = box.locator(".svc-options input[type=radio]")
    expect(radios).to_have_count(4)

    # arrow keys move between the options and stay in the widget (JupyterLab must not go to the next cell)
    radios.first.check()
    radios.first.focus()
    cell_before = active_cell(page)
    timed(
        timings, "quiz_arrow_down",
        lambda: page.keyboard.press("ArrowDown"),
        lambda: expect(radios.nth(1)).to_be_checked(timeout=30_000),
    )
    expect(radios.nth(1)).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(radios.nth(2)).to_be_checked()
    page.keyboard.press("ArrowUp")
    expect(radios.nth(1)).to_be_checked()
    expect(radios.nth(1)).to_be_focused()
    assert active_cell(page) == cell_before == shared_cell("quiz")
    expect(page.locator("#jp-main-statusbar")).to_contain_text(f"Cell {cell_before + 1}/{len(SHARED_CELLS) + 2}")

    # the verdict comes first, then every option explained
    feedback = box.locator(".svc-feedback-box")
    timed(
        timings, "quiz_check",
        lambda: box.locator("button.svc-submit").click(),
        lambda: expect(feedback.locator(".svc-line")).to_have_count(5, timeout=30_000),
    )
    expect(feedback.locator(".svc-line").first).to_have_text(
        re.compile(r"^(\[OK\] Your answer B is right\.|\[WRONG\] Your answer B is wrong; the answer is [ACD]\.)$")
    )
    expect(feedback).to_contain_text("B) ")
    expect(feedback).to_contain_text("(your answer)")
    expect(box.locator("button.svc-next")).to_be_focused()  # focus stays in the quiz after Check
    screenshot(box, "quiz")

    # finishing early asks first, and scores nothing until the student confirms
    box.locator("button.svc-finish").click()
    confirm = box.locator(".svc-confirm")
    expect(confirm).to_contain_text("4 questions unanswered: finish anyway?")
    expect(box.locator(".svc-result")).to_have_text("")
    attempts = len(quiz_attempts(lab))  # nothing is scored or saved until the student confirms
    box.locator("button.svc-keep-going").click()
    expect(confirm).to_be_hidden()
    expect(box.locator(".svc-question")).to_contain_text("Question 2 of 5")
    box.locator("button.svc-finish").click()
    timed(
        timings, "quiz_finish_anyway",
        lambda: box.locator("button.svc-confirm-finish").click(),
        lambda: expect(box.locator(".svc-result")).to_contain_text("4 unanswered (not scored)", timeout=30_000),
    )
    result = box.locator(".svc-result")
    expect(result.locator(".svc-unanswered li")).to_have_count(4)
    expect(result.locator(".svc-unanswered")).not_to_contain_text("the answer is")
    screenshot(box, "quiz-finished")
    assert len(quiz_attempts(lab)) == attempts + 1
    attempt = quiz_attempts(lab)[-1]
    assert (attempt["mode"], attempt["total"], len(attempt["unanswered"])) == ("practice", 1, 4)

    # a new attempt without running the cell again
    box.locator("button.svc-again").click()
    expect(box.locator(".svc-result")).to_have_text("")
    expect(box.locator(".svc-question")).to_contain_text("Question 1 of 5")
    expect(radios.first).to_be_enabled()
    expect(box.locator(".svc-options input[type=radio]:checked")).to_have_count(0)


def test_exam_asks_before_scoring_unanswered_questions(shared, lab, timings):
    box = in_cell(shared, "exam", "svc-quiz")
    expect(box).to_contain_text("Mock exam: 4 questions, 6 minutes")
    box.locator("button.svc-start").click()
    timer = box.locator(".svc-timer")
    expect(timer).to_contain_text(re.compile(r"Time left: 0[56]:\d\d"))
    expect(timer).to_contain_text(re.compile(r"Time left: 05:5\d"), timeout=15_000)  # the clock ticks
    # answer the first question wrongly, whichever it is: its key is in the public bank (a practice question)
    from course import banks

    shown = " ".join((box.locator(".svc-question").inner_text() or "").split())
    question = next(q for q in banks.load_questions() if not q.graded and " ".join(q.stem.split())[:60] in shown)
    wrong = next(i for i in range(len(question.options)) if i != question.answer_index)
    box.locator(".svc-options input[type=radio]").nth(wrong).check()
    expect(box.locator(".svc-feedback-box")).to_contain_text("1 of 4 answered")
    box.locator("button.svc-finish").click()
    confirm = box.locator(".svc-confirm")
    expect(confirm).to_contain_text("3 questions unanswered: finish anyway?")
    expect(confirm).to_contain_text("counted as wrong, as in the real exam")
    expect(box.locator(".svc-result")).to_have_text("")
    attempts = len(quiz_attempts(lab))
    result = box.locator(".svc-result")
    timed(
        timings, "exam_finish",
        lambda: box.locator("button.svc-confirm-finish").click(),
        lambda: expect(result).to_contain_text("FAIL: 0 / 4", timeout=30_000),
    )
    expect(result).to_contain_text("the pass mark is 65% (3 / 4). 3 unanswered, counted as wrong as in the real exam.")
    expect(result.locator(".svc-unanswered li")).to_have_count(3)
    screenshot(box, "exam")
    assert len(quiz_attempts(lab)) == attempts + 1
    attempt = quiz_attempts(lab)[-1]
    assert (attempt["mode"], attempt["total"], len(attempt["unanswered"])) == ("exam", 4, 3)


def test_flashcards_keep_focus_and_keep_the_next_session_apart(shared, lab, timings):
    page = shared
    box = in_cell(page, "flashcards", "svc-flashcards")
    counts = box.locator(".svc-box-counts")
    expect(counts).to_contain_text("Box 2: 0 cards")
    expect(box.locator("button.widget-button:visible")).to_have_text(["Flip", "I knew it", "I didn't"])
    flip = box.locator("button.svc-flip")
    flip.focus()
    timed(
        timings, "flashcards_flip",
        lambda: page.keyboard.press("Enter"),
        lambda: expect(box.locator(".svc-definition")).to_be_visible(timeout=30_000),
    )
    expect(box.locator("button.svc-knew")).to_be_focused()
    timed(
        timings, "flashcards_knew",
        lambda: page.keyboard.press("Enter"),
        lambda: expect(counts).to_contain_text("Box 2: 1 card ", timeout=30_000),
    )
    expect(box.locator(".svc-front")).to_be_visible()
    expect(flip).to_be_focused()  # focus stays in the widget for the next card
    page.keyboard.press("Enter")
    expect(box.locator("button.svc-didnt")).to_be_enabled()
    page.keyboard.press("Tab")
    expect(box.locator("button.svc-didnt")).to_be_focused()
    page.keyboard.press("Enter")
    expect(flip).to_be_focused()
    expect(box.locator(".svc-session")).to_contain_text("Session 1")
    screenshot(box, "flashcards")
    saved = json.loads(lab.progress.read_text())["flashcards"]
    assert len(saved["boxes"]) == 2 and sorted(saved["boxes"].values()) == [1, 2]


def test_stream_builder_feedback_and_flow(shared, lab, timings):
    from course import banks

    story = banks.story("timetable")
    box = in_cell(shared, "stream", "svc-stream")
    selects = box.locator(".svc-step-choice select")
    expect(selects).to_have_count(len(story.steps))
    for i, step in enumerate(story.steps):
        selects.nth(i).select_option(step.activity if i else "improve")
    feedback = box.locator(".svc-feedback-box")
    timed(
        timings, "stream_check",
        lambda: box.locator("button.svc-check").click(),
        lambda: expect(feedback).to_contain_text(f"{len(story.steps) - 1} / {len(story.steps)} steps right", timeout=30_000),
    )
    expect(feedback.locator(".svc-line.svc-wrong")).to_have_count(1)
    expect(feedback).to_contain_text("[WRONG] Step 1: you chose improve")
    chart = box.locator(".svc-stream-chart svg.main-svg").first
    expect(chart).to_be_visible(timeout=30_000)
    expect(box.locator(".svc-stream-chart")).to_contain_text("1. improve")
    screenshot(box, "stream")
    kept = json.loads(lab.progress.read_text())["widgets"]["stream"]["timetable"]
    assert len(kept) == len(story.steps) and kept[story.steps[0].id] == "improve"


def test_slo_slider_by_keyboard_updates_budget_and_chart(shared, timings):
    page = shared
    box = in_cell(page, "slo", "svc-slo")
    numbers = box.locator(".svc-slo-numbers")
    expect(numbers).to_contain_text("Error budget: 43.2 minutes over 30 days at 99.90%")
    title = box.locator(".svc-slo-chart .gtitle")
    expect(title).to_contain_text("99.90% over 30 days", timeout=30_000)
    handle = box.locator(".svc-slo-target .noUi-handle").first
    handle.focus()
    timed(
        timings, "slo_arrow_right",
        lambda: page.keyboard.press("ArrowRight"),
        lambda: expect(numbers).to_contain_text("Error budget: 38.9 minutes over 30 days at 99.91%", timeout=30_000),
    )
    expect(title).to_contain_text("99.91% over 30 days", timeout=30_000)
    window = box.locator(".svc-slo-window .noUi-handle").first
    window.focus()
    timed(
        timings, "slo_window_left",
        lambda: page.keyboard.press("ArrowLeft"),
        lambda: expect(numbers).to_contain_text("over 28 days at 99.91%", timeout=30_000),
    )
    expect(title).to_contain_text("99.91% over 28 days", timeout=30_000)
    screenshot(box, "slo")


def test_progress_panel_lists_attempts(shared, lab, timings):
    from course import progress

    progress.record_quiz_attempt(
        {"date": "2026-03-02T09:15:00+00:00", "mode": "exam", "score": 30, "total": 40, "percent": 75.0,
         "passed": True, "wrong": []},
        lab.progress,
    )
    box = in_cell(shared, "progress", "svc-progress")
    timed(
        timings, "progress_refresh",
        lambda: box.locator("button.svc-refresh").click(),
        lambda: expect(box.locator(".svc-panel-body")).to_contain_text("30 / 40 (75%)", timeout=30_000),
    )
    expect(box.locator(".svc-panel-body")).to_contain_text("PASS")
    screenshot(box, "progress")


def test_dashboard_renders_before_exercise_20(page, lab, timings):
    """Notebook 06's dashboard cell run alone in a fresh kernel: no earlier answer, no NameError, no '?'."""
    from .notebooks import dashboard_cells

    notebook = "release/06-value-chain-metrics/06-value-chain-metrics.ipynb"
    cells = dashboard_cells(REPO / notebook)
    assert len(cells) == 1, f"{notebook} should draw the dashboard in one cell, found {cells}"
    open_notebook(page, lab.notebook_url(notebook))
    cell = page.locator(".jp-Notebook .jp-Cell").nth(cells[0])
    timed(
        timings, "dashboard_draw",
        lambda: run_cells(page, cells),
        lambda: expect(cell.locator(".jp-RenderedPlotly svg.main-svg").first).to_be_visible(timeout=60_000),
    )
    expect(cell.locator("[data-mime-type='application/vnd.jupyter.stderr']")).to_have_count(0)
    titles = cell.locator(".jp-RenderedPlotly g.annotation")
    expect(titles).to_have_count(6)
    for measure in ("alignment score", "benefit realisation", "NPS", "change success rate", "build success rate",
                    "availability of student-portal"):
        expect(cell.locator(".jp-RenderedPlotly")).to_contain_text(measure)
    for i in range(6):
        expect(titles.nth(i)).to_contain_text("higher is better")
        expect(titles.nth(i)).not_to_contain_text("?")
    expect(cell.locator(".jp-RenderedPlotly .g-ytitle").first).to_contain_text("(% of effort)")
    table = cell.locator("table.svc-dashboard-table")
    expect(table.locator("tbody tr")).to_have_count(6)
    expect(table.locator("thead")).to_contain_text("measure (unit)")
    expect(table).to_contain_text("alignment score (% of effort)")
    expect(table).to_contain_text("NPS (points, -100 to 100)")
    expect(cell).to_contain_text("the axis starts at 98%")
    screenshot(cell, "dashboard")
