"""A student's working copy (``svc-course start``): made once, never overwritten, updates put beside it."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from course import workspace

REPO = Path(__file__).resolve().parent.parent


def _home(tmp_path: Path, topics: dict[str, str]) -> Path:
    home = tmp_path / "course"
    for name, text in topics.items():
        (home / name).mkdir(parents=True)
        (home / name / f"{name}.ipynb").write_text(text)
    return home


def test_start_copies_then_keeps_the_students_answers_through_an_update(tmp_path: Path) -> None:
    home = _home(tmp_path, {"01-intro": "v1", "02-more": "v1"})
    first = workspace.start(home)
    assert first.copied == ["01-intro", "02-more"] and not first.kept
    mine = home / "my-work" / "01-intro" / "01-intro.ipynb"
    mine.write_text("my answers")
    second = workspace.start(home)
    assert second.kept == ["01-intro", "02-more"] and not second.copied
    (home / "01-intro" / "01-intro.ipynb").write_text("v2")  # the course is updated
    (home / "03-new").mkdir()
    (home / "03-new" / "03-new.ipynb").write_text("v1")
    third = workspace.start(home, today=dt.date(2026, 12, 24))
    assert mine.read_text() == "my answers"
    update = home / "my-work" / "01-intro" / "01-intro (course update 2026-12-24).ipynb"
    assert update.read_text() == "v2"
    assert third.copied == ["03-new"] and third.kept == ["02-more"]
    assert "the course updated 01-intro: the new version is beside yours as 01-intro (course update 2026-12-24).ipynb" \
        in "\n".join(third.lines())
    assert workspace.start(home).kept == ["01-intro", "02-more", "03-new"]  # the update is seen once


def test_the_instructors_repository_and_the_student_edition_are_both_found(tmp_path: Path, student_edition: Path) -> None:
    assert sorted(workspace.course_topics(REPO)) == sorted(p.name for p in (REPO / "release").iterdir() if p.is_dir())
    edition = tmp_path / "edition"
    shutil.copytree(student_edition, edition)
    report = workspace.start(edition)
    assert len(report.copied) == 8 and (edition / "my-work" / "05-mapping-scenarios" / "05-mapping-scenarios.ipynb").is_file()
    assert "/my-work/" in (edition / ".gitignore").read_text()


def test_no_course_here_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no course notebooks"):
        workspace.start(tmp_path)
    out = subprocess.run([str(Path(sys.executable).parent / "svc-course"), "start", str(tmp_path)],
                         capture_output=True, text=True)
    assert out.returncode == 1 and "no course notebooks" in out.stderr


def test_an_unreadable_record_of_copies_loses_nothing(tmp_path: Path) -> None:
    home = _home(tmp_path, {"01-intro": "v1"})
    workspace.start(home)
    (home / "my-work" / ".copied-from-course.json").write_text("{broken")
    (home / "my-work" / "01-intro" / "01-intro.ipynb").write_text("my answers")
    report = workspace.start(home)
    assert (home / "my-work" / "01-intro" / "01-intro.ipynb").read_text() == "my answers"
    assert report.updates  # without the record, the course's version is put beside, never over, the student's
    assert (home / "my-work" / ".copied-from-course.unreadable").read_text() == "{broken"
