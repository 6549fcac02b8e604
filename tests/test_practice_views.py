"""The widget views built headless: what a student's clicks produce, errors shown as messages, cost.

No front end is involved: buttons are clicked with ``Button.click()`` and values
set from Python, exactly as the browser's messages would set them. Building each
widget in a fresh Python process is measured and printed (no timed assertions).
"""

from __future__ import annotations

import html
import importlib
import json
import os
import subprocess
import sys
import textwrap

import ipywidgets as w
import pytest

from course import widgets
from course.practice.stream import PALETTE


def find(widget, css):
    """Every widget under ``widget`` (itself included) carrying CSS class ``css``."""
    found = [widget] if css in getattr(widget, "_dom_classes", ()) else []
    for child in getattr(widget, "children", ()):
        found += find(child, css)
    return found


def val(widget, css=None):
    """The unescaped text of an HTML widget (``widget`` itself, or its one child of class ``css``)."""
    return html.unescape((one(widget, css) if css else widget).value)


def one(widget, css):
    hits = find(widget, css)
    assert len(hits) == 1, f"{css}: {len(hits)} widgets"
    return hits[0]


def figure_spec(chart_box):
    """The plotly JSON a chart box sends to the browser (FigureWidget or Output)."""
    inner = chart_box.children[0]
    if isinstance(inner, w.Output):
        return inner.outputs[0]["data"]["application/vnd.plotly.v1+json"]
    return json.loads(inner.to_json())


@pytest.fixture(autouse=True)
def progress_file(tmp_path, monkeypatch):
    p = tmp_path / "progress.json"
    monkeypatch.setenv("SVC_COURSE_PROGRESS", str(p))
    return p


def test_mapper_check_next_score_and_code():
    from course import banks

    box = widgets.scenario_mapper(["A", "C"])
    assert "svc-mapper" in box._dom_classes
    toggles = {t.description: t for t in find(box, "svc-activity")}
    assert list(toggles) == ["plan", "improve", "engage", "design and transition", "obtain/build", "deliver and support"]
    assert all(t.tooltip for t in toggles.values())
    assert banks.scenario("A").text in val(box, "svc-scenario")

    one(box, "svc-check").click()
    assert "Pick one or two" in val(box, "svc-feedback-box")
    toggles["deliver and support"].value = True
    one(box, "svc-check").click()
    feedback = val(box, "svc-feedback-box")
    assert "[OK] correct" in feedback and "Cue words:" in feedback
    assert "1 / 1 correct, 0 partly" in val(box, "svc-score")

    one(box, "svc-next").click()
    assert banks.scenario("C").text in val(box, "svc-scenario")
    assert not any(t.value for t in toggles.values()) and val(box, "svc-feedback-box") == ""
    toggles["plan"].value = True
    one(box, "svc-check").click()
    assert "[PARTLY] partly right" in val(box, "svc-feedback-box")  # C is plan + engage
    one(box, "svc-show-code").click()
    code = val(box, "svc-code-box")
    assert 'practice_mapping = {\n    "A": "deliver and support",\n    "C": "plan",\n}' in code
    assert "my_mapping" not in code


