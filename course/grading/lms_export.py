"""``svc-course export``: grades from the nbgrader gradebook, in the layout an LMS imports.

Formats:

* ``canvas``: Canvas's gradebook import CSV. Columns ``Student`` ("Last,
  First"), ``ID`` (the Canvas user id: the roster's ``lms_id``), ``SIS User ID``
  and ``SIS Login ID`` (the roster's ``sis_user_id`` and ``sis_login_id``; without
  a roster the nbgrader id stands in the SIS User ID), ``Section``, then one column per assignment; the first row
  under the header is ``Points Possible`` with each assignment's maximum. Canvas
  treats every other column as an assignment, so notes are not in the file: they
  are printed as warnings and written beside it (``<out>.notes.txt``).
* ``moodle``: Moodle's "Import grades from CSV file": ``First name``, ``Last
  name``, ``ID number`` (the roster's ``lms_id``), ``Email address`` (map one of
  the two to the user field of the same name when importing), one column per
  assignment (map it to its grade item), and ``Notes`` (map it to "Ignore", or to
  a feedback field). An empty grade cell means "no grade" to Moodle.
* ``csv``: one row per student and assignment: ``student_id, lms_id, name,
  email, section, assignment, score, max_score, status, note``.

Only *released* assignments are exported: present in the gradebook and either
released through the exchange (``nbgrader release_assignment``) or with at least
one submission. A submission with no graded copy in ``autograded/`` (its
notebook was renamed, or autograding has not run) is left empty with status ``not
graded``. A submission whose manual grading is pending is not exported as a
score: its cell is left empty, with status ``pending manual grading``. A student
who did not submit gets an empty cell (status ``not submitted``), or 0 with
``missing_as_zero``.

The roster (``--roster FILE``) is a CSV with a header row naming at least
``student_id`` (the nbgrader student id) and one of ``lms_id`` or ``email``;
also read: ``name``, ``section``, ``sis_user_id``, ``sis_login_id``. Students in
the gradebook but not in the roster are left out (they have no LMS id); students
in the roster but not in the gradebook are exported as not submitted; both get a
warning.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FORMATS = ("canvas", "moodle", "csv")
ROSTER_COLUMNS = ("student_id", "lms_id", "name", "email", "section", "sis_user_id", "sis_login_id")

GRADED, PENDING, MISSING, UNGRADED = "graded", "pending manual grading", "not submitted", "not graded"
ATTENTION = "needs attention"
"""An autograded check flagged by the grader: a regrade that did not complete, a notebook it could not match."""


class ExportError(ValueError):
    """Bad input to the export: the message names the file, row or assignment at fault."""


@dataclass(frozen=True)
class Person:
    """One student as the LMS knows them."""

    student_id: str
    lms_id: str = ""
    name: str = ""
    email: str = ""
    section: str = ""
    sis_user_id: str = ""
    sis_login_id: str = ""

    @property
    def first_last(self) -> tuple[str, str]:
        parts = self.name.split()
        if not parts:
            return self.student_id, ""
        return " ".join(parts[:-1]) or parts[0], parts[-1] if len(parts) > 1 else ""


@dataclass(frozen=True)
class Cell:
    """One student's grade for one assignment."""

    score: float | None
    status: str
    note: str = ""


@dataclass
class Export:
    """What the export found: assignments, maxima, people, cells, warnings."""

    assignments: list[str]
    max_scores: dict[str, float]
    people: list[Person]
    cells: dict[tuple[str, str], Cell]
    warnings: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- roster


