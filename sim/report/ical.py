"""Who is on call, as an iCalendar file: one event per person per uninterrupted stretch on
call of every schedule an escalation policy pages (a team's schedule, its secondary, ...).

A proposed rota can then be looked at in the calendar people already use. Times are written in
UTC (calendar programs show them in the reader's zone); events are clipped to the horizon.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import icalendar

from sim.calendar import horizon_start_utc
from sim.compile import CompiledScenario
from sim.compile.escalation import TARGET_SCHEDULE
from sim.compile.schedules import NOBODY, OnCallSchedule


def on_call_stretches(
    schedule: OnCallSchedule, begin_minutes: float, end_minutes: float
) -> list[tuple[int, float, float]]:
    """(person, start, end) of each uninterrupted stretch on call in [begin, end), by start."""
    bounds = [*schedule.starts[1:], float("inf")]
    open_since: dict[int, float] = {}
    stretches: list[tuple[int, float, float]] = []
    last_stop = begin_minutes
    for segment, (start, stop) in enumerate(zip(schedule.starts, bounds, strict=True)):
        start, stop = max(start, begin_minutes), min(stop, end_minutes)
        if stop <= start:
            continue
        if schedule.on_call_together is not None:
            people = set(schedule.on_call_together[segment])
        else:
            people = {schedule.persons[segment]} - {NOBODY}
        for person in [p for p in open_since if p not in people]:
            stretches.append((person, open_since.pop(person), start))
        for person in sorted(people):
            open_since.setdefault(person, start)
        last_stop = stop
    stretches += [(person, since, last_stop) for person, since in open_since.items()]
    return sorted(stretches, key=lambda item: (item[1], item[0]))


def paged_schedules(compiled: CompiledScenario) -> list[OnCallSchedule]:
    """Every schedule some escalation policy pages, each once, in policy order."""
    found: dict[int, OnCallSchedule] = {}
    for policy in compiled.policies:
        for level in policy.levels:
            for target in level.targets:
                if target.kind == TARGET_SCHEDULE and not target.schedule.pool:
                    found.setdefault(id(target.schedule), target.schedule)
    return list(found.values())


def oncall_calendar(compiled: CompiledScenario) -> icalendar.Calendar:
    """The calendar of every paged schedule over the horizon."""
    horizon = compiled.scenario.horizon
    origin = horizon_start_utc(horizon.start_date, horizon.time_zone).to_pydatetime()
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//oncall-sim//on-call schedule//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"{compiled.scenario.name}: on call ({compiled.variant})")
    stamp = origin  # deterministic: the same scenario always writes the same file
    for schedule in paged_schedules(compiled):
        for person, start, end in on_call_stretches(schedule, 0.0, compiled.horizon_minutes):
            name = compiled.person_names[person]
            event = icalendar.Event()
            begin = origin + dt.timedelta(minutes=start)
            event.add("uid", f"{schedule.name}-{name}-{begin:%Y%m%dT%H%M%SZ}@oncall-sim")
            event.add("dtstamp", stamp)
            event.add("dtstart", begin)
            event.add("dtend", origin + dt.timedelta(minutes=end))
            event.add("summary", f"{name} on call: {schedule.name}")
            event.add("categories", [schedule.name, name])
            calendar.add_component(event)
    return calendar


def write_oncall_calendar(compiled: CompiledScenario, path: Path) -> int:
    """Write the calendar; the number of events."""
    calendar = oncall_calendar(compiled)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(calendar.to_ical())
    return len(calendar.walk("VEVENT"))