def test_graded_mapper_records_each_click_and_has_no_check_button(progress_file):
    from course import banks

    graded = [s for s in banks.load_scenarios() if s.graded]
    box = widgets.scenario_mapper(graded=True)
    assert "svc-mapper-graded" in box._dom_classes
    assert one(box, "svc-check").layout.display == "none"  # nothing to check here
    intro = val(box, "svc-intro")
    assert "graded when your notebook is graded" in intro and "checked by the test cell" not in intro
    assert "recorded at once" in val(box, "svc-prompt") and "not checked here" in val(box, "svc-prompt")
    toggles = {t.description: t for t in find(box, "svc-activity")}
    toggles["engage"].value = True
    toggles["plan"].value = True
    assert "[RECORDED] Your choice for this scenario: plan + engage." in val(box, "svc-feedback-box")
    toggles["improve"].value = True  # a third one is refused and unpicked
    assert not toggles["improve"].value and "at most two" in val(box, "svc-feedback-box")
    assert f"1 of {len(graded)} graded scenarios answered" in val(box, "svc-score")
    kept = json.loads(progress_file.read_text())["widgets"]["mapper"]
    assert kept == {graded[0].id: ["plan", "engage"]}
    from course.grading import keys  # the real key, to look for it: it must not show

    real = keys.scenario(graded[0].id)
    shown = val(box, "svc-feedback-box") + val(box, "svc-score")
    assert real.explanation[:40] not in shown and "correct" not in shown and "wrong" not in shown.lower()
    one(box, "svc-show-code").click()
    code = val(box, "svc-code-box")
    assert code.count(": not answered yet") == len(graded) - 1
    assert f'graded_mapping = {{\n    "{graded[0].id}": ["plan", "engage"],\n' in code
    assert "Copy these lines into the answer cell" in code
    toggles["engage"].value = False
    assert kept != json.loads(progress_file.read_text())["widgets"]["mapper"]  # the change is saved at once
    assert json.loads(progress_file.read_text())["widgets"]["mapper"] == {graded[0].id: ["plan"]}


def test_graded_mapper_never_reads_a_graded_key():
    """Graded scenarios as the public bank will hold them (keys removed): the view never touches a key."""
    from tests.test_practice_mapper import KeylessScenario

    mapper_view = importlib.import_module("course.widgets.mapper")
    box = mapper_view.build([KeylessScenario("g1"), KeylessScenario("g2")], "graded_mapping")
    for name in ("obtain/build", "plan"):
        next(t for t in find(box, "svc-activity") if t.description == name).value = True
    one(box, "svc-check").click()  # hidden, and does nothing even if clicked
    one(box, "svc-next").click()
    next(t for t in find(box, "svc-activity") if t.description == "engage").value = True
    one(box, "svc-show-code").click()
    assert 'graded_mapping = {\n    "g1": ["plan", "obtain/build"],\n    "g2": "engage",\n}' in val(box, "svc-code-box")
    assert "2 of 2 graded scenarios answered" in val(box, "svc-score")


def test_mapper_choices_come_back_when_the_cell_runs_again(progress_file):
    """A kernel restart loses the widget; the progress file keeps the choices and the new widget shows them."""
    first = widgets.scenario_mapper(graded=True)
    for name in ("deliver and support",):
        next(t for t in find(first, "svc-activity") if t.description == name).value = True
    one(first, "svc-next").click()
    next(t for t in find(first, "svc-activity") if t.description == "improve").value = True
    del first
    again = widgets.scenario_mapper(graded=True)
    assert "your earlier choices (2)" in val(again, "svc-intro")
    assert "2 of 10 graded scenarios answered" in val(again, "svc-score")
    assert "Scenario 3 of 10" in val(again, "svc-position")  # it opens at the first one without a choice
    one(again, "svc-show-code").click()
    code = val(again, "svc-code-box")
    assert code.count(": \"deliver and support\",") == 1 and code.count(": \"improve\",") == 1
    for _ in range(8):  # 3 -> 10, then round to 1
        one(again, "svc-next").click()
    assert "Scenario 1 of 10" in val(again, "svc-position")
    assert [t.description for t in find(again, "svc-activity") if t.value] == ["deliver and support"]


def test_quiz_practice_feedback_starts_with_the_students_verdict():
    from course import banks

    practice = [q for q in banks.load_questions() if not q.graded][:2]
    key = practice[0].answer_letter
    wrong = next(letter for letter in "ABCD" if letter != key)
    box = widgets.quiz([q.id for q in practice])
    radio = one(box, "svc-options")
    assert [v for _, v in radio.options] == ["A", "B", "C", "D"]
    radio.value = wrong
    one(box, "svc-submit").click()
    lines = [line for line in val(box, "svc-feedback-box").split("</div>") if "svc-line" in line]
    assert html.unescape(lines[0]).endswith(f"[WRONG] Your answer {wrong} is wrong; the answer is {key}.")
    assert len(lines) == 5
    feedback = val(box, "svc-feedback-box")
    for option in practice[0].options:
        assert option.explanation in feedback
    assert radio.disabled
    one(box, "svc-next").click()
    assert not radio.disabled and radio.value is None
    radio.value = practice[1].answer_letter
    one(box, "svc-submit").click()
    assert f"[OK] Your answer {practice[1].answer_letter} is right." in val(box, "svc-feedback-box")


