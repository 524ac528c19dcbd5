"""The queue a validation scenario describes, read from the scenario itself."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import special

import sim.validation.queueing as queueing
from sim.scenario import Scenario
from sim.scenario.distributions import Exponential, Fixed, Gamma, Lognormal, Weibull
from sim.scenario.profiles import HOURS_PER_WEEK, PRESETS

MINUTES_PER_HOUR = 60.0
MINUTES_PER_WEEK = 7 * 24 * 60.0


@dataclass(frozen=True)
class QueueParameters:
    """The classic queue a validation scenario configures (read from the loaded scenario)."""

    servers: int
    """c: engineers in the single pool team."""
    arrival_rate: float
    """Mean arrival rate over the week, per minute (sum of alerts_per_week / 10080)."""
    hourly_rate: np.ndarray
    """(168,) arrival rate per minute in each hour of the week (UTC, Monday 00:00 first)."""
    work: Exponential | Fixed | Gamma | Lognormal | Weibull
    """Work-time (service-time) distribution, in minutes."""
    weeks: int
    """Weeks per run."""

    @property
    def service_mean(self) -> float:
        """E[S] in minutes."""
        return self.work.mean

    @property
    def offered_load(self) -> float:
        """a = lambda E[S], in Erlangs."""
        return self.arrival_rate * self.service_mean

    @property
    def utilisation(self) -> float:
        """rho = a / c."""
        return self.offered_load / self.servers

    @property
    def time_varying(self) -> bool:
        """Whether the arrival rate changes over the week."""
        return bool(np.ptp(self.hourly_rate) > 1e-12 * self.arrival_rate)


def _profile_weights(profile: str | list[list[float]]) -> np.ndarray:
    # Normalised here, independently of the generator's own code, so that an error there shows.
    table = PRESETS[profile] if isinstance(profile, str) else np.asarray(profile, dtype=float)
    weights = np.asarray(table, dtype=np.float64).reshape(HOURS_PER_WEEK)
    return weights / weights.mean()


def queue_parameters(scenario: Scenario) -> QueueParameters:
    """The queue that ``scenario`` configures; ValueError if it is not a classic queue.

    A classic queue here is: one team, a pool (``rotation.shift: pool``); escalation to the
    primary only; an acknowledgement delay fixed at 0; a work-time factor of 1.0 for every
    severity; no detection and no self-healing; UTC (so hour of week never shifts).
    """
    problems = []
    if len(scenario.teams) != 1 or scenario.teams[0].rotation.shift != "pool":
        problems.append("needs exactly one team, with rotation.shift: pool")
    if list(scenario.escalation.levels) != ["primary"]:
        problems.append("needs escalation.levels: [primary]")
    ack = scenario.response.ack_delay_minutes
    if not (isinstance(ack, Fixed) and ack.value == 0):
        problems.append("needs response.ack_delay_minutes: 0 (immediate acknowledgement)")
    if any(factor != 1.0 for factor in scenario.response.severity_work_factor.values()):
        problems.append("needs severity_work_factor 1.0 for every severity")
    automation = scenario.automation
    if automation.anomaly_detection.coverage != 0 or automation.self_healing.coverage != 0:
        problems.append("needs no automation (detection and self-healing coverage 0)")
    if scenario.horizon.time_zone != "UTC":
        problems.append("needs horizon.time_zone: UTC")
    # Alert correlation, cascades and shared rotations (where this version of the model has them)
    # would add alerts, delay pages or move them to other people.
    correlation = getattr(scenario, "correlation", None)
    if correlation is not None and (correlation.grouping.enabled or correlation.inhibition):
        problems.append("needs no alert correlation (grouping and inhibition off)")
    if getattr(scenario, "shared_rotation", None) is not None:
        problems.append("needs no shared_rotation")
    if any(getattr(service, "depends_on", None) for service in scenario.services):
        problems.append("needs no depends_on (no cascades)")
    if problems:
        raise ValueError(f"{scenario.name}: not a classic queue: " + "; ".join(problems))
    hourly = sum(
        service.alerts_per_week / MINUTES_PER_WEEK * _profile_weights(service.profile)
        for service in scenario.services
    )
    return QueueParameters(
        servers=len(scenario.teams[0].engineer_names),
        arrival_rate=sum(service.alerts_per_week for service in scenario.services)
        / MINUTES_PER_WEEK,
        hourly_rate=np.asarray(hourly, dtype=np.float64),
        work=scenario.response.work_time_minutes,
        weeks=scenario.horizon.weeks,
    )


def truncated_mean(work, x: np.ndarray) -> np.ndarray:
    """E[min(S, x)] = integral_0^x P(S > u) du, in closed form for every duration kind.

    E[min(S, x)] = E[S 1{S < x}] + x P(S > x), with the partial expectations of the lognormal
    (mean Phi((ln x - ln median) / sigma - sigma)), gamma (mean P(shape + 1, x / scale)) and
    Weibull (scale Gamma(1 + 1/k) P(1 + 1/k, (x / scale)^k)), P the regularised lower incomplete
    gamma function.
    """
    x = np.asarray(x, dtype=np.float64)
    if isinstance(work, Fixed):
        return np.minimum(x, work.value)
    if isinstance(work, Exponential):
        return work.mean * -np.expm1(-x / work.mean)
    with np.errstate(divide="ignore"):
        if isinstance(work, Lognormal):
            z = (np.log(x) - math.log(work.median)) / work.sigma
            return work.mean * special.ndtr(z - work.sigma) + x * special.ndtr(-z)
        if isinstance(work, Gamma):
            scale = work.mean / work.shape
            partial = work.mean * special.gammainc(work.shape + 1, x / scale)
            return partial + x * special.gammaincc(work.shape, x / scale)
        if isinstance(work, Weibull):
            power = (x / work.scale) ** work.shape
            partial = work.mean * special.gammainc(1 + 1 / work.shape, power)
            return partial + x * np.exp(-power)
    raise TypeError(f"no survival function for {type(work).__name__}")  # pragma: no cover


def survival_integrals(work, step_minutes: float = MINUTES_PER_HOUR) -> np.ndarray:
    """Integrals of P(S > u) over [k step, (k + 1) step], k = 0, 1, ..., until negligible.

    These are the weights of :func:`sim.validation.queueing.infinite_server_mean`; they sum to
    E[S]. Exponential work times use
    :func:`sim.validation.queueing.exponential_survival_integrals`; the others the differences
    of :func:`truncated_mean`.
    """
    # Far enough that less than about 1e-12 of the mean is left beyond the last step.
    horizon = float(work.quantile(np.array([1 - 1e-13]))[0]) * 1.5 + step_minutes
    steps = math.ceil(horizon / step_minutes)
    if isinstance(work, Exponential):
        return queueing.exponential_survival_integrals(work.mean, step_minutes, steps)
    return np.diff(truncated_mean(work, np.arange(steps + 1) * step_minutes))
