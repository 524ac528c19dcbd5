"""Replications of a case and their summary: estimates, checks against theory, Little's law."""

from __future__ import annotations

import math
import multiprocessing
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import stats

from sim.experiment import simulate
from sim.scenario.profiles import HOURS_PER_WEEK
from sim.validation.cases import Case, case
from sim.validation.measures import WAIT_EPSILON_MINUTES, RunMeasures, measure_run
from sim.validation.parameters import MINUTES_PER_HOUR, MINUTES_PER_WEEK

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
