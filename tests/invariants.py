"""Checks that every page went to someone the schedules and escalation policies named."""

from __future__ import annotations

import bisect
import math

import numpy as np

from sim.compile import CompiledScenario
from sim.compile.escalation import TARGET_ACCOUNTABLE, TARGET_PERSON, TARGET_SCHEDULE
from sim.model.records import PAGE_NOTIFY, PAGE_RETRIGGER, RunRecords


def away(intervals: list[tuple[float, float]], time: float) -> bool:
    """Whether ``time`` falls in one of the sorted (start, end) intervals."""
    index = bisect.bisect_right(intervals, (time, math.inf)) - 1
    return index >= 0 and time < intervals[index][1]


def check_pages_follow_policies(compiled: CompiledScenario, records: RunRecords) -> None:
    """Nobody away (leave, rest) is paged; each page names a person that the policy's level
    names at that moment: the schedule's on-call person, or, when that person is away, another
    participant of the winning layer or of a lower active layer; the named person; an
    engineer of a round-robin or everyone target; the manager Accountable for the incident's
    service (of the alert or of its root, depending on routing); in a pool, any engineer at
    the first level and the manager later."""
    levels = compiled.scenario.escalation.levels
    for alert, time, person, position, policy_index, kind in zip(
        records.page_alert.tolist(),
        records.page_minutes.tolist(),
        records.page_person.tolist(),
        records.page_level.tolist(),
        records.page_policy.tolist(),
        records.page_kind.tolist(),
        strict=True,
    ):
        unavailable = away(records.leave[person], time) or away(records.rest[person], time)
        assert not unavailable, f"{compiled.person_names[person]} paged while away at {time}"
        own = policy_index < len(compiled.schedules)
        schedule = compiled.schedules[policy_index] if own else None
        policy = compiled.policies[policy_index]
        if schedule is not None and schedule.pool:
            if position == 0:
                assert person in schedule.engineers
            else:
                assert position == levels.index("manager")
                assert not compiled.person_is_engineer[person]
            continue
        chain = policy.levels if kind in (PAGE_NOTIFY, PAGE_RETRIGGER) else policy.chain
        level = chain[position]
        service = records.service[alert]
        accountable = {
            int(compiled.service_accountable_manager[service]),
            int(compiled.service_accountable_manager[records.service[records.root[alert]]]),
        }
        named = (_names(target, person, time, records, accountable) for target in level.targets)
        assert any(named), (
            f"{compiled.person_names[person]} is not named by level {position} of "
            f"{policy.name} at {time}"
        )


def _names(target, person: int, time: float, records: RunRecords, accountable: set[int]) -> bool:
    if target.kind == TARGET_PERSON:
        return person == target.person
    if target.kind == TARGET_ACCOUNTABLE:
        return person in accountable
    if target.kind != TARGET_SCHEDULE:
        return person in target.engineers
    schedule = target.schedule
    segment = schedule.segment_at(time)
    on_call = schedule.persons[segment]
    if person == on_call:
        return True
    if schedule.on_call_together is not None and person in schedule.on_call_together[segment]:
        return True
    if on_call < 0:
        return False
    named_is_away = away(records.leave[on_call], time) or away(records.rest[on_call], time)
    substitutes = (*schedule.participants[segment], *schedule.fallback[segment])
    return named_is_away and person in substitutes


def pages_per_person(compiled: CompiledScenario, records: RunRecords) -> np.ndarray:
    return np.bincount(records.page_person, minlength=len(compiled.person_names))
