"""Opsgenie configuration exports to a scenario: users, schedules, escalations.

Input: JSON files, one entity each, as the Opsgenie REST API v2 returns them (bare, or wrapped in
``{"data": ...}``): users (``username``, ``fullName``, ``timeZone``), schedules (``timezone``,
``rotations[]``, and the schedule's overrides as ``overrides[]``), escalations (``rules[]``,
``repeat``). The kind of each file is told by its fields. Mapping:

* a schedule -> a team with ``page_all_active_layers: true``: Opsgenie notifies every rotation
  on call at once (cumulative), unlike PagerDuty's top layer wins.
* ``rotations[]`` -> layers: ``type`` hourly/daily/weekly and ``length`` -> the shift,
  ``startDate`` -> ``rotation_start`` (turns step in local wall-clock time of the schedule's
  ``timezone``), ``endDate`` -> ``end``, ``participants`` in order; ``timeRestriction`` of type
  ``time-of-day`` -> a window every day, ``weekday-and-time-of-day`` -> a window per restriction
  from its start day and time to its end day and time (up to a week).
* overrides (``user``, ``startDate``, ``endDate``) -> team overrides (over every rotation).
* an escalation -> a policy: Opsgenie's rule ``delay`` counts from the alert's creation, so the
  rules are grouped by delay into levels and each level waits until the next rule's delay;
  ``recipient`` user -> a person, schedule with ``notifyType`` default -> the schedule, ``next``
  -> offset 1; ``repeat.count`` -> ``repeat`` and ``repeat.waitInterval`` -> the last level's wait.
* Opsgenie routes alerts to teams and escalations, not services: each escalation gets one
  service with a placeholder ``alerts_per_week`` (``placeholder_rate: true``).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from pathlib import Path
from typing import Any

from sim.importers.pagerduty import EXAMPLE_VARIANT, PLACEHOLDER_ALERTS_PER_WEEK, ImportedScenario
from sim.importers.report import ImportReport, Names
from sim.importers.sources import ImportInputError, Node, json_files, read_json

DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
TURN = {"hourly": dt.timedelta(hours=1), "daily": dt.timedelta(days=1)}
TURN["weekly"] = dt.timedelta(days=7)
UNIT_MINUTES = {"minutes": 1, "hours": 60, "days": 1440}


def _entities(paths: list[Path]) -> dict[str, list[Node]]:
    found: dict[str, list[Node]] = {"users": [], "schedules": [], "escalations": []}
    for path in json_files(paths):
        node = read_json(path)
        if isinstance(node.value, dict) and isinstance(node.value.get("data"), dict):
            node = node.get("data")
        if not isinstance(node.value, dict):
            raise node.fail("expected a JSON object (one Opsgenie entity)")
        if "rotations" in node.value:
            found["schedules"].append(node)
        elif "rules" in node.value:
            found["escalations"].append(node)
        elif "username" in node.value:
            found["users"].append(node)
        else:
            raise node.fail(
                "not an Opsgenie user, schedule or escalation (no username, rotations or rules)"
            )
    return found


def _local(moment: dt.datetime, zone: str) -> dt.datetime:
    return moment.astimezone(zoneinfo.ZoneInfo(zone)).replace(tzinfo=None)


def _hour_minute(node: Node, hour_key: str, minute_key: str) -> int:
    hour = node.get(hour_key).number(minimum=0)
    minute = node.get(minute_key).number(minimum=0) if node.has(minute_key) else 0
    if hour > 24 or minute > 59:
        raise node.fail(f"{hour_key} {hour:g} / {minute_key} {minute:g} is not a time of day")
    return int(hour) * 60 + int(minute)


def _clock(minutes: int) -> str:
    return f"{minutes // 60 % 24:02d}:{minutes % 60:02d}"


def _restrictions(node: Node) -> list[dict[str, Any]]:
    kind = node.get("type").text()
    if kind == "time-of-day":
        item = node.get("restriction")
        start = _hour_minute(item, "startHour", "startMin")
        end = _hour_minute(item, "endHour", "endMin")
        return [{"days": list(WEEKDAY_NAMES), "start": _clock(start), "end": _clock(end)}]
    if kind != "weekday-and-time-of-day":
        raise node.get("type").fail(
            f"unknown timeRestriction type {kind!r} (expected time-of-day or "
            "weekday-and-time-of-day)"
        )
    windows = []
    for item in node.get("restrictions").items():
        days = []
        for key in ("startDay", "endDay"):
            day = item.get(key).text().lower()
            if day not in DAYS:
                raise item.get(key).fail(f"unknown day {day!r}")
            days.append(DAYS.index(day))
        start = _hour_minute(item, "startHour", "startMin")
        end = _hour_minute(item, "endHour", "endMin")
        length = ((days[1] - days[0]) * 1440 + end - start) % 10080 or 10080
        window: dict[str, Any] = {"days": [WEEKDAY_NAMES[days[0]]], "start": _clock(start)}
        if length <= 1440:
            window["end"] = _clock(start + length)
        else:
            window["duration_minutes"] = length
        windows.append(window)
    return windows


def _rotation(
    node: Node, zone: str, users: dict[str, str], midnight: dt.datetime, report: ImportReport
) -> dict[str, Any] | None:
    label = f"rotation {node.get('name').text() if node.has('name') else '?'}"
    kind = node.get("type").text()
    if kind not in TURN:
        raise node.get("type").fail(f"unknown rotation type {kind!r} (hourly, daily or weekly)")
    length = int(node.get("length").number(minimum=1)) if node.has("length") else 1
    step = TURN[kind] * length
    participants = []
    for item in node.get("participants").items():
        if item.get("type").text() != "user":
            report.approximate(
                f"{label}: a {item.get('type').text()} participant is left out of the turns"
            )
            continue
        key = item.get("id").text() if item.has("id") else item.get("username").text()
        if key not in users:
            raise item.fail(f"unknown user {key!r} (not among the exported users)")
        if users[key] not in participants:
            participants.append(users[key])
    if not participants:
        report.drop(f"{label}: no user participants")
        return None
    virtual = _local(node.get("startDate").moment(), zone)
    turn = (midnight - virtual) // step
    first = turn % len(participants)
    shift: dict[str, Any]
    if step == dt.timedelta(days=7):
        shift = {"shift": "weekly"}
    elif step == dt.timedelta(days=1):
        shift = {"shift": "daily"}
    else:
        shift = {"shift": "custom", "shift_hours": step.total_seconds() / 3600}
    layer: dict[str, Any] = {
        **shift,
        "rotation_start": virtual + turn * step,
        "participants": participants[first:] + participants[:first],
    }
    if virtual > midnight:
        layer["start"] = virtual
    if node.has("endDate"):
        layer["end"] = _local(node.get("endDate").moment(), zone)
    if node.has("timeRestriction"):
        layer["restrictions"] = _restrictions(node.get("timeRestriction"))
    return layer


def _delay_minutes(node: Node) -> float:
    if not isinstance(node.value, dict):
        return node.number(minimum=0)
    unit = node.get("timeUnit").text() if node.has("timeUnit") else "minutes"
    if unit not in UNIT_MINUTES:
        raise node.get("timeUnit").fail(f"unknown timeUnit {unit!r}")
    return node.get("timeAmount").number(minimum=0) * UNIT_MINUTES[unit]


def _policy(
    node: Node,
    team_of_schedule: dict[str, str],
    users: dict[str, str],
    report: ImportReport,
) -> dict[str, Any]:
    """Levels by rule delay (Opsgenie delays count from the alert's creation)."""
    label = f"escalation {node.get('name').text()}"
    by_delay: dict[float, list[dict[str, Any]]] = {}
    for rule in node.get("rules").items():
        condition = rule.get("condition").text() if rule.has("condition") else "if-not-acked"
        if condition == "if-not-closed":
            report.approximate(f"{label}: an if-not-closed rule escalates when not acknowledged")
        recipient = rule.get("recipient")
        kind = recipient.get("type").text()
        key = recipient.get("id").text() if recipient.has("id") else recipient.get("name").text()
        notify = rule.get("notifyType").text() if rule.has("notifyType") else "default"
        if kind == "user":
            key = (
                recipient.get("id").text()
                if recipient.has("id")
                else recipient.get("username").text()
            )
            if key not in users:
                raise recipient.fail(f"unknown user {key!r} (not among the exported users)")
            target: dict[str, Any] = {"person": users[key]}
        elif kind == "schedule":
            if key not in team_of_schedule:
                raise recipient.fail(
                    f"{label} points at schedule {key!r}, which is not in the export"
                )
            if notify not in ("default", "next"):
                report.approximate(f"{label}: notifyType {notify} paged as the on-call users")
            target = {"schedule": team_of_schedule[key]}
            if notify == "next":
                target["offset"] = 1
        else:
            report.drop(f"{label}: a {kind} recipient (not modelled)")
            continue
        by_delay.setdefault(_delay_minutes(rule.get("delay")), []).append(target)
    if not by_delay:
        raise node.get("rules").fail("the escalation has no rule with a usable recipient")
    delays = sorted(by_delay)
    repeat = node.optional("repeat")
    count = int(repeat.get("count").number(minimum=0)) if repeat and repeat.has("count") else 0
    wait = (
        repeat.get("waitInterval").number(minimum=0)
        if repeat is not None and repeat.has("waitInterval")
        else 30.0
    )
    levels = []
    for index, delay in enumerate(delays):
        until = delays[index + 1] - delay if index + 1 < len(delays) else wait
        levels.append({"targets": by_delay[delay], "delay_minutes": max(until, 1.0)})
    if delays[0] > 0:
        report.approximate(f"{label}: the first rule's delay of {delays[0]:g} min is not modelled")
    policy: dict[str, Any] = {"levels": levels, "repeat": min(count, 9)}
    if count > 9:
        report.approximate(f"{label}: repeat count {count} cut to 9")
    return policy


def _users(nodes: list[Node], report: ImportReport) -> tuple[dict[str, str], dict[str, str]]:
    """Person name by user id and by username; time zone by person."""
    names = Names()
    person, zone = {}, {}
    for node in nodes:
        display = node.get("fullName").text() if node.has("fullName") else None
        name = names.make(display or node.get("username").text().split("@")[0])
        zone[name] = node.get("timeZone").time_zone() if node.has("timeZone") else "UTC"
        person[node.get("username").text()] = name
        if node.has("id"):
            person[node.get("id").text()] = name
    report.map(f"{len(nodes)} users -> people, one site per time zone")
    return person, zone


def _layers_and_overrides(
    node: Node, zone: str, users: dict[str, str], midnight: dt.datetime, report: ImportReport
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """A schedule's rotations as layers and its overrides, in the schedule's zone."""
    layer_names = Names()
    layers = []
    for rotation in node.get("rotations").items():
        layer = _rotation(rotation, zone, users, midnight, report)
        if layer is None:
            continue
        layer = {"name": layer_names.make(rotation.get("name").text()), **layer}
        layers.append(layer)
    overrides = []
    for item in node.get("overrides").items() if node.has("overrides") else []:
        user = item.get("user")
        key = user.get("id").text() if user.has("id") else user.get("username").text()
        if key not in users:
            raise user.fail(f"unknown user {key!r} (not among the exported users)")
        overrides.append(
            {
                "person": users[key],
                "start": _local(item.get("startDate").moment(), zone),
                "end": _local(item.get("endDate").moment(), zone),
            }
        )
    return layers, overrides


def import_opsgenie(
    paths: list[Path], *, start_date: dt.date | None = None, weeks: int = 52
) -> ImportedScenario:
    """Read an Opsgenie export and build the scenario document and its import report."""
    entities = _entities(paths)
    report = ImportReport()
    if not entities["schedules"]:
        raise ImportInputError(paths[0], "$", "the export has no schedule")
    users, zone_of = _users(entities["users"], report)
    first_zone = entities["schedules"][0].get("timezone").time_zone()
    if start_date is None:
        latest = max(
            rotation.get("startDate").moment().date()
            for schedule in entities["schedules"]
            for rotation in schedule.get("rotations").items()
        )
        start_date = latest + dt.timedelta(days=7 - latest.weekday())
    if start_date.weekday() != 0:
        raise ImportInputError("--start", "$", f"{start_date} is not a Monday")
    start = start_date
    midnight = dt.datetime.combine(start, dt.time())
    team_names, teams, team_of_schedule, members_of = Names(), [], {}, {}
    owner: dict[str, str] = {}
    for node in entities["schedules"]:
        zone = node.get("timezone").time_zone()
        name = team_names.make(node.get("name").text())
        team_of_schedule[node.get("id").text() if node.has("id") else name] = name
        team_of_schedule[node.get("name").text()] = name
        layers, overrides = _layers_and_overrides(node, zone, users, midnight, report)
        people = list(
            dict.fromkeys(
                [p for layer in layers for p in layer["participants"]]
                + [o["person"] for o in overrides]
            )
        )
        for person in people:
            if person in owner:
                report.approximate(
                    f"schedule {name}: {person} is also on schedule {owner[person]}; "
                    "kept there only (a person belongs to one team)"
                )
                for layer in layers:
                    layer["participants"] = [p for p in layer["participants"] if p != person]
            else:
                owner[person] = name
        members_of[name] = [p for p in people if owner[p] == name]
        team: dict[str, Any] = {
            "name": name,
            "time_zone": zone,
            "engineers": members_of[name],
            "layers": [layer for layer in layers if layer["participants"]],
            "page_all_active_layers": True,
            "_source": f"Opsgenie schedule {node.get('id').text() if node.has('id') else ''} "
            f"{node.get('name').text()!r} ({zone}), cumulative rotations",
        }
        if overrides:
            team["overrides"] = overrides
        teams.append(team)
    report.map(
        f"{len(teams)} schedules -> teams with cumulative layers (page_all_active_layers: every "
        "rotation on call is paged)"
    )
    document, comments, service_sources = _finish(
        entities, report, users, zone_of, teams, team_of_schedule, owner
    )
    document = {
        "name": "Imported from Opsgenie",
        "description": "Written by `oncall-sim import opsgenie`; see the header for what was "
        "mapped, approximated and dropped.",
        "horizon": {"weeks": weeks, "start_date": start, "time_zone": first_zone},
        **document,
    }
    return ImportedScenario(
        document=document,
        comments=comments,
        report=report,
        sources=[str(path) for path in json_files(paths)],
        schedules=[],
        person_of_user=users,
        service_sources=service_sources,
    )


def _finish(
    entities: dict[str, list[Node]],
    report: ImportReport,
    users: dict[str, str],
    zone_of: dict[str, str],
    teams: list[dict[str, Any]],
    team_of_schedule: dict[str, str],
    owner: dict[str, str],
) -> tuple[dict[str, Any], dict[tuple[str, int], str], dict[str, tuple[str, ...]]]:
    """Policies, services, sites and engineers of the document, and the escalation id and
    name each service stands for."""
    comments: dict[tuple[str, int], str] = {}
    service_sources: dict[str, tuple[str, ...]] = {}
    policy_names, service_names = Names(), Names()
    policies, services = [], []
    for node in entities["escalations"]:
        display = node.get("name").text()
        policy = {
            "name": policy_names.make(display),
            **_policy(node, team_of_schedule, users, report),
        }
        targets = [t for level in policy["levels"] for t in level["targets"]]
        team = next((t["schedule"] for t in targets if "schedule" in t), teams[0]["name"])
        for target in targets:
            if "person" in target and target["person"] not in owner:
                owner[target["person"]] = team
                report.map(f"{target['person']} (on no schedule) -> engineer of team {team}")
        source = node.get("id").text() if node.has("id") else ""
        comments[("escalation_policies", len(policies))] = (
            f"Opsgenie escalation {source} {display!r}"
        )
        policies.append(policy)
        comments[("services", len(services))] = (
            f"One placeholder service for the alerts routed to escalation {display!r}"
        )
        service = service_names.make(f"{display}-alerts")
        service_sources[service] = (source, display)
        services.append(
            {
                "name": service,
                "team": team,
                "alerts_per_week": PLACEHOLDER_ALERTS_PER_WEEK,
                "placeholder_rate": True,
                "escalation_policy": policy["name"],
            }
        )
    if not services:
        raise ImportInputError("export", "$", "the export has no escalation: nothing is paged")
    report.approximate(
        f"{len(services)} escalations -> one placeholder service each (Opsgenie routes alerts "
        "to teams and escalations, not services)"
    )
    zones = list(dict.fromkeys(zone_of[person] for person in owner))
    site_names = Names()
    site_of_zone = {zone: site_names.make(zone) for zone in zones}
    for index, team in enumerate(teams):
        members = [person for person, name in owner.items() if name == team["name"]]
        team["engineers"] = [
            {"name": person, "site": site_of_zone[zone_of[person]]} for person in members
        ]
        comments[("teams", index)] = team.pop("_source")
        team.setdefault(
            "escalation_policy",
            next(
                (
                    policy["name"]
                    for policy in policies
                    for level in policy["levels"]
                    for target in level["targets"]
                    if target.get("schedule") == team["name"]
                ),
                None,
            ),
        )
        if team["escalation_policy"] is None:
            del team["escalation_policy"]
    comments[("variants", 0)] = (
        "An example what-if, so that `oncall-sim run` has something to compare: replace it"
    )
    document = {
        "sites": [{"name": site_of_zone[zone], "time_zone": zone} for zone in zones],
        "teams": teams,
        "services": services,
        "escalation_policies": policies,
        "variants": [EXAMPLE_VARIANT],
    }
    return document, comments, service_sources
