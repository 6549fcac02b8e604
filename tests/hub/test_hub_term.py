"""A whole assignment cycle on a real JupyterHub, driven in headless Chromium.

One instructor and two students (throw-away system users; see conftest.py):

1. the instructor sets a due date that has passed and releases
   01-value-chain-orientation in formgrader (its own tab); collecting before anyone
   submitted says so and collects nothing;
2. both students fetch it in the Assignments tab and submit; Ann submits twice
   (unanswered, then right, after Validate says it passes) and a second fetch
   does not touch her answers; Ben
   (partly right) first submits a renamed notebook, which is refused with the
   expected and found names, then submits properly;
3. the instructor collects and autogrades with formgrader's buttons, which run
   the course's sandboxed, trusted grading in the instructor's own (non-root)
   server (late submissions are graded and flagged), then generates and releases
   feedback;
4. each student fetches feedback with their own points and hints, without the
   hidden tests and without the other student's work;
5. from each student's own kernel: no access to the instructor's course folder
   (gradebook, source/, keys/), to the other student's home, or to the
   exchange's inbound and feedback folders.

Screenshots and step timings go to test-artifacts/hub/.
"""

from __future__ import annotations

import json
import re
import stat
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from .notebook_answers import (
    ASSIGNMENT,
    MAX_SCORE,
    PARTLY_MESSAGES,
    PARTLY_SCORE,
    RELEASE,
    RIGHT_SCORE,
    SANDBOX_WORKDIR_LINE,
    SOURCE,
    exercise_label,
    fill,
    hidden_test_lines,
    html_text,
    partly_right_answers,
    right_answers,
    score_of,
)
from .pages import AssignmentsTab, Formgrader, HubSession, screenshot

pytestmark = pytest.mark.hub

NOTEBOOK = f"{ASSIGNMENT}/{ASSIGNMENT}.ipynb"

# Run in a student's kernel: try each (what, path); print one JSON line of outcomes.
PROBE = """
import json, os
outcome = {}
for what, path in json.loads(%r):
    try:
        if what == "list":
            os.listdir(path)
        else:
            open(path, "rb").close()
        outcome[path] = "allowed"
    except Exception as exc:
        outcome[path] = type(exc).__name__
print(json.dumps(outcome))
"""


def _probe(session: HubSession, checks: list[tuple[str, str]]) -> dict[str, str]:
    out = session.run_code(PROBE % json.dumps(checks))
    return json.loads(out.strip().splitlines()[-1])


