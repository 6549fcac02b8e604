"""The content banks load, hold what the chapter teaches, and bad entries fail clearly."""

from __future__ import annotations

import collections
import re
from pathlib import Path

import pytest
import yaml

from course import banks
from course.banks import BankError, GradedKeyUnavailable
from course.grading import keys

# Written out here rather than imported, so a typo in course.activities is caught too.
SIX = {"plan", "improve", "engage", "design and transition", "obtain/build", "deliver and support"}

REPO = Path(__file__).resolve().parent.parent
CHAPTER = REPO.parent / "shared" / "seed" / "chapter-14-service-value-chain.txt"
"""The chapter the course teaches, beside the repository (the course author's copy)."""

# The chapter's thought exercise (A-D) and mini case pattern, primary activity first.
CHAPTER_MAPPINGS = {
    "A": ("deliver and support",),
    "B": ("obtain/build", "design and transition"),
    "C": ("plan", "engage"),
    "D": ("improve", "deliver and support"),
    "case-1": ("deliver and support",),
    "case-2": ("improve",),
    "case-3": ("improve", "plan"),
    "case-4": ("plan",),
}


def _norm(term: str) -> str:
    """Lower-case, single-spaced, without a trailing "(ABBR)" or "(definition)"."""
    term = re.sub(r"\s*\([^()]*\)\s*$", "", term.strip())
    return " ".join(term.split()).casefold()


def _pairs(lines: list[str]) -> list[tuple[str, str]]:
    """Pair up "- term" / "- definition" bullet lines."""
    items = [line[2:].strip() for line in lines if line.startswith("- ")]
    return list(zip(items[0::2], items[1::2]))


def _chapter_text() -> str:
    assert CHAPTER.is_file(), f"the chapter the course teaches is missing: {CHAPTER}"
    return CHAPTER.read_text(encoding="utf-8")


def _chapter_key_terms() -> list[tuple[str, str]]:
    """The chapter's Key Terms as (term, definition)."""
    lines = _chapter_text().splitlines()
    start = max(i for i, line in enumerate(lines) if line.strip() == "Key Terms")
    return _pairs(lines[start + 1 :])


def _chapter_review_cards() -> list[tuple[str, str]]:
    """The chapter's Key Terms Review cards as (front, back)."""
    text = _chapter_text()
    section = text.split("Key Terms Review", 1)[1].split("Pulling It Together", 1)[0]
    return _pairs(section.splitlines())


# --------------------------------------------------------------------------- the banks load


def test_every_bank_loads_with_the_required_counts():
    assert len(banks.load_scenarios()) >= 48
    assert len(banks.load_questions()) >= 44
    assert len(banks.load_glossary()) >= 21 + 16
    assert len(banks.load_stories()) >= 3
    assert len(banks.load_records()) >= 24


def test_default_loads_are_cached_and_a_path_reads_that_file(tmp_path):
    assert banks.load_records() is banks.load_records()
    copy = tmp_path / "records.yml"
    copy.write_text(
        yaml.safe_dump(
            [{"id": "r01", "text": "Disk at 75%.", "kind": "event", "activity": "deliver and support",
              "explanation": "A change of state with no impact."}]
        ),
        encoding="utf-8",
    )
    records = banks.load_records(copy)
    assert [r.id for r in records] == ["r01"]
    assert records[0].graded is False


def test_every_activity_name_is_one_of_the_six():
    names = [a for s in keys.scenarios() for a in s.activities]
    names += [step.activity for story in banks.load_stories() for step in story.steps]
    names += [r.activity for r in keys.records()]
    names += [t.activity for t in banks.load_glossary() if t.activity is not None]
    assert names and set(names) <= SIX


# --------------------------------------------------------------------------- scenarios


def test_scenarios_a_to_d_and_the_case_follow_the_chapter():
    for scenario_id, expected in CHAPTER_MAPPINGS.items():
        s = banks.scenario(scenario_id)
        assert s.activities == expected, scenario_id
        assert s.source == "chapter"


def test_scenario_a_keeps_the_chapter_text():
    assert banks.scenario("A").text.startswith(
        "The service desk is flooded with calls because the timetable app is down."
    )


def test_every_cue_word_occurs_in_its_scenario_text():
    for s in keys.scenarios():
        for cue in s.cue_words:
            assert cue.lower() in s.text.lower(), (s.id, cue)


