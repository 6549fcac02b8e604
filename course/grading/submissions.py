"""Which submitted file is graded as which notebook of an assignment.

Submissions that pass through a learning management system arrive renamed:
``Copy of 05-mapping-scenarios.ipynb``, ``05-mapping-scenarios (1).ipynb``.
nbgrader grades only files named exactly like the assignment's notebooks and
skips the others, so a renamed notebook used to score nothing. The rules here
(pure, no files touched):

1. a file named like an expected notebook is graded as that notebook;
2. a file whose name, once the usual LMS and browser decorations are removed
   ("Copy of", " (1)", "-copy", "_v2", case), names exactly one missing notebook
   is graded as that notebook, with a note;
3. when exactly one notebook is still missing and exactly one unknown file is
   left, that file is graded as the missing notebook, with a note;
4. any other missing notebook, when unknown files were submitted, is graded as
   unanswered, with a note saying what was submitted and what was expected,
   and is flagged for the instructor's attention (so it is not exported as a
   final 0); unknown files left over are named in the log and in the notes.

``submitted/`` is never changed: the grader reads the renamed file in place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_DECORATIONS = [
    re.compile(r"^copy of\s+", re.IGNORECASE),
    re.compile(r"\s*\(\d+\)$"),
    re.compile(r"[\s_-]+(copy|kopie|copie)(\s*\d+)?$", re.IGNORECASE),
    re.compile(r"[\s_-]+v\d+$", re.IGNORECASE),
    re.compile(r"[\s_-]+\d+$"),
]


def bare_name(file_name: str) -> str:
    """A notebook's name without ``.ipynb`` and the decorations an LMS or a browser adds.

    >>> bare_name("Copy of 05-mapping-scenarios (1).ipynb")
    '05-mapping-scenarios'
    >>> bare_name("05-Mapping-Scenarios_copy.ipynb")
    '05-mapping-scenarios'
    """
    stem = file_name[:-6] if file_name.lower().endswith(".ipynb") else file_name
    stem = stem.strip()
    changed = True
    while changed:
        changed = False
        for pattern in _DECORATIONS:
            new = pattern.sub("", stem).strip()
            if new != stem and new:
                stem, changed = new, True
    return stem.casefold()


@dataclass
class Plan:
    """How a submission's files are graded.

    ``graded_as`` maps each expected notebook name to the submitted file name it
    is graded from, or to None (graded as unanswered); expected notebooks that
    were submitted under their own name are not listed. ``notes`` are for the
    student's feedback (keyed by expected notebook name), ``log`` for the
    instructor, ``attention`` names the notebooks the instructor must look at.
    """

    graded_as: dict[str, str | None] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    log: list[str] = field(default_factory=list)
    attention: set[str] = field(default_factory=set)


def plan(expected: list[str], submitted: list[str]) -> Plan:
    """Decide which submitted file is graded as which expected notebook (file names, ``.ipynb`` included).

    >>> plan(["05-mapping.ipynb"], ["Copy of 05-mapping.ipynb"]).graded_as
    {'05-mapping.ipynb': 'Copy of 05-mapping.ipynb'}
    >>> p = plan(["a.ipynb", "b.ipynb"], ["x.ipynb", "y.ipynb"])
    >>> p.graded_as, sorted(p.attention)
    ({'a.ipynb': None, 'b.ipynb': None}, ['a.ipynb', 'b.ipynb'])
    """
    result = Plan()
    unknown = [name for name in submitted if name not in expected]
    missing = [name for name in expected if name not in submitted]
    if not unknown:
        return result  # nbgrader's own rules: a missing notebook scores 0
    for name in list(missing):
        matches = [u for u in unknown if bare_name(u) == bare_name(name)]
        if len(matches) == 1:
            _take(result, name, matches[0], unknown, missing)
    if len(missing) == 1 and len(unknown) == 1:
        _take(result, missing[0], unknown[0], unknown, missing)
    for name in missing:
        result.graded_as[name] = None
        result.attention.add(name)
        result.notes[name] = (
            f"no file named {name} was submitted; the files submitted were "
            f"{', '.join(sorted(submitted))}, and none of them could be told to be this notebook. It was graded "
            f"as unanswered, and your instructor has been asked to look at it: submit it again as {name}"
        )
        result.log.append(f"expected {name}, submitted {', '.join(sorted(submitted))}: graded as unanswered, "
                          "flagged for attention (ask the student to submit it again under its own name)")
    for name in unknown:
        result.log.append(f"{name} is not part of the assignment and was not graded "
                          f"(expected {', '.join(expected)})")
    return result


def _take(result: Plan, name: str, file_name: str, unknown: list[str], missing: list[str]) -> None:
    result.graded_as[name] = file_name
    result.notes[name] = f"this notebook was submitted as '{file_name}' and was graded as {name}"
    result.log.append(f"graded '{file_name}' as {name}")
    unknown.remove(file_name)
    missing.remove(name)
