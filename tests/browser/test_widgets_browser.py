"""Each widget in a real JupyterLab: what a student does, and what appears.

Run with ``pytest -m browser tests/browser`` (about two minutes). Screenshots go
to ``test-artifacts/<widget>.png``; click-to-feedback times are printed and saved
to ``test-artifacts/timings.json`` (they are measured, not asserted).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .lab_page import open_notebook, run_all, run_cells, screenshot, timed, widget
from .notebooks import release_notebooks, widget_calls, widget_cells

REPO = Path(__file__).resolve().parents[2]


def start(page, lab, name, css):
    open_notebook(page, lab.notebook_url(f"{name}.ipynb"))
    run_all(page)
    return widget(page, css)


def test_mapper_check_next_and_show_as_code(page, lab, timings):
    box = start(page, lab, "mapper", "svc-mapper")
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
    timed(
        timings, "mapper_show_code",
        lambda: box.locator("button.svc-show-code").click(),
        lambda: expect(box.locator(".svc-code-box pre")).to_have_text(
            'my_mapping = {"A": ["deliver and support"], "B": ["obtain/build"]}', timeout=30_000
        ),
    )


def test_mapper_by_keyboard_only(page, lab, timings):
    """Tab, Space and Enter only: pick an activity, check, move on, show the code."""
    box = start(page, lab, "mapper", "svc-mapper")
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
    expect(box.locator(".svc-code-box pre")).to_have_text('my_mapping = {"A": ["deliver and support"]}')
    screenshot(box, "mapper-keyboard")


def test_quiz_practice_explains_every_option(page, lab, timings):
    box = start(page, lab, "quiz", "svc-quiz")
    box.locator(".svc-options input[type=radio]").first.check()
    feedback = box.locator(".svc-feedback-box")
    timed(
        timings, "quiz_check",
        lambda: box.locator("button.svc-submit").click(),
        lambda: expect(feedback.locator(".svc-line")).to_have_count(4, timeout=30_000),
    )
    expect(feedback.locator(".svc-line.svc-ok")).to_have_count(1)
    expect(feedback.locator(".svc-line.svc-wrong")).to_have_count(3)
    expect(feedback).to_contain_text("A) ")
    expect(feedback).to_contain_text("(your answer)")
    screenshot(box, "quiz")
    box.locator("button.svc-next").click()
    expect(box.locator(".svc-question")).to_contain_text("Question 2 of 5")


def test_exam_finish_shows_pass_or_fail_and_review(page, lab, timings):
    box = start(page, lab, "exam", "svc-quiz")
    expect(box).to_contain_text("Mock exam: 4 questions, 6 minutes")
    box.locator("button.svc-start").click()
    timer = box.locator(".svc-timer")
    expect(timer).to_contain_text(re.compile(r"Time left: 0[56]:\d\d"))
    expect(timer).to_contain_text(re.compile(r"Time left: 05:5\d"), timeout=15_000)  # the clock ticks
    box.locator(".svc-options input[type=radio]").nth(1).check()
    expect(box.locator(".svc-feedback-box")).to_contain_text("1 of 4 answered")
    box.locator("button.svc-next").click()
    box.locator(".svc-options input[type=radio]").nth(2).check()
    expect(box.locator(".svc-feedback-box")).to_contain_text("2 of 4 answered")
    result = box.locator(".svc-result")
    timed(
        timings, "exam_finish",
        lambda: box.locator("button.svc-finish").click(),
        lambda: expect(result).to_contain_text(re.compile(r"(PASS|FAIL): \d / 4"), timeout=30_000),
    )
    expect(result).to_contain_text("the pass mark is 65% (3 / 4)")
    expect(result).to_contain_text("Review of the questions you missed")  # at least 2 unanswered
    screenshot(box, "exam")
    saved = json.loads(lab.progress.read_text())
    assert any(a["mode"] == "exam" and a["total"] == 4 for a in saved["quizzes"])


def test_flashcards_flip_and_knew_it(page, lab, timings):
    box = start(page, lab, "flashcards", "svc-flashcards")
    counts = box.locator(".svc-box-counts")
    expect(counts).to_contain_text("Box 2: 0 cards")
    timed(
        timings, "flashcards_flip",
        lambda: box.locator("button.svc-flip").click(),
        lambda: expect(box.locator(".svc-definition")).to_be_visible(timeout=30_000),
    )
    timed(
        timings, "flashcards_knew",
        lambda: box.locator("button.svc-knew").click(),
        lambda: expect(counts).to_contain_text("Box 2: 1 card ", timeout=30_000),
    )
    expect(box.locator(".svc-front")).to_be_visible()
    screenshot(box, "flashcards")


def test_stream_builder_feedback_and_flow(page, lab, timings):
    from course import banks

    story = banks.story("timetable")
    box = start(page, lab, "stream", "svc-stream")
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


def test_slo_slider_by_keyboard_updates_budget_and_chart(page, lab, timings):
    box = start(page, lab, "slo", "svc-slo")
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


def test_progress_panel_lists_attempts(page, lab, timings):
    from course import progress

    progress.record_quiz_attempt(
        {"date": "2026-03-02T09:15:00+00:00", "mode": "exam", "score": 30, "total": 40, "percent": 75.0,
         "passed": True, "wrong": []},
        lab.progress,
    )
    box = start(page, lab, "progress", "svc-progress")
    expect(box.locator(".svc-panel-body")).to_contain_text("30 / 40 (75%)")
    expect(box.locator(".svc-panel-body")).to_contain_text("PASS")
    screenshot(box, "progress")


RELEASE = release_notebooks(REPO)

if RELEASE:  # the topic notebooks are listed only once they exist in release/

    @pytest.mark.parametrize("notebook,classes", RELEASE, ids=[n.split("/")[1] for n, _ in RELEASE])
    def test_release_notebook_widgets_render(page, lab, notebook, classes):
        """Each widget cell of a topic notebook shows its widget, not an error message."""
        calls = widget_calls(REPO / notebook)
        assert sorted(set(calls)) == sorted(classes), f"{notebook} calls {calls}, expected {classes}"
        open_notebook(page, lab.notebook_url(notebook))
        run_cells(page, widget_cells(REPO / notebook))
        for css in classes:
            widget(page, css)
        roots = page.locator(".jp-Cell-outputArea .svc-widget")
        expect(roots).to_have_count(len(calls), timeout=60_000)
        expect(page.locator(".jp-Cell-outputArea .svc-error")).to_have_count(0)
        expect(page.locator(".jp-Cell-outputArea .jp-RenderedText[data-mime-type='application/vnd.jupyter.stderr']")).to_have_count(0)
        for i in range(len(calls)):
            expect(roots.nth(i).locator("button, select, input").first).to_be_attached()
