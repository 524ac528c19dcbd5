"""Escalation, written once: page a level, take the earliest acknowledgement, record it, trace it.

The general chain (:meth:`Escalation.chain`), the re-triggers of an expiring acknowledgement
(:meth:`Escalation.ack_expiry`), RACI consults and the world's two paths that stay in its
incident process (the measured inlined fast path and pools) share these steps. They are plain
methods, so the hot path gains no generator frame; ``chain`` and ``ack_expiry`` are the only
generators (delegated to with ``yield from``, or run as their own process).
"""

from __future__ import annotations

import math

import simpy

from sim.compile import CompiledScenario
from sim.model.alert_table import AlertTable, PageLog
from sim.model.people import PeopleState
from sim.model.records import PAGE_NOTIFY, PAGE_RACI_CONSULT, PAGE_RETRIGGER
from sim.model.targets import Targets
from sim.model.trace import TraceEvent


class Escalation:
    """The paging steps of one run, over the run's alert table and page log."""

    def __init__(
        self,
        env: simpy.Environment,
        compiled: CompiledScenario,
        table: AlertTable,
        people: PeopleState,
        trace: list[TraceEvent] | None,
        give_up_minutes: float,
        pools: dict,
    ) -> None:
        self.env = env
        self.policies = compiled.policies
        self.person_team = compiled.person_team.tolist()
        self.table = table
        self.pages = PageLog()
        self.people = people
        self.targets = Targets(people, table.accountable, trace)
        self.trace = trace
        self.tracks_sleep = people.tracks_sleep
        self.fatigue = people.fatigue_enabled
        self.give_up_minutes = give_up_minutes
        self.pools = pools

    def page(self, alert: int, person: int, level: int, kind: int, policy: int) -> None:
        """Send one page: record it, account for the person's sleep, trace it."""
        now = self.env.now
        table = self.table
        if table.first_page_person[alert] < 0:
            table.first_page_minutes[alert] = now
            table.first_page_person[alert] = person
        table.pages_sent[alert] += 1
        pages = self.pages
        pages.alert.append(alert)
        pages.minutes.append(now)
        pages.person.append(person)
        pages.level.append(level)
        pages.kind.append(kind)
        pages.policy.append(policy)
        if self.tracks_sleep:
            self.people.paged(person, now)
        if self.trace is not None:
            self.trace.append(TraceEvent(now, "page", alert, person, level, policy, kind))

    def page_people(
        self,
        alert: int,
        people,
        position: int,
        kind: int,
        policy: int,
        ack_delay: list[float],
        column: int,
        ack_at: float,
        acker: int,
        slowed: bool,
    ) -> tuple[float, int, int]:
        """Page everyone of one level, given the earliest acknowledgement so far (``ack_at``,
        ``acker``); returns the earliest one now and the ack-delay column of the next page. A
        page takes the next column of the alert's ack delays (in turn), slowed by the person's
        fatigue if ``slowed``."""
        now = self.env.now
        columns = len(ack_delay)
        for person in people:
            self.page(alert, person, position, kind, policy)
            delay = ack_delay[column % columns]
            if slowed:
                delay *= self.people.slowdown(person, now)
            column += 1
            if now + delay < ack_at:
                ack_at, acker = now + delay, person
        return ack_at, acker, column

    def gap(self, alert: int, position: int, policy: int) -> None:
        """A level named nobody: count the coverage gap and trace it."""
        self.table.coverage_gap[alert] = True
        if self.trace is not None:
            self.trace.append(TraceEvent(self.env.now, "gap", alert, level=position, policy=policy))

    def acknowledged(self, alert: int, person: int) -> None:
        """``person`` acknowledges now: the incident's first acknowledgement is recorded."""
        table = self.table
        if table.ack_person[alert] < 0:
            table.ack_minutes[alert] = self.env.now
            table.ack_person[alert] = person
        if self.trace is not None:
            self.trace.append(TraceEvent(self.env.now, "ack", alert, person))

    def note(self, kind: str, alert: int, person: int = -1) -> None:
        if self.trace is not None:
            self.trace.append(TraceEvent(self.env.now, kind, alert, person))

    def chain(self, alert: int, policy_index: int, ack_delay: list[float], kind: int):
        """Page the policy's levels until someone acknowledges; returns who did."""
        env = self.env
        policy = self.policies[policy_index]
        notify_only = self.table.notify_only[alert]
        chain = policy.levels[:1] if notify_only else policy.chain
        if notify_only:
            kind = PAGE_NOTIFY
        last_position = len(chain) - 1
        ack_at, acker, column = math.inf, -1, 0
        while acker < 0:
            for position, level in enumerate(chain):
                people = self.targets.resolve(level, env.now, alert)
                if not people:
                    self.gap(alert, position, policy_index)
                    continue
                ack_at, acker, column = self.page_people(
                    alert, people, position, kind, policy_index, ack_delay, column, ack_at, acker,
                    self.fatigue,
                )  # fmt: skip
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
        self.acknowledged(alert, acker)
        return acker

    def consult_raci(self, alert: int, worker: int) -> None:
        """Pull in the service's Consulted teams on a major incident: a consult page to the
        first level of each one's policy (they join; the worker keeps the incident). The
        worker's own team is already in: it is not consulted."""
        table = self.table
        for team in table.consulted[alert]:
            if team in self.pools or team == self.person_team[worker]:
                continue
            for person in self.targets.resolve(self.policies[team].levels[0], self.env.now, alert):
                self.page(alert, person, 0, PAGE_RACI_CONSULT, team)
                table.raci_consults[alert] += 1

    def ack_expiry(self, alert: int, policy_index: int):
        """Re-trigger the first level each time the acknowledgement expires before resolution."""
        env = self.env
        table = self.table
        policy = self.policies[policy_index]
        ack_delay = table.ack_delay[alert]
        while True:
            yield env.timeout(policy.ack_expiry_minutes)
            if not math.isnan(table.resolved_minutes[alert]):
                return
            table.retriggers[alert] += 1
            self.note("retrigger", alert)
            people = self.targets.resolve(policy.levels[0], env.now, alert)
            if not people:
                table.coverage_gap[alert] = True
                continue
            ack_at, acker, _ = self.page_people(
                alert, people, 0, PAGE_RETRIGGER, policy_index, ack_delay,
                table.pages_sent[alert], math.inf, -1, self.fatigue,
            )  # fmt: skip
            yield env.timeout(ack_at - env.now)
            if not math.isnan(table.resolved_minutes[alert]):
                return  # resolved while the re-triggered page was outstanding
            self.acknowledged(alert, acker)
