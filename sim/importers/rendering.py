"""Compare an imported schedule with the paging tool's own rendering of it.

The tool's rendering is a list of (start, end, person) entries; instants outside every entry
are gaps. The check looks at every entry boundary and a minute either side of it, over the
whole rendered range, and lists every instant where the compiled schedule names someone else.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from sim.calendar import horizon_start_utc
from sim.compile.schedules import NOBODY, OnCallSchedule


@dataclass(frozen=True)
class Mismatch:
    """An instant at which the scenario's schedule and the tool's rendering disagree."""

    moment: dt.datetime
    expected: str | None
    got: str | None


def check_instants(
    entries: list[tuple[dt.datetime, dt.datetime, str]],
) -> list[dt.datetime]:
    """Every entry boundary and a minute either side, inside the rendered range, sorted."""
    if not entries:
        return []
    begin = min(start for start, _, _ in entries)
    end = max(stop for _, stop, _ in entries)
    minute = dt.timedelta(minutes=1)
    found = {
        moment + shift
        for start, stop, _ in entries
        for moment in (start, stop)
        for shift in (-minute, dt.timedelta(0), minute)
    }
    return sorted(moment for moment in found if begin <= moment < end)


def expected_at(
    entries: list[tuple[dt.datetime, dt.datetime, str]], moment: dt.datetime
) -> str | None:
    """Who the rendering names at ``moment`` (None: a gap)."""
    return next((who for start, stop, who in entries if start <= moment < stop), None)


def compare_with_rendering(
    schedule: OnCallSchedule,
    person_names: tuple[str, ...],
    entries: list[tuple[dt.datetime, dt.datetime, str]],
    start_date: dt.date,
    horizon_time_zone: str,
) -> tuple[int, list[Mismatch]]:
    """Instants checked, and the mismatches; ``entries`` name people as the scenario does."""
    origin = horizon_start_utc(start_date, horizon_time_zone)
    instants = check_instants(entries)
    mismatches = []
    for moment in instants:
        minutes = (pd.Timestamp(moment).tz_convert("UTC") - origin).total_seconds() / 60.0
        person = schedule.person_at(minutes)
        got = None if person == NOBODY else person_names[person]
        expected = expected_at(entries, moment)
        if got != expected:
            mismatches.append(Mismatch(moment, expected, got))
    return len(instants), mismatches
