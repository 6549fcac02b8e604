"""The ``svc-course`` command line: one verb per module, imports deferred to the verb.

``svc-course --help`` must answer fast (no pandas, nbgrader or Jupyter import
here); each verb imports what it needs when it runs.
"""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Sequence


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="svc-course",
        description="Tools for the ITIL 4 service value chain course (run from the course folder).",
    )
    sub = parser.add_subparsers(dest="verb", metavar="VERB")

    data = sub.add_parser("data", help="work with the course's data sets")
    data_sub = data.add_subparsers(dest="data_verb", metavar="ACTION")
    gen = data_sub.add_parser("generate", help="write every CSV of the metrics reference deterministically")
    gen.add_argument("--seed", type=int, default=None, help="random seed (default: the committed files' seed)")
    gen.add_argument("--out", default=None, help="output folder (default: the course's data folder)")

    rel = sub.add_parser("release", help="generate release/ from source/ with nbgrader and normalise it")
    rel.add_argument("assignments", nargs="*", help="assignment names (default: every folder in source/)")
    rel.add_argument("--check", action="store_true", help="only report whether release/ is in sync")

    norm = sub.add_parser("normalise", help="strip outputs and normalise metadata of notebooks in place")
    norm.add_argument("paths", nargs="+", help="notebooks to normalise")
    norm.add_argument("--check", action="store_true", help="only report notebooks that are not normalised")

    grade = sub.add_parser("check-sandbox", help="say whether the grading sandbox (bubblewrap) works here")
    grade.add_argument("--quiet", action="store_true")

    report = sub.add_parser("report", help="write the class report of what students misunderstand")
    report.add_argument("assignment", help="assignment name, e.g. 05-mapping-scenarios")
    report.add_argument("--out", default=None, help="output file (default: reports/<assignment>.md; the .html beside it)")

    export = sub.add_parser("export", help="export grades from the gradebook for Canvas, Moodle or as CSV")
    export.add_argument("assignments", nargs="*", metavar="ASSIGNMENT",
                        help="assignments to export (default: every released one)")
    export.add_argument("--format", dest="fmt", choices=["canvas", "moodle", "csv"], default="csv",
                        help="column layout: canvas (gradebook import), moodle (import from CSV), csv (one row per grade)")
    export.add_argument("--roster", default=None,
                        help="CSV with student_id and lms_id and/or email (also name, section, sis_user_id, sis_login_id)")
    export.add_argument("--out", default=None, help="output file (default: exports/grades-<format>.csv)")
    export.add_argument("--missing-as-zero", action="store_true",
                        help="export 0 for a student who did not submit (default: empty, marked not submitted)")

    start = sub.add_parser("start", help="copy the course notebooks into my-work/, your own copy that updates never touch")
    start.add_argument("home", nargs="?", default=".", help="the folder of the course home, index.ipynb (default: here)")

    edition = sub.add_parser("student-edition", help="build the tree to publish for students (no solution, hidden test or key)")
    edition.add_argument("out", help="a new folder for the student edition")
    edition.add_argument("--force", action="store_true", help="replace an earlier student edition in OUT")

    auto = sub.add_parser("autograde", help="grade every submission of an assignment in parallel (Dask), with every protection")
    auto.add_argument("assignment", help="assignment name, e.g. 06-value-chain-metrics")
    auto.add_argument("students", nargs="*", metavar="STUDENT", help="grade only these students (default: every submission)")
    auto.add_argument("--workers", type=int, default=None,
                      help="worker processes of the local Dask cluster (default: one per core)")
    auto.add_argument("--scheduler", default=None, metavar="ADDRESS",
                      help="grade on an existing Dask cluster, e.g. tcp://10.0.0.5:8786 (its workers must see this course folder)")
    auto.add_argument("--force", action="store_true",
                      help="grade every submission again, also those unchanged since they were graded")
    auto.add_argument("--no-setup-guard", dest="setup_guard", action="store_false",
                      help="write grades even when the first submissions all fail alike at setup level")
    auto.add_argument("--timeout", type=float, default=20.0, metavar="SECONDS",
                      help="how long to wait for the scheduler to answer and for its first worker (default: 20)")

    demo = sub.add_parser("demo", help="grade a simulated class in a scratch copy of the course: report, feedback, export")
    demo.add_argument("--out", default=None, help="folder for the scratch course (default: a new temporary folder)")
    demo.add_argument("--assignments", nargs="+", default=None, metavar="ASSIGNMENT",
                      help="assignments to run (default: 05-mapping-scenarios 06-value-chain-metrics)")
    return parser


def _check_sandbox(*, quiet: bool) -> int:
    """Check the sandbox as ``nbgrader autograde`` run here would use it.

    nbgrader puts the working folder first on ``sys.path``, so in a course folder
    that holds its own ``course`` package the grader imports that one: the check
    runs in a fresh interpreter that does the same, with the folder's
    ``nbgrader_config.py`` settings.
    """
    import os
    import subprocess

    code = (
        "import os, sys\n"
        "sys.path.insert(0, os.getcwd())\n"
        "from course.grading import sandbox\n"
        f"raise SystemExit(sandbox.main(quiet={quiet!r}, config_dir=os.getcwd()))\n"
    )
    return subprocess.run([sys.executable, "-c", code], cwd=os.getcwd()).returncode


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the process exit code."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = _build_parser()
    args = parser.parse_args(args_list)
    if args.verb is None:
        parser.print_help()
        return 0
    try:
        if args.verb == "data":
            if args.data_verb != "generate":
                parser.parse_args(["data", "--help"])
                return 2
            from . import datagen

            forwarded = []
            if args.seed is not None:
                forwarded += ["--seed", str(args.seed)]
            if args.out is not None:
                forwarded += ["--out", args.out]
            return datagen.main(forwarded)
        if args.verb == "release":
            from . import release

            return release.main(args.assignments, check=args.check)
        if args.verb == "normalise":
            from . import notebooks

            return notebooks.main(args.paths, check=args.check)
        if args.verb == "start":
            from . import workspace

            return workspace.main(args.home)
        if args.verb == "student-edition":
            from . import edition

            return edition.main(args.out, force=args.force)
        if args.verb == "check-sandbox":
            return _check_sandbox(quiet=args.quiet)
        if args.verb == "report":
            from .grading import report

            return report.main(args.assignment, out=args.out)
        if args.verb == "export":
            from .grading import lms_export

            return lms_export.main(args.assignments, fmt=args.fmt, roster=args.roster, out=args.out,
                                   missing_as_zero=args.missing_as_zero)
        if args.verb == "autograde":
            from .grading.parallel import run

            code = run.main(args.assignment, args.students, workers=args.workers, scheduler=args.scheduler,
                            force=args.force, timeout=args.timeout, setup_guard=args.setup_guard)
            # the process ends here: keep its last garbage collection from walking every object the
            # grading code loaded (0.7 s measured after a run, with nothing to free that matters)
            gc.freeze()
            return code
        if args.verb == "demo":
            from .grading import demo

            return demo.main(args.out, args.assignments)
    except ModuleNotFoundError as exc:
        if (exc.name or "").startswith("course.grading"):
            print(f"svc-course {args.verb}: this is an instructor's tool; the student edition of the course does "
                  "not include the grading code it needs", file=sys.stderr)
            return 1
        raise
    except (FileNotFoundError, ValueError, RuntimeError) as exc:
        print(f"svc-course {args.verb}: error: {exc}", file=sys.stderr)
        return 1
    parser.error(f"unknown verb {args.verb}")
    return 2


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
