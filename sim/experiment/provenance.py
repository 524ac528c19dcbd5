"""What produced an experiment's numbers, recorded beside them (``provenance.json``).

Built here only: `run_experiment` records the experiment (seed, runs, executor, versions) and
an `oncall-sim run` session adds its scenario file, digest and command line.
"""

from __future__ import annotations

import os
import platform
from importlib import metadata

from sim.experiment.runs import ExperimentPlan

#: Packages whose versions are recorded (the ones that can move a result or its speed).
RECORDED_PACKAGES = ("numpy", "numba", "simpy", "pandas")


def package_version(package: str) -> str:
    """Installed version of ``package``, or "unknown"."""
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "unknown"


def experiment_provenance(
    plan: ExperimentPlan, *, runs: int, jobs: int, scheduler: str | None
) -> dict:
    """Seed, runs, executor, variants and the software and machine that ran them."""
    return {
        "oncall_sim_version": package_version("oncall-sim"),
        "seed": plan.root_seed,
        "runs": runs,
        "jobs": jobs,
        "executor": "process pool" if scheduler is None else f"dask ({scheduler})",
        "variants": plan.variant_names,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "packages": {name: package_version(name) for name in RECORDED_PACKAGES},
    }
