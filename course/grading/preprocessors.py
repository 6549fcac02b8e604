"""nbgrader preprocessors that make autograding trustworthy.

They plug into ``nbgrader autograde`` through its configuration (see
:func:`course.grading.config.configure`, called from ``nbgrader_config.py``):

* :class:`RepairSubmission` (first sanitize step): makes a submission's nbgrader
  metadata agree with the instructor's source notebook: unknown, duplicated
  (copied) or edited grade cells lose their metadata, cell types are restored,
  and deleted test cells are put back, so nbgrader's own steps never stop on a
  student's notebook.
* :class:`SandboxedExecute` (replaces nbgrader's ``Execute``): runs the notebook
  in the bubblewrap sandbox, sends test cells to the kernel *without* their
  hidden tests, caps output, and turns a dead, hung or over-budget kernel into
  an explanation instead of a lost submission.
* :class:`TrustedGrade` (right after execution): decides each test cell's grade
  outside the kernel (:mod:`course.grading.trusted`) and rewrites its outputs so
  that nbgrader's ``SaveAutoGrades`` records exactly that decision.
"""

from __future__ import annotations

import copy
import inspect
import json
import re
import time
from typing import Any

from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat.notebooknode import NotebookNode, from_dict
from nbgrader.preprocessors import Execute, NbGraderPreprocessor

from ..answers import report_payload
from . import spare_kernel
from .nodes import course_root_of, error_output, stream_output
from .notes import add_note, who
from .sandbox import (
    Sandbox,
    SandboxKernelManager,
    SandboxUnavailable,
    kill_uid,
    preflight,
)
from .trusted import run_test_cell, strip_hidden_tests

STATE_KEY = "svc_grading"
NOT_RUN_KEY = "svc_not_run"


def _nbgrader(cell: Any) -> dict[str, Any] | None:
    md = cell.get("metadata", {}).get("nbgrader")
    return md if isinstance(md, dict) else None


def _is_test_cell(cell: Any) -> bool:
    md = _nbgrader(cell)
    return bool(md and md.get("grade") is True and not md.get("solution") and cell.cell_type == "code")


def _normal(source: str) -> str:
    return "\n".join(line.rstrip() for line in source.strip().splitlines())


