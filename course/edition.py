"""``svc-course student-edition OUT``: the tree students get, and nothing they must not read.

The course's own repository holds what students must never read: ``source/``
(solutions and hidden tests) and ``keys/`` (the keys of the graded items), and
the grader's code. It stays private, as nbgrader's documentation and courses
such as Berkeley's Data 8 keep their instructor repositories. What is published
(for Binder, for self-learners, for a class to clone) is the student edition
built here:

* ``index.ipynb`` (the course home) and ``NN-slug/NN-slug.ipynb``, the release
  notebooks, which must be in sync with ``source/``;
* ``data/``: the data sets and the public banks (graded items without keys);
* ``course/``: the package without ``course/grading/``;
* ``pyproject.toml``, ``environment.yml``, ``binder/``, a ``Makefile`` and a
  README for students (from ``edition/``).

Before it is written out, every file is checked: no solution or hidden-test
marker, no line of a hidden test, no explanation of a graded item, no graded id
beside its answer, no ``source/``, ``keys/`` or grading code. A finding stops
the build and names the file.
"""

from __future__ import annotations

import re
import shutil
import tomllib
from pathlib import Path

STUDENT_REPO = "svc-course/svc-course-student"
"""The GitHub slug of the published student edition (Binder links); change it for a fork."""

MARKER = ".svc-student-edition"
_TEXT_SUFFIXES = {".ipynb", ".py", ".md", ".yml", ".yaml", ".json", ".csv", ".toml", ".txt", ".j2", ""}


class EditionError(RuntimeError):
    """The student edition cannot be built; the message says why."""


def binder_url(path: str, repo: str = STUDENT_REPO) -> str:
    """The Binder link that opens ``path`` of the student edition.

    >>> binder_url("05-mapping-scenarios/05-mapping-scenarios.ipynb")
    'https://mybinder.org/v2/gh/svc-course/svc-course-student/main?labpath=05-mapping-scenarios%2F05-mapping-scenarios.ipynb'
    """
    return f"https://mybinder.org/v2/gh/{repo}/main?labpath={path.replace('/', '%2F')}"


