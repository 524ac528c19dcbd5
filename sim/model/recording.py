"""A finished run's state as :class:`RunRecords` arrays."""

from __future__ import annotations

import numpy as np

from sim.model.records import (
    STATE_AUTO_RESOLVED,
    STATE_PREVENTED,
    STATE_RESOLVED,
    STATE_SILENCED,
    RunRecords,
)


def collect_records(world, start_minutes: np.ndarray) -> RunRecords:
    """The records of a finished :class:`sim.model.world.World` run."""
    outcome = world.outcome
    exogenous = world.alerts_exogenous
    total = exogenous + len(world.extra_service)
    state = np.full(total, STATE_RESOLVED, dtype=np.int8)
    state[:exogenous][outcome.auto_resolved] = STATE_AUTO_RESOLVED
    state[:exogenous][outcome.prevented] = STATE_PREVENTED
    deferred = np.zeros(total, dtype=bool)
    notify_only = np.zeros(total, dtype=bool)
    if world.paging is not None:
        state[:exogenous][world.paging.silenced] = STATE_SILENCED
        deferred[:exogenous] = world.paging.deferred
        notify_only[:exogenous] = world.paging.notify_only
    for alert, overridden in world.state_override.items():
        state[alert] = overridden
    resolved = np.array(world.resolved_minutes, dtype=np.float64)
    resolved[:exogenous][outcome.auto_resolved] = outcome.auto_resolved_minutes[
        outcome.auto_resolved
    ]
    start = np.concatenate(
        [np.asarray(start_minutes, dtype=np.float64), np.asarray(world.extra_start, float)]
    )
    return RunRecords(
        state=state,
        service=np.concatenate([world.service_array, world.extra_service]).astype(np.int64),
        root=np.concatenate([world.root_array, np.arange(exogenous, total, dtype=np.int64)]).astype(
            np.int64
        ),
        start_minutes=start,
        first_page_minutes=np.array(world.first_page_minutes, dtype=np.float64),
        first_page_person=np.array(world.first_page_person, dtype=np.int64),
        ack_minutes=np.array(world.ack_minutes, dtype=np.float64),
        ack_person=np.array(world.ack_person, dtype=np.int64),
        highest_level=np.array(world.highest_level, dtype=np.int64),
        work_start_minutes=np.array(world.work_start_minutes, dtype=np.float64),
        resolved_minutes=resolved,
        page_alert=np.array(world.page_alert, dtype=np.int64),
        page_minutes=np.array(world.page_minutes, dtype=np.float64),
        page_person=np.array(world.page_person, dtype=np.int64),
        page_level=np.array(world.page_level, dtype=np.int64),
        page_kind=np.array(world.page_kind, dtype=np.int8),
        page_schedule=np.array(world.page_schedule, dtype=np.int64),
        worker=np.array(world.worker, dtype=np.int64),
        handover=np.array(world.handover, dtype=np.int8),
        delayed_by_inhibition=np.array(world.delayed_by_inhibition, dtype=bool),
        simpy_events=world.events_processed,
        deferred=deferred,
        notify_only=notify_only,
        coverage_gap=np.array(world.coverage_gap, dtype=bool),
        retriggers=np.array(world.retriggers, dtype=np.int64),
        raci_consults=np.array(world.raci_consults, dtype=np.int64),
        caused_by=np.array(world.caused_by, dtype=np.int64),
        leave=tuple(world.people.leave),
        rest=tuple(world.people.rest),
        sleep_pages=np.array(world.people.sleep_pages, dtype=np.int64),
    )
