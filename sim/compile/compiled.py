"""Scenario to arrays: everything the generator and the model need, computed once per variant.

A :class:`CompiledScenario` holds plain numpy arrays and small Python lists, so it is cheap to
share with forked worker processes and fast to use in the inner loop of a run.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field

import numpy as np

from sim.calendar import (
    BAND_BUSINESS,
    DRAIN_WEEKS,
    MINUTES_PER_WEEK,
    SLOT_MINUTES,
    ZoneTable,
    build_zone_table,
    public_holidays,
)
from sim.compile.cascades import CascadeTables, compile_cascades
from sim.compile.escalation import (
    CompiledPolicy,
)
from sim.compile.noise import NoiseTables, compile_noise
from sim.compile.organisation import (
    Roster,
    ZoneKey,
    compile_oncall,
    horizon_zone_key,
    organisation_people,
)
from sim.compile.paging import PagingTables, SupportJudges, compile_paging, first_level_timeline
from sim.compile.schedules import OnCallSchedule
from sim.scenario.models import SEVERITIES, Scenario
from sim.scenario.profiles import resolve_profile


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
    weekly_rate_variance: np.ndarray | None = None
    """(services,) variance of the gamma factor of each week's rate (None: all Poisson)."""
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
            and (self.weekly_rate_variance is None) == (other.weekly_rate_variance is None)
            and (
                self.weekly_rate_variance is None
                or np.array_equal(self.weekly_rate_variance, other.weekly_rate_variance)
            )
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
    """Escalation policy per entry of ``schedules`` (the shared rotation's last), then the
    services' own policies (indices past ``schedules``: no schedule or pool of their own)."""
    service_policy: np.ndarray
    """(services,) index into ``policies`` of the policy paging each service's incidents
    (the owning team's unless the service names one)."""
    shared_covers_slot: np.ndarray | None
    """(slots,) True where the shared rotation takes the pages (None: no shared rotation)."""
    service_self_healing_coverage: np.ndarray
    """(services,) share of each service's incidents with a runbook (own or the scenario's)."""
    service_detection_coverage: np.ndarray
    """(services,) share of each service's incidents seen early by anomaly detection."""
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
    noise: NoiseTables | None = None
    """Transient alerts, pause, flapping and SLO rules (None: a hand-made compile)."""
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
    def band_lists(self) -> list[list[int]]:
        """Per zone, the band of each slot as a plain list (fast scalar access in a run)."""
        return [zone.band.tolist() for zone in self.zones]

    @functools.cached_property
    def local_week_starts(self) -> list[float]:
        """Simulation minutes of each local Monday 00:00 of the horizon (and the one after
        it), in the horizon's time zone: a week of leave is one local calendar week."""
        hour_of_week = self.zones[0].hour_of_week.astype(np.int64)
        monday_midnight = (hour_of_week == 0) & (np.roll(hour_of_week, 1) != 0)
        monday_midnight[0] = True
        starts = (np.flatnonzero(monday_midnight) * SLOT_MINUTES).astype(float).tolist()
        return starts[: self.weeks + 1]

    @functools.cached_property
    def local_mornings(self) -> list[list[float]]:
        """Per zone, the instants (simulation minutes) at which local 08:00 begins, ascending:
        when sleep hours end and compensatory rest starts."""
        mornings = []
        for zone in self.zones:
            hour = zone.hour_of_week.astype(np.int64) % 24
            starts = (hour == 8) & (np.roll(hour, 1) != 8)
            starts[0] = hour[0] == 8
            mornings.append((np.flatnonzero(starts).astype(np.float64) * SLOT_MINUTES).tolist())
        return mornings

    @functools.cached_property
    def oncall_share(self) -> np.ndarray:
        """(engineers,) share of the horizon in which a schedule of their team's escalation
        policy names each engineer (primary or secondary: the Google SRE 25% guidance counts
        both; 1 for a pool engineer), in person order of the engineers.

        This is the scheduled share; leave and rest move some of it to substitutes at run time.
        """
        from sim.compile.escalation import TARGET_SCHEDULE

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


def compile_scenario(scenario: Scenario, variant: str = "baseline") -> CompiledScenario:
    """Turn a resolved (variant-applied) scenario into arrays."""
    horizon = scenario.horizon
    weeks = horizon.weeks
    horizon_minutes = float(weeks * MINUTES_PER_WEEK)

    team_names = tuple(team.name for team in scenario.teams)
    people = organisation_people(scenario)
    zone_keys = list(dict.fromkeys([horizon_zone_key(scenario), *people.zone_keys]))
    zones = _zone_tables(scenario, zone_keys)
    slots = len(zones[0].band)
    range_end = float((weeks + DRAIN_WEEKS) * MINUTES_PER_WEEK)
    person_index = {name: index for index, name in enumerate(people.names)}

    schedules, policies, shared_covers_slot, service_policy = compile_oncall(
        scenario, people, person_index, zones[0], range_end
    )

    service_arrays = _service_arrays(scenario, team_names, person_index)
    business_minutes = np.stack(
        [
            np.concatenate([[0.0], np.cumsum((zone.band == BAND_BUSINESS) * float(SLOT_MINUTES))])
            for zone in zones
        ]
    )
    return CompiledScenario(
        scenario=scenario,
        variant=variant,
        arrivals=_arrival_tables(scenario, zones[0], horizon_minutes),
        service_policy=service_policy,
        team_names=team_names,
        team_zone=np.array([zone_keys.index(key) for key in people.team_zone], dtype=np.int64),
        schedules=tuple(schedules),
        policies=tuple(policies),
        shared_covers_slot=shared_covers_slot,
        **service_arrays,
        team_domain=tuple(team.domain_name for team in scenario.teams),
        **_person_arrays(people, zone_keys),
        zones=zones,
        business_minutes_before_slot=business_minutes,
        paging=compile_paging(
            scenario,
            _support_judges(
                people,
                policies,
                service_policy,
                service_arrays["service_team"],
                (schedules[-1], shared_covers_slot) if shared_covers_slot is not None else None,
                _holidays_of(scenario, zone_keys),
            ),
            range_end,
        ),
        severity_work_factor=np.array(
            [scenario.response.severity_work_factor[s] for s in SEVERITIES]
        ),
        weeks=weeks,
        slots=slots,
        horizon_minutes=horizon_minutes,
        noise=compile_noise(scenario),
    )