def _practice_ids(n):
    from course import banks

    return [q for q in banks.load_questions() if not q.graded][:n]


def test_quiz_finishing_early_asks_first_and_never_reveals_unanswered_answers(progress_file):
    questions = _practice_ids(3)
    box = widgets.quiz([q.id for q in questions])
    radio = one(box, "svc-options")
    radio.value = questions[0].answer_letter
    one(box, "svc-submit").click()
    one(box, "svc-finish").click()
    confirm = one(box, "svc-confirm")
    assert confirm.layout.display is None
    assert "2 questions unanswered: finish anyway?" in html.unescape(confirm.children[0].value)
    assert val(box, "svc-result") == ""  # nothing scored yet
    assert not progress_file.exists() or not json.loads(progress_file.read_text())["quizzes"]
    one(box, "svc-keep-going").click()
    assert confirm.layout.display == "none"
    assert "Question 2 of 3" in val(box, "svc-question")  # the first unanswered one
    one(box, "svc-finish").click()
    one(box, "svc-confirm-finish").click()
    result = val(box, "svc-result")
    assert "1 / 1 answered questions right (100%). 2 unanswered (not scored)." in result
    assert "Unanswered" in result and questions[1].stem in result and questions[2].stem in result
    for q in questions[1:]:
        for option in q.options:
            assert option.explanation not in result  # their answers stay unseen
        assert "the answer is" not in result
    saved = json.loads(progress_file.read_text())
    assert saved["quizzes"][-1]["unanswered"] == [questions[1].id, questions[2].id]
    assert saved["quizzes"][-1]["total"] == 1
    assert saved["widgets"]["quiz"] == {}  # the finished attempt is no longer kept as in progress


def test_exam_with_8_unanswered_asks_before_failing(progress_file):
    questions = _practice_ids(10)
    box = widgets.quiz([q.id for q in questions], mode="exam")
    one(box, "svc-start").click()
    radio = one(box, "svc-options")
    radio.value = questions[0].answer_letter
    one(box, "svc-next").click()
    radio.value = next(letter for letter in "ABCD" if letter != questions[1].answer_letter)
    assert "2 of 10 answered" in val(box, "svc-feedback-box")
    one(box, "svc-finish").click()
    assert "8 questions unanswered: finish anyway?" in val(one(box, "svc-confirm").children[0])
    assert "counted as wrong, as in the real exam" in val(one(box, "svc-confirm").children[0])
    assert val(box, "svc-result") == "" and json.loads(progress_file.read_text())["quizzes"] == []
    one(box, "svc-confirm-finish").click()
    result = val(box, "svc-result")
    assert "FAIL: 1 / 10 (10.0%); the pass mark is 65% (7 / 10). 8 unanswered, counted as wrong as in the real exam." in result
    assert "Review of the questions you got wrong" in result and questions[1].stem in result
    for q in questions[2:]:
        assert all(o.explanation not in result for o in q.options)
    saved = json.loads(progress_file.read_text())["quizzes"][-1]
    assert (saved["mode"], saved["score"], saved["total"], len(saved["unanswered"])) == ("exam", 1, 10, 8)
    assert "Finished with" in val(box, "svc-timer")


