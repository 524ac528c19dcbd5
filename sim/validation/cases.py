"""Cases: a scenario, its theory, and how to measure it."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

import sim.validation.queueing as queueing
from sim.scenario import Scenario, load_scenario
from sim.scenario.profiles import HOURS_PER_WEEK
from sim.validation.measures import RunMeasures
from sim.validation.parameters import (
    MINUTES_PER_HOUR,
    QueueParameters,
    queue_parameters,
    survival_integrals,
)

#: Directory of the validation scenarios (the repository's, next to the package).
VALIDATION_DIR = Path(__file__).resolve().parents[2] / "scenarios" / "validation"


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
        """Every scalar check of the case, with its theory value (from ``queueing``)."""
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
