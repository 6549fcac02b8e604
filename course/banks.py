"""The course's content banks: scenarios, questions, glossary, stories and records.

Each bank is a YAML list of mappings in the data folder (``data/scenarios.yml``,
``data/questions.yml``, ``data/glossary.yml``, ``data/stories.yml``,
``data/records.yml``). They are the one source for the notebooks, the widgets
and the tests. Loading a bank validates it in two passes:

1. its JSON Schema (Draft 2020-12, shipped in ``course/bank_schemas/``) checks
   shape and types;
2. semantic checks the schema cannot express: activity names are exactly one
   of the six canonical names (never silently normalised), ids are unique, each
   scenario's cue words occur in its text, each question has exactly one correct
   option and list questions have exactly four statements.

Items marked ``graded: true`` are public here only in part: their text (and a
question's options) but not their key. The keys live in the instructor-only
``keys/`` folder of the course and are read by the grader
(:mod:`course.grading.keys`); a graded item's key fields are empty here
(``Scenario.activities == ()``, ``Option.correct is None``, ``Record.kind is
None``) and asking for its answer raises :class:`GradedKeyUnavailable`. A
graded entry that carries its key in the public bank is refused.

Any fault raises :class:`BankError` naming the file, the entry (its 0-based index,
its id and its line) and the field, for example::

    data/questions.yml: entry 7 (id 'q-metrics-03', line 120): options: exactly one
    option must be correct, found 2

The default banks are read once and cached; pass ``path`` to read another file
(nothing is cached then).

>>> s = scenario("A")
>>> s.activities
('deliver and support',)
>>> question("q-ch14-quiz1").answer_letter
'B'
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from .activities import ACTIVITIES
from .paths import data_dir

__all__ = [
    "BankError",
    "GradedKeyUnavailable",
    "Option",
    "Question",
    "Scenario",
    "Confusion",
    "Term",
    "Step",
    "Story",
    "Record",
    "load_scenarios",
    "load_questions",
    "load_glossary",
    "load_stories",
    "load_records",
    "scenario",
    "question",
    "story",
    "term",
]

LETTERS = "ABCD"
"""Letters of a question's four options, in order."""


class BankError(ValueError):
    """A content bank that cannot be read or breaks its schema or a semantic rule."""


class GradedKeyUnavailable(LookupError):
    """The answer of a graded item was asked for: it is kept by the grader, not in the public bank."""


KEY_FIELDS = {
    "scenarios": ("activities", "cue_words", "explanation"),
    "questions": ("correct", "explanation"),
    "records": ("kind", "activity", "explanation"),
}
"""The fields that make up a graded item's key, per bank (for questions: per option)."""


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class Scenario:
    """A short exam-style story to map to one or two value chain activities.

    ``activities`` lists the primary activity first; ``cue_words`` are phrases of
    ``text`` that point to them. A graded scenario from the public bank has
    none of the three (they are empty); :mod:`course.grading.keys` fills them in.
    """

    id: str
    context: str
    text: str
    activities: tuple[str, ...]
    cue_words: tuple[str, ...]
    explanation: str
    source: str
    difficulty: int
    graded: bool = False

    @property
    def has_key(self) -> bool:
        """Whether this object carries its key (always for practice items)."""
        return bool(self.activities)

    @property
    def primary(self) -> str:
        """The primary activity (the first listed)."""
        if not self.activities:
            raise GradedKeyUnavailable(f"scenario {self.id!r} is graded: its key is kept by the grader")
        return self.activities[0]


@dataclass(frozen=True)
class Option:
    """One of a question's four options, with why it is right or wrong.

    ``correct`` is None (and ``explanation`` empty) for a graded question read
    from the public bank.
    """

    text: str
    correct: bool | None
    explanation: str


@dataclass(frozen=True)
class Question:
    """A multiple-choice question in one of the exam's four styles.

    ``statements`` holds the four numbered statements of a ``list`` question and
    is empty for the other types.
    """

    id: str
    type: str
    topic: str
    stem: str
    options: tuple[Option, ...]
    source: str
    bloom: int
    statements: tuple[str, ...] = ()
    graded: bool = False

    @property
    def has_key(self) -> bool:
        """Whether this object carries its key (always for practice questions)."""
        return all(option.correct is not None for option in self.options)

    @property
    def answer_index(self) -> int:
        """0-based index of the correct option."""
        if not self.has_key:
            raise GradedKeyUnavailable(f"question {self.id!r} is graded: its answer is kept by the grader")
        return next(i for i, option in enumerate(self.options) if option.correct)

    @property
    def answer_letter(self) -> str:
        """Letter ("A".."D") of the correct option."""
        return LETTERS[self.answer_index]

    @property
    def correct_option(self) -> Option:
        """The correct option."""
        return self.options[self.answer_index]