class RepairSubmission(NbGraderPreprocessor):
    """Make a submission's graded cells match the source notebook before nbgrader checks them."""

    def _reference(self, resources: dict[str, Any]) -> list[NotebookNode]:
        import nbformat

        info = resources["nbgrader"]
        path = course_root_of(self) / "source" / info["assignment"] / f"{info['notebook']}.ipynb"
        ref = nbformat.read(str(path), as_version=4)
        return [c for c in ref.cells if _nbgrader(c) and _nbgrader(c).get("grade_id")]

    def preprocess(self, nb: NotebookNode, resources: dict[str, Any]) -> tuple[NotebookNode, dict[str, Any]]:
        ref_cells = self._reference(resources)
        ref = {_nbgrader(c)["grade_id"]: c for c in ref_cells}
        order = [_nbgrader(c)["grade_id"] for c in ref_cells]
        seen: dict[str, int] = {}
        notes: list[str] = []
        for index, cell in enumerate(nb.cells):
            md = cell.get("metadata", {}).get("nbgrader")
            if md is None:
                continue
            grade_id = md.get("grade_id") if isinstance(md, dict) else None
            if not isinstance(md, dict) or grade_id not in ref:
                del cell.metadata["nbgrader"]
                notes.append(f"cell {index + 1} carried grading metadata that is not in the assignment; it was graded as an ordinary cell")
                continue
            if grade_id in seen:
                del cell.metadata["nbgrader"]
                notes.append(f"cell {index + 1} is a copy of graded cell '{grade_id}'; only the first copy counts")
                continue
            seen[grade_id] = index
            want = ref[grade_id]
            if md != _nbgrader(want):
                if any(md.get(k) != _nbgrader(want).get(k) for k in ("grade", "solution", "points", "locked")):
                    notes.append(f"the grading settings of cell '{grade_id}' had been edited; the originals were restored")
                cell.metadata["nbgrader"] = copy.deepcopy(_nbgrader(want))
            if cell.cell_type != want.cell_type:
                self._set_type(cell, want.cell_type)
                notes.append(f"cell '{grade_id}' had been changed to {cell.cell_type}; its type was restored")
            if _nbgrader(want).get("locked") and not _nbgrader(want).get("solution"):
                # A locked cell is graded as the instructor wrote it, hidden tests included
                # (nbgrader's OverwriteCells would restore it too, warning about every test
                # cell, since the stored checksum covers the hidden tests a student never had).
                given = _normal(cell.source)
                if given not in (_normal(want.source), _normal(strip_hidden_tests(want.source))):
                    notes.append(f"the locked cell '{grade_id}' had been edited; the original was restored")
                cell.source = want.source
        # put back graded cells the student deleted, after the closest preceding one
        for pos, grade_id in enumerate(order):
            if grade_id in seen:
                continue
            want = ref[grade_id]
            cell = self._blank_copy(want)
            after = next((seen[g] for g in reversed(order[:pos]) if g in seen), -1)
            nb.cells.insert(after + 1, cell)
            seen = {g: (i + 1 if i > after else i) for g, i in seen.items()}
            seen[grade_id] = after + 1
            what = "test cell" if _is_test_cell(want) else "answer cell"
            notes.append(f"{what} '{grade_id}' was missing from the submission and was put back")
        for note in notes:
            add_note(nb, note)
            self.log.warning("%s: %s", who(resources), note)
        return nb, resources

    @staticmethod
    def _set_type(cell: NotebookNode, cell_type: str) -> None:
        cell.cell_type = cell_type
        if cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        else:
            cell.pop("outputs", None)
            cell.pop("execution_count", None)

    @staticmethod
    def _blank_copy(want: NotebookNode) -> NotebookNode:
        cell = copy.deepcopy(want)
        grade_id = (_nbgrader(want) or {}).get("grade_id") or want.get("id") or "cell"
        cell["id"] = re.sub(r"[^A-Za-z0-9_-]", "-", f"restored-{grade_id}")[:64]  # the same id on every regrade
        md = _nbgrader(cell) or {}
        if md.get("solution"):
            cell.source = "# (this answer cell was missing from the submission)" if cell.cell_type == "code" else "(missing from the submission)"
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        return cell


