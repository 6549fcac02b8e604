"""The content audit: every keyed item and every explanation follows the cue rules the notebooks teach.

The cue rules (``data/cue_rules.yml``, loaded by :func:`course.banks.load_cue_rules`)
are public: they are what the notebooks teach. Applying them needs the keys of
the graded items, so the audit is the grader's: it takes the banks merged with
their keys (:mod:`course.grading.keys`), and the graded items that describe the
same situation as a rule's practice items are named in the instructor-only
``keys/situations.yml``, never in ``data/`` (beside a rule that demands an
activity, a graded id would give its key away). ``tests/test_content_audit.py``
runs it on the whole course.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..activities import ACTIVITIES
from ..banks import BankError, CueRule, Question, Record, Scenario, Story, Term, load_cue_rules


@dataclass(frozen=True)
class AuditItem:
    """One item of a bank as the audit sees it: its text, its key and its explanation.

    ``bank`` is ``scenarios``, ``questions``, ``records`` or ``explanations``;
    ``activities`` is the mapping key of a scenario or an activity question
    (None when the item has none), ``single`` marks a question with one right
    activity, ``kind``/``activity`` a record's key.
    """

    bank: str
    id: str
    text: str
    explanation: str = ""
    activities: tuple[str, ...] | None = None
    single: bool = False
    kind: str | None = None
    activity: str | None = None


@dataclass(frozen=True)
class Conflict:
    """A rule an item breaks."""

    rule: str
    item: str
    problem: str

    def __str__(self) -> str:
        return f"{self.item}: {self.problem} (rule {self.rule})"


def activities_named(text: str) -> tuple[str, ...] | None:
    """The activities an option's text names, if the text names activities and nothing else.

    >>> activities_named("design and transition and obtain/build")
    ('design and transition', 'obtain/build')
    >>> activities_named("plan only") is None
    True
    """
    rest, found = text.casefold(), []
    for name in sorted(ACTIVITIES, key=len, reverse=True):
        while name in rest:
            found.append((text.casefold().find(name), name))
            rest = rest.replace(name, " ", 1)
    if not found or re.sub(r"\band\b|[,\s]", "", rest):
        return None
    return tuple(name for _, name in sorted(found))


def audit(rules: Sequence[CueRule], items: Sequence[AuditItem]) -> list[Conflict]:
    """Apply every rule to every item it applies to; return the conflicts found.

    Keyed items (scenarios, questions, records) must carry their keys: pass the
    banks merged with their graded keys (:mod:`course.grading.keys`).
    """
    conflicts: list[Conflict] = []
    by_id = {(item.bank, item.id): item for item in items}
    for rule in rules:
        for item in items:
            if item.bank not in rule.applies_to:
                continue
            if item.bank == "explanations":
                if rule.fires(item.text):
                    conflicts.append(Conflict(rule.id, item.id, f"says what the course must not teach: {rule.teaches}"))
                continue
            if not rule.fires(item.text):
                continue
            problems: list[str] = []
            if item.bank == "records":
                problems += rule.record_conflicts(item.kind, item.activity)
            elif item.activities is not None:
                problems += rule.activity_conflicts(item.activities, single=item.single)
            problems += rule.explanation_conflicts(item.explanation)
            conflicts += [Conflict(rule.id, item.id, problem) for problem in problems]
        conflicts += _situation_conflicts(rule, by_id)
    return conflicts


def audit_items(
    scenarios: Sequence[Scenario] = (),
    questions: Sequence[Question] = (),
    records: Sequence[Record] = (),
    glossary: Sequence[Term] = (),
    stories: Sequence[Story] = (),
) -> list[AuditItem]:
    """The items of the banks as :func:`audit` sees them (pass banks with their keys).

    A question takes part as a mapping item when its options name activities and
    nothing else; its explanations, like every explanation, definition and
    confusion text of the banks, also take part as ``explanations`` items.
    """
    items: list[AuditItem] = []

    def texts(owner: str, *parts: str) -> None:
        items.extend(AuditItem("explanations", f"{owner} ({n})" if len(parts) > 1 else owner, part)
                     for n, part in enumerate(parts, start=1) if part)

    for s in scenarios:
        items.append(AuditItem("scenarios", s.id, s.text, s.explanation, activities=s.activities))
        texts(f"{s.id} explanation", s.explanation)
    for q in questions:
        named = [activities_named(o.text) for o in q.options]
        if q.has_key and all(n is not None for n in named):
            key = named[q.answer_index] or ()
            items.append(AuditItem("questions", q.id, " ".join((q.stem, *q.statements)),
                                   q.correct_option.explanation, activities=key, single=len(key) == 1))
        texts(f"{q.id} explanations", *(o.explanation for o in q.options))
    for r in records:
        items.append(AuditItem("records", r.id, r.text, r.explanation, kind=r.kind, activity=r.activity))
        texts(f"{r.id} explanation", r.explanation)
    for t in glossary:
        texts(f"glossary {t.term!r}", t.definition, t.confused_with.difference if t.confused_with else "")
    for story in stories:
        for step in story.steps:
            items.append(AuditItem("scenarios", f"{story.id}/{step.id}", step.text, step.explanation,
                                   activities=(step.activity,), single=True))
            texts(f"story {story.id}/{step.id} explanation", step.explanation)
    return items


def _situation_conflicts(rule: CueRule, by_id: Mapping[tuple[str, str], AuditItem]) -> list[Conflict]:
    """Items named as the same situation: the rule fires on each, and they share one key."""
    conflicts: list[Conflict] = []
    keys: dict[str, Any] = {}
    for item_id in rule.same_situation:
        item = next((by_id[(bank, item_id)] for bank in rule.applies_to if (bank, item_id) in by_id), None)
        if item is None:
            conflicts.append(Conflict(rule.id, item_id, "named in same_situation but not in the banks"))
            continue
        if not rule.fires(item.text):
            conflicts.append(Conflict(rule.id, item_id, "named in same_situation but the rule does not fire on it"))
        if item.bank == "records":
            keys[item_id] = item.kind
        elif item.activities is not None and not item.single:  # a one-answer question is checked by the rule itself
            keys[item_id] = frozenset(item.activities)
    if len(set(keys.values())) > 1:
        shown = "; ".join(f"{i}: {sorted(k) if isinstance(k, frozenset) else k}" for i, k in keys.items())
        conflicts.append(Conflict(rule.id, ", ".join(keys), f"the same situation has different keys: {shown}"))
    return conflicts


def situations(folder: str | Path | None = None) -> dict[str, tuple[str, ...]]:
    """The graded items of ``keys/situations.yml``, by rule id."""
    import yaml

    from .keys import keys_dir

    path = Path(folder or keys_dir()) / "situations.yml"
    try:
        entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    except (OSError, yaml.YAMLError) as exc:
        raise BankError(f"keys/situations.yml: cannot be read: {exc}") from exc
    out: dict[str, tuple[str, ...]] = {}
    for index, entry in enumerate(entries):
        if not (isinstance(entry, dict) and isinstance(entry.get("rule"), str)
                and isinstance(entry.get("same_situation"), list)):
            raise BankError(f"keys/situations.yml: entry {index}: needs a rule id and a same_situation list")
        out[entry["rule"]] = tuple(map(str, entry["same_situation"]))
    return out


def rules_with_keys(folder: str | Path | None = None) -> tuple[CueRule, ...]:
    """The cue rules, each rule's same_situation list completed with the graded items of the keys."""
    rules = load_cue_rules()
    known = {rule.id for rule in rules}
    extra = situations(folder)
    unknown = sorted(set(extra) - known)
    if unknown:
        raise BankError(f"keys/situations.yml: no rule {unknown[0]!r} in data/cue_rules.yml")
    return tuple(dataclasses.replace(rule, same_situation=rule.same_situation + extra.get(rule.id, ()))
                 for rule in rules)