@dataclass(frozen=True)
class Confusion:
    """A term often confused with another, and one sentence on the difference."""

    term: str
    difference: str


@dataclass(frozen=True)
class Term:
    """A glossary entry; ``source`` is ``chapter key terms`` for quoted definitions."""

    term: str
    definition: str
    source: str
    activity: str | None = None
    related: tuple[str, ...] = ()
    confused_with: Confusion | None = None


@dataclass(frozen=True)
class Step:
    """One step of a value stream story, belonging to one activity."""

    id: str
    text: str
    activity: str
    explanation: str


@dataclass(frozen=True)
class Story:
    """A value stream told as ordered steps, for the value-stream builder."""

    id: str
    title: str
    intro: str
    steps: tuple[Step, ...]

    @property
    def activities(self) -> tuple[str, ...]:
        """The activity of each step, in story order."""
        return tuple(step.activity for step in self.steps)


@dataclass(frozen=True)
class Record:
    """A short operational record (ops log or service desk line) to classify.

    ``kind``, ``activity`` and ``explanation`` are None/empty for a graded record
    read from the public bank.
    """

    id: str
    text: str
    kind: str | None
    activity: str | None
    explanation: str
    graded: bool = False

    @property
    def has_key(self) -> bool:
        """Whether this object carries its key (always for practice records)."""
        return self.kind is not None


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class _Bank:
    """How one bank is named, validated and turned into records."""

    file_name: str
    schema_name: str
    key: str
    check: Callable[["_Located"], None]
    build: Callable[[Mapping[str, Any]], Any]


@dataclass(frozen=True)
class _Located:
    """A bank's parsed entries with where each one starts in its file."""

    label: str
    entries: list[Any]
    lines: list[int | None]
    key: str

    def where(self, index: int) -> str:
        """Name entry ``index`` by index, id (or term) and line."""
        entry = self.entries[index] if index < len(self.entries) else None
        details = []
        if isinstance(entry, Mapping) and isinstance(entry.get(self.key), str):
            details.append(f"{self.key} {entry[self.key]!r}")
        line = self.lines[index] if index < len(self.lines) else None
        if line is not None:
            details.append(f"line {line}")
        suffix = f" ({', '.join(details)})" if details else ""
        return f"{self.label}: entry {index}{suffix}"

    def fail(self, index: int, field: str, message: str) -> BankError:
        """A BankError for entry ``index`` and ``field``."""
        return BankError(f"{self.where(index)}: {field}: {message}")


def _label(path: Path, default: bool) -> str:
    return f"data/{path.name}" if default else str(path)


@lru_cache(maxsize=None)
def _schema(name: str) -> dict[str, Any]:
    text = resources.files("course").joinpath("bank_schemas", name).read_text(encoding="utf-8")
    return json.loads(text)


