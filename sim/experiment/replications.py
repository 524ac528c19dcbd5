"""Paired replications: N runs x variants, serial, on a fork process pool, or on Dask.

A run's KPIs are a pure function of (scenario, variant, root seed, i) (:mod:`sim.experiment.runs`),
so the same seed gives the same table with any number of jobs or any executor: nothing depends on
which worker ran what.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import signal
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.experiment.adaptive import (
    HEADLINE_KPI,
    PrecisionTarget,
    first_run_count,
    next_run_count,
    precision_provenance,
    relative_half_widths,
    widest_half_width,
)
from sim.experiment.detail import concat_detail
from sim.experiment.provenance import experiment_provenance
from sim.experiment.runs import ExperimentPlan, plan_experiment, run_chunk
from sim.generator import warm_up_kernels
from sim.metrics import kpi_directions
from sim.scenario.models import Scenario
from sim.stats import compare

#: Runs per task sent to a worker: large enough to amortise inter-process traffic, small enough
#: for a smooth progress bar and little lost work on interruption.
CHUNK_RUNS = 8


def _ignore_interrupts() -> None:
    # Ctrl-C reaches the whole process group; only the parent handles it (and saves the runs).
    signal.signal(signal.SIGINT, signal.SIG_IGN)


# The plan a forked worker inherits from its parent (set just before the pool starts).
_WORKER_PLAN: ExperimentPlan | None = None


def _run_chunk(task: tuple[list[int], bool]):
    assert _WORKER_PLAN is not None
    return run_chunk(_WORKER_PLAN, *task)


@dataclass
class ExperimentResult:
    """Per-run KPIs of an experiment, with what produced them."""

    runs: pd.DataFrame
    """One row per (run, variant): columns run, variant, then one per KPI."""
    scenario: Scenario
    provenance: dict = field(default_factory=dict)
    detail: dict[str, pd.DataFrame] = field(default_factory=dict)
    """With ``detail=True``: the tables of :mod:`sim.experiment.detail` (pages_by_hour,
    people, weekly), for the figures of a report."""

    def compare(self, kpis: Sequence[str] | None = None) -> pd.DataFrame:
        """Paired comparison of every variant with the baseline (see :func:`sim.stats.compare`);
        all KPI columns by default."""
        if kpis is None:
            kpis = [column for column in self.runs.columns if column not in ("run", "variant")]
        return compare(self.runs, list(kpis), directions=kpi_directions(kpis))


def results_table(
    plan: ExperimentPlan, run_indices: Sequence[int], values: np.ndarray
) -> pd.DataFrame:
    """Tidy table from an array (runs, variants, KPIs), sorted by run then variant order."""
    runs = len(run_indices)
    names = plan.variant_names
    columns = list(plan.kpi_names)
    table = pd.DataFrame(values.reshape(runs * len(names), len(columns)), columns=columns)
    table.insert(0, "variant", pd.Categorical(np.tile(names, runs), categories=names))
    table.insert(0, "run", np.repeat(np.asarray(run_indices, dtype=np.int64), len(names)))
    return table.sort_values(["run", "variant"], kind="stable").reset_index(drop=True)


class _ChunkRunner:
    """Runs chunks of run indices on the chosen executor, kept open across batches."""

    def __init__(
        self, plan: ExperimentPlan, jobs: int, scheduler: str | None, detail: bool = False
    ) -> None:
        self.plan = plan
        self.jobs = jobs
        self.scheduler = scheduler
        self.detail = detail
        self._resources = contextlib.ExitStack()
        self._pool = None
        self._dask = None

    def __enter__(self) -> _ChunkRunner:
        return self

    def __exit__(self, *exc_info: object) -> None:
        global _WORKER_PLAN
        self._resources.close()
        _WORKER_PLAN = None

    def run(
        self, chunks: list[list[int]]
    ) -> Iterator[tuple[list[int], np.ndarray, dict[str, pd.DataFrame] | None]]:
        """Yield (run indices, KPI array, detail tables or None) per chunk, in the order they
        finish (see :func:`sim.experiment.runs.run_chunk`)."""
        global _WORKER_PLAN
        if self.scheduler is not None:
            if self._dask is None:
                from sim.experiment.dask_executor import dask_chunk_runner

                self._dask = self._resources.enter_context(
                    dask_chunk_runner(self.plan, self.scheduler, self.jobs, self.detail)
                )
            yield from self._dask(chunks)
        elif self.jobs == 1 or (len(chunks) <= 1 and self._pool is None):
            for chunk in chunks:
                yield run_chunk(self.plan, chunk, self.detail)
        else:
            if self._pool is None:
                _WORKER_PLAN = self.plan
                context = multiprocessing.get_context("fork")
                self._pool = self._resources.enter_context(
                    context.Pool(processes=self.jobs, initializer=_ignore_interrupts)
                )
            tasks = [(chunk, self.detail) for chunk in chunks]
            yield from self._pool.imap_unordered(_run_chunk, tasks)


def _chunks(runs: Sequence[int]) -> list[list[int]]:
    runs = list(runs)
    return [runs[start : start + CHUNK_RUNS] for start in range(0, len(runs), CHUNK_RUNS)]


def run_experiment(
    scenario: Scenario,
    *,
    runs: int | None = None,
    jobs: int = 1,
    seed: int | None = None,
    variants: Sequence[str] | None = None,
    skip_runs: Sequence[int] = (),
    on_progress: Callable[[int, int], None] | None = None,
    on_chunk: Callable[[list[int], np.ndarray], None] | None = None,
    plan: ExperimentPlan | None = None,
    scheduler: str | None = None,
    precision: float | None = None,
    kpis: Sequence[str] | None = None,
    max_runs: int | None = None,
    previous_runs: pd.DataFrame | None = None,
    detail: bool = False,
    on_detail: Callable[[dict[str, pd.DataFrame]], None] | None = None,
) -> ExperimentResult:
    """Run ``runs`` paired replications of the baseline and variants, or, with ``precision``,
    as many as the precision asked for needs (:mod:`sim.experiment.adaptive`).

    Args:
        scenario: a loaded scenario.
        runs: number of runs (default: the scenario's ``horizon.runs``). Not with precision.
        jobs: worker processes (1 = in this process). Results do not depend on it.
        seed: root seed (default: the scenario's ``horizon.seed``).
        variants: variant names to compare with the baseline (default: all).
        skip_runs: run indices already done (when resuming); they are not run again.
        on_progress: called with (runs done, runs to do) after each chunk; with precision,
            runs to do is the current batch's target and grows batch by batch.
        on_chunk: called with (run indices, KPI array) after each chunk, e.g. to checkpoint.
        plan: an already compiled plan of this scenario (default: compiled here).
        scheduler: run on Dask instead of a local process pool: the address of a Dask
            scheduler (``tcp://host:8786``), or ``"local"`` for a local Dask cluster of
            ``jobs`` worker processes. Needs the ``dask`` extra. Results are the same.
        precision: the largest 95% CI half-width of the relative change wanted for every
            variant on every KPI of ``kpis`` (0.01: ±1 point). Runs come in batches until
            it is reached or ``max_runs`` is; the provenance says which, with the runs used
            and the precision reached.
        kpis: KPIs the precision applies to (default: the headline,
            ``weekend_escalations_per_weekend``).
        max_runs: cap on runs with precision (default: the scenario's ``horizon.runs``).
        previous_runs: runs of an interrupted experiment (a results table of this plan),
            not run again; with precision, the stopping decisions are replayed on them.
        detail: also compute the per-(run, variant) detail of :mod:`sim.experiment.detail`
            (``result.detail``): pages per hour of week, per person, per week.
        on_detail: called with each chunk's detail tables (implies ``detail``), before
            ``on_chunk``, e.g. to checkpoint them.

    Returns:
        The runs simulated now (with precision: those below the runs used) and provenance.
    """
    started = time.perf_counter()
    if jobs < 1:
        raise ValueError("jobs must be at least 1")
    if precision is not None and runs is not None:
        raise ValueError("give either runs or precision (with max_runs), not both")
    if runs is not None and runs < 1:
        raise ValueError("runs must be at least 1")
    if plan is None:
        plan = plan_experiment(scenario, variants, seed)
    target = None
    if precision is not None:
        target = _precision_target(plan, scenario, precision, kpis, max_runs)
        runs = first_run_count(target)
    runs = scenario.horizon.runs if runs is None else runs
    skipped = set(skip_runs)
    if previous_runs is not None:
        skipped |= set(previous_runs["run"].tolist())
    detail = detail or on_detail is not None
    warm_up_kernels()  # compile in the parent, so forked workers inherit the machine code

    batches = _Batches(plan, skipped, previous_runs, on_chunk, on_progress, on_detail)
    with _ChunkRunner(plan, jobs, scheduler, detail) as runner:
        precision_record: dict = {}
        first = 0
        while True:
            batches.run(runner, first, runs)
            if target is None:
                break
            half_widths = relative_half_widths(batches.table_below(runs), target.kpis)
            next_runs = next_run_count(runs, widest_half_width(half_widths), target)
            if next_runs is None:
                precision_record = precision_provenance(target, runs, half_widths)
                break
            first, runs = runs, next_runs

    provenance = {
        **experiment_provenance(plan, runs=runs, jobs=jobs, scheduler=scheduler),
        **precision_record,
        "runs_simulated_now": batches.simulated,
        "wall_time_seconds": round(time.perf_counter() - started, 3),
    }
    return ExperimentResult(
        runs=batches.table_below(None),
        scenario=scenario,
        provenance=provenance,
        detail=concat_detail(batches.detail, plan.variant_names) if batches.detail else {},
    )


def _precision_target(
    plan: ExperimentPlan,
    scenario: Scenario,
    precision: float,
    kpis: Sequence[str] | None,
    max_runs: int | None,
) -> PrecisionTarget:
    target = PrecisionTarget(
        half_width=precision,
        kpis=tuple(kpis or (HEADLINE_KPI,)),
        max_runs=scenario.horizon.runs if max_runs is None else max_runs,
    )
    unknown = [kpi for kpi in target.kpis if kpi not in plan.kpi_names]
    if unknown:
        raise ValueError(f"{unknown[0]!r} is not a KPI of this scenario")
    return target


class _Batches:
    """The runs simulated so far, batch after batch, with the callbacks of run_experiment."""

    def __init__(self, plan, skipped, previous, on_chunk, on_progress, on_detail=None) -> None:
        self.plan = plan
        self.skipped = skipped
        self.previous = previous
        self.on_chunk = on_chunk
        self.on_progress = on_progress
        self.on_detail = on_detail
        self.indices: list[int] = []
        self.values: list[np.ndarray] = []
        self.detail: list[dict[str, pd.DataFrame]] = []
        self.simulated = 0

    def run(self, runner: _ChunkRunner, first: int, stop: int) -> None:
        """Simulate runs first..stop-1, except those done before."""
        todo = [run for run in range(first, stop) if run not in self.skipped]
        self.simulated += len(todo)
        for indices, values, tables in runner.run(_chunks(todo)):
            self.indices.extend(indices)
            self.values.append(values)
            if tables is not None:
                self.detail.append(tables)
                if self.on_detail is not None:
                    self.on_detail(tables)
            if self.on_chunk is not None:
                self.on_chunk(indices, values)
            if self.on_progress is not None:
                self.on_progress(len(self.indices), self.simulated)

    def table_below(self, stop: int | None) -> pd.DataFrame:
        """Runs simulated now (stop None) or, with earlier ones, every run below ``stop``."""
        values = (
            np.concatenate(self.values)
            if self.values
            else np.empty((0, len(self.plan.variants), len(self.plan.kpi_names)))
        )
        table = results_table(self.plan, self.indices, values)
        if stop is None:
            return table
        if self.previous is not None:
            table = pd.concat([table, self.previous], ignore_index=True)
        return table[table["run"] < stop]
