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
    c.Execute.timeout = 20
    c.Execute.startup_timeout = 60
