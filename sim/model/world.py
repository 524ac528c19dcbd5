"""The SimPy world: incidents that reach a human, the people who carry the pager, escalation.

Only what involves people runs in SimPy; automation outcomes are decided beforehand in bulk
(:mod:`sim.model.automation`). One long-lived dispatcher process releases incidents at their page
time; each incident is a short process:

1. Page the first level of the escalation chain (the owning team's primary on call at that moment).
2. While nobody has acknowledged within ``ack_timeout_minutes``, page the next level (secondary,
   then manager). Earlier levels stay paged: whoever acknowledges first takes the incident, as in
   common paging tools. Each person's ack delay is pre-drawn per level.
3. The person who acknowledged works the incident; then it is resolved.

**A pool team** (``rotation.shift: pool``) has every engineer on duty: an incident waits, first
come first served, for the first free engineer, who is paged then and stays engaged until the
incident is resolved. Without acknowledgement, the chain skips the secondary (a pool has none)
and pages the manager. This makes the model a classic c-server queue by configuration alone.

**A busy responder.** A person works one incident at a time. A page to someone who is already
working is still acknowledged after the usual delay (acknowledging takes a tap on the phone); the
new incident then waits in that person's first-come, first-served queue until the current work is
done. Nobody else picks it up, so a heavy night on one person shows as longer recovery times, not
as extra escalations.
"""

from __future__ import annotations

import math

import numpy as np
import simpy

from sim.compile import LEVEL_MANAGER, LEVEL_PRIMARY, CompiledScenario
from sim.model.automation import AutomationOutcome
from sim.model.records import (
    STATE_AUTO_RESOLVED,
    STATE_PREVENTED,
    STATE_RESOLVED,
    RunRecords,
)


def _events_scheduled(env: simpy.Environment) -> int:
    """Events the environment has scheduled so far.

    SimPy numbers each scheduled event from one counter (``Environment._eid``); after a run to
    exhaustion every scheduled event has been processed, so this is the processed count too.
    Reading it once is free, where counting in an overridden ``step`` slowed every event by a
    third.
    """
    return next(env._eid)


class _Pool:
    """The engineers of a pool team: c interchangeable servers and who of them is free."""

    def __init__(self, env: simpy.Environment, engineers: tuple[int, ...]) -> None:
        self.slots = simpy.Resource(env, capacity=len(engineers))
        self.free = list(engineers)


