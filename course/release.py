"""``svc-course release``: generate ``release/`` from ``source/`` with nbgrader, normalised.

nbgrader's own GenerateAssignment converter does the work (solutions and hidden
tests removed, checksums recorded in the gradebook); the notebooks it writes are
then normalised so that regenerating twice gives identical files.
"""

from __future__ import annotations

import filecmp
import os
import shutil
import sys
import tempfile
from pathlib import Path

from .notebooks import normalise


def course_root(start: Path | None = None) -> Path:
    """Return the course folder (the one holding ``nbgrader_config.py``) at or above ``start``."""
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "nbgrader_config.py").is_file() and (folder / "source").is_dir():
            return folder
    raise FileNotFoundError(f"no course folder (nbgrader_config.py beside source/) at or above {here}")


def assignments(root: Path) -> list[str]:
    """Names of the assignments in ``source/``: folders holding a notebook of their own name."""
    return sorted(
        d.name for d in (root / "source").iterdir() if d.is_dir() and (d / f"{d.name}.ipynb").is_file()
    )


def generate(root: Path, names: list[str], release_dir: Path, db_url: str | None = None) -> None:
    """Run nbgrader's GenerateAssignment for ``names`` into ``release_dir`` and normalise the output."""
    # nbgrader runs the `alembic` command of its own environment to create a gradebook
    bindir = str(Path(sys.executable).parent)
    if bindir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")
    from nbgrader.converters import GenerateAssignment
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config.loader import PyFileConfigLoader

    for name in names:
        cfg = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
        cfg.CourseDirectory.root = str(root)
        cfg.CourseDirectory.release_directory = str(release_dir)
        if db_url:
            cfg.CourseDirectory.db_url = db_url
        cfg.BaseConverter.force = True
        coursedir = CourseDirectory(config=cfg)
        coursedir.assignment_id = name
        GenerateAssignment(coursedir=coursedir, config=cfg).start()
        for nb in sorted((release_dir / name).rglob("*.ipynb")):
            normalise(nb)


def _diff(a: Path, b: Path) -> list[str]:
    """Relative paths that differ between two folders (missing on either side included)."""
    out: list[str] = []

    def walk(cmp: filecmp.dircmp, prefix: str) -> None:
        out.extend(prefix + n for n in cmp.left_only + cmp.right_only)
        _, mismatch, errors = filecmp.cmpfiles(cmp.left, cmp.right, cmp.common_files, shallow=False)
        out.extend(prefix + n for n in mismatch + errors)
        for name, sub in cmp.subdirs.items():
            walk(sub, prefix + name + "/")

    walk(filecmp.dircmp(a, b, ignore=["__pycache__", ".ipynb_checkpoints"]), "")
    return sorted(out)


def out_of_sync(root: Path, names: list[str] | None = None) -> list[str]:
    """Return files of ``release/`` that differ from a fresh generation from ``source/``."""
    names = names or assignments(root)
    with tempfile.TemporaryDirectory(prefix="svc-release-") as tmp:
        tmp_path = Path(tmp)
        generate(root, names, tmp_path / "release", db_url=f"sqlite:///{tmp_path / 'gradebook.db'}")
        problems = []
        for name in names:
            ours = root / "release" / name
            if not ours.is_dir():
                problems.append(f"release/{name}/ (missing)")
                continue
            problems += [f"release/{name}/{p}" for p in _diff(ours, tmp_path / "release" / name)]
        extra = {d.name for d in (root / "release").iterdir() if d.is_dir()} - set(assignments(root))
        problems += [f"release/{e}/ (no source)" for e in sorted(extra)]
        return problems


def main(names: list[str], *, check: bool = False) -> int:
    """CLI entry: regenerate (or with ``check`` compare) the release notebooks."""
    root = course_root()
    known = assignments(root)
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValueError(f"unknown assignment(s) {', '.join(unknown)}; source/ has: {', '.join(known)}")
    if check:
        problems = out_of_sync(root, names or None)
        for p in problems:
            print(f"out of sync: {p}")
        print("release/ is in sync with source/" if not problems else f"{len(problems)} file(s) out of sync")
        return 1 if problems else 0
    targets = names or known
    for name in targets:
        dest = root / "release" / name
        if dest.exists():
            shutil.rmtree(dest)
    generate(root, targets, root / "release")
    print(f"released {len(targets)} assignment(s) into release/")
    return 0
