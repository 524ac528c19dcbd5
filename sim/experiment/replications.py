"""Paired replications: N runs x variants, serial, on a fork process pool, or on Dask.

A run's KPIs are a pure function of (scenario, variant, root seed, i) (:mod:`sim.experiment.runs`),
so the same seed gives the same table with any number of jobs or any executor: nothing depends on
which worker ran what.
"""

from __future__ import annotations

import multiprocessing
import signal
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

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


def _executed_chunks(
    plan: ExperimentPlan,
    chunks: list[list[int]],
    jobs: int,
    scheduler: str | None,
    detail: bool = False,
) -> Iterator[tuple[list[int], np.ndarray, dict[str, pd.DataFrame] | None]]:
    """(run indices, KPI array, detail tables or None) of every chunk, in the order they
    finish: on Dask, in this process (one job or one chunk), or on a fork pool that inherits
    the compiled plan."""
    global _WORKER_PLAN
    if scheduler is not None:
        from sim.experiment.dask_executor import run_chunks_on_dask

        yield from run_chunks_on_dask(plan, chunks, scheduler, jobs, detail)
    elif jobs == 1 or len(chunks) <= 1:
        for chunk in chunks:
            yield run_chunk(plan, chunk, detail)
    else:
        _WORKER_PLAN = plan
        try:
            context = multiprocessing.get_context("fork")
            with context.Pool(
                processes=min(jobs, len(chunks)), initializer=_ignore_interrupts
            ) as pool:
                yield from pool.imap_unordered(_run_chunk, [(chunk, detail) for chunk in chunks])
        finally:
            _WORKER_PLAN = None


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
    detail: bool = False,
    on_detail: Callable[[dict[str, pd.DataFrame]], None] | None = None,
) -> ExperimentResult:
    """Run ``runs`` paired replications of the baseline and variants.

    Args:
        scenario: a loaded scenario.
        runs: number of runs (default: the scenario's ``horizon.runs``).
        jobs: worker processes (1 = in this process). Results do not depend on it.
        seed: root seed (default: the scenario's ``horizon.seed``).
        variants: variant names to compare with the baseline (default: all).
        skip_runs: run indices already done (when resuming); they are not run again.
        on_progress: called with (runs done, runs to do) after each chunk.
        on_chunk: called with (run indices, KPI array) after each chunk, e.g. to checkpoint.
        plan: an already compiled plan of this scenario (default: compiled here).
        scheduler: run on Dask instead of a local process pool: the address of a Dask
            scheduler (``tcp://host:8786``), or ``"local"`` for a local Dask cluster of
            ``jobs`` worker processes. Needs the ``dask`` extra. Results are the same.
        detail: also compute the per-(run, variant) detail of :mod:`sim.experiment.detail`
            (``result.detail``): pages per hour of week, per person, per week.
        on_detail: called with each chunk's detail tables (implies ``detail``), before
            ``on_chunk``, e.g. to checkpoint them.
    """
    runs = scenario.horizon.runs if runs is None else runs
    if runs < 1:
        raise ValueError("runs must be at least 1")
    if jobs < 1:
        raise ValueError("jobs must be at least 1")
    started = time.perf_counter()
    if plan is None:
        plan = plan_experiment(scenario, variants, seed)
    skipped = set(skip_runs)
    todo = [run for run in range(runs) if run not in skipped]
    chunks = [todo[start : start + CHUNK_RUNS] for start in range(0, len(todo), CHUNK_RUNS)]
    warm_up_kernels()  # compile in the parent, so forked workers inherit the machine code

    detail = detail or on_detail is not None
    done_indices: list[int] = []
    done_values: list[np.ndarray] = []
    done_detail: list[dict[str, pd.DataFrame]] = []
    for indices, values, tables in _executed_chunks(plan, chunks, jobs, scheduler, detail):
        done_indices.extend(indices)
        done_values.append(values)
        if tables is not None:
            done_detail.append(tables)
            if on_detail is not None:
                on_detail(tables)
        if on_chunk is not None:
            on_chunk(indices, values)
        if on_progress is not None:
            on_progress(len(done_indices), len(todo))

    values = (
        np.concatenate(done_values)
        if done_values
        else np.empty((0, len(plan.variants), len(plan.kpi_names)))
    )
    table = results_table(plan, done_indices, values)
    provenance = {
        **experiment_provenance(plan, runs=runs, jobs=jobs, scheduler=scheduler),
        "runs_simulated_now": len(todo),
        "wall_time_seconds": round(time.perf_counter() - started, 3),
    }
    return ExperimentResult(
        runs=table,
        scenario=scenario,
        provenance=provenance,
        detail=concat_detail(done_detail, plan.variant_names) if done_detail else {},
    )
