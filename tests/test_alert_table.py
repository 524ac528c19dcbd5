"""The model's per-alert state has one owner: columns declared once, rows appended whole."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.model.alert_table import COLUMNS, AlertTable
from sim.model.records import HANDOVER_NONE, RunRecords

INPUTS = [column.name for column in COLUMNS if column.is_input]
INHERITED = {column.name for column in COLUMNS if column.inherit}


def two_alerts() -> AlertTable:
    """Two exogenous alerts of services 4 and 5, every input column given."""
    inputs = {name: [f"{name}-0", f"{name}-1"] for name in INPUTS}
    inputs |= {"start_minutes": [10.0, 20.0], "root": [0, 1]}
    inputs["service"] = [4, 5]
    inputs["accountable"] = [7, 8]
    return AlertTable(inputs)


def test_a_caused_incident_is_one_whole_row_inheriting_its_causes_identity():
    """Appending alert 2, caused by alert 1: every column grows by one; service, severity,
    Accountable manager and Consulted teams are alert 1's; state starts fresh."""
    table = two_alerts()
    given = {name: f"new-{name}" for name in INPUTS if name not in INHERITED}
    given |= {"start_minutes": 30.0, "root": 2}
    new = table.append(1, **given)
    assert new == 2 and len(table) == 3
    assert {len(getattr(table, column.name)) for column in COLUMNS} == {3}
    assert table.service[2] == 5 and table.accountable[2] == 8
    assert table.severity[2] == "severity-1" and table.consulted[2] == "consulted-1"
    assert table.handover[2] == HANDOVER_NONE and table.worker[2] == -1
    assert math.isnan(table.resolved_minutes[2]) and table.pages_sent[2] == 0


def test_a_row_missing_an_input_column_is_refused():
    """Misalignment is impossible: a caused incident without its work time, a table without
    most inputs, or a column the table does not declare, is an error naming it."""
    table = two_alerts()
    given = {name: 0 for name in INPUTS if name not in INHERITED | {"work"}}
    with pytest.raises(ValueError, match="'work'"):
        table.append(0, **given)
    with pytest.raises(ValueError, match="missing columns"):
        AlertTable({"service": [1]})
    with pytest.raises(ValueError, match="unknown columns"):
        table.append(0, not_a_column=1)


def test_every_recorded_column_is_a_run_records_field():
    recorded = {column.name for column in COLUMNS if column.dtype is not None}
    assert recorded <= set(RunRecords.__dataclass_fields__)
    arrays = two_alerts().record_arrays()
    assert set(arrays) == recorded
    assert arrays["service"].dtype == np.int64 and arrays["service"].tolist() == [4, 5]
