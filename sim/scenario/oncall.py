"""Scenario models of on-call: sites and people, schedule layers and overrides, escalation
policies, paging rules, fatigue and rest.

Semantics follow common paging tools (PagerDuty, Opsgenie): a schedule is a stack of layers, each
a rotation over participants, optionally restricted to some hours; where layers overlap the
higher (later) one wins; an override puts one person on call over everything. An escalation
policy pages its levels in order, waiting ``delay_minutes`` (default 30) at each level for an
acknowledgement, and may repeat the whole chain.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, model_validator

from sim.scenario.distributions import DurationSpec, Lognormal
from sim.scenario.fields import (
    WEEKDAYS,
    Name,
    PersonName,
    Severity,
    TimeOfDay,
    TimeZoneName,
    Weekday,
    check_holiday_codes,
    minutes_of_day,
)
from sim.scenario.fields import FrozenModel as _Frozen

ALL_DAYS: tuple[Weekday, ...] = WEEKDAYS  # type: ignore[assignment]
WORKDAYS: tuple[Weekday, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri")


class Site(_Frozen):
    """A place people work from: its time zone and public holidays."""

    name: Name
    """Unique site name, referred to by teams and engineers."""
    time_zone: TimeZoneName
    """IANA time zone of the site; its people's bands (business, off, sleep) use it."""
    holidays_country: str | None = None
    """ISO 3166 country code of the site's public holidays (default: the calendar's)."""
    holidays_subdivision: str | None = None
    """Optional state or province code of the site's public holidays."""

    @model_validator(mode="after")
    def _check_holidays(self) -> Site:
        check_holiday_codes(self.holidays_country, self.holidays_subdivision)
        return self


class Engineer(_Frozen):
    """An engineer given with details; a bare name in `engineers` takes every default."""

    name: PersonName
    """Unique person name, as people write it (``chloé``, ``Farid Khan``)."""
    site: Name | None = None
    """Site the engineer works from (default: the team's site)."""
    leave_weeks_per_year: float | None = Field(None, ge=0, le=26)
    """Planned time off (default: `people.leave_weeks_per_year`)."""


class TimeWindow(_Frozen):
    """A recurring window of local time: on each of ``days``, from ``start`` to ``end``.

    An ``end`` at or before ``start`` runs into the next day (``22:00``-``06:00``); equal
    ``start`` and ``end`` is a whole day."""

    days: list[Weekday] = Field(default_factory=lambda: list(ALL_DAYS), min_length=1)
    """Days on which the window starts."""
    start: TimeOfDay = "00:00"
    """Local start time."""
    end: TimeOfDay = "00:00"
    """Local end time (at or before start: the next day)."""
    duration_minutes: float | None = Field(None, gt=0, le=10_080)
    """Length of each occurrence instead of ``end`` (leave ``end`` out), up to a week (e.g. a
    paging tool's weekly restriction from Monday 09:00 for 4.5 days)."""

    @model_validator(mode="after")
    def _end_or_duration(self) -> TimeWindow:
        if self.duration_minutes is not None and self.end != "00:00":
            raise ValueError("give end or duration_minutes, not both")
        return self

    def span_minutes(self) -> tuple[int, float]:
        """Start minute of the day and length in minutes of each occurrence."""
        begin = minutes_of_day(self.start)
        if self.duration_minutes is not None:
            return begin, self.duration_minutes
        end = minutes_of_day(self.end)
        return begin, float(end - begin if end > begin else end + 1440 - begin)


def _business_hours() -> TimeWindow:
    return TimeWindow(days=list(WORKDAYS), start="08:00", end="18:00")


class Layer(_Frozen):
    """One layer of a schedule: a rotation over participants, active in its restrictions."""

    name: Name
    """Layer name, for traces and errors."""
    shift: Literal["weekly", "daily", "custom"] = "weekly"
    """Length of a shift: a week, a day, or ``shift_hours``."""
    shift_hours: float | None = Field(None, gt=0, le=24 * 366)
    """Shift length in hours, with ``shift: custom`` (e.g. 12 for day and night shifts)."""
    handoff_day: Weekday = "Mon"
    """Day of the first handoff, in the horizon's first week (weekly and custom shifts); the
    shift it starts is the first participant's."""
    handoff_time: TimeOfDay = "09:00"
    """Local time of the handoffs."""
    time_zone: TimeZoneName | None = None
    """Time zone of the handoffs and restrictions (default: the team's)."""
    participants: list[PersonName] | None = None
    """Engineers of the team in rotation order (default: all of them, in team order)."""
    restrictions: list[TimeWindow] = Field(default_factory=list)
    """Local windows in which the layer is on call (none: always)."""
    rotation_start: dt.datetime | None = None
    """A local time at which a shift of the first participant starts, any distance from the
    horizon (a paging tool's rotation virtual start); replaces ``handoff_day`` and
    ``handoff_time``. Shifts step from it in local wall-clock time."""
    start: dt.datetime | None = None
    """Local time the layer comes into force (none: always was)."""
    end: dt.datetime | None = None
    """Local time the layer stops (none: never)."""

    @model_validator(mode="after")
    def _custom_needs_hours(self) -> Layer:
        if (self.shift == "custom") != (self.shift_hours is not None):
            raise ValueError("shift: custom needs shift_hours, and shift_hours needs shift: custom")
        for moment in (self.rotation_start, self.start, self.end):
            if moment is not None and moment.tzinfo is not None:
                raise ValueError("layer times are local times, without a UTC offset")
        if self.start is not None and self.end is not None and self.end <= self.start:
            raise ValueError("a layer must end after it starts")
        if self.participants is not None:
            if not self.participants:
                raise ValueError("participants must name at least one engineer")
            if len(set(self.participants)) != len(self.participants):
                raise ValueError("participants must be unique within a layer")
        return self