class World:
    """One run of one variant: people as SimPy resources, incidents as processes."""

    def __init__(
        self,
        compiled: CompiledScenario,
        service: np.ndarray,
        outcome: AutomationOutcome,
        trace: list[tuple] | None = None,
    ) -> None:
        self.env = simpy.Environment()
        self.events_processed = 0
        self.compiled = compiled
        self.outcome = outcome
        self.trace = trace
        self.people = [simpy.Resource(self.env, capacity=1) for _ in compiled.person_names]
        self.pools = {
            id(schedule): _Pool(self.env, schedule.engineers)
            for schedule in compiled.schedules
            if schedule.pool
        }
        self.levels = compiled.escalation_levels
        self.ack_timeout = compiled.scenario.escalation.ack_timeout_minutes
        alerts = len(service)
        # Plain Python lists: scalar access in the hot loop is several times faster than numpy's.
        self.alert_schedule = [
            compiled.schedules[team] for team in compiled.service_team[service].tolist()
        ]
        self.ack_delay = outcome.ack_delay_minutes.tolist()
        self.work = outcome.work_minutes.tolist()
        self.first_page_minutes = [math.nan] * alerts
        self.first_page_person = [-1] * alerts
        self.ack_minutes = [math.nan] * alerts
        self.ack_person = [-1] * alerts
        self.highest_level = [-1] * alerts
        self.work_start_minutes = [math.nan] * alerts
        self.resolved_minutes = [math.nan] * alerts
        self.page_alert: list[int] = []
        self.page_minutes: list[float] = []
        self.page_person: list[int] = []
        self.page_level: list[int] = []

    def run(self) -> None:
        """Run until every incident is resolved (arrivals stop at the horizon; work drains)."""
        page_minutes = self.outcome.page_minutes
        human = np.flatnonzero(~np.isnan(page_minutes))
        order = human[np.argsort(page_minutes[human], kind="stable")]
        self.env.process(self._dispatch(order.tolist(), page_minutes[order].tolist()))
        self.env.run()
        self.events_processed = _events_scheduled(self.env)

    def _dispatch(self, alerts: list[int], times: list[float]):
        env = self.env
        for alert, time in zip(alerts, times, strict=True):
            if time > env.now:
                yield env.timeout(time - env.now)
            env.process(self._incident(alert))

    def _page(self, alert: int, person: int, level: int) -> None:
        now = self.env.now
        if self.first_page_person[alert] < 0:
            self.first_page_minutes[alert] = now
            self.first_page_person[alert] = person
        self.highest_level[alert] = level
        self.page_alert.append(alert)
        self.page_minutes.append(now)
        self.page_person.append(person)
        self.page_level.append(level)
        if self.trace is not None:
            self.trace.append((now, "page", alert, person, level))

    def _incident(self, alert: int):
        env = self.env
        schedule = self.alert_schedule[alert]
        if schedule.pool:
            yield from self._pooled_incident(alert, schedule)
            return
        ack_delay = self.ack_delay[alert]
        last_position = len(self.levels) - 1
        ack_at = math.inf
        acker = -1
        for position, level in enumerate(self.levels):
            person = schedule.on_call(level, env.now)
            self._page(alert, person, position)
            candidate = env.now + ack_delay[level]
            if candidate < ack_at:
                ack_at, acker = candidate, person
            if position == last_position or ack_at <= env.now + self.ack_timeout:
                break
            yield env.timeout(self.ack_timeout)
        yield env.timeout(ack_at - env.now)
        self.ack_minutes[alert] = env.now
        self.ack_person[alert] = acker
        if self.trace is not None:
            self.trace.append((env.now, "ack", alert, acker, -1))
        with self.people[acker].request() as request:
            yield request
            self.work_start_minutes[alert] = env.now
            yield env.timeout(self.work[alert])
        self.resolved_minutes[alert] = env.now
        if self.trace is not None:
            self.trace.append((env.now, "resolve", alert, acker, -1))

    def _pooled_incident(self, alert: int, schedule):
        env = self.env
        pool = self.pools[id(schedule)]
        with pool.slots.request() as request:
            yield request
            engineer = pool.free.pop(0)  # the longest idle engineer
            self._page(alert, engineer, 0)
            ack_delay = self.ack_delay[alert]
            ack_at, acker = env.now + ack_delay[LEVEL_PRIMARY], engineer
            if LEVEL_MANAGER in self.levels and ack_at > env.now + self.ack_timeout:
                yield env.timeout(self.ack_timeout)
                self._page(alert, schedule.manager, self.levels.index(LEVEL_MANAGER))
                if env.now + ack_delay[LEVEL_MANAGER] < ack_at:
                    ack_at, acker = env.now + ack_delay[LEVEL_MANAGER], schedule.manager
            yield env.timeout(ack_at - env.now)
            self.ack_minutes[alert] = env.now
            self.ack_person[alert] = acker
            if self.trace is not None:
                self.trace.append((env.now, "ack", alert, acker, -1))
            self.work_start_minutes[alert] = env.now
            yield env.timeout(self.work[alert])
            self.resolved_minutes[alert] = env.now
            if self.trace is not None:
                self.trace.append((env.now, "resolve", alert, acker, -1))
            pool.free.append(engineer)

    def records(self, start_minutes: np.ndarray) -> RunRecords:
        outcome = self.outcome
        state = np.full(len(start_minutes), STATE_RESOLVED, dtype=np.int8)
        state[outcome.auto_resolved] = STATE_AUTO_RESOLVED
        state[outcome.prevented] = STATE_PREVENTED
        resolved = np.array(self.resolved_minutes, dtype=np.float64)
        resolved[outcome.auto_resolved] = outcome.auto_resolved_minutes[outcome.auto_resolved]
        return RunRecords(
            state=state,
            start_minutes=start_minutes,
            first_page_minutes=np.array(self.first_page_minutes, dtype=np.float64),
            first_page_person=np.array(self.first_page_person, dtype=np.int64),
            ack_minutes=np.array(self.ack_minutes, dtype=np.float64),
            ack_person=np.array(self.ack_person, dtype=np.int64),
            highest_level=np.array(self.highest_level, dtype=np.int64),
            work_start_minutes=np.array(self.work_start_minutes, dtype=np.float64),
            resolved_minutes=resolved,
            page_alert=np.array(self.page_alert, dtype=np.int64),
            page_minutes=np.array(self.page_minutes, dtype=np.float64),
            page_person=np.array(self.page_person, dtype=np.int64),
            page_level=np.array(self.page_level, dtype=np.int64),
            simpy_events=self.events_processed,
        )