def _parse(path: Path, label: str, key: str) -> _Located:
    """Read a YAML list, recording the line where each entry starts."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise BankError(f"{label}: cannot read the file: {exc}") from exc
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown line"
        problem = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        raise BankError(f"{label}: YAML syntax error at {where}: {problem}") from exc
    except yaml.YAMLError as exc:
        raise BankError(f"{label}: YAML error: {exc}") from exc
    finally:
        loader.dispose()
    if not isinstance(data, list):
        found = "an empty file" if data is None else f"a {type(data).__name__}"
        raise BankError(f"{label}: the file must hold a YAML list of entries, found {found}")
    lines: list[int | None] = [None] * len(data)
    if isinstance(node, yaml.SequenceNode):
        lines = [item.start_mark.line + 1 for item in node.value]
    return _Located(label, data, lines, key)


def _field_path(parts: Sequence[Any]) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _jsonschema() -> Any:
    """Import jsonschema without its optional IRI-syntax checker.

    jsonschema imports ``rfc3987_syntax`` when it is installed (JupyterLab's
    dependencies bring it), which builds a grammar at import and costs over a
    second of CPU in every kernel that loads a bank. The banks use no ``format``
    keywords, so the import is skipped while jsonschema loads, then allowed again.
    """
    import sys

    if "jsonschema" in sys.modules:
        return sys.modules["jsonschema"]
    blocked = "rfc3987_syntax" not in sys.modules
    if blocked:
        sys.modules["rfc3987_syntax"] = None  # type: ignore[assignment]  # import raises ImportError
    try:
        import jsonschema
    finally:
        if blocked:
            del sys.modules["rfc3987_syntax"]
    return jsonschema


def _schema_check(located: _Located, schema: dict[str, Any]) -> None:
    """Raise a BankError for the first entry that breaks ``schema``."""
    jsonschema = _jsonschema()
    validator = jsonschema.Draft202012Validator(schema)
    errors = list(validator.iter_errors(located.entries))
    if not errors:
        return
    first_index = min(e.absolute_path[0] if e.absolute_path else -1 for e in errors)
    errors = [e for e in errors if (e.absolute_path[0] if e.absolute_path else -1) == first_index]
    error = jsonschema.exceptions.best_match(errors)
    if first_index < 0:
        raise BankError(f"{located.label}: {error.message}")
    inner = list(error.absolute_path)[1:]
    message = error.message
    if error.validator == "required" and isinstance(error.instance, Mapping):
        missing = [name for name in error.validator_value if name not in error.instance]
        inner.append(missing[0])
        message = "required field is missing"
    elif error.validator == "additionalProperties" and isinstance(error.instance, Mapping):
        allowed = set(error.schema.get("properties", {}))
        extra = sorted(str(name) for name in error.instance if name not in allowed)
        inner.append(extra[0] if extra else "?")
        message = f"unknown field; allowed fields: {', '.join(sorted(allowed))}"
    field = _field_path(inner) or "(entry)"
    raise located.fail(first_index, field, message)


def _check_unique(located: _Located, key: str) -> None:
    seen: dict[Any, int] = {}
    for index, entry in enumerate(located.entries):
        value = entry[key]
        if value in seen:
            raise located.fail(
                index, key, f"duplicate {key} {value!r} (first used by entry {seen[value]})"
            )
        seen[value] = index


def _check_activity(located: _Located, index: int, field: str, name: Any) -> None:
    if name not in ACTIVITIES:
        raise located.fail(
            index,
            field,
            f"{name!r} is not a canonical activity name; use one of: {', '.join(ACTIVITIES)}",
        )


def _load(bank: _Bank, path: str | Path | None) -> tuple[Any, ...]:
    default = path is None
    file_path = data_dir() / bank.file_name if default else Path(path)
    located = _parse(file_path, _label(file_path, default), bank.key)
    _schema_check(located, _schema(bank.schema_name))
    bank.check(located)
    return tuple(bank.build(entry) for entry in located.entries)


# --------------------------------------------------------------------------- checks


def _check_key_presence(located: _Located, index: int, entry: Mapping[str, Any], fields: Sequence[str],
                        *, graded: bool, where: str = "") -> bool:
    """Refuse a graded entry that carries its key, and a practice entry that lacks it.

    Returns whether the entry is a practice entry (whose key is then checked).
    """
    present = [name for name in fields if name in entry]
    if graded and present:
        raise located.fail(
            index, f"{where}{present[0]}",
            "a graded item must not carry its key in the public bank (students can read it); "
            "move it to the instructor-only keys/ folder",
        )
    if not graded:
        missing = [name for name in fields if name not in entry]
        if missing:
            raise located.fail(index, f"{where}{missing[0]}", "required field is missing")
    return not graded


def check_scenario_key(located: _Located, index: int, entry: Mapping[str, Any], text: str) -> None:
    """Check a scenario's key against its ``text`` (shared with :mod:`course.grading.keys`)."""
    activities = entry["activities"]
    for position, name in enumerate(activities):
        _check_activity(located, index, f"activities[{position}]", name)
    if len(set(activities)) != len(activities):
        raise located.fail(index, "activities", "the same activity is listed twice")
    lowered = text.casefold()
    for position, cue in enumerate(entry["cue_words"]):
        if cue.casefold() not in lowered:
            raise located.fail(
                index, f"cue_words[{position}]", f"cue word {cue!r} does not occur in the text"
            )


def _check_scenarios(located: _Located) -> None:
    _check_unique(located, "id")
    for index, entry in enumerate(located.entries):
        graded = entry.get("graded", False) is True
        if _check_key_presence(located, index, entry, KEY_FIELDS["scenarios"], graded=graded):
            check_scenario_key(located, index, entry, entry["text"])


