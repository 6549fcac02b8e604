"""Answers as tagged JSON: how a kernel reports a student's answer to the grader.

A student's answer leaves the kernel only as JSON of plain builtin values, tagged
with their exact type, so that the trusted grader can rebuild exactly what the
student produced (a ``float`` stays a ``float``; a ``numpy.float64`` or an object
that claims to equal everything arrives as :class:`Unsupported`). Nothing is
ever unpickled or evaluated.

>>> decode(encode({"a": [1, 2.5, None]}))
{'a': [1, 2.5, None]}
>>> decode(encode(float("nan")))
nan
"""

from __future__ import annotations

import json
import math
import reprlib
from dataclasses import dataclass
from typing import Any

MIME_TYPE = "application/vnd.svc-course.answer+json"
"""Mime type of the display output that carries one reported answer."""

MAX_DEPTH = 20
MAX_ITEMS = 20_000
MAX_BYTES = 1_000_000

_SCALARS = {bool: "bool", int: "int", float: "float", str: "str", type(None): "none"}
_CONTAINERS = {list: "list", tuple: "tuple", dict: "dict", set: "set", frozenset: "frozenset"}


@dataclass(frozen=True)
class Unsupported:
    """An answer whose type cannot be reported (e.g. a ``numpy.float64``)."""

    type_name: str

    def __repr__(self) -> str:
        return f"<unsupported {self.type_name}>"


NOT_REPORTED = Unsupported("<not reported>")
"""What the trusted grader checks in place of an answer the kernel never reported."""


class AnswerFormatError(ValueError):
    """A report that is not a well-formed tagged answer."""


def _type_name(value: Any) -> str:
    cls = type(value)
    module = getattr(cls, "__module__", "") or ""
    name = getattr(cls, "__qualname__", cls.__name__)
    return name if module == "builtins" else f"{module}.{name}"


def encode(value: Any) -> Any:
    """Return ``value`` as tagged JSON-ready data (exact builtin types only).

    Values of any other type (including subclasses of builtins) are encoded as
    ``{"t": "unsupported", "v": "<module.Type>"}``; nesting deeper than
    ``MAX_DEPTH`` or more than ``MAX_ITEMS`` items is reported the same way.
    """
    count = [0]

    def enc(v: Any, depth: int) -> Any:
        count[0] += 1
        if depth > MAX_DEPTH or count[0] > MAX_ITEMS:
            return {"t": "unsupported", "v": "too large or too deeply nested"}
        if isinstance(v, Unsupported):  # re-reporting a value the grader already read
            return {"t": "unsupported", "v": v.type_name}
        tag = _SCALARS.get(type(v))
        if tag == "float":
            if math.isnan(v):
                return {"t": "float", "v": "nan"}
            if math.isinf(v):
                return {"t": "float", "v": "inf" if v > 0 else "-inf"}
            return {"t": "float", "v": v}
        if tag is not None:
            return {"t": tag, "v": v}
        tag = _CONTAINERS.get(type(v))
        if tag == "dict":
            return {"t": "dict", "v": [[enc(k, depth + 1), enc(x, depth + 1)] for k, x in v.items()]}
        if tag is not None:
            items = sorted(v, key=repr) if tag in ("set", "frozenset") else v
            return {"t": tag, "v": [enc(x, depth + 1) for x in items]}
        return {"t": "unsupported", "v": _type_name(v)}

    return enc(value, 0)


def decode(data: Any) -> Any:
    """Rebuild a value from :func:`encode`'s output; raise ``AnswerFormatError`` if malformed."""

    def dec(node: Any, depth: int) -> Any:
        if depth > MAX_DEPTH + 1:
            raise AnswerFormatError("answer nested too deeply")
        if not isinstance(node, dict) or set(node) != {"t", "v"}:
            raise AnswerFormatError(f"not a tagged value: {str(node)[:80]}")
        tag, v = node["t"], node["v"]
        if tag == "float":
            if v in ("nan", "inf", "-inf"):
                return float(v)
            if type(v) in (int, float) and type(v) is not bool:
                return float(v)
        elif tag == "int" and type(v) is int:
            return v
        elif tag == "bool" and type(v) is bool:
            return v
        elif tag == "str" and type(v) is str:
            return v
        elif tag == "none" and v is None:
            return None
        elif tag in ("list", "tuple", "set", "frozenset") and type(v) is list:
            items = [dec(x, depth + 1) for x in v]
            if tag == "list":
                return items
            if tag == "tuple":
                return tuple(items)
            try:
                return set(items) if tag == "set" else frozenset(items)
            except TypeError as exc:
                raise AnswerFormatError(f"unhashable item in a {tag}") from exc
        elif tag == "dict" and type(v) is list:
            out = {}
            for pair in v:
                if type(pair) is not list or len(pair) != 2:
                    raise AnswerFormatError("malformed dict entry")
                key = dec(pair[0], depth + 1)
                try:
                    out[key] = dec(pair[1], depth + 1)
                except TypeError as exc:
                    raise AnswerFormatError("unhashable dict key") from exc
            return out
        elif tag == "unsupported" and type(v) is str:
            return Unsupported(v[:200])
        raise AnswerFormatError(f"bad tagged value of type {tag!r}")

    return dec(data, 0)


def _short_repr() -> reprlib.Repr:
    short = reprlib.Repr()
    short.maxlevel, short.maxdict, short.maxlist, short.maxtuple, short.maxset = 3, 12, 12, 12, 12
    short.maxstring = short.maxother = 120
    return short


_SHORT = _short_repr()


def report_payload(name: str, value: Any) -> dict[str, Any]:
    """Return the display payload (mime bundle) that reports ``name = value``."""
    data = json.dumps({"name": name, "value": encode(value)}, allow_nan=False)
    if len(data) > MAX_BYTES:
        data = json.dumps({"name": name, "value": {"t": "unsupported", "v": "answer larger than 1 MB"}})
    shown = _SHORT.repr(value)
    return {MIME_TYPE: json.loads(data), "text/plain": f"your answer: {name} = {shown}"}


def parse_report(payload: Any) -> tuple[str, Any]:
    """Return ``(name, value)`` from one display payload; raise ``AnswerFormatError`` if malformed."""
    if isinstance(payload, str):
        if len(payload) > MAX_BYTES:
            raise AnswerFormatError("answer report larger than 1 MB")
        try:
            payload = json.loads(payload)
        except ValueError as exc:
            raise AnswerFormatError("answer report is not JSON") from exc
    if not isinstance(payload, dict) or set(payload) != {"name", "value"}:
        raise AnswerFormatError("answer report must have exactly 'name' and 'value'")
    name = payload["name"]
    if type(name) is not str or not name.isidentifier() or name.startswith("_"):
        raise AnswerFormatError(f"bad answer name {str(name)[:40]!r}")
    return name, decode(payload["value"])
