"""Paging rules compiled to arrays, per service: urgency per severity, support hours,
maintenance windows.

They are applied in bulk (:mod:`sim.model.paging`) to every alert of a run before the SimPy world
starts (they depend only on when an alert would page and on its severity and service, never on
model state):

* an alert whose page time falls in a maintenance window of its service is *silenced*: it never
  pages and ends in the ``silenced`` state;
* a low-urgency alert outside its service's support hours (the service's own ``paging`` or the
  scenario's), with ``low_urgency_outside_support: defer``, is *deferred*: its page waits for the
  start of the next support window (it is a business-hours page then); with ``notify`` it pages
  the first level of the policy only and never escalates; with ``page`` nothing changes.

Whose support hours. Support hours are judged where the person who would take the page is: at
each instant, the person the first level of the service's escalation policy names (its first
schedule target's on-call person, or its first person target; the shared rotation's on-call
person where that rotation takes the pages), in that person's time zone, minus the public
holidays of that person's site (``paging.support_on_public_holidays`` turns the holiday rule
off). Where the first level names nobody (a coverage gap, a pool, a round-robin or everyone
target) the owning team's site decides. So a deferred London alert waits for a London morning
while a London engineer is on call, and for a New York morning while a New York engineer is.
The scheduled person decides: a substitute for someone on leave or resting is not consulted. An
alert with no support window ahead of it in the simulated range pages at once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.calendar import SLOT_MINUTES, horizon_start_utc
from sim.compile.escalation import TARGET_PERSON, TARGET_SCHEDULE, CompiledPolicy
from sim.compile.schedules import NOBODY, OnCallSchedule, local_instants, restriction_intervals
from sim.scenario.fields import SEVERITIES, WEEKDAYS, minutes_of_day
from sim.scenario.models import Scenario
from sim.scenario.oncall import ServicePaging, TimeWindow

#: A calendar: (time zone, holidays country, holidays subdivision).
ZoneKey = tuple[str, str | None, str | None]

MODE_PAGE, MODE_DEFER, MODE_NOTIFY = range(3)
MODES = ("page", "defer", "notify")


@dataclass(frozen=True)
class PagingTables:
    """Paging rules as arrays, per service (a service's own ``paging`` or the scenario's).

    Attributes:
        low_urgency: (services, 4) severity P1..P4 of the service is low urgency.
        low_urgency_mode: (services,) MODE_PAGE, MODE_DEFER or MODE_NOTIFY.
        support_windows: per service, (k, 2) sorted disjoint support windows [start, end) in
            simulation minutes: where the person who would take the service's page is in their
            own support hours (see the module docstring); empty when no rule needs them.
        maintenance_windows: per service, (k, 2) sorted windows in which it is silenced.
        support_judge: per service, the responder timeline its support windows were judged
            by: (segment starts in minutes, person per segment, NOBODY where the owning team's
            site decided).
    """

    low_urgency: np.ndarray
    low_urgency_mode: np.ndarray
    support_windows: tuple[np.ndarray, ...]
    maintenance_windows: tuple[np.ndarray, ...]
    support_judge: tuple[tuple[np.ndarray, np.ndarray], ...] = ()

    def judged_by(self, service: int, time_minutes: float) -> int:
        """The person whose support hours decide a page of ``service`` at ``time_minutes``
        (NOBODY: the owning team's site)."""
        starts, persons = self.support_judge[service]
        segment = int(np.searchsorted(starts, time_minutes, side="right")) - 1
        return int(persons[max(segment, 0)])

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


def _intersect(first: np.ndarray, second: np.ndarray) -> list[tuple[float, float]]:
    """Intersection of two sorted, disjoint interval lists (rows [start, end))."""
    found: list[tuple[float, float]] = []
    i = j = 0
    while i < len(first) and j < len(second):
        begin = max(first[i, 0], second[j, 0])
        end = min(first[i, 1], second[j, 1])
        if begin < end:
            found.append((float(begin), float(end)))
        if first[i, 1] < second[j, 1]:
            i += 1
        else:
            j += 1
    return found


def _holiday_intervals(
    holiday_dates: frozenset[dt.date], time_zone: str, origin: pd.Timestamp
) -> np.ndarray:
    """Each public holiday as [local midnight, next local midnight) in simulation minutes."""
    days = sorted(holiday_dates)
    midnights = [dt.datetime.combine(day, dt.time()) for day in days]
    begins = local_instants(midnights, time_zone, origin)
    ends = local_instants([m + dt.timedelta(days=1) for m in midnights], time_zone, origin)
    return _merge(list(zip(begins.tolist(), ends.tolist(), strict=True)))


def _without(windows: np.ndarray, removed: np.ndarray) -> np.ndarray:
    """The windows minus the removed intervals (both sorted and disjoint)."""
    if len(removed) == 0:
        return windows
    complement = np.column_stack(
        [np.concatenate([[-np.inf], removed[:, 1]]), np.concatenate([removed[:, 0], [np.inf]])]
    )
    return _merge(_intersect(windows, complement))


@dataclass(frozen=True)
class SupportJudges:
    """Who decides support hours, per service (see the module docstring).

    Attributes:
        team_zone: the calendar of each service's owning team's site.
        person_zone: the calendar of each person's site.
        timelines: per service, (segment starts, person per segment; NOBODY: the owning
            team's site), from :func:`first_level_timeline` of the service's policy.
        holidays: public holidays of each calendar.
    """

    team_zone: tuple[ZoneKey, ...]
    person_zone: tuple[ZoneKey, ...]
    timelines: tuple[tuple[np.ndarray, np.ndarray], ...]
    holidays: dict[ZoneKey, frozenset[dt.date]]


def first_level_timeline(
    policy: CompiledPolicy,
    shared: tuple[OnCallSchedule, np.ndarray] | None,
) -> tuple[np.ndarray, np.ndarray]:
    """Who a team's first escalation level names over time: (segment starts, persons).

    ``shared`` is the shared rotation's schedule and the slots in which it takes the pages.
    """
    starts: np.ndarray = np.array([-np.inf])
    persons: np.ndarray = np.array([NOBODY], dtype=np.int64)
    targets = policy.levels[0].targets if policy.levels else ()
    schedule = next((t.schedule for t in targets if t.kind == TARGET_SCHEDULE), None)
    person = next((t.person for t in targets if t.kind == TARGET_PERSON), NOBODY)
    if schedule is not None and not schedule.pool:
        starts = np.asarray(schedule.starts, dtype=np.float64)
        starts[0] = -np.inf
        persons = np.asarray(schedule.persons, dtype=np.int64)
    elif person != NOBODY:
        persons = np.array([person], dtype=np.int64)
    if shared is None:
        return starts, persons
    shared_schedule, covers = shared
    cut = np.flatnonzero(np.diff(covers.astype(np.int8), prepend=0, append=0))
    bounds = (cut * SLOT_MINUTES).astype(np.float64)
    points = np.unique(np.concatenate([starts, bounds, np.asarray(shared_schedule.starts)]))
    own = persons[np.searchsorted(starts, points, side="right") - 1]
    shared_starts = np.asarray(shared_schedule.starts, dtype=np.float64)
    shared_persons = np.asarray(shared_schedule.persons, dtype=np.int64)
    taken = shared_persons[np.maximum(np.searchsorted(shared_starts, points, side="right") - 1, 0)]
    slot = np.clip(
        np.floor_divide(np.maximum(points, 0.0), SLOT_MINUTES), 0, len(covers) - 1
    ).astype(np.int64)
    return points, np.where((points >= 0) & covers[slot], taken, own)


def _support_windows(
    scenario: Scenario,
    hours: TimeWindow,
    judges: SupportJudges,
    service: int,
    origin: pd.Timestamp,
    range_end: float,
    cache: dict[tuple[ZoneKey, str], np.ndarray],
) -> np.ndarray:
    """Support windows of one service, judged by its first level's person at each instant."""
    horizon = scenario.horizon
    own_hours = hours.model_dump_json()

    def of_zone(key: ZoneKey) -> np.ndarray:
        if (key, own_hours) not in cache:
            windows = restriction_intervals((hours,), key[0], horizon.start_date, origin, range_end)
            if not scenario.paging.support_on_public_holidays:
                holidays = _holiday_intervals(judges.holidays.get(key, frozenset()), key[0], origin)
                windows = _without(windows, holidays)
            cache[(key, own_hours)] = windows
        return cache[(key, own_hours)]

    starts, persons = judges.timelines[service]
    ends = np.append(starts[1:], np.inf)
    site = judges.team_zone[service]
    keys = [site if person == NOBODY else judges.person_zone[person] for person in persons.tolist()]
    rows: list[tuple[float, float]] = []
    for key in dict.fromkeys(keys):
        chosen = [
            (begin, end)
            for begin, end, other in zip(starts.tolist(), ends.tolist(), keys, strict=True)
            if other == key
        ]
        rows.extend(_intersect(_merge(chosen), of_zone(key)))
    return _merge(rows)


def _maintenance_windows(scenario: Scenario, range_end: float) -> tuple[np.ndarray, ...]:
    """Per service, the maintenance windows in which its alerts are silenced."""
    paging = scenario.paging
    horizon = scenario.horizon
    origin = horizon_start_utc(horizon.start_date, horizon.time_zone)
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
    return tuple(
        _merge(
            [
                (begin, end)
                for begin, end, services in windows
                if services is None or service.name in services
            ]
        )
        for service in scenario.services
    )


def compile_paging(scenario: Scenario, judges: SupportJudges, range_end: float) -> PagingTables:
    """Paging rules of a scenario, per service; support hours judged by ``judges``."""
    paging = scenario.paging
    horizon = scenario.horizon
    origin = horizon_start_utc(horizon.start_date, horizon.time_zone)
    cache: dict[tuple[ZoneKey, str], np.ndarray] = {}
    support_windows = []
    low_urgency = []
    modes = []
    for index, service in enumerate(scenario.services):
        own = service.paging or ServicePaging()
        urgency = paging.urgency if own.urgency is None else own.urgency
        low = [urgency.get(s, "high") == "low" for s in SEVERITIES]
        mode = MODES.index(own.low_urgency_outside_support or paging.low_urgency_outside_support)
        low_urgency.append(low)
        modes.append(mode)
        if mode == MODE_PAGE or not any(low):
            support_windows.append(np.empty((0, 2)))  # no rule needs them
            continue
        hours = own.support_hours or paging.support_hours
        support_windows.append(
            _support_windows(scenario, hours, judges, index, origin, range_end, cache)
        )
    return PagingTables(
        low_urgency=np.array(low_urgency, dtype=bool).reshape(-1, len(SEVERITIES)),
        low_urgency_mode=np.array(modes, dtype=np.int64),
        support_windows=tuple(support_windows),
        maintenance_windows=_maintenance_windows(scenario, range_end),
        support_judge=judges.timelines,
    )