def test_scenarios_cover_every_activity_and_context():
    scenarios = keys.scenarios()
    uses = collections.Counter(a for s in scenarios for a in s.activities)
    assert set(uses) == SIX and min(uses.values()) >= 6
    contexts = {s.context for s in scenarios}
    assert contexts == {
        "university", "campus-wifi", "e-commerce", "healthcare", "banking", "public-sector",
        "ai-services", "streaming", "telecom", "manufacturing",
    }
    assert sum(len(s.activities) == 2 for s in scenarios) >= 8
    assert {s.difficulty for s in scenarios} == {1, 2, 3}


def test_ten_graded_scenarios_form_a_balanced_set():
    graded = [s for s in keys.scenarios() if s.graded]
    assert len(graded) == 10
    assert not {s.id for s in graded} & set(CHAPTER_MAPPINGS)
    assert sum(len(s.activities) == 2 for s in graded) >= 3
    primaries = collections.Counter(s.activities[0] for s in graded)
    assert set(primaries) == SIX
    assert max(primaries.values()) <= 2


# --------------------------------------------------------------------------- questions


def test_every_question_has_exactly_one_correct_option_and_its_letter():
    for q in keys.questions():
        flags = [o.correct for o in q.options]
        assert len(flags) == 4 and flags.count(True) == 1, q.id
        assert q.answer_letter == "ABCD"[flags.index(True)], q.id
        assert all(o.explanation for o in q.options), q.id


def test_list_questions_have_four_statements_and_others_none():
    for q in banks.load_questions():
        if q.type == "list":
            assert len(q.statements) == 4, q.id
        else:
            assert q.statements == (), q.id


def test_question_types_and_topics_are_mixed():
    questions = banks.load_questions()
    types = collections.Counter(q.type for q in questions)
    assert types["list"] >= 6 and types["missing-word"] >= 6 and types["negative"] >= 3
    assert types["standard"] >= 1
    topics = collections.Counter(q.topic for q in questions)
    assert set(topics) == {
        "orientation", "value-streams", "operational-terms", "modern-delivery", "mapping", "metrics",
    }
    assert min(topics.values()) >= 5
    assert {q.bloom for q in questions} == {1, 2}


def test_correct_letters_are_spread_out():
    letters = collections.Counter(q.answer_letter for q in keys.questions())
    total = sum(letters.values())
    assert set(letters) == set("ABCD")
    assert max(letters.values()) <= 0.4 * total
    pairs = {q.correct_option.text for q in keys.questions() if q.type == "list"}
    assert len(pairs) >= 4


def test_chapter_quizzes_are_verbatim_with_answer_b():
    quiz1 = keys.question("q-ch14-quiz1")
    assert quiz1.stem == (
        "A team introduces automated tests that run on every code commit. This mainly strengthens "
        "which service value chain activity?"
    )
    assert [o.text for o in quiz1.options] == ["engage", "obtain/build", "deliver and support", "plan"]
    assert quiz1.answer_letter == "B"
    quiz2 = keys.question("q-ch14-quiz2")
    assert quiz2.stem == "Which statement best describes a known error and its place in the value chain?"
    assert quiz2.answer_letter == "B"
    assert quiz2.options[1].text.startswith(
        "A known error is a problem that has been analyzed and has not been resolved"
    )
    assert quiz1.source == quiz2.source == "chapter"


def test_twelve_graded_questions_include_both_chapter_quizzes():
    graded = {q.id for q in banks.load_questions() if q.graded}
    assert len(graded) == 12
    assert {"q-ch14-quiz1", "q-ch14-quiz2"} <= graded


# --------------------------------------------------------------------------- glossary


def test_every_chapter_key_term_is_in_the_glossary():
    glossary = {_norm(t.term): t for t in banks.load_glossary()}
    key_terms = _chapter_key_terms()
    assert len(key_terms) >= 20
    for name, definition in key_terms:
        entry = glossary.get(_norm(name))
        assert entry is not None, name
        assert entry.source == "chapter key terms", name
        assert entry.definition == definition, name


