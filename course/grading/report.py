"""The class report: what the class misunderstands, from the autograded notebooks.

``build`` reads, for one assignment, every autograded notebook
(``autograded/<student>/<assignment>/*.ipynb``), the students' answers as the
trusted grader rebuilt them in each test cell (tagged JSON of mime type
``application/vnd.svc-course.answer+json``), each test cell's score from the
nbgrader gradebook, and the truth each test cell holds (its own checks' keys,
see :mod:`course.grading.expected`). It never parses the free-text verdicts.

Per exercise (test cell) it counts who answered and who left it blank (an
answer still ``None``, or never reported, is *blank*, never a misconception),
right / partly / wrong among those who answered, the item's difficulty and
discrimination (:mod:`course.grading.itemstats`), and:

* for mapping exercises (ids -> activity, kind or letter): every item, its
  truth, and what was chosen instead, plus a matrix of true against chosen
  category with its most frequent confusions in words;
* for number exercises: the wrong values, each named by the mistake it matches
  when it is recognised (:mod:`course.grading.mistakes`);
* submissions not graded and why, and the grading notes.

``render`` writes it as Markdown; :mod:`course.grading.report_html` as one
self-contained HTML file.
"""

from __future__ import annotations

import contextlib
import math
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..answers import Unsupported
from . import itemstats
from .expected import Expectation, expectations

STATUSES = ("right", "partly", "wrong", "blank")


# --------------------------------------------------------------------------- data classes


@dataclass
class ItemSummary:
    """One item (scenario, question, record...) of a mapping exercise."""

    item_id: str
    truth: tuple[str, ...]
    right: int = 0
    partly: int = 0
    wrong: int = 0
    blank: int = 0
    chosen_wrong: Counter = field(default_factory=Counter)

    @property
    def answered(self) -> int:
        return self.right + self.partly + self.wrong


@dataclass
class Matrix:
    """True category against chosen category over every answered (item, student) pair.

    Each pair adds 1 to ``counts[(t, t)]`` for each true category ``t`` it chose,
    and 1 to ``counts[(t, c)]`` for each wrong choice ``c`` and each true category
    ``t`` it missed (every true category when it missed none). ``answered[t]`` is
    the number of answered pairs whose truth includes ``t``.
    """

    categories: list[str]
    counts: Counter = field(default_factory=Counter)
    answered: Counter = field(default_factory=Counter)

    def confusions(self) -> list[tuple[str, str, int, float]]:
        """Every off-diagonal cell as ``(true, chosen, count, share of answers with that truth)``, most frequent first."""
        out = [(t, c, n, n / self.answered[t]) for (t, c), n in self.counts.items() if t != c and n and self.answered[t]]
        return sorted(out, key=lambda x: (-x[3], -x[2], x[0], x[1]))


@dataclass
class NumberSummary:
    """One number answer: its expected value and the wrong values sent."""

    name: str
    expected: float
    right: int = 0
    wrong: int = 0
    blank: int = 0
    wrong_values: Counter = field(default_factory=Counter)
    mistakes: dict[str, str | None] = field(default_factory=dict)


@dataclass
class ValueSummary:
    """An answer checked for an exact value (a list, a dict, a word): the wrong answers sent."""

    name: str
    wrong_values: Counter = field(default_factory=Counter)
    differences: Counter = field(default_factory=Counter)


@dataclass
class Exercise:
    """One autograded test cell and what the class did on it."""

    grade_id: str
    notebook: str
    points: float
    title: str
    names: list[str]
    truths: dict[str, Expectation] = field(default_factory=dict)
    status: dict[str, str] = field(default_factory=dict)
    fraction: dict[str, float] = field(default_factory=dict)
    difficulty: float | None = None
    discrimination_r: float | None = None
    discrimination_d: float | None = None
    items: dict[str, list[ItemSummary]] = field(default_factory=dict)
    matrices: dict[str, Matrix] = field(default_factory=dict)
    numbers: dict[str, NumberSummary] = field(default_factory=dict)
    values: dict[str, ValueSummary] = field(default_factory=dict)
    hints: list[str] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for s in self.status.values() if s == status)

    @property
    def answered(self) -> int:
        return sum(1 for s in self.status.values() if s != "blank")


@dataclass
class NotGraded:
    """A student whose submission has no graded copy, or was graded with notes."""

    student: str
    reason: str


