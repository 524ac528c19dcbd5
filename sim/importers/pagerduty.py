"""PagerDuty REST API v2 exports to a scenario: users, schedules, escalation policies, services.

Input: JSON files in the API's own shapes (``{"users": [...]}``, ``{"schedule": {...}}``,
``{"escalation_policies": [...]}``, ``{"services": [...]}``, singular or plural), as the user
exported them; nothing is fetched. Mapping, beyond the schedules
(:mod:`sim.importers.pagerduty_schedules`):

* ``users`` -> people: an identifier from ``name``, a site per ``time_zone``. A user belongs to
  the team of the first schedule naming them; users no schedule names join the team of the first
  schedule their escalation policy pages.
* each schedule -> a team (in the schedule's ``time_zone``) whose layers are the schedule's.
* ``escalation_policy`` -> ``escalation_policies``: ``escalation_rules[]`` -> levels,
  ``escalation_delay_in_minutes`` -> ``delay_minutes``, ``schedule_reference`` -> a schedule
  target, ``user_reference`` -> a person; ``escalation_rule_assignment_strategy`` (a string or
  an object with ``type``) ``round_robin`` over users -> ``round_robin_people``,
  ``assign_to_everyone`` -> every target at once; ``num_loops`` -> ``repeat``.
* ``service`` -> a service of the team its policy pages first, with its own
  ``escalation_policy``; ``acknowledgement_timeout`` -> ``ack_expiry_minutes`` (a copy of the
  policy per distinct timeout); ``incident_urgency_rule`` and ``support_hours`` -> the service's
  ``paging``: outside support hours low urgency is deferred to the start of support hours when a
  ``scheduled_actions`` urgency change raises it then, and notify-only otherwise.
* rates: PagerDuty does not know how often services fail; each service gets a placeholder
  ``alerts_per_week`` marked ``placeholder_rate: true``.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.importers.pagerduty_policies import (
    ImportedPolicy,
    import_policy,
    policy_levels,
    service_paging,
)
from sim.importers.pagerduty_schedules import ImportedSchedule, import_schedule
from sim.importers.report import ImportReport, Names
from sim.importers.sources import ImportInputError, Node, json_files, read_json

PLACEHOLDER_ALERTS_PER_WEEK = 1.0
KINDS = {
    "user": "users",
    "users": "users",
    "schedule": "schedules",
    "schedules": "schedules",
    "escalation_policy": "escalation_policies",
    "escalation_policies": "escalation_policies",
    "service": "services",
    "services": "services",
}
PAGINATION = {"limit", "offset", "more", "total"}
SERVICE_FIELDS = {
    "id", "type", "summary", "self", "html_url", "name", "description", "status",
    "escalation_policy", "acknowledgement_timeout", "incident_urgency_rule", "support_hours",
    "scheduled_actions", "created_at", "updated_at", "last_incident_timestamp",
}  # fmt: skip
EXAMPLE_VARIANT = {
    "name": "example-self-healing-30",
    "description": "Example what-if written by the import: runbooks for 30% of incidents",
    "set": {"automation.self_healing.coverage": 0.3},
}


@dataclass
class Collected:
    """Every object of the export, by kind and id, each with its location."""

    users: dict[str, Node] = field(default_factory=dict)
    schedules: dict[str, Node] = field(default_factory=dict)
    escalation_policies: dict[str, Node] = field(default_factory=dict)
    services: dict[str, Node] = field(default_factory=dict)


@dataclass
class ImportedScenario:
    """An import's result: the scenario document, its comments, the report, the schedules."""

    document: dict[str, Any]
    comments: dict[tuple[str, int], str]
    report: ImportReport
    sources: list[str]
    schedules: list[tuple[str, ImportedSchedule]]
    """(team name, schedule) per imported schedule."""
    person_of_user: dict[str, str]
    service_sources: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Per scenario service: the paging tool's id and display name of what it came from (to
    match an incident history's services, ``--incidents``)."""


def collect(paths: list[Path]) -> Collected:
    """Read every file; objects by kind and id (a duplicate id keeps the last one read)."""
    found = Collected()
    for path in json_files(paths):
        root = read_json(path)
        if not isinstance(root.value, dict):
            raise root.fail("expected a JSON object as the API returns it")
        kinds = [key for key in root.value if key in KINDS]
        if not kinds:
            raise root.fail(
                "no PagerDuty objects here (expected a key among " + ", ".join(sorted(KINDS)) + ")"
            )
        for key in kinds:
            node = root.get(key)
            items = list(node.items()) if key.endswith("s") else [node]
            for item in items:
                getattr(found, KINDS[key])[item.get("id").text()] = item
    return found


