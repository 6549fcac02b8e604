"""The content audit: every scenario, question, record and explanation follows the cue rules.

``data/cue_rules.yml`` writes down, as data, the rules the notebooks teach for mapping a story to
activities and classifying an operations record (go-live versus deploy to live, planning versus
doing, analysis versus restoring service, stakeholder review versus prioritising, build versus
design, release versus deployment, incident versus problem versus known error versus event,
continual versus continuous), and the claims the course must not make (a workaround makes a known
error; a configuration item failing is an incident; continuous deployment leaves design and
transition out). These tests apply every rule to the banks with their graded keys and to every
notebook's text, and fail on a conflict; the hand-written examples below show each kind of rule
failing on a key or a text that breaks it, so that a future edit that contradicts the rules is
caught.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from course import banks
from course.banks import BankError
from course.grading import audit
from course.grading.audit import AuditItem
from course.grading import keys

REPO = Path(__file__).resolve().parent.parent

D_T, O_B, D_S = "design and transition", "obtain/build", "deliver and support"


def _rules() -> dict[str, banks.CueRule]:
    return {rule.id: rule for rule in banks.load_cue_rules()}


def _bank_items() -> list[AuditItem]:
    return audit.audit_items(keys.scenarios(), keys.questions(), keys.records(), banks.load_glossary(),
                             banks.load_stories())


def _notebook_texts() -> list[AuditItem]:
    paths = sorted((REPO / "source").rglob("*.ipynb")) + [REPO / "index.ipynb"]
    items = []
    for path in paths:
        for index, cell in enumerate(json.loads(path.read_text(encoding="utf-8"))["cells"]):
            source = cell["source"] if isinstance(cell["source"], str) else "".join(cell["source"])
            items.append(AuditItem("explanations", f"{path.relative_to(REPO)} cell {index}", source))
    return items


def _conflicts(rule_id: str, item: AuditItem) -> list[str]:
    """What the rule says about one example item (the rule's same_situation list left out)."""
    rule = dataclasses.replace(_rules()[rule_id], same_situation=())
    return [c.problem for c in audit.audit([rule], [item])]


# --------------------------------------------------------------------------- the course follows its rules


def test_the_rules_cover_every_confusion_the_notebooks_teach() -> None:
    rules = banks.load_cue_rules()
    confusions = {rule.confusion for rule in rules}
    assert confusions == {
        "go-live versus deploy to live", "planning versus doing", "analysis versus restoring service",
        "stakeholder review versus prioritising", "build versus design", "release versus deployment",
        "incident versus event", "incident versus problem versus known error", "continual versus continuous",
        "continuous delivery versus continuous deployment",
    }
    assert len(rules) >= 30
    assert {bank for rule in rules for bank in rule.applies_to} == {"scenarios", "questions", "records", "explanations"}


def test_every_keyed_item_and_explanation_follows_the_cue_rules() -> None:
    items = _bank_items()
    scenarios = {i.id for i in items if i.bank == "scenarios" and "/" not in i.id}
    assert len(scenarios) == len(keys.scenarios()) >= 49
    assert len([i for i in items if i.bank == "records"]) == len(keys.records())
    assert {"q-map-01", "q-map-02", "q-map-05", "q-map-08", "q-ch14-quiz1"} <= {i.id for i in items if i.bank == "questions"}
    conflicts = audit.audit(audit.rules_with_keys(), items)  # graded items' same situations from keys/
    assert not conflicts, "content contradicts the cue rules:\n" + "\n".join(map(str, conflicts))


def test_the_public_cue_rules_name_no_graded_item() -> None:
    """Beside a rule that demands an activity, a graded id would give its key away: those live in keys/."""
    graded = {s.id for s in keys.scenarios() if s.graded} | {q.id for q in keys.questions() if q.graded}
    graded |= {r.id for r in keys.records() if r.graded}
    for rule in banks.load_cue_rules():
        assert not set(rule.same_situation) & graded, rule.id
    assert sum(len(ids) for ids in audit.situations().values()) >= 20


def test_every_keyed_item_is_checked_by_some_rule() -> None:
    """Each scenario, story step, activity question and record is covered by at least one rule, so its key is
    audited; the exceptions are questions that quote an activity's purpose rather than tell a story."""
    rules = banks.load_cue_rules()
    uncovered = {item.id for item in _bank_items() if item.bank != "explanations"
                 and not any(item.bank in r.applies_to and r.fires(item.text) for r in rules)}
    assert uncovered == {"q-map-03", "q-map-07"}  # "Which activity ensures service components are available ..."
    graded = {s.id for s in keys.scenarios() if s.graded} | {r.id for r in keys.records() if r.graded}
    assert len(graded) == 20 and not graded & uncovered


def test_no_notebook_teaches_a_claim_the_rules_forbid() -> None:
    claims = [rule for rule in banks.load_cue_rules() if "explanations" in rule.applies_to]
    conflicts = audit.audit(claims, _notebook_texts())
    assert not conflicts, "\n".join(map(str, conflicts))


def test_every_rule_is_used_by_the_course_or_guards_a_fixed_mistake() -> None:
    """A rule that fires on nothing is kept only as a guard against a mistake the audit fixed."""
    items = _bank_items() + _notebook_texts()
    guards = {  # each fired on the banks before the audit fixed them (see the examples below)
        "behind-a-flag-is-not-released", "workaround-does-not-make-a-known-error",
        "incident-definition-is-itil-4", "detection-does-not-decide-incident", "continuous-deployment-keeps-transition",
    }
    idle = {rule.id for rule in banks.load_cue_rules()
            if not any(item.bank in rule.applies_to and rule.fires(item.text) for item in items)}
    assert idle == guards


# --------------------------------------------------------------------------- the rules can fail

MAPPING_EXAMPLES = [
    # (rule, text, key, explanation, broken)
    ("go-live-is-transition", "Staff are trained, the service goes live ward by ward and early life support follows.",
     (D_S,), "", True),
    ("go-live-is-transition", "Staff are trained, the service goes live ward by ward and early life support follows.",
     (D_T,), "", False),
    # mfg-04 as it was keyed before the audit: a future deployment keyed as operation
    ("planned-deployment-is-not-operation", "Version 7 is made available as a release. It will be deployed to live at "
     "each plant over three weekends, with training before each go-live.", (D_T, D_S), "", True),
    ("planned-deployment-is-not-operation", "The release manager plans its deployment to live for Tuesday night.",
     (D_T,), "", False),
    ("deployed-to-live-is-operation", "Every change that passes the tests is deployed to production automatically.",
     (O_B, D_T), "", True),
    ("deployed-to-live-is-operation", "On Tuesday night the on-call team deploys version 4.2 to the live servers.",
     (D_S,), "", False),
    # uni-03's explanation before the audit
    ("continuous-deployment-spans-three", "Every change that passes the automated tests is deployed to production "
     "automatically.", (O_B, D_S), "Design and transition is tempting, but there is no manual release step; that "
     "missing decision is what distinguishes continuous deployment.", True),
    ("continuous-deployment-spans-three", "Every change that passes the automated tests is deployed to production "
     "automatically.", (O_B, D_S), "It tightens the loop between obtain/build, design and transition and deliver and "
     "support.", False),
    ("continuous-delivery-is-build-and-release", "Every change is kept ready to deploy; the business decides when to "
     "release it, on demand.", (O_B, D_S), "", True),
    ("restoring-service-is-operation", "The on-call engineer rolls back the model and the answers are correct again.",
     ("improve",), "", True),
    ("running-the-live-service-is-operation", "Patients book online and the service desk helps those who get stuck.",
     ("engage",), "", True),
    ("handling-events-is-operation", "Monitoring raises an event when CPU passes 90 percent; a script restarts the radio.",
     ("improve",), "", True),
    ("handling-events-is-operation", "Monitoring raises an event when CPU passes 90 percent; a script restarts the radio.",
     (D_S,), "", False),
    ("restoring-is-not-improving", "The service desk restores service using a known error record.",
     (D_S, "improve"), "", True),
    ("restoring-is-not-improving", "The team restores service, then analyzes why it failed.", (D_S, "improve"), "", False),
    ("analysis-is-improvement", "After the crash the team analyzes logs and traces.", (D_S,), "", True),
    ("looking-back-is-improve-alone", "After an outage the team compares the month's SLO results with targets.",
     ("improve", D_S), "", True),
    ("live-monitoring-feeds-improvement", "Monitoring shows accuracy drifting down; the team starts an improvement "
     "initiative.", ("improve",), "", True),
    ("live-monitoring-feeds-improvement", "Monitoring shows accuracy drifting down; the team starts an improvement "
     "initiative.", ("improve", D_S), "", False),
    ("known-error-records-serve-operation", "Problem management analyzes the incidents and records a known error "
     "record with a workaround.", ("improve",), "", True),
    ("stakeholder-conversation-is-engage", "The team meets the student union to hear what students need.", ("plan",),
     "", True),
    ("conversation-without-priorities-is-not-plan", "The team meets the student union to hear what students need.",
     ("engage", "plan"), "", True),
    ("conversation-without-priorities-is-not-plan", "The team meets students and agrees priorities for next year.",
     ("engage", "plan"), "", False),
    ("setting-direction-is-plan", "The board decides which services get funding next year.", ("engage",), "", True),
    ("improvement-items-are-not-plan", "Each month the team picks one item from its continual improvement register.",
     ("plan",), "", True),
    ("acquiring-or-building-is-obtain-build", "The agency buys laptops from a supplier.", (D_T,), "", True),
    ("components-without-design-are-not-transition", "Developers merge code; every commit runs unit tests.",
     (O_B, D_T), "", True),
    ("components-without-design-are-not-transition", "Every commit runs tests, and only then can a release be created.",
     (O_B, D_T), "", False),
    ("designing-is-transition", "Architects design the new service and its acceptance criteria.", (O_B,), "", True),
    ("release-made-available-is-transition", "Version 3 is approved and made available as a release.", (D_S,), "", True),
    ("continual-improvement-is-improve", "The team says it does continual improvement because its CI server runs "
     "tests on every commit.", (O_B,), "", True),
]


@pytest.mark.parametrize("rule_id, text, key, explanation, broken", MAPPING_EXAMPLES)
def test_mapping_rules_fail_on_a_key_that_breaks_them(rule_id: str, text: str, key: tuple[str, ...],
                                                      explanation: str, broken: bool) -> None:
    item = AuditItem("scenarios", "example", text, explanation, activities=key)
    if broken:
        assert _rules()[rule_id].fires(text), "the example does not exercise the rule"
    assert bool(_conflicts(rule_id, item)) is broken


def test_a_one_answer_question_must_pick_a_required_activity() -> None:
    text = "Architects design a new service and its rollout, and plan how it will move into live use."
    wrong = AuditItem("questions", "q", text, activities=(O_B,), single=True)
    right = AuditItem("questions", "q", text, activities=(D_T,), single=True)
    assert _conflicts("designing-is-transition", wrong) == ["the answer must be one of 'design and transition'"]
    assert _conflicts("designing-is-transition", right) == []
    # a one-answer question naming the primary of a two-activity situation is fine
    scenario_d = "An SRE team sees the error budget is spent, slows releases and schedules an improvement sprint."
    primary = AuditItem("questions", "q", scenario_d, activities=("improve",), single=True)
    assert _conflicts("live-monitoring-feeds-improvement", primary) == []


RECORD_EXAMPLES = [
    # (rule, text, kind, activity, explanation, broken)
    # r09 as it was keyed before the audit: clients lost service for up to 40 s
    ("interruption-is-an-incident", "Access point AP-LIB-14 rebooted after firmware watchdog. Clients reconnected "
     "within 40 s.", "event", "deliver and support", "", True),
    ("interruption-is-an-incident", "INC-4821 P1: checkout returns error 500 for all customers.", "incident",
     "deliver and support", "", False),
    ("no-impact-is-an-event", "09:14 monitoring: disk /var at 75%. No user impact.", "incident", "deliver and support",
     "", True),
    ("finding-a-cause-is-a-problem", "PRB-112: find the root cause of repeated login timeouts.", "known error",
     "improve", "", True),
    ("analysed-unresolved-is-a-known-error", "KE-031: login timeout caused by connection pool limit. Fix pending.",
     "known error", "deliver and support", "An analyzed, unresolved problem with a documented workaround is a known "
     "error.", True),
    ("analysed-unresolved-is-a-known-error", "KE-031: login timeout caused by connection pool limit. Fix pending.",
     "known error", "deliver and support", "Analysed but not resolved: a known error.", False),
    ("flaw-found-while-building-is-an-error", "Code review: the discount function divides by zero.", "error", "improve",
     "", True),
    ("flaw-found-by-problem-analysis-is-an-error-in-improve", "Trace analysis: memory leak. Root cause of PRB-120.",
     "error", "obtain/build", "", True),
    ("made-available-is-a-release", "Release 3.4.0 made available in the app stores.", "change", "design and transition",
     "", True),
    # r22 as it was keyed before the audit: behind a flag is deployed, not released
    ("behind-a-flag-is-not-released", "Release 1.8 of the fraud model made available to the scoring service behind a "
     "feature flag.", "release", "design and transition", "", True),
    ("behind-a-flag-is-not-released", "Fraud model 1.8, deployed behind a feature flag, made available to all clients "
     "by switching the flag on.", "release", "design and transition", "", False),
    ("test-runs-are-tests", "Regression suite for build 812: 3 failed.", "error", "obtain/build", "", True),
    ("a-change-record-is-a-change", "CHG-2207 (normal): add a second database replica.", "release", None, "", True),
    ("component-tests-are-obtain-build", "Unit tests on commit a41f9c: 312 run, 0 failed.", "test",
     "design and transition", "", True),
    ("service-tests-are-transition", "Load test: booking API holds 2,000 requests per second.", "test", "obtain/build",
     "", True),
]


@pytest.mark.parametrize("rule_id, text, kind, activity, explanation, broken", RECORD_EXAMPLES)
def test_record_rules_fail_on_a_key_that_breaks_them(rule_id: str, text: str, kind: str, activity: str,
                                                     explanation: str, broken: bool) -> None:
    item = AuditItem("records", "r99", text, explanation, kind=kind, activity=activity)
    if broken:
        assert _rules()[rule_id].fires(text), "the example does not exercise the rule"
    assert bool(_conflicts(rule_id, item)) is broken


CLAIM_EXAMPLES = [
    # (rule, text, broken): the first of each pair is a text the audit found and fixed
    ("workaround-does-not-make-a-known-error",
     "A documented workaround turns an analyzed problem into a known error.", True),
    ("workaround-does-not-make-a-known-error",
     "The analysis, not the workaround, is what makes a problem a known error.", False),
    ("workaround-does-not-make-a-known-error", "True; that is part of the definition.", True),
    ("workaround-does-not-make-a-known-error", "so they document a workaround (restart the pool at 07:45). The problem "
     "is now a **known error**.", True),
    ("incident-definition-is-itil-4", "it is an incident only if a service is interrupted or degraded (or a "
     "configuration item fails).", True),
    ("incident-definition-is-itil-4", "One of two mirrored disks failing is already an incident.", True),
    ("incident-definition-is-itil-4", "It signals an incident only when a service is interrupted or degraded.", False),
    ("detection-does-not-decide-incident", "Incident is tempting, but no one reported a service loss.", True),
    ("continuous-deployment-keeps-transition", "Design and transition does not apply to continuous deployment.", True),
    ("continuous-deployment-keeps-transition", "Continuous deployment tightens the loop with design and transition.",
     False),
]


@pytest.mark.parametrize("rule_id, text, broken", CLAIM_EXAMPLES)
def test_claim_rules_catch_what_the_course_must_not_say(rule_id: str, text: str, broken: bool) -> None:
    assert bool(_conflicts(rule_id, AuditItem("explanations", "example", text))) is broken


def test_items_of_the_same_situation_must_share_a_key(tmp_path: Path) -> None:
    rules = tmp_path / "cue_rules.yml"
    rules.write_text(
        "- id: example\n"
        "  confusion: go-live versus deploy to live\n"
        "  teaches: Go-live is design and transition.\n"
        "  taught_in: [a test]\n"
        "  applies_to: [scenarios]\n"
        "  when: [['go-live']]\n"
        "  require: [design and transition]\n"
        "  same_situation: [s1, s2, s3, s4]\n",
        encoding="utf-8",
    )
    items = [
        AuditItem("scenarios", "s1", "The go-live is planned.", activities=(D_T,)),
        AuditItem("scenarios", "s2", "The go-live is planned.", activities=(D_T, D_S)),
        AuditItem("scenarios", "s3", "Nothing moves.", activities=(D_T,)),
    ]
    problems = [str(c) for c in audit.audit(banks.load_cue_rules(rules), items)]
    assert any("s1, s2, s3: the same situation has different keys" in p for p in problems)
    assert "s3: named in same_situation but the rule does not fire on it (rule example)" in problems
    assert "s4: named in same_situation but not in the banks (rule example)" in problems


# --------------------------------------------------------------------------- the loader names bad rules

GOOD_RULE = (
    "- id: r\n  confusion: build versus design\n  teaches: t\n  taught_in: [x]\n  applies_to: [scenarios]\n"
    "  when: [['build']]\n  require: [obtain/build]\n"
)


@pytest.mark.parametrize("change, message", [
    (("['build']", "['(build']"), r"entry 0 \(id 'r', line 1\): when\[0\]\[0\]: not a valid regular expression"),
    (("require: [obtain/build]", "require: [obtain / built]"), r"require\[0\]: 'obtain / built' is not a canonical"),
    (("require: [obtain/build]", "require: [obtain/build]\n  kind: incident"), r"kind: does not apply to scenarios"),
    (("require: [obtain/build]", "require: [plan]\n  forbid: [plan]"), r"forbid: 'plan' is both required and forbidden"),
    (("require: [obtain/build]", "taught_in: [y]"), r"applies_to: a rule on scenarios must demand something"),
    (("confusion: build versus design", "confusion: tea versus coffee"), r"confusion"),
])
def test_a_bad_rule_is_refused_naming_its_entry_and_field(tmp_path: Path, change: tuple[str, str],
                                                          message: str) -> None:
    path = tmp_path / "cue_rules.yml"
    path.write_text(GOOD_RULE.replace(*change, 1), encoding="utf-8")
    with pytest.raises(BankError, match=message):
        banks.load_cue_rules(path)


def test_the_good_rule_used_above_loads(tmp_path: Path) -> None:
    path = tmp_path / "cue_rules.yml"
    path.write_text(GOOD_RULE, encoding="utf-8")
    (rule,) = banks.load_cue_rules(path)
    assert rule.fires("Engineers build it") and not rule.fires("Engineers design it")


@pytest.mark.parametrize("text, named", [
    ("design and transition and obtain/build", ("design and transition", "obtain/build")),
    ("plan and engage", ("plan", "engage")),
    ("deliver and support", ("deliver and support",)),
    ("plan only", None),
    ("Net Promoter Score", None),
])
def test_activity_options_are_recognised(text: str, named: tuple[str, ...] | None) -> None:
    assert audit.activities_named(text) == named