@dataclass
class ClassReport:
    """The whole assignment's report."""

    assignment: str
    students: list[str]
    exercises: list[Exercise]
    totals: dict[str, float]
    max_total: float
    not_graded: list[NotGraded] = field(default_factory=list)
    not_submitted: list[str] = field(default_factory=list)
    notes: dict[str, list[str]] = field(default_factory=dict)
    score_source: str = "gradebook"

    @property
    def notes_by_kind(self) -> Counter:
        return Counter(_note_kind(n) for notes in self.notes.values() for n in notes)

    def ordered(self) -> list[Exercise]:
        """Exercises hardest first: by difficulty among those who answered; unanswered ones last."""
        position = {e.grade_id: i for i, e in enumerate(self.exercises)}
        return sorted(self.exercises, key=lambda e: (e.difficulty is None, e.difficulty or 0.0, position[e.grade_id]))


# --------------------------------------------------------------------------- reading


def _note_kind(note: str) -> str:
    for key, kind in (
        ("kernel stopped", "kernel stopped (exit, crash, memory or CPU time)"),
        ("printed more than", "output beyond the limit dropped"),
        ("time limit", "cell stopped at the time limit"),
        ("time budget", "notebook time budget used up"),
        ("could not be read", "unreadable notebook file (graded as unanswered)"),
        ("missing from the submission", "graded cell deleted by the student (restored)"),
        ("copy of graded cell", "graded cell copied by the student"),
        ("locked cell", "locked cell edited by the student (restored)"),
        ("edited", "grading settings edited (restored)"),
        ("could be told to be this notebook", "notebook not found among the files submitted (graded as "
                                              "unanswered, flagged for attention)"),
        ("was graded as", "notebook renamed, e.g. by an LMS (graded as the one it stands for)"),
        ("older nbformat", "notebook in an older format (upgraded)"),
        ("output beyond", "output cut at the limit"),
    ):
        if key in note:
            return kind
    return "other"


def _is_test_cell(cell: Any) -> bool:
    md = cell.get("metadata", {}).get("nbgrader", {})
    return cell.get("cell_type") == "code" and bool(md.get("grade")) and not md.get("solution")


def _title(source: str) -> str:
    first = source.strip().splitlines()[0] if source.strip() else ""
    return first.strip().strip('"').strip("'").strip() if first.lstrip().startswith(('"""', "'''", '"', "'")) else ""


def is_blank(value: Any) -> bool:
    """A reported answer that says nothing: None (the release's placeholder), or empty, or all None.

    >>> is_blank(None), is_blank({"a": None}), is_blank({}), is_blank(0.0)
    (True, True, True, False)
    """
    if value is None:
        return True
    if isinstance(value, (dict, list, tuple, set, frozenset, str)) and len(value) == 0:
        return True
    if isinstance(value, dict):
        return all(v is None for v in value.values())
    return False


def _status(fraction: float) -> str:
    if fraction >= 1 - 1e-9:
        return "right"
    return "partly" if fraction > 1e-9 else "wrong"


def _score_from_outputs(cell: Any, points: float) -> float:
    """A test cell's score as TrustedGrade wrote it: error 0, a number result partial, else full."""
    outputs = cell.get("outputs", [])
    if any(o.get("output_type") == "error" for o in outputs):
        return 0.0
    for out in outputs:
        if out.get("output_type") == "execute_result":
            try:
                return float((out.get("data") or {}).get("text/plain", "0"))
            except ValueError:
                return 0.0
    return points


def _activities(raw: Any) -> tuple[str, ...] | None:
    from ..activities import normalise_activity

    items = [raw] if isinstance(raw, str) else raw
    if type(items) not in (list, tuple, set) or not items:
        return None
    try:
        return tuple(sorted({normalise_activity(i) for i in items}))
    except ValueError:
        return None


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _fmt(value: float) -> str:
    return f"{value:.6g}"


