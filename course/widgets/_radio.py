"""A keyboard-friendly radio group for the quiz, as a small anywidget view.

ipywidgets' ``RadioButtons`` lets JupyterLab see the arrow keys: in command
mode ArrowDown selects the next cell instead of the next option. Lumino (the
toolkit under JupyterLab 4) stops matching shortcuts at an element carrying
``data-lm-suppress-shortcuts``; it tests the attribute on each element from the
event's target upwards *before* matching that element, and the notebook's
ArrowDown shortcut matches the focused element itself, so each radio input
carries the attribute (the group does too). The browser's own radio behaviour then
applies: ArrowDown/ArrowRight check the next option, ArrowUp/ArrowLeft the
previous one, and focus stays in the group. A ``{"do": "focus"}`` message (what
``Widget.focus()`` sends) focuses the checked option, or the first.

Imported only when ``anywidget`` is installed (see :func:`course.widgets._common.radio_group`).
"""

from __future__ import annotations

import anywidget
import traitlets

_ESM = r"""
function render({ model, el }) {
  el.classList.add("svc-radio-group");
  const label = document.createElement("div");
  label.className = "svc-radio-label";
  label.id = "svc-radio-" + Math.random().toString(36).slice(2);
  const group = document.createElement("div");
  group.setAttribute("role", "radiogroup");
  group.setAttribute("aria-labelledby", label.id);
  group.setAttribute("data-lm-suppress-shortcuts", "true");
  el.append(label, group);
  const name = label.id + "-option";

  function inputs() {
    return Array.from(group.querySelectorAll("input[type=radio]"));
  }
  function sync() {
    const value = model.get("value");
    const disabled = model.get("disabled");
    for (const input of inputs()) {
      input.checked = input.value === value;
      input.disabled = disabled;
    }
  }
  function draw() {
    label.textContent = model.get("description");
    group.replaceChildren();
    for (const [text, value] of model.get("options")) {
      const option = document.createElement("label");
      option.className = "svc-radio-option";
      const input = document.createElement("input");
      input.type = "radio";
      input.name = name;
      // Lumino checks the attribute on the focused element before matching it against a
      // shortcut's selector (".jp-Notebook.jp-mod-commandMode ... :focus"), so it goes here.
      input.setAttribute("data-lm-suppress-shortcuts", "true");
      input.value = value;
      input.addEventListener("change", () => {
        if (input.checked) {
          model.set("value", value);
          model.save_changes();
        }
      });
      option.append(input, document.createTextNode(" " + text));
      group.append(option);
    }
    sync();
  }
  model.on("change:options", draw);
  model.on("change:description", draw);
  model.on("change:value", sync);
  model.on("change:disabled", sync);
  model.on("msg:custom", (msg) => {
    if (msg && msg.do === "focus") {
      const all = inputs().filter((i) => !i.disabled);
      const target = all.find((i) => i.checked) || all[0];
      if (target) target.focus();
    }
  });
  draw();
}
export default { render };
"""


class RadioGroup(anywidget.AnyWidget):
    """Options as ``(label, value)`` pairs, the chosen ``value`` (or None), ``disabled`` and a ``description``."""

    _esm = _ESM
    options = traitlets.List(traitlets.Tuple(traitlets.Unicode(), traitlets.Unicode())).tag(sync=True)
    value = traitlets.Unicode(None, allow_none=True).tag(sync=True)
    disabled = traitlets.Bool(False).tag(sync=True)
    description = traitlets.Unicode("").tag(sync=True)

    @traitlets.validate("value")
    def _known_value(self, proposal: traitlets.Bunch) -> str | None:
        value = proposal["value"]
        if value is not None and value not in {v for _, v in self.options}:
            raise traitlets.TraitError(f"{value!r} is not one of the options")
        return value