def test_start_again_begins_a_new_attempt_in_place():
    questions = _practice_ids(2)
    box = widgets.quiz([q.id for q in questions])
    radio = one(box, "svc-options")
    for q in questions:
        radio.value = q.answer_letter
        one(box, "svc-submit").click()
        one(box, "svc-next").click()
    one(box, "svc-finish").click()
    assert "2 / 2 answered questions right" in val(box, "svc-result")
    again = one(box, "svc-again")
    assert again.layout.display is None
    again.click()
    assert val(box, "svc-result") == "" and again.layout.display == "none"
    assert "Question 1 of 2" in val(box, "svc-question")
    assert radio.value is None and not radio.disabled and not one(box, "svc-submit").disabled


def test_quiz_attempt_in_progress_comes_back_when_the_cell_runs_again(progress_file):
    box = widgets.quiz(topic="metrics", n=3)
    order = [html.unescape(val(box, "svc-question"))]
    radio = one(box, "svc-options")
    radio.value = "B"
    one(box, "svc-submit").click()
    one(box, "svc-next").click()
    order.append(html.unescape(val(box, "svc-question")))
    again = widgets.quiz(topic="metrics", n=3)  # shuffled afresh, unless an attempt is kept
    assert "Your attempt in progress was restored (1 of 3 answered)." in val(again, "svc-note")
    assert val(again, "svc-question") == order[1]  # where the student was
    one(again, "svc-prev").click()
    assert val(again, "svc-question") == order[0]
    assert one(again, "svc-options").value == "B" and one(again, "svc-options").disabled
    assert "Your answer B is" in val(again, "svc-feedback-box")
    one(again, "svc-finish").click()
    one(again, "svc-confirm-finish").click()
    fresh = widgets.quiz(topic="metrics", n=3)
    assert "restored" not in val(fresh, "svc-note")


def test_exam_in_progress_resumes_with_its_answers(progress_file):
    questions = _practice_ids(4)
    box = widgets.quiz([q.id for q in questions], mode="exam")
    one(box, "svc-start").click()
    one(box, "svc-options").value = "C"
    again = widgets.quiz([q.id for q in questions], mode="exam")
    start = one(again, "svc-start")
    assert start.description == "Resume exam" and "1 of 4 answered" in val(again, "svc-timer")
    start.click()
    assert one(again, "svc-options").value == "C"
    assert "Time left" in val(again, "svc-timer")


def test_quiz_refuses_graded_questions_with_a_message():
    from course import banks

    graded = next(q for q in banks.load_questions() if q.graded)
    box = widgets.quiz([graded.id])
    assert "svc-error" in box._dom_classes and graded.id in val(box) and "questions.yml" in val(box)


def test_exam_finish_scores_and_records_the_attempt(progress_file):
    box = widgets.quiz(mode="exam", n=3)
    assert "svc-quiz-exam" in box._dom_classes
    assert "4 minutes (04:30)" in val(box.children[2])  # 3 x 90 s = 4.5 min, shown as 4 whole minutes and 04:30
    one(box, "svc-start").click()
    radio = one(box, "svc-options")
    for _ in range(3):
        radio.value = "B"
        one(box, "svc-next").click()
    assert "3 of 3 answered" in val(box, "svc-feedback-box")
    one(box, "svc-finish").click()  # all answered: no question asked
    result = val(box, "svc-result")
    assert ("PASS:" in result) or ("FAIL:" in result)
    assert "the pass mark is 65% (2 / 3)" in result
    saved = json.loads(progress_file.read_text())
    assert saved["quizzes"][0]["mode"] == "exam" and saved["quizzes"][0]["total"] == 3
    assert "Finished with" in val(box, "svc-timer")


def test_flashcards_flip_knew_and_persist_only_the_card_reviewed(progress_file):
    box = widgets.flashcards(["incident", "Problem"])
    front = val(box, "svc-flashcard")
    term = "incident" if "incident" in front else "problem"
    assert "Box 1: 2 cards" in val(box, "svc-box-counts")
    assert one(box, "svc-knew").disabled
    one(box, "svc-flip").click()
    assert "svc-definition" in val(box, "svc-flashcard")
    one(box, "svc-knew").click()
    counts = val(box, "svc-box-counts")
    assert "Box 1: 1 card " in counts and "Box 2: 1 card " in counts
    saved = json.loads(progress_file.read_text())["flashcards"]
    assert saved["session"] == 1 and saved["boxes"] == {term: 2}  # the card not reviewed is not stored