def build(root: Path, assignment: str) -> ClassReport:
    """Read ``autograded/*/<assignment>/*.ipynb`` under ``root`` and summarise them."""
    import nbformat

    from ..release import assignments as known_assignments
    from .gradebook import cell_scores
    from .notes import notes_of
    from .trusted import collect_answers

    source_dir = root / "source" / assignment
    source_nbs = sorted(source_dir.glob("*.ipynb"))
    if not source_nbs:
        raise ValueError(f"unknown assignment {assignment!r}: no notebook in {source_dir}; "
                         f"source/ has: {', '.join(known_assignments(root)) or 'nothing'}")
    multi = len(source_nbs) > 1
    exercises: list[Exercise] = []
    sources: dict[str, str] = {}
    for nb_path in source_nbs:
        src = nbformat.read(str(nb_path), as_version=4)
        for cell in src.cells:
            if _is_test_cell(cell):
                md = cell.metadata["nbgrader"]
                gid = md["grade_id"]
                exercises.append(Exercise(
                    grade_id=f"{nb_path.stem}/{gid}" if multi else gid, notebook=nb_path.stem,
                    points=float(md.get("points", 0) or 0), title=_title(cell.source), names=[],
                ))
                sources[exercises[-1].grade_id] = cell.source
    # the graded copies
    answers: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)  # student -> exercise -> answers
    out_scores: dict[tuple[str, str], float] = {}
    notes: dict[str, list[str]] = {}
    graded: set[str] = set()
    unreadable: list[NotGraded] = []
    by_key = {(e.notebook, e.grade_id.split("/")[-1]): e for e in exercises}
    for path in sorted((root / "autograded").glob(f"*/{assignment}/*.ipynb")):
        student = path.parent.parent.name
        if path.stem not in {p.stem for p in source_nbs}:
            continue
        try:
            nb = nbformat.read(str(path), as_version=4)
        except Exception as exc:  # a graded copy nbgrader wrote should always read
            unreadable.append(NotGraded(student, f"the graded copy {path.name} could not be read ({type(exc).__name__})"))
            continue
        graded.add(student)
        found = notes_of(nb)
        if found:
            notes.setdefault(student, []).extend(found)
        for cell in nb.cells:
            md = cell.get("metadata", {}).get("nbgrader", {})
            ex = by_key.get((path.stem, md.get("grade_id")))
            if ex is None or not _is_test_cell(cell):
                continue
            got, _ = collect_answers(cell.get("outputs", []))
            answers[student][ex.grade_id] = got
            out_scores[(student, ex.grade_id)] = _score_from_outputs(cell, ex.points)
    students = sorted(graded)
    # scores: the gradebook when there is one, else what TrustedGrade wrote in the outputs
    db = cell_scores(root, assignment)
    scores: dict[tuple[str, str], float] = {}
    source_of_scores = "the outputs of the graded notebooks (no gradebook found)"
    if db is not None:
        source_of_scores = "the nbgrader gradebook"
        for cs in db:
            if cs.cell_type != "code" or cs.student not in graded:
                continue
            gid = f"{cs.notebook}/{cs.grade_id}" if multi else cs.grade_id
            score = cs.manual_score if cs.manual_score is not None else cs.auto_score
            if score is not None:
                scores[(cs.student, gid)] = float(score)
    for key, value in out_scores.items():
        scores.setdefault(key, value)
    # truth, status and details per exercise
    for ex in exercises:
        source = sources[ex.grade_id]
        samples = [answers[s][ex.grade_id] for s in students if ex.grade_id in answers[s]]
        with _keys_of(root):
            ex.truths = expectations(source, samples)
        ex.names = list(ex.truths)
        ex.hints = list(dict.fromkeys(h for t in ex.truths.values() for h in t.hints))
        for s in students:
            given = answers[s].get(ex.grade_id, {})
            points = scores.get((s, ex.grade_id), 0.0)
            frac = points / ex.points if ex.points else 0.0
            ex.fraction[s] = max(0.0, min(1.0, frac))
            blank = all(is_blank(given.get(n)) for n in ex.names) if ex.names else not given
            ex.status[s] = "blank" if blank else _status(ex.fraction[s])
        _details(ex, students, answers)
    totals = {s: sum(scores.get((s, e.grade_id), 0.0) for e in exercises) for s in students}
    max_total = sum(e.points for e in exercises)
    for ex in exercises:
        answered = [ex.fraction[s] for s in students if ex.status[s] != "blank"]
        ex.difficulty = itemstats.difficulty(answered)
        item = [ex.fraction[s] for s in students]
        rest = [totals[s] - scores.get((s, ex.grade_id), 0.0) for s in students]
        ex.discrimination_r = itemstats.item_rest_correlation(item, rest)
        ex.discrimination_d = itemstats.upper_lower(item, [totals[s] for s in students])
    report = ClassReport(assignment, students, exercises, totals, max_total, notes=notes, score_source=source_of_scores)
    report.not_graded = unreadable + _not_graded(root, assignment, [p.name for p in source_nbs], graded)
    report.not_submitted = _not_submitted(root, assignment, graded)
    for student, found in sorted(notes.items()):
        report.not_graded.append(NotGraded(student, "graded with notes: " + "; ".join(found)))
    return report


