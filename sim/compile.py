"""Scenario to arrays: everything the generator and the model need, computed once per variant.

A :class:`CompiledScenario` holds plain numpy arrays and small Python lists, so it is cheap to
share with forked worker processes and fast to use in the inner loop of a run.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.calendar import (
    BAND_BUSINESS,
    MINUTES_PER_WEEK,
    SLOT_MINUTES,
    ZoneTable,
    build_zone_table,
    horizon_start_utc,
    public_holidays,
)
from sim.cascades import CascadeTables, compile_cascades
from sim.profiles import resolve_profile
from sim.scenario.models import (
    ESCALATION_LEVELS,
    SEVERITIES,
    WEEKDAYS,
    Rotation,
    Scenario,
    minutes_of_day,
)

LEVEL_PRIMARY, LEVEL_SECONDARY, LEVEL_MANAGER = range(3)


@dataclass(frozen=True)
class ArrivalTables:
    """The exogenous alert process: what the generator needs, and nothing else.

    Two variants with equal tables draw identical alert streams for the same run seed.
    """

    service_names: tuple[str, ...]
    cumulative_rate: np.ndarray
    """(services, slots + 1): expected alerts of each service before each slot boundary."""
    severity_cumulative: np.ndarray
    """(services, 4): cumulative severity shares, P1 first; the last column is 1."""
    horizon_minutes: float
    cascades: CascadeTables | None = None
    """Propagation graph of cascading failures (None: the scenario has no dependencies)."""

    def same_process_as(self, other: ArrivalTables) -> bool:
        if (self.cascades is None) != (other.cascades is None):
            return False
        if self.cascades is not None and not self.cascades.same_as(other.cascades):
            return False
        return (
            self.service_names == other.service_names
            and self.horizon_minutes == other.horizon_minutes
            and np.array_equal(self.cumulative_rate, other.cumulative_rate)
            and np.array_equal(self.severity_cumulative, other.severity_cumulative)
        )


@dataclass(frozen=True)
class TeamSchedule:
    """Who holds the primary and secondary pager of one team at any moment."""

    engineers: tuple[int, ...]
    """Person indices in rotation order."""
    manager: int
    handoff_minutes: np.ndarray
    """Sorted handoff instants (simulation minutes); shift j runs from handoff j to j + 1."""
    first_shift_number: int
    """Rotation position of the shift that contains handoff 0."""
    pool: bool = False
    """All engineers on duty at once, serving a first-come, first-served queue."""

    def on_call(self, level: int, time_minutes: float) -> int:
        """Person paged at ``level`` (primary, secondary, manager) at ``time_minutes``.

        A pool has no single primary: the model pages whichever engineer is free next.
        """
        if level == LEVEL_MANAGER:
            return self.manager
        if self.pool:
            raise ValueError("a pool team pages its first free engineer, not a rotation slot")
        shift = bisect.bisect_right(self.handoff_minutes, time_minutes) - 1
        position = self.first_shift_number + shift + (1 if level == LEVEL_SECONDARY else 0)
        return self.engineers[position % len(self.engineers)]

    def may_page(self, person: int, level: int, time_minutes: float) -> bool:
        """Whether the schedule names ``person`` at ``level`` at that moment."""
        if self.pool and level != LEVEL_MANAGER:
            return level == LEVEL_PRIMARY and person in self.engineers
        return person == self.on_call(level, time_minutes)


@dataclass(frozen=True)
class CompiledScenario:
    """A resolved scenario (one variant) as arrays."""

    scenario: Scenario
    variant: str
    arrivals: ArrivalTables
    service_team: np.ndarray
    """(services,) owning team index."""
    team_names: tuple[str, ...]
    team_zone: np.ndarray
    """(teams,) index into ``zones``."""
    schedules: tuple[TeamSchedule, ...]
    """One per team, in team order, then the shared rotation's (if any) last."""
    shared_covers_slot: np.ndarray | None
    """(slots,) True where the shared rotation takes the pages (None: no shared rotation)."""
    service_depends_on: tuple[tuple[int, ...], ...]
    """Per service, the services it depends on (for inhibition)."""
    person_names: tuple[str, ...]
    person_team: np.ndarray
    person_zone: np.ndarray
    person_is_engineer: np.ndarray
    zones: tuple[ZoneTable, ...]
    business_minutes_before_slot: np.ndarray
    """(zones, slots + 1): cumulative business-hours minutes, for prevention windows."""
    escalation_levels: tuple[int, ...]
    severity_work_factor: np.ndarray
    """(4,) work-time multiplier by severity, P1 first."""
    weeks: int
    slots: int
    horizon_minutes: float
    meta: dict[str, object] = field(default_factory=dict)

    @property
    def max_levels(self) -> int:
        return len(ESCALATION_LEVELS)

    @functools.cached_property
    def band_table(self) -> np.ndarray:
        """(zones, slots) interruption band per slot in each zone (for metrics)."""
        return np.stack([zone.band for zone in self.zones])

    @functools.cached_property
    def weekend_table(self) -> np.ndarray:
        """(zones, slots) weekend window or public holiday per slot in each zone."""
        return np.stack([zone.weekend for zone in self.zones])

    @functools.cached_property
    def weekend_index_table(self) -> np.ndarray:
        """(zones, slots) number of the regular weekend a slot belongs to, -1 outside."""
        return np.stack([zone.weekend_index for zone in self.zones])

    @property
    def team_schedules(self) -> tuple[TeamSchedule, ...]:
        return self.schedules[: len(self.team_names)]

    @property
    def shared_schedule(self) -> TeamSchedule | None:
        return self.schedules[-1] if self.shared_covers_slot is not None else None


