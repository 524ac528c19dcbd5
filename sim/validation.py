"""Validation against queueing theory: the on-call model, configured as a classic queue.

The scenarios under ``scenarios/validation/`` turn the on-call model into textbook queues by
configuration alone (one pool team of c engineers, Poisson arrivals, immediate acknowledgement, no
automation, work time from a distribution; see any of the files' headers). This module runs them,
measures what queueing theory predicts and compares the two:

* M/M/c against Erlang C: P(W > 0), E[W], P(W > t); M/G/1 against Pollaczek-Khinchine: E[W] and
  P(W > 0) = rho; for all of them L, the time-average number in system, against lambda (E[W] +
  E[S]) and, run by run, against Little's law;
* M_t/G/infinity (Eick, Massey and Whitt 1993) against the mean number in system at every hour of
  the week and its daily cycle (amplitude, peak time), and the arrivals per hour-of-week bin
  against the configured rates (chi-square).

**Method.** Each case runs R independent replications: run i is ``simulate(scenario, run=i)``
with the scenario's root seed (independent random streams per run index). The model starts empty,
so the first ``warmup_weeks`` of each run are discarded: waits and times in system are those of
incidents that *start* in [warm-up, horizon), and time averages are over that window. Arrivals
stop at the horizon but every incident is worked to the end, and with first-come, first-served
service no later arrival changes an earlier incident's wait, so the end of the window has no
bias. Each run gives one value of every measure; the estimate is the mean over runs with the
between-run standard error SE = sd / sqrt(R) (replications are independent, so this is honest
whatever the autocorrelation within a run), a Student-t 95% interval, and z = (mean - theory) /
SE. A check passes when |z| <= :data:`Z_LIMIT`.

Regenerate the report with ``python -m sim.validation --out docs/validation.md [--runs N]``.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
from scipy import special, stats

from sim import queueing
from sim.distributions import Exponential, Fixed, Gamma, Lognormal, Weibull
from sim.experiment import simulate
from sim.model.records import STATE_RESOLVED, RunRecords
from sim.profiles import HOURS_PER_WEEK, PRESETS
from sim.scenario import Scenario, load_scenario

MINUTES_PER_HOUR = 60.0
MINUTES_PER_WEEK = 7 * 24 * 60.0

#: Directory of the validation scenarios (the repository's, next to the package).
VALIDATION_DIR = Path(__file__).resolve().parents[1] / "scenarios" / "validation"

#: A single check passes when |mean - theory| <= Z_LIMIT x SE. Under a correct model each z is
#: Student-t with R - 1 degrees of freedom: P(|z| > 4) is 1.2e-4 for R = 100 and 3.9e-4 for
#: R = 30. The report holds about 70 such checks, so by the union (Bonferroni) bound a correct
#: model fails any of them with probability about 1% (less in fact: checks of one case are
#: positively correlated). A wrong model whose bias is 6 SE fails a check with probability 98%.
Z_LIMIT = 4.0

#: Family-wise false-alarm probability for the 168 hour-of-week means of an M_t/G/infinity case;
#: each hour is checked at the Bonferroni level HOURLY_FAMILY_ALPHA / 168.
HOURLY_FAMILY_ALPHA = 0.001

#: Minimum p-value of the chi-square test of the arrivals per hour-of-week bin.
CHI_SQUARE_ALPHA = 0.001

#: A wait shorter than this (minutes) counts as no wait. Simulation times are float sums: the
#: model releases an incident at now + (start - now), which can differ from start by one unit in
#: the last place, so an incident served at once may show a wait of +-1e-14 minutes.
WAIT_EPSILON_MINUTES = 1e-6


# --------------------------------------------------------------------------------------------
# The queue a validation scenario describes, read from the scenario itself.


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
    if len(scenario.response.severity_work_factor) < 4:
        problems.append("needs severity_work_factor given for all of P1..P4")
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

    These are the weights of :func:`sim.queueing.infinite_server_mean`; they sum to E[S].
    Exponential work times use :func:`sim.queueing.exponential_survival_integrals`; the others
    the differences of :func:`truncated_mean`.
    """
    # Far enough that less than about 1e-12 of the mean is left beyond the last step.
    horizon = float(work.quantile(np.array([1 - 1e-13]))[0]) * 1.5 + step_minutes
    steps = math.ceil(horizon / step_minutes)
    if isinstance(work, Exponential):
        return queueing.exponential_survival_integrals(work.mean, step_minutes, steps)
    return np.diff(truncated_mean(work, np.arange(steps + 1) * step_minutes))


# --------------------------------------------------------------------------------------------
# What one run measures.


@dataclass(frozen=True)
class RunMeasures:
    """Everything one replication measures, after the warm-up.

    Waits are first page - start (the page goes out when a free engineer takes the incident, and
    is acknowledged at once); times in system are resolved - start; work is resolved - work start.
    """

    arrivals: int
    """Incidents that started in the window [warm-up, horizon)."""
    arrival_rate: float
    """arrivals / window length, per minute."""
    p_wait: float
    """Share of those incidents that waited at all."""
    mean_wait: float
    """Their mean wait in queue, minutes."""
    wait_tail: np.ndarray
    """P(W > t) for each of the case's tail times."""
    max_wait: float
    """Longest wait, minutes (0 in an infinite-server case)."""
    min_wait: float
    """Shortest wait, minutes (never below -WAIT_EPSILON_MINUTES)."""
    mean_work: float
    """Mean work time, minutes."""
    mean_sojourn: float
    """W: mean time in system, minutes."""
    in_system: float
    """L: time-average number in system over the window."""
    little_gap: float
    """L - lambda_hat W_hat."""
    little_edge: float
    """Bound on |L - lambda_hat W_hat|: (carry-in + spill-out) / window, the time that incidents
    straddling the window's edges spend on the far side of them."""
    little_residual: float
    """L - lambda_hat W_hat - (carry-in - spill-out) / window: 0 up to float rounding, by the
    sample-path identity."""
    hourly_in_system: np.ndarray
    """(168,) number in system at the start of each hour of the week, averaged over the weeks
    after the warm-up."""
    hourly_arrivals: np.ndarray
    """(168,) incidents that started in each hour of the week, over the whole horizon."""
    all_resolved: bool
    """Every alert was handled by a human and resolved (no automation, nothing lost)."""


