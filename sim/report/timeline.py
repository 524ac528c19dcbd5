"""A readable timeline of one run: what happened to every alert in a window of days.

Built from the model's event trace (pages, acknowledgements, handovers, grouping, inhibition,
resolutions) plus the automation outcomes decided before the run (prevented, auto-resolved,
failed runbook runs), in the organisation's local time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.calendar import BAND_NAMES, horizon_start_utc, slot_of
from sim.experiment import SingleRun
from sim.model.records import (
    PAGE_KIND_NAMES,
    PAGE_NOTIFY,
    PAGE_RETRIGGER,
    STATE_AUTO_RESOLVED,
    STATE_PREVENTED,
    STATE_SELF_CLEARED,
    STATE_SILENCED,
    STATE_TICKET,
    STATE_UNPAGED,
)
from sim.model.trace import TraceEvent
from sim.scenario.models import SEVERITIES

#: Alerts that ended without a page (noise), and how the timeline says so at their end.
QUIET_STATES = {
    STATE_SELF_CLEARED: "cleared on its own before any page",
    STATE_TICKET: "SLO ticket (slow burn) worked in business hours: resolved, no page",
    STATE_UNPAGED: "no SLO rule fired: worked in business hours, resolved, no page",
}


@dataclass(frozen=True)
class TimelineEntry:
    """One line of the timeline."""

    minutes: float
    local_time: str
    alert: int
    service: str
    text: str


def window_minutes(run: SingleRun, start: dt.date, days: int) -> tuple[float, float]:
    """Simulation minutes of [start 00:00, start + days) in the horizon's time zone."""
    horizon = run.compiled.scenario.horizon
    origin = horizon_start_utc(horizon.start_date, horizon.time_zone)
    begin = pd.Timestamp(dt.datetime.combine(start, dt.time()), tz=horizon.time_zone)
    end = begin + pd.Timedelta(days=days)
    return (
        (begin.tz_convert("UTC") - origin).total_seconds() / 60.0,
        (end.tz_convert("UTC") - origin).total_seconds() / 60.0,
    )


def build_timeline(
    run: SingleRun, trace: list[TraceEvent], start: dt.date, days: int
) -> list[TimelineEntry]:
    """Timeline entries of every event in the window, in time order."""
    compiled = run.compiled
    horizon = compiled.scenario.horizon
    origin = horizon_start_utc(horizon.start_date, horizon.time_zone)
    begin, end = window_minutes(run, start, days)
    names = compiled.person_names
    services = compiled.arrivals.service_names
    stream, records = run.stream, run.records

    def local(minutes: float) -> str:
        moment = (origin + pd.Timedelta(minutes=minutes)).tz_convert(horizon.time_zone)
        return moment.strftime("%a %Y-%m-%d %H:%M")

    def band(person: int, minutes: float) -> str:
        zone = compiled.zones[compiled.person_zone[person]]
        slot = int(slot_of(minutes, compiled.slots))
        label = BAND_NAMES[zone.band[slot]]
        label = f"{label}, weekend" if zone.weekend[slot] else label
        if zone.time_zone != horizon.time_zone:
            moment = (origin + pd.Timedelta(minutes=minutes)).tz_convert(zone.time_zone)
            city = zone.time_zone.rsplit("/", 1)[-1].replace("_", " ")
            label = f"{moment.strftime('%a %H:%M')} {city}, {label}"
        return label

    entries: list[tuple[float, int, int, str]] = []  # (minutes, order, alert, text)
    for alert in np.flatnonzero((stream.time_minutes >= begin) & (stream.time_minutes < end)):
        alert = int(alert)
        root = int(stream.root[alert])
        cause = (
            f"root failure, {SEVERITIES[stream.severity[alert]]}"
            if root == alert
            else f"symptom of {services[stream.service[root]]} (hop {stream.depth[alert]})"
        )
        entries.append((stream.time_minutes[alert], 0, alert, f"alert ({cause})"))
        state = records.state[alert]
        if state == STATE_PREVENTED:
            entries.append((stream.time_minutes[alert], 1, alert, "prevented by early detection"))
        elif state == STATE_AUTO_RESOLVED:
            resolved = records.resolved_minutes[alert]
            entries.append((resolved, 1, alert, "fixed by a runbook, no page"))
        elif state == STATE_SILENCED:
            entries.append((stream.time_minutes[alert], 1, alert, "silenced: maintenance window"))
        elif state in QUIET_STATES:
            resolved = records.resolved_minutes[alert]
            entries.append((resolved, 1, alert, QUIET_STATES[state]))
        if records.deferred[alert] or records.notify_only[alert]:
            service = int(stream.service[alert])
            whose = _support_judge(compiled, service, float(stream.time_minutes[alert]))
            if records.deferred[alert]:
                until = float(records.first_page_minutes[alert])
                text = (
                    f"low urgency outside support hours ({whose}): deferred to {local(until)}, "
                    f"support hours of {_support_judge(compiled, service, until)}"
                )
            else:
                text = f"low urgency outside support hours ({whose}): notify only, no escalation"
            entries.append((stream.time_minutes[alert], 1, alert, text))
    caused = np.flatnonzero(records.caused_by >= 0)
    for alert in caused[
        (records.start_minutes[caused] >= begin) & (records.start_minutes[caused] < end)
    ]:
        text = f"incident caused by a tired fix of alert #{records.caused_by[alert]}"
        entries.append((records.start_minutes[alert], 0, int(alert), text))
    described = {
        "ack": "acknowledged by {person}",
        "resolve": "resolved by {person}",
        "reassign": "{person} reassigns it to the owning team",
        "consult": "{person} consults the owning team",
        "suppress": "suppressed: a symptom while its root's incident is open",
        "inhibited": "inhibited while a dependency's incident is open",
        "group": "grouped into the incident of alert {other_alert}",
        "retrigger": "acknowledgement expired before resolution: re-triggered",
        "mistake": "{person}'s fix (tired) causes a new incident, alert {other_alert}",
        "clear": "the transient alert cleared on its own: incident over",
        "clear_with_root": "cleared: its root failure, alert {other_alert}, was fixed",
    }
    for event in trace:
        minutes = event.time_minutes
        if not begin <= minutes < end:
            continue
        if event.kind == "page":
            where = _level_label(compiled, event.policy, event.page_kind, event.level)
            text = f"page {names[event.person]} ({where}; {band(event.person, minutes)})"
        elif event.kind == "substitute":
            text = _substitution(names, records, event)
        elif event.kind == "gap":
            where = _level_label(compiled, event.policy, 0, event.level)
            text = f"coverage gap: {where} names nobody; next level"
        else:
            person = names[event.person] if event.person >= 0 else ""
            text = described[event.kind].format(person=person, other_alert=event.other_alert)
        entries.append((minutes, 2, event.alert, text))
    entries.sort(key=lambda entry: (entry[0], entry[1]))
    return [
        TimelineEntry(minutes, local(minutes), alert, services[records.service[alert]], text)
        for minutes, _, alert, text in entries
    ]


