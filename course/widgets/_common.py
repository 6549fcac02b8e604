"""Shared pieces of the widget views: error boxes, labelled controls, text marks, charts.

Views stay thin: they wire ipywidgets to the pure logic in :mod:`course.practice`
and to :mod:`course.progress`. Everything here is small and has no side effects
at import time.
"""

from __future__ import annotations

import functools
import html
import json
import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import ipywidgets as w

F = TypeVar("F", bound=Callable[..., w.Widget])

MARK_CLASSES = {"[OK]": "svc-ok", "[PARTLY]": "svc-partly", "[WRONG]": "svc-wrong", "[MISSING]": "svc-wrong"}

_CSS = """
<style>
.svc-widget { max-width: 56rem; font-size: var(--jp-content-font-size1, 14px); }
.svc-widget .widget-label, .svc-widget .widget-label-basic { min-width: max-content; }
.svc-card { padding: 0.5em 0.75em; border: 1px solid #999; border-radius: 4px; margin: 0.25em 0; }
.svc-line { margin: 0.2em 0; padding-left: 0.5em; border-left: 4px solid transparent; }
.svc-ok { border-left-color: #009E73; }
.svc-partly { border-left-color: #E69F00; }
.svc-wrong { border-left-color: #D55E00; }
.svc-note { color: inherit; font-style: italic; }
.svc-feedback .svc-line:first-child { font-weight: bold; }
.svc-panel-quizzes th, .svc-panel-quizzes td { padding: 0.15em 0.9em 0.15em 0; text-align: left; }
.svc-code { font-family: var(--jp-code-font-family, monospace); white-space: pre; overflow-x: auto;
            user-select: all; padding: 0.4em; border: 1px dashed #999; }
.svc-radio-group label { display: block; padding: 0.1em 0; }
.svc-confirm { padding: 0.4em 0.6em; border: 1px solid #E69F00; border-left-width: 4px; margin: 0.25em 0; }
</style>
"""

_FALLBACK_CSS = (
    # hidden while the widget beside it is alive; shown again when its kernel is gone
    # (ipywidgets marks the views of a restarted kernel "jupyter-widgets-disconnected")
    ".jp-OutputArea:has(.svc-live) .svc-fallback { display: none; }"
    ".jp-OutputArea:has(.svc-live.jupyter-widgets-disconnected) .svc-fallback { display: block; }"
    ".svc-live.jupyter-widgets-disconnected { opacity: 0.55; pointer-events: none; }"
)
_CSS = _CSS.replace("</style>", _FALLBACK_CSS + "\n</style>")

FALLBACK_TEXT = (
    "This interactive widget needs a running kernel: run this cell again (Shift+Enter) to show it. "
    "What you did in it is kept in your progress file."
)
"""What a notebook shows where a widget cannot be drawn (after a kernel restart, in a static viewer)."""

_FALLBACK_HTML = (
    '<div class="svc-fallback" role="note" style="padding:0.3em 0.6em;border-left:4px solid #999">'
    f"{html.escape(FALLBACK_TEXT)}</div>"
)


def fallback_bundle() -> dict[str, str]:
    """The display bundle of the note shown where a widget cannot be drawn.

    JupyterLab hides it while the widget beside it is alive (a CSS rule that the
    widget's own style sheet carries); after a kernel restart the widget shows
    "Error displaying widget: model not found" and this note says what to do.
    Viewers without widgets (nbviewer, GitHub, nbconvert) show it as well.
    """
    return {"text/html": _FALLBACK_HTML, "text/plain": FALLBACK_TEXT}


def _display_live(widget: w.DOMWidget, description: str) -> None:
    from IPython.display import display

    bundle = widget._repr_mimebundle_()
    if isinstance(bundle, tuple):
        bundle = bundle[0]
    data = dict(bundle or {})
    data["text/plain"] = description
    display(data, raw=True)
    display(fallback_bundle(), raw=True)


