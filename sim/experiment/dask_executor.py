"""Runs on a Dask cluster (the optional ``dask`` extra): the same chunks as the process pool.

A run's result is a pure function of (plan, run index), so where it runs does not matter: the
plan is sent to every worker once, each chunk of run indices is a task, and results come back
as they finish. The numba kernels compile on each worker on first use (and are cached on disk).
"""

from __future__ import annotations

from collections.abc import Iterator

from sim.experiment.runs import ExperimentPlan, run_chunk


class DaskUnavailableError(RuntimeError):
    """Dask was asked for but is not installed."""


def run_chunks_on_dask(
    plan: ExperimentPlan,
    chunks: list[list[int]],
    scheduler: str,
    jobs: int,
    detail: bool = False,
) -> Iterator[tuple]:
    """Yield (run indices, KPI array, detail tables or None) per chunk as the cluster
    finishes them (see :func:`sim.experiment.runs.run_chunk`).

    ``scheduler`` is a scheduler address, or ``"local"`` for a cluster of ``jobs`` worker
    processes on this machine (one thread each: the model is pure Python).
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
    try:
        plan_on_workers = client.scatter(plan, broadcast=True)
        futures = [
            client.submit(run_chunk, plan_on_workers, chunk, detail, pure=False) for chunk in chunks
        ]
        for future in as_completed(futures):
            yield future.result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
