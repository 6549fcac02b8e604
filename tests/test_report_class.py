"""The class report on a class whose answers were constructed here, graded by the real ``nbgrader autograde``.

Four students on 05-mapping-scenarios and 06-value-chain-metrics (one
``nbgrader autograde`` run per assignment, about 40 s in all) plus one who
submitted an HTML export instead of the 06 notebook (nothing to grade):

- ann: the model solutions, and a written answer in 05 (pending manual grading);
- bob: graded_mapping with shop-02 -> design and transition, gov-04 -> obtain/build,
  mfg-04 -> obtain/build, health-06 -> improve only (partly); mapping_b left None;
  csat_pct = the mean score, nps_value with 6 as a passive, mape_pct as a ratio;
- cat: graded_mapping with shop-02 -> design and transition, wifi-01 -> improve,
  tel-04 left None; csat_pct left None; nps_value = 13.0 (no known mistake);
  change_days_in_system = 15 / 45 (Little's law inverted);
- dan: the release notebooks unchanged (everything blank);
- eli: nothing for 05; for 06 an HTML export of the notebook, no notebook.

Every expected count below is worked out by hand from that list.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from course.grading.demo import student_notebook

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
A05, A06 = "05-mapping-scenarios", "06-value-chain-metrics"


def _nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    import os

    env = dict(os.environ, PATH=f"{BIN}:{os.environ.get('PATH', '')}")
    return subprocess.run([str(BIN / "nbgrader"), *args], cwd=course, env=env, capture_output=True, text=True, timeout=900)


def _survey_column(name: str) -> list[float]:
    with (REPO / "data" / "surveys.csv").open(newline="") as fh:
        return [float(r[name]) for r in csv.DictReader(fh) if r[name].strip()]


def csat_mean_by_hand() -> float:
    scores = _survey_column("csat_score")
    return sum(scores) / len(scores)


def nps_six_passive_by_hand() -> float:
    scores = _survey_column("nps_score")
    promoters = sum(1 for s in scores if s >= 9)
    detractors = sum(1 for s in scores if s < 6)  # the mistake: 6 left out of the detractors
    return 100 * (promoters - detractors) / len(scores)


def mape_by_hand() -> float:
    with (REPO / "data" / "forecasts.csv").open(newline="") as fh:
        rows = [(float(r["forecast"]), float(r["actual"])) for r in csv.DictReader(fh)
                if r["forecast"].strip() and r["actual"].strip()]
    return 100 * sum(abs(a - f) / abs(a) for f, a in rows) / len(rows)


SOLUTION_05 = {
    "wifi-01": "deliver and support", "shop-02": "obtain/build", "shop-06": ["obtain/build", "design and transition"],
    "health-02": "plan", "health-06": ["improve", "deliver and support"], "bank-04": "engage",
    "gov-04": "design and transition", "stream-04": ["engage", "improve"], "tel-04": "improve",
    "mfg-04": ["design and transition", "deliver and support"],
}


def _answers() -> dict[str, dict[str, dict]]:
    bob05 = dict(SOLUTION_05, **{"shop-02": "design and transition", "gov-04": "obtain/build",
                                 "mfg-04": ["obtain/build"], "health-06": "improve"})
    cat05 = dict(SOLUTION_05, **{"shop-02": "design and transition", "wifi-01": "improve", "tel-04": None})
    return {
        "bob": {A05: {"graded_mapping": bob05, "mapping_b": None},
                A06: {"csat_pct": csat_mean_by_hand(), "nps_value": nps_six_passive_by_hand(),
                      "mape_pct": mape_by_hand() / 100}},
        "cat": {A05: {"graded_mapping": cat05},
                A06: {"csat_pct": None, "nps_value": 13.0, "change_days_in_system": 15 / 45}},
    }


_BUILT: dict[str, Path] = {}


@pytest.fixture(scope="session")
def graded_class(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A course folder with the constructed class autograded on 05 and 06 (shared with the export tests).

    tests/test_export_lms.py imports this fixture; pytest then holds one definition per
    module, so the graded course is kept here and built once per session.
    """
    if "course" in _BUILT:
        return _BUILT["course"]
    from course.grading.sandbox import check_available

    check_available()
    course = tmp_path_factory.mktemp("report-class") / "course"
    course.mkdir()
    shutil.copy(REPO / "nbgrader_config.py", course)
    if (REPO / "keys").is_dir():  # the instructor-only answer keys, beside source/
        shutil.copytree(REPO / "keys", course / "keys")
    for name in (A05, A06):
        shutil.copytree(REPO / "source" / name, course / "source" / name)
        run = _nbgrader(course, "generate_assignment", name, "--force")
        assert run.returncode == 0, run.stderr[-2000:]
    answers = _answers()
    for name in (A05, A06):
        source = nbformat.read(str(course / "source" / name / f"{name}.ipynb"), as_version=4)
        release = nbformat.read(str(course / "release" / name / f"{name}.ipynb"), as_version=4)
        for student in ("ann", "bob", "cat", "dan", "eli"):
            if student == "eli" and name == A05:
                continue  # eli submits only 06, as an HTML export
            folder = course / "submitted" / student / name
            folder.mkdir(parents=True)
            written = "My scenario: the Wi-Fi drops and the network team restores it." if student == "ann" else None
            nb = student_notebook(source, release, answers.get(student, {}).get(name), blank=student == "dan",
                                  written=written)
            if student == "eli" and name == A06:
                (folder / f"{name}.html").write_text("<html>the notebook, exported</html>", encoding="utf-8")
            else:
                nbformat.write(nb, str(folder / f"{name}.ipynb"))
        run = _nbgrader(course, "autograde", name)
        assert run.returncode == 0, run.stderr[-4000:]  # eli's folder has no notebook: nothing to grade, no error
    for student in ("ann", "bob", "cat", "dan"):
        for name in (A05, A06):
            assert (course / "autograded" / student / name / f"{name}.ipynb").is_file(), (student, name)
    _BUILT["course"] = course
    return course


