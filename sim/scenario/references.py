"""Cross-field checks of a scenario: unique names and references between its parts.

Each problem is a (field path, message) pair, so the file loader can report it at its line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.scenario.noise import noise_problems
from sim.scenario.topology import dependency_cycle

if TYPE_CHECKING:  # the schema calls these checks; they only read it
    from sim.scenario.models import Scenario

Problem = tuple[tuple[str | int, ...], str]


def scenario_reference_problems(scenario: Scenario) -> list[Problem]:
    """Cross-field problems (unique names, references) as (field path, message) pairs."""
    problems: list[Problem] = []
    for field, items in (
        ("services", scenario.services),
        ("teams", scenario.teams),
        ("variants", scenario.variants),
    ):
        seen: set[str] = set()
        for index, item in enumerate(items):
            if item.name in seen:
                problems.append(((field, index, "name"), f"duplicate name {item.name!r}"))
            seen.add(item.name)
    team_names = [team.name for team in scenario.teams]
    service_names = [service.name for service in scenario.services]
    for index, service in enumerate(scenario.services):
        seen_dependencies: set[str] = set()
        for position, dependency in enumerate(service.depends_on):
            where = ("services", index, "depends_on", position)
            if dependency.service not in service_names:
                problems.append((where, f"unknown service {dependency.service!r}"))
            elif dependency.service == service.name:
                problems.append((where, "a service cannot depend on itself"))
            elif dependency.service in seen_dependencies:
                problems.append((where, f"{dependency.service!r} is listed twice"))
            seen_dependencies.add(dependency.service)
    cycle = dependency_cycle(
        {
            s.name: [d.service for d in s.depends_on if d.service in service_names]
            for s in scenario.services
        }
    )
    if cycle:
        index = service_names.index(cycle[0])
        problems.append(
            (("services", index, "depends_on"), f"dependency cycle: {' -> '.join(cycle)}")
        )
    if scenario.shared_rotation is not None:
        for position, team in enumerate(scenario.shared_rotation.teams):
            if team not in team_names:
                problems.append((("shared_rotation", "teams", position), f"unknown team {team!r}"))
    for index, service in enumerate(scenario.services):
        raci = [("accountable", None, service.accountable)]
        raci += [("consulted", position, team) for position, team in enumerate(service.consulted)]
        raci += [("informed", position, team) for position, team in enumerate(service.informed)]
        for key, position, team in raci:
            if team is not None and team not in team_names:
                where = (
                    ("services", index, key)
                    if position is None
                    else ("services", index, key, position)
                )
                problems.append(
                    (where, f"unknown team {team!r}; teams are {', '.join(team_names)}")
                )
        if service.team not in team_names:
            problems.append(
                (
                    ("services", index, "team"),
                    f"unknown team {service.team!r}; teams are {', '.join(team_names)}",
                )
            )
    people: dict[str, str] = {}
    for index, team in enumerate(scenario.teams):
        names = [*team.engineer_names, team.manager_name]
        needs_secondary = "secondary" in scenario.escalation.levels
        if needs_secondary and team.rotation.shift != "pool" and len(team.engineer_names) < 2:
            problems.append(
                (
                    ("teams", index, "engineers"),
                    "a rotation with a secondary level needs at least 2 engineers",
                )
            )
        for person in names:
            if person in people and people[person] != team.name:
                problems.append(
                    (
                        ("teams", index, "engineers"),
                        f"{person!r} is also in team {people[person]!r}; "
                        "a person belongs to one team",
                    )
                )
            people[person] = team.name
    problems.extend(_oncall_problems(scenario))
    problems.extend(noise_problems(scenario))
    return problems


def _oncall_problems(scenario: Scenario) -> list[Problem]:
    """References of sites, schedule layers, overrides, escalation policies and paging rules."""
    problems: list[Problem] = []
    site_names = [site.name for site in scenario.sites]
    for index, site in enumerate(scenario.sites):
        if site.name in site_names[:index]:
            problems.append((("sites", index, "name"), f"duplicate name {site.name!r}"))
    team_names = [team.name for team in scenario.teams]
    people = {name for team in scenario.teams for name in (*team.engineer_names, team.manager_name)}
    policy_names = [policy.name for policy in scenario.escalation_policies]

    def unknown_site(where: tuple[str | int, ...], site: str | None) -> None:
        if site is not None and site not in site_names:
            known = ", ".join(site_names) or "none defined in `sites`"
            problems.append((where, f"unknown site {site!r}; sites: {known}"))

    for index, team in enumerate(scenario.teams):
        unknown_site(("teams", index, "site"), team.site)
        engineers = team.engineer_names
        if not isinstance(team.engineers, int):
            for position, entry in enumerate(team.engineers):
                if not isinstance(entry, str):
                    unknown_site(("teams", index, "engineers", position, "site"), entry.site)
        for position, layer in enumerate(team.layers):
            where = ("teams", index, "layers", position)
            if layer.name in [other.name for other in team.layers[:position]]:
                problems.append(((*where, "name"), f"duplicate layer name {layer.name!r}"))
            for number, name in enumerate(layer.participants or []):
                if name not in engineers:
                    problems.append(
                        (
                            (*where, "participants", number),
                            f"{name!r} is not an engineer of team {team.name!r}",
                        )
                    )
        for position, override in enumerate(team.overrides):
            if override.person not in engineers:
                problems.append(
                    (
                        ("teams", index, "overrides", position, "person"),
                        f"{override.person!r} is not an engineer of team {team.name!r}",
                    )
                )
        if team.escalation_policy is not None and team.escalation_policy not in policy_names:
            known = ", ".join(policy_names) or "none defined in `escalation_policies`"
            problems.append(
                (
                    ("teams", index, "escalation_policy"),
                    f"unknown escalation policy {team.escalation_policy!r}; policies: {known}",
                )
            )
    for index, service in enumerate(scenario.services):
        if service.escalation_policy is not None and service.escalation_policy not in policy_names:
            known = ", ".join(policy_names) or "none defined in `escalation_policies`"
            problems.append(
                (
                    ("services", index, "escalation_policy"),
                    f"unknown escalation policy {service.escalation_policy!r}; policies: {known}",
                )
            )
    for index, policy in enumerate(scenario.escalation_policies):
        if policy.name in policy_names[:index]:
            problems.append(
                (("escalation_policies", index, "name"), f"duplicate name {policy.name!r}")
            )
        for level_index, level in enumerate(policy.levels):
            for target_index, target in enumerate(level.targets):
                where = ("escalation_policies", index, "levels", level_index, "targets")
                where = (*where, target_index)
                for key in ("schedule", "round_robin", "everyone"):
                    team = getattr(target, key)
                    if team is None:
                        continue
                    if team not in team_names:
                        problems.append(((*where, key), f"unknown team {team!r}"))
                    elif key == "schedule" and scenario.team(team).rotation.shift == "pool":
                        problems.append(((*where, key), f"team {team!r} is a pool, not a rota"))
                    elif key == "schedule" and target.offset:
                        problems.extend(_offset_problems(scenario.team(team), target.offset, where))
                if target.person is not None and target.person not in people:
                    problems.append(((*where, "person"), f"unknown person {target.person!r}"))
                for position, person in enumerate(target.round_robin_people or []):
                    if person not in people:
                        problems.append(
                            ((*where, "round_robin_people", position), f"unknown person {person!r}")
                        )
    service_names = {service.name for service in scenario.services}
    for index, window in enumerate(scenario.paging.maintenance_windows):
        for position, service in enumerate(window.services or []):
            if service not in service_names:
                problems.append(
                    (
                        ("paging", "maintenance_windows", index, "services", position),
                        f"unknown service {service!r}",
                    )
                )
    return problems


def offset_wraps(team, offset: int) -> list[tuple[str, int]]:
    """The rotations of ``team`` (its layers, or its rotation) in which ``offset`` wraps round to
    the person on call (offset 3 of 3 people), as (label, participants)."""
    rotations = (
        [
            (f"layer {layer.name!r}", layer.participants or team.engineer_names)
            for layer in team.layers
        ]
        if team.layers
        else [("rotation", team.engineer_names)]
    )
    return [
        (label, len(participants))
        for label, participants in rotations
        if participants and offset % len(participants) == 0
    ]


def _offset_problems(team, offset: int, where: tuple[str | int, ...]) -> list[Problem]:
    """An ``offset`` that wraps round every rotation of the schedule to the person on call: the
    level always pages the primary again instead of someone else. (Wrapping in some layers
    only, e.g. a one-person weekend layer, is legitimate there; `validate` warns of it.)"""
    wrapped = offset_wraps(team, offset)
    layers = len(team.layers) or 1
    if offset == 0 or len(wrapped) < layers:
        return []
    label, count = wrapped[0]
    allowed = f"1..{count - 1}" if count > 1 else "none: it has one person"
    return [
        (
            (*where, "offset"),
            f"offset {offset} in the {count}-person {label} of team {team.name!r} "
            f"wraps round to the person on call (offsets that name someone else: "
            f"{allowed})",
        )
    ]
