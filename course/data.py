"""Load the course's CSV data sets as typed, validated pandas DataFrames.

``load("incidents")`` reads ``data_dir()/incidents.csv`` (``data_dir()`` is
:func:`course.paths.data_dir`, so it works from any working directory, a clone or
an installed wheel); ``load("incidents", case="streaming")`` reads the mini-case
copy in ``data_dir()/case-streaming/``. Each file is checked against its schema
in :mod:`course.schemas` and nothing is silently coerced: a missing or unknown
column, a row with the wrong number of fields, a bad timestamp, a value outside
its allowed set or range, a decimal where a whole number is due, a missing
required value, a repeated key or a broken row rule (such as ``good_requests``
greater than ``valid_requests``) raises :class:`DataError`, whose message names
the file, the line (the header is line 1) and the column.

Loaded dtypes: timestamps ``datetime64[ns, UTC]``; ids, enums and months pandas
``string``; whole numbers nullable ``Int64``; decimals plain ``float64`` (missing
is ``NaN``). Parsed frames are cached per file (refreshed when the file changes)
and every call returns a fresh copy, so changing a returned frame never changes
what the next call returns.

>>> incidents = load("incidents")
>>> str(incidents["opened_at"].dtype)
'datetime64[ns, UTC]'
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import numpy as np
import pandas as pd

from .paths import data_dir
from .schemas import TABLES, Column, Table

__all__ = ["DataError", "load", "available", "read_table", "clear_cache"]

_TIMESTAMP_RE = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z"
_TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
_MONTH_RE = r"\d{4}-(0[1-9]|1[0-2])"
_INT_RE = r"[+-]?\d+"
_FLOAT_RE = r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?"
_CASE_RE = re.compile(r"[a-z0-9][a-z0-9_-]*")

_CACHE: dict[Path, tuple[int, int, pd.DataFrame]] = {}


class DataError(ValueError):
    """A data file that breaks its schema; the message names file, line and column.

    The parts are also kept as attributes: ``path``, ``line`` (1 is the header)
    and ``column`` (``None`` when the problem is the whole row).
    """

    def __init__(self, path: Path | str, line: int, column: str | None, problem: str) -> None:
        self.path = Path(path)
        self.line = line
        self.column = column
        self.problem = problem
        where = f"{self.path}, line {line}"
        if column is not None:
            where += f", column {column!r}"
        super().__init__(f"{where}: {problem}")


def _folder(case: str | None) -> Path:
    root = data_dir()
    if case is None:
        return root
    if not isinstance(case, str) or not _CASE_RE.fullmatch(case):
        raise ValueError(f"case must be a short lower-case name such as 'streaming', got {case!r}")
    return root / f"case-{case}"


def _schema(name: str) -> Table:
    if name not in TABLES:
        raise ValueError(f"unknown data set {name!r}; known: {', '.join(TABLES)}")
    return TABLES[name]


def available(*, case: str | None = None) -> list[str]:
    """List the data sets (table names) present in the data folder or a case folder.

    Without ``case`` these are the nine sets of the metrics reference; a case
    folder may also hold ``problems``.
    """
    folder = _folder(case)
    return [name for name in TABLES if (folder / f"{name}.csv").is_file()]


def load(name: str, *, case: str | None = None) -> pd.DataFrame:
    """Return the data set ``name`` as a typed, validated DataFrame.

    ``case`` picks a mini-case folder (``data_dir()/case-<case>/``). Raises
    ``ValueError`` for an unknown name, ``FileNotFoundError`` when the file is
    missing and :class:`DataError` when it breaks its schema.

    >>> load("forecasts").columns.tolist()
    ['period', 'measure', 'forecast', 'actual']
    """
    table = _schema(name)
    path = _folder(case) / f"{name}.csv"
    if not path.is_file():
        known = ", ".join(available(case=case)) or "none"
        raise FileNotFoundError(f"{path} not found (data sets in that folder: {known})")
    stat = path.stat()
    key = path.resolve()
    cached = _CACHE.get(key)
    if cached is None or cached[:2] != (stat.st_mtime_ns, stat.st_size):
        frame = read_table(path, table)
        _CACHE[key] = (stat.st_mtime_ns, stat.st_size, frame)
    else:
        frame = cached[2]
    return frame.copy(deep=True)


def clear_cache() -> None:
    """Forget every parsed frame (the next :func:`load` reads the files again)."""
    _CACHE.clear()


def read_table(path: Path | str, table: Table | str) -> pd.DataFrame:
    """Read and validate one CSV file against a schema, without caching.

    ``table`` is a :class:`course.schemas.Table` or a table name.
    """
    path = Path(path)
    table = _schema(table) if isinstance(table, str) else table
    header, rows, lines = _read_rows(path)
    _check_header(path, table, header)
    width = len(header)
    for row, line in zip(rows, lines):
        if len(row) != width:
            raise DataError(path, line, None, f"row has {len(row)} fields, the header has {width}")
    cells = np.array(rows, dtype=object).reshape(len(rows), width)
    line_no = np.asarray(lines, dtype=np.int64)
    raw = {name: pd.Series(cells[:, i], dtype=object) for i, name in enumerate(header)}
    out = {col.name: _convert(path, col, raw[col.name], line_no) for col in table.columns}
    frame = pd.DataFrame(out)
    _check_rows(path, table, frame, line_no)
    return frame


def _read_rows(path: Path) -> tuple[list[str], list[list[str]], list[int]]:
    """Return the header, the data rows and the line on which each row starts."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle, strict=True)
        try:
            header = next(reader)
        except StopIteration:
            raise DataError(path, 1, None, "the file is empty (no header)") from None
        except csv.Error as exc:
            raise DataError(path, 1, None, f"not valid CSV: {exc}") from None
        rows: list[list[str]] = []
        lines: list[int] = []
        last = reader.line_num
        try:
            for row in reader:
                rows.append(row)
                lines.append(last + 1)
                last = reader.line_num
        except csv.Error as exc:
            raise DataError(path, last + 1, None, f"not valid CSV: {exc}") from None
    return header, rows, lines


