"""Paging rules compiled to arrays: urgency per severity, support hours, maintenance windows.

They are applied in bulk (:mod:`sim.model.paging`) to every alert of a run before the SimPy world
starts (they depend only on when an alert would page and on its severity and service, never on
model state):

* an alert whose page time falls in a maintenance window of its service is *silenced*: it never
  pages and ends in the ``silenced`` state;
* a low-urgency alert outside its service's support hours (the service's own ``paging`` or the
  scenario's, in the owning team's local time), with
  ``low_urgency_outside_support: defer``, is *deferred*: its page waits for the start of the next
  support window (it is a business-hours page then); with ``notify`` it pages the first level of
  the policy only and never escalates; with ``page`` nothing changes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from sim.calendar import horizon_start_utc
from sim.compile.schedules import local_instants, restriction_intervals
from sim.scenario.fields import SEVERITIES, WEEKDAYS, minutes_of_day
from sim.scenario.models import Scenario
from sim.scenario.oncall import ServicePaging

MODE_PAGE, MODE_DEFER, MODE_NOTIFY = range(3)
MODES = ("page", "defer", "notify")


@dataclass(frozen=True)
class PagingTables:
    """Paging rules as arrays, per service (a service's own ``paging`` or the scenario's).

    Attributes:
        low_urgency: (services, 4) severity P1..P4 of the service is low urgency.
        low_urgency_mode: (services,) MODE_PAGE, MODE_DEFER or MODE_NOTIFY.
        support_windows: per service, (k, 2) sorted disjoint support windows [start, end) in
            simulation minutes, in the owning team's local time.
        maintenance_windows: per service, (k, 2) sorted windows in which it is silenced.
    """

    low_urgency: np.ndarray
    low_urgency_mode: np.ndarray
    support_windows: tuple[np.ndarray, ...]
    maintenance_windows: tuple[np.ndarray, ...]

    @property
    def has_rules(self) -> bool:
        silencing = any(len(windows) for windows in self.maintenance_windows)
        deferring = (self.low_urgency_mode != MODE_PAGE)[:, None] & self.low_urgency
        return silencing or bool(deferring.any())


def _merge(rows: list[tuple[float, float]]) -> np.ndarray:
    merged: list[list[float]] = []
    for start, end in sorted(rows):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return np.array(merged, dtype=np.float64).reshape(-1, 2)


def compile_paging(
    scenario: Scenario, team_zones: tuple[tuple[str, str | None, str | None], ...], range_end: float
) -> PagingTables:
    """Paging rules of a scenario; ``team_zones[i][0]`` is team i's time zone."""
    paging = scenario.paging
    horizon = scenario.horizon
    origin = horizon_start_utc(horizon.start_date, horizon.time_zone)
    team_index = {team.name: index for index, team in enumerate(scenario.teams)}
    support_cache: dict[tuple[str, str], np.ndarray] = {}
    support_windows = []
    low_urgency = []
    modes = []
    for service in scenario.services:
        own = service.paging or ServicePaging()
        hours = own.support_hours or paging.support_hours
        zone = team_zones[team_index[service.team]][0]
        key = (zone, hours.model_dump_json())
        if key not in support_cache:
            support_cache[key] = restriction_intervals(
                (hours,), zone, horizon.start_date, origin, range_end
            )
        support_windows.append(support_cache[key])
        urgency = paging.urgency if own.urgency is None else own.urgency
        low_urgency.append([urgency.get(s, "high") == "low" for s in SEVERITIES])
        modes.append(
            MODES.index(own.low_urgency_outside_support or paging.low_urgency_outside_support)
        )
    windows: list[tuple[float, float, list[str] | None]] = []
    for window in paging.maintenance_windows:
        if window.start is not None and window.end is not None:
            begin, end = local_instants([window.start, window.end], horizon.time_zone, origin)
            windows.append((float(begin), float(end), window.services))
            continue
        assert window.every is not None and window.duration_minutes is not None
        first = horizon.start_date + dt.timedelta(days=WEEKDAYS.index(window.every))
        weeks = int(range_end // (7 * 1440)) + 2
        local = [
            dt.datetime.combine(first + dt.timedelta(weeks=week), dt.time())
            + dt.timedelta(minutes=minutes_of_day(window.time))
            for week in range(-1, weeks)
        ]
        for begin in local_instants(local, horizon.time_zone, origin):
            windows.append((float(begin), float(begin) + window.duration_minutes, window.services))
    maintenance = tuple(
        _merge(
            [
                (begin, end)
                for begin, end, services in windows
                if services is None or service.name in services
            ]
        )
        for service in scenario.services
    )
    return PagingTables(
        low_urgency=np.array(low_urgency, dtype=bool).reshape(-1, len(SEVERITIES)),
        low_urgency_mode=np.array(modes, dtype=np.int64),
        support_windows=tuple(support_windows),
        maintenance_windows=maintenance,
    )