def _service_arrays(
    scenario: Scenario, team_names: tuple[str, ...], person_index: dict[str, int]
) -> dict[str, object]:
    """The per-service fields of :class:`CompiledScenario` (``service_*``), in service order:
    owning team, automation coverage (the service's own, else the scenario's), dependencies,
    accountable manager, consulted teams and the number of informed teams."""
    services = scenario.services
    automation = scenario.automation
    service_names = [service.name for service in services]
    return {
        "service_team": np.array(
            [team_names.index(service.team) for service in services], dtype=np.int64
        ),
        "service_self_healing_coverage": np.array(
            [
                automation.self_healing.coverage
                if service.self_healing_coverage is None
                else service.self_healing_coverage
                for service in services
            ]
        ),
        "service_detection_coverage": np.array(
            [
                automation.anomaly_detection.coverage
                if service.anomaly_detection_coverage is None
                else service.anomaly_detection_coverage
                for service in services
            ]
        ),
        "service_depends_on": tuple(
            tuple(service_names.index(d.service) for d in service.depends_on)
            for service in services
        ),
        "service_accountable_manager": np.array(
            [
                person_index[scenario.team(service.accountable or service.team).manager_name]
                for service in services
            ],
            dtype=np.int64,
        ),
        "service_consulted": tuple(
            tuple(team_names.index(team) for team in service.consulted) for service in services
        ),
        "service_informed_teams": np.array(
            [len(service.informed) for service in services], dtype=np.int64
        ),
    }


def _person_arrays(people: Roster, zone_keys: list) -> dict[str, object]:
    """The per-person fields of :class:`CompiledScenario` (``person_*``), in roster order."""
    return {
        "person_names": people.names,
        "person_team": np.array(people.team, dtype=np.int64),
        "person_zone": np.array([zone_keys.index(key) for key in people.zone], dtype=np.int64),
        "person_is_engineer": np.array(people.is_engineer, dtype=bool),
        "person_leave_weeks_per_year": np.array(people.leave_weeks_per_year, dtype=np.float64),
        "person_site": people.site,
    }


def _zone_tables(scenario: Scenario, zone_keys: list) -> tuple[ZoneTable, ...]:
    """The calendar of each (time zone, holidays country, subdivision), horizon's first."""
    horizon = scenario.horizon
    holiday_cache: dict[tuple[str | None, str | None], frozenset[dt.date]] = {}
    return tuple(
        build_zone_table(
            horizon.start_date,
            horizon.time_zone,
            horizon.weeks,
            zone,
            weekend_start_minute_of_week=scenario.calendar.weekend_start.minute_of_week,
            weekend_end_minute_of_week=scenario.calendar.weekend_end.minute_of_week,
            holiday_dates=holiday_cache.setdefault(
                (country, subdivision),
                public_holidays(country, subdivision, horizon.start_date, horizon.weeks),
            ),
        )
        for zone, country, subdivision in zone_keys
    )


def _holidays_of(scenario: Scenario, zone_keys: list) -> dict[ZoneKey, frozenset[dt.date]]:
    """The public holidays of each calendar (time zone, holidays country, subdivision)."""
    horizon = scenario.horizon
    by_country = {
        key[1:]: public_holidays(*key[1:], horizon.start_date, horizon.weeks)
        for key in dict.fromkeys(zone_keys)
    }
    return {key: by_country[key[1:]] for key in zone_keys}


def _support_judges(
    people: Roster,
    policies: tuple[CompiledPolicy, ...],
    service_policy: np.ndarray,
    service_team: np.ndarray,
    shared: tuple[OnCallSchedule, np.ndarray] | None,
    holidays: dict[ZoneKey, frozenset[dt.date]],
) -> SupportJudges:
    """Who decides each service's support hours: the first level of its policy, or the shared
    rotation where it takes the pages (see :mod:`sim.compile.paging`)."""
    by_policy = {
        index: first_level_timeline(policies[index], shared)
        for index in dict.fromkeys(service_policy.tolist())
    }
    return SupportJudges(
        team_zone=tuple(people.team_zone[team] for team in service_team.tolist()),
        person_zone=people.zone,
        timelines=tuple(by_policy[index] for index in service_policy.tolist()),
        holidays=holidays,
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
        weekly_rate_variance=(
            np.array([service.weekly_rate_variance for service in scenario.services])
            if any(service.weekly_rate_variance > 0 for service in scenario.services)
            else None
        ),
    )
