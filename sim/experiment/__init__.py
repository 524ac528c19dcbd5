"""Experiments: paired replications of a scenario's variants, and what is built on them.

* :mod:`sim.experiment.runs`: the plan (compiled variants) and one run (``simulate``);
* :mod:`sim.experiment.replications`: many runs, serial, on a process pool or on Dask;
* :mod:`sim.experiment.dask_executor`: the Dask executor (optional ``dask`` extra);
* :mod:`sim.experiment.session`, :mod:`sim.experiment.results`: the results folder, resume;
* :mod:`sim.experiment.capacity`: the up-front memory estimate;
* :mod:`sim.experiment.sweep`: sensitivity grids;
* :mod:`sim.experiment.sensitivity`: global sensitivity (one at a time, Morris, Sobol; SALib);
* :mod:`sim.experiment.adaptive`: adaptive precision (how many runs a question needs).
"""

from sim.experiment.replications import (
    CHUNK_RUNS,
    ExperimentResult,
    results_table,
    run_experiment,
)
from sim.experiment.runs import ExperimentPlan, SingleRun, plan_experiment, simulate, simulate_run

__all__ = [
    "CHUNK_RUNS",
    "ExperimentPlan",
    "ExperimentResult",
    "SingleRun",
    "plan_experiment",
    "results_table",
    "run_experiment",
    "simulate",
    "simulate_run",
]
