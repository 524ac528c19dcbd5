"""Alert correlation: grouping the alerts of one root failure, and topology-aware inhibition.

Both need model state (which incidents are open right now), so they run inside the SimPy world,
when an alert would page:

* **Grouping** (Alertmanager-style, by root failure): the first alert of a root opens an incident
  that pages after ``group_wait_minutes``; an alert of the same root that arrives while that
  incident is open and no later than ``group_interval_minutes`` after its first page joins it
  (state *grouped*, no page); a later one opens a new incident.
* **Inhibition**: an incident does not page while a service its alerting service depends on has
  an open incident or a self-healing run in progress (state *suppressed*).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

import numpy as np

from sim.model.automation import AutomationOutcome


@dataclass
class Group:
    """The alerts of one root failure handled as one incident."""

    lead: int
    first_page_minutes: float
    members: list[int] = field(default_factory=list)
    open: bool = True


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
        self.groups: dict[int, Group] = {}
        self._automation_windows(service, start_minutes, outcome)

    def _automation_windows(self, service, start_minutes, outcome) -> None:
        # Self-healing runs are active from the alert to the end of the run; per service, sorted
        # starts with the running maximum of ends answer "is one active at t" by bisection.
        ran = outcome.runbook_ran
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
        self.open_incidents[self.service[alert]] += 1
        return group

    def open_group(self, alert: int, now: float) -> Group:
        """A new incident led by ``alert``, paging after the group wait."""
        group = Group(lead=alert, first_page_minutes=now + self.group_wait)
        if self.grouping:
            self.groups[self.root[alert]] = group
        self.open_incidents[self.service[alert]] += 1
        return group

    def inhibited(self, alert: int, now: float) -> bool:
        """Whether a dependency of the alerting service has an open incident or a running fix."""
        if not self.inhibition:
            return False
        return any(
            self.open_incidents[dependency] > 0 or self._running(dependency, now)
            for dependency in self.depends_on[self.service[alert]]
        )

    def close(self, group: Group) -> None:
        group.open = False
        for alert in (group.lead, *group.members):
            self.open_incidents[self.service[alert]] -= 1