@pytest.fixture(scope="module")
def reports(graded_class: Path) -> dict:
    from course.grading import report

    return {name: report.build(graded_class, name) for name in (A05, A06)}


def _exercise(rep, grade_id: str):
    return next(e for e in rep.exercises if e.grade_id == grade_id)


@pytest.mark.grading
def test_the_mapping_items_count_exactly_what_was_put_in(reports: dict) -> None:
    ex = _exercise(reports[A05], "check_graded_mapping")
    items = {it.item_id: it for it in ex.items["graded_mapping"]}
    assert len(items) == 10, "every item is listed, not a top 3"
    # shop-02 (obtain/build): ann right, bob and cat design and transition, dan blank
    shop = items["shop-02"]
    assert (shop.answered, shop.right, shop.partly, shop.wrong, shop.blank) == (3, 1, 0, 2, 1)
    assert dict(shop.chosen_wrong) == {"design and transition": 2}
    # tel-04: cat left it None, dan blank: two blanks, not two misconceptions
    tel = items["tel-04"]
    assert (tel.answered, tel.right, tel.wrong, tel.blank) == (2, 2, 0, 2)
    # health-06 (improve + deliver and support): bob named improve only: partly
    health = items["health-06"]
    assert (health.right, health.partly, health.wrong, health.blank) == (2, 1, 0, 1)
    assert dict(health.chosen_wrong) == {"improve": 1}
    assert items["wifi-01"].chosen_wrong == {"improve": 1}
    assert items["bank-04"].chosen_wrong == {}