def test_every_review_card_is_in_the_glossary():
    glossary = {_norm(t.term): t for t in banks.load_glossary()}
    cards = _chapter_review_cards()
    assert len(cards) >= 8
    for front, back in cards:
        name = "the six activities in order" if front.startswith("List the six") else front
        entry = glossary.get(_norm(name))
        assert entry is not None, front
        assert entry.definition == back, front
    assert glossary["the six activities in order"].definition == (
        "plan; improve; engage; design and transition; obtain/build; deliver and support"
    )


def test_glossary_has_the_course_terms():
    glossary = {_norm(t.term) for t in banks.load_glossary()}
    for name in [
        "value stream", "error", "change", "deployment", "service level objective",
        "service level indicator", "error budget", "mean time to restore service", "availability",
        "net promoter score", "customer satisfaction", "dora metrics", "lead time", "cycle time",
        "value co-creation", "operating model",
    ]:
        assert name in glossary, name


def test_term_lookup_accepts_abbreviations():
    assert banks.term("SRE").term == "Site Reliability Engineering (SRE)"
    assert banks.term("  Known   Error ").term == "known error"
    with pytest.raises(KeyError, match="glossary.yml"):
        banks.term("service catalog of doom")


# --------------------------------------------------------------------------- stories, records


def test_timetable_story_follows_the_chapter():
    story = banks.load_stories()[0]
    assert story.id == "timetable"
    assert story.activities == (
        "plan", "engage", "design and transition", "obtain/build", "deliver and support", "improve",
    )


def test_story_step_ids_are_unique_within_each_story():
    for story in banks.load_stories():
        ids = [step.id for step in story.steps]
        assert len(ids) == len(set(ids)), story.id


def test_records_cover_every_kind_and_ten_are_graded():
    records = keys.records()
    kinds = collections.Counter(r.kind for r in records)
    assert set(kinds) == {
        "event", "incident", "problem", "known error", "error", "release", "test", "change",
    }
    assert min(kinds.values()) >= 2
    graded = [r for r in records if r.graded]
    assert len(graded) == 10
    assert len({r.kind for r in graded}) == 8


def test_lookups_raise_key_error_naming_the_bank():
    with pytest.raises(KeyError, match="scenarios.yml"):
        banks.scenario("Z")
    with pytest.raises(KeyError, match="questions.yml"):
        banks.question("q-none")
    with pytest.raises(KeyError, match="stories.yml"):
        banks.story("none")


# --------------------------------------------------------------------------- bad entries

GOOD_SCENARIO = {
    "id": "ok-01", "context": "banking", "text": "The service desk restores service.",
    "activities": ["deliver and support"], "cue_words": ["service desk"],
    "explanation": "Restoring service is deliver and support.", "source": "course", "difficulty": 1,
}


def _question(qid: str, correct: tuple[bool, ...] = (False, True, False, False), **extra) -> dict:
    options = [
        {"text": f"option {i}", "correct": flag, "explanation": f"why {i}"}
        for i, flag in enumerate(correct)
    ]
    return {"id": qid, "type": "standard", "topic": "metrics", "stem": "Which?", "options": options,
            "source": "course", "bloom": 1, **extra}


def _write(tmp_path: Path, name: str, entries: list) -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(entries, sort_keys=False), encoding="utf-8")
    return path


def _error(loader, path: Path) -> str:
    with pytest.raises(BankError) as info:
        loader(path)
    message = str(info.value)
    assert str(path) in message
    return message


def test_bank_error_is_a_value_error():
    assert issubclass(BankError, ValueError)


def test_wrong_activity_is_named(tmp_path):
    bad = dict(GOOD_SCENARIO, id="bad-01", activities=["Obtain / Build"])
    message = _error(banks.load_scenarios, _write(tmp_path, "s.yml", [GOOD_SCENARIO, bad]))
    assert "entry 1 (id 'bad-01'" in message
    assert ": activities[0]: " in message
    assert "'Obtain / Build' is not a canonical activity" in message


def test_duplicate_id_is_named(tmp_path):
    record = {"id": "r07", "text": "x", "kind": "test", "activity": "obtain/build", "explanation": "y"}
    message = _error(banks.load_records, _write(tmp_path, "r.yml", [record, dict(record)]))
    assert "entry 1 (id 'r07'" in message
    assert ": id: duplicate id 'r07' (first used by entry 0)" in message


def test_two_correct_options_are_named(tmp_path):
    entries = [_question("q-ok-01"), _question("q-metrics-03", (True, True, False, False))]
    message = _error(banks.load_questions, _write(tmp_path, "q.yml", entries))
    assert "entry 1 (id 'q-metrics-03'" in message
    assert message.endswith(": options: exactly one option must be correct, found 2")


