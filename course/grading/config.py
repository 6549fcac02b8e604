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
        CheckCellMetadata,
        ClearOutput,
        DeduplicateIds,
        IgnorePattern,
        LimitOutput,
        OverwriteCells,
        OverwriteKernelspec,
    )

    from .exporter import SafeNotebookExporter
    from .feedback import configure_feedback
    from .guard_step import GuardedGradebookWrites
    from .hooks import resolve_submitted_notebooks
    from .preprocessors import RepairSubmission, SandboxedExecute, TrustedGrade
    from .summary import RecordOutcome

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
        # nbgrader's SaveAutoGrades, the course's FlagForAttention and nbgrader's AssignLatePenalties,
        # held back for the first submissions until the class-level setup guard decides
        GuardedGradebookWrites,
        CheckCellMetadata,
        RecordOutcome,
    ]
    c.Autograde.exporter_class = SafeNotebookExporter
    # Always grade from submitted/ again: a run killed half-way is completed by
    # running it again, and grading twice gives the same grades.
    c.Autograde.force = True
    c.Autograde.pre_convert_hook = resolve_submitted_notebooks
    c.Execute.timeout = 20
    c.Execute.startup_timeout = 60
    configure_feedback(c)
    quiet_logs(c)
    # nbgrader export: released assignments only, pending and not-graded submissions marked, never a final 0
    c.ExportApp.plugin_class = "course.grading.lms_export.CourseExportPlugin"


def quiet_logs(c: Any) -> None:
    """Log only what needs the instructor's attention while autograding, then a closing summary.

    SQLAlchemy's warnings about nbgrader's sessions, which say nothing about a
    submission, are not shown; nbgrader's own step-by-step lines are left out
    of the ``nbgrader autograde`` command (see
    :func:`course.grading.summary.quiet_command_line`).
    """
    import warnings

    from sqlalchemy.exc import SAWarning

    warnings.filterwarnings("ignore", category=SAWarning, module=r"nbgrader(\..*)?")
