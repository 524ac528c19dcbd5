"""PagerDuty schedules (REST API v2 ``schedule`` objects) to scenario schedule layers.

Mapping (field names of the PagerDuty REST API reference):

* ``schedule_layers[]`` -> ``layers`` of the schedule's team. The API lists the layers highest
  precedence first; the scenario lists them lowest first (a later layer wins), so the order is
  reversed. When the schedule carries ``final_schedule.rendered_schedule_entries`` the import
  checks the order against it (:mod:`sim.importers.rendering`).
* ``rotation_virtual_start`` and ``rotation_turn_length_seconds`` -> ``rotation_start`` (the
  turn boundary at or before the horizon's first midnight, in the schedule's ``time_zone``, with
  the participants rotated so that the user of that turn comes first) and a weekly, daily or
  custom (``shift_hours``) shift. Turns step in local wall-clock time, as PagerDuty keeps
  handoffs at their local time across daylight saving.
* ``start`` / ``end`` -> the layer's ``start`` / ``end`` (local times of the schedule's zone).
* ``restrictions[]``: ``daily_restriction`` -> a window on every day; ``weekly_restriction``
  (``start_day_of_week`` 1 = Monday) -> a window on that day lasting ``duration_seconds``
  (up to a week: ``duration_minutes``).
* overrides (``overrides_subschedule.rendered_schedule_entries`` of the schedule, or its
  ``overrides`` list) -> ``overrides`` of the team.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field
from typing import Any

from sim.importers.report import ImportReport, Names
from sim.importers.sources import Node

WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
SECONDS_PER_WEEK = 7 * 86400
SCHEDULE_FIELDS = {
    "id", "type", "summary", "self", "html_url", "name", "time_zone", "description",
    "schedule_layers", "overrides_subschedule", "final_schedule", "users", "escalation_policies",
    "teams", "overrides",
}  # fmt: skip
LAYER_FIELDS = {
    "id", "name", "start", "end", "rotation_virtual_start", "rotation_turn_length_seconds",
    "users", "restrictions", "rendered_schedule_entries", "rendered_coverage_percentage",
}  # fmt: skip


@dataclass
class ImportedSchedule:
    """One schedule, ready to become a team: layers (lowest first), overrides, rendering."""

    source_id: str
    display_name: str
    time_zone: str
    user_ids: list[str]
    """Users of the layers and overrides, in order of first appearance."""
    layers: list[dict[str, Any]]
    overrides: list[tuple[str, dt.datetime, dt.datetime]]
    """(user id, local start, local end)."""
    rendered: list[tuple[dt.datetime, dt.datetime, str]] = field(default_factory=list)
    """``final_schedule.rendered_schedule_entries``: (start, end, user id), aware times."""
    layer_ids: list[str] = field(default_factory=list)


def _local(moment: dt.datetime, time_zone: str) -> dt.datetime:
    return moment.astimezone(zoneinfo.ZoneInfo(time_zone)).replace(tzinfo=None)


def _clock(hours: int, minutes: int) -> str:
    return f"{hours:02d}:{minutes:02d}"


def _restriction(node: Node, report: ImportReport, where: str) -> dict[str, Any]:
    kind = node.get("type").text()
    if kind not in ("daily_restriction", "weekly_restriction"):
        raise node.get("type").fail(
            f"unknown restriction type {kind!r} (expected daily_restriction or weekly_restriction)"
        )
    duration_node = node.get("duration_seconds")
    seconds = duration_node.number(minimum=1)
    limit = 86400 if kind == "daily_restriction" else SECONDS_PER_WEEK
    if seconds > limit:
        span = "a day" if kind == "daily_restriction" else "a week"
        raise duration_node.fail(
            f"a {kind} lasts at most {span} ({limit} seconds); got {seconds:g} seconds"
        )
    hours, minutes, extra_seconds = node.get("start_time_of_day").time_of_day()
    if extra_seconds or seconds % 60:
        report.approximate(f"{where}: restriction times rounded down to the minute")
    if kind == "daily_restriction":
        days = list(WEEKDAY_NAMES)
    else:
        day_node = node.get("start_day_of_week")
        day = day_node.number(minimum=1)
        if day > 7 or day != int(day):
            raise day_node.fail(f"start_day_of_week is 1 (Monday) to 7 (Sunday); got {day:g}")
        days = [WEEKDAY_NAMES[int(day) - 1]]
    length = int(seconds // 60)
    window: dict[str, Any] = {"days": days, "start": _clock(hours, minutes)}
    if length <= 1440:
        end = (hours * 60 + minutes + length) % 1440
        window["end"] = _clock(end // 60, end % 60)
    else:
        window["duration_minutes"] = length
    return window


def _turns(
    node: Node, time_zone: str, horizon_midnight: dt.datetime, user_ids: list[str]
) -> tuple[dict[str, Any], list[str]]:
    """Shift fields of a layer, and its users rotated so the turn at ``rotation_start`` is
    the first user's."""
    virtual = _local(node.get("rotation_virtual_start").moment(), time_zone)
    turn_node = node.get("rotation_turn_length_seconds")
    seconds = turn_node.number(minimum=60)
    if seconds > 366 * 86400:
        raise turn_node.fail(f"a turn lasts at most a year; got {seconds:g} seconds")
    step = dt.timedelta(seconds=seconds)
    turn = (horizon_midnight - virtual) // step
    fields: dict[str, Any]
    if seconds == SECONDS_PER_WEEK:
        fields = {"shift": "weekly"}
    elif seconds == 86400:
        fields = {"shift": "daily"}
    else:
        fields = {"shift": "custom", "shift_hours": seconds / 3600}
    fields["rotation_start"] = virtual + turn * step
    first = turn % len(user_ids)
    return fields, user_ids[first:] + user_ids[:first]


