"""Answer keys of the graded items: read by the grader only.

Students can read everything in ``data/`` (their kernels and widgets load it),
so the scenarios, questions and records marked ``graded: true`` there carry
only what a student must see: a scenario's text, a question's stem and options,
a record's text. Their keys live in the course folder's ``keys/`` folder, beside
``source/`` and, like it, kept by the instructor:

* ``keys/scenarios.yml``: ``id``, ``activities``, ``cue_words``, ``explanation``;
* ``keys/questions.yml``: ``id``, ``answer`` (the letter), ``explanations`` (one per option, A-D);
* ``keys/records.yml``: ``id``, ``kind``, ``activity``, ``explanation``.

The sandbox never binds ``keys/`` into a grading kernel, the student edition and
``release/`` never contain it, and feedback never shows it. Hidden tests read it
through this module when they run in the trusted grader (or in the instructor's
own kernel on ``source/``)::

    from course.grading import keys
    checks.mapping("graded_mapping", graded_mapping, {s.id: s.activities for s in keys.scenarios() if s.graded})

Every public graded item must have exactly one key and every key a public graded
item; a fault raises :class:`course.banks.BankError` naming the file, entry and
field.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Mapping
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from .. import banks
from ..banks import LETTERS, BankError, Question, Record, Scenario

KEYS_ENV = "SVC_COURSE_KEYS"
"""Environment variable naming the keys folder (overrides the lookup)."""

_FILES = {"scenarios": "scenarios.yml", "questions": "questions.yml", "records": "records.yml"}


def keys_dir(start: str | Path | None = None) -> Path:
    """Return the course's ``keys/`` folder.

    Looked up in this order: the ``SVC_COURSE_KEYS`` environment variable; a
    ``keys/`` folder beside ``nbgrader_config.py`` at or above ``start`` (default:
    the working folder, which is the course folder while nbgrader grades and the
    assignment's folder in ``source/`` while an instructor runs a source
    notebook); the ``keys/`` folder of the clone the package was loaded from.
    Raises ``FileNotFoundError`` saying where it looked: the student edition has
    no keys.
    """
    looked: list[str] = []
    env = os.environ.get(KEYS_ENV)
    if env:
        path = Path(env)
        if path.is_dir():
            return path
        looked.append(f"{KEYS_ENV}={env}")
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "nbgrader_config.py").is_file():
            if (folder / "keys").is_dir():
                return folder / "keys"
            looked.append(str(folder / "keys"))
            break
    from ..paths import repo_root

    root = repo_root()
    if root is not None and (root / "keys").is_dir():
        return root / "keys"
    if root is not None:
        looked.append(str(root / "keys"))
    raise FileNotFoundError(
        "the answer keys of the graded items (keys/) were not found; looked in: "
        + (", ".join(looked) or "no course folder at or above " + str(here))
        + ". They are kept by the instructor beside source/ and are not part of the student edition."
    )


@lru_cache(maxsize=None)
def _key_schema(name: str) -> dict[str, Any]:
    text = resources.files("course.grading").joinpath("key_schemas", f"{name}.schema.json").read_text("utf-8")
    return json.loads(text)


def _read_keys(name: str, folder: Path) -> tuple[banks._Located, dict[str, int]]:
    path = folder / _FILES[name]
    label = f"keys/{path.name}"
    if not path.is_file():
        raise BankError(f"{label}: the file is missing from {folder}")
    located = banks._parse(path, label, "id")
    banks._schema_check(located, _key_schema(name))
    banks._check_unique(located, "id")
    return located, {entry["id"]: index for index, entry in enumerate(located.entries)}


def _merge(name: str, public: tuple[Any, ...], folder: Path) -> tuple[Any, ...]:
    located, index_of = _read_keys(name, folder)
    by_id = {item.id: item for item in public}
    for key_id, index in index_of.items():
        item = by_id.get(key_id)
        if item is None:
            raise located.fail(index, "id", f"no item {key_id!r} in data/{_FILES[name]}")
        if not item.graded:
            raise located.fail(
                index, "id", f"{key_id!r} is a practice item in data/{_FILES[name]} (graded: true is missing there)"
            )
    merged = []
    for item in public:
        if not item.graded:
            merged.append(item)
            continue
        if item.id not in index_of:
            raise BankError(f"keys/{_FILES[name]}: no key for the graded item {item.id!r} of data/{_FILES[name]}")
        index = index_of[item.id]
        merged.append(_fill(name, item, located.entries[index], located, index))
    return tuple(merged)


def _fill(name: str, item: Any, entry: Mapping[str, Any], located: banks._Located, index: int) -> Any:
    if name == "scenarios":
        banks.check_scenario_key(located, index, entry, item.text)
        return dataclasses.replace(
            item,
            activities=tuple(entry["activities"]),
            cue_words=tuple(entry["cue_words"]),
            explanation=entry["explanation"].strip(),
        )
    if name == "questions":
        answer = LETTERS.index(entry["answer"])
        explanations = entry["explanations"]
        if len(explanations) != len(item.options):
            raise located.fail(
                index, "explanations", f"one explanation per option: {len(item.options)} options, "
                f"{len(explanations)} explanations"
            )
        options = tuple(
            dataclasses.replace(option, correct=(i == answer), explanation=explanations[i].strip())
            for i, option in enumerate(item.options)
        )
        return dataclasses.replace(item, options=options)
    banks.check_record_key(located, index, entry)
    return dataclasses.replace(
        item, kind=entry["kind"], activity=entry["activity"], explanation=entry["explanation"].strip()
    )


@lru_cache(maxsize=None)
def _load(name: str, folder: str) -> tuple[Any, ...]:
    public = {"scenarios": banks.load_scenarios, "questions": banks.load_questions, "records": banks.load_records}
    return _merge(name, public[name](), Path(folder))


def _folder(folder: str | Path | None) -> str:
    return str(Path(folder).resolve() if folder is not None else keys_dir().resolve())


def scenarios(folder: str | Path | None = None) -> tuple[Scenario, ...]:
    """Every scenario of the bank, graded ones with their keys filled in."""
    return _load("scenarios", _folder(folder))


def questions(folder: str | Path | None = None) -> tuple[Question, ...]:
    """Every question of the bank, graded ones with their answers and explanations filled in."""
    return _load("questions", _folder(folder))


def records(folder: str | Path | None = None) -> tuple[Record, ...]:
    """Every operational record, graded ones with their kind, activity and explanation filled in."""
    return _load("records", _folder(folder))


def _lookup(items: tuple[Any, ...], wanted: str, what: str) -> Any:
    for item in items:
        if item.id == wanted:
            return item
    raise KeyError(f"no {what} with id {wanted!r}")


def scenario(id: str) -> Scenario:
    """The scenario with this id, its key filled in."""
    return _lookup(scenarios(), id, "scenario")


def question(id: str) -> Question:
    """The question with this id, its answer filled in."""
    return _lookup(questions(), id, "question")


def record(id: str) -> Record:
    """The record with this id, its key filled in."""
    return _lookup(records(), id, "record")


def graded_texts(folder: str | Path | None = None) -> list[str]:
    """Every text of the keys that a student must never see (explanations), for leak checks."""
    out: list[str] = []
    for item in scenarios(folder):
        if item.graded:
            out.append(item.explanation)
    for item in questions(folder):
        if item.graded:
            out += [option.explanation for option in item.options]
    for item in records(folder):
        if item.graded:
            out.append(item.explanation)
    return out