def _default_start(schedules: list[Node]) -> dt.date:
    """The Monday on or before the earliest rendered entry (local date of the first schedule);
    without a rendering, the Monday after the latest layer start (every layer in force)."""
    zone = zoneinfo.ZoneInfo(schedules[0].get("time_zone").time_zone())
    rendered = []
    for schedule in schedules:
        final = schedule.optional("final_schedule")
        if final is not None and final.has("rendered_schedule_entries"):
            rendered += [
                entry.get("start").moment()
                for entry in final.get("rendered_schedule_entries").items()
            ]
    if rendered:
        day = min(rendered).astimezone(zone).date()
        return day - dt.timedelta(days=day.weekday())
    latest = max(
        layer.get("start").moment().astimezone(zone).date()
        for schedule in schedules
        for layer in schedule.get("schedule_layers").items()
    )
    return latest + dt.timedelta(days=7 - latest.weekday())


def _users(collected: Collected, report: ImportReport) -> dict[str, tuple[str, str]]:
    """Per user id: (person name, time zone)."""
    names = Names()
    users = {}
    for user_id, node in collected.users.items():
        display = node.get("name").text() if node.has("name") else user_id
        users[user_id] = (names.make(display), node.get("time_zone").time_zone())
    if users:
        report.map(f"{len(users)} users -> people, one site per time zone")
    return users


def _assign_people(
    schedules: list[ImportedSchedule],
    team_names: list[str],
    report: ImportReport,
) -> dict[str, str]:
    """Team of each user: the first schedule naming them. A user in a later schedule too is
    left out of it (a person belongs to one team in the model)."""
    team_of_user: dict[str, str] = {}
    for schedule, team in zip(schedules, team_names, strict=True):
        for user in schedule.user_ids:
            if user not in team_of_user:
                team_of_user[user] = team
            elif team_of_user[user] != team:
                report.approximate(
                    f"schedule {schedule.source_id}: user {user} is also on another schedule "
                    f"(team {team_of_user[user]}); left out of this one (a person belongs to "
                    "one team)"
                )
                for layer in schedule.layers:
                    layer["participants"] = [p for p in layer["participants"] if p != user]
                schedule.overrides = [o for o in schedule.overrides if o[0] != user]
        kept = [layer for layer in schedule.layers if layer["participants"]]
        if len(kept) < len(schedule.layers):
            report.drop(f"schedule {schedule.source_id}: a layer left with no users")
        schedule.layers = kept
    return team_of_user


def _team_document(
    schedule: ImportedSchedule,
    team: str,
    members: list[str],
    users: dict[str, tuple[str, str]],
    site_of_zone: dict[str, str],
    policy: str | None,
) -> dict[str, Any]:
    person = {user: users[user][0] for user in users}
    layers = [
        {**layer, "participants": [person[user] for user in layer["participants"]]}
        for layer in schedule.layers
    ]
    document: dict[str, Any] = {
        "name": team,
        "time_zone": schedule.time_zone,
        "engineers": [
            {"name": person[user], "site": site_of_zone[users[user][1]]} for user in members
        ],
        "layers": layers,
    }
    if schedule.overrides:
        document["overrides"] = [
            {"person": person[user], "start": start, "end": end}
            for user, start, end in schedule.overrides
        ]
    if policy is not None:
        document["escalation_policy"] = policy
    return document


def _team_of_policy(
    policy: ImportedPolicy, team_of_schedule: dict[str, str], team_of_user: dict[str, str]
) -> str | None:
    """The team a policy pages first: its first schedule target's, else its first known
    user's."""
    for rule in policy.rules:
        for target in rule.targets:
            if target.kind == "schedule":
                return team_of_schedule[target.source_id]
    for rule in policy.rules:
        for target in rule.targets:
            if target.source_id in team_of_user:
                return team_of_user[target.source_id]
    return None


def _ack_minutes(service: Node) -> float | None:
    node = service.optional("acknowledgement_timeout")
    return None if node is None else node.number(minimum=60) / 60.0