@contextlib.contextmanager
def _keys_of(root: Path) -> Iterator[None]:
    """While reading the truth of test cells, point ``course.grading.keys`` at this course's ``keys/`` folder.

    The hidden tests read the graded items' keys through ``course.grading.keys``,
    which looks beside ``nbgrader_config.py`` at or above the working folder; the
    report may be built for a course folder other than the working one.
    """
    import os

    folder = root / "keys"
    if not folder.is_dir():
        yield
        return
    old = os.environ.get("SVC_COURSE_KEYS")
    os.environ["SVC_COURSE_KEYS"] = str(folder)
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("SVC_COURSE_KEYS", None)
        else:
            os.environ["SVC_COURSE_KEYS"] = old


def _details(ex: Exercise, students: list[str], answers: dict[str, dict[str, dict[str, Any]]]) -> None:
    """Fill the item tables, matrices, number and value summaries of one exercise."""
    from ..scoring import activity_credit
    from .mistakes import match

    for name, truth in ex.truths.items():
        values = {s: answers[s].get(ex.grade_id, {}).get(name) for s in students}
        if truth.kind in ("mapping", "choices") and isinstance(truth.expected, dict):
            key: dict[str, Any] = truth.expected
            if truth.kind == "mapping":
                truths = {i: tuple(v) for i, v in key.items()}
            else:
                letters = all(len(str(v)) == 1 for v in key.values())
                truths = {i: ((str(v).upper() if letters else str(v).strip().lower()),) for i, v in key.items()}
            items = {i: ItemSummary(i, t) for i, t in truths.items()}
            categories = sorted({c for t in truths.values() for c in t})
            matrix = Matrix(categories)
            for s in students:
                value = values[s]
                for i, t in truths.items():
                    raw = value.get(i) if isinstance(value, dict) else None
                    item = items[i]
                    if raw is None or (isinstance(raw, (str, list, tuple)) and not raw):
                        item.blank += 1
                        continue
                    if truth.kind == "mapping":
                        chosen = _activities(raw)
                        credit = activity_credit(chosen, t) if chosen else 0.0
                    else:
                        text = raw.strip()[:40] if isinstance(raw, str) else None
                        chosen = ((text.upper() if letters else text.lower()),) if text else None
                        credit = 1.0 if chosen == t else 0.0
                    label = " + ".join(chosen) if chosen else f"not valid: {_short(raw, 30)}"
                    if credit >= 1:
                        item.right += 1
                    else:
                        if credit > 0:
                            item.partly += 1
                        else:
                            item.wrong += 1
                        item.chosen_wrong[label] += 1
                    picks = set(chosen) if chosen else {"(not valid)"}
                    for c in t:
                        matrix.answered[c] += 1
                    missed = [c for c in t if c not in picks] or list(t)
                    for c in picks:
                        if c in t:
                            matrix.counts[(c, c)] += 1
                        else:
                            for m in missed:
                                matrix.counts[(m, c)] += 1
            ex.items[name] = sorted(items.values(), key=lambda it: (-(it.answered - it.right) / max(it.answered, 1), it.item_id))
            letters_only = truth.kind == "choices" and all(len(c) == 1 for c in categories)
            if not letters_only:
                matrix.categories = categories + sorted({c for (_, c) in matrix.counts if c not in categories})
                ex.matrices[name] = matrix
        elif truth.kind == "number" and truth.expected is not None:
            summary = NumberSummary(name, truth.expected)
            for s in students:
                v = values[s]
                if v is None:
                    summary.blank += 1
                    continue
                if isinstance(v, Unsupported):
                    summary.wrong += 1
                    label = f"not a plain number ({v.type_name})"
                    summary.wrong_values[label] += 1
                    summary.mistakes[label] = "a value that is not a builtin number (a numpy value needs float(...))"
                    continue
                if isinstance(v, bool) or not isinstance(v, (int, float)):
                    summary.wrong += 1
                    summary.wrong_values[f"not a number: {_short(v, 30)}"] += 1
                    continue
                close = (math.isnan(truth.expected) and math.isnan(v)) or (
                    math.isfinite(v) and math.isclose(float(v), truth.expected, rel_tol=truth.rel, abs_tol=truth.abs_tol))
                if close and type(v).__name__ in truth.kinds:
                    summary.right += 1
                    continue
                summary.wrong += 1
                if close:
                    label = f"the right value, but a {type(v).__name__}, not a {' or '.join(truth.kinds)}"
                    summary.wrong_values[label] += 1
                    continue
                label = _fmt(float(v))
                summary.wrong_values[label] += 1
                if label not in summary.mistakes:
                    summary.mistakes[label] = match(name, float(v), truth.expected)
            ex.numbers[name] = summary
        elif truth.kind == "equal":
            summary_v = ValueSummary(name)
            for s in students:
                v = values[s]
                if is_blank(v) or v == truth.expected and type(v) is type(truth.expected):
                    continue
                summary_v.wrong_values[_short(v, 80)] += 1
                if isinstance(truth.expected, dict) and isinstance(v, dict):
                    for k, want in truth.expected.items():
                        if k not in v:
                            summary_v.differences[f"{k!r} missing"] += 1
                        elif v[k] != want or type(v[k]) is not type(want):
                            summary_v.differences[f"{k!r}: {_short(v[k], 30)} instead of {_short(want, 30)}"] += 1
            ex.values[name] = summary_v


