"""The class report as one self-contained HTML page that opens offline.

plotly.js is embedded once in the page's head (about 4.8 MB); each chart is a
plotly figure drawn with it, beside a text table holding the same numbers.
Charts are accessible: a title, axis titles with units, the Okabe-Ito
colour-blind-safe palette plus a fill pattern per outcome (so the meaning never
rests on colour alone), and ``role="img"`` with a text alternative. Every text
that comes from a student is HTML-escaped; charts carry only counts and the
instructor's own labels.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from .report import ClassReport, Exercise, Matrix, STATUSES, confusion_sentence, score_bins

OKABE_ITO = {
    "orange": "#E69F00",
    "sky blue": "#56B4E9",
    "bluish green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish purple": "#CC79A7",
    "black": "#000000",
}
STATUS_STYLE = {
    "right": (OKABE_ITO["bluish green"], ""),
    "partly": (OKABE_ITO["orange"], "/"),
    "wrong": (OKABE_ITO["vermillion"], "x"),
    "blank": ("#BBBBBB", "."),
}
# a sequential scale from white to Okabe-Ito blue: readable in every colour vision
MATRIX_SCALE = [[0.0, "#FFFFFF"], [1.0, OKABE_ITO["blue"]]]

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:1.5rem auto;max-width:78rem;padding:0 1rem;color:#111;line-height:1.45}
h1{font-size:1.6rem}h2{font-size:1.3rem;margin-top:2rem;border-bottom:1px solid #ccc}h3{font-size:1.1rem;margin-top:1.5rem}
.pair{display:grid;grid-template-columns:minmax(0,3fr) minmax(0,2fr);gap:1.5rem;align-items:start}
.pair>figure{margin:0;min-width:0}.pair>.table{overflow-x:auto;min-width:0}
@media (max-width:60rem){.pair{grid-template-columns:minmax(0,1fr)}}
table{border-collapse:collapse;font-size:.9rem}th,td{border:1px solid #bbb;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f0f0f0}caption{text-align:left;font-weight:600;padding:.25rem 0}td.n{text-align:right}
.note{color:#333;font-size:.9rem}code{background:#f4f4f4;padding:0 .2rem}
"""


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _table(caption: str, header: list[str], rows: list[list[Any]], numeric: set[int] | None = None) -> str:
    numeric = numeric or set()
    out = [f"<table><caption>{_e(caption)}</caption><thead><tr>"]
    out += [f'<th scope="col">{_e(h)}</th>' for h in header]
    out.append("</tr></thead><tbody>")
    for row in rows:
        cells = []
        for i, value in enumerate(row):
            tag = "th scope=\"row\"" if i == 0 else ("td class=\"n\"" if i in numeric else "td")
            cells.append(f"<{tag}>{_e(value)}</{tag.split()[0]}>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _figure(fig: Any, alt: str) -> str:
    body = fig.to_html(full_html=False, include_plotlyjs=False, config={"displaylogo": False, "responsive": True})
    return f'<figure role="img" aria-label="{_e(alt)}">{body}<figcaption class="note">{_e(alt)}</figcaption></figure>'


def _pair(fig: Any, alt: str, table: str) -> str:
    return f'<div class="pair">{_figure(fig, alt)}<div class="table">{table}</div></div>'


def _layout(fig: Any, title: str, x: str, y: str, height: int = 380) -> None:
    fig.update_layout(title={"text": title}, xaxis_title=x, yaxis_title=y, height=height,
                      font={"size": 13}, margin={"l": 60, "r": 20, "t": 60, "b": 60},
                      plot_bgcolor="#FFFFFF", legend={"title": {"text": "outcome"}})
    fig.update_xaxes(showgrid=True, gridcolor="#DDDDDD")
    fig.update_yaxes(showgrid=True, gridcolor="#DDDDDD")


def _fmt(x: float | None, digits: int = 2) -> str:
    return "–" if x is None else f"{x:.{digits}f}"


def _distribution(report: ClassReport) -> str:
    import plotly.graph_objects as go

    bins = score_bins(report)
    fig = go.Figure(go.Bar(x=[b for b, _ in bins], y=[c for _, c in bins], marker_color=OKABE_ITO["blue"],
                           name="students"))
    _layout(fig, f"Score distribution ({len(report.students)} students)",
            f"autograded score (% of {report.max_total:g} points)", "students (count)")
    fig.update_yaxes(dtick=1 if max([c for _, c in bins] or [0]) <= 10 else None)
    table = _table("Students per score band", ["score band", "students"], [[b, c] for b, c in bins], {1})
    alt = "Bar chart of the number of students in each 10% band of the autograded score; the table beside it gives the counts."
    return _pair(fig, alt, table)


def _outcomes(report: ClassReport) -> str:
    import plotly.graph_objects as go

    ordered = report.ordered()
    names = [e.grade_id for e in ordered]
    fig = go.Figure()
    for status in STATUSES:
        colour, pattern = STATUS_STYLE[status]
        fig.add_trace(go.Bar(y=names, x=[e.count(status) for e in ordered], name=status, orientation="h",
                             marker={"color": colour, "pattern": {"shape": pattern, "fgcolor": "#333333"},
                                     "line": {"color": "#333333", "width": 0.5}}))
    fig.update_layout(barmode="stack")
    _layout(fig, "Outcome per exercise, hardest first", "students (count)", "exercise (test cell)",
            height=max(320, 28 * len(names) + 140))
    fig.update_yaxes(autorange="reversed")
    rows = [[e.grade_id, f"{e.points:g}", e.answered, e.count("right"), e.count("partly"), e.count("wrong"),
             e.count("blank"), _fmt(e.difficulty), _fmt(e.discrimination_r), _fmt(e.discrimination_d)] for e in ordered]
    table = _table("Exercises, hardest first (difficulty among those who answered)",
                   ["exercise", "points", "answered", "right", "partly", "wrong", "blank", "difficulty", "r", "D"],
                   rows, set(range(1, 10)))
    alt = ("Stacked bar chart: for each exercise, the number of students right, partly right, wrong and blank "
           "(patterns: plain, stripes, crosses, dots); the table beside it gives the counts and the item statistics.")
    return _pair(fig, alt, table)


def _matrix(name: str, matrix: Matrix) -> str:
    import plotly.graph_objects as go

    rows = [c for c in matrix.categories if matrix.answered[c]]
    cols = [c for c in matrix.categories if any(matrix.counts[(t, c)] for t in rows)] or rows
    z = [[matrix.counts[(t, c)] for c in cols] for t in rows]
    fig = go.Figure(go.Heatmap(z=z, x=cols, y=rows, colorscale=MATRIX_SCALE, text=z, texttemplate="%{text}",
                               colorbar={"title": {"text": "answers"}}, xgap=1, ygap=1,
                               hovertemplate="true: %{y}<br>chosen: %{x}<br>answers: %{z}<extra></extra>"))
    _layout(fig, f"{name}: true against chosen", "chosen (answers, count)", "true", height=max(320, 48 * len(rows) + 160))
    fig.update_yaxes(autorange="reversed")
    table = _table(f"{name}: answers by true (rows) and chosen (columns)", ["true \\ chosen", *cols, "answers"],
                   [[t, *[matrix.counts[(t, c)] for c in cols], matrix.answered[t]] for t in rows],
                   set(range(1, len(cols) + 2)))
    conf = matrix.confusions()
    sentences = "".join(f"<li>{_e(confusion_sentence(t, c, k, sh))}</li>" for t, c, k, sh in conf) or "<li>none</li>"
    alt = (f"Heatmap of {name}: each row a true category, each column a chosen one, each cell the number of answers; "
           "the diagonal is right. The table beside it gives the same counts.")
    return (_pair(fig, alt, table) + "<p class=\"note\">Confusions, as a share of the answers whose truth includes "
            f"the row's category:</p><ul>{sentences}</ul>")


def _exercise(e: Exercise) -> str:
    parts = [f"<h3 id=\"{_e(e.grade_id)}\">{_e(e.grade_id)}{': ' + _e(e.title) if e.title else ''}</h3>",
             f"<p class=\"note\">{e.answered} answered ({e.count('right')} right, {e.count('partly')} partly, "
             f"{e.count('wrong')} wrong), {e.count('blank')} blank; difficulty {_fmt(e.difficulty)}, "
             f"r {_fmt(e.discrimination_r)}, D {_fmt(e.discrimination_d)}.</p>"]
    for name, items in e.items.items():
        rows = [[it.item_id, " + ".join(it.truth), it.answered, it.right, it.partly, it.wrong, it.blank,
                 "; ".join(f"{c} ({k})" for c, k in it.chosen_wrong.most_common()) or "–"] for it in items]
        parts.append(_table(f"{name}: every item, most often not right first",
                            ["item", "truth", "answered", "right", "partly", "wrong", "blank", "chosen instead"],
                            rows, {2, 3, 4, 5, 6}))
        if name in e.matrices:
            parts.append(_matrix(name, e.matrices[name]))
    for name, num in e.numbers.items():
        parts.append(f"<p><code>{_e(name)}</code>: expected {_e(f'{num.expected:.6g}')}; {num.right} right, "
                     f"{num.wrong} wrong, {num.blank} blank.</p>")
        if num.wrong_values:
            parts.append(_table(f"{name}: wrong values sent", ["wrong value", "students", "mistake it matches"],
                                [[v, c, num.mistakes.get(v) or "not recognised"] for v, c in num.wrong_values.most_common()],
                                {1}))
    for name, val in e.values.items():
        if val.differences:
            parts.append(_table(f"{name}: differences from the expected answer", ["difference", "students"],
                                [[d, c] for d, c in val.differences.most_common()], {1}))
        elif val.wrong_values:
            parts.append(_table(f"{name}: wrong answers sent", ["answer", "students"],
                                [[v, c] for v, c in val.wrong_values.most_common(10)], {1}))
    if e.hints and (e.items or e.numbers or any(v.wrong_values for v in e.values.values())):
        parts.append("<details><summary>Hints the check gives (context)</summary><ul>"
                     + "".join(f"<li>{_e(h)}</li>" for h in e.hints) + "</ul></details>")
    return "".join(parts)


def render_html(report: ClassReport) -> str:
    """The whole page as one string (plotly.js included once)."""
    from plotly.offline import get_plotlyjs

    n = len(report.students)
    body = [f"<h1>What the class misunderstands: {_e(report.assignment)}</h1>",
            f"<p>{n} graded submission{'s' if n != 1 else ''}; scores from {_e(report.score_source)}. A blank answer "
            "(still <code>None</code>, or never reported) is counted as blank, never as a misconception.</p>",
            "<h2>Definitions</h2><ul>"
            "<li><b>difficulty</b>: mean fraction of the exercise's points among the students who answered it "
            "(1 = all right; blanks left out).</li>"
            "<li><b>r</b>: discrimination as the corrected item-total correlation (Pearson correlation of the item's "
            "fraction with the points on the other exercises, every graded student, blanks scoring 0; the "
            "point-biserial for right/wrong items). Above 0.3 separates strong from weak students well.</li>"
            "<li><b>D</b>: upper-lower discrimination: the item's mean fraction in the top 27% of students by total "
            "autograded score minus the bottom 27%.</li></ul>"]
    if report.students:
        body += ["<h2>Score distribution</h2>", _distribution(report),
                 "<h2>Exercises, hardest first</h2>", _outcomes(report)]
    body.append("<h2>Each exercise</h2>")
    body += [_exercise(e) for e in report.ordered()]
    body.append("<h2>Submissions not graded, or graded with notes</h2>")
    if report.not_graded:
        body.append(_table("Submissions not graded or graded with notes", ["student", "what happened"],
                           [[g.student, g.reason] for g in report.not_graded]))
    else:
        body.append("<p>Every submission was graded without notes.</p>")
    if report.not_submitted:
        body.append(f"<p>Students of the course who did not submit: {_e(', '.join(report.not_submitted))}.</p>")
    head = (f"<meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{_e(report.assignment)}: what the class misunderstands</title><style>{_CSS}</style>"
            f"<script type=\"text/javascript\">{get_plotlyjs()}</script>")
    return f"<!DOCTYPE html><html lang=\"en\"><head>{head}</head><body><main>{''.join(body)}</main></body></html>\n"


def write_html(report: ClassReport, path: Path) -> Path:
    """Write the page to ``path`` and return it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_html(report), encoding="utf-8")
    return path