def _score_cell(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_a_whole_term_on_the_hub(hub, browser):
    source = json.loads(SOURCE.read_text())
    release = json.loads(RELEASE.read_text())
    hidden = hidden_test_lines(source, release)
    assert len(hidden) >= 5, "the source notebook should have hidden tests to check for"
    ann, ben = hub.students
    timings = hub.timings

    # --- everyone logs in; the hub starts the three servers side by side ------------------
    teacher = HubSession(browser, hub.url, hub.instructor, hub.passwords[hub.instructor])
    students = {name: HubSession(browser, hub.url, name, hub.passwords[name]) for name in (ann, ben)}
    try:
        for session in (teacher, *students.values()):
            session.start_login()
        for session in (teacher, *students.values()):
            session.wait_for_lab()
        timings.mark("three logins until JupyterLab is usable")
        screenshot(teacher.page, "01-instructor-lab")
        assert {"Formgrader", "Create assignment"} <= set(teacher.nbgrader_menu())
        for name, session in students.items():
            menu = session.nbgrader_menu()
            assert "Assignment List" in menu
            assert not {"Formgrader", "Course List", "Create assignment"} & set(menu), menu
            assert session.api("GET", "/formgrader").status == 404, "formgrader must be off for students"
        screenshot(students[ann].page, "02-student-lab")

        # --- 1. the instructor releases the assignment in formgrader ------------------------
        fg = Formgrader(teacher)
        fg.open_assignments()
        # formgrader shows the settings it loaded (class names render blank there): the course's
        # grading settings set these Autograde options; plain nbgrader sets none of them
        config = fg.configuration()
        for option in ("'autograde_preprocessors'", "'exporter_class'", "'pre_convert_hook'"):
            assert option in config, f"formgrader did not load the course's grading settings:\n{config[:2000]}"
        assert "'ExchangeSubmit': {'strict': True}" in config
        # bad input: every submission comes after this deadline (yesterday)
        fg.set_due_date(ASSIGNMENT, (datetime.now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"))
        fg.generate(ASSIGNMENT)
        log = fg.release(ASSIGNMENT)
        assert "Released as: svc-value-chain 01-value-chain-orientation" in log, log
        screenshot(fg.page, "03-formgrader-released")
        # bad input: collecting before anyone submitted
        log = fg.collect(ASSIGNMENT)
        assert "No submissions of '01-value-chain-orientation' for course 'svc-value-chain' to collect" in log, log
        assert not (hub.course_root / "submitted").exists() or not any((hub.course_root / "submitted").iterdir())
        timings.mark("instructor: generate, release, collect with nothing submitted")

        # --- 2. students fetch, answer and submit -------------------------------------------
        tabs = {name: AssignmentsTab(session) for name, session in students.items()}
        for name, tab in tabs.items():
            tab.open()
            tab.fetch(ASSIGNMENT)
        screenshot(students[ann].page, "04-student-fetched")

        # Ann: submits the fetched notebook unanswered, then answers everything and submits again
        tabs[ann].submit(ASSIGNMENT)
        nb = students[ann].read_notebook(NOTEBOOK)
        students[ann].write_notebook(NOTEBOOK, fill(nb, right_answers(source, ann)))
        # bad input: fetching again must not overwrite her answers
        again = students[ann].api("POST", "/assignments/fetch", {"course_id": "svc-value-chain", "assignment_id": ASSIGNMENT})
        assert again.ok
        kept = json.dumps(students[ann].read_notebook(NOTEBOOK))
        assert f"# answers of {ann}" in kept, "a second fetch overwrote the student's answers"
        result = tabs[ann].validate(ASSIGNMENT)  # runs every check in her own server
        assert "Success! Your notebook passes all the tests." in result, result
        tabs[ann].submit(ASSIGNMENT)
        assert tabs[ann].submissions(ASSIGNMENT) == 2
        screenshot(students[ann].page, "05-ann-submitted-twice")

        # Ben: partly right; first submits a renamed notebook, which nbgrader refuses (strict submit)
        nb = students[ben].read_notebook(NOTEBOOK)
        students[ben].write_notebook(NOTEBOOK, fill(nb, partly_right_answers(source, ben)))
        renamed = f"{ASSIGNMENT}/my-answers.ipynb"
        students[ben].rename(NOTEBOOK, renamed)
        refusal = tabs[ben].submit_refused(ASSIGNMENT)
        assert "There are missing notebooks for the submission" in refusal, refusal
        assert "01-value-chain-orientation.ipynb: MISSING" in refusal and "my-answers.ipynb: EXTRA" in refusal, refusal
        students[ben].rename(renamed, NOTEBOOK)
        tabs[ben].submit(ASSIGNMENT)
        assert tabs[ben].submissions(ASSIGNMENT) == 1
        screenshot(students[ben].page, "06-ben-submitted")
        timings.mark("students: fetch, answer, validate, submit (Ann twice, Ben after a refused rename)")

        # --- 3. the instructor collects, autogrades, generates and releases feedback ---------
        fg.open_assignments()
        log = fg.collect(ASSIGNMENT)
        assert "Processing 2 submissions" in log, log
        # nothing submitted is lost: the exchange keeps Ann's two submissions and Ben's one
        # (the refused one never got there); collect takes the latest of each
        kept = sorted(p.name.split("+")[0] for p in (hub.settings.exchange / "svc-value-chain" / "inbound").iterdir())
        assert kept == sorted([ann, ann, ben]), kept
        fg.open_submissions(ASSIGNMENT)
        for name in (ann, ben):
            log = fg.autograde(name)
            assert "Applying preprocessor: SandboxedExecute" in log and "Applying preprocessor: TrustedGrade" in log, log[-3000:]
            # late: graded all the same, flagged, with nbgrader's default penalty (none)
            assert re.search(r"is [\d.]+ seconds late", log) and "Late submission penalty: None" in log, log[-3000:]
        screenshot(fg.page, "07-formgrader-autograded")
        scores = {name: _score_cell(fg.score(name)) for name in (ann, ben)}
        assert re.fullmatch(r"7(\.0+)? / 7(\.0+)?", scores[ann]), scores
        assert re.fullmatch(r"4(\.0+)? / 7(\.0+)?", scores[ben]), scores
        timings.mark("instructor: collect and autograde 2 submissions")
        fg.open_assignments()
        fg.generate_feedback(ASSIGNMENT)
        fg.release_feedback(ASSIGNMENT)
        screenshot(fg.page, "08-formgrader-feedback-released")
        # the graded notebooks hold the hidden tests: what the feedback check looks for is there to find
        graded = (hub.course_root / "autograded" / ann / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_text()
        assert all(json.dumps(line)[1:-1] in graded for line in hidden)
        timings.mark("instructor: generate and release feedback")

        # --- 4. each student fetches their feedback ------------------------------------------
        expected = {ann: RIGHT_SCORE, ben: PARTLY_SCORE}
        for name, tab in tabs.items():
            tab.fetch_feedback(ASSIGNMENT)
            screenshot(students[name].page, f"09-{name.split('-')[-1]}-feedback-fetched")
            folders = students[name].list_dir(f"{ASSIGNMENT}/feedback")
            assert len(folders) == 1, folders  # Ann's first (unanswered) submission was superseded
            files = students[name].list_dir(f"{ASSIGNMENT}/feedback/{folders[0]}")
            assert files == [f"{ASSIGNMENT}.html"], files
            path = f"{ASSIGNMENT}/feedback/{folders[0]}/{ASSIGNMENT}.html"
            text = html_text(students[name].read_text(path))
            assert score_of(text, ASSIGNMENT) == (expected[name], MAX_SCORE), text[:500]
            assert f"# answers of {name}" in text
            other = ben if name == ann else ann
            assert f"# answers of {other}" not in text and other not in text, f"{name}'s feedback shows {other}'s work"
            assert "BEGIN HIDDEN TESTS" not in text and "END HIDDEN TESTS" not in text
            leaked = sorted(line for line in hidden if line in text)
            assert not leaked, f"hidden tests in {name}'s feedback: {leaked}"
            if name == ann:  # printed by her answer cell while graded: the kernel ran in the sandbox
                assert SANDBOX_WORKDIR_LINE in text
            view = students[name].context.new_page()  # the feedback as the student opens it
            view.goto(f"{hub.url}/user/{name}/files/{path}")
            screenshot(view, f"10-{name.split('-')[-1]}-feedback", full_page=False)  # the scores are at the top
            view.close()
        ben_text = html_text(students[ben].read_text(f"{ASSIGNMENT}/feedback/{students[ben].list_dir(f'{ASSIGNMENT}/feedback')[0]}/{ASSIGNMENT}.html"))
        for message in PARTLY_MESSAGES:
            assert message in ben_text, f"Ben's feedback lacks {message!r}"
        assert score_of(ben_text, "Check: " + exercise_label(ASSIGNMENT, "check_purpose_match")) == (2.0, 3.0)
        assert score_of(ben_text, "Check: " + exercise_label(ASSIGNMENT, "check_trap_answers")) == (0.0, 2.0)
        timings.mark("students: fetch and read feedback")

        # --- 5. what a student's own kernel cannot reach -------------------------------------
        root = hub.course_root
        exchange = hub.settings.exchange / "svc-value-chain"
        inbound = exchange / "inbound"
        for name in (ann, ben):
            other = ben if name == ann else ann
            other_home = hub.home(other)
            denied = [
                ("list", str(root)),
                ("read", str(root / "gradebook.db")),
                ("list", str(root / "source")),
                ("read", str(root / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")),
                ("list", str(root / "submitted")),
                ("list", str(root / "autograded")),
                ("list", str(other_home)),
                ("read", str(other_home / NOTEBOOK)),
                ("list", str(inbound)),
                ("list", str(exchange / "feedback")),
            ]
            if (root / "keys").is_dir():  # instructor-only answer keys, when the course has them
                denied.append(("list", str(root / "keys")))
            allowed = [("list", str(hub.home(name))), ("list", str(exchange / "outbound" / ASSIGNMENT))]
            for _, path in denied + allowed:
                assert Path(path).exists(), f"{path} should exist for this check to mean anything"
            outcome = _probe(students[name], denied + allowed)
            assert {p: outcome[p] for _, p in denied} == {p: "PermissionError" for _, p in denied}, outcome
            assert {p: outcome[p] for _, p in allowed} == {p: "allowed" for _, p in allowed}, outcome
        # nbgrader's documented modes on the exchange
        assert stat.S_IMODE(hub.settings.exchange.stat().st_mode) == 0o1777
        assert stat.S_IMODE(inbound.stat().st_mode) == 0o2733
        assert stat.S_IMODE((exchange / "feedback").stat().st_mode) == 0o711
        timings.mark("students' kernels: permission probes")
    finally:
        for session in (teacher, *students.values()):
            session.close()