def _not_graded(root: Path, assignment: str, expected: list[str], graded: set[str]) -> list[NotGraded]:
    """Submissions in ``submitted/`` with no graded copy, with the reason."""
    out = []
    for folder in sorted((root / "submitted").glob(f"*/{assignment}")):
        if not folder.is_dir():
            continue
        student = folder.parent.name
        if student in graded:
            continue
        files = sorted(p.name for p in folder.iterdir() if p.is_file() and p.suffix == ".ipynb")
        if not files:
            reason = f"the submitted folder holds no notebook (expected {', '.join(expected)})"
        elif not set(files) & set(expected):
            reason = (f"submitted {', '.join(files)}, which is not part of the assignment (expected "
                      f"{', '.join(expected)}): rename it and run `nbgrader autograde {assignment}` again")
        else:
            reason = f"submitted but not autograded yet: run `nbgrader autograde {assignment}`"
        out.append(NotGraded(student, reason))
    return out


def _not_submitted(root: Path, assignment: str, graded: set[str]) -> list[str]:
    """Students of the course with nothing in ``submitted/`` for this assignment.

    The course's students are those of the gradebook and those who submitted anything for
    any assignment (a student whose only submission could not be graded is not in the gradebook).
    """
    from .gradebook import NoGradebook, open_gradebook

    ids = {p.parent.name for p in (root / "submitted").glob("*/*") if p.is_dir()}
    try:
        gb = open_gradebook(root)
    except NoGradebook:
        return []
    with gb:
        ids |= {s.id for s in gb.students}
    return sorted(s for s in ids if s not in graded and not (root / "submitted" / s / assignment).is_dir())


# --------------------------------------------------------------------------- Markdown


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


def _num(x: float | None, digits: int = 2) -> str:
    return "–" if x is None else f"{x:.{digits}f}"


def confusion_sentence(true: str, chosen: str, count: int, share: float) -> str:
    """A confusion in words.

    >>> confusion_sentence("design and transition", "obtain/build", 5, 0.38)
    'obtain/build chosen for design and transition: 38% (5 answers)'
    """
    return f"{chosen} chosen for {true}: {100 * share:.0f}% ({count} answer{'s' if count != 1 else ''})"