def test_flashcards_one_session_a_day_and_a_deliberate_path_to_study_again(progress_file):
    from datetime import date

    from course import banks

    flash_view = importlib.import_module("course.widgets.flashcards")
    terms = [t for t in banks.load_glossary() if t.term in ("incident", "problem")]
    monday = lambda: date(2026, 3, 2)  # noqa: E731
    box = flash_view.build(terms, today=monday)
    def buttons(widget):
        own = [widget.description] if isinstance(widget, w.Button) and widget.layout.display != "none" else []
        if getattr(widget, "layout", None) is not None and widget.layout.display == "none":
            return []
        return own + [d for child in getattr(widget, "children", ()) for d in buttons(child)]

    assert buttons(box) == ["Flip", "I knew it", "I didn't"]  # no way to skip to another session mid-way
    for _ in range(2):
        one(box, "svc-flip").click()
        one(box, "svc-knew").click()
    assert buttons(box) == ["Study again today anyway"]
    done = val(box, "svc-session-done")
    assert "Next session: tomorrow (Tue 3 Mar 2026)" in done and "2 cards will be due" in done
    assert one(box, "svc-flip").disabled
    # running the cell again the same day resumes the finished session: nothing due, no new session
    same_day = flash_view.build(terms, today=monday)
    assert "Session 1" in val(same_day, "svc-session") and "0 cards left" in val(same_day, "svc-session")
    one(same_day, "svc-again-today").click()  # the deliberate path
    assert "Session 2" in val(same_day, "svc-session") and "2 cards left" in val(same_day, "svc-session")
    tuesday = flash_view.build(terms, today=lambda: date(2026, 3, 3))
    assert "Session 3" in val(tuesday, "svc-session")


def test_progress_panel_counts_the_cards_actually_reviewed(progress_file):
    box = widgets.flashcards()  # the whole glossary
    for _ in range(2):
        one(box, "svc-flip").click()
        one(box, "svc-knew").click()
    panel = widgets.progress_panel()
    assert "2 cards reviewed over 1 session" in val(panel, "svc-panel-body")


def test_flashcards_survive_a_corrupt_progress_file(progress_file):
    progress_file.write_text("{not json")
    box = widgets.flashcards(["incident"])
    assert "svc-flashcards" in box._dom_classes
    note = val(box, "svc-note")
    assert f"Your progress file {progress_file} could not be read" in note and "starting fresh" in note
    kept = [p for p in progress_file.parent.iterdir() if p.name.startswith("progress.json.corrupt-")]
    assert len(kept) == 1 and kept[0].read_text() == "{not json" and str(kept[0]) in note


def test_every_widget_is_displayed_with_a_plain_text_fallback():
    """Where a widget cannot be drawn (a restarted kernel, a static viewer) the note beside it says what to do."""
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.display import display
    from IPython.utils.capture import capture_output

    InteractiveShell.instance()
    calls = [
        widgets.scenario_mapper(["A"]), widgets.quiz(n=2), widgets.flashcards(["incident"]),
        widgets.value_stream_builder(), widgets.slo_explorer(), widgets.progress_panel(), widgets.quiz(mode="test"),
    ]
    for widget in calls:
        with capture_output() as cap:
            display(widget)
        shown, note = cap.outputs
        assert "application/vnd.jupyter.widget-view+json" in shown.data
        assert "interactive widget" in shown.data["text/plain"] or "[ERROR]" in shown.data["text/plain"]
        assert "run this cell again" in note.data["text/plain"]
        assert 'class="svc-fallback"' in note.data["text/html"]
        assert "svc-live" in widget._dom_classes  # the class whose presence hides the note in JupyterLab