def import_schedule(
    node: Node,
    known_users: set[str],
    horizon_midnight: dt.datetime,
    report: ImportReport,
) -> ImportedSchedule:
    """One ``schedule`` object (``horizon_midnight``: the horizon's first local midnight)."""
    source_id = node.get("id").text()
    display = node.optional("name").text() if node.has("name") else source_id
    time_zone = node.get("time_zone").time_zone()
    label = f"schedule {source_id}"
    extra = sorted(set(node.value) - SCHEDULE_FIELDS)
    if extra:
        report.drop(f"{label}: fields {', '.join(extra)} (not used by the model)")
    users: list[str] = []
    layers: list[dict[str, Any]] = []
    layer_ids: list[str] = []
    layer_names = Names()
    listed = list(node.get("schedule_layers").items())
    if not listed:
        raise node.get("schedule_layers").fail("a schedule needs at least one layer")
    for position, layer_node in enumerate(listed):
        layer_id = layer_node.get("id").text() if layer_node.has("id") else f"#{position + 1}"
        where = f"{label} layer {layer_id}"
        extra = sorted(set(layer_node.value) - LAYER_FIELDS)
        if extra:
            report.drop(f"{where}: fields {', '.join(extra)} (not used by the model)")
        layer_users: list[str] = []
        for user_node in layer_node.get("users").items():
            id_node = user_node.get("user").get("id")
            user_id = id_node.text()
            if user_id not in known_users:
                raise id_node.fail(f"unknown user {user_id!r} (not in the users export)")
            if user_id in layer_users:
                report.approximate(
                    f"{where}: user {user_id} appears more than once in the rotation; "
                    "kept at the first place only"
                )
                continue
            layer_users.append(user_id)
        if not layer_users:
            raise layer_node.get("users").fail("a layer needs at least one user")
        end = layer_node.optional("end")
        end_local = _local(end.moment(), time_zone) if end is not None else None
        if end_local is not None and end_local <= horizon_midnight - dt.timedelta(days=8):
            report.drop(f"{where}: ended before the horizon (no longer in force)")
            continue
        fields, rotated = _turns(layer_node, time_zone, horizon_midnight, layer_users)
        start_local = _local(layer_node.get("start").moment(), time_zone)
        display_layer = layer_node.get("name").text() if layer_node.has("name") else layer_id
        layer: dict[str, Any] = {"name": layer_names.make(display_layer), **fields}
        layer["participants"] = rotated
        if start_local > horizon_midnight - dt.timedelta(days=8):
            layer["start"] = start_local
        if end_local is not None:
            layer["end"] = end_local
        if layer_node.has("restrictions"):
            restrictions = [
                _restriction(item, report, where) for item in layer_node.get("restrictions").items()
            ]
            if restrictions:
                layer["restrictions"] = restrictions
        layers.append(layer)
        layer_ids.append(layer_id)
        users.extend(user for user in layer_users if user not in users)
    overrides = _overrides(node, known_users, time_zone)
    users.extend(user for user, _, _ in overrides if user not in users)
    return ImportedSchedule(
        source_id=source_id,
        display_name=display,
        time_zone=time_zone,
        user_ids=users,
        layers=layers[::-1],
        overrides=overrides,
        rendered=_rendered(node),
        layer_ids=layer_ids[::-1],
    )


def _overrides(
    node: Node, known_users: set[str], time_zone: str
) -> list[tuple[str, dt.datetime, dt.datetime]]:
    entries: list[Node] = []
    if node.has("overrides_subschedule"):
        subschedule = node.get("overrides_subschedule")
        if subschedule.has("rendered_schedule_entries"):
            entries += subschedule.get("rendered_schedule_entries").items()
    if node.has("overrides"):
        entries += node.get("overrides").items()
    found = []
    for entry in entries:
        id_node = entry.get("user").get("id")
        if id_node.text() not in known_users:
            raise id_node.fail(f"unknown user {id_node.text()!r} (not in the users export)")
        start, end = entry.get("start").moment(), entry.get("end").moment()
        if end <= start:
            raise entry.get("end").fail("an override must end after it starts")
        found.append((id_node.text(), _local(start, time_zone), _local(end, time_zone)))
    return found


def _rendered(node: Node) -> list[tuple[dt.datetime, dt.datetime, str]]:
    final = node.optional("final_schedule")
    if final is None or not final.has("rendered_schedule_entries"):
        return []
    return [
        (entry.get("start").moment(), entry.get("end").moment(), entry.get("user").get("id").text())
        for entry in final.get("rendered_schedule_entries").items()
        if entry.has("user")
    ]