def import_pagerduty(
    paths: list[Path], *, start_date: dt.date | None = None, weeks: int = 52
) -> ImportedScenario:
    """Read a PagerDuty export and build the scenario document and its import report."""
    collected = collect(paths)
    report = ImportReport()
    if not collected.schedules:
        raise ImportInputError(paths[0], "$", "the export has no schedule (GET /schedules/{id})")
    schedule_nodes = list(collected.schedules.values())
    start = start_date or _default_start(schedule_nodes)
    if start.weekday() != 0:
        raise ImportInputError("--start", "$", f"{start} is not a Monday")
    users = _users(collected, report)
    midnight = dt.datetime.combine(start, dt.time())
    schedules = [import_schedule(node, set(users), midnight, report) for node in schedule_nodes]
    team_names_made = Names()
    team_names = [team_names_made.make(schedule.display_name) for schedule in schedules]
    team_of_schedule = {
        schedule.source_id: team for schedule, team in zip(schedules, team_names, strict=True)
    }
    report.map(
        f"{len(schedules)} schedules -> teams with layers (lowest first), restrictions and "
        "overrides"
    )
    team_of_user = _assign_people(schedules, team_names, report)
    policies = {
        policy_id: import_policy(node, set(collected.schedules), set(users), report)
        for policy_id, node in collected.escalation_policies.items()
    }
    for policy in policies.values():
        team = _team_of_policy(policy, team_of_schedule, team_of_user) or team_names[0]
        for rule in policy.rules:
            for target in rule.targets:
                if target.kind == "user" and target.source_id not in team_of_user:
                    team_of_user[target.source_id] = team
                    report.map(
                        f"user {target.source_id} (on no schedule) -> engineer of team {team}, "
                        f"paged by escalation policy {policy.source_id}"
                    )
    unused = [user for user in users if user not in team_of_user]
    for user in unused:
        report.drop(f"user {user}: on no schedule and in no escalation policy")
    person_of_user = {user: users[user][0] for user in users}
    document, comments, service_sources = _assemble(
        collected, schedules, team_names, team_of_user, users, policies, report, start, weeks
    )
    files = [str(path) for path in json_files(paths)]
    return ImportedScenario(
        document=document,
        comments=comments,
        report=report,
        sources=files,
        schedules=list(zip(team_names, schedules, strict=True)),
        person_of_user=person_of_user,
        service_sources=service_sources,
    )


