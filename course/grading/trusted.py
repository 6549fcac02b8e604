"""Grading decisions made outside the student's kernel.

The kernel only *reports* answers (tagged JSON, see :mod:`course.answers`).
Here, in the grader's own process, a test cell's full source (hidden tests
included) runs again with each reported name bound to the plain value the kernel
reported; the :mod:`course.checks` helpers record the credit. Nothing the
student wrote runs here: not their objects, not their patches of builtins or of
the course's helpers.
"""

from __future__ import annotations

import ast
import builtins
import re
import traceback
from dataclasses import dataclass, field
from typing import Any

from ..answers import MIME_TYPE, NOT_REPORTED, AnswerFormatError, parse_report
from ..checks import CheckFailed, TrustedContext, _TRUSTED

BEGIN_HIDDEN = "BEGIN HIDDEN TESTS"
END_HIDDEN = "END HIDDEN TESTS"


def strip_hidden_tests(source: str) -> str:
    """Return ``source`` without its hidden-test regions (what the kernel may run).

    >>> strip_hidden_tests("a\\n### BEGIN HIDDEN TESTS\\nb\\n### END HIDDEN TESTS\\nc")
    'a\\nc'
    """
    out, hidden = [], False
    for line in source.splitlines():
        if BEGIN_HIDDEN in line:
            hidden = True
            continue
        if END_HIDDEN in line:
            hidden = False
            continue
        if not hidden:
            out.append(line)
    return "\n".join(out)


@dataclass
class CellVerdict:
    """The trusted outcome of one test cell.

    ``shares`` gives each answer name of the cell the fraction it earned; the
    cell's ``fraction`` is their mean (each answer its equal share of the points).
    """

    fraction: float
    messages: list[str] = field(default_factory=list)
    problem: str = ""
    shares: dict[str, float] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return self.fraction >= 1.0


def collect_answers(outputs: list[dict[str, Any]]) -> tuple[dict[str, Any], list[str]]:
    """Read the answers a cell's outputs report; return ``(answers, problems)``.

    A name reported twice with different values is dropped (and named in the
    problems): the grader cannot know which one the student meant.
    """
    answers: dict[str, Any] = {}
    conflicting: set[str] = set()
    problems: list[str] = []
    for out in outputs:
        if out.get("output_type") not in ("display_data", "execute_result"):
            continue
        payload = (out.get("data") or {}).get(MIME_TYPE)
        if payload is None:
            continue
        try:
            name, value = parse_report(payload)
        except AnswerFormatError as exc:
            problems.append(f"an answer report could not be read ({exc})")
            continue
        if name in answers and repr(answers[name]) != repr(value):
            conflicting.add(name)
        answers.setdefault(name, value)
    for name in sorted(conflicting):
        answers.pop(name, None)
        problems.append(f"'{name}' was reported twice with different values")
    return answers, problems


_NAME_ERROR = re.compile(r"name '([^']+)' is not defined")
_HELPERS = {"number", "equal", "mapping", "activity_map", "choice_map", "choices", "report"}


def answer_names(source: str) -> list[str]:
    """The answer names a test cell checks, in source order: the names its check helpers are given.

    They are the string first argument of ``checks.number(...)``, ``checks.equal(...)``
    and the other helpers, and the ``name=`` of ``checks.expect(...)``.

    >>> answer_names('checks.number("a", a)\\nchecks.expect(b > 0, "m", name="b")\\nchecks.equal("a", a, 1.0)')
    ['a', 'b']
    """
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    found: list[tuple[int, int, str]] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        helper = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        name = None
        if helper in _HELPERS and node.args and isinstance(node.args[0], ast.Constant):
            name = node.args[0].value
        elif helper == "expect":
            name = next((k.value.value for k in node.keywords if k.arg == "name" and isinstance(k.value, ast.Constant)),
                        "check")
        if isinstance(name, str):
            found.append((node.lineno, node.col_offset, name))
    names: list[str] = []
    for _, _, name in sorted(found):
        if name not in names:
            names.append(name)
    return names


def run_test_cell(source: str, answers: dict[str, Any], *, cell_name: str = "test cell") -> CellVerdict:
    """Run a test cell's full source against reported ``answers``; return the credit.

    Each answer name the cell checks (:func:`answer_names`) earns the smallest
    fraction its checks recorded (0 when none of its checks ran); the cell earns
    the mean over its names, so a cell with two answers gives each half of its
    points. A check that fails does not stop the cell: later answers are still
    checked. An answer the kernel did not report is checked as
    :data:`course.answers.NOT_REPORTED` ("no answer was reported"); any other
    exception stops the cell, and the names whose checks had not run earn 0
    with the reason. A cell in which no check ran earns 0.
    """
    ctx = TrustedContext()
    names = answer_names(source)
    namespace: dict[str, Any] = {"__builtins__": builtins, "__name__": "__trusted_test__"}
    namespace.update({name: NOT_REPORTED for name in names})
    namespace.update(answers)
    token = _TRUSTED.set(ctx)
    problem = ""
    try:
        exec(compile(source, f"<{cell_name}>", "exec"), namespace)  # noqa: S102 - instructor's own test code
    except CheckFailed as exc:  # raised by instructor code, not by the helpers (they record)
        problem = str(exc)
    except NameError as exc:
        match = _NAME_ERROR.search(str(exc))
        name = match.group(1) if match else str(exc)
        problem = (
            f"no answer named '{name}' was reported: the answer cell did not define it, "
            "or the notebook stopped before this check ran"
        )
    except Exception as exc:  # a malformed answer may upset the instructor's code
        last = traceback.format_exception_only(type(exc), exc)[-1].strip()
        problem = f"the answer could not be checked ({last})"
    finally:
        _TRUSTED.reset(token)
    earned: dict[str, float] = {}
    said: dict[str, str] = {}
    for (name, fraction), text in zip(ctx.fractions, ctx.messages):
        # what the student is told: the first verdict at the lowest fraction, but a
        # real verdict rather than a form check's "graded later"
        if name not in earned or fraction < earned[name] or (
            fraction == earned[name] and said[name].startswith("[FORM OK]")
        ):
            earned[name] = fraction
            said[name] = text
    shares = {name: earned.get(name, 0.0) for name in names}
    shares.update({name: f for name, f in earned.items() if name not in shares})
    messages = [said[name] for name in shares if name in said]
    if not shares:
        return CellVerdict(0.0, messages, problem=problem or "no check ran in this test cell")
    fraction = sum(shares.values()) / len(shares)
    return CellVerdict(fraction, messages, problem=problem, shares=shares)
