"""The SimPy world: incidents that reach a human, the people who carry the pager, escalation.

Only what involves people runs in SimPy; automation outcomes and paging rules are decided
beforehand in bulk (:mod:`sim.model.automation`, :mod:`sim.model.paging`). One long-lived
dispatcher process releases incidents at their page time; each incident is a short process:

1. Correlation (if enabled, :mod:`sim.model.correlation`): the alert joins the open incident of
   its root failure, or is suppressed while a dependency has an open incident.
2. Routing: the incident goes to the team owning the alerting service (``symptom-owner``) or, when
   correlation identifies the root, to the root's owner (``root-owner``). Outside business hours
   a shared rotation, if configured, takes every page instead.
3. The team's escalation policy (:mod:`sim.compile.escalation`) pages its levels in order. At each
   level every target is paged: a schedule's on-call person (or, if they are on leave or resting,
   the next available participant of the winning layer), a named person, the next engineer of a
   round-robin, or everyone. A level that names nobody (a coverage gap) passes straight to the next
   level and is counted. While nobody has acknowledged within the level's delay, the next level is
   paged; after the last, the chain repeats ``repeat`` times. Earlier levels stay paged: whoever
   acknowledges first takes the incident, as in common paging tools. The ack delay of the k-th page
   of a chain is pre-drawn per alert, times the person's fatigue slowdown. A notify-only alert (a
   low-urgency rule) pages the first level only and never escalates.
4. Handover: if the person who acknowledged is not in the team that owns the root cause (nor
   the manager Accountable for it), they
   triage for ``routing.triage_minutes`` and then hand over: a *reassignment* (a misrouted page)
   or, from the shared rotation, a *consult* of the owning team's on-call, unless a runbook lets
   the shared responder fix it (``shared_rotation.fix_probability``). The owning team's policy
   is paged as in step 3.
5. The person who took the incident last works it (slowed by fatigue); then it is resolved. If
   the policy's acknowledgement expires before that, the first level is paged again (a
   re-trigger) every ``ack_expiry_minutes`` until the incident is resolved. A tired person's fix
   may cause a new incident (:mod:`sim.model.people`).

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

import bisect
import math

import numpy as np
import simpy

from sim.calendar import SLOT_MINUTES
from sim.compile import CompiledScenario
from sim.generator.streams import STREAM_ENDOGENOUS, stream_generator
from sim.model.automation import AutomationOutcome
from sim.model.correlation import Correlator, Group
from sim.model.mistakes import MistakesMixin
from sim.model.paging import PagingDecision
from sim.model.people import People
from sim.model.recording import collect_records
from sim.model.records import (
    HANDOVER_CONSULT,
    HANDOVER_NONE,
    HANDOVER_REASSIGNMENT,
    PAGE_CONSULT,
    PAGE_FIRST,
    PAGE_NOTIFY,
    PAGE_RACI_CONSULT,
    PAGE_REASSIGNMENT,
    PAGE_RETRIGGER,
    STATE_GROUPED,
    STATE_SUPPRESSED,
    RunRecords,
)
from sim.model.targets import TargetsMixin, simple_chain


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


class World(TargetsMixin, MistakesMixin):
    """One run of one variant: people as SimPy resources, incidents as processes."""

    def __init__(
        self,
        compiled: CompiledScenario,
        service: np.ndarray,
        outcome: AutomationOutcome,
        trace: list[tuple] | None = None,
        root: np.ndarray | None = None,
        start_minutes: np.ndarray | None = None,
        *,
        severity: np.ndarray | None = None,
        paging: PagingDecision | None = None,
        seed: tuple[int, int] = (0, 0),
    ) -> None:
        self.env = simpy.Environment()
        self.events_processed = 0
        self.compiled = compiled
        self.outcome = outcome
        self.trace = trace
        self.seed = seed
        scenario = compiled.scenario
        self.people = People(compiled, seed)
        self.may_be_away = self.people.may_be_away
        self.tracks_sleep = self.people.tracks_sleep
        self.fatigue = self.people.fatigue_enabled
        self.resources = [simpy.Resource(self.env, capacity=1) for _ in compiled.person_names]
        self.schedules = compiled.schedules
        self.policies = compiled.policies
        plain_people = not (self.people.may_be_away or self.people.fatigue_enabled)
        self.simple_chains = [
            simple_chain(policy) if plain_people else None for policy in compiled.policies
        ]
        self.pools = {
            index: _Pool(self.env, schedule.engineers)
            for index, schedule in enumerate(compiled.schedules)
            if schedule.pool
        }
        self.team_manager = [
            next(
                person
                for person, team in enumerate(compiled.person_team.tolist())
                if team == team_index and not compiled.person_is_engineer[person]
            )
            for team_index in range(len(compiled.team_names))
        ]
        self.level_names = scenario.escalation.levels
        self.give_up_minutes = compiled.horizon_minutes + 2 * 7 * 1440.0
        self.ack_timeout = scenario.escalation.ack_timeout_minutes
        self.round_robin: dict[int, int] = {}
        alerts = len(service)
        root = np.arange(alerts) if root is None else root
        self.alerts_exogenous = alerts
        # Per-alert identity as arrays; incidents caused by mistakes are appended to lists.
        self.service_array = np.asarray(service)
        self.root_array = np.asarray(root)
        self.severity_array = (
            np.full(alerts, 2, dtype=np.int8) if severity is None else np.asarray(severity)
        )
        self.extra_service: list[int] = []
        self.extra_severity: list[int] = []
        self.extra_start: list[float] = []
        symptom_team = compiled.service_team[service]
        owner_team = compiled.service_team[service[root]]
        routed_team = (
            np.where(outcome.route_correct, owner_team, symptom_team)
            if scenario.routing.policy == "root-owner"
            else symptom_team
        )
        # The service of record: the root's when the incident is routed to the root's owner.
        record_service = (
            np.where(outcome.route_correct, service[root], service)
            if scenario.routing.policy == "root-owner"
            else np.asarray(service)
        )
        # Plain Python lists: scalar access in the hot loop is several times faster than numpy's.
        self.accountable = compiled.service_accountable_manager[record_service].tolist()
        # Consulted teams of a major incident (None when no service has any: the common case).
        self.consulted: list[tuple[int, ...]] | None = None
        if any(compiled.service_consulted):
            consult_severities = [
                ("P1", "P2", "P3", "P4").index(level)
                for level in scenario.routing.consult_severities
            ]
            major = np.isin(self.severity_array, consult_severities).tolist()
            self.consulted = [
                compiled.service_consulted[service_index] if is_major else ()
                for service_index, is_major in zip(record_service.tolist(), major, strict=True)
            ]
        self.routed_team = routed_team.tolist()
        # The policy paging each incident: its service of record's (the team's by default).
        self.routed_policy = compiled.service_policy[record_service].tolist()
        self.owner_policy = compiled.service_policy[service[root]].tolist()
        self.owner_team = owner_team.tolist()
        self.person_team = compiled.person_team.tolist()
        self.shared_covers = (
            None if compiled.shared_covers_slot is None else compiled.shared_covers_slot.tolist()
        )
        self.shared_index = len(compiled.schedules) - 1
        # Only the columns a chain can use: converting unused ones costs time in every run.
        columns = max(3, max(policy.most_pages for policy in compiled.policies))
        self.ack_delay = outcome.ack_delay_minutes[:, :columns].tolist()
        self.handover_ack_delay = outcome.handover_ack_delay_minutes.tolist()
        self.triage = outcome.triage_minutes.tolist()
        self.runbook_fix = outcome.runbook_fix.tolist()
        self.work = outcome.work_minutes.tolist()
        self.paging = paging
        self.page_minutes_by_alert = outcome.page_minutes if paging is None else paging.page_minutes
        self.notify_only = [False] * alerts if paging is None else paging.notify_only.tolist()
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
        self.coverage_gap = [False] * alerts
        self.retriggers = [0] * alerts
        self.raci_consults = [0] * alerts
        self.caused_by = [-1] * alerts
        self.page_alert: list[int] = []
        self.page_minutes: list[float] = []
        self.page_person: list[int] = []
        self.page_level: list[int] = []
        self.page_kind: list[int] = []
        self.page_schedule: list[int] = []
        fatigue = scenario.people.fatigue
        self.mistakes = self.fatigue and fatigue.mistake_probability_per_debt_hour > 0
        if self.mistakes:
            self.endogenous = stream_generator(seed[0], seed[1], STREAM_ENDOGENOUS)
            self.mistake_uniform = self.endogenous.random(alerts).tolist()

    def run(self) -> None:
        """Run until every incident is resolved (arrivals stop at the horizon; work drains)."""
        page_minutes = self.page_minutes_by_alert
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
        if self.tracks_sleep:
            self.people.paged(person, now)
        if self.trace is not None:
            self.trace.append((now, "page", alert, person, level))

    def _chain(self, alert: int, policy_index: int, ack_delay: list[float], kind: int):
        """Page the policy's levels until someone acknowledges; returns who did."""
        env = self.env
        policy = self.policies[policy_index]
        chain = policy.levels[:1] if self.notify_only[alert] else policy.chain
        if self.notify_only[alert]:
            kind = PAGE_NOTIFY
        last_position = len(chain) - 1
        columns = len(ack_delay)
        ack_at = math.inf
        acker = -1
        sent = 0
        while acker < 0:
            for position, level in enumerate(chain):
                people = self._targets(level, env.now, alert)
                if not people:
                    self.coverage_gap[alert] = True
                    if self.trace is not None:
                        self.trace.append((env.now, "gap", alert, -1, position))
                    continue
                for person in people:
                    self._page(alert, person, position, kind, policy_index)
                    delay = ack_delay[sent % columns]
                    if self.fatigue:
                        delay *= self.people.slowdown(person, env.now)
                    sent += 1
                    if env.now + delay < ack_at:
                        ack_at, acker = env.now + delay, person
                if position == last_position or ack_at <= env.now + level.delay_minutes:
                    break
                yield env.timeout(level.delay_minutes)
            if acker < 0:  # nobody at any level: try again after the first level's delay
                if env.now > self.give_up_minutes:
                    raise RuntimeError(
                        f"escalation policy {policy.name!r} has named nobody at any level "
                        "since the end of the horizon; check its schedules with "
                        "`oncall-sim validate`"
                    )
                yield env.timeout(chain[0].delay_minutes)
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
        policy_index = self.shared_index if shared else self.routed_policy[alert]
        if policy_index in self.pools:
            yield from self._pooled_incident(alert, policy_index)
        else:
            simple = self.simple_chains[policy_index]
            if simple is None or self.notify_only[alert]:
                worker = yield from self._chain(
                    alert, policy_index, self.ack_delay[alert], PAGE_FIRST
                )
            else:
                # _chain inlined for the common policy (one schedule, person or accountable
                # target per level, nobody ever away, no fatigue): delegating with `yield from`
                # would add a generator frame to every resume of the hottest process.
                ack_delay = self.ack_delay[alert]
                columns = len(ack_delay)
                last_position = len(simple) - 1
                ack_at = math.inf
                worker = -1
                sent = 0
                for position, (schedule, person, delay) in enumerate(simple):
                    if schedule is not None:
                        person = schedule.persons[
                            max(bisect.bisect_right(schedule.starts, env.now) - 1, 0)
                        ]
                        if person < 0:
                            self.coverage_gap[alert] = True
                            if self.trace is not None:
                                self.trace.append((env.now, "gap", alert, -1, position))
                            continue
                    elif person < 0:
                        person = self.accountable[alert]
                    self._page(alert, person, position, PAGE_FIRST, policy_index)
                    candidate = env.now + ack_delay[sent % columns]
                    sent += 1
                    if candidate < ack_at:
                        ack_at, worker = candidate, person
                    if position == last_position or ack_at <= env.now + delay:
                        break
                    yield env.timeout(delay)
                if worker < 0:  # every level was a gap: retry as the general chain does
                    yield env.timeout(simple[0][2])
                    worker = yield from self._chain(
                        alert, policy_index, self.ack_delay[alert], PAGE_FIRST
                    )
                else:
                    yield env.timeout(ack_at - env.now)
                    self.ack_minutes[alert] = env.now
                    self.ack_person[alert] = worker
                    if self.trace is not None:
                        self.trace.append((env.now, "ack", alert, worker, -1))
            outside = self.person_team[worker] != owner and worker != self.accountable[alert]
            if outside and not (shared and self.runbook_fix[alert]):
                yield env.timeout(self.triage[alert])
                kind = PAGE_CONSULT if shared else PAGE_REASSIGNMENT
                self.handover[alert] = HANDOVER_CONSULT if shared else HANDOVER_REASSIGNMENT
                if self.trace is not None:
                    name = "consult" if shared else "reassign"
                    self.trace.append((env.now, name, alert, worker, -1))
                policy_index = self.owner_policy[alert]
                worker = yield from self._chain(
                    alert, policy_index, self.handover_ack_delay[alert], kind
                )
            self.worker[alert] = worker
            if self.consulted is not None and self.consulted[alert]:
                self._consult_raci(alert, worker)
            if self.policies[policy_index].ack_expiry_minutes < math.inf:
                env.process(self._ack_expiry(alert, policy_index))
            with self.resources[worker].request() as request:
                yield request
                self.work_start_minutes[alert] = env.now
                work = self.work[alert]
                if self.fatigue:
                    work *= self.people.slowdown(worker, env.now)
                yield env.timeout(work)
            self.resolved_minutes[alert] = env.now
            if self.trace is not None:
                self.trace.append((env.now, "resolve", alert, worker, -1))
            if self.mistakes:
                self._maybe_mistake(alert, worker)
        if group is not None:
            self.correlator.close(group)
            for member in group.members:
                self.resolved_minutes[member] = env.now

    def _consult_raci(self, alert: int, worker: int) -> None:
        """Pull in the service's Consulted teams on a major incident: a consult page to the
        first level of each one's policy (they join; the worker keeps the incident). The
        worker's own team is already in: it is not consulted."""
        for team in self.consulted[alert]:
            if team in self.pools or team == self.person_team[worker]:
                continue
            for person in self._targets(self.policies[team].levels[0], self.env.now, alert):
                self._page(alert, person, 0, PAGE_RACI_CONSULT, team)
                self.raci_consults[alert] += 1

    def _ack_expiry(self, alert: int, policy_index: int):
        """Re-trigger the first level each time the acknowledgement expires before resolution."""
        env = self.env
        policy = self.policies[policy_index]
        ack_delay = self.ack_delay[alert]
        while True:
            yield env.timeout(policy.ack_expiry_minutes)
            if not math.isnan(self.resolved_minutes[alert]):
                return
            self.retriggers[alert] += 1
            if self.trace is not None:
                self.trace.append((env.now, "retrigger", alert, -1, -1))
            people = self._targets(policy.levels[0], env.now, alert)
            if not people:
                self.coverage_gap[alert] = True
                continue
            ack_at, acker = math.inf, -1
            for person in people:
                self._page(alert, person, 0, PAGE_RETRIGGER, policy_index)
                delay = ack_delay[self.highest_level[alert] % len(ack_delay)]
                if self.fatigue:
                    delay *= self.people.slowdown(person, env.now)
                if env.now + delay < ack_at:
                    ack_at, acker = env.now + delay, person
            yield env.timeout(ack_at - env.now)
            if not math.isnan(self.resolved_minutes[alert]):
                return  # resolved while the re-triggered page was outstanding
            if self.trace is not None:
                self.trace.append((env.now, "ack", alert, acker, -1))

    def _pooled_incident(self, alert: int, schedule_index: int):
        env = self.env
        pool = self.pools[schedule_index]
        manager = self.team_manager[schedule_index]
        with pool.slots.request() as request:
            yield request
            engineer = pool.free.pop(0)  # the longest idle engineer
            self._page(alert, engineer, 0, PAGE_FIRST, schedule_index)
            ack_delay = self.ack_delay[alert]
            ack_at, acker = env.now + ack_delay[0], engineer
            if "manager" in self.level_names and ack_at > env.now + self.ack_timeout:
                yield env.timeout(self.ack_timeout)
                manager_position = self.level_names.index("manager")
                self._page(alert, manager, manager_position, PAGE_FIRST, schedule_index)
                if env.now + ack_delay[2] < ack_at:
                    ack_at, acker = env.now + ack_delay[2], manager
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
        """The run's event records (call after :meth:`run`)."""
        return collect_records(self, start_minutes)
