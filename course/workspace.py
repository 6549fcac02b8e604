"""A student's own working copy of the course notebooks, safe from course updates.

The course's notebooks are files of the course's repository: answering in them
and then updating the course (``git pull``) makes conflicts, and opening a
notebook already marks it modified. :func:`start` copies each topic notebook
(with its folder) into ``my-work/`` beside the course home, a folder git
ignores, and never overwrites it afterwards. Run again after a course update,
it copies topics that are new, and for a notebook that changed upstream since
it was copied it puts the new version beside the student's copy as
``NN-slug (course update YYYY-MM-DD).ipynb``, so nothing the student wrote is
lost and the new material is at hand.

The topics are found in ``release/NN-slug/`` (the instructors' repository) or
in ``NN-slug/`` (the student edition).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

WORK_DIR = "my-work"
_STATE = ".copied-from-course.json"
_TOPIC = re.compile(r"^\d\d-[a-z0-9-]+$")


@dataclass
class StartReport:
    """What :func:`start` did, topic by topic."""

    folder: Path
    copied: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    updates: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """The report in words, one line each."""
        out = [f"Your working copy is {self.folder}."]
        out += [f"  copied {name}" for name in self.copied]
        out += [f"  kept your {name} (unchanged in the course)" for name in self.kept]
        out += [f"  the course updated {name}: the new version is beside yours as {new}"
                for name, new in (u.split("\t") for u in self.updates)]
        return out


def course_topics(home: Path) -> dict[str, Path]:
    """The topic folders of the course whose home (``index.ipynb``) is in ``home``, by name."""
    for base in (home / "release", home):
        found = {p.name: p for p in sorted(base.iterdir()) if p.is_dir() and _TOPIC.match(p.name)
                 and (p / f"{p.name}.ipynb").is_file()} if base.is_dir() else {}
        if found:
            return found
    raise FileNotFoundError(f"no course notebooks (NN-slug/NN-slug.ipynb) in {home} or {home / 'release'}")


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def start(home: str | Path = ".", *, today: dt.date | None = None) -> StartReport:
    """Copy the course notebooks into ``home/my-work/`` without ever overwriting the student's work."""
    home = Path(home).resolve()
    topics = course_topics(home)
    work = home / WORK_DIR
    work.mkdir(exist_ok=True)
    state_path = work / _STATE
    try:
        state = json.loads(state_path.read_text(encoding="utf-8")) if state_path.is_file() else {}
    except ValueError:
        backup = state_path.with_suffix(".unreadable")
        shutil.copy2(state_path, backup)
        state = {}
    report = StartReport(work)
    stamp = (today or dt.date.today()).isoformat()
    for name, folder in topics.items():
        upstream = folder / f"{name}.ipynb"
        mine = work / name / f"{name}.ipynb"
        if not mine.exists():
            shutil.copytree(folder, work / name, dirs_exist_ok=True,
                            ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
            state[name] = _digest(upstream)
            report.copied.append(name)
            continue
        if state.get(name) == _digest(upstream):
            report.kept.append(name)
            continue
        new = mine.with_name(f"{name} (course update {stamp}).ipynb")
        shutil.copy2(upstream, new)
        state[name] = _digest(upstream)
        report.updates.append(f"{name}\t{new.name}")
    state_path.write_text(json.dumps(state, indent=1, sort_keys=True), encoding="utf-8")
    return report


def show(report: StartReport) -> None:
    """Print the report, with links to the copies when run in a notebook."""
    for line in report.lines():
        print(line)
    try:
        from IPython import get_ipython
        from IPython.display import Markdown, display
    except ImportError:
        return
    if get_ipython() is None:
        return
    links = [f"- [{p.name}]({WORK_DIR}/{p.name}/{p.name}.ipynb)"
             for p in sorted(report.folder.iterdir()) if p.is_dir() and _TOPIC.match(p.name)]
    display(Markdown("**Open your copies:**\n\n" + "\n".join(links)))


def main(home: str = ".") -> int:
    """CLI: make or update the working copy; exit 0."""
    show(start(home))
    return 0