def _substitution(names, records, event: TraceEvent) -> str:
    """'jen on leave, priya covers' (or resting after a sleep-hour page; or nobody covers)."""
    away = event.away_person
    on_leave = any(start <= event.time_minutes < end for start, end in records.leave[away])
    why = "on leave" if on_leave else "resting after a night page"
    who = names[event.person] if event.person >= 0 else "nobody"
    return f"{names[away]} {why}, {who} covers"


def _support_judge(compiled, service: int, minutes: float) -> str:
    """Whose support hours decide a page of ``service`` at ``minutes``, with their local time:
    'ben, Tue 04:00 New York' (or the owning team's site where its first level names nobody)."""
    horizon = compiled.scenario.horizon
    origin = horizon_start_utc(horizon.start_date, horizon.time_zone)
    person = compiled.paging.judged_by(service, minutes)
    if person < 0:
        team = int(compiled.service_team[service])
        zone = compiled.zones[compiled.team_zone[team]].time_zone
        who = f"{compiled.team_names[team]}'s site"
    else:
        zone = compiled.zones[compiled.person_zone[person]].time_zone
        who = compiled.person_names[person]
    moment = (origin + pd.Timedelta(minutes=minutes)).tz_convert(zone)
    city = zone.rsplit("/", 1)[-1].replace("_", " ")
    return f"{who}, {moment.strftime('%a %H:%M')} {city}"


def _level_label(compiled, policy_index: int, page_kind: int, position: int) -> str:
    """'sre primary', 'sre level 2: sre-lead', or with the page kind when not a first page."""
    policy = compiled.policies[policy_index]
    own = policy_index < len(compiled.schedules)  # a service's own policy has no schedule
    schedule = compiled.schedules[policy_index] if own else None
    if schedule is not None and schedule.pool:
        label = f"{schedule.name} pool" if position == 0 else f"{schedule.name} manager"
    else:
        chain = policy.levels if page_kind in (PAGE_NOTIFY, PAGE_RETRIGGER) else policy.chain
        level = chain[min(position, len(chain) - 1)]
        label = " + ".join(target.label for target in level.targets)
        if len(policy.levels) < len(chain) and position >= len(policy.levels):
            label += f", repeat {position // len(policy.levels)}"
    if page_kind:
        label += f", {PAGE_KIND_NAMES[page_kind]}"
    return label