def _one_of_each_in_turn(teams: list[tuple[int, ...]]) -> tuple[int, ...]:
    """Interleave the teams' engineers: first of each team, then second of each, and so on."""
    longest = max(len(engineers) for engineers in teams)
    return tuple(
        engineers[index]
        for index in range(longest)
        for engineers in teams
        if index < len(engineers)
    )


def compile_scenario(scenario: Scenario, variant: str = "baseline") -> CompiledScenario:
    """Turn a resolved (variant-applied) scenario into arrays."""
    horizon = scenario.horizon
    weeks = horizon.weeks
    horizon_minutes = float(weeks * MINUTES_PER_WEEK)

    team_names = tuple(team.name for team in scenario.teams)
    team_zone_names = [team.time_zone or horizon.time_zone for team in scenario.teams]
    zone_names = list(dict.fromkeys([horizon.time_zone, *team_zone_names]))
    holiday_dates = public_holidays(
        scenario.calendar.holidays_country,
        scenario.calendar.holidays_subdivision,
        horizon.start_date,
        weeks,
    )
    zones = tuple(
        build_zone_table(
            horizon.start_date,
            horizon.time_zone,
            weeks,
            zone,
            weekend_start_minute_of_week=scenario.calendar.weekend_start.minute_of_week,
            weekend_end_minute_of_week=scenario.calendar.weekend_end.minute_of_week,
            holiday_dates=holiday_dates,
        )
        for zone in zone_names
    )
    slots = len(zones[0].band)

    person_names: list[str] = []
    person_team: list[int] = []
    person_zone: list[int] = []
    person_is_engineer: list[bool] = []
    schedules = []
    for team_index, team in enumerate(scenario.teams):
        zone_index = zone_names.index(team_zone_names[team_index])
        engineers = []
        for name in team.engineer_names:
            engineers.append(len(person_names))
            person_names.append(name)
            person_team.append(team_index)
            person_zone.append(zone_index)
            person_is_engineer.append(True)
        manager = len(person_names)
        person_names.append(team.manager_name)
        person_team.append(team_index)
        person_zone.append(zone_index)
        person_is_engineer.append(False)
        zone = team_zone_names[team_index]
        schedules.append(
            _team_schedule(tuple(engineers), manager, team.rotation, zone, scenario, weeks)
        )

    shared_covers_slot = None
    shared = scenario.shared_rotation
    if shared is not None:
        member_schedules = [schedules[team_names.index(team)] for team in shared.teams]
        rotation = Rotation(handoff_day=shared.handoff_day, handoff_time=shared.handoff_time)
        schedules.append(
            _team_schedule(
                _one_of_each_in_turn([schedule.engineers for schedule in member_schedules]),
                member_schedules[0].manager,
                rotation,
                horizon.time_zone,
                scenario,
                weeks,
            )
        )
        shared_covers_slot = (
            zones[0].band != BAND_BUSINESS
            if shared.covers == "off-hours"
            else np.ones(slots, dtype=bool)
        )

    service_names = [service.name for service in scenario.services]
    service_team = np.array(
        [team_names.index(service.team) for service in scenario.services], dtype=np.int64
    )
    arrivals = _arrival_tables(scenario, zones[0], horizon_minutes)

    business_minutes = np.stack(
        [
            np.concatenate([[0.0], np.cumsum((zone.band == BAND_BUSINESS) * float(SLOT_MINUTES))])
            for zone in zones
        ]
    )
    return CompiledScenario(
        scenario=scenario,
        variant=variant,
        arrivals=arrivals,
        service_team=service_team,
        team_names=team_names,
        team_zone=np.array([zone_names.index(zone) for zone in team_zone_names], dtype=np.int64),
        schedules=tuple(schedules),
        shared_covers_slot=shared_covers_slot,
        service_depends_on=tuple(
            tuple(service_names.index(d.service) for d in service.depends_on)
            for service in scenario.services
        ),
        person_names=tuple(person_names),
        person_team=np.array(person_team, dtype=np.int64),
        person_zone=np.array(person_zone, dtype=np.int64),
        person_is_engineer=np.array(person_is_engineer, dtype=bool),
        zones=zones,
        business_minutes_before_slot=business_minutes,
        escalation_levels=tuple(
            ESCALATION_LEVELS.index(level) for level in scenario.escalation.levels
        ),
        severity_work_factor=np.array(
            [scenario.response.severity_work_factor.get(s, 1.0) for s in SEVERITIES]
        ),
        weeks=weeks,
        slots=slots,
        horizon_minutes=horizon_minutes,
    )