class Override(_Frozen):
    """One person covers the schedule from ``start`` to ``end`` (local time of the team)."""

    person: PersonName
    """Engineer on call during the override (instead of whoever the layers name)."""
    start: dt.datetime
    """Local start, e.g. '2026-03-14 09:00'."""
    end: dt.datetime
    """Local end (after start)."""

    @model_validator(mode="after")
    def _ordered(self) -> Override:
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("override times are local times of the team, without a UTC offset")
        if self.end <= self.start:
            raise ValueError("an override must end after it starts")
        return self


class Target(_Frozen):
    """Who a level of an escalation policy pages: exactly one of the five kinds."""

    schedule: Name | None = None
    """The on-call engineer of this team's schedule at that moment."""
    offset: int = Field(0, ge=0, le=20)
    """With ``schedule``: page the participant this many places after the one on call (1 is
    the usual secondary)."""
    person: PersonName | None = None
    """A named person (an engineer or a manager)."""
    round_robin: Name | None = None
    """The engineers of this team in turn, one per time the level is reached."""
    everyone: Name | None = None
    """Every engineer of this team at once."""
    round_robin_people: list[Name] | None = Field(None, min_length=1)
    """These people in turn, one per time the level is reached (a paging tool's round-robin
    rule over its user targets)."""
    accountable: bool = False
    """The manager of the team Accountable for the incident's service (RACI)."""

    @model_validator(mode="after")
    def _exactly_one(self) -> Target:
        given = [
            key
            for key in ("schedule", "person", "round_robin", "everyone", "round_robin_people")
            if getattr(self, key) is not None
        ]
        if self.accountable:
            given.append("accountable")
        if len(given) != 1:
            raise ValueError(
                "a target names exactly one of schedule, person, round_robin, everyone or "
                "accountable: true (or round_robin_people)"
            )
        if self.offset and self.schedule is None:
            raise ValueError("offset applies to a schedule target only")
        return self


class PolicyLevel(_Frozen):
    """One level of an escalation policy."""

    targets: list[Target] = Field(min_length=1)
    """Who is paged at this level (all of them at once)."""
    delay_minutes: float = Field(30.0, gt=0, le=1440)
    """Minutes without acknowledgement before the next level is paged."""


class EscalationPolicy(_Frozen):
    """Ordered levels paged until someone acknowledges. Earlier levels may still acknowledge
    after the next is paged; whoever acknowledges first takes the incident."""

    name: Name
    """Unique policy name, referred to by teams (``escalation_policy``)."""
    levels: list[PolicyLevel] = Field(min_length=1, max_length=20)
    """Levels in order."""
    repeat: int = Field(0, ge=0, le=9)
    """Times the whole chain starts over when the last level does not acknowledge."""
    ack_expiry_minutes: float | None = Field(None, gt=0, le=10_080)
    """An acknowledgement expires after this long if the incident is not resolved: the first
    level is paged again (a re-trigger). None: acknowledgements never expire."""


class MaintenanceWindow(_Frozen):
    """A window in which no alert pages: a one-off (``start``/``end``) or weekly (``every``)."""

    start: dt.datetime | None = None
    """Local start of a one-off window (horizon time zone)."""
    end: dt.datetime | None = None
    """Local end of a one-off window."""
    every: Weekday | None = None
    """Day of a weekly window."""
    time: TimeOfDay = "00:00"
    """Local start time of a weekly window."""
    duration_minutes: float | None = Field(None, gt=0, le=10_080)
    """Length of a weekly window."""
    services: list[Name] | None = None
    """Services whose alerts the window silences (none: all)."""

    @model_validator(mode="after")
    def _one_kind(self) -> MaintenanceWindow:
        one_off = self.start is not None or self.end is not None
        weekly = self.every is not None or self.duration_minutes is not None
        if one_off == weekly:
            raise ValueError(
                "give either start and end (one-off) or every and duration_minutes (weekly)"
            )
        if one_off and (self.start is None or self.end is None or self.end <= self.start):
            raise ValueError("a one-off window needs start and a later end")
        if weekly and (self.every is None or self.duration_minutes is None):
            raise ValueError("a weekly window needs every and duration_minutes")
        return self


