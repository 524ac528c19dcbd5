"""The organisation compiled for the model: people, their sites and calendars, schedules and
escalation policies, as indices and timelines.

Every person gets an index (engineers of each team in order, then its manager), a calendar key
(time zone and public holidays of their site) and planned leave; each team's layers and
overrides become an on-call timeline (:mod:`sim.compile.schedules`) and its escalation policy a
:class:`sim.compile.escalation.CompiledPolicy`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.calendar import BAND_BUSINESS, ZoneTable, horizon_start_utc
from sim.compile.escalation import (
    CompiledPolicy,
    default_policy,
    named_policy,
    pool_policy,
)
from sim.compile.schedules import (
    LayerSpec,
    OnCallSchedule,
    OverrideSpec,
    build_schedule,
    pool_schedule,
)
from sim.scenario.models import Scenario, Team


@dataclass(frozen=True)
class Roster:
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


def horizon_zone_key(scenario: Scenario) -> ZoneKey:
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


def organisation_people(scenario: Scenario) -> Roster:
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
    return Roster(
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
            rotation_start=layer.rotation_start,
            start=layer.start,
            end=layer.end,
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


def _one_of_each_in_turn(teams: list[tuple[int, ...]]) -> tuple[int, ...]:
    """Interleave the teams' engineers: first of each team, then second of each, and so on."""
    longest = max(len(engineers) for engineers in teams)
    return tuple(
        engineers[index]
        for index in range(longest)
        for engineers in teams
        if index < len(engineers)
    )


def compile_oncall(
    scenario: Scenario,
    people: Roster,
    person_index: dict[str, int],
    horizon_zone: ZoneTable,
    range_end: float,
) -> tuple[tuple[OnCallSchedule, ...], tuple[CompiledPolicy, ...], np.ndarray | None, np.ndarray]:
    """Each team's primary schedule and escalation policy, then the shared rotation's (if
    any), then the services' own policies; the slots in which the shared rotation takes the
    pages (None without one); and per service the index of its policy."""
    schedule_of, team_engineers = _team_schedules(scenario, people, person_index, range_end)
    schedules = [schedule_of[(team.name, 0)] for team in scenario.teams]
    policies = [
        _team_policy(scenario, team, schedule_of, person_index, team_engineers)
        for team in scenario.teams
    ]
    shared_covers_slot = None
    if scenario.shared_rotation is not None:
        shared_schedule, shared_policy, shared_covers_slot = _shared_rotation(
            scenario, team_engineers, horizon_zone, range_end
        )
        schedules.append(shared_schedule)
        policies.append(shared_policy)
    service_policy = _service_policies(
        scenario, policies, schedule_of, person_index, team_engineers
    )
    return tuple(schedules), tuple(policies), shared_covers_slot, service_policy


def _team_schedules(
    scenario: Scenario, people: Roster, person_index: dict[str, int], range_end: float
) -> tuple[dict[tuple[str, int], OnCallSchedule], dict[str, tuple[int, ...]]]:
    """Every timeline a policy may target, keyed ``(team, offset)``: offsets 0 (primary) and
    1 (secondary) of every rotating team plus any offset a named policy targets; a pool team
    has its pool at offset 0. Also each team's engineers (person indices)."""
    horizon = scenario.horizon
    schedule_of: dict[tuple[str, int], OnCallSchedule] = {}
    team_engineers: dict[str, tuple[int, ...]] = {}
    for team_index, team in enumerate(scenario.teams):
        engineers = tuple(person_index[name] for name in team.engineer_names)
        team_engineers[team.name] = engineers
        if team.rotation.shift == "pool":
            schedule_of[(team.name, 0)] = pool_schedule(team.name, engineers)
            continue
        zone = people.team_zone[team_index][0]
        layers = _layer_specs(team, zone, person_index)
        overrides = [
            OverrideSpec(
                person_index[override.person],
                *_local_minutes([override.start, override.end], zone, scenario),
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
                cumulative=team.page_all_active_layers,
            )
    return schedule_of, team_engineers


def _team_policy(
    scenario: Scenario,
    team: Team,
    schedule_of: dict[tuple[str, int], OnCallSchedule],
    person_index: dict[str, int],
    team_engineers: dict[str, tuple[int, ...]],
) -> CompiledPolicy:
    """The team's escalation policy: its named policy, else the ``escalation`` block applied
    to its pool or to its primary and secondary timelines."""
    if team.escalation_policy is not None:
        named = {policy.name: policy for policy in scenario.escalation_policies}
        return named_policy(
            named[team.escalation_policy], schedule_of, person_index, team_engineers
        )
    if team.rotation.shift == "pool":
        return pool_policy(
            team.name,
            scenario.escalation,
            manager=person_index[team.manager_name],
            manager_name=team.manager_name,
        )
    return default_policy(
        team.name,
        scenario.escalation,
        primary=schedule_of[(team.name, 0)],
        secondary=schedule_of[(team.name, 1)],
    )


def _shared_rotation(
    scenario: Scenario,
    team_engineers: dict[str, tuple[int, ...]],
    horizon_zone: ZoneTable,
    range_end: float,
) -> tuple[OnCallSchedule, CompiledPolicy, np.ndarray]:
    """The shared rotation (one engineer of each team in turn, weekly): its primary timeline,
    its policy (the ``escalation`` block), and the slots in which it takes the pages."""
    shared = scenario.shared_rotation
    assert shared is not None
    horizon = scenario.horizon
    layer = LayerSpec(
        name="shared",
        participants=_one_of_each_in_turn([team_engineers[team] for team in shared.teams]),
        shift="weekly",
        shift_hours=None,
        handoff_day=shared.handoff_day,
        handoff_time=shared.handoff_time,
        time_zone=horizon.time_zone,
    )
    primary, secondary = (
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
    )
    policy = default_policy("shared", scenario.escalation, primary=primary, secondary=secondary)
    covers_slot = (
        horizon_zone.band != BAND_BUSINESS
        if shared.covers == "off-hours"
        else np.ones(len(horizon_zone.band), dtype=bool)
    )
    return primary, policy, covers_slot


def _service_policies(
    scenario: Scenario,
    policies: list[CompiledPolicy],
    schedule_of: dict[tuple[str, int], OnCallSchedule],
    person_index: dict[str, int],
    team_engineers: dict[str, tuple[int, ...]],
) -> np.ndarray:
    """Per service, the index into ``policies`` of the policy that pages its incidents: the
    owning team's, or the service's own ``escalation_policy`` (appended to ``policies`` once
    per name, after the teams' and the shared rotation's; a team's named policy is reused)."""
    team_index = {team.name: index for index, team in enumerate(scenario.teams)}
    by_name = {
        team.escalation_policy: index
        for index, team in reversed(list(enumerate(scenario.teams)))
        if team.escalation_policy is not None
    }
    named = {policy.name: policy for policy in scenario.escalation_policies}
    chosen = []
    for service in scenario.services:
        name = service.escalation_policy
        if name is None:
            chosen.append(team_index[service.team])
            continue
        if name not in by_name:
            by_name[name] = len(policies)
            policies.append(named_policy(named[name], schedule_of, person_index, team_engineers))
        chosen.append(by_name[name])
    return np.array(chosen, dtype=np.int64)