def _check_questions(located: _Located) -> None:
    _check_unique(located, "id")
    for index, entry in enumerate(located.entries):
        graded = entry.get("graded", False) is True
        for position, option in enumerate(entry["options"]):
            _check_key_presence(located, index, option, KEY_FIELDS["questions"], graded=graded,
                                where=f"options[{position}].")
        correct = sum(1 for option in entry["options"] if option.get("correct"))
        if not graded and correct != 1:
            raise located.fail(
                index, "options", f"exactly one option must be correct, found {correct}"
            )
        texts = [option["text"].strip().casefold() for option in entry["options"]]
        if len(set(texts)) != len(texts):
            raise located.fail(index, "options", "two options have the same text")
        statements = entry.get("statements")
        if entry["type"] == "list":
            found = 0 if statements is None else len(statements)
            if found != 4:
                raise located.fail(
                    index, "statements", f"a list question needs exactly four statements, found {found}"
                )
        elif statements is not None:
            raise located.fail(
                index, "statements", f"only list questions have statements, not {entry['type']!r}"
            )


def _term_keys(name: str) -> set[str]:
    """Keys a term is found by: its name, and for "Name (ABBR)" also "Name" and "ABBR"."""
    key = " ".join(name.split()).casefold()
    keys = {key}
    match = re.fullmatch(r"(.+?)\s*\(([^()]+)\)", key)
    if match:
        keys |= {match.group(1), match.group(2)}
    return keys


def _check_glossary(located: _Located) -> None:
    owner: dict[str, int] = {}
    for index, entry in enumerate(located.entries):
        for key in _term_keys(entry["term"]):
            if key in owner:
                raise located.fail(
                    index, "term", f"duplicate term {key!r} (first used by entry {owner[key]})"
                )
            owner[key] = index
    for index, entry in enumerate(located.entries):
        if "activity" in entry:
            _check_activity(located, index, "activity", entry["activity"])
        for position, name in enumerate(entry.get("related", [])):
            if " ".join(name.split()).casefold() not in owner:
                raise located.fail(
                    index, f"related[{position}]", f"{name!r} is not a term of the glossary"
                )
        confused = entry.get("confused_with")
        if confused is not None and " ".join(confused["term"].split()).casefold() not in owner:
            raise located.fail(
                index, "confused_with.term", f"{confused['term']!r} is not a term of the glossary"
            )


def _check_stories(located: _Located) -> None:
    _check_unique(located, "id")
    for index, entry in enumerate(located.entries):
        seen: set[str] = set()
        for position, step in enumerate(entry["steps"]):
            if step["id"] in seen:
                raise located.fail(
                    index, f"steps[{position}].id", f"duplicate step id {step['id']!r} in this story"
                )
            seen.add(step["id"])
            _check_activity(located, index, f"steps[{position}].activity", step["activity"])


def _check_records(located: _Located) -> None:
    _check_unique(located, "id")
    for index, entry in enumerate(located.entries):
        graded = entry.get("graded", False) is True
        if _check_key_presence(located, index, entry, KEY_FIELDS["records"], graded=graded):
            check_record_key(located, index, entry)


def check_record_key(located: _Located, index: int, entry: Mapping[str, Any]) -> None:
    """Check a record's activity (shared with :mod:`course.grading.keys`; the kind is checked by the schema)."""
    _check_activity(located, index, "activity", entry["activity"])


# --------------------------------------------------------------------------- builders


def _scenario(entry: Mapping[str, Any]) -> Scenario:
    return Scenario(
        id=entry["id"],
        context=entry["context"],
        text=entry["text"].strip(),
        activities=tuple(entry.get("activities", ())),
        cue_words=tuple(entry.get("cue_words", ())),
        explanation=entry.get("explanation", "").strip(),
        source=entry["source"],
        difficulty=entry["difficulty"],
        graded=entry.get("graded", False),
    )


def _question(entry: Mapping[str, Any]) -> Question:
    return Question(
        id=entry["id"],
        type=entry["type"],
        topic=entry["topic"],
        stem=entry["stem"].strip(),
        options=tuple(
            Option(o["text"].strip(), o.get("correct"), o.get("explanation", "").strip())
            for o in entry["options"]
        ),
        source=entry["source"],
        bloom=entry["bloom"],
        statements=tuple(s.strip() for s in entry.get("statements", ())),
        graded=entry.get("graded", False),
    )


def _term(entry: Mapping[str, Any]) -> Term:
    confused = entry.get("confused_with")
    return Term(
        term=entry["term"],
        definition=entry["definition"].strip(),
        source=entry["source"],
        activity=entry.get("activity"),
        related=tuple(entry.get("related", ())),
        confused_with=(
            Confusion(confused["term"], confused["difference"].strip()) if confused else None
        ),
    )