def _pyproject(root: Path) -> str:
    """The student edition's pyproject.toml: the course's dependencies, no test tools."""
    meta = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    project = meta["project"]

    def q(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    deps = "\n".join(f"    {q(d)}," for d in project["dependencies"])
    return f"""[build-system]
requires = {[*meta["build-system"]["requires"]]!r}
build-backend = {q(meta["build-system"]["build-backend"])}

[project]
name = {q(project["name"])}
version = {q(project["version"])}
description = {q(project["description"])}
readme = "README.md"
requires-python = {q(project["requires-python"])}
dependencies = [
{deps}
]

[project.scripts]
svc-course = "course.cli:main"

[tool.hatch.build.targets.wheel]
packages = ["course"]

[tool.hatch.build.targets.wheel.force-include]
"data" = "course/_data"
""".replace("'", '"')


def _rewrite_home(text: str) -> str:
    """The course home with its links to ``release/NN/NN.ipynb`` pointing to ``NN/NN.ipynb``."""
    return re.sub(r"\]\(release/(\d\d-[a-z0-9-]+/)", r"](\1", text)


def _readme(root: Path, topics: list[str]) -> str:
    template = (root / "edition" / "README.md").read_text(encoding="utf-8")
    rows = "\n".join(f"| {name[:2]} | {name[3:].replace('-', ' ')} | "
                     f"[{name}]({binder_url(f'{name}/{name}.ipynb')}) |" for name in topics)
    return template.replace("{student_repo}", STUDENT_REPO).replace("{topic_rows}", rows)


def build(out: str | Path, *, root: Path | None = None, force: bool = False) -> Path:
    """Write the student edition into ``out`` (a new folder; ``force`` replaces an earlier edition)."""
    from .release import assignments, course_root, out_of_sync

    root = root or course_root()
    out = Path(out).resolve()
    if out == root or root in out.parents:
        raise EditionError(f"{out} is inside the course folder {root}: write the edition somewhere else")
    if out.exists():
        if not force:
            raise EditionError(f"{out} exists: choose a new folder, or pass --force to replace an earlier edition")
        if not (out / MARKER).is_file():
            raise EditionError(f"{out} exists and is not a student edition (no {MARKER}): not replacing it")
        shutil.rmtree(out)
    names = assignments(root)
    stale = out_of_sync(root, names)
    if stale:
        raise EditionError("release/ is out of sync with source/ (run `svc-course release`): " + ", ".join(stale[:5]))
    staging = out.with_name(out.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        for name in names:
            shutil.copytree(root / "release" / name, staging / name,
                            ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
        (staging / "index.ipynb").write_text(_rewrite_home((root / "index.ipynb").read_text(encoding="utf-8")),
                                             encoding="utf-8")
        shutil.copytree(root / "data", staging / "data", ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copytree(root / "course", staging / "course",
                        ignore=shutil.ignore_patterns("grading", "__pycache__", "*.pyc"))
        (staging / "pyproject.toml").write_text(_pyproject(root), encoding="utf-8")
        shutil.copy2(root / "environment.yml", staging / "environment.yml")
        shutil.copytree(root / "edition" / "binder", staging / "binder")
        shutil.copy2(root / "edition" / "Makefile", staging / "Makefile")
        shutil.copy2(root / "edition" / "gitignore", staging / ".gitignore")
        (staging / "README.md").write_text(_readme(root, names), encoding="utf-8")
        (staging / MARKER).write_text("built by svc-course student-edition from the instructors' repository\n",
                                      encoding="utf-8")
        findings = check(staging, root)
        if findings:
            raise EditionError("the student edition would show what students must not read:\n  "
                               + "\n  ".join(findings[:20]))
        staging.rename(out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out


def _secret_lines(root: Path) -> set[str]:
    """Lines of the source notebooks' solutions and hidden tests that the release notebooks do not show."""
    import nbformat

    from .grading.trusted import BEGIN_HIDDEN, END_HIDDEN

    from .grading.trusted import strip_hidden_tests

    shown: set[str] = set()  # lines a student sees anyway (in any release notebook or visible check)
    for path in sorted((root / "release").glob("*/*.ipynb")):
        shown |= {line.strip() for cell in nbformat.read(str(path), as_version=4).cells
                  for line in cell.source.splitlines()}
    sources = [nbformat.read(str(p), as_version=4) for p in sorted((root / "source").glob("*/*.ipynb"))]
    for nb in sources:
        shown |= {line.strip() for cell in nb.cells for line in strip_hidden_tests(cell.source).splitlines()
                  if "SOLUTION" not in line}
    secret: set[str] = set()
    for nb in sources:
        for cell in nb.cells:
            inside = False
            for line in cell.source.splitlines():
                if any(m in line for m in ("BEGIN SOLUTION", BEGIN_HIDDEN)):
                    inside = True
                elif any(m in line for m in ("END SOLUTION", END_HIDDEN)):
                    inside = False
                elif inside and len(line.strip()) > 20 and not line.strip().startswith("#") \
                        and line.strip() not in shown:
                    secret.add(line.strip())
    return secret


def check(tree: Path, root: Path) -> list[str]:
    """What in ``tree`` a student must not read, one finding per line (empty: nothing)."""
    from .grading import keys

    findings = [f"{p.relative_to(tree)}: instructor-only folder" for p in tree.rglob("*")
                if p.is_dir() and p.name in ("source", "keys", "grading", "autograded", "submitted", "feedback")]
    secret = _secret_lines(root)
    # explanations long enough to say something of their own (a short sentence such as
    # "Forecast accuracy is a plan metric." may also explain a practice question's option)
    explanations = [" ".join(t.split())[:80] for t in keys.graded_texts(root / "keys") if len(t) >= 60]
    pairs = []
    for s in keys.scenarios(root / "keys"):
        if s.graded:
            pairs += [rf"['\"]{re.escape(s.id)}['\"]\s*:\s*\[?\s*['\"]{re.escape(a)}['\"]" for a in s.activities]
    for q in keys.questions(root / "keys"):
        if q.graded:
            pairs.append(rf"['\"]{re.escape(q.id)}['\"]\s*:\s*['\"]{q.answer_letter}['\"]")
    for r in keys.records(root / "keys"):
        if r.graded:
            pairs.append(rf"['\"]{re.escape(r.id)}['\"]\s*:\s*['\"]{re.escape(r.kind or '')}['\"]")
    pair_rx = re.compile("|".join(pairs)) if pairs else None
    for path in sorted(tree.rglob("*")):
        if not path.is_file() or path.suffix not in _TEXT_SUFFIXES:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        where = path.relative_to(tree)
        for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"):
            if marker in text and path.suffix == ".ipynb":
                findings.append(f"{where}: holds '{marker}'")
        flat = " ".join(text.split())
        findings += [f"{where}: holds the explanation of a graded item ({e[:40]!r}...)" for e in explanations
                     if e and e in flat]
        if pair_rx is not None and (match := pair_rx.search(text)):
            findings.append(f"{where}: holds a graded key ({match.group(0)})")
        if path.suffix == ".ipynb":
            lines = {line.strip() for line in text.replace("\\n", "\n").splitlines()}
            lines |= {line.strip().strip('",') for line in lines}
            findings += [f"{where}: holds a line of a solution or hidden test: {line[:60]!r}"
                         for line in sorted(secret & lines)]
    return findings


def main(out: str, *, force: bool = False) -> int:
    """CLI: build the student edition and say where it is."""
    path = build(out, force=force)
    topics = sorted(p.name for p in path.iterdir() if p.is_dir() and re.match(r"\d\d-", p.name))
    print(f"student edition written to {path}: the course home, {len(topics)} topic notebooks, data, the course "
          "package without its grading code; checked: no solution, hidden test or answer key.")
    print(f"Publish it (for example as https://github.com/{STUDENT_REPO}); keep this repository private.")
    return 0