def _check_header(path: Path, table: Table, header: list[str]) -> None:
    seen: set[str] = set()
    for name in header:
        if name in seen:
            raise DataError(path, 1, name, "column appears twice in the header")
        seen.add(name)
    expected = table.names
    for name in expected:
        if name not in seen:
            raise DataError(
                path, 1, name, f"missing column; {table.name}.csv needs: {', '.join(expected)}"
            )
    for name in header:
        if name not in expected:
            raise DataError(
                path, 1, name, f"unknown column; {table.name}.csv has only: {', '.join(expected)}"
            )


def _fail(path: Path, col: str, bad: np.ndarray, line_no: np.ndarray, problem: str) -> None:
    """Raise for the first row flagged in ``bad``, saying how many others there are."""
    idx = np.flatnonzero(bad)
    if idx.size == 0:
        return
    more = f" ({idx.size - 1} more row(s) like it)" if idx.size > 1 else ""
    raise DataError(path, int(line_no[idx[0]]), col, problem + more)


def _convert(path: Path, col: Column, raw: pd.Series, line_no: np.ndarray) -> pd.Series:
    """Check one column's raw strings and return them converted to the column's dtype."""
    empty = (raw == "").to_numpy(dtype=bool)
    if col.required:
        _fail(path, col.name, empty, line_no, "a value is required here but the cell is empty")
    filled = ~empty
    text = raw.astype("string")

    def pattern(regex: str, what: str) -> None:
        ok = text.str.fullmatch(regex).fillna(False).to_numpy(dtype=bool)
        bad = filled & ~ok
        idx = np.flatnonzero(bad)
        if idx.size:
            _fail(path, col.name, bad, line_no, f"{raw.iloc[idx[0]]!r} is not {what}")

    if col.kind in ("id", "enum", "month"):
        stripped = (text != text.str.strip()).fillna(False).to_numpy(dtype=bool)
        bad = filled & stripped
        idx = np.flatnonzero(bad)
        if idx.size:
            _fail(path, col.name, bad, line_no, f"{raw.iloc[idx[0]]!r} has spaces around it")
        if col.kind == "enum":
            bad = filled & ~raw.isin(col.values).to_numpy(dtype=bool)
            idx = np.flatnonzero(bad)
            if idx.size:
                allowed = ", ".join(col.values)
                _fail(path, col.name, bad, line_no, f"{raw.iloc[idx[0]]!r} is not one of: {allowed}")
        if col.kind == "month":
            pattern(_MONTH_RE, "a month written YYYY-MM")
        return text.where(filled, pd.NA).astype("string")

    if col.kind == "timestamp":
        pattern(_TIMESTAMP_RE, "a UTC timestamp written like 2026-03-02T09:15:00Z")
        parsed = pd.to_datetime(
            raw.where(filled, None), format=_TIMESTAMP_FORMAT, utc=True, errors="coerce"
        )
        bad = filled & parsed.isna().to_numpy(dtype=bool)
        idx = np.flatnonzero(bad)
        if idx.size:
            _fail(path, col.name, bad, line_no, f"{raw.iloc[idx[0]]!r} is not a real date and time")
        return parsed.astype("datetime64[ns, UTC]")

    if col.kind == "int":
        pattern(_INT_RE, "a whole number")
        values = pd.to_numeric(raw.where(filled, None), errors="raise").astype("Int64")
    else:
        pattern(_FLOAT_RE, "a decimal number")
        values = pd.to_numeric(raw.where(filled, None), errors="raise").astype("float64")
    if col.minimum is not None:
        bad = filled & (values < col.minimum).fillna(False).to_numpy(dtype=bool)
        idx = np.flatnonzero(bad)
        if idx.size:
            _fail(path, col.name, bad, line_no, f"{raw.iloc[idx[0]]} is below the minimum {col.minimum:g}")
    if col.maximum is not None:
        bad = filled & (values > col.maximum).fillna(False).to_numpy(dtype=bool)
        idx = np.flatnonzero(bad)
        if idx.size:
            _fail(path, col.name, bad, line_no, f"{raw.iloc[idx[0]]} is above the maximum {col.maximum:g}")
    return values


