"""Will an experiment fit in memory? An estimate made before anything runs.

A run holds its whole alert stream and the model's per-alert records in one worker process, so
its memory grows with the number of alerts per run: measured at 1.5-1.9 KB per alert (one
year, 100,000 and 400,000 alerts, peak RSS growth of one process), rounded up here to 2 KiB.
Every process also carries the interpreter, numpy, numba, pandas and SimPy, about 200 MiB, and
the parent keeps the results table (runs x variants x KPIs) and the detail tables (per run and
variant: up to 504 hour-of-week cells, a row per person, a row per week). An experiment whose
estimate exceeds the memory available is refused up front, with the estimate, instead of failing
hours in (docs/design.md: bad input and failure).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sim.experiment.runs import ExperimentPlan
from sim.generator import generate_alert_stream
from sim.scenario import with_overrides

BYTES_PER_ALERT = 2048
PROCESS_BASE_BYTES = 250 * 2**20
RESULT_BYTES_PER_VALUE = 8 * 3  # the array, the table, and a copy while writing
USABLE_SHARE = 0.8  # of the memory available, leaving room for the rest of the machine


@dataclass(frozen=True)
class MemoryEstimate:
    alerts_per_run: float
    """Expected alerts of the largest variant's run (root failures and cascade symptoms)."""
    total_bytes: float
    available_bytes: int | None

    @property
    def fits(self) -> bool:
        return self.available_bytes is None or self.total_bytes <= (
            USABLE_SHARE * self.available_bytes
        )

    def describe(self) -> str:
        available = (
            "unknown" if self.available_bytes is None else _gib(self.available_bytes) + " GiB"
        )
        return (
            f"about {self.alerts_per_run:,.0f} alerts per run need an estimated "
            f"{_gib(self.total_bytes)} GiB (available: {available})"
        )


def _gib(value: float) -> str:
    return f"{value / 2**30:.1f}"


def available_memory_bytes() -> int | None:
    """Memory available to new processes (Linux MemAvailable), or None if unknown."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def _cascade_factor(plan: ExperimentPlan, index: int) -> float:
    """Alerts per root failure, from one generated week of the variant (1 without cascades)."""
    compiled = plan.variants[index]
    if compiled.arrivals.cascades is None:
        return 1.0
    one_week = with_overrides(compiled.scenario, {"horizon.weeks": 1})
    from sim.compile import compile_scenario

    stream = generate_alert_stream(compile_scenario(one_week).arrivals, plan.root_seed, 0)
    roots = int(np.sum(stream.root == np.arange(len(stream))))
    return len(stream) / roots if roots else 1.0


def _detail_values(compiled) -> int:
    """Values the detail tables keep per run of one variant (sim.experiment.detail)."""
    people_columns, weekly_columns, hour_columns = 21, 7, 5
    return (
        504 * hour_columns
        + len(compiled.person_names) * people_columns
        + compiled.weeks * weekly_columns
    )


def estimate_memory(
    plan: ExperimentPlan, runs: int, jobs: int, available: int | None = None
) -> MemoryEstimate:
    """Peak memory of ``runs`` runs on ``jobs`` worker processes (an estimate)."""
    alerts = 0.0
    for index, compiled in enumerate(plan.variants):
        roots = float(compiled.arrivals.cumulative_rate[:, -1].sum())
        if compiled.arrivals.cascades is None:
            factor = 1.0
        elif roots * 10 * BYTES_PER_ALERT > 2**28:
            factor = _cascade_factor(plan, index)  # a sample week: worth it for big streams
        else:
            factor = 10.0  # small streams: a generous bound is cheaper than a sample
        alerts = max(alerts, roots * factor)
    results = runs * len(plan.variants) * len(plan.kpi_names) * RESULT_BYTES_PER_VALUE
    results += (
        runs
        * sum(_detail_values(compiled) for compiled in plan.variants)
        * (RESULT_BYTES_PER_VALUE)
    )
    workers = max(jobs, 1)
    total = PROCESS_BASE_BYTES * (workers + (1 if jobs > 1 else 0))
    total += workers * alerts * BYTES_PER_ALERT + results
    return MemoryEstimate(
        alerts_per_run=alerts,
        total_bytes=total,
        available_bytes=available_memory_bytes() if available is None else available,
    )


def check_fits(plan: ExperimentPlan, runs: int, jobs: int) -> MemoryEstimate:
    """The memory estimate; raise ValueError, with it, if the experiment would not fit."""
    estimate = estimate_memory(plan, runs, jobs)
    if not estimate.fits:
        raise ValueError(
            f"this experiment is too large for this machine: {estimate.describe()}. "
            "Reduce horizon.weeks, alerts_per_week, --runs or --jobs."
        )
    return estimate
