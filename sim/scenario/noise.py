"""Alert noise and service level objectives in a scenario file (all off by default).

* ``noise`` (scenario level, every service) and ``services[i].noise`` (per service, overriding
  the scenario's value field by field): transient alerts that clear on their own, a pause
  before paging, flapping (a cleared alert firing again) and the rule for it.
* ``services[i].slo``: the service's availability objective; ``slo`` (scenario level): the
  impact of an open incident by severity and the multiwindow, multi-burn-rate rules that page or
  open a ticket when ``paging.mode: slo``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field, model_validator

from sim.scenario.distributions import DurationSpec, Exponential, Lognormal
from sim.scenario.fields import FrozenModel, Probability, Severity

if TYPE_CHECKING:  # the schema calls these checks; they only read it
    from sim.scenario.models import Scenario

#: Most re-fires of one flapping alert (the generator draws this many per alert).
MAX_REFIRES = 3


class Noise(FrozenModel):
    """Alerts that are not failures: transient ones clear on their own, and may flap.

    A transient alert fires, then clears ``self_clear_minutes`` later with nobody's help. With
    ``pause_minutes`` every alert (transient or not) is held that long and pages only if it has
    not cleared by then; a real failure is delayed by the pause. After clearing, a transient
    alert fires again with probability ``flap_probability`` (at most 3 times),
    ``refire_after_minutes`` after it cleared, for a new self-clear time. A re-fire within
    ``flap_window_minutes`` of the clear is *flapping*: ``flap_rule: page`` pages the first level
    again (naive setups), ``dedupe`` joins it to the alert's incident (deduplication by alert
    key, as paging tools do). A re-fire after the window pages under either rule."""

    transient_share: Probability = 0.0
    """Share of alerts that are transient (clear on their own); 0: every alert is a failure."""
    self_clear_minutes: DurationSpec = Lognormal(median=3.0, sigma=1.0)
    """Time from a transient alert's firing to its clearing on its own."""
    pause_minutes: float = Field(0.0, ge=0, le=1440)
    """Hold every alert this long before paging (PagerDuty Auto-Pause, Alertmanager ``for:``);
    an alert that cleared meanwhile never pages."""
    flap_probability: Probability = 0.0
    """Probability that a transient alert fires again after it clears (each time)."""
    refire_after_minutes: DurationSpec = Exponential(mean_minutes=10.0)
    """Time from a clear to the alert's next firing."""
    flap_window_minutes: float = Field(30.0, ge=0, le=1440)
    """A re-fire this soon after a clear is flapping (``flap_rule`` applies)."""
    flap_rule: Literal["page", "dedupe"] = "page"
    """Flapping re-fires page again (``page``) or join the alert's incident (``dedupe``)."""


class ServiceNoise(FrozenModel):
    """Per-service overrides of the scenario's ``noise`` (a field left out keeps its value)."""

    transient_share: Probability | None = None
    """Share of this service's alerts that are transient."""
    self_clear_minutes: DurationSpec | None = None
    """Self-clear time of this service's transient alerts."""
    pause_minutes: float | None = Field(None, ge=0, le=1440)
    """Pause before paging for this service's alerts."""
    flap_probability: Probability | None = None
    """Probability that a transient alert of this service fires again after clearing."""


class ServiceSlo(FrozenModel):
    """A service's availability objective: the share of requests served well over a window."""

    target: float = Field(gt=0, lt=1)
    """Objective, e.g. 0.999 (its error budget is 1 - target of the requests)."""
    window_days: int = Field(28, ge=1, le=90)
    """Length of the rolling window the objective is judged over (28 or 30 are usual)."""


class BurnRule(FrozenModel):
    """Multiwindow burn-rate alert (SRE Workbook, ch. 5): it fires while the error rate over both
    windows is at least ``burn_rate`` times the rate that spends exactly the budget."""

    burn_rate: float = Field(gt=0, le=1000)
    """Multiple of the budget-neutral error rate (1 - target) that fires the rule."""
    long_window_minutes: int = Field(ge=1, le=90 * 1440)
    """Long window of the rule (whole minutes: rules are evaluated every minute)."""
    short_window_minutes: int = Field(ge=1, le=90 * 1440)
    """Short window; it must be shorter than the long one (it lets the alert reset quickly)."""
    action: Literal["page", "ticket"]
    """Page the on-call (the incident goes to its policy) or open a ticket for business hours."""

    @model_validator(mode="after")
    def _short_inside_long(self) -> BurnRule:
        if self.short_window_minutes >= self.long_window_minutes:
            raise ValueError(
                f"short_window_minutes ({self.short_window_minutes}) must be shorter than "
                f"long_window_minutes ({self.long_window_minutes})"
            )
        return self