def read_roster(path: Path) -> list[Person]:
    """Read and check a roster CSV; :class:`ExportError` names the line at fault."""
    if not path.is_file():
        raise ExportError(f"roster {path} not found")
    text = path.read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or not any(c.strip() for c in rows[0]):
        raise ExportError(f"roster {path} is empty: its first line must name the columns, e.g. "
                          + ",".join(ROSTER_COLUMNS[:5]))
    header = [c.strip().lower() for c in rows[0]]
    if "student_id" not in header:
        raise ExportError(f"roster {path} line 1: no student_id column (found: {', '.join(header)}); "
                          f"expected columns: {', '.join(ROSTER_COLUMNS)}")
    if not {"lms_id", "email"} & set(header):
        raise ExportError(f"roster {path} line 1: needs an lms_id or an email column to match students to the LMS")
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        raise ExportError(f"roster {path} line 1: column {dupes[0]} appears twice")
    people: list[Person] = []
    seen: dict[str, int] = {}
    for line, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        if len(row) != len(header):
            raise ExportError(f"roster {path} line {line}: {len(row)} fields, the header has {len(header)}")
        values = {h: c.strip() for h, c in zip(header, row)}
        sid = values["student_id"]
        if not sid:
            raise ExportError(f"roster {path} line {line}: student_id is empty")
        if sid in seen:
            raise ExportError(f"roster {path} line {line}: student_id {sid!r} already on line {seen[sid]}")
        if not values.get("lms_id") and not values.get("email"):
            raise ExportError(f"roster {path} line {line}: {sid!r} has neither an lms_id nor an email")
        seen[sid] = line
        people.append(Person(**{k: values.get(k, "") for k in ROSTER_COLUMNS}))
    return people


# --------------------------------------------------------------------------- the gradebook


def released(root: Path, gb: Any) -> list[str]:
    """Assignments of the gradebook that were released: in the exchange's outbound, or submitted to."""
    from .gradebook import exchange_outbound

    outbound = exchange_outbound(root)
    out = []
    for a in gb.assignments:
        if a.num_submissions > 0 or (outbound is not None and (outbound / a.name).is_dir()):
            out.append(a.name)
    return sorted(out)


def collect(root: Path, names: list[str], *, roster: Path | None = None, missing_as_zero: bool = False) -> Export:
    """Read the gradebook and the roster into an :class:`Export` (no file written)."""
    from .gradebook import NoGradebook, open_gradebook

    people_roster = read_roster(roster) if roster else None
    try:
        gb = open_gradebook(root)
    except NoGradebook as exc:
        raise ExportError(str(exc)) from None
    warnings: list[str] = []
    with gb:
        in_gradebook = sorted(a.name for a in gb.assignments)
        rel = released(root, gb)
        if not names:
            names = rel
            if not names:
                raise ExportError("no assignment has been released or submitted yet: nothing to export")
        for n in names:
            if n not in in_gradebook:
                raise ExportError(f"unknown assignment {n!r}: the gradebook has "
                                  f"{', '.join(in_gradebook) or 'no assignment'}")
            if n not in rel:
                raise ExportError(f"assignment {n!r} is in the gradebook but was never released (no submission, "
                                  f"not in the exchange); released: {', '.join(rel) or 'none'}")
        max_scores = {n: float(gb.find_assignment(n).max_score) for n in names}
        students = {s.id: s for s in gb.students}
        cells: dict[tuple[str, str], Cell] = {}
        for n in names:
            for sub in gb.assignment_submissions(n):
                note = ""
                graded_copies = [root / "autograded" / sub.student_id / n / f"{nb.name}.ipynb" for nb in sub.notebooks]
                if not all(p.is_file() for p in graded_copies):
                    cells[(sub.student_id, n)] = Cell(None, UNGRADED, f"{n}: submitted but not autograded "
                                                      f"(see `svc-course report {n}` for why)")
                    continue
                flagged = [g for nb in sub.notebooks for g in nb.grades
                           if g.needs_manual_grade and g.cell.cell_type == "code" and g.manual_score is None]
                if flagged:
                    cells[(sub.student_id, n)] = Cell(None, ATTENTION, f"{n}: the grader flagged this submission "
                                                       "(a regrade that did not complete, or a notebook it could not "
                                                       "match); look at it in formgrader")
                    continue
                if sub.needs_manual_grade:
                    auto = sum(float(g.auto_score or 0) for nb in sub.notebooks for g in nb.grades
                               if not g.needs_manual_grade)
                    cells[(sub.student_id, n)] = Cell(None, PENDING, f"{n}: manual grading pending "
                                                       f"(autograded part so far: {auto:g} of {max_scores[n]:g})")
                    continue
                penalty = float(sub.late_submission_penalty or 0)
                if penalty:
                    note = f"{n}: score before nbgrader's late penalty of {penalty:g}"
                cells[(sub.student_id, n)] = Cell(float(sub.score), GRADED, note)
        gb_people = {sid: Person(sid, "", " ".join(p for p in (s.first_name, s.last_name) if p), s.email or "")
                     for sid, s in students.items()}
    # a student whose only submissions held nothing nbgrader could grade is not in the gradebook
    for n in names:
        for folder in (root / "submitted").glob(f"*/{n}"):
            if folder.is_dir() and folder.parent.name not in gb_people:
                gb_people[folder.parent.name] = Person(folder.parent.name, "", "", "")
    if people_roster is None:
        people = [gb_people[s] for s in sorted(gb_people)]
        warnings.append("no roster given: students are identified by their nbgrader ids (pass --roster to match LMS ids)")
    else:
        ids = {p.student_id for p in people_roster}
        people = list(people_roster)
        left_out = sorted(set(gb_people) - ids)
        if left_out:
            warnings.append(f"in the gradebook but not in the roster (left out, no LMS id): {', '.join(left_out)}")
        absent = sorted(ids - set(gb_people))
        if absent:
            warnings.append(f"in the roster but not in the gradebook (exported as not submitted): {', '.join(absent)}")
    for p in people:
        for n in names:
            if (p.student_id, n) in cells:
                continue
            if (root / "submitted" / p.student_id / n).is_dir():  # files came in, but nothing nbgrader could grade
                cells[(p.student_id, n)] = Cell(None, UNGRADED, f"{n}: submitted, but no notebook could be graded "
                                                f"(see `svc-course report {n}` for why)")
                continue
            cells[(p.student_id, n)] = Cell(0.0 if missing_as_zero else None, MISSING,
                                            f"{n}: not submitted" + (" (exported as 0)" if missing_as_zero else ""))
    for status, what in ((ATTENTION, "flagged by the grader, look at them in formgrader (cells left empty)"),
                         (PENDING, "manual grading pending (cells left empty)"),
                         (UNGRADED, "submitted but not autograded (cells left empty)")):
        who = sorted({p.student_id for p in people for n in names if cells[(p.student_id, n)].status == status})
        if who:
            warnings.append(f"{what}: {', '.join(who)}")
    return Export(list(names), max_scores, people, cells, warnings)