def score_bins(report: ClassReport, width: int = 10) -> list[tuple[str, int]]:
    """Students per band of ``width`` percent of the autograded points (the last band includes 100%)."""
    bands = list(range(0, 100, width))
    counts = Counter()
    for s in report.students:
        pct = 100 * report.totals[s] / report.max_total if report.max_total else 0.0
        counts[min(int(pct // width) * width, bands[-1])] += 1
    return [(f"{b}-{b + width}%", counts[b]) for b in bands]


def render(report: ClassReport) -> str:
    """The report as Markdown, hardest exercises first."""
    n = len(report.students)
    lines = [f"# What the class misunderstands: {report.assignment}", ""]
    lines.append(f"{n} graded submission{'s' if n != 1 else ''}; scores from {report.score_source}. "
                 "A blank answer (still `None`, or never reported) is counted as blank, never as a misconception.")
    lines.append("")
    lines += ["## Definitions", "",
              "- **difficulty**: mean fraction of the exercise's points among the students who answered it (1 = all right; blanks left out).",
              "- **r**: discrimination as the corrected item-total correlation (Pearson, item fraction against the points on the other "
              "exercises, all graded students, blanks scoring 0; the point-biserial for right/wrong items). Above 0.3 separates well.",
              "- **D**: upper-lower discrimination, the item's mean fraction in the top 27% of students by total autograded score minus the bottom 27%.",
              ""]
    if report.students:
        lines += ["## Score distribution", "", f"Autograded points out of {report.max_total:g}.", "",
                  "| band | students |", "|---|---|"]
        lines += [f"| {band} | {count} |" for band, count in score_bins(report)]
        lines.append("")
    lines += ["## Exercises, hardest first", "",
              "| exercise | points | answered | right | partly | wrong | blank | difficulty | r | D |",
              "|---|---|---|---|---|---|---|---|---|---|"]
    for e in report.ordered():
        lines.append(f"| {e.grade_id} | {e.points:g} | {e.answered} | {e.count('right')} | {e.count('partly')} | "
                     f"{e.count('wrong')} | {e.count('blank')} | {_num(e.difficulty)} | {_num(e.discrimination_r)} | "
                     f"{_num(e.discrimination_d)} |")
    for e in report.ordered():
        body = _exercise_lines(e)
        if body:
            lines += ["", f"### {e.grade_id}" + (f": {e.title}" if e.title else ""), ""] + body
    lines += ["", "## Submissions not graded, or graded with notes", ""]
    if report.not_graded:
        lines += [f"- **{g.student}**: {g.reason}" for g in report.not_graded]
    else:
        lines.append("Every submission was graded without notes.")
    if report.not_submitted:
        lines += ["", "Students of the course who did not submit: " + ", ".join(report.not_submitted) + "."]
    kinds = report.notes_by_kind
    if kinds:
        lines += ["", "Grading notes by kind:", ""] + [f"- {k}: {c}" for k, c in kinds.most_common()]
    return "\n".join(lines) + "\n"


def _exercise_lines(e: Exercise) -> list[str]:
    lines: list[str] = []
    for name, items in e.items.items():
        lines += [f"`{name}`: every item, most often not right first.", "",
                  "| item | truth | answered | right | partly | wrong | blank | chosen instead |", "|---|---|---|---|---|---|---|---|"]
        for it in items:
            chosen = _cell("; ".join(f"{c} ({k})" for c, k in it.chosen_wrong.most_common()) or "–")
            lines.append(f"| {it.item_id} | {' + '.join(it.truth)} | {it.answered} | {it.right} | {it.partly} | {it.wrong} | "
                         f"{it.blank} | {chosen} |")
        lines.append("")
        matrix = e.matrices.get(name)
        if matrix is not None:
            conf = matrix.confusions()
            lines += ["Confusions (share of the answers whose truth includes that category):", ""]
            lines += [f"- {confusion_sentence(t, c, k, sh)}" for t, c, k, sh in conf] or ["- none"]
            lines.append("")
    for name, num in e.numbers.items():
        lines.append(f"`{name}`: expected {_fmt(num.expected)}; {num.right} right, {num.wrong} wrong, {num.blank} blank.")
        if num.wrong_values:
            lines += ["", "| wrong value | students | mistake it matches |", "|---|---|---|"]
            for value, count in num.wrong_values.most_common():
                lines.append(f"| {_cell(value)} | {count} | {num.mistakes.get(value) or 'not recognised'} |")
        lines.append("")
    for name, val in e.values.items():
        if not val.wrong_values:
            continue
        lines.append(f"`{name}`: wrong answers sent")
        lines.append("")
        if val.differences:
            lines += [f"- {_cell(d)}: {c}" for d, c in val.differences.most_common()]
        else:
            lines += [f"- `{_cell(v)}`: {c}" for v, c in val.wrong_values.most_common(10)]
        lines.append("")
    if lines and e.hints:
        lines += ["Hints the check gives (context):", ""] + [f"- {h}" for h in e.hints] + [""]
    return lines


def main(assignment: str, out: str | None = None, html: bool = True) -> int:
    """CLI: write ``reports/<assignment>.md`` and ``.html`` (or ``out`` and its ``.html`` sibling)."""
    from ..release import course_root

    root = course_root()
    report = build(root, assignment)
    if not report.students and not report.not_graded:
        raise FileNotFoundError(f"no autograded notebooks for {assignment!r} under {root / 'autograded'}; "
                                f"run `nbgrader autograde {assignment}` first")
    target = Path(out) if out else root / "reports" / f"{assignment}.md"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render(report), encoding="utf-8")
    print(f"wrote {target} ({len(report.students)} graded submissions)")
    if html:
        from .report_html import write_html

        page = target.with_suffix(".html")
        write_html(report, page)
        print(f"wrote {page} ({page.stat().st_size / 1e6:.1f} MB, opens offline)")
    return 0
