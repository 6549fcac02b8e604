"""Every section, scenario, quiz and key term of the chapter is covered by a notebook.

The chapter's sections are listed here with phrases their notebook must discuss
(case-insensitive); the scenarios, quizzes and key terms are checked against the
content banks and the notebooks that use them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from course import banks

REPO = Path(__file__).resolve().parent.parent

SECTIONS = {
    "01-value-chain-orientation": [
        "service value system", "interconnected activities", "exam", "plan", "improve", "engage",
        "design and transition", "obtain/build", "deliver and support", "value stream",
    ],
    "02-value-streams-operating-model": [
        "guiding principles", "governance", "co-creation", "innovation", "reliability", "operating model",
        "timetable", "value stream",
    ],
    "03-operational-terms": [
        "incident", "event", "problem", "known error", "error", "release", "test", "workaround",
    ],
    "04-modern-delivery-and-sre": [
        "continuous integration", "continuous delivery", "continuous deployment", "reliability",
        "site reliability engineering", "error budget", "slo", "observability",
    ],
    "05-mapping-scenarios": ["scenario a", "scenario b", "scenario c", "scenario d", "cue word", "your own"],
    "06-value-chain-metrics": [
        "forecast", "alignment", "improvement", "csat", "nps", "test pass", "change success", "build success",
        "defect", "incident volume", "mttr", "availability", "slo compliance", "idea-to-live", "cycle time",
    ],
    "07-quizzes-and-key-terms": ["quiz 1", "quiz 2", "key terms", "flashcard", "missing word", "negative"],
    "08-mini-case-streaming": [
        "live sports", "known error record", "logs and traces", "error budget policy", "roadmap",
        "time to restore", "root cause", "slo compliance", "alignment",
    ],
}


def _text(name: str) -> str:
    nb = json.loads((REPO / "source" / name / f"{name}.ipynb").read_text())
    return "\n".join("".join(c["source"]) if isinstance(c["source"], list) else c["source"] for c in nb["cells"]).lower()


@pytest.mark.parametrize("name", sorted(SECTIONS))
def test_each_notebook_covers_its_sections(name: str) -> None:
    text = _text(name)
    missing = [phrase for phrase in SECTIONS[name] if phrase not in text]
    assert not missing, f"{name} does not discuss: {missing}"


@pytest.mark.parametrize("name", sorted(SECTIONS))
def test_each_notebook_has_objectives_a_widget_and_a_recap(name: str) -> None:
    text = _text(name)
    assert any(p in text for p in ("objective", "you will be able to", "by the end of this notebook"))
    assert "widgets." in text
    assert "key terms" in text or "recap" in text


def test_chapter_scenarios_and_case_steps_are_in_the_bank() -> None:
    ids = {s.id for s in banks.load_scenarios()}
    assert {"A", "B", "C", "D", "case-1", "case-2", "case-3", "case-4"} <= ids


def test_chapter_quizzes_are_in_the_bank_and_notebook_07() -> None:
    from course.grading import keys

    assert keys.question("q-ch14-quiz1").answer_letter == "B"
    assert keys.question("q-ch14-quiz2").answer_letter == "B"
    assert "q-ch14-quiz1" in _text("07-quizzes-and-key-terms") or "quiz 1" in _text("07-quizzes-and-key-terms")
