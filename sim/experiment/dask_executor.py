"""Runs on a Dask cluster (the optional ``dask`` extra): the same chunks as the process pool.

A run's result is a pure function of (plan, run index), so where it runs does not matter: the
plan is sent to every worker once, each chunk of run indices is a task, and results come back
as they finish. The numba kernels compile on each worker on first use (and are cached on disk).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator
from concurrent.futures import CancelledError

from sim.experiment.runs import ExperimentPlan, run_chunk

#: Seconds to wait for a scheduler to answer before giving up.
CONNECT_TIMEOUT_SECONDS = 30


class DaskUnavailableError(RuntimeError):
    """Dask was asked for but is not installed."""


class DaskClusterLostError(RuntimeError):
    """The Dask scheduler cannot be reached or went away during the experiment."""


@contextlib.contextmanager
def dask_chunk_runner(
    plan: ExperimentPlan, scheduler: str, jobs: int, detail: bool = False
) -> Iterator[Callable[[list[list[int]]], Iterator[tuple]]]:
    """A connection to a Dask cluster, as a function that runs chunks of run indices.

    ``scheduler`` is a scheduler address, or ``"local"`` for a cluster of ``jobs`` worker
    processes on this machine (one thread each: the model is pure Python). The function
    yields (run indices, KPI array, detail tables or None) per chunk as the cluster finishes
    them (:func:`sim.experiment.runs.run_chunk`). A task whose
    worker dies is re-run on another worker by the scheduler (a run is a pure function of
    its index, so the result is the same). Losing the scheduler raises
    DaskClusterLostError; the runs finished until then are the caller's to keep.
    """
    try:
        import distributed
    except ImportError:
        raise DaskUnavailableError(
            "running on Dask needs the dask extra: pip install 'oncall-sim[dask]'"
        ) from None
    with contextlib.ExitStack() as stack:
        stack.enter_context(_quiet_dask_logs())
        if scheduler == "local":
            cluster = distributed.LocalCluster(
                n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=None
            )
            stack.callback(cluster.close)
            client = distributed.Client(cluster)
        else:
            try:
                client = distributed.Client(scheduler, timeout=CONNECT_TIMEOUT_SECONDS)
            except (OSError, TimeoutError) as error:
                raise DaskClusterLostError(
                    f"cannot reach the Dask scheduler at {scheduler}: {error}"
                ) from None
        stack.callback(client.close)
        # A future of the plan rather than a scattered copy: if every worker holding it dies,
        # the scheduler recomputes it from the task instead of losing it.
        plan_future = client.submit(_identity, plan, pure=False)

        def run(chunks: list[list[int]]) -> Iterator[tuple]:
            futures = [
                client.submit(run_chunk, plan_future, chunk, detail, pure=False) for chunk in chunks
            ]
            try:
                for future in distributed.as_completed(futures):
                    yield future.result()
            except (OSError, TimeoutError, CancelledError) as error:
                raise DaskClusterLostError(
                    f"lost the Dask scheduler at {scheduler} ({type(error).__name__}: {error})"
                ) from error

        yield run


@contextlib.contextmanager
def _quiet_dask_logs() -> Iterator[None]:
    """Losing the scheduler is reported once, as DaskClusterLostError saying what to do; Dask's
    client would log it again as tracebacks on stderr, which a user reads as a crash."""
    loggers = [
        logging.getLogger(name)
        for name in list(logging.root.manager.loggerDict)
        if name.split(".")[0] == "distributed"
    ]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def _identity(value: object) -> object:
    return value


def run_chunks_on_dask(
    plan: ExperimentPlan, chunks: list[list[int]], scheduler: str, jobs: int, detail: bool = False
) -> Iterator[tuple]:
    """Yield (run indices, KPI array, detail tables or None) per chunk as the cluster finishes
    them (see :func:`dask_chunk_runner`)."""
    with dask_chunk_runner(plan, scheduler, jobs, detail) as run:
        yield from run(chunks)