def test_missing_field_is_named(tmp_path):
    bad = {k: v for k, v in GOOD_SCENARIO.items() if k != "explanation"}
    bad["id"] = "bad-02"
    message = _error(banks.load_scenarios, _write(tmp_path, "s.yml", [GOOD_SCENARIO, bad]))
    assert "entry 1 (id 'bad-02'" in message
    assert ": explanation: required field is missing" in message


def test_missing_field_inside_a_story_step_is_named(tmp_path):
    steps = [{"id": f"s{i}", "text": "t", "activity": "plan", "explanation": "e"} for i in range(3)]
    del steps[2]["activity"]
    story = {"id": "one", "title": "T", "intro": "I", "steps": steps}
    message = _error(banks.load_stories, _write(tmp_path, "st.yml", [story]))
    assert "entry 0 (id 'one'" in message
    assert ": steps[2].activity: required field is missing" in message


def test_cue_word_not_in_text_is_named(tmp_path):
    bad = dict(GOOD_SCENARIO, id="bad-03", cue_words=["service desk", "roadmap"])
    message = _error(banks.load_scenarios, _write(tmp_path, "s.yml", [bad]))
    assert "entry 0 (id 'bad-03'" in message
    assert ": cue_words[1]: cue word 'roadmap' does not occur in the text" in message


def test_yaml_syntax_error_names_file_and_line(tmp_path):
    path = tmp_path / "broken.yml"
    path.write_text("- id: r01\n  kind: event\n  text: one: two\n", encoding="utf-8")
    message = _error(banks.load_records, path)
    assert "YAML syntax error at line 3" in message


def test_wrong_type_is_named_with_its_line(tmp_path):
    path = tmp_path / "s.yml"
    good = yaml.safe_dump([GOOD_SCENARIO], sort_keys=False)
    bad = yaml.safe_dump([dict(GOOD_SCENARIO, id="bad-04", difficulty="hard")], sort_keys=False)
    path.write_text(good + bad, encoding="utf-8")
    first_line_of_bad = good.count("\n") + 1
    message = _error(banks.load_scenarios, path)
    assert f"entry 1 (id 'bad-04', line {first_line_of_bad}): difficulty: " in message


def test_unknown_field_is_named(tmp_path):
    bad = dict(GOOD_SCENARIO, id="bad-05", activity="plan")
    message = _error(banks.load_scenarios, _write(tmp_path, "s.yml", [bad]))
    assert "entry 0 (id 'bad-05'" in message and ": activity: unknown field" in message


def test_list_question_needs_four_statements(tmp_path):
    bad = _question("q-list-01", type="list", statements=["a", "b", "c"])
    message = _error(banks.load_questions, _write(tmp_path, "q.yml", [bad]))
    assert ": statements: a list question needs exactly four statements, found 3" in message


def test_statements_only_on_list_questions(tmp_path):
    bad = _question("q-std-01", statements=["a", "b", "c", "d"])
    message = _error(banks.load_questions, _write(tmp_path, "q.yml", [bad]))
    assert "entry 0 (id 'q-std-01'" in message and ": statements: only list questions" in message


def test_glossary_related_term_must_exist(tmp_path):
    entries = [{"term": "event", "definition": "d", "source": "course", "related": ["incidnet"]}]
    message = _error(banks.load_glossary, _write(tmp_path, "g.yml", entries))
    assert "entry 0 (term 'event'" in message
    assert ": related[0]: 'incidnet' is not a term of the glossary" in message


def test_a_file_that_is_not_a_list_is_refused(tmp_path):
    path = tmp_path / "empty.yml"
    path.write_text("", encoding="utf-8")
    assert "found an empty file" in _error(banks.load_stories, path)
    path.write_text("id: r01\n", encoding="utf-8")
    assert "found a dict" in _error(banks.load_records, path)


# --------------------------------------------------------------------------- graded keys stay out


