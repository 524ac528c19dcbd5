"""On-call schedules compiled to timelines: who is on call at every instant.

A schedule is a stack of layers (lowest first). Each layer is a rotation over participants with
handoffs at a local time of day (weekly, daily, or every ``shift_hours``), optionally restricted
to local windows of the week. Where several layers are active the highest wins; overrides sit
above every layer. Daylight-saving changes move handoffs and windows with the local clock, as
paging tools do. The result is a piecewise-constant timeline: sorted segment starts and, per
segment, the person on call (-1 in a coverage gap) and the participants of the winning layer,
in rotation order, from which a substitute is taken when the person on call is away.

Everything here is computed once per variant; looking up who is on call in a run is one bisect.
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.calendar import MINUTES_PER_WEEK, horizon_start_utc
from sim.scenario.fields import WEEKDAYS, minutes_of_day
from sim.scenario.oncall import TimeWindow

NOBODY = -1


@dataclass(frozen=True)
class LayerSpec:
    """One layer with people as indices (see :class:`sim.scenario.oncall.Layer`)."""

    name: str
    participants: tuple[int, ...]
    shift: str
    """'weekly', 'daily' or 'custom'."""
    shift_hours: float | None
    handoff_day: str
    handoff_time: str
    time_zone: str
    restrictions: tuple[TimeWindow, ...] = ()
    rotation_start: dt.datetime | None = None
    """Local start of a shift of the first participant (replaces handoff_day/handoff_time)."""
    start: dt.datetime | None = None
    """Local time the layer comes into force (None: always was)."""
    end: dt.datetime | None = None
    """Local time the layer stops (None: never)."""


@dataclass(frozen=True)
class OverrideSpec:
    """``person`` is on call from ``start_minutes`` to ``end_minutes`` (simulation time)."""

    person: int
    start_minutes: float
    end_minutes: float


@dataclass(frozen=True)
class OnCallSchedule:
    """Who one schedule names at every instant (a step function of simulation time).

    Attributes:
        name: schedule name (the team's, '<team>+1' for an offset, 'shared' for a shared one).
        starts: segment start instants in simulation minutes, ascending; the first is the
            beginning of the tabulated range (a week before the horizon).
        persons: person on call per segment (NOBODY in a coverage gap).
        participants: per segment, the participants of the winning layer in rotation order,
            where a substitute comes from when the person on call is away.
        fallback: per segment, the participants of the lower layers active there (highest
            first): substitutes when nobody of the winning layer is available.
        engineers: every participant of any layer (for pools and round-robin).
        first_handoff_minutes: the first handoff of the lowest layer at or after time 0.
        pool: all engineers on duty at once (a c-server queue; no timeline lookups).
    """

    name: str
    starts: list[float]
    persons: list[int]
    participants: list[tuple[int, ...]]
    engineers: tuple[int, ...]
    first_handoff_minutes: float
    pool: bool = False
    fallback: list[tuple[int, ...]] | None = None
    on_call_together: list[tuple[int, ...]] | None = None
    """Cumulative schedules only (Opsgenie's semantics): per segment, the person of every
    active layer, highest first (an override: its person alone); all of them are paged."""

    def segment_at(self, time_minutes: float) -> int:
        return max(bisect.bisect_right(self.starts, time_minutes) - 1, 0)

    def person_at(self, time_minutes: float) -> int:
        """Person on call at ``time_minutes`` (NOBODY in a gap)."""
        return self.persons[max(bisect.bisect_right(self.starts, time_minutes) - 1, 0)]

    def gaps(self, begin_minutes: float, end_minutes: float) -> list[tuple[float, float]]:
        """Coverage gaps intersected with [begin, end), merged, in time order."""
        found: list[tuple[float, float]] = []
        bounds = [*self.starts[1:], np.inf]
        for start, end, person in zip(self.starts, bounds, self.persons, strict=True):
            start, end = max(start, begin_minutes), min(end, end_minutes)
            if person != NOBODY or end <= start:
                continue
            if found and found[-1][1] == start:
                found[-1] = (found[-1][0], end)
            else:
                found.append((start, end))
        return found


def local_instants(
    local_times: list[dt.datetime], time_zone: str, origin: pd.Timestamp
) -> np.ndarray:
    """Simulation minutes of naive local times in ``time_zone`` (DST-exact; a time that does
    not exist moves forward, an ambiguous one takes the standard-time reading)."""
    if not local_times:
        return np.empty(0)
    instants = pd.DatetimeIndex(local_times).tz_localize(
        time_zone, nonexistent="shift_forward", ambiguous=False
    )
    return (instants.tz_convert("UTC") - origin).total_seconds().to_numpy() / 60.0


def rotation_handoffs(
    layer: LayerSpec,
    start_date: dt.date,
    origin: pd.Timestamp,
    range_end_minutes: float,
) -> tuple[np.ndarray, int]:
    """Handoff instants covering a week before the horizon to past ``range_end_minutes``, and
    the index of the first handoff.

    The first handoff is at the handoff time on the handoff day of the horizon's first week
    (daily shifts: on the start date), in the layer's own time zone; for a zone ahead of the
    horizon's it can fall a few hours before time 0. The shift it starts is the first
    participant's; the shifts before it go backwards through the participants. Shifts step in
    local wall-clock time: a 12-hour rotation handing off at 09:00 and 21:00 keeps those local
    times across a daylight-saving change (that night's shift is 11 or 13 hours).
    """
    if layer.shift == "custom":
        assert layer.shift_hours is not None
        step = dt.timedelta(hours=layer.shift_hours)
    else:
        step = dt.timedelta(days=7 if layer.shift == "weekly" else 1)
    # Enough handoffs before the first to reach a week (plus a day of zone offset) before 0.
    range_begin = dt.datetime.combine(start_date, dt.time()) - dt.timedelta(days=8)
    range_weeks = int(np.ceil(range_end_minutes / MINUTES_PER_WEEK)) + 2
    if layer.rotation_start is not None:
        first_local = layer.rotation_start
        range_end = dt.datetime.combine(start_date, dt.time()) + dt.timedelta(weeks=range_weeks)
        before = int(np.ceil((first_local - range_begin) / step))
        after = int(np.ceil((range_end - first_local) / step)) + 2
    else:
        handoff_minute = minutes_of_day(layer.handoff_time)
        if layer.shift == "daily":
            first_day = start_date
        else:
            first_day = start_date + dt.timedelta(days=WEEKDAYS.index(layer.handoff_day))
        first_local = dt.datetime.combine(first_day, dt.time()) + dt.timedelta(
            minutes=handoff_minute
        )
        before = int(np.ceil((first_local - range_begin) / step))
        after = int(dt.timedelta(weeks=range_weeks) / step) + 2
    local = [first_local + step * k for k in range(-before, after)]
    return local_instants(local, layer.time_zone, origin), before


def restriction_intervals(
    windows: tuple[TimeWindow, ...],
    time_zone: str,
    start_date: dt.date,
    origin: pd.Timestamp,
    range_end_minutes: float,
) -> np.ndarray:
    """Union of the windows' occurrences as sorted, disjoint (start, end) rows (minutes)."""
    days = int(np.ceil(range_end_minutes / 1440.0)) + 2
    starts: list[dt.datetime] = []
    ends: list[dt.datetime] = []
    for offset in range(-8, days):
        day = start_date + dt.timedelta(days=offset)
        weekday = WEEKDAYS[day.weekday()]
        midnight = dt.datetime.combine(day, dt.time())
        for window in windows:
            if weekday not in window.days:
                continue
            begin, length = window.span_minutes()
            starts.append(midnight + dt.timedelta(minutes=begin))
            ends.append(midnight + dt.timedelta(minutes=begin + length))
    begin_minutes = local_instants(starts, time_zone, origin)
    end_minutes = local_instants(ends, time_zone, origin)
    order = np.argsort(begin_minutes, kind="stable")
    merged: list[list[float]] = []
    for begin, end in zip(begin_minutes[order], end_minutes[order], strict=True):
        if merged and begin <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([begin, end])
    return np.array(merged, dtype=np.float64).reshape(-1, 2)


def _active(intervals: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Which points lie inside one of the sorted disjoint [start, end) intervals."""
    if len(intervals) == 0:
        return np.zeros(len(points), dtype=bool)
    row = np.searchsorted(intervals[:, 0], points, side="right") - 1
    inside = row >= 0
    inside[inside] = points[inside] < intervals[row[inside], 1]
    return inside


def _layer_bounds(layer: LayerSpec, origin: pd.Timestamp) -> tuple[float, float]:
    """Simulation minutes at which the layer comes into force and stops (+-inf: open)."""
    begin, end = -np.inf, np.inf
    if layer.start is not None:
        begin = float(local_instants([layer.start], layer.time_zone, origin)[0])
    if layer.end is not None:
        end = float(local_instants([layer.end], layer.time_zone, origin)[0])
    return begin, end


def build_schedule(
    name: str,
    layers: list[LayerSpec],
    overrides: list[OverrideSpec],
    start_date: dt.date,
    horizon_time_zone: str,
    range_end_minutes: float,
    *,
    offset: int = 0,
    cumulative: bool = False,
) -> OnCallSchedule:
    """The timeline of a schedule over [-1 week, ``range_end_minutes``).

    With ``offset`` k each layer names the participant k places after its own on-call person
    (a secondary is offset 1); overrides apply at offset 0 only. ``cumulative``: every active
    layer is on call at once (``on_call_together``), not only the highest.
    """
    origin = horizon_start_utc(start_date, horizon_time_zone)
    rotations = [
        rotation_handoffs(layer, start_date, origin, range_end_minutes) for layer in layers
    ]
    windows = [
        restriction_intervals(
            layer.restrictions, layer.time_zone, start_date, origin, range_end_minutes
        )
        if layer.restrictions
        else None
        for layer in layers
    ]
    bounds = [_layer_bounds(layer, origin) for layer in layers]
    applied = overrides if offset == 0 else []
    points = _change_points(rotations, windows, bounds, applied, range_end_minutes)
    on_call = _on_call_at(points, layers, rotations, windows, bounds, applied, offset)
    starts, persons, participants, fallback, together = _segments(
        points, layers, on_call, cumulative=cumulative
    )
    first_handoffs = rotations[0][0]
    first_handoff = float(first_handoffs[np.searchsorted(first_handoffs, 0.0)])
    engineers = tuple(dict.fromkeys(p for layer in layers for p in layer.participants))
    return OnCallSchedule(
        name=name,
        starts=starts,
        persons=persons,
        participants=participants,
        engineers=engineers,
        first_handoff_minutes=first_handoff,
        fallback=fallback,
        on_call_together=together if cumulative else None,
    )


def _change_points(
    rotations: list[tuple[np.ndarray, int]],
    windows: list[np.ndarray | None],
    bounds: list[tuple[float, float]],
    overrides: list[OverrideSpec],
    range_end_minutes: float,
) -> np.ndarray:
    """Every instant in [-1 week, ``range_end_minutes``) at which who is on call may change:
    handoffs, layer starts and ends, restriction window edges, override edges (sorted)."""
    range_begin = -float(MINUTES_PER_WEEK)
    cuts = [np.array([range_begin]), *(instants for instants, _ in rotations)]
    cuts += [np.array(b) for b in bounds]
    cuts += [w.ravel() for w in windows if w is not None]
    cuts += [np.array([o.start_minutes, o.end_minutes]) for o in overrides]
    points = np.unique(np.concatenate(cuts))
    return points[(points >= range_begin) & (points < range_end_minutes)]


@dataclass(frozen=True)
class _OnCallAtPoints:
    """Who is on call from each change point on (one column per point)."""

    person: np.ndarray  # the one paged: the highest active layer's person, or the override's
    layer_person: np.ndarray  # (layers, points): each layer's person where active, else NOBODY
    layer_of: np.ndarray  # the highest active layer, -1 for none
    active_layers: np.ndarray  # (layers, points): the layer is active
    overridden: np.ndarray  # an override names the person


def _on_call_at(
    points: np.ndarray,
    layers: list[LayerSpec],
    rotations: list[tuple[np.ndarray, int]],
    windows: list[np.ndarray | None],
    bounds: list[tuple[float, float]],
    overrides: list[OverrideSpec],
    offset: int,
) -> _OnCallAtPoints:
    """Each layer's person at each point (higher layers win), then the overrides on top."""
    person = np.full(len(points), NOBODY, dtype=np.int64)
    layer_person = np.full((len(layers), len(points)), NOBODY, dtype=np.int64)
    layer_of = np.full(len(points), -1, dtype=np.int64)
    active_layers = np.zeros((len(layers), len(points)), dtype=bool)
    for index, layer in enumerate(layers):
        handoffs, first_shift = rotations[index]
        # Shift number 0 starts at the first handoff and is the first participant's.
        shift = np.searchsorted(handoffs, points, side="right") - 1 - first_shift
        position = (shift + offset) % len(layer.participants)
        names = np.asarray(layer.participants, dtype=np.int64)[position]
        active = np.ones(len(points), dtype=bool) if windows[index] is None else None
        if active is None:
            active = _active(windows[index], points)
        active &= (points >= bounds[index][0]) & (points < bounds[index][1])
        person = np.where(active, names, person)
        layer_person[index] = np.where(active, names, NOBODY)
        layer_of = np.where(active, index, layer_of)
        active_layers[index] = active
    overridden = np.zeros(len(points), dtype=bool)
    for override in overrides:
        inside = (points >= override.start_minutes) & (points < override.end_minutes)
        person[inside] = override.person
        overridden |= inside
    return _OnCallAtPoints(person, layer_person, layer_of, active_layers, overridden)


def _segments(
    points: np.ndarray, layers: list[LayerSpec], on_call: _OnCallAtPoints, *, cumulative: bool
) -> tuple[list[float], list[int], list[tuple[int, ...]], list[tuple[int, ...]], list]:
    """The timeline's segments: a point starts one only where something a page depends on
    changes (person, the layer's crew, the fallback below it, everyone on call together)."""
    starts: list[float] = []
    persons: list[int] = []
    participants: list[tuple[int, ...]] = []
    fallback: list[tuple[int, ...]] = []
    together: list[tuple[int, ...]] = []
    for column, (point, who, layer_index) in enumerate(
        zip(points.tolist(), on_call.person.tolist(), on_call.layer_of.tolist(), strict=True)
    ):
        crew = layers[layer_index].participants if layer_index >= 0 else ()
        below = tuple(
            dict.fromkeys(
                member
                for lower in range(layer_index - 1, -1, -1)
                if on_call.active_layers[lower, column]
                for member in layers[lower].participants
                if member not in crew
            )
        )
        everyone: tuple[int, ...] = ()
        if cumulative:
            everyone = (
                (who,)
                if on_call.overridden[column]
                else tuple(
                    dict.fromkeys(
                        p for p in on_call.layer_person[::-1, column].tolist() if p != NOBODY
                    )
                )
            )
        if (
            persons
            and persons[-1] == who
            and participants[-1] == crew
            and fallback[-1] == below
            and together[-1] == everyone
        ):
            continue
        starts.append(point)
        persons.append(who)
        participants.append(crew)
        fallback.append(below)
        together.append(everyone)
    return starts, persons, participants, fallback, together


def pool_schedule(name: str, engineers: tuple[int, ...]) -> OnCallSchedule:
    """A pool: every engineer on duty at once (served first come, first served)."""
    return OnCallSchedule(
        name=name,
        starts=[-float(MINUTES_PER_WEEK)],
        persons=[NOBODY],
        participants=[engineers],
        engineers=engineers,
        first_handoff_minutes=0.0,
        pool=True,
        fallback=[()],
    )
