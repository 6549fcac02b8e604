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
    assert 'my_mapping = {"A": ["deliver and support"], "C": ["plan"]}' in val(box, "svc-code-box")


def test_mapper_never_reveals_a_graded_answer():
    from course.grading import keys

    graded = [s for s in keys.scenarios() if s.graded]  # with their keys, to look for them
    box = widgets.scenario_mapper(graded=True, answer_name="graded_map")
    assert graded[0].text in val(box, "svc-scenario")
    wrong = next(a for a in ("plan", "improve", "engage") if a not in graded[0].activities)
    next(t for t in find(box, "svc-activity") if t.description == wrong).value = True
    one(box, "svc-check").click()
    feedback = val(box, "svc-feedback-box")
    assert "[RECORDED]" in feedback
    assert graded[0].explanation[:40] not in feedback
    assert not any(a in feedback.replace(wrong, "") for a in graded[0].activities)
    assert "correct" not in val(box, "svc-score").replace("0 / 0 correct", "")
    one(box, "svc-show-code").click()
    assert f'graded_map = {{"{graded[0].id}": ["{wrong}"]}}' in val(box, "svc-code-box")


def test_quiz_practice_explains_every_option():
    from course import banks

    practice = [q for q in banks.load_questions() if not q.graded][:2]
    box = widgets.quiz([q.id for q in practice])
    radio = one(box, "svc-options")
    assert [v for _, v in radio.options] == ["A", "B", "C", "D"]
    radio.value = "A"
    one(box, "svc-submit").click()
    feedback = val(box, "svc-feedback-box")
    assert feedback.count("[OK]") == 1 and feedback.count("[WRONG]") == 3
    for option in practice[0].options:
        assert option.explanation in feedback
    assert radio.disabled
    one(box, "svc-next").click()
    assert not radio.disabled and radio.value is None


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
    radio.value = "B"
    assert "1 of 3 answered" in val(box, "svc-feedback-box")
    one(box, "svc-finish").click()
    result = val(box, "svc-result")
    assert ("PASS:" in result) or ("FAIL:" in result)
    assert "the pass mark is 65% (2 / 3)" in result
    saved = json.loads(progress_file.read_text())
    assert saved["quizzes"][0]["mode"] == "exam" and saved["quizzes"][0]["total"] == 3
    assert "Finished with" in val(box, "svc-timer")


def test_flashcards_flip_knew_and_persist(progress_file):
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
    assert saved["session"] == 1 and saved["boxes"][term] == 2


def test_flashcards_survive_a_corrupt_progress_file(progress_file):
    progress_file.write_text("{not json")
    box = widgets.flashcards(["incident"])
    assert "svc-flashcards" in box._dom_classes
    note = val(box, "svc-note")
    assert "could not be read" in note and "starting fresh" in note


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
    assert "3 cards seen over 4 sessions; box 1: 1, box 2: 0, box 3: 2, box 4: 0, box 5: 0." in body
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
        assert classes == "svc-error", (name, classes)
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
    assert classes == "svc-error"
    assert "scenarios.yml" in message and "id 'A'" in message and "activities" in message
