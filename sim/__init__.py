"""oncall-sim: what a change does to the people who carry the pager.

The library API mirrors the command line::

    from sim import load_scenario, run_experiment, compare
    scenario = load_scenario("scenarios/telco-weekend.yaml")
    result = run_experiment(scenario, runs=200, jobs=2)
    result.compare()                      # paired comparison, one row per KPI and variant

``simulate`` runs a single run of one variant (with an optional event trace). Importing ``sim``
compiles nothing; numba kernels compile on first use.
"""

from sim.experiment import ExperimentResult, SingleRun, run_experiment, simulate
from sim.metrics import KPI_DESCRIPTIONS, KPIS
from sim.scenario import Scenario, ScenarioError, load_scenario, resolve_variant, with_overrides
from sim.stats import compare, compare_paired

__all__ = [
    "KPIS",
    "KPI_DESCRIPTIONS",
    "ExperimentResult",
    "Scenario",
    "ScenarioError",
    "SingleRun",
    "compare",
    "compare_paired",
    "load_scenario",
    "resolve_variant",
    "run_experiment",
    "simulate",
    "with_overrides",
]