class SandboxedExecute(Execute):
    """nbgrader's Execute, run in the sandbox, with hidden tests kept out of the kernel."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sandbox = Sandbox(config=self.config)
        if self.sandbox.enabled:
            self.kernel_manager_class = SandboxKernelManager
            # Nothing in a sandbox outlives its notebook, so there is nothing for a graceful shutdown to
            # save; a sandboxed ipykernel asked to shut down often took 2.5 s to go (then was killed anyway).
            self.shutdown_kernel = "immediate"

    def preprocess(self, nb: NotebookNode, resources: Any = None, km: Any = None) -> tuple[NotebookNode, Any]:
        preflight(self.sandbox)  # once per process; nbgrader autograde did it already (exporter)
        state = resources.setdefault(STATE_KEY, {"notes": []})
        full: dict[int, str] = {}
        for index, cell in enumerate(nb.cells):
            if _is_test_cell(cell):
                full[index] = cell.source
                cell.source = strip_hidden_tests(cell.source)
        self._kernel_uids: list[int] = []
        self._ready_km = self._take_spare(nb, resources) if self.sandbox.enabled else None
        self._stop_reason = ""
        self._deadline = time.monotonic() + self.sandbox.notebook_seconds
        self._out_bytes: dict[int, int] = {}
        self._state = state
        try:
            nb, resources = super().preprocess(nb, resources, km=km)
        except SandboxUnavailable:
            raise
        except (DeadKernelError, RuntimeError) as exc:
            # the kernel could not start or died outside a cell
            reason = f"the notebook's kernel stopped unexpectedly ({type(exc).__name__}: {str(exc)[:200]})"
            self._stop_reason = self._stop_reason or reason
            for cell in nb.cells:
                if cell.cell_type == "code" and not cell.get("outputs"):
                    cell.metadata.setdefault(NOT_RUN_KEY, reason)
        finally:
            for index, source in full.items():
                nb.cells[index].source = source
            if self._ready_km is not None:  # never used (the notebook had no code to run)
                spare_kernel.discard(self._ready_km)
                self._ready_km = None
            for uid in self._kernel_uids:
                kill_uid(uid)  # nothing the student started outlives the notebook
        if self._stop_reason:
            state["notes"].append(self._stop_reason)
        return nb, resources

    def _take_spare(self, nb: NotebookNode, resources: Any) -> SandboxKernelManager | None:
        """This notebook's kernel if a spare one was started for it; start the spare for the next one."""
        if not self.sandbox.start_ahead:
            return None
        name = self.kernel_name or nb.metadata.get("kernelspec", {}).get("name") or ""
        key = spare_kernel.settings_key(name, self.config)
        km = spare_kernel.take(key, (resources.get("metadata") or {}).get("path") or None)
        spare_kernel.start_for(self.config, name)
        return km

    def create_kernel_manager(self) -> Any:
        """The spare kernel taken for this notebook, else a new kernel manager (nbclient starts its kernel)."""
        km, self._ready_km = self._ready_km, None
        if km is not None:
            self.km = km
        else:
            km = super().create_kernel_manager()
        uid = getattr(km, "sandbox_uid", None)
        if uid is not None:
            self._kernel_uids.append(uid)
        return km

    def preprocess_cell(self, cell: NotebookNode, resources: Any, index: int) -> tuple[NotebookNode, Any]:
        if cell.cell_type != "code":
            return cell, resources
        if self._stop_reason:
            cell.metadata[NOT_RUN_KEY] = self._stop_reason
            return cell, resources
        if time.monotonic() > self._deadline:
            self._stop(f"the notebook used up its {self.sandbox.notebook_seconds} s time budget before cell {index + 1}; later cells were not run")
            cell.metadata[NOT_RUN_KEY] = self._stop_reason
            return cell, resources
        try:
            cell = self.execute_cell(cell, index, store_history=True)
        except DeadKernelError:
            self._stop(
                f"the kernel stopped while running cell {index + 1} (the code exited the process, crashed, "
                "ran out of memory or used up its CPU time); cells after it were not run"
            )
            cell.outputs.append(error_output("KernelStopped", self._stop_reason))
            return cell, self.resources
        except CellTimeoutError:
            self._stop(f"cell {index + 1} did not finish within {self.timeout} s and could not be interrupted; cells after it were not run")
            cell.outputs.append(error_output("CellTimeout", self._stop_reason))
            return cell, self.resources
        if any(o.get("ename") == "CellTimeoutError" for o in cell.outputs if o.get("output_type") == "error"):
            self._state["notes"].append(f"cell {index + 1} was stopped after the {self.timeout} s time limit")
            if not self._responsive():
                self._stop(f"cell {index + 1} ran past its time limit and ignored the interrupt; cells after it were not run")
        return cell, self.resources

    def output(self, outs: list[NotebookNode], msg: dict[str, Any], display_id: str | None, cell_index: int) -> NotebookNode | None:
        """Keep a cell's outputs up to ``c.Sandbox.max_output_bytes``; drop the rest, with a note saying so.

        A stream message that crosses the limit keeps the text that fits; the
        grading notes name the cell once.
        """
        content = msg.get("content", {})
        size = len(json.dumps(content, default=str))
        used = self._out_bytes.get(cell_index, 0)
        limit = self.sandbox.max_output_bytes
        if used > limit:
            return None
        self._out_bytes[cell_index] = used + size
        if used + size <= limit:
            return super().output(outs, msg, display_id, cell_index)
        text = content.get("text")
        if msg.get("msg_type") == "stream" and isinstance(text, str) and limit - used > 0:
            part = dict(msg, content=dict(content, text=text[: limit - used]))
            super().output(outs, part, display_id, cell_index)
        note = from_dict({"output_type": "stream", "name": "stdout", "text": f"\n[output beyond {limit} bytes was dropped by the grader]\n"})
        outs.append(note)
        self._state["notes"].append(f"cell {cell_index + 1} printed more than {limit} bytes; the rest of its output was dropped")
        return note

    def _responsive(self) -> bool:
        try:
            reply = self.wait_for_reply(self.kc.kernel_info(), timeout=5)
        except Exception:
            return False
        return reply is not None

    def _stop(self, reason: str) -> None:
        self._stop_reason = reason
        km = self.km
        if km is None:
            return
        try:
            if inspect.iscoroutinefunction(km.shutdown_kernel):  # the sandbox's manager is async
                from jupyter_core.utils import run_sync

                run_sync(km.shutdown_kernel)(now=True)
            else:
                km.shutdown_kernel(now=True)
        except Exception:  # noqa: BLE001 - the kernel may already be gone
            pass


