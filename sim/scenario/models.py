"""Pydantic models of a scenario file. Every default of the tool lives here and nowhere else.

The models are frozen and reject unknown keys; attribute docstrings and field descriptions are the
documentation of the file format (``oncall-sim schema`` exports them as JSON Schema).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from sim.scenario.distributions import DurationSpec, Exponential, Fixed, Lognormal
from sim.scenario.fields import (
    ESCALATION_LEVELS,
    LAYERS,
    SEVERITIES,
    WEEKDAYS,
    Name,
    PersonName,
    Probability,
    Severity,
    TimeOfDay,
    TimeZoneName,
    Weekday,
    WeekTime,
    check_holiday_codes,
    minutes_of_day,
)
from sim.scenario.fields import FrozenModel as _Frozen
from sim.scenario.noise import Noise, ServiceNoise, ServiceSlo, Slo
from sim.scenario.oncall import (
    Engineer,
    EscalationPolicy,
    Layer,
    Override,
    Paging,
    People,
    ServicePaging,
    Site,
)
from sim.scenario.profiles import PRESETS
from sim.scenario.references import scenario_reference_problems
from sim.scenario.topology import (
    Cascades,
    Correlation,
    DependencyEntry,
    Routing,
    SharedRotation,
)

__all__ = [
    "ESCALATION_LEVELS",
    "LAYERS",
    "SEVERITIES",
    "WEEKDAYS",
    "Scenario",
    "minutes_of_day",
]


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
        check_holiday_codes(self.holidays_country, self.holidays_subdivision)
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
    placeholder_rate: bool = False
    """True: ``alerts_per_week`` is a stand-in (``oncall-sim import`` writes one, since paging
    tools do not know how often services fail). ``validate`` warns and ``run`` refuses it until
    the real rate is set and this line removed, unless run with ``--accept-placeholder-rates``."""
    profile: str | list[list[float]] = "flat"
    """Hour-of-week shape: a preset name or a 7 x 24 table of relative weights (Monday first)."""
    severity_mix: dict[Severity, Probability] = Field(default_factory=_default_severity_mix)
    """Share of alerts of each severity; must sum to 1."""
    weekly_rate_variance: float = Field(0.0, ge=0, le=100)
    """Week-to-week variability of the rate beyond Poisson: each week's rate is
    ``alerts_per_week`` times a gamma factor of mean 1 and this variance, drawn per run and
    week, so weekly counts are negative binomial (variance ``m + variance * m^2``). 0 (the
    default): a Poisson process, no extra draws. ``oncall-sim calibrate`` fits it."""
    depends_on: list[DependencyEntry] = Field(default_factory=list)
    """Services this one depends on: names, or mappings with their own cascade settings."""
    accountable: Name | None = None
    """RACI Accountable: the team whose manager is the escalation target (the ``manager``
    level) for this service's incidents (default: the owning team, `team`, which is
    Responsible: its on-call is paged)."""
    consulted: list[Name] = Field(default_factory=list)
    """RACI Consulted: teams whose on-call is pulled in (a consult page) on major incidents
    (``routing.consult_severities``) of this service."""
    informed: list[Name] = Field(default_factory=list)
    """RACI Informed: teams notified of every escalated incident of this service, never paged
    (counted as notifications, not interruptions)."""
    escalation_policy: Name | None = None
    """Name of a policy in ``escalation_policies`` that pages this service's incidents
    (default: the owning team's policy)."""
    paging: ServicePaging | None = None
    """This service's own urgency rules (default: the scenario's ``paging`` block)."""
    self_healing_coverage: Probability | None = None
    """Share of this service's incidents with a runbook (default:
    ``automation.self_healing.coverage``)."""
    anomaly_detection_coverage: Probability | None = None
    """Share of this service's incidents the detector sees early (default:
    ``automation.anomaly_detection.coverage``)."""
    noise: ServiceNoise | None = None
    """Overrides of the scenario's ``noise`` for this service's alerts (none: its values)."""
    slo: ServiceSlo | None = None
    """Availability objective of the service (none: no error budget, pages by cause)."""

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

    shift: Literal["weekly", "daily", "custom", "pool"] = "weekly"
    """Length of one shift (``custom``: ``shift_hours``), or ``pool`` (all engineers on duty
    at once)."""
    shift_hours: float | None = Field(None, gt=0, le=24 * 28)
    """Shift length in hours, with ``shift: custom``."""
    handoff_day: Weekday = "Mon"
    """Day of the first handoff (weekly and custom shifts)."""
    handoff_time: TimeOfDay = "09:00"
    """Local time of the handoff, in the team's time zone."""

    @model_validator(mode="after")
    def _custom_needs_hours(self) -> Rotation:
        if (self.shift == "custom") != (self.shift_hours is not None):
            raise ValueError("shift: custom needs shift_hours, and shift_hours needs shift: custom")
        return self


class Team(_Frozen):
    """A team of engineers with an on-call schedule, an escalation policy and a manager."""

    name: Name
    """Unique team name."""
    engineers: int | list[PersonName | Engineer] = Field(...)
    """Engineers: a count (named <team>-1 ...) or a list of names or {name, site, ...}, in
    rotation order."""
    domain: Name | None = None
    """Domain the team belongs to (network, platform, ...), for per-domain KPIs; teams of the
    same domain are counted together (default: each team is its own domain)."""
    site: Name | None = None
    """Site of the team's people (its time zone and holidays), unless an engineer names one."""
    time_zone: TimeZoneName | None = None
    """IANA time zone of the team; defaults to its site's, then to the horizon's."""
    rotation: Rotation = Rotation()
    """How the on-call shift passes between the engineers (a one-layer schedule)."""
    layers: list[Layer] = Field(default_factory=list)
    """Schedule layers, lowest first; a higher layer wins where it is active (none: the
    schedule is the single layer that ``rotation`` describes)."""
    overrides: list[Override] = Field(default_factory=list)
    """One person covers the schedule for a while (above every layer)."""
    page_all_active_layers: bool = False
    """Every layer active at a moment is on call, and a schedule target pages all of their
    people at once (Opsgenie's cumulative rotations); False: the highest active layer wins
    (PagerDuty's semantics)."""
    escalation_policy: Name | None = None
    """Name of an escalation policy in ``escalation_policies`` (default: the ``escalation``
    block applied to this team's schedule)."""
    manager: PersonName | None = None
    """Name of the manager paged at the last escalation level (default <team>-manager)."""

    @field_validator("engineers")
    @classmethod
    def _check_engineers(cls, value: int | list[str | Engineer]) -> int | list[str | Engineer]:
        if isinstance(value, int):
            if not 1 <= value <= 1000:
                raise ValueError(f"engineers must be between 1 and 1000 (got {value})")
        elif not value:
            raise ValueError("engineers must name at least one person")
        else:
            names = [entry if isinstance(entry, str) else entry.name for entry in value]
            if len(set(names)) != len(names):
                raise ValueError("engineer names must be unique within the team")
        return value

    @model_validator(mode="after")
    def _pool_has_no_layers(self) -> Team:
        if self.rotation.shift == "pool" and (
            self.layers or self.overrides or self.escalation_policy
        ):
            raise ValueError("a pool team has no layers, overrides or escalation policy")
        return self

    @property
    def engineer_names(self) -> list[str]:
        if isinstance(self.engineers, int):
            return [f"{self.name}-{index + 1}" for index in range(self.engineers)]
        return [entry if isinstance(entry, str) else entry.name for entry in self.engineers]

    @property
    def domain_name(self) -> str:
        return self.domain or self.name

    def engineer(self, name: str) -> Engineer:
        """The engineer's details (defaults for a bare name)."""
        if not isinstance(self.engineers, int):
            for entry in self.engineers:
                if isinstance(entry, Engineer) and entry.name == name:
                    return entry
        return Engineer(name=name)

    @property
    def manager_name(self) -> str:
        return self.manager or f"{self.name}-manager"


class Escalation(_Frozen):
    """The default escalation policy of every team: who is paged, in order, while nobody
    acknowledges. A team may name a policy of ``escalation_policies`` instead."""

    ack_timeout_minutes: float = Field(30.0, gt=0, le=1440)
    """Minutes without acknowledgement before the next level is paged (30, as common paging
    tools default to)."""
    levels: list[Literal["primary", "secondary", "manager"]] = Field(
        default_factory=lambda: ["primary", "secondary", "manager"], min_length=1
    )
    """Escalation levels in order; earlier levels may still acknowledge after the next is paged."""
    repeat: int = Field(0, ge=0, le=9)
    """Times the whole chain starts over when the last level does not acknowledge."""
    ack_expiry_minutes: float | None = Field(None, gt=0, le=10_080)
    """An acknowledgement expires after this long if the incident is not resolved, and the
    first level is paged again (None: never)."""

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
    """Multiplier of the work time by severity; a severity left out keeps its default (P1 1.5,
    P2 1.2, P3 1.0, P4 0.8), so ``{P1: 2}`` changes P1 only."""

    @field_validator("severity_work_factor")
    @classmethod
    def _others_keep_their_defaults(cls, factors: dict[str, float]) -> dict[str, float]:
        return {**_default_work_factors(), **factors}


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
    sites: list[Site] = Field(default_factory=list)
    """Places people work from (time zone and holidays); none: everyone in their team's zone."""
    people: People = People()
    """Leave, fatigue and rest of every engineer."""
    escalation: Escalation = Escalation()
    escalation_policies: list[EscalationPolicy] = Field(default_factory=list)
    """Named escalation policies that teams may use instead of ``escalation``."""
    paging: Paging = Paging()
    """Urgency, support hours and maintenance windows."""
    response: Response = Response()
    automation: Automation = Automation()
    cascades: Cascades = Cascades()
    """How failures spread along `depends_on` edges (off unless probabilities are set)."""
    correlation: Correlation = Correlation()
    """Grouping and inhibition of alerts before paging (off by default)."""
    routing: Routing = Routing()
    noise: Noise = Noise()
    """Transient alerts, pause before paging, flapping (off by default)."""
    slo: Slo = Slo()
    """Incident impact and burn-rate rules for services with an ``slo``."""
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
    def placeholder_rate_services(self) -> list[str]:
        """Services whose ``alerts_per_week`` is a placeholder still to be replaced."""
        return [service.name for service in self.services if service.placeholder_rate]

    @property
    def variant_names(self) -> list[str]:
        return ["baseline", *(variant.name for variant in self.variants)]