@pytest.mark.grading
def test_the_matrix_and_its_confusions(reports: dict) -> None:
    matrix = _exercise(reports[A05], "check_graded_mapping").matrices["graded_mapping"]
    # answers whose truth includes obtain/build: shop-02 and shop-06, by ann, bob and cat
    assert matrix.answered["obtain/build"] == 6
    assert matrix.counts[("obtain/build", "design and transition")] == 2
    # design and transition is true for shop-06, gov-04, mfg-04 (9 answers); bob chose obtain/build
    # instead on gov-04 and on mfg-04 (both design and transition only)
    assert matrix.answered["design and transition"] == 9
    assert matrix.counts[("design and transition", "obtain/build")] == 2
    # no item whose truth includes deliver and support got obtain/build (mfg-04 is design and transition only)
    assert matrix.counts[("deliver and support", "obtain/build")] == 0
    assert matrix.counts[("deliver and support", "improve")] == 1  # cat's wifi-01
    # improve is true for health-06, stream-04 (ann, bob, cat) and tel-04 (ann, bob: cat left it None)
    assert matrix.answered["improve"] == 8
    assert matrix.counts[("improve", "improve")] == 8
    words = [f"{c} chosen for {t}" for t, c, _, _ in matrix.confusions()]
    assert words[0] == "design and transition chosen for obtain/build"  # 2 of 6: 33%, the largest share
    from course.grading.report import confusion_sentence, render

    t, c, n, share = matrix.confusions()[0]
    assert confusion_sentence(t, c, n, share) == "design and transition chosen for obtain/build: 33% (2 answers)"
    assert "obtain/build chosen for design and transition: 22% (2 answers)" in render(reports[A05])


@pytest.mark.grading
def test_blanks_are_blanks_not_misconceptions(reports: dict) -> None:
    b = _exercise(reports[A05], "check_mapping_b")
    assert b.status == {"ann": "right", "bob": "blank", "cat": "right", "dan": "blank"}
    assert b.items["mapping_b"][0].chosen_wrong == {}
    csat = _exercise(reports[A06], "check_csat")
    assert csat.status == {"ann": "right", "bob": "wrong", "cat": "blank", "dan": "blank"}
    summary = csat.numbers["csat_pct"]
    assert (summary.right, summary.wrong, summary.blank) == (1, 1, 2)
    assert sum(summary.wrong_values.values()) == 1
    text = render_md(reports[A06])
    assert "`csat_pct`: expected" in text and "1 right, 1 wrong, 2 blank" in text


def _external_references(html: str) -> list[str]:
    """src/href attributes of the page's tags (script bodies are not parsed as tags)."""
    from html.parser import HTMLParser

    found: list[str] = []

    class Refs(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list) -> None:
            found.extend(f"{tag} {k}={v}" for k, v in attrs if k in ("src", "href") and v and not v.startswith("#"))

    Refs().feed(html)
    return found


def render_md(rep) -> str:
    from course.grading.report import render

    return render(rep)


@pytest.mark.grading
def test_wrong_numbers_are_named_by_the_mistake_they_match(reports: dict) -> None:
    rep = reports[A06]
    csat = _exercise(rep, "check_csat").numbers["csat_pct"]
    (value, count), = csat.wrong_values.items()
    assert float(value) == pytest.approx(csat_mean_by_hand(), rel=1e-5) and count == 1
    assert csat.mistakes[value].startswith("CSAT as the mean score")
    nps = _exercise(rep, "check_nps").numbers["nps_value"]
    labels = {v: nps.mistakes[v] for v in nps.wrong_values}
    assert labels[f"{nps_six_passive_by_hand():.6g}"].startswith("6 counted as a passive")
    assert labels["13"] is None  # cat's 13.0 matches no known mistake: "not recognised"
    mape = _exercise(rep, "check_mape").numbers["mape_pct"]
    assert list(mape.mistakes.values()) == ["a ratio (0-1) instead of a percent"]
    little = _exercise(rep, "check_littles_law").numbers["change_days_in_system"]
    assert list(little.mistakes.values()) == ["Little's law inverted: throughput / WIP instead of WIP / throughput"]
    assert "| 13 | 1 | not recognised |" in render_md(rep)


