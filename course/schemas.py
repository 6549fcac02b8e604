"""Table schemas: the columns, types and rules of every CSV data set.

One :class:`Table` per file of ``data/`` (see the metrics reference), plus
``problems`` which only the mini-case folders hold. The schemas are plain data;
:mod:`course.data` reads a CSV and checks it against them.

Column kinds and the dtype each loads as:

``id``
    free text such as ``INC-00042``; pandas ``string``.
``enum``
    one of a fixed set of values; pandas ``string``.
``timestamp``
    ISO 8601 UTC, exactly ``YYYY-MM-DDTHH:MM:SSZ``; ``datetime64[ns, UTC]``.
``month``
    a calendar month ``YYYY-MM``; pandas ``string``.
``int``
    a whole number written without a decimal point; nullable ``Int64``.
``float``
    a decimal number; plain ``float64`` (a missing value is ``NaN``).

>>> [c.name for c in TABLES["forecasts"].columns]
['period', 'measure', 'forecast', 'actual']
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .activities import ACTIVITIES

KINDS = ("id", "enum", "timestamp", "month", "int", "float")
"""The column kinds a schema may use."""

PRIORITIES: tuple[str, ...] = ("P1", "P2", "P3", "P4")
DETECTED_BY: tuple[str, ...] = ("monitoring", "user", "service desk")
CHANGE_TYPES: tuple[str, ...] = ("standard", "normal", "emergency")
OUTCOMES: tuple[str, ...] = ("success", "failed", "rolled_back")
BUILD_STATUSES: tuple[str, ...] = ("passed", "failed", "cancelled")
FOUND_IN: tuple[str, ...] = ("build", "test", "production")
IMPROVEMENT_STATUSES: tuple[str, ...] = ("proposed", "in progress", "done", "abandoned")


@dataclass(frozen=True)
class Column:
    """One column: its name, kind, whether a value is required, and its limits.

    ``values`` lists the allowed values of an ``enum``; ``minimum``/``maximum``
    bound an ``int`` or ``float`` (inclusive).
    """

    name: str
    kind: str
    required: bool = True
    values: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"column {self.name!r}: unknown kind {self.kind!r}; use one of {KINDS}")
        if self.kind == "enum" and not self.values:
            raise ValueError(f"column {self.name!r}: an enum needs its allowed values")


@dataclass(frozen=True)
class Table:
    """One data set: its columns in file order and its row-level rules.

    ``key`` names the columns whose values together identify a row (no two rows
    may share them). ``not_greater`` holds ``(small, large)`` column pairs where
    ``small <= large`` must hold on every row. ``empty_unless`` holds
    ``(column, condition_column, allowed)`` rules: ``column`` must be empty
    unless ``condition_column`` is one of ``allowed`` (``allowed`` empty means
    "is filled in"). ``filled_if`` holds ``(column, condition_column)`` pairs:
    ``column`` must be filled in when ``condition_column`` is.
    """

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    not_greater: tuple[tuple[str, str], ...] = ()
    empty_unless: tuple[tuple[str, str, tuple[str, ...]], ...] = ()
    filled_if: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    @property
    def names(self) -> list[str]:
        """The column names in file order."""
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        """Return the column called ``name``; ``KeyError`` if there is none."""
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"table {self.name!r} has no column {name!r}")


def _ts(name: str, required: bool = True) -> Column:
    return Column(name, "timestamp", required)


TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        Table(
            "incidents",
            (
                Column("incident_id", "id"),
                Column("service", "id"),
                Column("priority", "enum", values=PRIORITIES),
                _ts("opened_at"),
                _ts("resolved_at", required=False),
                Column("caused_by_change", "id", required=False),
                Column("known_error_id", "id", required=False),
                Column("detected_by", "enum", values=DETECTED_BY),
            ),
            key=("incident_id",),
        ),
        Table(
            "changes",
            (
                Column("change_id", "id"),
                Column("service", "id"),
                Column("change_type", "enum", values=CHANGE_TYPES),
                _ts("first_commit_at"),
                _ts("deployed_at", required=False),
                Column("outcome", "enum", required=False, values=OUTCOMES),
                Column("test_cases_run", "int", minimum=0),
                Column("test_cases_failed", "int", minimum=0),
            ),
            key=("change_id",),
            not_greater=(("test_cases_failed", "test_cases_run"),),
            empty_unless=(("outcome", "deployed_at", ()),),
            filled_if=(("outcome", "deployed_at"),),
        ),
        Table(
            "builds",
            (
                Column("build_id", "id"),
                Column("service", "id"),
                Column("commit", "id"),
                _ts("started_at"),
                _ts("finished_at"),
                Column("status", "enum", values=BUILD_STATUSES),
            ),
            key=("build_id",),
        ),
        Table(
            "defects",
            (
                Column("defect_id", "id"),
                Column("service", "id"),
                Column("found_in", "enum", values=FOUND_IN),
                _ts("found_at"),
                Column("severity", "int", minimum=1, maximum=4),
            ),
            key=("defect_id",),
        ),
        Table(
            "surveys",
            (
                Column("response_id", "id"),
                Column("service", "id"),
                _ts("submitted_at"),
                Column("nps_score", "int", required=False, minimum=0, maximum=10),
                Column("csat_score", "int", required=False, minimum=1, maximum=5),
            ),
            key=("response_id",),
        ),
        Table(
            "improvements",
            (
                Column("improvement_id", "id"),
                Column("activity", "enum", values=ACTIVITIES),
                _ts("raised_at"),
                _ts("completed_at", required=False),
                Column("status", "enum", values=IMPROVEMENT_STATUSES),
                Column("expected_benefit_hours", "float", minimum=0),
                Column("realised_benefit_hours", "float", required=False, minimum=0),
            ),
            key=("improvement_id",),
            empty_unless=(("realised_benefit_hours", "status", ("done",)),),
        ),
        Table(
            "requests",
            (
                _ts("window_start"),
                Column("service", "id"),
                Column("valid_requests", "int", minimum=0),
                Column("good_requests", "int", minimum=0),
            ),
            key=("window_start", "service"),
            not_greater=(("good_requests", "valid_requests"),),
        ),
        Table(
            "features",
            (
                Column("feature_id", "id"),
                Column("service", "id"),
                _ts("idea_at"),
                _ts("approved_at"),
                _ts("work_started_at"),
                _ts("deployed_at", required=False),
                Column("strategic_objective", "id", required=False),
                Column("effort_hours", "float", minimum=0),
            ),
            key=("feature_id",),
        ),
        Table(
            "forecasts",
            (
                Column("period", "month"),
                Column("measure", "id"),
                Column("forecast", "float"),
                Column("actual", "float"),
            ),
            key=("period", "measure"),
        ),
        Table(
            "problems",
            (
                Column("problem_id", "id"),
                Column("service", "id"),
                _ts("opened_at"),
                _ts("root_cause_found_at", required=False),
                Column("known_error_id", "id", required=False),
                Column("incident_count", "int", minimum=0),
            ),
            key=("problem_id",),
        ),
    )
}
"""Every table the loader knows, by name (the CSV file is ``<name>.csv``)."""

CORE_TABLES: tuple[str, ...] = (
    "incidents",
    "changes",
    "builds",
    "defects",
    "surveys",
    "improvements",
    "requests",
    "features",
    "forecasts",
)
"""The nine data sets of ``data/`` (``problems`` exists only in mini-case folders)."""