# --------------------------------------------------------------------------- writing


def _num(x: float | None) -> str:
    return "" if x is None else f"{x:g}"


def _notes(ex: Export, p: Person) -> str:
    return "; ".join(c.note for n in ex.assignments if (c := ex.cells[(p.student_id, n)]).note)


def render(ex: Export, fmt: str) -> str:
    """The export as CSV text in format ``fmt``."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    if fmt == "canvas":
        w.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", *ex.assignments])
        w.writerow(["    Points Possible", "", "", "", "", *[_num(ex.max_scores[n]) for n in ex.assignments]])
        for p in ex.people:
            first, last = p.first_last
            # a made-up SIS id could match the wrong Canvas user: the nbgrader id stands in only without an LMS id
            w.writerow([f"{last}, {first}" if last else first, p.lms_id, p.sis_user_id or ("" if p.lms_id else p.student_id),
                        p.sis_login_id, p.section, *[_num(ex.cells[(p.student_id, n)].score) for n in ex.assignments]])
    elif fmt == "moodle":
        w.writerow(["First name", "Last name", "ID number", "Email address", *ex.assignments, "Notes"])
        for p in ex.people:
            first, last = p.first_last
            w.writerow([first, last, p.lms_id or p.student_id, p.email,
                        *[_num(ex.cells[(p.student_id, n)].score) for n in ex.assignments], _notes(ex, p)])
    elif fmt == "csv":
        w.writerow(["student_id", "lms_id", "name", "email", "section", "assignment", "score", "max_score", "status", "note"])
        for p in ex.people:
            for n in ex.assignments:
                c = ex.cells[(p.student_id, n)]
                w.writerow([p.student_id, p.lms_id, p.name, p.email, p.section, n, _num(c.score),
                            _num(ex.max_scores[n]), c.status, c.note])
    else:
        raise ExportError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return buf.getvalue()


def export(root: Path, names: list[str], *, fmt: str, roster: Path | None = None, out: Path | None = None,
           missing_as_zero: bool = False) -> Export:
    """Collect and write the export to ``out`` (default ``exports/grades-<fmt>.csv``); return what was exported."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    ex = collect(root, names, roster=roster, missing_as_zero=missing_as_zero)
    target = out or root / "exports" / f"grades-{fmt}.csv"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render(ex, fmt), encoding="utf-8")
    if fmt == "canvas":
        notes = [f"{p.student_id}: {_notes(ex, p)}" for p in ex.people if _notes(ex, p)]
        side = target.with_name(target.name + ".notes.txt")
        side.write_text("Notes for the Canvas import (not in the CSV: Canvas reads every extra column as an assignment)\n"
                        + "".join(f"- {w}\n" for w in ex.warnings) + "".join(f"- {n}\n" for n in notes), encoding="utf-8")
    return ex


