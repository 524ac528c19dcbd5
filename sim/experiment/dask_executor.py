"""Runs on a Dask cluster (the optional ``dask`` extra): the same chunks as the process pool.

A run's result is a pure function of (plan, run index), so where it runs does not matter: the
plan is sent to every worker once, each chunk of run indices is a task, and results come back
as they finish. The numba kernels compile on each worker on first use (and are cached on disk).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator

import numpy as np

from sim.experiment.runs import ExperimentPlan, simulate_run


class DaskUnavailableError(RuntimeError):
    """Dask was asked for but is not installed."""


def _run_chunk(plan: ExperimentPlan, run_indices: list[int]) -> tuple[list[int], np.ndarray]:
    return run_indices, np.stack([simulate_run(plan, run) for run in run_indices])


@contextlib.contextmanager
def dask_chunk_runner(
    plan: ExperimentPlan, scheduler: str, jobs: int
) -> Iterator[Callable[[list[list[int]]], Iterator[tuple[list[int], np.ndarray]]]]:
    """A connection to a Dask cluster, as a function that runs chunks of run indices.

    ``scheduler`` is a scheduler address, or ``"local"`` for a cluster of ``jobs`` worker
    processes on this machine (one thread each: the model is pure Python). The function
    yields (run indices, KPI array) per chunk as the cluster finishes them. A task whose
    worker dies is re-run on another worker by the scheduler (a run is a pure function of
    its index, so the result is the same); the plan is sent to every worker once, and again
    to workers that join later.
    """
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise DaskUnavailableError(
            "running on Dask needs the dask extra: pip install 'oncall-sim[dask]'"
        ) from None
    cluster = None
    if scheduler == "local":
        cluster = LocalCluster(
            n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=None
        )
        client = Client(cluster)
    else:
        client = Client(scheduler)
    # A future of the plan, not a scattered copy: a worker that joins (or replaces a killed
    # one) fetches it from the scheduler's record of where it lives, or recomputes it.
    plan_future = client.submit(_identity, plan, pure=False)

    def run(chunks: list[list[int]]) -> Iterator[tuple[list[int], np.ndarray]]:
        futures = [client.submit(_run_chunk, plan_future, chunk, pure=False) for chunk in chunks]
        for future in as_completed(futures):
            yield future.result()

    try:
        yield run
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _identity(value: object) -> object:
    return value


def run_chunks_on_dask(
    plan: ExperimentPlan, chunks: list[list[int]], scheduler: str, jobs: int
) -> Iterator[tuple[list[int], np.ndarray]]:
    """Yield (run indices, KPI array) per chunk as the cluster finishes them (see
    :func:`dask_chunk_runner`)."""
    with dask_chunk_runner(plan, scheduler, jobs) as run:
        yield from run(chunks)
