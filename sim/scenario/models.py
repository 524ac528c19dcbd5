"""Pydantic models of a scenario file. Every default of the tool lives here and nowhere else.

The models are frozen and reject unknown keys; attribute docstrings and field descriptions are the
documentation of the file format (``oncall-sim schema`` exports them as JSON Schema).
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from sim.distributions import DurationSpec, Exponential, Fixed, Lognormal
from sim.profiles import PRESETS
from sim.scenario.topology import (
    Cascades,
    Correlation,
    DependencyEntry,
    Routing,
    SharedRotation,
    dependency_cycle,
)

SEVERITIES = ("P1", "P2", "P3", "P4")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
LAYERS = ("network", "compute", "storage", "middleware", "app")
ESCALATION_LEVELS = ("primary", "secondary", "manager")

Probability = Annotated[float, Field(ge=0, le=1)]
Name = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_\-]*$", max_length=64)]
Weekday = Literal["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
Severity = Literal["P1", "P2", "P3", "P4"]


def _check_time_zone(name: str) -> str:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {name!r}; use an IANA name like 'Europe/Berlin'"
        ) from None
    return name


def _check_time_of_day(text: str) -> str:
    match = re.fullmatch(r"([01]\d|2[0-3]):([0-5]\d)", text)
    if not match:
        raise ValueError(f"expected a time of day as 'HH:MM' (24-hour clock), got {text!r}")
    return text


TimeZoneName = Annotated[str, AfterValidator(_check_time_zone)]
TimeOfDay = Annotated[str, AfterValidator(_check_time_of_day)]


def minutes_of_day(time_of_day: str) -> int:
    """'HH:MM' as minutes after midnight."""
    hours, minutes = time_of_day.split(":")
    return int(hours) * 60 + int(minutes)


class WeekTime(BaseModel):
    """A moment of the week in local time, e.g. ``{day: Sat, time: '00:00'}``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    day: Weekday
    time: TimeOfDay = "00:00"

    @property
    def minute_of_week(self) -> int:
        return WEEKDAYS.index(self.day) * 1440 + minutes_of_day(self.time)


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class Horizon(_Frozen):
    """How long to simulate, from when, and how many paired runs by default."""

    weeks: int = Field(52, ge=1, le=520)
    """Length of each run in weeks."""
    start_date: dt.date = dt.date(2026, 1, 5)
    """First day simulated; must be a Monday (runs start at 00:00 local time)."""
    time_zone: TimeZoneName = "UTC"
    """IANA time zone of the organisation; hour-of-week profiles and rotations use it."""
    seed: int = Field(20261126, ge=0)
    """Root seed of the experiment: run i uses streams keyed by (seed, i, stream name)."""
    runs: int = Field(1000, ge=1, le=1_000_000)
    """Default number of paired runs (the command line's --runs overrides it)."""

    @field_validator("start_date")
    @classmethod
    def _start_on_monday(cls, value: dt.date) -> dt.date:
        if value.weekday() != 0:
            raise ValueError(
                f"start_date must be a Monday; {value.isoformat()} is a {value.strftime('%A')}"
            )
        return value


class Calendar(_Frozen):
    """The weekend window and public holidays (business and sleep hours are fixed by the KPI
    definitions: business Mon-Fri 08:00-18:00, sleep 22:00-08:00 every day)."""

    weekend_start: WeekTime = WeekTime(day="Sat", time="00:00")
    """Start of the weekend window in each responder's local time."""
    weekend_end: WeekTime = WeekTime(day="Mon", time="00:00")
    """End of the weekend window (in the following week when it comes before the start)."""
    holidays_country: str | None = None
    """ISO 3166 country code whose public holidays count as weekend (the `holidays` package)."""
    holidays_subdivision: str | None = None
    """Optional state or province code for the holidays, e.g. 'BY' for Bavaria."""

    @model_validator(mode="after")
    def _check_holidays(self) -> Calendar:
        if self.holidays_country is None:
            if self.holidays_subdivision is not None:
                raise ValueError("holidays_subdivision needs holidays_country")
            return self
        import holidays

        supported = holidays.list_supported_countries()
        if self.holidays_country not in supported:
            raise ValueError(f"holidays_country {self.holidays_country!r} is not a supported code")
        subdivisions = supported[self.holidays_country]
        if self.holidays_subdivision is not None and self.holidays_subdivision not in subdivisions:
            raise ValueError(
                f"holidays_subdivision {self.holidays_subdivision!r} is not one of "
                f"{', '.join(subdivisions[:20])}"
            )
        return self


