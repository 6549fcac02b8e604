"""A corpus of hostile (and honest) submissions of the practice assignment ``ps1``.

Each submission is built from the release notebook (blank answers) or the source
notebook (honest answers) by a small edit. ``EARNS`` is what its real work
deserves: honest work on ``check_mean`` (2 points), ``check_six`` (1) and
``check_mapping`` (4). An attack that succeeds prints ``ESCAPE:<what>``; the test
fails if that text appears anywhere in the graded notebooks.

ps1's answer cells are at fixed grade ids: ``answer_mean``, ``answer_six``,
``answer_mapping``; its test cells ``check_mean``, ``check_six``, ``check_mapping``.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

FULL = 7.0  # the autograded points of ps1 (its manual answer is graded by hand)


@dataclass(frozen=True)
class Submission:
    """One corpus entry: how it is made and what its real work earns."""

    name: str
    kind: str  # the class of attack, for the README table
    base: str  # "release" (blank answers) or "source" (honest answers)
    edit: Callable[[dict[str, Any], dict[str, str]], Any]  # (notebook JSON, context) -> notebook JSON or raw text
    earns: float
    reason_expected: bool = False  # feedback must carry a grading note


def _cell(nb: dict[str, Any], grade_id: str) -> dict[str, Any]:
    return next(c for c in nb["cells"] if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id)


def _index(nb: dict[str, Any], grade_id: str) -> int:
    return nb["cells"].index(_cell(nb, grade_id))


def _answer(nb: dict[str, Any], grade_id: str, code: str) -> dict[str, Any]:
    _cell(nb, grade_id)["source"] = code
    return nb


def _prepend(nb: dict[str, Any], code: str) -> dict[str, Any]:
    """Put the student's own code cell right after the first code cell."""
    first = next(i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code")
    nb["cells"].insert(first + 1, {"cell_type": "code", "id": "student-code", "metadata": {}, "execution_count": None, "outputs": [], "source": code})
    return nb


EQ_ANYTHING = """
class Anything:
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __lt__(self, other): return False
    def __gt__(self, other): return False
    def __le__(self, other): return True
    def __ge__(self, other): return True
    def __hash__(self): return 0
    def __float__(self): return 4.0
    def __len__(self): return 6
    def __contains__(self, x): return True
    def __getitem__(self, k): return self
    def __iter__(self): return iter(["A", "B", "C", "D"])
    def keys(self): return ["A", "B", "C", "D"]
mean_restore = six = mapping = Anything()
"""

FLOAT_SUBCLASS = """
class Sneaky(float):
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __sub__(self, other): return 0.0
    def __rsub__(self, other): return 0.0
    def __abs__(self): return 0.0
class SneakyList(list):
    def __eq__(self, other): return True
class SneakyDict(dict):
    def __eq__(self, other): return True
mean_restore = Sneaky(0.0)
six = SneakyList()
mapping = SneakyDict()
"""

PATCH_MATH = """
import math, builtins, operator
math.isclose = lambda *a, **k: True
builtins.abs = lambda x: 0
builtins.isinstance = lambda *a: True
operator.eq = lambda a, b: True
mean_restore = 0.0
"""

PATCH_HELPERS = """
import course.checks as checks
for name in ("number", "equal", "mapping", "choices", "activity_map", "choice_map", "report", "expect", "_finish", "_report"):
    setattr(checks, name, lambda *a, **k: 1.0)
class Passing(AssertionError):
    pass
checks.CheckFailed = Passing
"""

PATCH_TRACEBACK = """
from IPython.core.interactiveshell import InteractiveShell
InteractiveShell.showtraceback = lambda *a, **k: None
InteractiveShell.showsyntaxerror = lambda *a, **k: None
import sys
sys.excepthook = lambda *a: None
sys.stderr = sys.stdout
"""

ENCODED_PATCH = """
import base64
exec(base64.b64decode(%r).decode())
""" % __import__("base64").b64encode(PATCH_HELPERS.encode()).decode()

FAKE_REPORT_ELSEWHERE = """
from IPython.display import display
from course.answers import report_payload
display(report_payload("mean_restore", 4.0), raw=True)
display(report_payload("six", ["plan", "improve", "engage", "design and transition", "obtain/build", "deliver and support"]), raw=True)
mean_restore = None
"""

DUPLICATE_REPORTS = """
import course.checks as checks
_orig = checks._report
def twice(name, value):
    _orig(name, value)
    _orig(name, [value, "something else"])
checks._report = twice
"""

SNOOP = """
import os, socket, glob
targets = {
    "gradebook": "{root}/gradebook.db",
    "source": "{root}/source/ps1/ps1.ipynb",
    "canary": "{root}/canary.txt",
    "shadow": "/etc/shadow",
    "other student": "{root}/submitted/honest/ps1/ps1.ipynb",
    "home": "{home_canary}",
}
for what, path in targets.items():
    try:
        data = open(path, "rb").read(64)
        print("ESCAPE:read " + what, data[:20])
    except Exception as exc:
        print("blocked read", what, type(exc).__name__)
for what, path in {"course folder": "{root}/pwned.txt", "submitted": "{root}/submitted/honest/ps1/pwned.txt",
                   "source": "{root}/source/ps1/pwned.txt", "tmp": "/tmp/../{root}/pwned2.txt"}.items():
    try:
        open(path, "w").write("x")
        print("ESCAPE:wrote " + what)
    except Exception as exc:
        print("blocked write", what, type(exc).__name__)
try:
    s = socket.create_connection(("127.0.0.1", {port}), timeout=3)
    s.sendall(b"hello")
    print("ESCAPE:network")
except Exception as exc:
    print("blocked network", type(exc).__name__)
print("visible:", sorted(glob.glob("{root}/*")))
"""

KEY_HUNT = r"""
import os, re, sys
# Looks for the graded answer keys everywhere this process can read. The needle is a line of
# keys/scenarios.yml, given hex-encoded so that this notebook does not hold it in clear.
NEEDLE = bytes.fromhex("{needle}")
SHAPE = re.compile(rb"id:\s*wifi-01\s*\n\s*activities:\s*\[")
ROOTS = {roots}
SKIP = ("/usr", "/lib", "/lib32", "/lib64", "/libx32", "/bin", "/sbin", "/proc", "/sys", "/dev")
found, searched = [], 0

def look(path, data):
    if NEEDLE in data or SHAPE.search(data):
        found.append(path)

def walk(top):
    global searched
    for folder, dirs, files in os.walk(top, onerror=lambda e: None):
        if folder.startswith(SKIP) and top == "/":
            dirs[:] = []
            continue
        if os.path.basename(folder) == "site-packages":  # the course's package, its install pointers
            dirs[:] = [d for d in dirs if "course" in d.lower() or "editable" in d.lower()]
            files = [f for f in files if f.endswith((".pth", ".egg-link")) or "editable" in f or "course" in f.lower()]
        for name in files:
            path = os.path.join(folder, name)
            try:
                if os.path.islink(path) or os.path.getsize(path) > 2_000_000:
                    continue
                with open(path, "rb") as fh:
                    look(path, fh.read())
                searched += 1
            except OSError:
                pass

for top in ROOTS:
    walk(top)
# the folders above the course package, and whatever an install pointer names
import course
extra = set()
here = os.path.dirname(os.path.dirname(os.path.abspath(course.__file__)))
while True:
    extra.add(os.path.join(here, "keys"))
    if here == os.path.dirname(here):
        break
    here = os.path.dirname(here)
for p in sys.path:
    extra.add(os.path.join(p, "keys"))
for p in sorted(extra):
    if os.path.isdir(p):
        walk(p)
for name, value in os.environ.items():
    look("env " + name, value.encode())
    if value and os.path.isdir(value):
        walk(value)
for pid in os.listdir("/proc"):
    for what in ("cmdline", "environ"):
        try:
            with open(f"/proc/{pid}/{what}", "rb") as fh:
                look(f"/proc/{pid}/{what}", fh.read().replace(b"\0", b"\n"))
        except OSError:
            pass
try:
    from course.grading import keys
    print("ESCAPE:keys through course.grading.keys", keys.scenario("wifi-01").activities)
except Exception as exc:
    print("blocked keys module", type(exc).__name__)
for path in found:
    print("ESCAPE:keys in " + path)
print("key hunt searched", searched, "files")
"""


def key_hunt(needle: str, roots: list[str]) -> str:
    """The key-hunting code for ``roots`` (the sandbox's ``/``, or a host folder as a positive control)."""
    return KEY_HUNT.replace("{needle}", needle.encode().hex()).replace("{roots}", repr(roots))


def _key_hunt(nb: dict[str, Any], ctx: dict[str, str]) -> dict[str, Any]:
    return _prepend(nb, key_hunt(ctx["needle"], ["/"]))


MEMORY_BOMB = """
try:
    hog = bytearray(3 * 1024 ** 3)
    print("ESCAPE:allocated 3 GiB")
except MemoryError:
    print("blocked memory")
"""

FORK_BOMB = """
import subprocess
started = 0
try:
    procs = []
    for _ in range(200):
        procs.append(subprocess.Popen(["sleep", "30"]))
        started += 1
except Exception as exc:
    print("blocked processes after", started, type(exc).__name__)
if started >= 200:
    print("ESCAPE:200 processes")
"""

FILE_BOMB = """
try:
    with open("big.bin", "wb") as fh:
        for _ in range(200):
            fh.write(b"\\0" * 1024 * 1024)
    print("ESCAPE:wrote 200 MiB")
except Exception as exc:
    print("blocked file size", type(exc).__name__)
"""

OUTPUT_FLOOD = """
for _ in range(3000):
    print("x" * 10000)
"""

LEFTOVER_SESSION = """
import subprocess
subprocess.Popen(["sleep", "987"], start_new_session=True)
"""

LEFTOVER_SHELL = """
import os
os.system("(sleep 988 &)")
"""

LEFTOVER_COMMANDS = ("sleep 987", "sleep 988")
"""Command lines a submission starts and leaves running: none may outlive its grading."""

HONEST_MEAN = "mean_restore = float(sum(restore_hours) / len(restore_hours))"

RECORDER = """
import json
recorded_sources = []
get_ipython().events.register("pre_run_cell", lambda info: recorded_sources.append(info.raw_cell))
"""
RECORDED_PREFIX = "RECORDED SOURCES:"
"""The last cell of ``kernel-records-sources`` prints this, then every cell source its kernel ran, as JSON."""

HONEST_FLOOD = """
for _ in range(3000):
    print("y" * 10000)
"""

OUTPUT_LIMIT = 200_000  # c.Sandbox.max_output_bytes, its default: the corpus course leaves it as it is
NOTEBOOK_SECONDS = 45  # c.Sandbox.notebook_seconds of the corpus course
CPU_SECONDS = 20  # c.Sandbox.cpu_seconds of the corpus course
SLEEPERS = 14  # cells sleeping 4 s each (under the 5 s cell time-out): 56 s, past the notebook budget
BURNERS = 12  # cells burning 2.5 s of CPU each: 30 s, past the CPU limit
BURN = """
import time
start = time.process_time()
while time.process_time() - start < 2.5:
    pass
print("cpu seconds used:", time.process_time())
"""
AFTER_LIMIT = "print('this cell ran after the limit')"

# Partial credit of check_mapping (4 points), worked out by hand from the key
# A: deliver and support; B: obtain/build + design and transition; C: plan + engage;
# D: improve + deliver and support. A scenario earns |given & key| / max(|given|, |key|).
MAPPING_3_OF_4 = (  # A 1, B 1/2 (one of two), C 1/2 (one right beside a wrong one), D 1: 3/4 of 4 = 3 points
    'mapping = {"A": "deliver and support", "B": "obtain/build", "C": ["plan", "improve"], '
    '"D": ["deliver and support", "improve"]}'
)
MAPPING_3_OF_8 = (  # A 1, B 1/2, C 0, D 0: 1.5/4 of 4 = 1.5 points
    'mapping = {"A": ["deliver and support"], "B": ["design and transition", "plan"], "C": "improve", "D": "plan"}'
)


def _schema_old(nb: dict[str, Any], ctx: dict[str, str]) -> dict[str, Any]:
    """Copy every test cell (metadata included), set an old schema version on the copies."""
    out = []
    for cell in nb["cells"]:
        out.append(cell)
        md = cell.get("metadata", {}).get("nbgrader")
        if md and md.get("grade") and not md.get("solution"):
            dup = copy.deepcopy(cell)
            dup["id"] = cell.get("id", "x") + "-copy"
            dup["metadata"]["nbgrader"]["schema_version"] = 1
            dup["source"] = "pass  # copied and edited"
            out.append(dup)
    nb["cells"] = out
    return nb


def _delete_tests(nb: dict[str, Any], ctx: dict[str, str]) -> dict[str, Any]:
    nb["cells"] = [c for c in nb["cells"] if not (c.get("metadata", {}).get("nbgrader", {}).get("grade") and not c["metadata"]["nbgrader"].get("solution"))]
    return nb


def _edit_tests(nb: dict[str, Any], ctx: dict[str, str]) -> dict[str, Any]:
    for gid in ("check_mean", "check_six", "check_mapping"):
        _cell(nb, gid)["source"] = "print('all good')"
    return nb


def _edit_metadata(nb: dict[str, Any], ctx: dict[str, str]) -> dict[str, Any]:
    for gid in ("check_mean", "check_six", "check_mapping"):
        md = _cell(nb, gid)["metadata"]["nbgrader"]
        md["points"] = 100
    _cell(nb, "check_six")["metadata"]["nbgrader"]["grade"] = False
    _cell(nb, "check_mapping")["metadata"]["nbgrader"]["grade_id"] = "check_mapping_mine"
    return nb


def _retype(nb: dict[str, Any], ctx: dict[str, str]) -> dict[str, Any]:
    cell = _cell(nb, "check_mean")
    cell["cell_type"] = "markdown"
    cell.pop("outputs", None)
    cell.pop("execution_count", None)
    _cell(nb, "check_six")["cell_type"] = "raw"
    _cell(nb, "check_six").pop("outputs", None)
    _cell(nb, "check_six").pop("execution_count", None)
    return nb


def _move_answer_into_test(nb: dict[str, Any], ctx: dict[str, str]) -> dict[str, Any]:
    """Write the 'answer' inside the (locked) test cell: overwritten from the source."""
    old = _cell(nb, "check_mean")["source"]
    _cell(nb, "check_mean")["source"] = "mean_restore = 4.0\n" + ("".join(old) if isinstance(old, list) else old)
    return nb


def _exit_midway(nb: dict[str, Any], ctx: dict[str, str]) -> dict[str, Any]:
    _answer(nb, "answer_mean", HONEST_MEAN)
    _answer(nb, "answer_six", "import os\nos._exit(0)")
    return nb


def _loop(nb: dict[str, Any], ctx: dict[str, str]) -> dict[str, Any]:
    _answer(nb, "answer_mean", HONEST_MEAN)
    _answer(nb, "answer_six", "while True:\n    pass")
    return nb


def _loop_ignoring_interrupt(nb: dict[str, Any], ctx: dict[str, str]) -> dict[str, Any]:
    _answer(nb, "answer_mean", HONEST_MEAN)
    _answer(nb, "answer_six", "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass")
    return nb


def _huge_answer(nb: dict[str, Any], ctx: dict[str, str]) -> dict[str, Any]:
    _answer(nb, "answer_six", "six = list(range(2_000_000))")
    return nb


def _wrong_mean(nb: dict[str, Any], ctx: dict[str, str]) -> dict[str, Any]:
    """A well-formed but wrong answer (the median instead of the mean): its hint names the mistake."""
    return _answer(nb, "answer_mean", "mean_restore = 3.25")


def _record_sources(nb: dict[str, Any], ctx: dict[str, str]) -> dict[str, Any]:
    """Honest work whose kernel records every cell source it is sent and prints them all at the end."""
    _prepend(nb, RECORDER)
    nb["cells"].append({"cell_type": "code", "id": "print-recorded", "metadata": {}, "execution_count": None,
                        "outputs": [], "source": f"print({RECORDED_PREFIX!r} + json.dumps(recorded_sources))"})
    return nb


def _cells_before(grade_id: str, sources: list[str]) -> Callable[[dict[str, Any], dict[str, str]], dict[str, Any]]:
    """Insert plain code cells (one per source) right before the cell ``grade_id``."""

    def edit(nb: dict[str, Any], ctx: dict[str, str]) -> dict[str, Any]:
        at = _index(nb, grade_id)
        for i, source in enumerate(sources):
            nb["cells"].insert(at + i, {"cell_type": "code", "id": f"extra-{i}", "metadata": {},
                                        "execution_count": None, "outputs": [], "source": source})
        return nb

    return edit


def _cells_at_end(sources: list[str]) -> Callable[[dict[str, Any], dict[str, str]], dict[str, Any]]:
    def edit(nb: dict[str, Any], ctx: dict[str, str]) -> dict[str, Any]:
        for i, source in enumerate(sources):
            nb["cells"].append({"cell_type": "code", "id": f"extra-end-{i}", "metadata": {},
                                "execution_count": None, "outputs": [], "source": source})
        return nb

    return edit


def _raw(text: str) -> Callable[[dict[str, Any], dict[str, str]], str]:
    return lambda nb, ctx: text


def _code(code: str, where: str = "prepend") -> Callable[[dict[str, Any], dict[str, str]], Any]:
    def edit(nb: dict[str, Any], ctx: dict[str, str]) -> Any:
        text = code.replace("{root}", ctx["root"]).replace("{port}", ctx["port"])
        text = text.replace("{home_canary}", ctx.get("home_canary", "/nonexistent"))
        if where == "prepend":
            return _prepend(nb, text)
        return _answer(nb, where, text)

    return edit


def _both(*edits: Callable[[dict[str, Any], dict[str, str]], Any]) -> Callable[[dict[str, Any], dict[str, str]], Any]:
    def edit(nb: dict[str, Any], ctx: dict[str, str]) -> Any:
        for e in edits:
            nb = e(nb, ctx)
        return nb

    return edit


def _nbformat3(nb: dict[str, Any], ctx: dict[str, str]) -> dict[str, Any]:
    nb["nbformat"] = 3
    nb["nbformat_minor"] = 0
    return nb


def _nbformat3_real(nb: dict[str, Any], ctx: dict[str, str]) -> str:
    """A real nbformat 3 file (worksheets), as nbformat.write(nb, version=3) saves it: upgraded and graded."""
    import nbformat

    return nbformat.writes(nbformat.from_dict(nb), version=3)


def _no_cells(nb: dict[str, Any], ctx: dict[str, str]) -> dict[str, Any]:
    nb["cells"] = "not a list"
    return nb


CORPUS: list[Submission] = [
    Submission("honest", "honest", "source", lambda nb, ctx: nb, FULL),
    Submission("blank", "blank", "release", lambda nb, ctx: nb, 0.0),
    Submission("honest-wrong-mean", "a well-formed wrong answer", "source", _wrong_mean, FULL - 2.0),
    Submission("honest-tests-deleted", "deleted test cells", "source", _delete_tests, FULL, True),
    Submission("honest-tests-copied-old-schema", "copied test cells (old schema)", "source", _schema_old, FULL, True),
    Submission("honest-metadata-edited", "edited cell metadata", "source", _edit_metadata, FULL, True),
    Submission("honest-cells-retyped", "re-typed test cells", "source", _retype, FULL, True),
    Submission("eq-anything", "object equal to anything", "release", _code(EQ_ANYTHING), 0.0),
    Submission("float-subclass", "builtin subclass equal to anything", "release", _code(FLOAT_SUBCLASS), 0.0),
    Submission("patched-math", "patched math/builtins/operator", "release", _code(PATCH_MATH), 0.0),
    Submission("patched-helpers", "patched course helpers", "release", _code(PATCH_HELPERS), 0.0),
    Submission("patched-helpers-encoded", "patch via exec of an encoded string", "release", _code(ENCODED_PATCH), 0.0),
    Submission("patched-traceback", "patched traceback/excepthook (nbgrader#1324)", "release", _code(PATCH_TRACEBACK), 0.0),
    Submission("fake-report-elsewhere", "forged answer reports outside test cells", "release", _code(FAKE_REPORT_ELSEWHERE), 0.0),
    Submission("duplicate-reports", "conflicting answer reports", "source", _code(DUPLICATE_REPORTS), 0.0),
    Submission("edited-tests", "edited test cells", "release", _edit_tests, 0.0),
    Submission("deleted-tests", "deleted test cells", "release", _delete_tests, 0.0, True),
    Submission("copied-tests-old-schema", "copied test cells (old schema)", "release", _schema_old, 0.0, True),
    Submission("edited-metadata", "edited cell metadata", "release", _edit_metadata, 0.0, True),
    Submission("answer-in-test-cell", "answer written into a locked test cell", "release", _move_answer_into_test, 0.0),
    Submission("snoop", "read/write outside the sandbox, network", "release", _code(SNOOP), 0.0),
    Submission("key-hunt", "read graded keys from anything the kernel can see", "release", _key_hunt, 0.0),
    Submission("memory-bomb", "3 GiB allocation", "release", _code(MEMORY_BOMB), 0.0),
    Submission("fork-bomb", "200 processes", "release", _code(FORK_BOMB), 0.0),
    Submission("file-bomb", "200 MiB file", "release", _code(FILE_BOMB), 0.0),
    Submission("output-flood", "30 MB of output", "release", _code(OUTPUT_FLOOD), 0.0),
    Submission("huge-answer", "a 2-million-item answer", "release", _huge_answer, 0.0),
    Submission("exit-midway", "os._exit(0) in an answer", "release", _exit_midway, 2.0, True),
    Submission("infinite-loop", "infinite loop", "release", _loop, 2.0, True),
    Submission("loop-ignoring-interrupt", "infinite loop ignoring SIGINT", "release", _loop_ignoring_interrupt, 2.0, True),
    Submission("invalid-json", "not valid JSON", "release", _raw('{"cells": [ this is not json'), 0.0, True),
    Submission("empty-file", "empty file", "release", _raw(""), 0.0, True),
    Submission("nbformat-3", "wrong nbformat", "release", _nbformat3, 0.0, True),
    Submission("honest-nbformat-3-real", "honest work saved as nbformat 3", "source", _nbformat3_real, FULL, True),
    Submission("leftover-new-session", "a process in a new session left running", "source", _code(LEFTOVER_SESSION), FULL),
    Submission("leftover-shell-background", "a shell background process left running", "source",
               _code(LEFTOVER_SHELL), FULL),
    Submission("cells-not-a-list", "JSON that is not a notebook", "release", _no_cells, 0.0, True),
    Submission("kernel-records-sources", "honest work whose kernel records every cell it runs", "source",
               _record_sources, FULL),
    Submission("partial-mapping-3-of-4", "partly right mapping", "source",
               lambda nb, ctx: _answer(nb, "answer_mapping", MAPPING_3_OF_4), 2.0 + 1.0 + 3.0),
    Submission("partial-mapping-3-of-8", "partly right mapping", "release",
               lambda nb, ctx: _answer(nb, "answer_mapping", MAPPING_3_OF_8), 1.5),
    Submission("honest-output-flood", "honest work beside 30 MB of output", "source", _code(HONEST_FLOOD), FULL, True),
    Submission("honest-over-time-budget", "honest work, then cells sleeping past the notebook budget", "source",
               _cells_before("answer_mapping", ["import time\ntime.sleep(4)\nprint('slept')"] * SLEEPERS),
               2.0 + 1.0, True),  # check_mapping comes after the budget: not run
    Submission("honest-over-cpu-limit", "honest work, then cells burning past the CPU limit", "source",
               _cells_at_end([BURN] * BURNERS + [AFTER_LIMIT]), FULL, True),
]

RENAMED = "renamed-notebook"  # honest work saved as ps1-copy.ipynb: graded as ps1.ipynb, with a note
UNRESOLVED = "two-unknown-notebooks"  # honest work as draft.ipynb and final.ipynb: which one? flagged, 0


def render(sub: Submission, source_nb: dict[str, Any], release_nb: dict[str, Any], ctx: dict[str, str]) -> str:
    """Return the text of the submitted file for ``sub``."""
    base = copy.deepcopy(source_nb if sub.base == "source" else release_nb)
    out = sub.edit(base, ctx)
    return out if isinstance(out, str) else json.dumps(out, indent=1)
