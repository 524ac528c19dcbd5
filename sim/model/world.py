"""The SimPy world: incidents that reach a human, the people who carry the pager, escalation.

Only what involves people runs in SimPy; automation outcomes are decided beforehand in bulk
(:mod:`sim.model.automation`). One long-lived dispatcher process releases incidents at their page
time; each incident is a short process:

1. Correlation (if enabled, :mod:`sim.model.correlation`): the alert joins the open incident of
   its root failure, or is suppressed while a dependency has an open incident.
2. Routing: the incident goes to the team owning the alerting service (``symptom-owner``) or, when
   correlation identifies the root, to the root's owner (``root-owner``). Outside business hours
   a shared rotation, if configured, takes every page instead.
3. Page the first level of the escalation chain (that team's primary on call at that moment).
   While nobody has acknowledged within ``ack_timeout_minutes``, page the next level (secondary,
   then manager). Earlier levels stay paged: whoever acknowledges first takes the incident, as in
   common paging tools. Each person's ack delay is pre-drawn per level.
4. Handover: if the person who acknowledged is not in the team that owns the root cause, they
   triage for ``routing.triage_minutes`` and then hand over: a *reassignment* (a misrouted page)
   or, from the shared rotation, a *consult* of the owning team's on-call, unless a runbook lets
   the shared responder fix it (``shared_rotation.fix_probability``). The owning team's chain is
   paged as in step 3.
5. The person who took the incident last works it; then it is resolved.

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

from sim.calendar import SLOT_MINUTES
from sim.compile import LEVEL_MANAGER, LEVEL_PRIMARY, CompiledScenario
from sim.model.automation import AutomationOutcome
from sim.model.correlation import Correlator, Group
from sim.model.records import (
    HANDOVER_CONSULT,
    HANDOVER_NONE,
    HANDOVER_REASSIGNMENT,
    PAGE_CONSULT,
    PAGE_FIRST,
    PAGE_REASSIGNMENT,
    STATE_AUTO_RESOLVED,
    STATE_GROUPED,
    STATE_PREVENTED,
    STATE_RESOLVED,
    STATE_SUPPRESSED,
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
        root: np.ndarray | None = None,
        start_minutes: np.ndarray | None = None,
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
        root = np.arange(alerts) if root is None else root
        self.service_array = np.asarray(service)
        self.root_array = np.asarray(root)
        scenario = compiled.scenario
        symptom_team = compiled.service_team[service]
        owner_team = compiled.service_team[service[root]]
        routed_team = (
            np.where(outcome.route_correct, owner_team, symptom_team)
            if scenario.routing.policy == "root-owner"
            else symptom_team
        )
        # Plain Python lists: scalar access in the hot loop is several times faster than numpy's.
        self.routed_team = routed_team.tolist()
        self.owner_team = owner_team.tolist()
        self.person_team = compiled.person_team.tolist()
        self.shared_covers = (
            None if compiled.shared_covers_slot is None else compiled.shared_covers_slot.tolist()
        )
        self.schedules = compiled.schedules
        self.shared_index = len(compiled.schedules) - 1
        self.ack_delay = outcome.ack_delay_minutes.tolist()
        self.handover_ack_delay = outcome.handover_ack_delay_minutes.tolist()
        self.triage = outcome.triage_minutes.tolist()
        self.runbook_fix = outcome.runbook_fix.tolist()
        self.work = outcome.work_minutes.tolist()
        correlation = scenario.correlation
        self.correlator = (
            Correlator(
                service,
                root,
                outcome.page_minutes if start_minutes is None else start_minutes,
                outcome,
                compiled.service_depends_on,
                grouping=correlation.grouping.enabled,
                group_wait_minutes=correlation.grouping.group_wait_minutes,
                group_interval_minutes=correlation.grouping.group_interval_minutes,
                inhibition=correlation.inhibition,
            )
            if correlation.grouping.enabled or correlation.inhibition
            else None
        )
        self.state_override: dict[int, int] = {}
        self.handover = [HANDOVER_NONE] * alerts
        self.delayed_by_inhibition = [False] * alerts
        self.worker = [-1] * alerts
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
        self.page_kind: list[int] = []
        self.page_schedule: list[int] = []

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
        correlator = self.correlator
        for alert, time in zip(alerts, times, strict=True):
            if time > env.now:
                delay = time - env.now
                if env.now + delay < time:  # now + (time - now) can round one ulp short
                    delay = math.nextafter(delay, math.inf)
                yield env.timeout(delay)
            if correlator is None:
                env.process(self._incident(alert))
                continue
            group = correlator.join_open_group(alert, env.now)
            if group is not None:
                self.state_override[alert] = STATE_GROUPED
                if self.trace is not None:
                    self.trace.append((env.now, "group", alert, group.lead, -1))
                continue
            env.process(self._incident(alert, correlator.open_group(alert, env.now)))

    def _page(self, alert: int, person: int, level: int, kind: int, schedule: int) -> None:
        now = self.env.now
        if self.first_page_person[alert] < 0:
            self.first_page_minutes[alert] = now
            self.first_page_person[alert] = person
        self.highest_level[alert] += 1
        self.page_alert.append(alert)
        self.page_minutes.append(now)
        self.page_person.append(person)
        self.page_level.append(level)
        self.page_kind.append(kind)
        self.page_schedule.append(schedule)
        if self.trace is not None:
            self.trace.append((now, "page", alert, person, level))

    def _page_chain(self, alert: int, schedule, schedule_index: int, ack_delay, kind: int):
        """Page the escalation levels of ``schedule`` until someone acknowledges; returns who.

        Used for the chain after a handover; the first chain is the same loop, inlined in
        ``_incident`` for speed.
        """
        env = self.env
        last_position = len(self.levels) - 1
        ack_at = math.inf
        acker = -1
        for position, level in enumerate(self.levels):
            person = schedule.on_call(level, env.now)
            self._page(alert, person, position, kind, schedule_index)
            candidate = env.now + ack_delay[level]
            if candidate < ack_at:
                ack_at, acker = candidate, person
            if position == last_position or ack_at <= env.now + self.ack_timeout:
                break
            yield env.timeout(self.ack_timeout)
        yield env.timeout(ack_at - env.now)
        if self.ack_person[alert] < 0:
            self.ack_minutes[alert] = env.now
            self.ack_person[alert] = acker
        if self.trace is not None:
            self.trace.append((env.now, "ack", alert, acker, -1))
        return acker

    def _incident(self, alert: int, group: Group | None = None):
        env = self.env
        if group is not None:
            if group.first_page_minutes > env.now:
                yield env.timeout(group.first_page_minutes - env.now)
            correlator = self.correlator
            while (blocking := correlator.blocking_dependency(alert, env.now)) is not None:
                if correlator.root_has_another_incident(alert):
                    self.state_override[alert] = STATE_SUPPRESSED
                    correlator.close(group)
                    if self.trace is not None:
                        self.trace.append((env.now, "suppress", alert, -1, -1))
                    return
                if not self.delayed_by_inhibition[alert]:
                    self.delayed_by_inhibition[alert] = True
                    if self.trace is not None:
                        self.trace.append((env.now, "inhibited", alert, -1, -1))
                yield correlator.until_clear(env, blocking)
            correlator.start_paging(group)
        owner = self.owner_team[alert]
        shared = (
            self.shared_covers is not None
            and self.shared_covers[min(int(env.now // SLOT_MINUTES), len(self.shared_covers) - 1)]
        )
        schedule_index = self.shared_index if shared else self.routed_team[alert]
        schedule = self.schedules[schedule_index]
        if schedule.pool:
            yield from self._pooled_incident(alert, schedule, schedule_index)
        else:
            # The first chain is _page_chain inlined: delegating with `yield from` would add a
            # generator frame to every resume of the hottest process in the model.
            ack_delay = self.ack_delay[alert]
            last_position = len(self.levels) - 1
            ack_at = math.inf
            worker = -1
            for position, level in enumerate(self.levels):
                person = schedule.on_call(level, env.now)
                self._page(alert, person, position, PAGE_FIRST, schedule_index)
                candidate = env.now + ack_delay[level]
                if candidate < ack_at:
                    ack_at, worker = candidate, person
                if position == last_position or ack_at <= env.now + self.ack_timeout:
                    break
                yield env.timeout(self.ack_timeout)
            yield env.timeout(ack_at - env.now)
            self.ack_minutes[alert] = env.now
            self.ack_person[alert] = worker
            if self.trace is not None:
                self.trace.append((env.now, "ack", alert, worker, -1))
            if self.person_team[worker] != owner and not (shared and self.runbook_fix[alert]):
                yield env.timeout(self.triage[alert])
                kind = PAGE_CONSULT if shared else PAGE_REASSIGNMENT
                self.handover[alert] = HANDOVER_CONSULT if shared else HANDOVER_REASSIGNMENT
                if self.trace is not None:
                    name = "consult" if shared else "reassign"
                    self.trace.append((env.now, name, alert, worker, -1))
                worker = yield from self._page_chain(
                    alert,
                    self.schedules[owner],
                    owner,
                    self.handover_ack_delay[alert],
                    kind,
                )
            self.worker[alert] = worker
            with self.people[worker].request() as request:
                yield request
                self.work_start_minutes[alert] = env.now
                yield env.timeout(self.work[alert])
            self.resolved_minutes[alert] = env.now
            if self.trace is not None:
                self.trace.append((env.now, "resolve", alert, worker, -1))
        if group is not None:
            self.correlator.close(group)
            for member in group.members:
                self.resolved_minutes[member] = env.now

    def _pooled_incident(self, alert: int, schedule, schedule_index: int):
        env = self.env
        pool = self.pools[id(schedule)]
        with pool.slots.request() as request:
            yield request
            engineer = pool.free.pop(0)  # the longest idle engineer
            self._page(alert, engineer, 0, PAGE_FIRST, schedule_index)
            ack_delay = self.ack_delay[alert]
            ack_at, acker = env.now + ack_delay[LEVEL_PRIMARY], engineer
            if LEVEL_MANAGER in self.levels and ack_at > env.now + self.ack_timeout:
                yield env.timeout(self.ack_timeout)
                manager_position = self.levels.index(LEVEL_MANAGER)
                self._page(alert, schedule.manager, manager_position, PAGE_FIRST, schedule_index)
                if env.now + ack_delay[LEVEL_MANAGER] < ack_at:
                    ack_at, acker = env.now + ack_delay[LEVEL_MANAGER], schedule.manager
            yield env.timeout(ack_at - env.now)
            self.ack_minutes[alert] = env.now
            self.ack_person[alert] = acker
            if self.trace is not None:
                self.trace.append((env.now, "ack", alert, acker, -1))
            self.worker[alert] = acker
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
        for alert, overridden in self.state_override.items():
            state[alert] = overridden
        resolved = np.array(self.resolved_minutes, dtype=np.float64)
        resolved[outcome.auto_resolved] = outcome.auto_resolved_minutes[outcome.auto_resolved]
        return RunRecords(
            state=state,
            service=self.service_array,
            root=self.root_array,
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
            page_kind=np.array(self.page_kind, dtype=np.int8),
            page_schedule=np.array(self.page_schedule, dtype=np.int64),
            worker=np.array(self.worker, dtype=np.int64),
            handover=np.array(self.handover, dtype=np.int8),
            delayed_by_inhibition=np.array(self.delayed_by_inhibition, dtype=bool),
            simpy_events=self.events_processed,
        )