def _story(entry: Mapping[str, Any]) -> Story:
    return Story(
        id=entry["id"],
        title=entry["title"],
        intro=entry["intro"].strip(),
        steps=tuple(
            Step(s["id"], s["text"].strip(), s["activity"], s["explanation"].strip())
            for s in entry["steps"]
        ),
    )


def _record(entry: Mapping[str, Any]) -> Record:
    return Record(
        id=entry["id"],
        text=entry["text"].strip(),
        kind=entry.get("kind"),
        activity=entry.get("activity"),
        explanation=entry.get("explanation", "").strip(),
        graded=entry.get("graded", False),
    )


_BANKS = {
    "scenarios": _Bank("scenarios.yml", "scenarios.schema.json", "id", _check_scenarios, _scenario),
    "questions": _Bank("questions.yml", "questions.schema.json", "id", _check_questions, _question),
    "glossary": _Bank("glossary.yml", "glossary.schema.json", "term", _check_glossary, _term),
    "stories": _Bank("stories.yml", "stories.schema.json", "id", _check_stories, _story),
    "records": _Bank("records.yml", "records.schema.json", "id", _check_records, _record),
}


@lru_cache(maxsize=None)
def _load_default(name: str) -> tuple[Any, ...]:
    return _load(_BANKS[name], None)


def _load_bank(name: str, path: str | Path | None) -> tuple[Any, ...]:
    return _load_default(name) if path is None else _load(_BANKS[name], path)


# --------------------------------------------------------------------------- public API


def load_scenarios(path: str | Path | None = None) -> tuple[Scenario, ...]:
    """Load and validate the scenario bank (default ``data/scenarios.yml``).

    >>> len(load_scenarios()) >= 48
    True
    """
    return _load_bank("scenarios", path)


def load_questions(path: str | Path | None = None) -> tuple[Question, ...]:
    """Load and validate the question bank (default ``data/questions.yml``).

    >>> all(q.options[LETTERS.index(q.answer_letter)].correct for q in load_questions())
    True
    """
    return _load_bank("questions", path)


def load_glossary(path: str | Path | None = None) -> tuple[Term, ...]:
    """Load and validate the glossary (default ``data/glossary.yml``).

    >>> term("known error").activity
    'deliver and support'
    """
    return _load_bank("glossary", path)


def load_stories(path: str | Path | None = None) -> tuple[Story, ...]:
    """Load and validate the value stream stories (default ``data/stories.yml``).

    >>> story("timetable").activities[0]
    'plan'
    """
    return _load_bank("stories", path)


def load_records(path: str | Path | None = None) -> tuple[Record, ...]:
    """Load and validate the operational records (default ``data/records.yml``).

    >>> sorted({r.kind for r in load_records()})[:3]
    ['change', 'error', 'event']
    """
    return _load_bank("records", path)


def _lookup(items: Sequence[Any], key: str, wanted: str, what: str, file_name: str) -> Any:
    for item in items:
        if getattr(item, key) == wanted:
            return item
    known = ", ".join(str(getattr(item, key)) for item in items[:12])
    more = ", ..." if len(items) > 12 else ""
    raise KeyError(f"no {what} with {key} {wanted!r} in data/{file_name} (known: {known}{more})")


def scenario(id: str) -> Scenario:
    """Return the scenario with this id from the default bank, or raise KeyError.

    >>> scenario("B").activities
    ('obtain/build', 'design and transition')
    """
    return _lookup(load_scenarios(), "id", id, "scenario", "scenarios.yml")


def question(id: str) -> Question:
    """Return the question with this id from the default bank, or raise KeyError."""
    return _lookup(load_questions(), "id", id, "question", "questions.yml")


def story(id: str) -> Story:
    """Return the story with this id from the default bank, or raise KeyError."""
    return _lookup(load_stories(), "id", id, "story", "stories.yml")


def term(name: str) -> Term:
    """Return the glossary entry for ``name``, or raise KeyError.

    Case and spacing are ignored, and a term written "Name (ABBR)" is also found
    by "Name" or "ABBR".

    >>> term("SRE").term
    'Site Reliability Engineering (SRE)'
    """
    wanted = " ".join(name.split()).casefold()
    for entry in load_glossary():
        if wanted in _term_keys(entry.term):
            return entry
    raise KeyError(f"no term {name!r} in data/glossary.yml")