def measure_run(
    records: RunRecords,
    horizon_minutes: float,
    warmup_minutes: float,
    tail_minutes: Sequence[float] = (),
) -> RunMeasures:
    """Measure one run's records over the window [warmup_minutes, horizon_minutes)."""
    start = records.start_minutes
    wait = records.first_page_minutes - start
    resolved = records.resolved_minutes
    sojourn = resolved - start
    window = horizon_minutes - warmup_minutes
    inside = (start >= warmup_minutes) & (start < horizon_minutes)
    arrivals = int(inside.sum())
    wait_in = wait[inside]

    # L: the integral over the window of N(t) = #{start <= t < resolved}, as the sum over all
    # incidents of the overlap of [start, resolved) with the window, divided by its length.
    overlap = np.minimum(resolved, horizon_minutes) - np.maximum(start, warmup_minutes)
    in_system = float(np.clip(overlap, 0.0, None).sum() / window)
    # Little's law on the sample path: L window = sum of W over the window's arrivals
    #   + (time that incidents started before the window spend inside it: carry-in)
    #   - (time that the window's arrivals spend after its end: spill-out).
    before = start < warmup_minutes
    carry_in = float(
        np.clip(np.minimum(resolved[before], horizon_minutes) - warmup_minutes, 0, None).sum()
    )
    spill_out = float(np.clip(resolved[inside] - horizon_minutes, 0.0, None).sum())
    arrival_rate = arrivals / window
    mean_sojourn = float(sojourn[inside].mean())

    # Number in system at each hour-of-week start of every whole week after the warm-up.
    first_week = math.ceil(warmup_minutes / MINUTES_PER_WEEK)
    weeks = int(horizon_minutes // MINUTES_PER_WEEK)
    grid = (
        np.arange(first_week, weeks)[:, None] * MINUTES_PER_WEEK
        + np.arange(HOURS_PER_WEEK)[None, :] * MINUTES_PER_HOUR
    )
    started = np.searchsorted(np.sort(start), grid, side="right")
    ended = np.searchsorted(np.sort(resolved), grid, side="right")
    hourly_in_system = (
        (started - ended).mean(axis=0) if len(grid) else np.full(HOURS_PER_WEEK, np.nan)
    )
    hour = (start // MINUTES_PER_HOUR).astype(np.int64) % HOURS_PER_WEEK
    hourly_arrivals = np.bincount(hour[start < horizon_minutes], minlength=HOURS_PER_WEEK)

    return RunMeasures(
        arrivals=arrivals,
        arrival_rate=arrival_rate,
        p_wait=float(np.mean(wait_in > WAIT_EPSILON_MINUTES)),
        mean_wait=float(wait_in.mean()),
        wait_tail=np.array([np.mean(wait_in > t) for t in tail_minutes], dtype=np.float64),
        max_wait=float(wait.max(initial=0.0)),
        min_wait=float(wait.min(initial=0.0)),
        mean_work=float((resolved - records.work_start_minutes)[inside].mean()),
        mean_sojourn=mean_sojourn,
        in_system=in_system,
        little_gap=in_system - arrival_rate * mean_sojourn,
        little_edge=(carry_in + spill_out) / window,
        little_residual=in_system - arrival_rate * mean_sojourn - (carry_in - spill_out) / window,
        hourly_in_system=hourly_in_system,
        hourly_arrivals=hourly_arrivals,
        all_resolved=bool(
            np.all(records.state == STATE_RESOLVED) and np.all(np.isfinite(resolved))
        ),
    )


# --------------------------------------------------------------------------------------------
# Cases: a scenario, its theory, and how to measure it.


@dataclass(frozen=True)
class Metric:
    """One checked quantity: its theory value and how to read it from a run."""

    key: str
    label: str
    theory: float
    value: Callable[[RunMeasures], float]
    unit: str = ""
    fast: bool = True
    """Checked in the fast (default) test suite; the rest only in the slow suite and report."""


@dataclass(frozen=True)
class Case:
    """A validation scenario tied to the theory it must reproduce.

    ``kind`` is ``"mmc"`` (Erlang C), ``"mg1"`` (Pollaczek-Khinchine) or ``"mtginf"`` (Eick,
    Massey and Whitt). The full validation (report, slow tests) uses the file's ``horizon.runs``
    replications; the fast tests use the first ``fast_runs`` of them.
    """

    name: str
    kind: str
    title: str
    theory: str
    fast_runs: int
    slow: bool = False
    """Too long for the default suite: only the slow suite and the report run it."""
    warmup_weeks: int = 1
    tail_minutes: tuple[float, ...] = ()

    @property
    def path(self) -> Path:
        """The scenario file."""
        return VALIDATION_DIR / f"{self.name}.yaml"

    def scenario(self) -> Scenario:
        """The loaded scenario (cached)."""
        return _load(self.path)

    def queue(self) -> QueueParameters:
        """The queue the scenario configures."""
        return queue_parameters(self.scenario())

    def metrics(self) -> list[Metric]:
        """Every scalar check of the case, with its theory value from :mod:`sim.queueing`."""
        queue = self.queue()
        lam, mean_s, c = queue.arrival_rate, queue.service_mean, queue.servers
        common_head = [
            Metric(
                "arrival_rate",
                "arrival rate lambda (per hour)",
                lam * MINUTES_PER_HOUR,
                lambda run: run.arrival_rate * MINUTES_PER_HOUR,
            ),
            Metric("mean_work", "mean work time E[S]", mean_s, lambda run: run.mean_work, "min"),
        ]
        if self.kind == "mmc":
            mu = 1 / mean_s
            wait = queueing.mmc_mean_wait(lam, mu, c)
            metrics = [
                Metric("p_wait", "P(W > 0) (Erlang C)", queueing.erlang_c(c, lam / mu), _p_wait),
                Metric("mean_wait", "mean wait E[W]", wait, _mean_wait, "min"),
                *(
                    Metric(
                        f"tail_{t:g}",
                        f"P(W > {t:g} min)",
                        queueing.mmc_wait_tail(lam, mu, c, t),
                        _tail(index),
                        fast=False,
                    )
                    for index, t in enumerate(self.tail_minutes)
                ),
            ]
        elif self.kind == "mg1":
            if c != 1:
                raise ValueError(f"{self.name}: an M/G/1 case needs one engineer, not {c}")
            wait = queueing.mg1_mean_wait(lam, mean_s, queue.work.variance)
            metrics = [
                Metric("p_wait", "P(W > 0) = rho (PASTA)", queue.utilisation, _p_wait),
                Metric(
                    "mean_wait", "mean wait E[W] (Pollaczek-Khinchine)", wait, _mean_wait, "min"
                ),
            ]
        elif self.kind == "mtginf":
            wait = 0.0
            metrics = [
                Metric("p_wait", "P(W > 0) (nobody waits)", 0.0, _p_wait),
                *daily_cycle_metrics(self.hourly_theory()),
            ]
        else:
            raise ValueError(f"unknown case kind {self.kind!r}")
        return [
            *common_head,
            *metrics,
            Metric(
                "mean_sojourn",
                "mean time in system W = E[W] + E[S]",
                wait + mean_s,
                lambda run: run.mean_sojourn,
                "min",
            ),
            Metric(
                "in_system",
                "mean number in system L = lambda W",
                lam * (wait + mean_s),
                lambda run: run.in_system,
            ),
        ]

    def hourly_theory(self) -> np.ndarray:
        """(168,) Eick-Massey-Whitt mean number in system at each hour-of-week start."""
        queue = self.queue()
        return queueing.infinite_server_mean(queue.hourly_rate, survival_integrals(queue.work))


#: Angular frequency of the daily cycle, per hour.
DAILY_OMEGA = 2 * math.pi / 24


def daily_component(hourly: np.ndarray) -> complex:
    """Daily Fourier component c of a 168-hour profile: hourly[h] ~ mean + |c| cos(omega (h -
    peak)) with omega = 2 pi / 24 h, so |c| is the daily cycle's amplitude and peak =
    -arg(c) / omega its peak time (hours after midnight)."""
    hours = np.arange(HOURS_PER_WEEK)
    return complex(np.sum(hourly * np.exp(-1j * DAILY_OMEGA * hours)) * 2 / HOURS_PER_WEEK)


def daily_cycle_metrics(theory: np.ndarray) -> list[Metric]:
    """The daily cycle of the number in system (M_t/G/infinity): amplitude and peak time.

    Eick, Massey and Whitt: m = lambda convolved with P(S > u), a linear time-invariant filter,
    so the daily cycle of m is the rate's, damped and delayed by the transform of the work-time
    survival function; its amplitude and lag depend on the whole distribution, not only its
    mean, which makes them sharper checks than any single hour. Both are measured linearly, so
    the between-run SE is exact: each run's daily component c_r is projected on the theory's
    phase (the amplitude) and perpendicular to it (b_r; the peak time, by the linearisation
    arg c_r = arg c + b_r / |c|).
    """
    component = daily_component(theory)
    amplitude = abs(component)
    if amplitude < 1e-9:
        return []
    rotation = np.exp(-1j * np.angle(component))
    peak = (-np.angle(component) / DAILY_OMEGA) % 24

    def run_amplitude(run: RunMeasures) -> float:
        return float((daily_component(run.hourly_in_system) * rotation).real)

    def run_peak(run: RunMeasures) -> float:
        across = (daily_component(run.hourly_in_system) * rotation).imag
        return float(peak - across / (amplitude * DAILY_OMEGA))

    return [
        Metric("daily_amplitude", "daily cycle of N(t): amplitude", amplitude, run_amplitude),
        Metric("daily_peak", "daily cycle of N(t): peak time (UTC)", peak, run_peak, "h"),
    ]


def _p_wait(run: RunMeasures) -> float:
    return run.p_wait


def _mean_wait(run: RunMeasures) -> float:
    return run.mean_wait


def _tail(index: int) -> Callable[[RunMeasures], float]:
    def value(run: RunMeasures) -> float:
        return float(run.wait_tail[index])

    return value


_MMC = (
    "Erlang C: P(W > 0) = C(c, a); E[W] = C / (c mu - lambda); P(W > t) = C e^{-(c mu - lambda) t}"
)
_PK = "Pollaczek-Khinchine: E[W] = lambda E[S^2] / (2 (1 - rho)); P(W > 0) = rho"
_EMW = (
    "Eick, Massey and Whitt (1993): N(t) ~ Poisson(m(t)), "
    "m(t) = integral_0^inf lambda(t - u) P(S > u) du"
)

#: Every validation case. The theory values come from the loaded scenario (Case.metrics).
CASES: tuple[Case, ...] = (
    Case(
        "mm1-rho50", "mmc", "M/M/1, rho = 0.5", _MMC, fast_runs=30, tail_minutes=(30, 60, 120, 240)
    ),
    Case(
        "mm3-rho67", "mmc", "M/M/3, rho = 2/3", _MMC, fast_runs=30, tail_minutes=(15, 30, 60, 120)
    ),
    Case(
        "mm2-heavy-rho90",
        "mmc",
        "M/M/2, rho = 0.9 (heavy load)",
        _MMC,
        fast_runs=0,
        slow=True,
        warmup_weeks=2,
        tail_minutes=(60, 150, 300, 600),
    ),
    Case("md1", "mg1", "M/D/1, rho = 0.6", _PK, fast_runs=30),
    Case("me2-1", "mg1", "M/E2/1, rho = 0.6", _PK, fast_runs=30),
    Case("mlognormal1", "mg1", "M/lognormal/1, rho = 0.49", _PK, fast_runs=30),
    Case("mtginf-sinusoidal", "mtginf", "M_t/M/infinity, daily sinusoid", _EMW, fast_runs=30),
    Case(
        "mtginf-hour-of-week", "mtginf", "M_t/G/infinity, hour-of-week profile", _EMW, fast_runs=30
    ),
)


def case(name: str) -> Case:
    """The case of that scenario name."""
    for candidate in CASES:
        if candidate.name == name:
            return candidate
    raise KeyError(f"no validation case {name!r}; cases are {', '.join(c.name for c in CASES)}")


@cache
def _load(path: Path) -> Scenario:
    return load_scenario(path)


# --------------------------------------------------------------------------------------------
# Replications and their summary.


def run_replication(validation_case: Case, run: int) -> RunMeasures:
    """Simulate run ``run`` of the case's baseline (its file's root seed) and measure it."""
    scenario = validation_case.scenario()
    result = simulate(scenario, "baseline", run)
    horizon = scenario.horizon.weeks * MINUTES_PER_WEEK
    return measure_run(
        result.records,
        horizon,
        validation_case.warmup_weeks * MINUTES_PER_WEEK,
        validation_case.tail_minutes,
    )


def _replication_task(task: tuple[str, int]) -> RunMeasures:
    name, run = task
    return run_replication(case(name), run)


def run_replications(validation_case: Case, runs: int, jobs: int = 1) -> list[RunMeasures]:
    """Runs 0 .. runs - 1 of the case, in this process or on ``jobs`` forked workers.

    The result does not depend on ``jobs``: run i's numbers depend only on (seed, i).
    """
    tasks = [(validation_case.name, run) for run in range(runs)]
    if jobs <= 1 or runs <= 1:
        return [_replication_task(task) for task in tasks]
    validation_case.scenario()  # load once in the parent; forked workers inherit the cache
    with multiprocessing.get_context("fork").Pool(min(jobs, runs)) as pool:
        return pool.map(_replication_task, tasks, chunksize=max(1, runs // (4 * jobs)))


@dataclass(frozen=True)
class Estimate:
    """Mean over runs of one per-run value, with its between-run standard error."""

    mean: float
    se: float
    runs: int

    @property
    def ci(self) -> tuple[float, float]:
        """Student-t 95% confidence interval of the mean."""
        if self.runs < 2:
            return (math.nan, math.nan)
        half = stats.t.ppf(0.975, self.runs - 1) * self.se
        return (self.mean - half, self.mean + half)


def estimate(values: Sequence[float] | np.ndarray) -> Estimate:
    """Mean, standard error (sd / sqrt(n)) and n of independent per-run values."""
    array = np.asarray(values, dtype=np.float64)
    n = len(array)
    se = float(array.std(ddof=1) / math.sqrt(n)) if n > 1 else math.nan
    return Estimate(float(array.mean()), se, n)


@dataclass(frozen=True)
class Check:
    """One row of the report: a theory value against the simulated estimate."""

    label: str
    theory: float
    estimate: Estimate
    unit: str = ""
    key: str = ""

    @property
    def z(self) -> float:
        """(mean - theory) / SE; 0 when both agree exactly (SE 0 for an exact quantity)."""
        error = self.estimate.mean - self.theory
        if self.estimate.se == 0:
            return 0.0 if abs(error) <= 1e-12 else math.inf
        return error / self.estimate.se

    @property
    def relative_se(self) -> float:
        """SE / |theory|: how sharp the check is."""
        return self.estimate.se / abs(self.theory) if self.theory else math.nan

    @property
    def passed(self) -> bool:
        """|z| <= Z_LIMIT."""
        return abs(self.z) <= Z_LIMIT


@dataclass
class CaseResult:
    """Everything the report says about one case."""

    case: Case
    runs: list[RunMeasures]
    checks: list[Check]
    little_ok: bool
    little_max_gap: float
    """max over runs of |L - lambda_hat W_hat| / L."""
    little_max_edge: float
    """max over runs of the edge bound / L (the tolerance)."""
    hourly: HourlyResult | None = None
    chi_square: ChiSquareResult | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """Every check of the case passed."""
        return (
            all(check.passed for check in self.checks)
            and self.little_ok
            and (self.hourly is None or self.hourly.passed)
            and (self.chi_square is None or self.chi_square.passed)
            and all(run.all_resolved and run.min_wait >= -WAIT_EPSILON_MINUTES for run in self.runs)
        )


@dataclass(frozen=True)
class HourlyResult:
    """The 168 hour-of-week means of an M_t/G/infinity case against Eick-Massey-Whitt."""

    theory: np.ndarray
    mean: np.ndarray
    se: np.ndarray
    runs: int

    @property
    def z(self) -> np.ndarray:
        """(mean - theory) / SE per hour."""
        return (self.mean - self.theory) / self.se

    @property
    def z_limit(self) -> float:
        """Bonferroni limit: family-wise false-alarm probability HOURLY_FAMILY_ALPHA."""
        return float(stats.t.isf(HOURLY_FAMILY_ALPHA / (2 * HOURS_PER_WEEK), self.runs - 1))

    @property
    def passed(self) -> bool:
        """Every hour within z_limit standard errors of the theory."""
        return bool(np.all(np.abs(self.z) <= self.z_limit))


@dataclass(frozen=True)
class ChiSquareResult:
    """Arrivals per hour-of-week bin (over all runs and weeks) against the configured rates."""

    observed: np.ndarray
    expected: np.ndarray

    @property
    def statistic(self) -> float:
        """Pearson's X^2 = sum (O - E)^2 / E."""
        return float(np.sum((self.observed - self.expected) ** 2 / self.expected))

    @property
    def dof(self) -> int:
        """168 bins, rates fully specified (none estimated): 168 degrees of freedom."""
        return len(self.observed)

    @property
    def p_value(self) -> float:
        """P(chi-square(dof) >= X^2)."""
        return float(stats.chi2.sf(self.statistic, self.dof))

    @property
    def passed(self) -> bool:
        """p-value at least CHI_SQUARE_ALPHA."""
        return self.p_value >= CHI_SQUARE_ALPHA


def little_law_holds(run: RunMeasures) -> bool:
    """Little's law on one run's sample path: |L - lambda W| within the edge term, and the exact
    identity L - lambda W = (carry-in - spill-out) / window up to float rounding."""
    rounding = 1e-9 * run.in_system
    return (
        abs(run.little_gap) <= run.little_edge + rounding and abs(run.little_residual) <= rounding
    )


def evaluate(
    validation_case: Case,
    runs: int | None = None,
    jobs: int = 1,
    metrics: Sequence[str] | None = None,
    measures: list[RunMeasures] | None = None,
) -> CaseResult:
    """Run (or reuse ``measures`` of) a case's replications and check them against theory.

    Args:
        validation_case: the case.
        runs: replications (default: the file's horizon.runs).
        jobs: worker processes.
        metrics: keys of the scalar metrics to check (default: all).
        measures: already measured runs (then ``runs`` and ``jobs`` are ignored).
    """
    scenario = validation_case.scenario()
    if measures is None:
        runs = scenario.horizon.runs if runs is None else runs
        measures = run_replications(validation_case, runs, jobs)
    checks = [
        Check(
            metric.label,
            metric.theory,
            estimate([metric.value(run) for run in measures]),
            metric.unit,
            metric.key,
        )
        for metric in validation_case.metrics()
        if metrics is None or metric.key in metrics
    ]
    little_ok = all(little_law_holds(run) for run in measures)
    result = CaseResult(
        case=validation_case,
        runs=measures,
        checks=checks,
        little_ok=little_ok,
        little_max_gap=max(abs(run.little_gap) / run.in_system for run in measures),
        little_max_edge=max(run.little_edge / run.in_system for run in measures),
    )
    if validation_case.kind == "mtginf":
        hourly = np.array([run.hourly_in_system for run in measures])
        result.hourly = HourlyResult(
            theory=validation_case.hourly_theory(),
            mean=hourly.mean(axis=0),
            se=hourly.std(axis=0, ddof=1) / math.sqrt(len(measures)),
            runs=len(measures),
        )
    queue = validation_case.queue()
    if queue.time_varying:
        observed = np.sum([run.hourly_arrivals for run in measures], axis=0)
        expected = queue.hourly_rate * MINUTES_PER_HOUR * queue.weeks * len(measures)
        result.chi_square = ChiSquareResult(observed=observed, expected=expected)
    return result


# --------------------------------------------------------------------------------------------
# The report.


def _number(value: float) -> str:
    if value == 0:
        return "0"
    if not math.isfinite(value):
        return str(value)
    magnitude = abs(value)
    if magnitude >= 100:
        return f"{value:,.1f}"
    if magnitude >= 1:
        return f"{value:.3f}"
    if magnitude >= 0.001:
        return f"{value:.4f}"
    return f"{value:.2e}"


def _mark(passed: bool) -> str:
    return "pass" if passed else "**FAIL**"


def case_markdown(result: CaseResult, figure: str | None = None) -> str:
    """The report section of one case: parameters, then a table of theory against simulation."""
    validation_case = result.case
    scenario = validation_case.scenario()
    queue = validation_case.queue()
    runs = len(result.runs)
    lines = [
        f"### {validation_case.title}: `scenarios/validation/{validation_case.name}.yaml`",
        "",
        f"c = {queue.servers} engineer{'s' if queue.servers != 1 else ''}, lambda = "
        f"{queue.arrival_rate * 60:g} per hour{' on average' if queue.time_varying else ''}, "
        f"work time {_describe(queue.work)} (E[S] = {queue.service_mean:.4g} min), "
        f"rho = {queue.utilisation:.4g}. "
        f"{runs} runs of {scenario.horizon.weeks} weeks (seed {scenario.horizon.seed}), "
        f"the first {_weeks(validation_case.warmup_weeks)}"
        f" discarded; {np.mean([run.arrivals for run in result.runs]):,.0f} incidents per run "
        "after the warm-up."
        f"{' Runs only in the slow suite.' if validation_case.slow else ''}",
        "",
        f"Theory: {validation_case.theory}.",
        "",
        "| metric | theory | simulated (mean of runs) | 95% CI | SE / theory | z | result |",
        "|---|---:|---:|---|---:|---:|---|",
    ]
    for check in result.checks:
        low, high = check.estimate.ci
        unit = f" {check.unit}" if check.unit else ""
        relative = f"{check.relative_se:.2%}" if math.isfinite(check.relative_se) else "-"
        lines.append(
            f"| {check.label} | {_number(check.theory)}{unit} | {_number(check.estimate.mean)}"
            f"{unit} | {_number(low)} .. {_number(high)} | {relative} | {check.z:+.2f} | "
            f"{_mark(check.passed)} |"
        )
    lines.append(
        f"| Little's law, every run: max \\|L - lambda W\\| / L | <= edge term (max "
        f"{result.little_max_edge:.1e}) | {result.little_max_gap:.1e} | - | - | - | "
        f"{_mark(result.little_ok)} |"
    )
    if validation_case.kind == "mtginf":
        largest = max(max(run.max_wait, -run.min_wait) for run in result.runs)
        lines.append(
            f"| largest \\|wait\\| of any incident (infinite server: 0; float rounding "
            f"< {WAIT_EPSILON_MINUTES:g} min) | 0 min | {_number(largest)} min"
            f" | - | - | - | {_mark(largest <= WAIT_EPSILON_MINUTES)} |"
        )
    if result.hourly is not None:
        hourly = result.hourly
        worst = int(np.argmax(np.abs(hourly.z)))
        lines.append(
            f"| number in system at each of the 168 hour-of-week starts | m(t), "
            f"{_number(hourly.theory.min())} .. {_number(hourly.theory.max())} | "
            f"max \\|z\\| = {np.abs(hourly.z).max():.2f} ({_hour_name(worst)}) | - | "
            f"{np.median(hourly.se / hourly.theory):.2%} (median) | limit "
            f"{hourly.z_limit:.2f} | {_mark(hourly.passed)} |"
        )
    if result.chi_square is not None:
        chi = result.chi_square
        lines.append(
            f"| arrivals per hour-of-week bin vs configured rates: chi-square "
            f"({chi.dof} dof) | mean {chi.dof} | X^2 = {chi.statistic:.1f} | - | - | "
            f"p = {chi.p_value:.3f} | {_mark(chi.passed)} |"
        )
    if result.hourly is not None:
        hourly = result.hourly
        if figure:
            lines += ["", f"![{validation_case.title}]({figure})"]
        lines += [
            "",
            "<details><summary>Mean number in system at each of the 168 hour-of-week starts"
            "</summary>",
            "",
            "| hour (UTC) | theory m(t) | simulated | 95% CI | z |",
            "|---|---:|---:|---|---:|",
        ]
        half = stats.t.ppf(0.975, hourly.runs - 1) * hourly.se
        for index in range(HOURS_PER_WEEK):
            lines.append(
                f"| {_hour_name(index)} | {hourly.theory[index]:.3f} | "
                f"{hourly.mean[index]:.3f} | {hourly.mean[index] - half[index]:.3f} .. "
                f"{hourly.mean[index] + half[index]:.3f} | {hourly.z[index]:+.2f} |"
            )
        lines += ["", "</details>"]
    lines.append("")
    return "\n".join(lines)


def _weeks(count: int) -> str:
    return "week" if count == 1 else f"{count} weeks"


def _hour_name(index: int) -> str:
    days = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    return f"{days[index // 24]} {index % 24:02d}:00"


def _describe(work) -> str:
    if isinstance(work, Exponential):
        return "exponential"
    if isinstance(work, Fixed):
        return f"fixed at {work.value:g} min"
    if isinstance(work, Gamma):
        return f"gamma with shape {work.shape:g}"
    if isinstance(work, Lognormal):
        return f"lognormal with median {work.median:g} min and sigma {work.sigma:g}"
    return str(work.distribution)


def _hourly_figure(result: CaseResult, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    hourly = result.hourly
    assert hourly is not None
    hours = np.arange(HOURS_PER_WEEK)
    half = stats.t.ppf(0.975, hourly.runs - 1) * hourly.se
    figure, axis = plt.subplots(figsize=(10, 3.6))
    axis.fill_between(hours, hourly.mean - half, hourly.mean + half, alpha=0.3, label="95% CI")
    axis.plot(hours, hourly.mean, ".", markersize=3, label="simulated (mean of runs)")
    axis.plot(hours, hourly.theory, "-", linewidth=1, color="black", label="theory m(t)")
    queue = result.case.queue()
    rate = queue.hourly_rate * queue.service_mean
    axis.step(hours, rate, where="post", linewidth=0.8, color="grey", alpha=0.7,
              label="lambda(t) E[S] (no lag)")  # fmt: skip
    axis.set_xticks(range(0, HOURS_PER_WEEK + 1, 24))
    axis.set_xticklabels(["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun", ""])
    axis.set_xlim(0, HOURS_PER_WEEK)
    axis.set_ylabel("number in system")
    axis.set_title(f"{result.case.title}: mean number in system at each hour of the week (UTC)")
    axis.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=4, fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=110, metadata={"Software": None})
    plt.close(figure)


def _check_count(result: CaseResult) -> int:
    # Scalar checks + Little's law + (for M_t/G/infinity) no wait, the 168 hours, chi-square.
    return (
        len(result.checks)
        + 1
        + (result.case.kind == "mtginf")
        + (result.hourly is not None)
        + (result.chi_square is not None)
    )


def report_markdown(results: Sequence[CaseResult], figures: dict[str, str] | None = None) -> str:
    """The whole validation document."""
    figures = figures or {}
    checks = sum(_check_count(result) for result in results)
    all_passed = all(result.passed for result in results)
    failed = [result.case.name for result in results if not result.passed]
    verdict = (
        f"**All {len(results)} cases ({checks} checks) pass.**"
        if all_passed
        else f"**Not all cases pass: {', '.join(failed)} failed.**"
    )
    max_runs = max(len(result.runs) for result in results)
    single = stats.t.sf(Z_LIMIT, max_runs - 1) * 2
    lines = [
        "# Validation against queueing theory",
        "",
        "<!-- Generated by `python -m sim.validation --out docs/validation.md`; do not edit. -->",
        "",
        "The on-call model, configured as a classic queue by scenario files alone, reproduces the "
        "closed-form results of queueing theory: Erlang C for M/M/c (c = 1, 3 and a heavily "
        "loaded c = 2), Pollaczek-Khinchine for M/G/1 (deterministic, Erlang-2 and lognormal work "
        "times), Little's law on every run, and Eick, Massey and Whitt for the infinite-server "
        "queue with a time-varying arrival rate, whose arrivals per hour-of-week bin also match "
        f"the configured rates. {verdict} Every number below comes from the scenario files in "
        "`scenarios/validation/`; each file's header states its queue, theory and parameters.",
        "",
        "Regenerate this page (deterministic: same seeds, same page; about two minutes on two "
        "cores):",
        "",
        "```bash",
        ".venv/bin/python -m sim.validation --out docs/validation.md --jobs 2",
        "```",
        "",
        "`--runs N` overrides the runs per case and `--case NAME` selects cases. The same checks "
        "run as tests: `tests/validation/` (the fast cases with fewer runs in `make test`, "
        "everything with these runs in `make test-slow`).",
        "",
        "## How the model becomes a queue",
        "",
        "One team with `rotation: {shift: pool}`: all c engineers are on duty, and an incident "
        "waits, first come, first served, for the first free engineer, who is paged at that "
        "moment. `escalation.levels: [primary]` and `response.ack_delay_minutes: 0` make the "
        "acknowledgement immediate, so an incident's wait in queue is *first page - start* and "
        "its service time is its work time. `severity_work_factor` is 1.0 for every severity, so "
        "the work time is exactly the configured distribution; detection and self-healing "
        "coverage are 0. Arrivals come from the model's own Poisson generator: a `flat` profile "
        "gives a constant rate, an hour-of-week profile a rate that is constant within each hour. "
        "The time zone is UTC. `sim.validation.queue_parameters` refuses a scenario that is not "
        "of this form, and reads c, the rates and the work-time distribution from the loaded "
        "scenario; the theory values are computed from them with `sim/queueing.py`, never "
        "retyped.",
        "",
        "## Method",
        "",
        "- **Replications.** Each case runs R independent replications (R = the file's "
        "`horizon.runs`): run i is `simulate(scenario, run=i)` with the file's root seed. Each "
        "run yields one value of every measure; the tables give their mean over runs, the "
        "Student-t 95% confidence interval from the between-run standard error SE = sd / sqrt(R) "
        "(the runs are independent, so the SE is honest whatever the autocorrelation inside a "
        "run), SE relative to the theory value (how sharp the check is), and "
        "z = (mean - theory) / SE.",
        "- **Warm-up.** Every run starts with an empty system, so its first week (two weeks for "
        "the heavily loaded M/M/2, whose relaxation time is about four days) is discarded: waits "
        "and times in system are those of the incidents that start in [warm-up, horizon), and "
        "time averages are over that window. Arrivals stop at the horizon but every incident is "
        "worked to the end, and with first come, first served no later arrival changes an "
        "earlier incident's wait, so the window's end adds no bias.",
        "- **Measures per run.** Wait W = first page - start; P(W > 0) and P(W > t) are shares "
        "of the window's incidents; time in system = resolved - start; work time = resolved - "
        "work start; L = the integral over the window of the number of incidents with start <= "
        "t < resolved, divided by the window's length; lambda = the window's arrivals / its "
        "length.",
        f"- **Tolerance.** A check passes when \\|z\\| <= {Z_LIMIT:g}. Under a correct model z "
        f"is Student-t with R - 1 degrees of freedom, so one check fails by chance with "
        f"probability {single:.1e} (R = {max_runs}); over the {checks} checks here the union "
        "bound keeps the chance that a correct model fails any of them near 1% (lower in fact: "
        "the checks of one case are positively correlated). The seeds are fixed, so the page is "
        "reproducible. Estimator biases (what is left of the empty start, the O(1/n) bias of a "
        "ratio of per-run sums) are far below one SE. SE / theory shows that the checks are not "
        "vacuous: it is about 1% for the mean waits, so a model 5% off in its waits fails. "
        "`tests/validation/test_queueing_theory.py` shows that work times only 5% longer than "
        "configured fail the M/D/1 checks clearly (mean wait, P(W > 0) and L each more than "
        "6 SE off, with 20 runs).",
        "- **Little's law** is checked on every run as a sample-path identity: L x window = "
        "the sum of the times in system of the window's arrivals + the time that incidents "
        "started before the window spend inside it (carry-in) - the time that the window's "
        "arrivals spend after its end (spill-out). So \\|L - lambda W\\| may not exceed the "
        "edge term (carry-in + spill-out) / window, and L - lambda W must equal (carry-in - "
        "spill-out) / window up to float rounding. The edge term is at most a percent or so of "
        "L (its largest value over the runs is shown), so the tolerance is tight; a lost "
        "incident, or one resolved before it started, would break the identity. The row *mean "
        "number in system L* checks L itself against theory.",
        "- **M_t/G/infinity** (Eick, Massey and Whitt 1993): the number in system at time t is "
        "Poisson with mean m(t) = integral_0^inf lambda(t - u) P(S > u) du, exact for the "
        "model's hourly step rate (`sim.queueing.infinite_server_mean`, with the integrals of "
        "P(S > u) over each hour in closed form from the work-time distribution's partial "
        "expectations). The number in system is counted at each of the 168 hour-of-week starts "
        "of every week after the warm-up and averaged over those weeks; each of the 168 hours "
        "must be within the Bonferroni limit for a family-wise false-alarm probability of "
        f"{HOURLY_FAMILY_ALPHA:g}. Sharper, since they pool all hours: the daily cycle of the "
        "number in system. m is the arrival rate filtered by P(S > u), so its daily Fourier "
        "component is the rate's, damped and delayed by the transform of the survival function "
        "(for a sinusoidal rate and exponential work of mean tau: amplitude x 1 / sqrt(1 + "
        "(omega tau)^2), lag arctan(omega tau) / omega). Each run's daily component is projected "
        "on the theory's phase (amplitude) and perpendicular to it (peak time, linearised), so "
        "both are linear in the data and their SE is exact. With 60 engineers nobody ever "
        "waits, which is checked "
        f"(largest \\|wait\\| below {WAIT_EPSILON_MINUTES:g} min: the model releases an "
        "incident at now + (start - now) minutes, which float arithmetic may put one unit in "
        "the last place, about 1e-14 min, from its start).",
        "- **Arrivals per hour-of-week bin** of the time-varying cases, pooled over runs and "
        "weeks, against the configured rates: Pearson's chi-square with 168 degrees of freedom "
        f"(the rates are given, not estimated); it passes when p >= {CHI_SQUARE_ALPHA:g}.",
        "",
        "## Summary",
        "",
        "| case | queue | theory | runs x weeks | checks | result |",
        "|---|---|---|---|---:|---|",
    ]
    theory_names = {"mmc": "Erlang C", "mg1": "Pollaczek-Khinchine", "mtginf": "Eick-Massey-Whitt"}
    for result in results:
        scenario = result.case.scenario()
        lines.append(
            f"| `{result.case.name}` | {result.case.title} | {theory_names[result.case.kind]} | "
            f"{len(result.runs)} x {scenario.horizon.weeks} | {_check_count(result)} | "
            f"{_mark(result.passed)} |"
        )
    lines += ["", "## Cases", ""]
    for result in results:
        lines.append(case_markdown(result, figures.get(result.case.name)))
    return "\n".join(lines).rstrip() + "\n"


def write_report(
    path: Path | str,
    runs: int | None = None,
    jobs: int = 1,
    cases: Sequence[Case] = CASES,
    progress: Callable[[str], None] | None = None,
) -> list[CaseResult]:
    """Evaluate ``cases`` and write the validation document (and its figures) to ``path``.

    Args:
        path: the Markdown file to write (figures go next to it, ``validation-<case>.png``).
        runs: replications per case (default: each file's horizon.runs).
        jobs: worker processes.
        cases: the cases to run.
        progress: called with a line of text after each case.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    results = []
    figures = {}
    for validation_case in cases:
        started = time.perf_counter()
        result = evaluate(validation_case, runs=runs, jobs=jobs)
        results.append(result)
        if result.hourly is not None:
            figure = f"validation-{validation_case.name}.png"
            _hourly_figure(result, path.parent / figure)
            figures[validation_case.name] = figure
        if progress is not None:
            progress(
                f"{validation_case.name}: {'pass' if result.passed else 'FAIL'} "
                f"({len(result.runs)} runs, {time.perf_counter() - started:.1f} s)"
            )
    temporary = path.with_suffix(path.suffix + ".tmp")
    temporary.write_text(report_markdown(results, figures), encoding="utf-8")
    temporary.replace(path)
    return results


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m sim.validation``: write the validation report; exit status 1 if a case fails."""
    parser = argparse.ArgumentParser(
        prog="python -m sim.validation",
        description="Run the queueing-theory validation cases and write the report.",
    )
    parser.add_argument("--out", type=Path, default=Path("docs/validation.md"), help="report file")
    parser.add_argument(
        "--runs", type=int, default=None, help="runs per case (default: each file's horizon.runs)"
    )
    parser.add_argument("--jobs", type=int, default=1, help="worker processes")
    parser.add_argument("--case", action="append", default=None, help="only this case (repeatable)")
    args = parser.parse_args(argv)
    selected = CASES if not args.case else tuple(case(name) for name in args.case)
    started = time.perf_counter()
    results = write_report(
        args.out,
        runs=args.runs,
        jobs=args.jobs,
        cases=selected,
        progress=lambda line: print(line, flush=True),
    )
    failed = [result.case.name for result in results if not result.passed]
    print(
        f"wrote {args.out} ({len(results)} cases, {time.perf_counter() - started:.0f} s): "
        + ("all pass" if not failed else f"FAILED: {', '.join(failed)}")
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
