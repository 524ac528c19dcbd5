"""Alert correlation: grouping the alerts of one root failure, and topology-aware inhibition.

Both need model state (which incidents are open right now), so they run inside the SimPy world,
when an alert would page:

* **Grouping** (Alertmanager-style, by root failure): the first alert of a root opens an incident
  that pages after ``group_wait_minutes``; an alert of the same root that arrives while that
  incident is open and no later than ``group_interval_minutes`` after its first page joins it
  (state *grouped*, no page); a later one opens a new incident.
* **Inhibition**: an incident does not page while a service its alerting service depends on has
  an open incident or a self-healing run in progress. If its root failure has another open
  incident, it is a symptom of that failure and is dropped (state *suppressed*; it clears with
  its root). Otherwise it is an independent failure that the inhibition only masks: like an
  inhibited Alertmanager alert that keeps firing, it pages as soon as the inhibition ends
  (counted as delayed by inhibition).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

import numpy as np
import simpy

from sim.model.automation import AutomationOutcome


@dataclass
class Group:
    """The alerts of one root failure handled as one incident."""

    lead: int
    first_page_minutes: float
    members: list[int] = field(default_factory=list)
    open: bool = True
    paging: bool = False
    """Whether the incident has started paging; only such incidents inhibit others, so that
    whatever an incident waits for is being worked and will clear (no waiting in a circle)."""


class Correlator:
    """Open incidents per service and per root failure, for grouping and inhibition."""

    def __init__(
        self,
        service: np.ndarray,
        root: np.ndarray,
        start_minutes: np.ndarray,
        outcome: AutomationOutcome,
        depends_on: tuple[tuple[int, ...], ...],
        *,
        grouping: bool,
        group_wait_minutes: float,
        group_interval_minutes: float,
        inhibition: bool,
    ) -> None:
        self.service = service.tolist()
        self.root = root.tolist()
        self.depends_on = depends_on
        self.grouping = grouping
        self.group_wait = group_wait_minutes if grouping else 0.0
        self.group_interval = group_interval_minutes
        self.inhibition = inhibition
        self.open_incidents = [0] * len(depends_on)
        self.open_by_root: dict[int, int] = {}
        self.groups: dict[int, Group] = {}
        self.clear_events: dict[int, simpy.Event] = {}
        self._automation_windows(service, start_minutes, outcome)

    def _automation_windows(self, service, start_minutes, outcome) -> None:
        # Self-healing runs are active from the alert to the end of the run; per service, sorted
        # starts with the running maximum of ends answer "is one active at t" by bisection.
        ran = outcome.runbook_ran & ~np.isnan(start_minutes)
        end = np.where(outcome.auto_resolved, outcome.auto_resolved_minutes, outcome.page_minutes)
        self.run_starts: list[list[float]] = []
        self.run_latest_end: list[np.ndarray] = []
        for index in range(len(self.depends_on)):
            mine = np.flatnonzero(ran & (service == index))
            order = mine[np.argsort(start_minutes[mine], kind="stable")]
            self.run_starts.append(start_minutes[order].tolist())
            self.run_latest_end.append(np.maximum.accumulate(end[order]) if len(order) else end[:0])

    def _running(self, service: int, time: float) -> bool:
        count = bisect.bisect_right(self.run_starts[service], time)
        return count > 0 and self.run_latest_end[service][count - 1] > time

    def join_open_group(self, alert: int, now: float) -> Group | None:
        """The open incident of this alert's root failure that it joins, if any."""
        if not self.grouping:
            return None
        group = self.groups.get(self.root[alert])
        if group is None or not group.open or now > group.first_page_minutes + self.group_interval:
            return None
        group.members.append(alert)
        if group.paging:
            self.open_incidents[self.service[alert]] += 1
        return group

    def open_group(self, alert: int, now: float) -> Group:
        """A new incident led by ``alert``, paging after the group wait."""
        group = Group(lead=alert, first_page_minutes=now + self.group_wait)
        root = self.root[alert]
        if self.grouping:
            self.groups[root] = group
        self.open_by_root[root] = self.open_by_root.get(root, 0) + 1
        return group

    def start_paging(self, group: Group) -> None:
        """The incident pages from now on: its services count as having an open incident."""
        group.paging = True
        for alert in (group.lead, *group.members):
            self.open_incidents[self.service[alert]] += 1

    def blocking_dependency(self, alert: int, now: float) -> int | None:
        """A dependency of the alerting service with an open incident or a running fix."""
        if not self.inhibition:
            return None
        for dependency in self.depends_on[self.service[alert]]:
            if self.open_incidents[dependency] > 0 or self._running(dependency, now):
                return dependency
        return None

    def root_has_another_incident(self, alert: int) -> bool:
        """Whether another incident of this alert's root failure is open (a symptom, then)."""
        return self.open_by_root.get(self.root[alert], 0) > 1

    def until_clear(self, env: simpy.Environment, dependency: int) -> simpy.Event:
        """An event that fires when ``dependency`` has no open incident and no running fix."""
        if self.open_incidents[dependency] > 0:
            if dependency not in self.clear_events:
                self.clear_events[dependency] = env.event()
            return self.clear_events[dependency]
        count = bisect.bisect_right(self.run_starts[dependency], env.now)
        return env.timeout(float(self.run_latest_end[dependency][count - 1]) - env.now)

    def close(self, group: Group) -> None:
        group.open = False
        root = self.root[group.lead]
        self.open_by_root[root] -= 1
        if not group.paging:
            return
        for alert in (group.lead, *group.members):
            service = self.service[alert]
            self.open_incidents[service] -= 1
            if self.open_incidents[service] == 0 and service in self.clear_events:
                self.clear_events.pop(service).succeed()
