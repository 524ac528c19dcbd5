"""One run: the experiment plan (compiled variants) and run i of every variant.

Run i draws its alert stream once (per distinct alert process) and every variant of run i consumes
it, so variant and baseline are paired through common random numbers. A run's KPIs are a pure
function of (scenario, variant, root seed, i).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sim.compile import CompiledScenario, compile_scenario
from sim.experiment.detail import detail_tables
from sim.generator import AlertStream, generate_alert_stream
from sim.metrics import compute_kpis, kpi_names
from sim.metrics_detail import RunDetail, compute_detail
from sim.model import RunRecords, TraceEvent, run_model
from sim.scenario.models import Scenario
from sim.scenario.resolve import resolve_variant


@dataclass(frozen=True)
class ExperimentPlan:
    """Compiled variants of one experiment and which of them share an alert process."""

    variants: tuple[CompiledScenario, ...]
    stream_group: tuple[int, ...]
    """For each variant, the index of the first variant with the same alert process."""
    root_seed: int

    @property
    def variant_names(self) -> list[str]:
        return [compiled.variant for compiled in self.variants]

    @property
    def kpi_names(self) -> tuple[str, ...]:
        """KPI columns: the fixed ones, then per-team ones of the baseline's teams."""
        return kpi_names(self.variants[0])


def plan_experiment(
    scenario: Scenario, variants: Sequence[str] | None = None, seed: int | None = None
) -> ExperimentPlan:
    """Compile the baseline and the chosen variants (default: all of the scenario's)."""
    names = ["baseline", *(variants if variants is not None else scenario.variant_names[1:])]
    names = list(dict.fromkeys(names))
    compiled = tuple(compile_scenario(resolve_variant(scenario, name), name) for name in names)
    groups = []
    for index, variant in enumerate(compiled):
        group = next(
            earlier
            for earlier in range(index + 1)
            if compiled[earlier].arrivals.same_process_as(variant.arrivals)
        )
        groups.append(group)
    return ExperimentPlan(
        variants=compiled,
        stream_group=tuple(groups),
        root_seed=scenario.horizon.seed if seed is None else seed,
    )


def simulate_run(
    plan: ExperimentPlan, run_index: int, details: list[RunDetail] | None = None
) -> np.ndarray:
    """KPIs of every variant for run ``run_index``: array (variants, len(plan.kpi_names)).

    Pass a list as ``details`` to also collect each variant's :class:`RunDetail` (pages per
    hour of week, per person, per week), in variant order.
    """
    streams: dict[int, AlertStream] = {}
    names = plan.kpi_names
    out = np.empty((len(plan.variants), len(names)))
    for index, compiled in enumerate(plan.variants):
        group = plan.stream_group[index]
        if group not in streams:
            streams[group] = generate_alert_stream(
                plan.variants[group].arrivals, plan.root_seed, run_index
            )
        records = run_model(compiled, streams[group])
        kpis = compute_kpis(compiled, records)
        if details is not None:
            details.append(compute_detail(compiled, records))
        # A variant that renames teams has no value for the baseline's per-team columns.
        out[index] = [kpis.get(name, np.nan) for name in names]
    return out


def run_chunk(
    plan: ExperimentPlan, run_indices: list[int], detail: bool = False
) -> tuple[list[int], np.ndarray, dict | None]:
    """Runs of one task: (run indices, KPI array (runs, variants, KPIs), detail tables or
    None)."""
    if not detail:
        return run_indices, np.stack([simulate_run(plan, run) for run in run_indices]), None
    per_run: list[list] = []
    values = []
    for run in run_indices:
        per_run.append([])
        values.append(simulate_run(plan, run, per_run[-1]))
    return run_indices, np.stack(values), detail_tables(plan, run_indices, per_run)


@dataclass(frozen=True)
class SingleRun:
    """One run of one variant: its KPIs, event records and alert stream."""

    kpis: dict[str, float]
    records: RunRecords
    stream: AlertStream
    compiled: CompiledScenario


def simulate(
    scenario: Scenario,
    variant: str = "baseline",
    run: int = 0,
    *,
    seed: int | None = None,
    trace: list[TraceEvent] | None = None,
) -> SingleRun:
    """Simulate run ``run`` of one variant: the same numbers as that run in an experiment.

    Pass a list as ``trace`` to collect a :class:`sim.model.TraceEvent` of every page,
    acknowledgement and resolution.
    """
    compiled = compile_scenario(resolve_variant(scenario, variant), variant)
    stream = generate_alert_stream(
        compiled.arrivals, scenario.horizon.seed if seed is None else seed, run
    )
    records = run_model(compiled, stream, trace=trace)
    return SingleRun(compute_kpis(compiled, records), records, stream, compiled)
