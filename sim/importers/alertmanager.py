"""Alertmanager ``alertmanager.yml`` to a scenario's routing, grouping, inhibition and windows.

Mapping (field names of the Alertmanager configuration reference):

* the route tree: every route whose ``matchers`` (or deprecated ``match``/``match_re``) name
  services by the ``service`` label routes them to its ``receiver``; a receiver is a team (with
  ``--into``, the scenario's team of that name; otherwise a new team of two placeholder
  engineers). The first matching route wins; ``continue: true`` (also notify later routes) is
  reported, since a service belongs to one team. A route naming no service gets one placeholder
  service ``<receiver>-alerts``.
* ``group_wait`` and ``group_interval`` of the root route -> ``correlation.grouping`` (the model
  groups the alerts of one root failure; ``group_by`` labels are reported), ``repeat_interval``
  is dropped (the model pages once per incident).
* ``inhibit_rules``: a rule whose source and target matchers each name services (``service``
  label) -> the target services depend on the source services (an edge with no cascade) and
  ``correlation.inhibition: true``; other rules (by severity, alertname...) are dropped.
* ``time_intervals`` (and the older ``mute_time_intervals`` list): ``mute_time_intervals`` of a
  route -> weekly maintenance windows of its services; ``active_time_intervals`` -> the
  services' support hours with low urgency deferred outside them. Only ``times`` and
  ``weekdays`` are expressible; ``days_of_month``, ``months`` and ``years`` are reported.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from sim.importers.pagerduty import EXAMPLE_VARIANT, PLACEHOLDER_ALERTS_PER_WEEK, ImportedScenario
from sim.importers.report import ImportReport, Names
from sim.importers.sources import ImportInputError

DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d|w|y)")
UNIT_MINUTES = {"ms": 1 / 60000, "s": 1 / 60, "m": 1, "h": 60, "d": 1440, "w": 10080}
UNIT_MINUTES["y"] = 525600
MATCHER = re.compile(r'^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*"?(.*?)"?\s*$')


@dataclass
class Located:
    """The YAML document with the line of every JSON path, for located errors."""

    file: Path
    lines: dict[str, int]

    def fail(self, path: str, message: str) -> ImportInputError:
        line = self.lines.get(path)
        where = f"line {line}: {path}" if line else path
        return ImportInputError(self.file, where, message)


def _lines(node: yaml.Node, path: str, found: dict[str, int]) -> None:
    found[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            _lines(value, f"{path}.{key.value}", found)
    elif isinstance(node, yaml.SequenceNode):
        for index, value in enumerate(node.value):
            _lines(value, f"{path}[{index}]", found)


def read_config(path: Path) -> tuple[dict[str, Any], Located]:
    """The configuration and its line map; malformed YAML names the line."""
    try:
        text = path.read_text(encoding="utf-8")
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except OSError as error:
        raise ImportInputError(path, "$", f"cannot read: {error}") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else "$"
        raise ImportInputError(path, where, f"invalid YAML: {error}") from None
    if not isinstance(data, dict) or root is None:
        raise ImportInputError(path, "$", "expected a mapping (an alertmanager.yml)")
    lines: dict[str, int] = {}
    _lines(root, "$", lines)
    return data, Located(path, lines)


def duration_minutes(text: Any, where: str, located: Located) -> float:
    """A Prometheus duration ('30s', '5m', '1h30m') in minutes."""
    if not isinstance(text, str) or not text or DURATION.sub("", text):
        raise located.fail(where, f"expected a duration such as 30s, 5m or 4h; got {text!r}")
    return sum(float(n) * UNIT_MINUTES[unit] for n, unit in DURATION.findall(text))


def route_services(route: dict[str, Any], where: str, located: Located) -> list[str] | None:
    """Services a route selects by the ``service`` label (None: it does not say)."""
    matchers = []
    for index, text in enumerate(route.get("matchers") or []):
        match = MATCHER.match(str(text))
        if not match:
            raise located.fail(f"{where}.matchers[{index}]", f"cannot read matcher {text!r}")
        matchers.append(match.groups())
    matchers += [(k, "=", str(v)) for k, v in (route.get("match") or {}).items()]
    matchers += [(k, "=~", str(v)) for k, v in (route.get("match_re") or {}).items()]
    for label, operator, value in matchers:
        if label != "service":
            continue
        if operator == "=":
            return [value]
        if operator == "=~" and re.fullmatch(r"[A-Za-z0-9_\-|]+", value):
            return value.split("|")
    return None


def _flatten(
    route: dict[str, Any], where: str, inherited: dict[str, Any], out: list[tuple]
) -> None:
    """Every route with its inherited receiver and time intervals, depth first."""
    settings = dict(inherited)
    for key in ("receiver", "mute_time_intervals", "active_time_intervals"):
        if route.get(key) is not None:
            settings[key] = route[key]
    children = route.get("routes") or []
    out.append((route, where, settings, bool(children)))
    for index, child in enumerate(children):
        _flatten(child, f"{where}.routes[{index}]", settings, out)


def _intervals(
    config: dict[str, Any], located: Located, report: ImportReport
) -> dict[str, list[tuple[list[str], int, int, str | None]]]:
    """Named time intervals as (weekdays, start minute, end minute, location) rows."""
    found: dict[str, list[tuple[list[str], int, int, str | None]]] = {}
    named = [("time_intervals", item) for item in config.get("time_intervals") or []]
    named += [("mute_time_intervals", item) for item in config.get("mute_time_intervals") or []]
    for position, (key, item) in enumerate(named):
        index = (
            position
            if key == "time_intervals"
            else position - len(config.get("time_intervals") or [])
        )
        where = f"$.{key}[{index}]"
        name = item.get("name")
        if not isinstance(name, str):
            raise located.fail(where, "a time interval needs a name")
        rows = []
        for number, interval in enumerate(item.get("time_intervals") or []):
            here = f"{where}.time_intervals[{number}]"
            for dropped in ("days_of_month", "months", "years"):
                if interval.get(dropped):
                    report.drop(f"time interval {name}: {dropped} (not expressible weekly)")
            days = []
            for day_index, text in enumerate(interval.get("weekdays") or list(DAYS)):
                parts = str(text).lower().split(":")
                if any(part not in DAYS for part in parts) or len(parts) > 2:
                    raise located.fail(f"{here}.weekdays[{day_index}]", f"unknown weekday {text!r}")
                first, last = DAYS.index(parts[0]), DAYS.index(parts[-1])
                days += [
                    WEEKDAY_NAMES[d % 7]
                    for d in range(first, last + 1 + (7 if last < first else 0))
                ]
            for time_index, times in enumerate(
                interval.get("times") or [{"start_time": "00:00", "end_time": "24:00"}]
            ):
                spans = []
                for key_name in ("start_time", "end_time"):
                    text = str(times.get(key_name, ""))
                    match = re.fullmatch(r"(\d{2}):(\d{2})", text)
                    if not match or int(match[1]) * 60 + int(match[2]) > 1440:
                        raise located.fail(
                            f"{here}.times[{time_index}].{key_name}",
                            f"expected HH:MM, got {text!r}",
                        )
                    spans.append(int(match[1]) * 60 + int(match[2]))
                rows.append((days, spans[0], spans[1], interval.get("location")))
        found[name] = rows
    return found


def _base(into: Path | None) -> dict[str, Any]:
    if into is None:
        return {"name": "Imported from Alertmanager", "teams": [], "services": []}
    from sim.scenario import ScenarioError, load_scenario

    try:
        load_scenario(into)
    except ScenarioError as error:
        raise ImportInputError(into, "$", f"--into is not a valid scenario: {error}") from None
    return yaml.safe_load(into.read_text(encoding="utf-8"))


def _team_for(receiver: str, document: dict[str, Any], report: ImportReport) -> str:
    for team in document["teams"]:
        if team["name"] == receiver:
            return receiver
    name = Names().make(receiver)
    if not any(team["name"] == name for team in document["teams"]):
        document["teams"].append({"name": name, "engineers": 2})
        report.approximate(
            f"receiver {receiver} -> team {name} with 2 placeholder engineers (Alertmanager "
            "does not know people: import the paging tool first and use --into)"
        )
    return name


def _service(document: dict[str, Any], name: str, team: str, report: ImportReport) -> dict:
    for service in document["services"]:
        if service["name"] == name:
            if service["team"] != team:
                report.approximate(
                    f"service {name}: routed to {team} by the route tree (was {service['team']})"
                )
                service["team"] = team
            return service
    service = {
        "name": name,
        "team": team,
        "alerts_per_week": PLACEHOLDER_ALERTS_PER_WEEK,
        "placeholder_rate": True,
    }
    document["services"].append(service)
    return service


def import_alertmanager(path: Path, *, into: Path | None = None) -> ImportedScenario:
    """Read an ``alertmanager.yml`` (and merge it into the scenario ``into``)."""
    config, located = read_config(path)
    report = ImportReport()
    document = copy.deepcopy(_base(into))
    if into is not None:
        report.drop(f"the comments of {into} (its header and source notes are not carried over)")
    root = config.get("route")
    if not isinstance(root, dict) or not root.get("receiver"):
        raise located.fail("$.route", "the configuration needs a route with a receiver")
    routes: list[tuple] = []
    _flatten(root, "$.route", {}, routes)
    intervals = _intervals(config, located, report)
    assigned: dict[str, tuple[str, dict[str, Any], str]] = {}
    for route, where, settings, _ in routes[1:]:
        services = route_services(route, where, located)
        if route.get("continue"):
            report.approximate(
                f"route {where}: continue: true (a service is paged to one team: the first "
                "matching route's)"
            )
        if services is None:
            services = [f"{settings['receiver']}-alerts"]
            report.approximate(
                f"route {where}: selects no service by the service label; one placeholder "
                f"service {services[0]} stands for its alerts"
            )
        for service in services:
            assigned.setdefault(service, (settings["receiver"], settings, where))
    for service in document["services"]:
        assigned.setdefault(service["name"], (root["receiver"], routes[0][2], "$.route"))
    if not assigned:
        assigned[f"{root['receiver']}-alerts"] = (root["receiver"], routes[0][2], "$.route")
    for name, (receiver, settings, where) in assigned.items():
        team = _team_for(receiver, document, report)
        service = _service(document, name, team, report)
        _windows(service, settings, where, intervals, document, located, report)
    report.map(
        f"{len(assigned)} services routed to {len({a[0] for a in assigned.values()})} receivers"
    )
    _grouping(root, routes, document, located, report)
    _inhibition(config, document, located, report)
    if not document.get("variants"):
        document["variants"] = [EXAMPLE_VARIANT]
    return ImportedScenario(
        document=document,
        comments={},
        report=report,
        sources=[str(path)] + ([str(into)] if into else []),
        schedules=[],
        person_of_user={},
    )


def _windows(service, settings, where, intervals, document, located, report) -> None:
    """Mute intervals -> maintenance windows; active intervals -> support hours."""
    horizon_zone = (document.get("horizon") or {}).get("time_zone", "UTC")
    for key in ("mute_time_intervals", "active_time_intervals"):
        for name in settings.get(key) or []:
            if name not in intervals:
                raise located.fail(f"{where}.{key}", f"unknown time interval {name!r}")
            rows = intervals[name]
            for *_, location in rows:
                if location and location != horizon_zone:
                    report.approximate(
                        f"time interval {name}: location {location} read in {horizon_zone}"
                    )
            if key == "mute_time_intervals":
                windows = document.setdefault("paging", {}).setdefault("maintenance_windows", [])
                for days, start, end, _ in rows:
                    for day in dict.fromkeys(days):
                        windows.append(
                            {
                                "every": day,
                                "time": f"{start // 60:02d}:{start % 60:02d}",
                                "duration_minutes": (end - start) % 1440 or 1440,
                                "services": [service["name"]],
                            }
                        )
                report.map(
                    f"service {service['name']}: mute interval {name} -> maintenance windows"
                )
                continue
            days, start, end, _ = rows[0]
            if len(rows) > 1:
                report.approximate(
                    f"service {service['name']}: active interval {name} has {len(rows)} time "
                    "ranges; the first is its support hours"
                )
            service["paging"] = {
                "urgency": dict.fromkeys(("P1", "P2", "P3", "P4"), "low"),
                "support_hours": {
                    "days": list(dict.fromkeys(days)),
                    "start": f"{start // 60 % 24:02d}:{start % 60:02d}",
                    "end": f"{end // 60 % 24:02d}:{end % 60:02d}",
                },
                "low_urgency_outside_support": "defer",
            }
            report.map(
                f"service {service['name']}: active interval {name} -> support hours, "
                "notifications outside them deferred"
            )


def _grouping(root, routes, document, located, report) -> None:
    wait = duration_minutes(root.get("group_wait", "30s"), "$.route.group_wait", located)
    interval = duration_minutes(root.get("group_interval", "5m"), "$.route.group_interval", located)
    if wait > 60:
        report.approximate(f"group_wait of {wait:g} min cut to 60")
        wait = 60.0
    if interval > 1440:
        report.approximate(f"group_interval of {interval:g} min cut to 1440")
        interval = 1440.0
    correlation = document.setdefault("correlation", {})
    correlation["grouping"] = {
        "enabled": True,
        "group_wait_minutes": round(wait, 4),
        "group_interval_minutes": round(interval, 4),
    }
    report.map("root route group_wait and group_interval -> correlation.grouping")
    if root.get("group_by"):
        report.approximate(
            f"group_by {root['group_by']} -> grouping of the alerts of one root failure"
        )
    if any("repeat_interval" in route for route, *_ in routes):
        report.drop("repeat_interval (the model pages once per incident, never re-notifies)")
    for route, where, *_ in routes[1:]:
        if "group_wait" in route or "group_interval" in route:
            report.approximate(f"route {where}: its own group timers; the root route's are used")


def _inhibition(config, document, located, report) -> None:
    services = {service["name"]: service for service in document["services"]}
    for index, rule in enumerate(config.get("inhibit_rules") or []):
        where = f"$.inhibit_rules[{index}]"
        source = route_services(
            {"matchers": rule.get("source_matchers"), "match": rule.get("source_match"),
             "match_re": rule.get("source_match_re")}, f"{where}.source", located,
        )  # fmt: skip
        target = route_services(
            {"matchers": rule.get("target_matchers"), "match": rule.get("target_match"),
             "match_re": rule.get("target_match_re")}, f"{where}.target", located,
        )  # fmt: skip
        if not source or not target:
            report.drop(
                f"inhibit rule {index}: its matchers do not name services by the service label "
                "(inhibition in the model follows service dependencies)"
            )
            continue
        for dependent in target:
            if dependent not in services:
                report.drop(f"inhibit rule {index}: unknown target service {dependent}")
                continue
            edges = services[dependent].setdefault("depends_on", [])
            for cause in source:
                if cause not in services or cause == dependent:
                    report.drop(f"inhibit rule {index}: unknown source service {cause}")
                    continue
                if all((e if isinstance(e, str) else e["service"]) != cause for e in edges):
                    edges.append(
                        {"service": cause, "downstream_probability": 0.0,
                         "upstream_probability": 0.0}
                    )  # fmt: skip
        document.setdefault("correlation", {})["inhibition"] = True
        report.map(
            f"inhibit rule {index}: {', '.join(source)} inhibits {', '.join(target)} -> "
            "dependency edges without cascades, correlation.inhibition"
        )
