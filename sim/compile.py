"""Scenario to arrays: everything the generator and the model need, computed once per variant.

A :class:`CompiledScenario` holds plain numpy arrays and small Python lists, so it is cheap to
share with forked worker processes and fast to use in the inner loop of a run.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.calendar import (
    BAND_BUSINESS,
    DRAIN_WEEKS,
    MINUTES_PER_WEEK,
    SLOT_MINUTES,
    ZoneTable,
    build_zone_table,
    horizon_start_utc,
    public_holidays,
)
from sim.cascades import CascadeTables, compile_cascades
from sim.escalation import (
    TARGET_PERSON,
    CompiledLevel,
    CompiledPolicy,
    CompiledTarget,
    default_policy,
    named_policy,
)
from sim.paging import PagingTables, compile_paging
from sim.profiles import resolve_profile
from sim.scenario.models import SEVERITIES, Scenario, Team
from sim.schedules import LayerSpec, OnCallSchedule, OverrideSpec, build_schedule, pool_schedule


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
    schedules: tuple[OnCallSchedule, ...]
    """Each team's primary schedule, in team order, then the shared rotation's (if any) last."""
    policies: tuple[CompiledPolicy, ...]
    """Escalation policy per entry of ``schedules`` (the shared rotation's last)."""
    shared_covers_slot: np.ndarray | None
    """(slots,) True where the shared rotation takes the pages (None: no shared rotation)."""
    service_depends_on: tuple[tuple[int, ...], ...]
    """Per service, the services it depends on (for inhibition)."""
    service_accountable_manager: np.ndarray
    """(services,) person index of the manager of the team Accountable for each service."""
    service_consulted: tuple[tuple[int, ...], ...]
    """Per service, its Consulted teams (team indices)."""
    service_informed_teams: np.ndarray
    """(services,) number of Informed teams of each service."""
    team_domain: tuple[str, ...]
    """Domain of each team (its own name unless set)."""
    person_names: tuple[str, ...]
    person_team: np.ndarray
    person_zone: np.ndarray
    person_is_engineer: np.ndarray
    person_leave_weeks_per_year: np.ndarray
    """(people,) planned time off per year (0 for managers)."""
    person_site: tuple[str, ...]
    """Site name of each person ('' without sites)."""
    zones: tuple[ZoneTable, ...]
    business_minutes_before_slot: np.ndarray
    """(zones, slots + 1): cumulative business-hours minutes, for prevention windows."""
    paging: PagingTables
    severity_work_factor: np.ndarray
    """(4,) work-time multiplier by severity, P1 first."""
    weeks: int
    slots: int
    horizon_minutes: float
    meta: dict[str, object] = field(default_factory=dict)

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
    def team_schedules(self) -> tuple[OnCallSchedule, ...]:
        return self.schedules[: len(self.team_names)]

    @property
    def shared_schedule(self) -> OnCallSchedule | None:
        return self.schedules[-1] if self.shared_covers_slot is not None else None

    @functools.cached_property
    def oncall_share(self) -> np.ndarray:
        """(engineers,) share of the horizon in which a schedule of their team's escalation
        policy names each engineer (primary or secondary: the Google SRE 25% guidance counts
        both; 1 for a pool engineer), in person order of the engineers.

        This is the scheduled share; leave and rest move some of it to substitutes at run time.
        """
        from sim.escalation import TARGET_SCHEDULE

        share = np.zeros(len(self.person_names))
        for team_index, team_schedule in enumerate(self.team_schedules):
            if team_schedule.pool:
                share[list(team_schedule.engineers)] = 1.0
                continue
            schedules = {
                id(target.schedule): target.schedule
                for level in self.policies[team_index].levels
                for target in level.targets
                if target.kind == TARGET_SCHEDULE
            }
            for schedule in schedules.values():
                starts = np.clip(np.asarray(schedule.starts), 0.0, self.horizon_minutes)
                ends = np.append(starts[1:], self.horizon_minutes)
                persons = np.asarray(schedule.persons)
                named = persons >= 0
                np.add.at(share, persons[named], (ends - starts)[named] / self.horizon_minutes)
        return np.minimum(share, 1.0)[self.person_is_engineer]


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
    people = _people(scenario)
    zone_keys = list(dict.fromkeys([_horizon_zone_key(scenario), *people.zone_keys]))
    holiday_cache: dict[tuple[str | None, str | None], frozenset[dt.date]] = {}
    zones = tuple(
        build_zone_table(
            horizon.start_date,
            horizon.time_zone,
            weeks,
            zone,
            weekend_start_minute_of_week=scenario.calendar.weekend_start.minute_of_week,
            weekend_end_minute_of_week=scenario.calendar.weekend_end.minute_of_week,
            holiday_dates=holiday_cache.setdefault(
                (country, subdivision),
                public_holidays(country, subdivision, horizon.start_date, weeks),
            ),
        )
        for zone, country, subdivision in zone_keys
    )
    slots = len(zones[0].band)
    range_end = float((weeks + DRAIN_WEEKS) * MINUTES_PER_WEEK)
    person_index = {name: index for index, name in enumerate(people.names)}

    schedules: list[OnCallSchedule] = []
    policies: list[CompiledPolicy] = []
    schedule_of: dict[tuple[str, int], OnCallSchedule] = {}
    team_engineers: dict[str, tuple[int, ...]] = {}
    for team_index, team in enumerate(scenario.teams):
        engineers = tuple(person_index[name] for name in team.engineer_names)
        team_engineers[team.name] = engineers
        if team.rotation.shift == "pool":
            schedule_of[(team.name, 0)] = pool_schedule(team.name, engineers)
            continue
        layers = _layer_specs(team, people.team_zone[team_index][0], person_index)
        overrides = [
            OverrideSpec(
                person_index[override.person],
                *_local_minutes(
                    [override.start, override.end], people.team_zone[team_index][0], scenario
                ),
            )
            for override in team.overrides
        ]
        offsets = {0, 1} | {
            target.offset
            for policy in scenario.escalation_policies
            for level in policy.levels
            for target in level.targets
            if target.schedule == team.name
        }
        for offset in sorted(offsets):
            schedule_of[(team.name, offset)] = build_schedule(
                team.name if offset == 0 else f"{team.name}+{offset}",
                layers,
                overrides,
                horizon.start_date,
                horizon.time_zone,
                range_end,
                offset=offset,
            )
    named = {policy.name: policy for policy in scenario.escalation_policies}
    for team in scenario.teams:
        schedules.append(schedule_of[(team.name, 0)])
        manager = person_index[team.manager_name]
        if team.escalation_policy is not None:
            policies.append(
                named_policy(
                    named[team.escalation_policy], schedule_of, person_index, team_engineers
                )
            )
        elif team.rotation.shift == "pool":
            policies.append(
                CompiledPolicy(
                    team.name,
                    (
                        CompiledLevel(
                            (
                                CompiledTarget(
                                    TARGET_PERSON, person=manager, label=team.manager_name
                                ),
                            ),
                            scenario.escalation.ack_timeout_minutes,
                        ),
                    ),
                    0,
                    math.inf,
                )
            )
        else:
            policies.append(
                default_policy(
                    team.name,
                    scenario.escalation,
                    schedule_of[(team.name, 0)],
                    schedule_of[(team.name, 1)],
                )
            )

    shared_covers_slot = None
    shared = scenario.shared_rotation
    if shared is not None:
        layer = LayerSpec(
            name="shared",
            participants=_one_of_each_in_turn([team_engineers[team] for team in shared.teams]),
            shift="weekly",
            shift_hours=None,
            handoff_day=shared.handoff_day,
            handoff_time=shared.handoff_time,
            time_zone=horizon.time_zone,
        )
        shared_schedules = [
            build_schedule(
                "shared" if offset == 0 else "shared+1",
                [layer],
                [],
                horizon.start_date,
                horizon.time_zone,
                range_end,
                offset=offset,
            )
            for offset in (0, 1)
        ]
        schedules.append(shared_schedules[0])
        policies.append(default_policy("shared", scenario.escalation, *shared_schedules))
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
        team_zone=np.array([zone_keys.index(key) for key in people.team_zone], dtype=np.int64),
        schedules=tuple(schedules),
        policies=tuple(policies),
        shared_covers_slot=shared_covers_slot,
        service_depends_on=tuple(
            tuple(service_names.index(d.service) for d in service.depends_on)
            for service in scenario.services
        ),
        service_accountable_manager=np.array(
            [
                person_index[scenario.team(service.accountable or service.team).manager_name]
                for service in scenario.services
            ],
            dtype=np.int64,
        ),
        service_consulted=tuple(
            tuple(team_names.index(team) for team in service.consulted)
            for service in scenario.services
        ),
        service_informed_teams=np.array(
            [len(service.informed) for service in scenario.services], dtype=np.int64
        ),
        team_domain=tuple(team.domain_name for team in scenario.teams),
        person_names=people.names,
        person_team=np.array(people.team, dtype=np.int64),
        person_zone=np.array([zone_keys.index(key) for key in people.zone], dtype=np.int64),
        person_is_engineer=np.array(people.is_engineer, dtype=bool),
        person_leave_weeks_per_year=np.array(people.leave_weeks_per_year, dtype=np.float64),
        person_site=people.site,
        zones=zones,
        business_minutes_before_slot=business_minutes,
        paging=compile_paging(scenario, people.team_zone, range_end),
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


@dataclass(frozen=True)
class _People:
    """Every person of the scenario, in team order (engineers, then the manager)."""

    names: tuple[str, ...]
    team: tuple[int, ...]
    is_engineer: tuple[bool, ...]
    zone: tuple[ZoneKey, ...]
    site: tuple[str, ...]
    leave_weeks_per_year: tuple[float, ...]
    team_zone: tuple[ZoneKey, ...]

    @property
    def zone_keys(self) -> list[ZoneKey]:
        return list(dict.fromkeys([*self.team_zone, *self.zone]))


#: A calendar: (time zone, holidays country, holidays subdivision).
ZoneKey = tuple[str, str | None, str | None]


def _horizon_zone_key(scenario: Scenario) -> ZoneKey:
    calendar = scenario.calendar
    return (
        scenario.horizon.time_zone,
        calendar.holidays_country,
        calendar.holidays_subdivision,
    )


def _site_zone_key(scenario: Scenario, site_name: str | None, time_zone: str | None) -> ZoneKey:
    """The calendar of a site (or, without one, of the horizon), in ``time_zone`` if given."""
    calendar = scenario.calendar
    if site_name is None:
        return (
            time_zone or scenario.horizon.time_zone,
            calendar.holidays_country,
            calendar.holidays_subdivision,
        )
    site = next(site for site in scenario.sites if site.name == site_name)
    if site.holidays_country is None:
        return (
            time_zone or site.time_zone,
            calendar.holidays_country,
            calendar.holidays_subdivision,
        )
    return (time_zone or site.time_zone, site.holidays_country, site.holidays_subdivision)


def _people(scenario: Scenario) -> _People:
    names: list[str] = []
    team: list[int] = []
    is_engineer: list[bool] = []
    zone: list[ZoneKey] = []
    site: list[str] = []
    leave: list[float] = []
    team_zone: list[ZoneKey] = []
    default_leave = scenario.people.leave_weeks_per_year
    for team_index, entry in enumerate(scenario.teams):
        own_zone = _site_zone_key(scenario, entry.site, entry.time_zone)
        team_zone.append(own_zone)
        for name in entry.engineer_names:
            details = entry.engineer(name)
            names.append(name)
            team.append(team_index)
            is_engineer.append(True)
            if details.site is None:
                zone.append(own_zone)
                site.append(entry.site or "")
            else:
                zone.append(_site_zone_key(scenario, details.site, None))
                site.append(details.site)
            leave.append(
                default_leave
                if details.leave_weeks_per_year is None
                else details.leave_weeks_per_year
            )
        names.append(entry.manager_name)
        team.append(team_index)
        is_engineer.append(False)
        zone.append(own_zone)
        site.append(entry.site or "")
        leave.append(0.0)
    return _People(
        tuple(names),
        tuple(team),
        tuple(is_engineer),
        tuple(zone),
        tuple(site),
        tuple(leave),
        tuple(team_zone),
    )


def _layer_specs(team: Team, team_time_zone: str, person_index: dict[str, int]) -> list[LayerSpec]:
    """The team's layers (or its ``rotation`` as the only layer) with people as indices."""
    if not team.layers:
        rotation = team.rotation
        return [
            LayerSpec(
                name="rotation",
                participants=tuple(person_index[name] for name in team.engineer_names),
                shift=rotation.shift,
                shift_hours=rotation.shift_hours,
                handoff_day=rotation.handoff_day,
                handoff_time=rotation.handoff_time,
                time_zone=team_time_zone,
            )
        ]
    return [
        LayerSpec(
            name=layer.name,
            participants=tuple(
                person_index[name] for name in (layer.participants or team.engineer_names)
            ),
            shift=layer.shift,
            shift_hours=layer.shift_hours,
            handoff_day=layer.handoff_day,
            handoff_time=layer.handoff_time,
            time_zone=layer.time_zone or team_time_zone,
            restrictions=tuple(layer.restrictions),
        )
        for layer in team.layers
    ]


def _local_minutes(moments: list[dt.datetime], time_zone: str, scenario: Scenario) -> list[float]:
    """Simulation minutes of naive local datetimes in ``time_zone``."""
    start = horizon_start_utc(scenario.horizon.start_date, scenario.horizon.time_zone)
    localized = pd.DatetimeIndex(moments).tz_localize(
        time_zone, nonexistent="shift_forward", ambiguous=False
    )
    return ((localized.tz_convert("UTC") - start).total_seconds() / 60.0).tolist()