def _default_severity_mix() -> dict[str, float]:
    return {"P1": 0.05, "P2": 0.15, "P3": 0.5, "P4": 0.3}


class Service(_Frozen):
    """A monitored service: where alerts come from and which team owns them."""

    name: Name
    """Unique service name."""
    team: Name
    """Owning team (must be one of `teams`): its on-call engineer is paged."""
    layer: Literal["network", "compute", "storage", "middleware", "app"] | None = None
    """Layer of the stack, for reports."""
    alerts_per_week: float = Field(ge=0, le=100_000)
    """Mean number of root alerts per week raised by this service."""
    profile: str | list[list[float]] = "flat"
    """Hour-of-week shape: a preset name or a 7 x 24 table of relative weights (Monday first)."""
    severity_mix: dict[Severity, Probability] = Field(default_factory=_default_severity_mix)
    """Share of alerts of each severity; must sum to 1."""
    depends_on: list[DependencyEntry] = Field(default_factory=list)
    """Services this one depends on: names, or mappings with their own cascade settings."""

    @field_validator("profile")
    @classmethod
    def _check_profile(cls, value: str | list[list[float]]) -> str | list[list[float]]:
        if isinstance(value, str):
            if value not in PRESETS:
                raise ValueError(
                    f"unknown profile {value!r}; presets are {', '.join(sorted(PRESETS))}"
                )
            return value
        if len(value) != 7 or any(len(row) != 24 for row in value):
            raise ValueError("an explicit profile is 7 rows (Mon..Sun) of 24 hourly weights")
        if any(weight < 0 for row in value for weight in row) or not any(
            weight > 0 for row in value for weight in row
        ):
            raise ValueError("profile weights must be >= 0 with at least one above 0")
        return value

    @field_validator("severity_mix")
    @classmethod
    def _mix_sums_to_one(cls, value: dict[str, float]) -> dict[str, float]:
        total = sum(value.values())
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"severity shares must sum to 1 (they sum to {total:g})")
        return value


class Rotation(_Frozen):
    """A rotation over the team's engineers: each shift has a primary and, next in order, a
    secondary. ``pool`` is no rotation: every engineer is on duty all the time and incidents
    wait, first come first served, for the first free engineer (a classic c-server queue); the
    secondary level is skipped, the manager level still applies."""

    shift: Literal["weekly", "daily", "pool"] = "weekly"
    """Length of one shift, or ``pool`` (all engineers on duty at once)."""
    handoff_day: Weekday = "Mon"
    """Day of the handoff (weekly shifts)."""
    handoff_time: TimeOfDay = "09:00"
    """Local time of the handoff, in the team's time zone."""


class Team(_Frozen):
    """A team of engineers with an on-call rotation and a manager."""

    name: Name
    """Unique team name."""
    engineers: int | list[Name] = Field(...)
    """Engineers on the rotation: a count (named <team>-1 ...) or a list of names, in order."""
    time_zone: TimeZoneName | None = None
    """IANA time zone of the team; defaults to the horizon's time zone."""
    rotation: Rotation = Rotation()
    """How the on-call shift passes between the engineers."""
    manager: Name | None = None
    """Name of the manager paged at the last escalation level (default <team>-manager)."""

    @field_validator("engineers")
    @classmethod
    def _check_engineers(cls, value: int | list[str]) -> int | list[str]:
        if isinstance(value, int):
            if not 1 <= value <= 1000:
                raise ValueError(f"engineers must be between 1 and 1000 (got {value})")
        elif not value:
            raise ValueError("engineers must name at least one person")
        elif len(set(value)) != len(value):
            raise ValueError("engineer names must be unique within the team")
        return value

    @property
    def engineer_names(self) -> list[str]:
        if isinstance(self.engineers, int):
            return [f"{self.name}-{index + 1}" for index in range(self.engineers)]
        return list(self.engineers)

    @property
    def manager_name(self) -> str:
        return self.manager or f"{self.name}-manager"