def _check_rows(path: Path, table: Table, frame: pd.DataFrame, line_no: np.ndarray) -> None:
    """Check the rules that involve more than one column or more than one row."""
    for small, large in table.not_greater:
        bad = (frame[small] > frame[large]).fillna(False).to_numpy(dtype=bool)
        idx = np.flatnonzero(bad)
        if idx.size:
            i = idx[0]
            _fail(
                path, small, bad, line_no,
                f"{frame[small].iloc[i]} is greater than {large} ({frame[large].iloc[i]})",
            )
    for column, condition, allowed in table.empty_unless:
        filled = frame[column].notna().to_numpy(dtype=bool)
        if allowed:
            ok = frame[condition].isin(allowed).fillna(False).to_numpy(dtype=bool)
            why = f"{condition} is not {' or '.join(allowed)}"
        else:
            ok = frame[condition].notna().to_numpy(dtype=bool)
            why = f"{condition} is empty"
        _fail(path, column, filled & ~ok, line_no, f"must be empty when {why}")
    for column, condition in table.filled_if:
        bad = (frame[condition].notna() & frame[column].isna()).to_numpy(dtype=bool)
        _fail(path, column, bad, line_no, f"a value is required when {condition} is filled in")
    if table.key:
        dup = frame.duplicated(list(table.key), keep="first").to_numpy(dtype=bool)
        idx = np.flatnonzero(dup)
        if idx.size:
            i = idx[0]
            first = frame.index[(frame[list(table.key)] == frame[list(table.key)].iloc[i]).all(axis=1)][0]
            label = " + ".join(table.key)
            _fail(
                path, table.key[0], dup, line_no,
                f"{label} repeats the row on line {int(line_no[first])}",
            )