def test_stream_check_gives_feedback_per_step_and_a_flow():
    from course import banks

    story = banks.story("timetable")
    box = widgets.value_stream_builder()
    dropdowns = find(box, "svc-step-choice")
    assert len(dropdowns) == len(story.steps)
    for dd, step in zip(dropdowns, story.steps):
        dd.value = step.activity
    dropdowns[-1].value = "plan" if story.steps[-1].activity != "plan" else "improve"
    one(box, "svc-check").click()
    feedback = val(box, "svc-feedback-box")
    assert feedback.count("[OK]") == len(story.steps) - 1 and feedback.count("[WRONG]") == 1
    chart = one(box, "svc-stream-chart")
    assert chart.layout.display is None
    spec = figure_spec(chart)
    markers = spec["data"][1]
    assert markers["x"] == list(range(1, len(story.steps) + 1))
    assert markers["text"][0] == f"1. {story.steps[0].activity}"
    assert markers["text"][-1] == f"{len(story.steps)}. {dropdowns[-1].value}"
    assert markers["marker"]["color"][0] == PALETTE[story.steps[0].activity]


def test_stream_story_selector_swaps_the_steps():
    from course import banks

    stories = banks.load_stories()
    box = widgets.value_stream_builder(stories[0].id)
    one(box, "svc-story-select").value = stories[1].id
    assert len(find(box, "svc-step-choice")) == len(stories[1].steps)


def test_slo_slider_moves_update_numbers_and_chart():
    from course import data

    slo_view = importlib.import_module("course.widgets.slo")
    box = slo_view.build(data.load("requests"), debounce=0)
    numbers = one(box, "svc-slo-numbers")
    before = numbers.value
    assert "Error budget: 43.2 minutes over 30 days at 99.90%" in before
    one(box, "svc-slo-target").value = 99.0
    assert "Error budget: 432.0 minutes over 30 days at 99.00%" in numbers.value
    one(box, "svc-slo-window").value = 7
    assert "Error budget: 100.8 minutes over 7 days at 99.00%" in numbers.value
    spec = figure_spec(one(box, "svc-slo-chart"))
    assert len(spec["data"][0]["x"]) == 7 * 24
    assert spec["layout"]["title"]["text"].endswith("99.00% over 7 days")


def test_unknown_ids_give_a_message_not_a_traceback():
    assert "no scenario with id 'ZZ'" in val(widgets.scenario_mapper(["ZZ"]))
    assert "stories.yml" in val(widgets.value_stream_builder("nope"))
    assert "glossary.yml" in val(widgets.flashcards(["no such term"]))
    assert "mode" in val(widgets.quiz(mode="test"))
    assert "svc-error" in widgets.slo_explorer("no-such-service")._dom_classes


def test_progress_panel_shows_boxes_and_attempts(progress_file):
    from course import progress

    progress.save_flashcards({"session": 4, "boxes": {"a": 1, "b": 3, "c": 3}})
    progress.record_quiz_attempt(
        {"date": "2026-03-02T09:15:00+00:00", "mode": "exam", "score": 27, "total": 40, "percent": 67.5,
         "passed": True, "wrong": ["x"] * 13}
    )
    box = widgets.progress_panel()
    body = val(box, "svc-panel-body")
    assert "3 cards reviewed over 4 sessions; box 1: 1, box 2: 0, box 3: 2, box 4: 0, box 5: 0." in body
    assert "27 / 40 (68%)" in body and "PASS" in body and "2026-03-02 09:15" in body


