"""What each test cell expects, read from the cell's own checks.

The class report needs the truth behind every answer: the activities of each
graded scenario, the letter of each quiz question, the kind of each record, the
expected value of each metric. The one place that always holds it is the test
cell itself: its hidden part calls :func:`course.checks.mapping`,
:func:`~course.checks.choices`, :func:`~course.checks.number` or
:func:`~course.checks.equal` with the key, wherever the key comes from (the
instructor-only ``keys/`` folder through ``course.grading.keys``, a bank, the
data through ``course.metrics``, or a literal in the cell).

:func:`expectations` runs a test cell's full source, as the trusted grader does
(in this process, with each answer name bound to a plain value a student
reported), but with ``from course import checks`` answered by a recorder that
keeps the key each check receives and never judges. Nothing a student wrote
runs here: only the instructor's cell, with decoded builtin values.

>>> src = 'from course import checks\\nchecks.number("x", x, expected=2.0, rel=1e-6)'
>>> expectations(src, [{"x": None}])["x"].expected
2.0
"""

from __future__ import annotations

import builtins
import contextlib
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Expectation", "expectations", "checked_names"]


@dataclass
class Expectation:
    """The truth a test cell holds for one answer name.

    ``kind`` is the check that received it: ``number`` (``expected``, ``rel``,
    ``abs_tol``), ``mapping`` (``expected`` is ``{id: (activity, ...)}``),
    ``choices`` (``expected`` is ``{id: letter or category}``), ``equal``
    (``expected`` is the exact value) or ``shape`` (only the format is checked
    in the cell; no truth known).
    """

    name: str
    kind: str
    expected: Any = None
    rel: float = 1e-6
    abs_tol: float = 1e-9
    kinds: tuple[str, ...] = ("float",)
    hints: list[str] = field(default_factory=list)


class _Recorder:
    """Stands in for :mod:`course.checks`: records what each check is given, never judges."""

    def __init__(self) -> None:
        from ..activities import ACTIVITIES

        self.found: dict[str, Expectation] = {}
        self.names: list[str] = []
        self._activities = ACTIVITIES

    def _seen(self, name: Any, hint: str = "") -> Expectation | None:
        if not isinstance(name, str):
            return None
        if name not in self.names:
            self.names.append(name)
        exp = self.found.setdefault(name, Expectation(name, "shape"))
        if hint and hint not in exp.hints:
            exp.hints.append(hint)
        return exp

    def _set(self, name: Any, kind: str, expected: Any, hint: str = "", **tol: float) -> None:
        exp = self._seen(name, hint)
        if exp is None:
            return
        # the last check of a name wins: the hidden part comes after the visible one
        exp.kind, exp.expected = kind, expected
        for key, value in tol.items():
            setattr(exp, key, float(value))

    # the helpers of course.checks, same signatures
    def report(self, name: str, value: Any = None) -> None:
        self._seen(name)

    def number(self, name: str, value: Any = None, *, expected: float | None = None, rel: float = 1e-6,
               abs_tol: float = 1e-9, kinds: tuple[type, ...] = (float,), hint: str = "", **_: Any) -> None:
        if expected is None:
            self._seen(name, hint)
        else:
            self._set(name, "number", float(expected), hint, rel=rel, abs_tol=abs_tol)
            self.found[name].kinds = tuple(k.__name__ for k in kinds)

    def equal(self, name: str, value: Any = None, expected: Any = None, *, hint: str = "") -> None:
        self._set(name, "equal", expected, hint)

    def mapping(self, name: str, value: Any = None, key: Mapping[str, Iterable[str]] | None = None, *,
                partial: bool = True, hint: str = "") -> None:
        from ..activities import normalise_activity

        truth = {str(k): tuple(sorted({normalise_activity(a) for a in ([v] if isinstance(v, str) else v)}))
                 for k, v in (key or {}).items()}
        self._set(name, "mapping", truth, hint)

    def choices(self, name: str, value: Any = None, key: Mapping[str, str] | None = None, *, hint: str = "") -> None:
        self._set(name, "choices", {str(k): str(v) for k, v in (key or {}).items()}, hint)

    def activity_map(self, name: str, value: Any = None, ids: Any = None, *, hint: str = "") -> None:
        self._seen(name, hint)

    def choice_map(self, name: str, value: Any = None, ids: Any = None, *, letters: str = "ABCD", hint: str = "") -> None:
        self._seen(name, hint)

    def expect(self, condition: Any = None, message: str = "", *, name: str = "check", hint: str = "") -> None:
        self._seen(name, hint)

    def activities(self) -> tuple[str, ...]:
        return self._activities


class _CourseProxy:
    """The ``course`` package with its ``checks`` attribute replaced by the recorder."""

    def __init__(self, module: Any, recorder: _Recorder) -> None:
        self._module, self._recorder = module, recorder

    def __getattr__(self, attr: str) -> Any:
        return self._recorder if attr == "checks" else getattr(self._module, attr)


def _run(source: str, answers: Mapping[str, Any], recorder: _Recorder) -> None:
    real_import = builtins.__import__

    def importer(name: str, globals: Any = None, locals: Any = None, fromlist: Any = (), level: int = 0) -> Any:
        module = real_import(name, globals, locals, fromlist, level)
        if level == 0 and name == "course" and fromlist and "checks" in fromlist:
            return _CourseProxy(module, recorder)
        if level == 0 and name == "course.checks" and fromlist:
            return recorder
        return module

    own_builtins = dict(vars(builtins))
    own_builtins["__import__"] = importer
    namespace: dict[str, Any] = {"__builtins__": own_builtins, "__name__": "__expectations__"}
    namespace.update(answers)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(source, "<test cell>", "exec"), namespace)  # noqa: S102 - the instructor's own test cell
    except Exception:  # a student's value may upset a hint's expression; what was recorded before stays
        pass


def _names_in(source: str) -> list[str]:
    """Answer names given as the first argument (or ``name=``) of ``checks.<helper>(...)`` calls."""
    import ast

    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    found: list[str] = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "checks"):
            continue
        candidates = [node.args[0]] if node.args and node.func.attr != "expect" else []
        candidates += [k.value for k in node.keywords if k.arg == "name"]
        for arg in candidates:
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and arg.value.isidentifier():
                if arg.value not in found:
                    found.append(arg.value)
    return found


def expectations(source: str, samples: Iterable[Mapping[str, Any]]) -> dict[str, Expectation]:
    """The truth a test cell holds for each answer name it checks, in the order the cell names them.

    The cell runs once per sample of reported answers (students' answers; names a
    sample lacks are bound to None) until every name it checks has a truth, so a
    hint that reads a student's value (and fails on None) does not hide the key.
    At most 20 samples are tried.
    """
    recorder = _Recorder()
    names = _names_in(source)
    for sample in [*list(samples)[:20], {}]:
        bound: dict[str, Any] = {n: None for n in names}
        bound.update({k: v for k, v in sample.items() if k in names})
        _run(source, bound, recorder)
        if all(n in recorder.found and recorder.found[n].kind != "shape" for n in names):
            break
    order = names + [n for n in recorder.names if n not in names]
    return {n: recorder.found.get(n, Expectation(n, "shape")) for n in order}


def checked_names(source: str) -> list[str]:
    """The answer names a test cell checks, in the order its checks name them.

    >>> checked_names('from course import checks\\nchecks.number("a", a)\\nchecks.expect(a > 0, "m", name="a")')
    ['a']
    """
    return _names_in(source)
