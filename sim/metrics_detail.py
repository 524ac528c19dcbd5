"""What the figures of a report need from one run, beside its KPIs: who was paged and when.

Per (run, variant), from the run's records, small arrays whose size never grows with the number
of alerts: pages per hour of the week (168 bins, the paged person's local time) by band, per
person results (pages by band, weekend pages, on-call hours, disrupted hours, nights paged in a
row), and per week series. :mod:`sim.experiment` turns them into the tidy Parquet files of the
results folder (``pages_by_hour.parquet``, ``people.parquet``, ``weekly.parquet``).

On-call health, as the paging tools' own analytics report it:
- on-call hours per person at the first level and at later levels: time a schedule target of
  their team's policy names them (the scheduled time; leave and rest move some of it to
  substitutes at run time, as in ``oncall_share``);
- disrupted hours: distinct local clock hours in which the person got at least one page;
- longest run of consecutive nights paged: a night is the person's local 22:00-08:00, numbered
  by the 08:00 that ends it; nights with at least one sleep-hour page, longest run in a row;
- interruptions per on-call hour: pages to the person over their on-call hours (all levels).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

import numpy as np

from sim.calendar import BAND_NAMES, BAND_SLEEP, MINUTES_PER_WEEK, slot_of
from sim.compile import CompiledScenario
from sim.model.records import RunRecords

HOURS_PER_WEEK = 168
MONTH_MINUTES = 30 * 1440.0

#: Per-person columns of ``people.parquet`` and their meaning (one row per run, variant, person).
PERSON_COLUMNS: dict[str, str] = {
    "pages": "pages received",
    "pages_business": "pages in the person's business hours (Mon-Fri 08-18)",
    "pages_off": "pages outside business and sleep hours",
    "pages_sleep": "pages in the person's sleep hours (22-08)",
    "weekend_pages": "pages in the weekend window or on a public holiday",
    "quiet_weekends": "weekends of the horizon without a page",
    "months_over_19_pages": "30-day months with more than 19 pages (burnout level)",
    "oncall_share": "share of the horizon a schedule of the team's policy names the person",
    "oncall_hours_first_level": "hours named by a first-level schedule of the team's policy",
    "oncall_hours_later_levels": "hours named only by later-level schedules (e.g. secondary)",
    "disrupted_hours": "distinct local clock hours with at least one page",
    "paged_nights_run_max": "longest run of consecutive nights with a sleep-hour page",
    "interruptions_per_oncall_hour": "pages per on-call hour, all levels (NaN when never on call)",
}

#: Person columns that are not counts.
PERSON_FLOAT_COLUMNS = frozenset(
    {
        "oncall_share",
        "oncall_hours_first_level",
        "oncall_hours_later_levels",
        "interruptions_per_oncall_hour",
    }
)

#: Per-week columns of ``weekly.parquet`` (week 0 starts at the horizon's first Monday 00:00).
WEEKLY_COLUMNS: dict[str, str] = {
    "pages": "pages sent in the week",
    "pages_sleep": "pages in the recipient's sleep hours",
    "escalations": "incidents whose first page fell in the week",
    "weekend_escalations": "escalations whose first page fell in the weekend window",
}


@dataclass(frozen=True)
class RunDetail:
    """Detail of one run of one variant (see the module docstring).

    Attributes:
        pages_by_hour_band: (3, 168) pages per band (business, off, sleep) and local hour of
            week of the person paged (0 = Monday 00:00-01:00).
        person: per person (every person of the organisation, managers included), one array
            per entry of :data:`PERSON_COLUMNS`.
        weekly: per week of the horizon, one array per entry of :data:`WEEKLY_COLUMNS`.
    """

    pages_by_hour_band: np.ndarray
    person: dict[str, np.ndarray]
    weekly: dict[str, np.ndarray]


def oncall_hours(compiled: CompiledScenario) -> tuple[np.ndarray, np.ndarray]:
    """Per person, (first-level hours, later-level hours) that their team's policy schedules
    name them over the horizon. A schedule reached at the first level counts there only; a
    pool engineer is on call at the first level all the time."""
    people = len(compiled.person_names)
    first = np.zeros(people)
    later = np.zeros(people)
    horizon = compiled.horizon_minutes
    for team_index, team_schedule in enumerate(compiled.team_schedules):
        if team_schedule.pool:
            first[list(team_schedule.engineers)] = horizon / 60.0
            continue
        seen: set[int] = set()
        for level_index, level in enumerate(compiled.policies[team_index].levels):
            for target in level.targets:
                schedule = target.schedule
                if schedule is None or id(schedule) in seen:
                    continue
                seen.add(id(schedule))
                starts = np.clip(np.asarray(schedule.starts), 0.0, horizon)
                ends = np.append(starts[1:], horizon)
                persons = np.asarray(schedule.persons)
                named = persons >= 0
                hours = (ends - starts)[named] / 60.0
                np.add.at(first if level_index == 0 else later, persons[named], hours)
    return first, later


def _longest_consecutive(person: np.ndarray, night: np.ndarray, people: int) -> np.ndarray:
    """Per person, the longest run of consecutive night numbers among their (person, night)."""
    longest = np.zeros(people, dtype=np.int64)
    if len(person) == 0:
        return longest
    stride = int(night.max()) + 2  # a gap between people: runs never join across them
    keys = np.unique(person.astype(np.int64) * stride + night)
    new_run = np.ones(len(keys), dtype=bool)
    new_run[1:] = keys[1:] != keys[:-1] + 1
    lengths = np.bincount(np.cumsum(new_run) - 1)
    np.maximum.at(longest, keys[new_run] // stride, lengths)
    return longest


@dataclass(frozen=True)
class _VariantTables:
    """Per-variant lookups, computed once per compiled variant (not per run)."""

    hour_of_week: np.ndarray
    hour_number: np.ndarray
    mornings: list[np.ndarray]
    oncall_first_hours: np.ndarray
    oncall_later_hours: np.ndarray


# id(compiled) -> (weak reference to it, its tables); a worker holds a handful of variants.
_TABLES: dict[int, tuple[weakref.ref, _VariantTables]] = {}


def _variant_tables(compiled: CompiledScenario) -> _VariantTables:
    cached = _TABLES.get(id(compiled))
    if cached is not None and cached[0]() is compiled:
        return cached[1]
    hour = np.stack([zone.hour_of_week for zone in compiled.zones]).astype(np.int64)
    changes = np.zeros_like(hour)
    changes[:, 1:] = hour[:, 1:] != hour[:, :-1]
    first, later = oncall_hours(compiled)
    tables = _VariantTables(
        hour_of_week=hour,
        hour_number=np.cumsum(changes, axis=1),
        mornings=[np.asarray(mornings) for mornings in compiled.local_mornings],
        oncall_first_hours=first,
        oncall_later_hours=later,
    )
    for key in [key for key, (ref, _) in _TABLES.items() if ref() is None]:
        del _TABLES[key]
    _TABLES[id(compiled)] = (weakref.ref(compiled), tables)
    return tables


# The last run's per-person detail: the KPIs and the detail of one run both need it.
_LAST_PERSON: list = [None, None, None]


def _person_detail(
    compiled: CompiledScenario,
    records: RunRecords,
    page_zone: np.ndarray,
    page_slot: np.ndarray,
    page_band: np.ndarray,
) -> dict[str, np.ndarray]:
    last_records, last_compiled, last = _LAST_PERSON
    if last_records is not None and last_records() is records and last_compiled() is compiled:
        return last
    person = _compute_person_detail(compiled, records, page_zone, page_slot, page_band)
    _LAST_PERSON[:] = [weakref.ref(records), weakref.ref(compiled), person]
    return person


def _compute_person_detail(
    compiled: CompiledScenario,
    records: RunRecords,
    page_zone: np.ndarray,
    page_slot: np.ndarray,
    page_band: np.ndarray,
) -> dict[str, np.ndarray]:
    people = len(compiled.person_names)
    person = records.page_person
    in_horizon = records.page_minutes < compiled.horizon_minutes
    by_band = {
        name: np.bincount(person[page_band == band], minlength=people)
        for band, name in enumerate(BAND_NAMES)
    }
    weekend = compiled.weekend_table[page_zone, page_slot]
    weekend_index = compiled.weekend_index_table[page_zone, page_slot]
    counted = (weekend_index >= 0) & (weekend_index < compiled.weeks)
    interrupted = np.unique(person[counted] * compiled.weeks + weekend_index[counted])
    month = (records.page_minutes // MONTH_MINUTES).astype(np.int64)
    months = int(compiled.horizon_minutes // MONTH_MINUTES)
    keep = month < months
    per_month = np.bincount(person[keep] * max(months, 1) + month[keep], minlength=people * months)
    tables = _variant_tables(compiled)
    hour_number = tables.hour_number[page_zone, page_slot]
    hour_stride = int(tables.hour_number.max()) + 1
    disrupted = np.unique(person * hour_stride + hour_number)
    sleep = (page_band == BAND_SLEEP) & in_horizon
    mornings = tables.mornings
    night = np.zeros(int(sleep.sum()), dtype=np.int64)
    sleep_zone, sleep_minutes = page_zone[sleep], records.page_minutes[sleep]
    for zone in np.unique(sleep_zone):
        here = sleep_zone == zone
        night[here] = np.searchsorted(mornings[zone], sleep_minutes[here], side="right")
    first_hours, later_hours = tables.oncall_first_hours, tables.oncall_later_hours
    oncall_total = first_hours + later_hours
    pages = np.bincount(person, minlength=people)
    share = np.zeros(people)
    share[compiled.person_is_engineer] = compiled.oncall_share
    with np.errstate(divide="ignore", invalid="ignore"):
        per_hour = np.where(oncall_total > 0, pages / oncall_total, np.nan)
    return {
        "pages": pages,
        "pages_business": by_band["business"],
        "pages_off": by_band["off"],
        "pages_sleep": by_band["sleep"],
        "weekend_pages": np.bincount(person[weekend], minlength=people),
        "quiet_weekends": compiled.weeks
        - np.bincount(interrupted // compiled.weeks, minlength=people),
        "months_over_19_pages": (per_month.reshape(people, months) > 19).sum(axis=1)
        if months
        else np.zeros(people, dtype=np.int64),
        "oncall_share": share,
        "oncall_hours_first_level": first_hours,
        "oncall_hours_later_levels": later_hours,
        "disrupted_hours": np.bincount(disrupted // hour_stride, minlength=people),
        "paged_nights_run_max": _longest_consecutive(person[sleep], night, people),
        "interruptions_per_oncall_hour": per_hour,
    }


def _weekly_detail(
    compiled: CompiledScenario, records: RunRecords, page_band: np.ndarray
) -> dict[str, np.ndarray]:
    weeks = compiled.weeks
    page_week = (records.page_minutes // MINUTES_PER_WEEK).astype(np.int64)
    in_horizon = page_week < weeks
    escalated = records.first_page_person >= 0
    first_minutes = records.first_page_minutes[escalated]
    first_week = (first_minutes // MINUTES_PER_WEEK).astype(np.int64)
    first_slot = slot_of(first_minutes, compiled.slots)
    first_zone = compiled.person_zone[records.first_page_person[escalated]]
    first_weekend = compiled.weekend_table[first_zone, first_slot]
    first_in = first_week < weeks
    return {
        "pages": np.bincount(page_week[in_horizon], minlength=weeks),
        "pages_sleep": np.bincount(
            page_week[in_horizon & (page_band == BAND_SLEEP)], minlength=weeks
        ),
        "escalations": np.bincount(first_week[first_in], minlength=weeks),
        "weekend_escalations": np.bincount(first_week[first_in & first_weekend], minlength=weeks),
    }


def compute_detail(compiled: CompiledScenario, records: RunRecords) -> RunDetail:
    """The detail of one run of one variant from its records (see :class:`RunDetail`)."""
    page_zone = compiled.person_zone[records.page_person]
    page_slot = slot_of(records.page_minutes, compiled.slots)
    page_band = compiled.band_table[page_zone, page_slot]
    page_hour = _variant_tables(compiled).hour_of_week[page_zone, page_slot]
    by_hour = np.bincount(
        page_band.astype(np.int64) * HOURS_PER_WEEK + page_hour,
        minlength=len(BAND_NAMES) * HOURS_PER_WEEK,
    ).reshape(len(BAND_NAMES), HOURS_PER_WEEK)
    return RunDetail(
        pages_by_hour_band=by_hour,
        person=_person_detail(compiled, records, page_zone, page_slot, page_band),
        weekly=_weekly_detail(compiled, records, page_band),
    )


def oncall_health_kpis(compiled: CompiledScenario, records: RunRecords) -> dict[str, float]:
    """The organisation's on-call health KPIs of one run (engineers only; see the module
    docstring for each definition)."""
    page_zone = compiled.person_zone[records.page_person]
    page_slot = slot_of(records.page_minutes, compiled.slots)
    page_band = compiled.band_table[page_zone, page_slot]
    person = _person_detail(compiled, records, page_zone, page_slot, page_band)
    engineer = compiled.person_is_engineer
    oncall_total = person["oncall_hours_first_level"] + person["oncall_hours_later_levels"]
    hours = float(oncall_total[engineer].sum())
    return {
        "oncall_hours_first_level_per_engineer": float(
            person["oncall_hours_first_level"][engineer].mean()
        ),
        "oncall_hours_later_levels_per_engineer": float(
            person["oncall_hours_later_levels"][engineer].mean()
        ),
        "disrupted_hours": float(person["disrupted_hours"][engineer].sum()),
        "paged_nights_run_max": float(person["paged_nights_run_max"][engineer].max()),
        "interruptions_per_oncall_hour": (
            float(person["pages"][engineer].sum()) / hours if hours else float("nan")
        ),
    }
