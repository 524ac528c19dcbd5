"""Adaptive precision: as many paired runs as the question needs, decided as the runs come in.

``run --precision 0.01`` asks for the 95% confidence interval of the relative change of each
KPI named (the headline by default) to be at most ±1 point wide for every variant. The stopping
rule is a fixed-width sequential procedure in the manner of Chow and Robbins (1965):

1. Run a pilot of ``PILOT_RUNS`` runs (runs 0 to 23).
2. When runs 0 to n - 1 are all done, compare them (:func:`sim.stats.compare`: Fieller's
   interval of the ratio of paired means) and take, for every (KPI, variant), the half-width
   ``(rel_ci_high - rel_ci_low) / 2`` of the relative change's interval. An interval that does
   not exist (a KPI too rare, or 0 in the baseline) counts as not precise enough.
3. Stop when every half-width is at most the target, or when n reached ``max_runs``.
4. Otherwise the next n is projected from the widest interval, whose half-width shrinks like
   1 / sqrt(n): ``n * (widest / target)^2 * SAFETY_FACTOR``, rounded up to whole chunks, at
   least one chunk more, at most ``2 n`` (a noisy early estimate never overshoots by more than
   doubling), at most ``max_runs``.

The reported interval is the ordinary one over all n runs. Stopping when an interval is first
narrow enough can make it too optimistic (it stops when the variance happens to be
underestimated); a pilot of two dozen runs and the safety factor keep that small: the slow test
in ``tests/test_adaptive_precision.py`` measures the coverage of the reported interval over 200
repeated sequential experiments on a case with a known effect.

Every decision uses only runs 0 to n - 1, whose values are a function of the seed, so the runs
used are a function of the seed too: the same with any number of jobs, on any executor, and
after an interruption and ``--resume`` (the decisions are replayed on the saved runs).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from sim.stats import compare

#: The KPI a precision target applies to unless others are named (docs/design.md: the headline).
HEADLINE_KPI = "weekend_escalations_per_weekend"
#: Runs of the pilot, before the first decision: enough for a variance estimate to lean on.
PILOT_RUNS = 24
#: Over-projection of the next run count, against stopping on an underestimated variance.
SAFETY_FACTOR = 1.2
#: Next run counts are whole multiples of this (the executors' chunk of runs).
BATCH_MULTIPLE = 8


@dataclass(frozen=True)
class PrecisionTarget:
    """What an adaptive experiment must reach, and the most it may spend."""

    half_width: float
    """Largest 95% CI half-width of the relative change (0.01: ±1 point)."""
    kpis: tuple[str, ...]
    """KPIs that must reach it, for every variant."""
    max_runs: int
    """Cap on paired runs; reaching it without the precision is reported."""
    confidence: float = 0.95

    def __post_init__(self) -> None:
        if not 0 < self.half_width < math.inf:
            raise ValueError(f"precision must be a positive number, got {self.half_width!r}")
        if self.max_runs < 1:
            raise ValueError("max_runs must be at least 1")
        if not self.kpis:
            raise ValueError("name at least one KPI for the precision target")


def relative_half_widths(
    runs: pd.DataFrame, kpis: Sequence[str], *, confidence: float = 0.95
) -> pd.DataFrame:
    """Half-width of the relative change's interval per (kpi, variant): columns kpi, variant,
    rel_change, rel_half_width (NaN when no interval exists)."""
    summary = compare(runs, list(kpis), confidence=confidence)
    summary["rel_half_width"] = (summary["rel_ci_high"] - summary["rel_ci_low"]) / 2
    return summary[["kpi", "variant", "rel_change", "rel_half_width"]]


def widest_half_width(half_widths: pd.DataFrame) -> float:
    """The largest half-width; inf when any interval does not exist."""
    values = half_widths["rel_half_width"]
    return math.inf if values.isna().any() or values.empty else float(values.max())


def first_run_count(target: PrecisionTarget) -> int:
    """Runs of the pilot (fewer if the cap is lower)."""
    return min(PILOT_RUNS, target.max_runs)


def next_run_count(runs_done: int, widest: float, target: PrecisionTarget) -> int | None:
    """Runs 0..n-1 to have after the next batch, or None to stop (step 3 and 4 above)."""
    if widest <= target.half_width or runs_done >= target.max_runs:
        return None
    if math.isinf(widest):
        projected = 2 * runs_done
    else:
        projected = math.ceil(runs_done * (widest / target.half_width) ** 2 * SAFETY_FACTOR)
    projected = math.ceil(projected / BATCH_MULTIPLE) * BATCH_MULTIPLE
    step = max(projected, runs_done + BATCH_MULTIPLE)
    return min(step, 2 * runs_done, target.max_runs)


def precision_provenance(
    target: PrecisionTarget, runs_used: int, half_widths: pd.DataFrame
) -> dict:
    """What provenance.json records of an adaptive experiment."""
    widest = widest_half_width(half_widths)
    reached = {
        f"{row.kpi} / {row.variant}": None
        if math.isnan(row.rel_half_width)
        else round(float(row.rel_half_width), 6)
        for row in half_widths.itertuples(index=False)
    }
    return {
        "precision_target": target.half_width,
        "precision_kpis": list(target.kpis),
        "max_runs": target.max_runs,
        "runs_used": runs_used,
        "precision_reached": None if math.isinf(widest) else round(widest, 6),
        "precision_met": widest <= target.half_width,
        "precision_by_kpi_and_variant": reached,
    }


__all__ = [
    "BATCH_MULTIPLE",
    "HEADLINE_KPI",
    "PILOT_RUNS",
    "SAFETY_FACTOR",
    "PrecisionTarget",
    "first_run_count",
    "next_run_count",
    "precision_provenance",
    "relative_half_widths",
    "widest_half_width",
]
