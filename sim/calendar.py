"""Simulation time to local calendar facts, through precomputed tables.

Simulation time is minutes elapsed since the horizon's start date at 00:00 in the horizon's time
zone. The real clock is split into 15-minute slots (every UTC offset in use is a multiple of 15
minutes, so a slot never straddles a local hour boundary); for each time zone in the scenario a
:class:`ZoneTable` holds, per slot, the local hour of week, the interruption band and the weekend
window. Looking up an event is then an integer division and an array index, with no per-event
datetime work. Daylight-saving changes are exact, because every slot's local time comes from the
time zone database.

Definitions (docs/design.md): business hours Mon-Fri 08:00-18:00; sleep hours 22:00-08:00 every day;
off hours the rest. A public holiday is never business hours. The weekend window runs from
``calendar.weekend_start`` to ``calendar.weekend_end`` (default Sat 00:00 to Mon 00:00) and also
covers every public holiday.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

import numpy as np
import pandas as pd

SLOT_MINUTES = 15
MINUTES_PER_WEEK = 7 * 24 * 60

BAND_BUSINESS = 0
BAND_OFF = 1
BAND_SLEEP = 2
BAND_NAMES = ("business", "off", "sleep")

#: Extra weeks tabulated after the horizon: incidents that start near its end are still worked.
DRAIN_WEEKS = 2
#: How long after the horizon an escalation that names nobody keeps retrying before the run
#: fails (the drain weeks: after them the calendar has no slots left).
GIVE_UP_AFTER_HORIZON_MINUTES = DRAIN_WEEKS * MINUTES_PER_WEEK


@dataclass(frozen=True)
class ZoneTable:
    """Per-slot calendar facts in one time zone.

    Attributes:
        time_zone: IANA name.
        hour_of_week: local hour of week per slot, 0 = Monday 00:00-01:00.
        band: BAND_BUSINESS, BAND_OFF or BAND_SLEEP per slot.
        weekend: True where the slot is in the weekend window or on a public holiday.
        weekend_index: which weekend (0 = the first weekend window of the horizon) a slot of the
            weekend window belongs to, -1 elsewhere. A public holiday on a weekday belongs to a
            weekend too: on a Monday, to the weekend just before it; Tuesday to Friday, to the
            weekend after it (so quiet weekends and weekend escalations agree).
        holiday: True where the local date is a public holiday.
    """

    time_zone: str
    hour_of_week: np.ndarray
    band: np.ndarray
    weekend: np.ndarray
    weekend_index: np.ndarray
    holiday: np.ndarray


def horizon_start_utc(start_date: dt.date, time_zone: str) -> pd.Timestamp:
    """The UTC instant of simulation time 0."""
    return pd.Timestamp(dt.datetime.combine(start_date, dt.time()), tz=time_zone).tz_convert("UTC")


def slot_count(weeks: int) -> int:
    """Slots tabulated for a horizon of ``weeks`` weeks, drain period included."""
    return (weeks + DRAIN_WEEKS) * MINUTES_PER_WEEK // SLOT_MINUTES


def build_zone_table(
    start_date: dt.date,
    horizon_time_zone: str,
    weeks: int,
    time_zone: str,
    *,
    weekend_start_minute_of_week: int = 5 * 1440,
    weekend_end_minute_of_week: int = 0,
    holiday_dates: frozenset[dt.date] = frozenset(),
) -> ZoneTable:
    """Tabulate the calendar of ``time_zone`` over the horizon (plus the drain period)."""
    zoneinfo.ZoneInfo(time_zone)  # fail early on a bad name
    start = horizon_start_utc(start_date, horizon_time_zone)
    slots_utc = pd.date_range(start, periods=slot_count(weeks), freq=f"{SLOT_MINUTES}min")
    local = slots_utc.tz_convert(time_zone)
    weekday = np.asarray(local.day_of_week, dtype=np.int64)
    hour = np.asarray(local.hour, dtype=np.int64)
    minute_of_week = weekday * 1440 + hour * 60 + np.asarray(local.minute, dtype=np.int64)

    local_dates = local.tz_localize(None).normalize()
    if holiday_dates:
        holiday_days = pd.DatetimeIndex(sorted(pd.Timestamp(day) for day in holiday_dates))
        holiday = np.asarray(local_dates.isin(holiday_days))
    else:
        holiday = np.zeros(len(local), dtype=bool)

    sleep = (hour >= 22) | (hour < 8)
    business = (weekday < 5) & (hour >= 8) & (hour < 18) & ~holiday
    band = np.full(len(local), BAND_OFF, dtype=np.int8)
    band[business] = BAND_BUSINESS
    band[sleep] = BAND_SLEEP

    in_regular_weekend = _in_week_window(
        minute_of_week, weekend_start_minute_of_week, weekend_end_minute_of_week
    )
    weekend_index = _weekend_index(
        local,
        minute_of_week,
        in_regular_weekend,
        holiday & ~in_regular_weekend,
        start_date,
        weekend_start_minute_of_week,
    )
    return ZoneTable(
        time_zone=time_zone,
        hour_of_week=(weekday * 24 + hour).astype(np.int16),
        band=band,
        weekend=in_regular_weekend | holiday,
        weekend_index=weekend_index,
        holiday=holiday,
    )


def _in_week_window(minute_of_week: np.ndarray, start: int, end: int) -> np.ndarray:
    """True where the minute of week lies in [start, end), wrapping over Monday 00:00."""
    if start < end:
        return (minute_of_week >= start) & (minute_of_week < end)
    return (minute_of_week >= start) | (minute_of_week < end)


def _weekend_index(
    local: pd.DatetimeIndex,
    minute_of_week: np.ndarray,
    in_weekend: np.ndarray,
    weekday_holiday: np.ndarray,
    start_date: dt.date,
    weekend_start_minute_of_week: int,
) -> np.ndarray:
    """Number each regular weekend window by the local week in which it starts (0 = first);
    a weekday holiday takes the number of the weekend before it (Monday) or after it."""
    local_naive = local.tz_localize(None)
    weeks_since_start = np.asarray(
        (local_naive - pd.Timestamp(start_date)).days // 7, dtype=np.int64
    )
    # A window that wraps past Monday 00:00 started in the previous local week.
    started_last_week = in_weekend & (minute_of_week < weekend_start_minute_of_week)
    index = weeks_since_start - started_last_week.astype(np.int64)
    # A Monday holiday extends last week's weekend (none before the first: then the first).
    monday = minute_of_week < 1440
    holiday_index = np.maximum(weeks_since_start - monday.astype(np.int64), 0)
    index = np.where(weekday_holiday, holiday_index, index)
    return np.where(in_weekend | weekday_holiday, index, -1).astype(np.int32)


def public_holidays(
    country: str | None, subdivision: str | None, start_date: dt.date, weeks: int
) -> frozenset[dt.date]:
    """Public holidays of ``country`` between the start date and the end of the drain period."""
    if country is None:
        return frozenset()
    import holidays

    end = start_date + dt.timedelta(weeks=weeks + DRAIN_WEEKS)
    years = range(start_date.year, end.year + 1)
    calendar = holidays.country_holidays(country, subdiv=subdivision, years=years)
    return frozenset(day for day in calendar if start_date <= day < end)


def slot_of(time_minutes: np.ndarray | float, slots: int) -> np.ndarray:
    """Slot index of simulation times, clipped to the tabulated range."""
    index = np.floor_divide(np.asarray(time_minutes, dtype=np.float64), SLOT_MINUTES)
    return np.clip(index, 0, slots - 1).astype(np.int64)


def first_weekend_day(start_date: dt.date, weekend_start_minute_of_week: int) -> dt.date:
    """Local date on which the horizon's first weekend window starts (``start_date`` is a
    Monday)."""
    return start_date + dt.timedelta(days=weekend_start_minute_of_week // 1440)