def _default_impact() -> dict[str, float]:
    return {"P1": 0.5, "P2": 0.1, "P3": 0.01, "P4": 0.001}


def _workbook_rules() -> list[BurnRule]:
    return [
        BurnRule(burn_rate=14.4, long_window_minutes=60, short_window_minutes=5, action="page"),
        BurnRule(burn_rate=6.0, long_window_minutes=360, short_window_minutes=30, action="page"),
        BurnRule(
            burn_rate=3.0, long_window_minutes=1440, short_window_minutes=120, action="ticket"
        ),
        BurnRule(
            burn_rate=1.0, long_window_minutes=4320, short_window_minutes=360, action="ticket"
        ),
    ]


class Slo(FrozenModel):
    """How incidents burn error budget, and the burn-rate rules of ``paging.mode: slo``.

    A service's error rate at a moment is the sum of the impacts of its open alerts (capped at
    1); its burn rate over a window is the mean error rate over the window divided by
    ``1 - target``. Defaults are the SRE Workbook's four rules (ch. 5, table 5-8)."""

    impact: dict[Severity, Annotated[float, Field(ge=0, le=1)]] = Field(
        default_factory=_default_impact
    )
    """Share of the service's requests failing while an incident of each severity is open."""
    transient_impact: float = Field(0.01, ge=0, le=1)
    """Share of requests failing while a transient alert is firing."""
    burn_rules: list[BurnRule] = Field(default_factory=_workbook_rules, min_length=1)
    """The rules, each paging or opening a ticket; at least one must page."""

    @model_validator(mode="after")
    def _one_rule_pages(self) -> Slo:
        if not any(rule.action == "page" for rule in self.burn_rules):
            raise ValueError("at least one burn rule must have action: page")
        return self


def noise_problems(scenario: Scenario) -> list[tuple[tuple[str | int, ...], str]]:
    """Cross-field problems of noise and SLO settings as (field path, message) pairs."""
    problems: list[tuple[tuple[str | int, ...], str]] = []
    ack_timeout = scenario.escalation.ack_timeout_minutes
    pauses = [(("noise", "pause_minutes"), scenario.noise.pause_minutes)] + [
        (("services", index, "noise", "pause_minutes"), service.noise.pause_minutes)
        for index, service in enumerate(scenario.services)
        if service.noise is not None and service.noise.pause_minutes is not None
    ]
    for path, pause in pauses:
        if pause > ack_timeout:
            problems.append(
                (
                    path,
                    f"a pause of {pause:g} minutes is longer than the ack timeout "
                    f"(escalation.ack_timeout_minutes: {ack_timeout:g})",
                )
            )
    longest = max(rule.long_window_minutes for rule in scenario.slo.burn_rules)
    for index, service in enumerate(scenario.services):
        if service.slo is None:
            continue
        if service.slo.window_days * 1440 < longest:
            problems.append(
                (
                    ("services", index, "slo", "window_days"),
                    f"an SLO window of {service.slo.window_days} days is shorter than the "
                    f"longest burn-rule window ({longest} minutes)",
                )
            )
        budget = 1.0 - service.slo.target
        for position, rule in enumerate(scenario.slo.burn_rules):
            if rule.burn_rate * budget > 1.0:
                problems.append(
                    (
                        ("slo", "burn_rules", position, "burn_rate"),
                        f"a burn rate of {rule.burn_rate:g} can never fire for service "
                        f"{service.name!r} (target {service.slo.target:g}: the most is "
                        f"{1.0 / budget:g}, every request failing)",
                    )
                )
    if scenario.paging.mode == "slo" and not any(s.slo for s in scenario.services):
        problems.append((("paging", "mode"), "paging.mode: slo needs a service with an slo"))
    return problems
