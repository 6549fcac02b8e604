"""The course's nbgrader settings for trustworthy autograding, applied from nbgrader_config.py."""

from __future__ import annotations

from typing import Any


def configure(c: Any) -> None:
    """Plug the sandbox and the trusted grader into ``nbgrader autograde``.

    Instructors keep using ``nbgrader autograde``, formgrader and ``nbgrader
    export``; these settings only change which preprocessors run.
    """
    from nbconvert.preprocessors import ClearMetadataPreprocessor
    from nbgrader.preprocessors import (
        AssignLatePenalties,
        CheckCellMetadata,
        ClearOutput,
        DeduplicateIds,
        IgnorePattern,
        LimitOutput,
        OverwriteCells,
        OverwriteKernelspec,
        SaveAutoGrades,
    )

    from .exporter import SafeNotebookExporter
    from .feedback import configure_feedback
    from .preprocessors import RepairSubmission, SandboxedExecute, TrustedGrade

    c.Autograde.sanitize_preprocessors = [
        ClearOutput,
        RepairSubmission,
        DeduplicateIds,
        OverwriteKernelspec,
        OverwriteCells,
        CheckCellMetadata,
    ]
    c.Autograde.autograde_preprocessors = [
        SandboxedExecute,
        TrustedGrade,
        IgnorePattern,
        ClearMetadataPreprocessor,
        LimitOutput,
        SaveAutoGrades,
        AssignLatePenalties,
        CheckCellMetadata,
    ]
    c.Autograde.exporter_class = SafeNotebookExporter
    # Always grade from submitted/ again: a run killed half-way is completed by
    # running it again, and grading twice gives the same grades.
    c.Autograde.force = True
    c.Autograde.pre_convert_hook = explain_unknown_notebooks
    c.Execute.timeout = 20
    c.Execute.startup_timeout = 60
    configure_feedback(c)


def explain_unknown_notebooks(assignment: str, student: str, notebooks: list[str], **_: object) -> None:
    """nbgrader pre-convert hook: say plainly when a submission's notebook was renamed.

    nbgrader skips notebooks whose names are not in the assignment and, when none
    is left, reports "No notebooks found, did you forget to run 'nbgrader
    generate_assignment'?", which sends the instructor the wrong way. This hook
    logs first which files were submitted and which names were expected.
    """
    import logging
    from pathlib import Path

    if notebooks:  # nbgrader passes its command-line ids ("*"); the paths say whose files these are
        student, assignment = Path(notebooks[0]).parts[-3], Path(notebooks[0]).parts[-2]
    expected = sorted(p.name for p in (Path.cwd() / "source" / assignment).glob("*.ipynb"))
    unknown = sorted(Path(n).name for n in notebooks if Path(n).name not in expected)
    if expected and unknown:
        missing = [e for e in expected if e not in {Path(n).name for n in notebooks}]
        logging.getLogger("svc_course.grading").error(
            "%s/%s: submitted %s, which is not part of the assignment (expected %s)%s; "
            "it is not graded: rename it to the expected name and grade again",
            student, assignment, ", ".join(unknown), ", ".join(expected),
            f"; missing: {', '.join(missing)}" if missing else "",
        )
