"""A finished run's state as :class:`RunRecords` arrays."""

from __future__ import annotations

import numpy as np

from sim.compile import CompiledScenario
from sim.model.alert_table import AlertTable, PageLog
from sim.model.automation import AutomationOutcome
from sim.model.noise import NoiseDecision, noise_records
from sim.model.paging import PagingDecision
from sim.model.people import PeopleState
from sim.model.records import (
    STATE_AUTO_RESOLVED,
    STATE_PREVENTED,
    STATE_RESOLVED,
    STATE_SELF_CLEARED,
    STATE_SILENCED,
    STATE_TICKET,
    STATE_UNPAGED,
    RunRecords,
)


def collect_records(
    table: AlertTable,
    pages: PageLog,
    outcome: AutomationOutcome,
    paging: PagingDecision,
    state_override: dict[int, int],
    people: PeopleState,
    simpy_events: int,
    compiled: CompiledScenario,
    noise: NoiseDecision | None = None,
) -> RunRecords:
    """The records of a finished run: the alert table's and page log's columns, each alert's
    terminal state, automation's resolutions and the people's time away."""
    exogenous = table.exogenous
    total = len(table)
    state = np.full(total, STATE_RESOLVED, dtype=np.int8)
    state[:exogenous][outcome.auto_resolved] = STATE_AUTO_RESOLVED
    state[:exogenous][outcome.prevented] = STATE_PREVENTED
    state[:exogenous][paging.silenced] = STATE_SILENCED
    for alert, overridden in state_override.items():
        state[alert] = overridden
    deferred = np.zeros(total, dtype=bool)
    deferred[:exogenous] = paging.deferred
    notify_only = np.zeros(total, dtype=bool)
    notify_only[:exogenous] = paging.notify_only
    columns = table.record_arrays()
    columns["resolved_minutes"][:exogenous][outcome.auto_resolved] = outcome.auto_resolved_minutes[
        outcome.auto_resolved
    ]
    resolved = columns["resolved_minutes"]
    if noise is not None:
        for flag, name in (
            (noise.self_cleared, STATE_SELF_CLEARED),
            (noise.ticket, STATE_TICKET),
            (noise.unpaged, STATE_UNPAGED),
        ):
            state[:exogenous][flag] = name
            resolved[:exogenous][flag] = noise.quiet_end_minutes[flag]
    happened = (state != STATE_PREVENTED) & (state != STATE_SILENCED)
    return RunRecords(
        **columns,
        **pages.record_arrays(),
        state=state,
        deferred=deferred,
        notify_only=notify_only,
        simpy_events=simpy_events,
        leave=tuple(people.leave),
        rest=tuple(people.rest),
        sleep_pages=np.array(people.sleep_pages, dtype=np.int64),
        noise=noise_records(
            compiled,
            noise,
            columns["service"],
            np.array(table.severity, dtype=np.int64),
            columns["start_minutes"],
            np.where(happened, resolved, np.nan),
        ),
    )
