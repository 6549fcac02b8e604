"""Grading decisions made outside the student's kernel.

The kernel only *reports* answers (tagged JSON, see :mod:`course.answers`).
Here, in the grader's own process, a test cell's full source (hidden tests
included) runs again with each reported name bound to the plain value the kernel
reported; the :mod:`course.checks` helpers record the credit. Nothing the
student wrote runs here: not their objects, not their patches of builtins or of
the course's helpers.
"""

from __future__ import annotations

import builtins
import re
import traceback
from dataclasses import dataclass, field
from typing import Any

from ..answers import MIME_TYPE, AnswerFormatError, parse_report
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
    """The trusted outcome of one test cell."""

    fraction: float
    messages: list[str] = field(default_factory=list)
    problem: str = ""

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


def run_test_cell(source: str, answers: dict[str, Any], *, cell_name: str = "test cell") -> CellVerdict:
    """Run a test cell's full source against reported ``answers``; return the credit.

    The credit is the smallest fraction recorded by the checks that ran (1.0 when
    all passed); a failing check or any other exception gives 0 with its message.
    A cell in which no check ran gives 0.
    """
    ctx = TrustedContext()
    namespace: dict[str, Any] = {"__builtins__": builtins, "__name__": "__trusted_test__"}
    namespace.update(answers)
    token = _TRUSTED.set(ctx)
    try:
        exec(compile(source, f"<{cell_name}>", "exec"), namespace)  # noqa: S102 - instructor's own test code
    except CheckFailed as exc:
        return CellVerdict(0.0, ctx.messages or [str(exc)])
    except NameError as exc:
        match = _NAME_ERROR.search(str(exc))
        name = match.group(1) if match else str(exc)
        return CellVerdict(
            0.0,
            ctx.messages,
            problem=(
                f"no answer named '{name}' was reported: the answer cell did not define it, "
                "or the notebook stopped before this check ran"
            ),
        )
    except Exception as exc:  # a malformed answer may upset the instructor's code
        last = traceback.format_exception_only(type(exc), exc)[-1].strip()
        return CellVerdict(0.0, ctx.messages, problem=f"the answer could not be checked ({last})")
    finally:
        _TRUSTED.reset(token)
    if not ctx.fractions:
        return CellVerdict(0.0, ctx.messages, problem="no check ran in this test cell")
    return CellVerdict(min(ctx.fractions), ctx.messages)
