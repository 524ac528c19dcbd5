"""oncall-sim: what a change does to the people who carry the pager.

The library API mirrors the command line::

    from sim import load_scenario, run_experiment
    scenario = load_scenario("scenarios/telco-weekend.yaml")
    result = run_experiment(scenario, runs=200, jobs=2)
    result.compare()                      # paired comparison, one row per KPI and variant

``simulate`` runs a single run of one variant (with an optional event trace).
``read_history``, ``calibrate``, ``backtest`` and ``power_analysis`` are the library side of
``oncall-sim calibrate``, ``backtest`` and ``power``.

The names below load on first use, so ``oncall-sim --help`` stays fast and importing ``sim``
neither imports nor compiles the numba kernels.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_PUBLIC = {
    "backtest": "sim.calibration.backtest",
    "calibrate": "sim.calibration",
    "power_analysis": "sim.calibration.power",
    "read_history": "sim.calibration",
    "ExperimentResult": "sim.experiment",
    "SingleRun": "sim.experiment",
    "run_experiment": "sim.experiment",
    "simulate": "sim.experiment",
    "KPIS": "sim.metrics",
    "KPI_DESCRIPTIONS": "sim.metrics",
    "Scenario": "sim.scenario",
    "ScenarioError": "sim.scenario",
    "load_scenario": "sim.scenario",
    "resolve_variant": "sim.scenario",
    "with_overrides": "sim.scenario",
    "compare": "sim.stats",
    "compare_paired": "sim.stats",
}
__all__ = [
    "KPIS",
    "KPI_DESCRIPTIONS",
    "ExperimentResult",
    "Scenario",
    "ScenarioError",
    "SingleRun",
    "backtest",
    "calibrate",
    "compare",
    "compare_paired",
    "load_scenario",
    "power_analysis",
    "read_history",
    "resolve_variant",
    "run_experiment",
    "simulate",
    "with_overrides",
]

if TYPE_CHECKING:
    from sim.calibration import calibrate, read_history
    from sim.calibration.backtest import backtest
    from sim.calibration.power import power_analysis
    from sim.experiment import ExperimentResult, SingleRun, run_experiment, simulate
    from sim.metrics import KPI_DESCRIPTIONS, KPIS
    from sim.scenario import Scenario, ScenarioError, load_scenario, resolve_variant, with_overrides
    from sim.stats import compare, compare_paired


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        return getattr(importlib.import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module 'sim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
