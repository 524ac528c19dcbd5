"""How long will an experiment take? An estimate from a short calibration run, made up front.

The variants are compiled again for one and for two weeks of the horizon and run 0 of each is
simulated and timed (kernels compiled first, so compilation is not counted). The difference is
the cost of one more week, the one-week time less that is the fixed cost of a run; a run of the
whole horizon is then ``fixed + per_week x weeks``. This follows the real alert volume, cascades
and policies of every variant, which a fixed per-alert cost would not. The calibration costs
three simulated weeks, a fraction of a second for most scenarios and a few seconds for one with
tens of thousands of alerts a week: a small price before an experiment of hours.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass

from sim.experiment.runs import ExperimentPlan, simulate_run

#: An experiment estimated to take longer than this is announced with a warning.
LONG_EXPERIMENT_SECONDS = 180.0


@dataclass(frozen=True)
class DurationEstimate:
    """Estimated wall time of the runs still to do."""

    seconds_per_run: float
    """One run of every variant, on one worker."""
    runs: int
    workers: int

    @property
    def total_seconds(self) -> float:
        return self.seconds_per_run * self.runs / max(self.workers, 1)

    @property
    def long(self) -> bool:
        return self.total_seconds > LONG_EXPERIMENT_SECONDS

    def describe(self) -> str:
        return (
            f"about {format_duration(self.total_seconds)} for {self.runs} runs on "
            f"{self.workers} worker(s) ({format_duration(self.seconds_per_run)} per run)"
        )


def format_duration(seconds: float) -> str:
    """'0.4 s', '42 s', '3 min 20 s', '2 h 05 min'."""
    if seconds < 10:
        return f"{seconds:.1f} s"
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes, rest = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {rest:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def _plan_for_weeks(plan: ExperimentPlan, weeks: int) -> ExperimentPlan:
    from sim.compile import compile_scenario
    from sim.scenario import with_overrides

    return ExperimentPlan(
        variants=tuple(
            compile_scenario(
                with_overrides(compiled.scenario, {"horizon.weeks": weeks}), compiled.variant
            )
            for compiled in plan.variants
        ),
        stream_group=plan.stream_group,
        root_seed=plan.root_seed,
    )


def estimate_duration(
    plan: ExperimentPlan,
    runs: int,
    jobs: int,
    clock: Callable[[], float] = time.perf_counter,
) -> DurationEstimate:
    """Wall time of ``runs`` runs of ``plan`` on ``jobs`` workers, from a calibration run."""
    from sim.generator import warm_up_kernels

    warm_up_kernels()
    weeks = plan.variants[0].weeks
    timed: list[float] = []
    for calibration_weeks in sorted({1, min(2, weeks)}):
        short = _plan_for_weeks(plan, calibration_weeks)
        started = clock()
        simulate_run(short, 0)
        timed.append(clock() - started)
    one_week = timed[0]
    per_week = max(timed[-1] - one_week, 0.0) if len(timed) > 1 else one_week
    fixed = max(one_week - per_week, 0.0)
    workers = max(1, min(jobs, os.cpu_count() or 1, runs))
    return DurationEstimate(seconds_per_run=fixed + per_week * weeks, runs=runs, workers=workers)