@pytest.mark.grading
def test_difficulty_and_discrimination_match_a_hand_computation(graded_class: Path, reports: dict) -> None:
    """Recomputed here from the gradebook's own per-cell scores with the textbook formulas."""
    import math
    import statistics

    from nbgrader.api import Gradebook

    rep = reports[A05]
    students = ["ann", "bob", "cat", "dan"]
    points: dict[str, dict[str, float]] = {s: {} for s in students}
    maxima: dict[str, float] = {}
    with Gradebook(f"sqlite:///{graded_class / 'gradebook.db'}") as gb:
        for s in students:
            for nb in gb.find_submission(A05, s).notebooks:
                for g in nb.grades:
                    if g.cell.cell_type == "code":
                        points[s][g.name] = float(g.auto_score)
                        maxima[g.name] = float(g.max_score)
    assert points["ann"] == maxima and all(v == 0 for v in points["dan"].values())
    # bob on graded_mapping: 6 items right, health-06 half right, 3 wrong: 6.5 of 10
    assert points["bob"]["check_graded_mapping"] == 6.5
    for ex in rep.exercises:
        gid = ex.grade_id
        frac = {s: points[s][gid] / maxima[gid] for s in students}
        answered = [s for s in students if ex.status[s] != "blank"]
        assert ex.difficulty == pytest.approx(statistics.fmean(frac[s] for s in answered))
        rest = [sum(points[s].values()) - points[s][gid] for s in students]
        item = [frac[s] for s in students]
        mi, mr = statistics.fmean(item), statistics.fmean(rest)
        cov = sum((a - mi) * (b - mr) for a, b in zip(item, rest))
        var = math.sqrt(sum((a - mi) ** 2 for a in item) * sum((b - mr) ** 2 for b in rest))
        assert ex.discrimination_r == (pytest.approx(cov / var) if var else None)
        # 4 students: groups of round(0.27 x 4) = 1, the top and the bottom by total score
        totals = {s: sum(points[s].values()) for s in students}
        top = max(students, key=lambda s: (totals[s], -students.index(s)))
        bottom = min(students, key=lambda s: (totals[s], -students.index(s)))
        assert ex.discrimination_d == pytest.approx(frac[top] - frac[bottom])
    # the graded mapping was answered by ann (1), bob (0.65) and cat: hardest ones first in the report
    ordered = [e.difficulty for e in rep.ordered()]
    assert ordered == sorted(ordered)


@pytest.mark.grading
def test_submissions_not_graded_say_why(reports: dict) -> None:
    reasons = {g.student: g.reason for g in reports[A06].not_graded}
    assert "eli" in reasons and "holds no notebook (expected 06-value-chain-metrics.ipynb)" in reasons["eli"]
    assert "eli" not in reports[A06].students
    assert "eli" not in reports[A05].students and reports[A05].not_submitted == ["eli"]


@pytest.mark.grading
def test_cli_writes_markdown_and_one_offline_html(graded_class: Path) -> None:
    import os

    out = subprocess.run([str(BIN / "svc-course"), "report", A05], cwd=graded_class, capture_output=True, text=True,
                         env=dict(os.environ, PATH=f"{BIN}:{os.environ.get('PATH', '')}"), timeout=300)
    assert out.returncode == 0, out.stderr
    md = graded_class / "reports" / f"{A05}.md"
    page = graded_class / "reports" / f"{A05}.html"
    assert md.is_file() and page.is_file()
    html = page.read_text(encoding="utf-8")
    assert page.stat().st_size < 5_000_000
    assert html.count("plotly.js v") == 1  # the library, once
    assert _external_references(html) == []  # nothing fetched from the network
    assert html.count('class="plotly-graph-div"') >= 3  # distribution, outcomes, the matrices
    assert "design and transition chosen for obtain/build: 33% (2 answers)" in html
    assert html.count("<table>") >= html.count('class="plotly-graph-div"')  # a table beside each chart
    for title in ("Score distribution (4 students)", "autograded score (% of 13 points)", "students (count)",
                  "Outcome per exercise, hardest first", "graded_mapping: true against chosen"):
        assert title in html, title  # chart and axis titles, with units
    assert 'role="img" aria-label="' in html
    for colour in ("#009E73", "#E69F00", "#D55E00"):  # Okabe-Ito
        assert colour in html