class Escalation(_Frozen):
    """Who is paged, in order, while nobody acknowledges."""

    ack_timeout_minutes: float = Field(15.0, gt=0, le=1440)
    """Minutes without acknowledgement before the next level is paged."""
    levels: list[Literal["primary", "secondary", "manager"]] = Field(
        default_factory=lambda: ["primary", "secondary", "manager"], min_length=1
    )
    """Escalation levels in order; earlier levels may still acknowledge after the next is paged."""

    @field_validator("levels")
    @classmethod
    def _levels_unique(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("each escalation level may appear once")
        return value


def _default_work_factors() -> dict[str, float]:
    return {"P1": 1.5, "P2": 1.2, "P3": 1.0, "P4": 0.8}


class Response(_Frozen):
    """How people respond once paged."""

    ack_delay_minutes: DurationSpec = Lognormal(median=4.0, sigma=0.9)
    """Time from a page to its acknowledgement, per person paged (drawn per escalation level)."""
    work_time_minutes: DurationSpec = Lognormal(median=50.0, sigma=1.0)
    """Hands-on time to resolve an incident of severity factor 1.0."""
    severity_work_factor: dict[Severity, Annotated[float, Field(gt=0, le=100)]] = Field(
        default_factory=_default_work_factors
    )
    """Multiplier of the work time by severity."""


class AnomalyDetection(_Frozen):
    """Detection of trouble before it hurts (trend and anomaly alerts). A detected incident is
    fixed before impact, with no page, when enough business hours lie between detection and the
    moment it would start; otherwise it starts as usual."""

    coverage: Probability = 0.0
    """Share of incidents the detector sees early."""
    lead_time_minutes: DurationSpec = Lognormal(median=240.0, sigma=1.2)
    """How long before the impact the detector raises its warning."""
    fix_time_minutes: DurationSpec = Fixed(value=60.0)
    """Business-hours working time needed to fix a detected problem before impact."""


class SelfHealing(_Frozen):
    """Runbook automation that fixes an incident without a human. A failed attempt pages a human
    when the attempt ends."""

    coverage: Probability = 0.0
    """Share of incidents with a runbook that the automation runs."""
    success_probability: Probability = 0.8
    """Probability that a run fixes the incident."""
    run_time_minutes: DurationSpec = Exponential(mean_minutes=5.0)
    """How long an attempt runs, successful or not."""


class Automation(_Frozen):
    """Automation acts first: prevention, then self-healing, then a page."""

    anomaly_detection: AnomalyDetection = AnomalyDetection()
    self_healing: SelfHealing = SelfHealing()


class Variant(_Frozen):
    """A what-if: named partial overrides of the baseline by dotted path."""

    name: Name
    """Variant name (not 'baseline')."""
    description: str = Field(min_length=1, max_length=200)
    """One line that says what the change is."""
    set: dict[str, Any] = Field(min_length=1)
    """Dotted path -> new value, e.g. ``automation.self_healing.coverage: 0.45``; list items are
    addressed by index or by name (``services.core-router.alerts_per_week``)."""

    @field_validator("name")
    @classmethod
    def _not_baseline(cls, value: str) -> str:
        if value == "baseline":
            raise ValueError("'baseline' is reserved for the scenario without overrides")
        return value


class Scenario(_Frozen):
    """A what-if scenario: an operations organisation, its alert streams, and variants."""

    name: str = Field(min_length=1, max_length=120)
    """Short title used in reports."""
    description: str = ""
    """What the scenario is about."""
    horizon: Horizon = Horizon()
    calendar: Calendar = Calendar()
    services: list[Service] = Field(min_length=1)
    """Monitored services (at least one)."""
    teams: list[Team] = Field(min_length=1)
    """Teams that own services and carry the pager (at least one)."""
    escalation: Escalation = Escalation()
    response: Response = Response()
    automation: Automation = Automation()
    cascades: Cascades = Cascades()
    """How failures spread along `depends_on` edges (off unless probabilities are set)."""
    correlation: Correlation = Correlation()
    """Grouping and inhibition of alerts before paging (off by default)."""
    routing: Routing = Routing()
    shared_rotation: SharedRotation | None = None
    """An off-hours rotation shared across teams (none by default)."""
    variants: list[Variant] = Field(default_factory=list)
    """What-if variants compared with the baseline."""

    @model_validator(mode="after")
    def _check_references(self, info: ValidationInfo) -> Scenario:
        # The file loader checks references itself, to report each with its own line.
        if info.context and info.context.get("defer_reference_checks"):
            return self
        problems = scenario_reference_problems(self)
        if problems:
            raise ValueError("; ".join(message for _, message in problems))
        return self

    def team(self, name: str) -> Team:
        return next(team for team in self.teams if team.name == name)

    @property
    def variant_names(self) -> list[str]:
        return ["baseline", *(variant.name for variant in self.variants)]


def scenario_reference_problems(scenario: Scenario) -> list[tuple[tuple[str | int, ...], str]]:
    """Cross-field problems (unique names, references) as (field path, message) pairs."""
    problems: list[tuple[tuple[str | int, ...], str]] = []
    for field, items in (
        ("services", scenario.services),
        ("teams", scenario.teams),
        ("variants", scenario.variants),
    ):
        seen: set[str] = set()
        for index, item in enumerate(items):
            if item.name in seen:
                problems.append(((field, index, "name"), f"duplicate name {item.name!r}"))
            seen.add(item.name)
    team_names = [team.name for team in scenario.teams]
    service_names = [service.name for service in scenario.services]
    for index, service in enumerate(scenario.services):
        seen_dependencies: set[str] = set()
        for position, dependency in enumerate(service.depends_on):
            where = ("services", index, "depends_on", position)
            if dependency.service not in service_names:
                problems.append((where, f"unknown service {dependency.service!r}"))
            elif dependency.service == service.name:
                problems.append((where, "a service cannot depend on itself"))
            elif dependency.service in seen_dependencies:
                problems.append((where, f"{dependency.service!r} is listed twice"))
            seen_dependencies.add(dependency.service)
    cycle = dependency_cycle(
        {
            s.name: [d.service for d in s.depends_on if d.service in service_names]
            for s in scenario.services
        }
    )
    if cycle:
        index = service_names.index(cycle[0])
        problems.append(
            (("services", index, "depends_on"), f"dependency cycle: {' -> '.join(cycle)}")
        )
    if scenario.shared_rotation is not None:
        for position, team in enumerate(scenario.shared_rotation.teams):
            if team not in team_names:
                problems.append((("shared_rotation", "teams", position), f"unknown team {team!r}"))
    for index, service in enumerate(scenario.services):
        if service.team not in team_names:
            problems.append(
                (
                    ("services", index, "team"),
                    f"unknown team {service.team!r}; teams are {', '.join(team_names)}",
                )
            )
    people: dict[str, str] = {}
    for index, team in enumerate(scenario.teams):
        names = [*team.engineer_names, team.manager_name]
        needs_secondary = "secondary" in scenario.escalation.levels
        if needs_secondary and team.rotation.shift != "pool" and len(team.engineer_names) < 2:
            problems.append(
                (
                    ("teams", index, "engineers"),
                    "a rotation with a secondary level needs at least 2 engineers",
                )
            )
        for person in names:
            if person in people and people[person] != team.name:
                problems.append(
                    (
                        ("teams", index, "engineers"),
                        f"{person!r} is also in team {people[person]!r}; "
                        "a person belongs to one team",
                    )
                )
            people[person] = team.name
    return problems