def test_the_public_banks_hold_no_key_of_a_graded_item():
    graded = [s for s in banks.load_scenarios() if s.graded]
    graded += [q for q in banks.load_questions() if q.graded]
    graded += [r for r in banks.load_records() if r.graded]
    assert len(graded) == 32
    for item in graded:
        assert not item.has_key, item.id
    with pytest.raises(GradedKeyUnavailable, match="graded"):
        banks.question("q-ch14-quiz1").answer_letter
    with pytest.raises(GradedKeyUnavailable, match="graded"):
        banks.scenario("mfg-04").primary
    # and the files themselves: no graded entry carries a key field
    for name, fields in banks.KEY_FIELDS.items():
        for entry in yaml.safe_load((REPO / "data" / f"{name}.yml").read_text(encoding="utf-8")):
            if entry.get("graded"):
                found = set(entry) | {k for o in entry.get("options", []) for k in o}
                assert not found & set(fields), (name, entry["id"])


def test_the_keys_give_every_graded_item_its_key():
    assert {s.id for s in keys.scenarios() if s.graded} == {s.id for s in banks.load_scenarios() if s.graded}
    assert all(s.has_key for s in keys.scenarios())
    assert all(q.has_key for q in keys.questions())
    assert all(r.has_key for r in keys.records())
    # practice items are the very objects of the public bank
    assert keys.scenarios()[0] is banks.load_scenarios()[0]


def test_a_graded_entry_with_its_key_in_the_public_bank_is_refused(tmp_path):
    leaky = dict(GOOD_SCENARIO, id="leak-01", graded=True)
    message = _error(banks.load_scenarios, _write(tmp_path, "s.yml", [leaky]))
    assert "entry 0 (id 'leak-01'" in message
    assert ": activities: a graded item must not carry its key in the public bank" in message
    q = _question("q-leak-01", graded=True)
    message = _error(banks.load_questions, _write(tmp_path, "q.yml", [q]))
    assert ": options[0].correct: a graded item must not carry its key" in message


def _keys_folder(tmp_path: Path, scenarios: list, questions: list | None = None, records: list | None = None) -> Path:
    folder = tmp_path / "keys"
    folder.mkdir(parents=True)
    for name, entries in (("scenarios", scenarios), ("questions", questions), ("records", records)):
        if entries is None:
            entries = [
                {k: v for k, v in e.items()}
                for e in yaml.safe_load((REPO / "keys" / f"{name}.yml").read_text(encoding="utf-8"))
            ]
        _write(folder, f"{name}.yml", entries)
    return folder


def _real_scenario_keys() -> list:
    return yaml.safe_load((REPO / "keys" / "scenarios.yml").read_text(encoding="utf-8"))


def test_a_missing_key_is_named(tmp_path):
    entries = [e for e in _real_scenario_keys() if e["id"] != "mfg-04"]
    with pytest.raises(BankError, match=r"keys/scenarios.yml: no key for the graded item 'mfg-04'"):
        keys.scenarios(_keys_folder(tmp_path, entries))


def test_a_key_for_an_unknown_or_practice_item_is_named(tmp_path):
    extra = dict(_real_scenario_keys()[0], id="nope-01")
    with pytest.raises(BankError, match=r"keys/scenarios.yml: entry 10 \(id 'nope-01'.*: id: no item 'nope-01'"):
        keys.scenarios(_keys_folder(tmp_path, [*_real_scenario_keys(), extra]))
    practice = dict(_real_scenario_keys()[0], id="A")
    with pytest.raises(BankError, match=r"'A' is a practice item"):
        keys.scenarios(_keys_folder(tmp_path / "2", [*_real_scenario_keys(), practice]))


def test_a_bad_key_is_named(tmp_path):
    entries = _real_scenario_keys()
    entries[3] = dict(entries[3], activities=["Plan"])
    with pytest.raises(BankError, match=r"entry 3 \(id 'health-02'.*: activities\[0\]: 'Plan' is not a canonical"):
        keys.scenarios(_keys_folder(tmp_path, entries))
    entries[3] = dict(entries[3], activities=["plan"], cue_words=["not in the text at all"])
    with pytest.raises(BankError, match=r"cue word 'not in the text at all' does not occur in the text"):
        keys.scenarios(_keys_folder(tmp_path / "2", entries))


def test_keys_are_not_found_outside_a_course_folder(tmp_path, monkeypatch):
    monkeypatch.delenv(keys.KEYS_ENV, raising=False)
    monkeypatch.setattr("course.paths.repo_root", lambda: None)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FileNotFoundError, match="not part of the student edition"):
        keys.keys_dir()