SAFE_MIME_TYPES = ("text/plain", "image/png", "image/jpeg")


def _keep_safe_outputs(cell: NotebookNode) -> None:
    """Drop output formats that could run script where instructors view graded notebooks.

    Students' outputs are rendered in formgrader and in feedback files; HTML,
    JavaScript, SVG and widget views from an untrusted kernel are reduced to their
    plain-text form there.
    """
    kept = []
    for out in cell.get("outputs", []):
        if out.get("output_type") in ("display_data", "execute_result"):
            data = {k: v for k, v in (out.get("data") or {}).items() if k in SAFE_MIME_TYPES}
            if not data:
                continue
            out["data"] = data
            out["metadata"] = {}
        kept.append(out)
    cell.outputs = kept


class TrustedGrade(NbGraderPreprocessor):
    """Decide each test cell's grade outside the kernel and record it as nbgrader expects."""

    def preprocess(self, nb: NotebookNode, resources: dict[str, Any]) -> tuple[NotebookNode, dict[str, Any]]:
        from .trusted import collect_answers

        state = resources.get(STATE_KEY, {"notes": []})
        for cell in nb.cells:
            not_run = cell.metadata.pop(NOT_RUN_KEY, None)
            if not _is_test_cell(cell):
                if cell.cell_type == "code":
                    _keep_safe_outputs(cell)  # test cells' outputs are rebuilt below
                continue
            md = _nbgrader(cell)
            points = float(md.get("points", 0) or 0)
            if not_run and not cell.get("outputs"):
                cell.outputs = [stream_output(f"[NOT RUN] This check did not run: {not_run}.")]
                cell.outputs.append(error_output("NotRun", "this check did not run"))
                continue
            answers, problems = collect_answers(cell.get("outputs", []))
            verdict = run_test_cell(cell.source, answers, cell_name=md.get("grade_id", "test cell"))
            cell.outputs = verdict_outputs(verdict, answers, problems, points, cell.get("execution_count"))
        for note in state.get("notes", []):
            add_note(nb, note)
            self.log.warning("%s: %s", who(resources), note)
        return nb, resources




def _points(value: float) -> str:
    return f"{value:g}"


def verdict_outputs(verdict: Any, answers: dict[str, Any], problems: list[str], points: float,
                    execution_count: Any = None) -> list[NotebookNode]:
    """The outputs of a graded test cell: the answers as read, one verdict per answer, the score.

    nbgrader scores the cell from them: an error output is 0, an ``execute_result``
    holding a number is that partial score, anything else is full marks.
    """
    outputs = [from_dict({"output_type": "display_data", "metadata": {}, "data": report_payload(n, v)})
               for n, v in sorted(answers.items())]
    lines = list(verdict.messages)
    if verdict.problem:
        lines.append(f"[NOTE] {verdict.problem}")
    lines += [f"[NOTE] {p}" for p in problems]
    score = round(points * verdict.fraction, 4)
    if len(verdict.shares) > 1:
        share = points / len(verdict.shares)
        parts = ", ".join(f"{n} {_points(round(share * f, 4))}" for n, f in verdict.shares.items())
        lines.append(f"Each of the {len(verdict.shares)} answers earns an equal share of the {_points(points)} points: "
                     f"{parts} of {_points(round(share, 4))} each.")
    outputs.append(stream_output("\n".join(lines or ["(no message)"]) + "\n"))
    if verdict.fraction <= 0:
        outputs.append(error_output("CheckFailed", f"0 of {_points(points)} points"))
    elif verdict.fraction < 1:
        outputs.append(from_dict({"output_type": "execute_result", "execution_count": execution_count,
                                  "metadata": {}, "data": {"text/plain": repr(score)}}))
    return outputs
