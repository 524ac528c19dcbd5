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

**A symptom clears with its root.** Monitoring clears a symptom's alert when its cause is fixed.
When a root failure is fixed (its incident resolved by a person, or by self-healing), every
incident led by one of its cascade symptoms that is still open then ends at that minute, in
state *cleared with root*, wherever it is: escalating (no further level is paged), acknowledged
and waiting in a busy person's queue or a pool's (it leaves the queue), in triage or being
worked (the work stops). A symptom incident that starts after its root was fixed runs its
course. Without correlation this is the only link between a root and its symptoms; with it,
symptoms mostly join or are suppressed by the root's incident instead.
"""

from __future__ import annotations

import bisect
import math

import numpy as np
import simpy

from sim.calendar import GIVE_UP_AFTER_HORIZON_MINUTES, SLOT_MINUTES
from sim.compile import CompiledScenario
from sim.model.alert_table import AlertTable
from sim.model.automation import AutomationOutcome
from sim.model.correlation import Correlator, Group
from sim.model.escalation import Escalation
from sim.model.mistakes import Mistakes
from sim.model.noise import NoiseDecision, clear_when_due, start_noise
from sim.model.paging import PagingDecision
from sim.model.people import PeopleState
from sim.model.recording import collect_records
from sim.model.records import (
    HANDOVER_CONSULT,
    HANDOVER_REASSIGNMENT,
    PAGE_CONSULT,
    PAGE_FIRST,
    PAGE_REASSIGNMENT,
    STATE_CLEARED_WITH_ROOT,
    STATE_GROUPED,
    STATE_SUPPRESSED,
    RunRecords,
)
from sim.model.routing import route_alerts
from sim.model.symptoms import ROOT_FIXED, OpenSymptoms
from sim.model.targets import simple_chain
from sim.model.trace import TraceEvent


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
        trace: list[TraceEvent] | None = None,
        root: np.ndarray | None = None,
        start_minutes: np.ndarray | None = None,
        *,
        severity: np.ndarray,
        paging: PagingDecision,
        seed: tuple[int, int],
        noise: NoiseDecision | None = None,
    ) -> None:
        self.env = simpy.Environment()
        self.events_processed = 0
        self.compiled = compiled
        self.outcome = outcome
        self.paging = paging
        self.noise = noise
        self.clears = None if noise is None else np.isfinite(noise.clear_minutes).tolist()
        self.trace = trace
        self.people = PeopleState(compiled, seed)
        self.fatigue = self.people.fatigue_enabled
        self.resources = [simpy.Resource(self.env, capacity=1) for _ in compiled.person_names]
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
        self.give_up_minutes = compiled.horizon_minutes + GIVE_UP_AFTER_HORIZON_MINUTES
        self.person_team = compiled.person_team.tolist()
        self.shared_covers = (
            None if compiled.shared_covers_slot is None else compiled.shared_covers_slot.tolist()
        )
        self.shared_index = len(compiled.schedules) - 1
        root = np.arange(len(service)) if root is None else np.asarray(root)
        start_minutes = outcome.page_minutes if start_minutes is None else start_minutes
        fatigue = compiled.scenario.people.fatigue
        self.mistakes = (
            Mistakes(compiled, self.people, seed)
            if self.fatigue and fatigue.mistake_probability_per_debt_hour > 0
            else None
        )
        self.table = self._alert_table(service, root, start_minutes, severity)
        self.escalation = Escalation(
            self.env, compiled, self.table, self.people, trace, self.give_up_minutes, self.pools
        )
        self.state_override: dict[int, int] = {}
        self.correlator = self._correlator(service, root, start_minutes)
        # None without cascades: the incident process then never registers a symptom.
        self.open_symptoms = (
            None if compiled.arrivals.cascades is None else OpenSymptoms(self.env, self.table)
        )

    def _alert_table(self, service, root, start_minutes, severity) -> AlertTable:
        """The exogenous alerts' rows: routing, pre-drawn durations and paging decisions."""
        compiled, outcome, paging = self.compiled, self.outcome, self.paging
        alerts = len(service)
        routing = route_alerts(compiled, service, root, outcome.route_correct, severity)
        # Only the columns a chain can use: converting unused ones costs time in every run.
        columns = max(3, max(policy.most_pages for policy in compiled.policies))
        return AlertTable(
            {
                "service": np.asarray(service).tolist(),
                "severity": np.asarray(severity).tolist(),
                "start_minutes": np.asarray(start_minutes, dtype=np.float64).tolist(),
                "root": root.tolist(),
                "routed_team": routing.routed_team,
                "owner_team": routing.owner_team,
                "routed_policy": routing.routed_policy,
                "owner_policy": routing.owner_policy,
                "accountable": routing.accountable,
                "consulted": routing.consulted,
                "ack_delay": outcome.ack_delay_minutes[:, :columns].tolist(),
                "handover_ack_delay": outcome.handover_ack_delay_minutes.tolist(),
                "triage": outcome.triage_minutes.tolist(),
                "runbook_fix": outcome.runbook_fix.tolist(),
                "work": outcome.work_minutes.tolist(),
                "notify_only": paging.notify_only.tolist(),
                "mistake_uniform": (
                    [math.nan] * alerts
                    if self.mistakes is None
                    else self.mistakes.exogenous_uniforms(alerts)
                ),
            }
        )

    def _correlator(self, service, root, start_minutes) -> Correlator | None:
        correlation = self.compiled.scenario.correlation
        if not (correlation.grouping.enabled or correlation.inhibition):
            return None
        return Correlator(
            np.asarray(service),
            root,
            start_minutes,
            self.outcome,
            self.compiled.service_depends_on,
            grouping=correlation.grouping.enabled,
            group_wait_minutes=correlation.grouping.group_wait_minutes,
            group_interval_minutes=correlation.grouping.group_interval_minutes,
            inhibition=correlation.inhibition,
        )

    def run(self) -> None:
        """Run until every incident is resolved (arrivals stop at the horizon; work drains)."""
        page_minutes = self.paging.page_minutes
        human = np.flatnonzero(~np.isnan(page_minutes))
        order = human[np.argsort(page_minutes[human], kind="stable")]
        self.env.process(self._dispatch(order.tolist(), page_minutes[order].tolist()))
        if self.noise is not None:
            start_noise(self)
        if self.open_symptoms is not None:
            self.env.process(self.open_symptoms.self_healed_roots(self.outcome))
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
                incident = env.process(self._incident(alert))
                if self.clears is not None and self.clears[alert]:
                    env.process(clear_when_due(self, alert, incident))
                continue
            group = correlator.join_open_group(alert, env.now)
            if group is not None:
                self.state_override[alert] = STATE_GROUPED
                if self.trace is not None:
                    self.trace.append(TraceEvent(env.now, "group", alert, other_alert=group.lead))
                continue
            group = correlator.open_group(alert, env.now)
            incident = env.process(self._incident(alert, group))
            if self.clears is not None and self.clears[alert]:
                env.process(clear_when_due(self, alert, incident, group))

    def _cleared_with_root(self, alert: int, root: int) -> None:
        """The incident of symptom ``alert`` ends now: its root ``root`` was fixed."""
        self.table.resolved_minutes[alert] = self.env.now
        self.state_override[alert] = STATE_CLEARED_WITH_ROOT
        if self.trace is not None:
            self.trace.append(TraceEvent(self.env.now, "clear_with_root", alert, other_alert=root))

    def _incident(self, alert: int, group: Group | None = None):
        env = self.env
        table = self.table
        escalation = self.escalation
        open_symptoms = self.open_symptoms
        symptom_of = -1
        if open_symptoms is not None and table.root[alert] != alert:
            symptom_of = table.root[alert]
            open_symptoms.register(symptom_of, alert)
        try:
            if group is not None:
                if group.first_page_minutes > env.now:
                    yield env.timeout(group.first_page_minutes - env.now)
                correlator = self.correlator
                while (blocking := correlator.blocking_dependency(alert, env.now)) is not None:
                    if correlator.root_has_another_incident(alert):
                        self.state_override[alert] = STATE_SUPPRESSED
                        correlator.close(group)
                        escalation.note("suppress", alert)
                        return
                    if not table.delayed_by_inhibition[alert]:
                        table.delayed_by_inhibition[alert] = True
                        escalation.note("inhibited", alert)
                    yield correlator.until_clear(env, blocking)
                correlator.start_paging(group)
            owner = table.owner_team[alert]
            shared = (
                self.shared_covers is not None
                and self.shared_covers[
                    min(int(env.now // SLOT_MINUTES), len(self.shared_covers) - 1)
                ]
            )
            policy_index = self.shared_index if shared else table.routed_policy[alert]
            if policy_index in self.pools:
                yield from self._pooled_incident(alert, policy_index)
            else:
                simple = self.simple_chains[policy_index]
                if simple is None or table.notify_only[alert]:
                    worker = yield from escalation.chain(
                        alert, policy_index, table.ack_delay[alert], PAGE_FIRST
                    )
                else:
                    # _chain inlined for the common policy (one schedule, person or accountable
                    # target per level, nobody ever away, no fatigue): delegating with `yield from`
                    # would add a generator frame to every resume of the hottest process.
                    ack_delay = table.ack_delay[alert]
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
                                escalation.gap(alert, position, policy_index)
                                continue
                        elif person < 0:
                            person = table.accountable[alert]
                        escalation.page(alert, person, position, PAGE_FIRST, policy_index)
                        candidate = env.now + ack_delay[sent % columns]
                        sent += 1
                        if candidate < ack_at:
                            ack_at, worker = candidate, person
                        if position == last_position or ack_at <= env.now + delay:
                            break
                        yield env.timeout(delay)
                    if worker < 0:  # every level was a gap: retry as the general chain does
                        yield env.timeout(simple[0][2])
                        worker = yield from escalation.chain(
                            alert, policy_index, ack_delay, PAGE_FIRST
                        )
                    else:
                        yield env.timeout(ack_at - env.now)
                        escalation.acknowledged(alert, worker)
                outside = self.person_team[worker] != owner and worker != table.accountable[alert]
                if outside and not (shared and table.runbook_fix[alert]):
                    yield env.timeout(table.triage[alert])
                    kind = PAGE_CONSULT if shared else PAGE_REASSIGNMENT
                    table.handover[alert] = HANDOVER_CONSULT if shared else HANDOVER_REASSIGNMENT
                    escalation.note("consult" if shared else "reassign", alert, worker)
                    policy_index = table.owner_policy[alert]
                    worker = yield from escalation.chain(
                        alert, policy_index, table.handover_ack_delay[alert], kind
                    )
                table.worker[alert] = worker
                if table.consulted[alert]:
                    escalation.consult_raci(alert, worker)
                if self.policies[policy_index].ack_expiry_minutes < math.inf:
                    env.process(escalation.ack_expiry(alert, policy_index))
                with self.resources[worker].request() as request:
                    yield request
                    table.work_start_minutes[alert] = env.now
                    work = table.work[alert]
                    if self.fatigue:
                        work *= self.people.slowdown(worker, env.now)
                    yield env.timeout(work)
                table.resolved_minutes[alert] = env.now
                escalation.note("resolve", alert, worker)
                if self.mistakes is not None:
                    self._maybe_mistake(alert, worker)
            if group is not None:
                self.correlator.close(group)
                for member in group.members:
                    table.resolved_minutes[member] = env.now
        except simpy.Interrupt as interrupt:
            if interrupt.cause is not ROOT_FIXED:
                raise  # a transient alert cleared on its own (sim.model.noise.clear_when_due)
            # The root was fixed (OpenSymptoms.clear): leave any queue, stop paging or working.
            self._cleared_with_root(alert, symptom_of)
            if group is not None:
                self.correlator.close(group)
                for member in group.members:
                    table.resolved_minutes[member] = env.now
            return
        if open_symptoms is not None and symptom_of < 0:
            open_symptoms.clear(alert)

    def _maybe_mistake(self, alert: int, worker: int) -> None:
        """A tired person's fix may cause a new incident on the same service, later."""
        caused = self.mistakes.caused_incident(self.table, alert, worker, self.env.now)
        if caused is None:
            return
        new, delay = caused
        if self.trace is not None:
            self.trace.append(TraceEvent(self.env.now, "mistake", alert, worker, other_alert=new))
        self.env.process(self._delayed_incident(new, delay))

    def _delayed_incident(self, alert: int, delay: float):
        yield self.env.timeout(delay)
        yield from self._incident(alert)

    def _pooled_incident(self, alert: int, policy_index: int):
        """A pool team: the incident waits for the first free engineer (the pool level), who is
        paged; while nobody acknowledges, the policy's later levels with a target are paged
        (the manager; a pool has no secondary). Pool responders are not slowed by fatigue."""
        env = self.env
        table = self.table
        pool = self.pools[policy_index]
        levels = self.policies[policy_index].levels
        ack_delay = table.ack_delay[alert]
        with pool.slots.request() as request:
            yield request
            engineer = pool.free.pop(0)  # the longest idle engineer
            try:
                ack_at, acker = math.inf, -1
                for position, level in enumerate(levels):
                    people = (engineer,) if position == 0 else [t.person for t in level.targets]
                    if not people:
                        continue
                    if position > 0:
                        if ack_at <= env.now + levels[0].delay_minutes:
                            break
                        yield env.timeout(levels[0].delay_minutes)
                    # Column k of the ack delays for the level at position k (a pool pages each
                    # level's one person).
                    ack_at, acker, _ = self.escalation.page_people(
                        alert, people, position, PAGE_FIRST, policy_index, ack_delay, position,
                        ack_at, acker, False,
                    )  # fmt: skip
                yield env.timeout(ack_at - env.now)
                self.escalation.acknowledged(alert, acker)
                table.worker[alert] = acker
                table.work_start_minutes[alert] = env.now
                yield env.timeout(table.work[alert])
                table.resolved_minutes[alert] = env.now
                self.escalation.note("resolve", alert, acker)
            finally:  # also when the incident clears with its root (an interrupt)
                pool.free.append(engineer)

    def records(self) -> RunRecords:
        """The run's event records (call after :meth:`run`)."""
        return collect_records(
            self.table,
            self.escalation.pages,
            self.outcome,
            self.paging,
            self.state_override,
            self.people,
            self.events_processed,
            self.compiled,
            self.noise,
        )
