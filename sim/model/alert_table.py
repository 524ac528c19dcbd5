"""Per-alert state of one run: every column declared once, rows appended whole.

The world reads and writes the columns as plain Python lists (scalar access in the hot loop is
several times faster than numpy's). Exogenous alerts fill the table when the run starts; an
incident caused by a tired person's mistake is appended as one row (:meth:`AlertTable.append`),
so every column always has one value per alert. :meth:`AlertTable.record_arrays` hands the
recorded columns over as arrays, and :class:`PageLog` keeps the per-page records the same way.

Adding a per-alert column is one line in :data:`COLUMNS` (plus its field in
:class:`sim.model.records.RunRecords` if it is recorded).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.model.records import HANDOVER_NONE

_GIVEN = object()
"""Initial value of an input column: every row must give it (or inherit it from its cause)."""


@dataclass(frozen=True)
class Column:
    """One per-alert column.

    Attributes:
        name: attribute of :class:`AlertTable` and, if ``dtype`` is set, field of RunRecords.
        initial: the value of a new row (``_GIVEN``: an input, given for every row).
        dtype: the records' dtype (None: model state that is not recorded).
        inherit: a caused incident takes the value of the incident that caused it.
    """

    name: str
    initial: Any = _GIVEN
    dtype: Any = None
    inherit: bool = False

    @property
    def is_input(self) -> bool:
        """Given for every row (or inherited), never initialised."""
        return self.initial is _GIVEN


COLUMNS: tuple[Column, ...] = (
    # Inputs: decided before the run (routing, pre-drawn durations, paging rules).
    Column("service", dtype=np.int64, inherit=True),
    Column("severity", inherit=True),
    Column("start_minutes", dtype=np.float64),
    Column("root", dtype=np.int64),
    Column("routed_team"),
    Column("owner_team"),
    Column("routed_policy"),
    Column("owner_policy"),
    Column("accountable", inherit=True),
    Column("consulted", inherit=True),
    Column("ack_delay"),
    Column("handover_ack_delay"),
    Column("triage"),
    Column("runbook_fix"),
    Column("work"),
    Column("notify_only"),
    Column("mistake_uniform"),
    Column("caused_by", initial=-1, dtype=np.int64),
    # State: what happens to the incident during the run.
    Column("handover", initial=HANDOVER_NONE, dtype=np.int8),
    Column("delayed_by_inhibition", initial=False, dtype=bool),
    Column("worker", initial=-1, dtype=np.int64),
    Column("first_page_minutes", initial=math.nan, dtype=np.float64),
    Column("first_page_person", initial=-1, dtype=np.int64),
    Column("ack_minutes", initial=math.nan, dtype=np.float64),
    Column("ack_person", initial=-1, dtype=np.int64),
    Column("pages_sent", initial=0, dtype=np.int64),
    Column("work_start_minutes", initial=math.nan, dtype=np.float64),
    Column("resolved_minutes", initial=math.nan, dtype=np.float64),
    Column("coverage_gap", initial=False, dtype=bool),
    Column("retriggers", initial=0, dtype=np.int64),
    Column("raci_consults", initial=0, dtype=np.int64),
)
COLUMN_NAMES = tuple(column.name for column in COLUMNS)


class AlertTable:
    """One list per column of :data:`COLUMNS`, one entry per alert (exogenous, then caused)."""

    def __init__(self, inputs: dict[str, list]) -> None:
        """Build the exogenous rows from every input column, given as equal-length lists."""
        missing = [c.name for c in COLUMNS if c.is_input and c.name not in inputs]
        unknown = sorted(set(inputs) - set(COLUMN_NAMES))
        if missing or unknown:
            raise ValueError(f"alert table: missing columns {missing}, unknown columns {unknown}")
        lengths = {len(values) for values in inputs.values()}
        if len(lengths) > 1:
            raise ValueError(f"alert table: columns of different lengths {sorted(lengths)}")
        self.exogenous = lengths.pop() if lengths else 0
        for column in COLUMNS:
            values = inputs.get(column.name)
            setattr(
                self, column.name, [column.initial] * self.exogenous if values is None else values
            )

    def __len__(self) -> int:
        return len(self.caused_by)

    def append(self, cause: int, **values: Any) -> int:
        """Append an incident caused by alert ``cause``: columns not given are inherited from
        it (if so declared) or start at their initial value; returns the new alert's index."""
        unknown = sorted(set(values) - set(COLUMN_NAMES))
        if unknown:
            raise ValueError(f"alert table: unknown columns {unknown}")
        new = len(self)
        for column in COLUMNS:
            values_of = getattr(self, column.name)
            if column.name in values:
                values_of.append(values[column.name])
            elif column.inherit:
                values_of.append(values_of[cause])
            elif column.is_input:
                raise ValueError(f"alert table: a caused incident needs column {column.name!r}")
            else:
                values_of.append(column.initial)
        return new

    def record_arrays(self) -> dict[str, np.ndarray]:
        """The recorded columns as arrays, by RunRecords field name."""
        return {
            column.name: np.array(getattr(self, column.name), dtype=column.dtype)
            for column in COLUMNS
            if column.dtype is not None
        }


class PageLog:
    """Per-page records, in the order pages were sent (see RunRecords: ``page_*``)."""

    FIELDS = (
        ("alert", np.int64),
        ("minutes", np.float64),
        ("person", np.int64),
        ("level", np.int64),
        ("kind", np.int8),
        ("policy", np.int64),
    )

    def __init__(self) -> None:
        self.alert: list[int] = []
        self.minutes: list[float] = []
        self.person: list[int] = []
        self.level: list[int] = []
        self.kind: list[int] = []
        self.policy: list[int] = []

    def record_arrays(self) -> dict[str, np.ndarray]:
        """The page records as arrays, by RunRecords field name (``page_<field>``)."""
        return {
            f"page_{name}": np.array(getattr(self, name), dtype=dtype)
            for name, dtype in self.FIELDS
        }