@dataclass
class _Assembly:
    """Shared state while the scenario document is put together, one part per method."""

    collected: Collected
    schedules: list[ImportedSchedule]
    team_names: list[str]
    team_of_user: dict[str, str]
    users: dict[str, tuple[str, str]]
    policies: dict[str, ImportedPolicy]
    report: ImportReport
    comments: dict[tuple[str, int], str] = field(default_factory=dict)
    policy_variants: dict[tuple[str, float | None], str] = field(default_factory=dict)
    service_sources: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.team_of_schedule = dict(
            zip((s.source_id for s in self.schedules), self.team_names, strict=True)
        )
        self.policy_names = Names()
        self.base_name = {
            pid: self.policy_names.make(p.display_name) for pid, p in self.policies.items()
        }

    def sites(self) -> tuple[list[dict[str, Any]], dict[str, str]]:
        zones = list(dict.fromkeys(self.users[user][1] for user in self.team_of_user))
        site_names = Names()
        site_of_zone = {zone: site_names.make(zone) for zone in zones}
        for index, zone in enumerate(zones):
            members = [user for user in self.team_of_user if self.users[user][1] == zone]
            self.comments[("sites", index)] = f"PagerDuty users in {zone}: {', '.join(members)}"
        return [{"name": site_of_zone[zone], "time_zone": zone} for zone in zones], site_of_zone

    def _policy_name(self, policy_id: str, ack: float | None) -> str:
        """The policy's scenario name, a copy per distinct acknowledgement timeout."""
        key = (policy_id, ack)
        if key not in self.policy_variants:
            base = self.base_name[policy_id]
            self.policy_variants[key] = (
                base if ack is None else self.policy_names.make(f"{base}-ack-{ack:g}min")
            )
        return self.policy_variants[key]

    def service(self, index: int, service_id: str, node: Node, names: Names) -> dict[str, Any]:
        label = f"service {service_id}"
        extra = sorted(set(node.value) - SERVICE_FIELDS)
        if extra:
            self.report.drop(f"{label}: fields {', '.join(extra)} (not used by the model)")
        policy_node = node.get("escalation_policy").get("id")
        policy_id = policy_node.text()
        if policy_id not in self.policies:
            raise policy_node.fail(
                f"service {service_id} points at escalation policy {policy_id!r}, "
                "which is not in the export"
            )
        ack = _ack_minutes(node)
        team = _team_of_policy(self.policies[policy_id], self.team_of_schedule, self.team_of_user)
        team = team or self.team_names[0]
        display = node.get("name").text() if node.has("name") else service_id
        service: dict[str, Any] = {
            "name": names.make(display),
            "team": team,
            "alerts_per_week": PLACEHOLDER_ALERTS_PER_WEEK,
            "placeholder_rate": True,
            "escalation_policy": self._policy_name(policy_id, ack),
        }
        team_zone = self.schedules[self.team_names.index(team)].time_zone
        paging = service_paging(node, team_zone, self.report)
        if paging is not None:
            service["paging"] = paging
        self.service_sources[service["name"]] = (service_id, display)
        self.comments[("services", index)] = (
            f"PagerDuty service {service_id} {display!r}; escalation policy {policy_id}"
            + (f", acknowledgement_timeout {ack:g} minutes" if ack is not None else "")
        )
        return service

    def services(self) -> list[dict[str, Any]]:
        names = Names()
        services = []
        for index, (service_id, node) in enumerate(self.collected.services.items()):
            services.append(self.service(index, service_id, node, names))
        if not services:
            raise ImportInputError(
                "export", "$", "the export has no service (GET /services): nothing raises alerts"
            )
        self.report.map(f"{len(services)} services -> services with their own escalation policy")
        return services

    def escalation_policies(self) -> list[dict[str, Any]]:
        entries: list[dict[str, Any]] = []
        for policy_id, policy in self.policies.items():
            levels = policy_levels(
                policy, self.team_of_schedule, dict_person(self.users), self.report
            )
            acks = [ack for pid, ack in self.policy_variants if pid == policy_id] or [None]
            for ack in acks:
                entry: dict[str, Any] = {
                    "name": self.policy_variants.get((policy_id, ack), self.base_name[policy_id]),
                    "levels": levels,
                    "repeat": policy.repeat,
                }
                if ack is not None:
                    entry["ack_expiry_minutes"] = ack
                self.comments[("escalation_policies", len(entries))] = (
                    f"PagerDuty escalation policy {policy_id} {policy.display_name!r}"
                    + (f" with an acknowledgement timeout of {ack:g} minutes" if ack else "")
                )
                entries.append(entry)
        self.report.map(
            f"{len(self.policies)} escalation policies -> escalation_policies (num_loops -> "
            "repeat, acknowledgement_timeout -> ack_expiry_minutes)"
        )
        return entries

    def _team_policy(self, schedule: ImportedSchedule) -> str | None:
        """The first policy paging the schedule (its copy without an ack timeout if any)."""
        for pid, policy in self.policies.items():
            if any(
                t.kind == "schedule" and t.source_id == schedule.source_id
                for rule in policy.rules
                for t in rule.targets
            ):
                names = [n for (p, _), n in self.policy_variants.items() if p == pid]
                return self.policy_variants.get((pid, None)) or (names or [self.base_name[pid]])[0]
        return None

    def teams(self, site_of_zone: dict[str, str]) -> list[dict[str, Any]]:
        teams = []
        pairs = zip(self.schedules, self.team_names, strict=True)
        for index, (schedule, team) in enumerate(pairs):
            members = [user for user, owner in self.team_of_user.items() if owner == team]
            policy = self._team_policy(schedule)
            teams.append(_team_document(schedule, team, members, self.users, site_of_zone, policy))
            self.comments[("teams", index)] = (
                f"PagerDuty schedule {schedule.source_id} {schedule.display_name!r} "
                f"({schedule.time_zone}); layers {', '.join(schedule.layer_ids)} (lowest "
                "first); engineers "
                + ", ".join(f"{self.users[user][0]} = {user}" for user in members)
            )
        return teams


def _assemble(
    collected: Collected,
    schedules: list[ImportedSchedule],
    team_names: list[str],
    team_of_user: dict[str, str],
    users: dict[str, tuple[str, str]],
    policies: dict[str, ImportedPolicy],
    report: ImportReport,
    start: dt.date,
    weeks: int,
) -> tuple[dict[str, Any], dict[tuple[str, int], str], dict[str, tuple[str, ...]]]:
    """The scenario document, the comment above each imported object, and the PagerDuty id
    and name of each service."""
    parts = _Assembly(collected, schedules, team_names, team_of_user, users, policies, report)
    sites, site_of_zone = parts.sites()
    services = parts.services()
    escalation_policies = parts.escalation_policies()
    teams = parts.teams(site_of_zone)
    parts.comments[("variants", 0)] = (
        "An example what-if, so that `oncall-sim run` has something to compare: replace it"
    )
    document = {
        "name": "Imported from PagerDuty",
        "description": "Written by `oncall-sim import pagerduty`; see the header for what was "
        "mapped, approximated and dropped.",
        "horizon": {"weeks": weeks, "start_date": start, "time_zone": schedules[0].time_zone},
        "sites": sites,
        "teams": teams,
        "services": services,
        "escalation_policies": escalation_policies,
        "variants": [EXAMPLE_VARIANT],
    }
    return document, parts.comments, parts.service_sources


def dict_person(users: dict[str, tuple[str, str]]) -> dict[str, str]:
    """Person name per user id."""
    return {user: name for user, (name, _) in users.items()}