BUILD_SCRIPT = textwrap.dedent(
    """
    import json, sys, time
    t0 = time.perf_counter()
    from course import widgets
    import ipywidgets as w
    from ipywidgets.embed import dependency_state
    imported = time.perf_counter() - t0
    calls = {
        "scenario_mapper": lambda: widgets.scenario_mapper(),
        "quiz": lambda: widgets.quiz(),
        "quiz_exam": lambda: widgets.quiz(mode="exam"),
        "flashcards": lambda: widgets.flashcards(),
        "value_stream_builder": lambda: widgets.value_stream_builder(),
        "slo_explorer": lambda: widgets.slo_explorer(),
        "progress_panel": lambda: widgets.progress_panel(),
    }
    out = {"import_s": round(imported, 3)}
    for name, call in calls.items():
        t = time.perf_counter(); widget = call(); first = time.perf_counter() - t
        t = time.perf_counter(); call(); again = time.perf_counter() - t
        state = json.dumps(dependency_state(widget, drop_defaults=True))
        out[name] = {"classes": list(widget._dom_classes), "first_s": round(first, 3),
                     "again_s": round(again, 3), "state_kb": round(len(state) / 1024, 1)}
    print(json.dumps(out))
    """
)


def _run(script, env_extra):
    env = dict(os.environ, **env_extra)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_each_widget_builds_headless_in_a_plain_process(tmp_path):
    out = json.loads(_run(BUILD_SCRIPT, {"SVC_COURSE_PROGRESS": str(tmp_path / "p.json")}))
    print("\nheadless build (first call includes loading its data; again = warm):")
    print(f"  import course.widgets: {out.pop('import_s')} s")
    for name, row in out.items():
        print(f"  {name}: first {row['first_s']} s, again {row['again_s']} s, widget state {row['state_kb']} KB")
        css = "svc-quiz" if name.startswith("quiz") else None
        expected = css or {
            "scenario_mapper": "svc-mapper",
            "flashcards": "svc-flashcards",
            "value_stream_builder": "svc-stream",
            "slo_explorer": "svc-slo",
            "progress_panel": "svc-progress",
        }[name]
        assert expected in row["classes"], (name, row["classes"])
        assert row["state_kb"] < 200, f"{name} would save {row['state_kb']} KB of widget state"
    assert not (tmp_path / "p.json").exists()  # building a widget writes nothing


ERROR_SCRIPT = textwrap.dedent(
    """
    import html
    from course import widgets
    for name in ("scenario_mapper", "quiz", "flashcards", "value_stream_builder", "slo_explorer"):
        box = getattr(widgets, name)()
        print(name, "|", " ".join(box._dom_classes), "|", html.unescape(box.value) if hasattr(box, "value") else "")
    """
)


def test_missing_data_folder_files_are_named(tmp_path):
    empty = tmp_path / "data"
    empty.mkdir()
    lines = _run(ERROR_SCRIPT, {"SVC_COURSE_DATA": str(empty), "SVC_COURSE_PROGRESS": str(tmp_path / "p.json")})
    rows = dict((line.split(" | ")[0], line.split(" | ")[1:]) for line in lines.strip().splitlines())
    expected_files = {
        "scenario_mapper": "scenarios.yml",
        "quiz": "questions.yml",
        "flashcards": "glossary.yml",
        "value_stream_builder": "stories.yml",
        "slo_explorer": "requests.csv",
    }
    for name, file_name in expected_files.items():
        classes, message = rows[name]
        assert classes == "svc-error svc-live", (name, classes)
        assert file_name in message and "Traceback" not in message


def test_a_malformed_bank_entry_is_named(tmp_path):
    from course.paths import data_dir

    folder = tmp_path / "data"
    folder.mkdir()
    text = (data_dir() / "scenarios.yml").read_text(encoding="utf-8")
    broken = text.replace("activities: [deliver and support]", "activities: [operate]", 1)
    assert broken != text
    (folder / "scenarios.yml").write_text(broken, encoding="utf-8")
    script = (
        "import html; from course import widgets; b = widgets.scenario_mapper(); "
        "print(' '.join(b._dom_classes)); print(html.unescape(b.value))"
    )
    out = _run(script, {"SVC_COURSE_DATA": str(folder), "SVC_COURSE_PROGRESS": str(tmp_path / "p.json")})
    classes, message = out.split("\n", 1)
    assert classes == "svc-error svc-live"
    assert "scenarios.yml" in message and "id 'A'" in message and "activities" in message