def main(names: list[str], *, fmt: str, roster: str | None = None, out: str | None = None,
         missing_as_zero: bool = False) -> int:
    """CLI entry: export, print the warnings and where the file is."""
    import sys

    from ..release import course_root

    root = course_root()
    target = Path(out) if out else root / "exports" / f"grades-{fmt}.csv"
    try:
        ex = export(root, names, fmt=fmt, roster=Path(roster) if roster else None, out=target,
                    missing_as_zero=missing_as_zero)
    except ExportError as exc:
        print(f"svc-course export: error: {exc}", file=sys.stderr)
        return 1
    for w in ex.warnings:
        print(f"warning: {w}", file=sys.stderr)
    print(f"wrote {target}: {len(ex.people)} students x {len(ex.assignments)} assignments ({', '.join(ex.assignments)})")
    return 0


def _nbgrader_export_plugin() -> type:
    """Build the plugin class lazily (nbgrader's plugin base class imports the gradebook)."""
    from nbgrader.plugins.export import CsvExportPlugin

    class CourseExportPlugin(CsvExportPlugin):
        """``nbgrader export`` with the course's rules (``c.ExportApp.plugin_class``).

        nbgrader's own CSV layout plus ``status`` and ``note`` columns; released
        assignments only; a submission pending manual grading or flagged for
        attention, one never autograded and a student who did not submit get an
        empty score and their status, never a 0 that looks final.
        """

        def export(self, gradebook: Any) -> None:
            root = Path(self.parent.coursedir.root) if getattr(self.parent, "coursedir", None) else Path.cwd()
            dest = Path(self.to or "grades.csv")
            ex = collect(root, [str(a) for a in self.assignment])
            wanted = {str(s) for s in self.student}
            buf = io.StringIO()
            w = csv.writer(buf, lineterminator="\n")
            w.writerow(["assignment", "duedate", "timestamp", "student_id", "last_name", "first_name", "email",
                        "raw_score", "late_submission_penalty", "score", "max_score", "status", "note"])
            for n in ex.assignments:
                assignment = gradebook.find_assignment(n)
                for student in gradebook.students:
                    if wanted and student.id not in wanted or (student.id, n) not in ex.cells:
                        continue
                    cell = ex.cells[(student.id, n)]
                    try:
                        sub = gradebook.find_submission(n, student.id)
                        timestamp, penalty = sub.timestamp or "", float(sub.late_submission_penalty or 0)
                        raw = float(sub.score) if cell.status == GRADED else None
                    except Exception:  # no submission: nbgrader's MissingEntry
                        timestamp, penalty, raw = "", 0.0, None
                    final = None if raw is None else max(0.0, raw - penalty)
                    w.writerow([n, assignment.duedate or "", timestamp, student.id, student.last_name or "",
                                student.first_name or "", student.email or "", _num(raw),
                                _num(penalty) if raw is not None else "", _num(final),
                                _num(ex.max_scores[n]), cell.status, cell.note])
            dest.write_text(buf.getvalue(), encoding="utf-8")
            self.log.info("Exported grades to %s (status column: %s)", dest, ", ".join((GRADED, PENDING, ATTENTION, MISSING, UNGRADED)))
            for warning in ex.warnings:
                self.log.warning("%s", warning)

    return CourseExportPlugin


def __getattr__(name: str) -> Any:
    if name == "CourseExportPlugin":  # resolved on first use, from nbgrader_config.py
        return _nbgrader_export_plugin()
    raise AttributeError(name)