class LiveBox(w.VBox):
    """The outermost box of a course widget: shown with a plain-text fallback note beside it.

    ``plain`` is the widget's one-line text alternative (its title).
    """

    plain = "course widget"

    def _ipython_display_(self, **kwargs: Any) -> None:
        _display_live(self, f"{self.plain} (interactive widget)")


class LiveHTML(w.HTML):
    """An HTML widget shown with the same fallback note (used for error messages)."""

    plain = ""

    def _ipython_display_(self, **kwargs: Any) -> None:
        _display_live(self, self.plain)


def style() -> w.HTML:
    """A hidden HTML widget carrying the widgets' small style sheet."""
    return w.HTML(_CSS, layout=w.Layout(display="none"))


def esc(text: Any) -> str:
    """Escape ``text`` for HTML."""
    return html.escape(str(text))


def lines_html(lines: Sequence[str], css: str = "svc-feedback") -> str:
    """Plain-text lines as HTML paragraphs; a line starting with a text mark gets its border class."""
    parts = []
    for line in lines:
        mark = line.split(" ", 1)[0]
        cls = MARK_CLASSES.get(mark, "")
        parts.append(f'<div class="svc-line {cls}">{esc(line)}</div>')
    return f'<div class="{css}" role="status" aria-live="polite">{"".join(parts)}</div>'


def error_box(message: str) -> w.HTML:
    """The short message shown instead of a widget whose data cannot be used (class ``svc-error``)."""
    box = LiveHTML(
        f"<style>{_FALLBACK_CSS}</style>"
        f'<div role="alert" class="svc-card"><b>[ERROR]</b> This exercise cannot start: {esc(message)}</div>'
    )
    box.plain = f"[ERROR] This exercise cannot start: {message}"
    box.add_class("svc-error")
    box.add_class("svc-live")
    return box


def _describe(exc: BaseException) -> str:
    if isinstance(exc, FileNotFoundError):
        if exc.filename:
            return f"the file {exc.filename} was not found."
        return f"{exc}."
    if isinstance(exc, KeyError) and exc.args:
        return f"{exc.args[0]}."
    return f"{exc}"


def guarded(build: F) -> F:
    """Wrap a widget builder so missing or malformed data gives :func:`error_box`, never a traceback."""

    @functools.wraps(build)
    def wrapper(*args: Any, **kwargs: Any) -> w.Widget:
        try:
            return build(*args, **kwargs)
        except (FileNotFoundError, KeyError, ValueError) as exc:
            return error_box(_describe(exc))

    return wrapper  # type: ignore[return-value]


def button(description: str, tooltip: str, *, css: str = "", primary: bool = False, disabled: bool = False) -> w.Button:
    """A keyboard-operable button whose label and tooltip a screen reader reads."""
    b = w.Button(
        description=description,
        tooltip=tooltip,
        disabled=disabled,
        button_style="primary" if primary else "",
        layout=w.Layout(width="auto"),
    )
    if css:
        b.add_class(css)
    return b


def outer(title: str, children: Sequence[w.Widget], css: str) -> w.VBox:
    """The outermost box of a widget: its title, the shared style and its CSS class."""
    heading = w.HTML(f'<h4 class="svc-title" style="margin:0.2em 0">{esc(title)}</h4>')
    box = LiveBox([style(), heading, *children], layout=w.Layout(width="100%"))
    box.plain = title
    box.add_class("svc-widget")
    box.add_class("svc-live")
    box.add_class(css)
    return box


def focus(widget: w.DOMWidget) -> None:
    """Move the keyboard focus to ``widget`` in the browser (so it never falls back to the page)."""
    try:
        widget.focus()
    except Exception:  # no front end attached (headless): nothing to focus
        pass


def note_html(message: str | None) -> str:
    """A progress-file message as HTML (empty when there is none)."""
    return f"<div>{esc(message)}</div>" if message else ""