def _all_high() -> dict[str, str]:
    return {"P1": "high", "P2": "high", "P3": "high", "P4": "high"}


class Paging(_Frozen):
    """Which alerts page, and when."""

    urgency: dict[Severity, Literal["high", "low"]] = Field(default_factory=_all_high)
    """Urgency per severity; high always pages (default: every severity high)."""
    support_hours: TimeWindow = Field(default_factory=_business_hours)
    """Support hours (default Mon-Fri 08:00-18:00), in the local time of the person the first
    level of the service's escalation policy names at that moment (the owning team's site
    where it names nobody)."""
    support_on_public_holidays: bool = False
    """Whether a public holiday of that person's site can be support hours (default: no, a
    holiday is never support hours, as it is never business hours)."""
    low_urgency_outside_support: Literal["page", "defer", "notify"] = "page"
    """A low-urgency alert outside support hours: pages as usual; is deferred (no page until
    the next support window starts); or notifies the first level only, without escalating."""
    maintenance_windows: list[MaintenanceWindow] = Field(default_factory=list)
    """Windows in which alerts are silenced (counted, never paged)."""
    mode: Literal["cause", "slo"] = "cause"
    """``cause``: every alert pages (after the rules above). ``slo``: an alert of a service with
    an ``slo`` pages only when a burn-rate rule of ``slo.burn_rules`` pages; a ticket rule
    sends it to the owning team's next business hours instead (no page)."""


class ServicePaging(_Frozen):
    """A service's own urgency rules; each field left out takes the scenario's ``paging``."""

    urgency: dict[Severity, Literal["high", "low"]] | None = None
    """Urgency per severity of this service's alerts (a severity left out is high)."""
    support_hours: TimeWindow | None = None
    """Support hours of this service, judged like ``paging.support_hours``: in the local
    time and public holidays of the person who would take the page."""
    low_urgency_outside_support: Literal["page", "defer", "notify"] | None = None
    """What a low-urgency alert of this service does outside its support hours."""


class Fatigue(_Frozen):
    """Sleep debt from sleep-hour pages, and what it does to the person.

    Each sleep-hour page adds ``sleep_debt_hours_per_page``; debt halves every
    ``recovery_half_life_hours``. With debt D hours, acknowledgement and work take
    (1 + ``slowdown_per_debt_hour`` x D) times as long, and each incident the person resolves
    causes a new one (a mistake) with probability ``mistake_probability_per_debt_hour`` x D."""

    enabled: bool = False
    """Model fatigue (off: people are never tired)."""
    sleep_debt_hours_per_page: float = Field(1.0, ge=0, le=12)
    """Sleep lost to one sleep-hour page (waking, handling, falling asleep again)."""
    recovery_half_life_hours: float = Field(24.0, gt=0, le=24 * 14)
    """Time for sleep debt to halve."""
    slowdown_per_debt_hour: float = Field(0.1, ge=0, le=10)
    """Relative slowdown of acknowledgement and work per hour of sleep debt."""
    mistake_probability_per_debt_hour: float = Field(0.01, ge=0, le=1)
    """Probability, per hour of debt, that resolving an incident causes a new incident."""
    mistake_delay_minutes: DurationSpec = Lognormal(median=120.0, sigma=1.0)
    """Time from the mistaken fix to the new incident."""


class CompensatoryRest(_Frozen):
    """After a sleep-hour page the person is off the next morning; the schedule covers."""

    enabled: bool = False
    """Give compensatory rest."""
    rest_until: TimeOfDay = "12:00"
    """Local time the rest ends, on the morning after the night page (rest starts at 08:00)."""

    @model_validator(mode="after")
    def _after_eight(self) -> CompensatoryRest:
        hours, minutes = self.rest_until.split(":")
        if int(hours) * 60 + int(minutes) <= 8 * 60:
            raise ValueError("rest_until must be after 08:00, when sleep hours end")
        return self


class People(_Frozen):
    """Defaults and rules for every engineer."""

    leave_weeks_per_year: float = Field(0.0, ge=0, le=26)
    """Planned time off per engineer, in whole weeks drawn per run (exogenous randomness)."""
    fatigue: Fatigue = Fatigue()
    compensatory_rest: CompensatoryRest = CompensatoryRest()