def _arrival_tables(
    scenario: Scenario, horizon_zone: ZoneTable, horizon_minutes: float
) -> ArrivalTables:
    horizon_slots = int(horizon_minutes // SLOT_MINUTES)
    hour_of_week = horizon_zone.hour_of_week[:horizon_slots].astype(np.int64)
    slots_per_hour = 60 // SLOT_MINUTES
    rows = []
    severity_rows = []
    for service in scenario.services:
        hourly_weight = resolve_profile(service.profile)
        expected_per_slot = (
            service.alerts_per_week / 168.0 / slots_per_hour * hourly_weight[hour_of_week]
        )
        rows.append(np.concatenate([[0.0], np.cumsum(expected_per_slot)]))
        shares = np.array([service.severity_mix.get(s, 0.0) for s in SEVERITIES])
        cumulative = np.cumsum(shares)
        cumulative[-1] = 1.0
        severity_rows.append(cumulative)
    has_dependencies = any(service.depends_on for service in scenario.services)
    return ArrivalTables(
        service_names=tuple(service.name for service in scenario.services),
        cumulative_rate=np.array(rows),
        severity_cumulative=np.array(severity_rows),
        horizon_minutes=horizon_minutes,
        cascades=compile_cascades(scenario) if has_dependencies else None,
    )


def _team_schedule(
    engineers: tuple[int, ...],
    manager: int,
    rotation: Rotation,
    zone: str,
    scenario: Scenario,
    weeks: int,
) -> TeamSchedule:
    """Handoff instants of a weekly or daily rotation, in simulation minutes.

    Handoffs are at the local handoff time in the team's zone, so a daylight-saving change moves
    them with the clock, as a paging tool does. The shift that starts at the first handoff on or
    after the start date is shift number 0 of the rotation (the first engineer is primary).
    """
    start = horizon_start_utc(scenario.horizon.start_date, scenario.horizon.time_zone)
    handoff_minute_of_day = minutes_of_day(rotation.handoff_time)
    first_day = scenario.horizon.start_date
    if rotation.shift in ("weekly", "pool"):
        first_day = first_day + dt.timedelta(days=WEEKDAYS.index(rotation.handoff_day))
        step_days = 7
    else:
        step_days = 1
    # One shift before the horizon (covers its first hours) to the end of the drain period.
    count = (weeks + 3) * 7 // step_days + 2
    local_days = [first_day + dt.timedelta(days=step_days * (k - 1)) for k in range(count)]
    local_instants = pd.DatetimeIndex(
        [
            dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=handoff_minute_of_day)
            for day in local_days
        ]
    ).tz_localize(zone, nonexistent="shift_forward", ambiguous=False)
    minutes = (local_instants.tz_convert("UTC") - start).total_seconds().to_numpy() / 60.0
    return TeamSchedule(
        engineers=engineers,
        manager=manager,
        handoff_minutes=minutes,
        first_shift_number=-1,
        pool=rotation.shift == "pool",
    )