def radio_group(description: str, css: str) -> w.DOMWidget:
    """A radio group whose arrow keys move between its options and never reach JupyterLab's shortcuts.

    With ``anywidget`` it is a small view (:mod:`course.widgets._radio`) whose
    group carries ``data-lm-suppress-shortcuts``, so ArrowDown moves to the next
    option instead of the next cell. Without it, ``ipywidgets.RadioButtons``.
    Either way it has ``options`` (``(label, value)`` pairs), ``value`` and
    ``disabled``.
    """
    if anywidget_available():
        from ._radio import RadioGroup

        group: w.DOMWidget = RadioGroup(description=description, layout=w.Layout(width="100%"))
    else:
        group = w.RadioButtons(
            options=[], value=None, description=description,
            style={"description_width": "initial"}, layout=w.Layout(width="100%"),
        )
    group.add_class(css)
    return group


def anywidget_available() -> bool:
    """Whether plotly's interactive ``FigureWidget`` can be used (it needs ``anywidget``)."""
    try:
        import anywidget  # noqa: F401
    except ImportError:
        return False
    return True


class Chart:
    """A plotly figure that updates in place as the student works.

    With ``anywidget`` installed the figure is a ``plotly.graph_objects.FigureWidget``
    updated in a batch. Without it (plotly 6+ needs ``anywidget`` for
    ``FigureWidget``), it is an ``ipywidgets.Output`` whose one output is the
    figure's plotly JSON, replaced on each update (JupyterLab's plotly renderer
    redraws it). Either way the widgets are created once. ``widget`` is the box
    to place in a view (it carries ``css`` and can be hidden); ``inner`` is the
    figure widget itself.
    """

    def __init__(self, figure: Any, *, css: str = "svc-chart"):
        self.figure = figure
        height = figure.layout.height or 450
        if anywidget_available():
            import plotly.graph_objects as go

            self.inner: w.Widget = go.FigureWidget(figure)
            self._live = True
        else:
            self.inner = w.Output(layout=w.Layout(width="100%", min_height=f"{height + 10}px"))
            self._live = False
            self._render()
        self.widget = w.VBox([self.inner], layout=w.Layout(width="100%"))
        self.widget.add_class(css)

    @property
    def live(self) -> bool:
        """Whether the figure is a ``FigureWidget`` (updated in place by plotly.js)."""
        return self._live

    def show(self, visible: bool = True) -> None:
        """Show or hide the chart."""
        self.widget.layout.display = None if visible else "none"

    def spec(self) -> dict[str, Any]:
        """The figure as plotly JSON (what the front end draws)."""
        source = self.inner if self._live else self.figure
        return json.loads(source.to_json())

    def _render(self) -> None:
        spec = json.loads(self.figure.to_json())
        spec["config"] = {"displaylogo": False}
        bundle = {
            "application/vnd.plotly.v1+json": spec,
            "text/plain": self.figure.layout.title.text or "chart",
        }
        self.inner.outputs = ({"output_type": "display_data", "data": bundle, "metadata": {}},)

    def update(self, traces: Sequence[dict[str, Any]], layout: dict[str, Any] | None = None) -> None:
        """Set properties of trace ``i`` from ``traces[i]`` and of the layout, then redraw."""
        target = self.inner if self._live else self.figure
        with target.batch_update():
            for trace, props in zip(target.data, traces):
                trace.update(props)
            if layout:
                target.layout.update(layout)
        if not self._live:
            self._render()


class Debouncer:
    """Call ``action`` once, ``delay`` seconds after the last of a burst of triggers.

    ``delay=0`` calls it at once (used headless and in tests).
    """

    def __init__(self, action: Callable[[], None], delay: float = 0.15):
        self.action = action
        self.delay = delay
        self._timer: threading.Timer | None = None
        self._lock = threading.Lock()

    def __call__(self, *_: Any) -> None:
        if self.delay <= 0:
            self.action()
            return
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
            self._timer = threading.Timer(self.delay, self.action)
            self._timer.daemon = True
            self._timer.start()
