"""What one run measures: a replication's records, reduced to the quantities theory predicts."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from sim.model.records import STATE_RESOLVED, RunRecords
from sim.scenario.profiles import HOURS_PER_WEEK
from sim.validation.parameters import MINUTES_PER_HOUR, MINUTES_PER_WEEK

#: A wait shorter than this (minutes) counts as no wait: a guard against float rounding in
#: simulation times (the model releases each incident exactly at its start time).
WAIT_EPSILON_MINUTES = 1e-6


@dataclass(frozen=True)
class RunMeasures:
    """Everything one replication measures, after the warm-up.

    Waits are first page - start (the page goes out when a free engineer takes the incident, and
    is acknowledged at once); times in system are resolved - start; work is resolved - work start.
    """

    arrivals: int
    """Incidents that started in the window [warm-up, horizon)."""
    arrival_rate: float
    """arrivals / window length, per minute."""
    p_wait: float
    """Share of those incidents that waited at all."""
    mean_wait: float
    """Their mean wait in queue, minutes."""
    wait_tail: np.ndarray
    """P(W > t) for each of the case's tail times."""
    max_wait: float
    """Longest wait, minutes (0 in an infinite-server case)."""
    min_wait: float
    """Shortest wait, minutes (never below -WAIT_EPSILON_MINUTES)."""
    mean_work: float
    """Mean work time, minutes."""
    mean_sojourn: float
    """W: mean time in system, minutes."""
    in_system: float
    """L: time-average number in system over the window."""
    little_gap: float
    """L - lambda_hat W_hat."""
    little_edge: float
    """Bound on |L - lambda_hat W_hat|: (carry-in + spill-out) / window, the time that incidents
    straddling the window's edges spend on the far side of them."""
    little_residual: float
    """L - lambda_hat W_hat - (carry-in - spill-out) / window: 0 up to float rounding, by the
    sample-path identity."""
    hourly_in_system: np.ndarray
    """(168,) number in system at the start of each hour of the week, averaged over the weeks
    after the warm-up."""
    hourly_arrivals: np.ndarray
    """(168,) incidents that started in each hour of the week, over the whole horizon."""
    all_resolved: bool
    """Every alert was handled by a human and resolved (no automation, nothing lost)."""


def measure_run(
    records: RunRecords,
    horizon_minutes: float,
    warmup_minutes: float,
    tail_minutes: Sequence[float] = (),
) -> RunMeasures:
    """Measure one run's records over the window [warmup_minutes, horizon_minutes)."""
    start = records.start_minutes
    wait = records.first_page_minutes - start
    resolved = records.resolved_minutes
    sojourn = resolved - start
    window = horizon_minutes - warmup_minutes
    inside = (start >= warmup_minutes) & (start < horizon_minutes)
    arrivals = int(inside.sum())
    wait_in = wait[inside]

    # L: the integral over the window of N(t) = #{start <= t < resolved}, as the sum over all
    # incidents of the overlap of [start, resolved) with the window, divided by its length.
    overlap = np.minimum(resolved, horizon_minutes) - np.maximum(start, warmup_minutes)
    in_system = float(np.clip(overlap, 0.0, None).sum() / window)
    # Little's law on the sample path: L window = sum of W over the window's arrivals
    #   + (time that incidents started before the window spend inside it: carry-in)
    #   - (time that the window's arrivals spend after its end: spill-out).
    before = start < warmup_minutes
    carry_in = float(
        np.clip(np.minimum(resolved[before], horizon_minutes) - warmup_minutes, 0, None).sum()
    )
    spill_out = float(np.clip(resolved[inside] - horizon_minutes, 0.0, None).sum())
    arrival_rate = arrivals / window
    mean_sojourn = float(sojourn[inside].mean())

    # Number in system at each hour-of-week start of every whole week after the warm-up.
    first_week = math.ceil(warmup_minutes / MINUTES_PER_WEEK)
    weeks = int(horizon_minutes // MINUTES_PER_WEEK)
    grid = (
        np.arange(first_week, weeks)[:, None] * MINUTES_PER_WEEK
        + np.arange(HOURS_PER_WEEK)[None, :] * MINUTES_PER_HOUR
    )
    started = np.searchsorted(np.sort(start), grid, side="right")
    ended = np.searchsorted(np.sort(resolved), grid, side="right")
    hourly_in_system = (
        (started - ended).mean(axis=0) if len(grid) else np.full(HOURS_PER_WEEK, np.nan)
    )
    hour = (start // MINUTES_PER_HOUR).astype(np.int64) % HOURS_PER_WEEK
    hourly_arrivals = np.bincount(hour[start < horizon_minutes], minlength=HOURS_PER_WEEK)

    return RunMeasures(
        arrivals=arrivals,
        arrival_rate=arrival_rate,
        p_wait=float(np.mean(wait_in > WAIT_EPSILON_MINUTES)),
        mean_wait=float(wait_in.mean()),
        wait_tail=np.array([np.mean(wait_in > t) for t in tail_minutes], dtype=np.float64),
        max_wait=float(wait.max(initial=0.0)),
        min_wait=float(wait.min(initial=0.0)),
        mean_work=float((resolved - records.work_start_minutes)[inside].mean()),
        mean_sojourn=mean_sojourn,
        in_system=in_system,
        little_gap=in_system - arrival_rate * mean_sojourn,
        little_edge=(carry_in + spill_out) / window,
        little_residual=in_system - arrival_rate * mean_sojourn - (carry_in - spill_out) / window,
        hourly_in_system=hourly_in_system,
        hourly_arrivals=hourly_arrivals,
        all_resolved=bool(
            np.all(records.state == STATE_RESOLVED) and np.all(np.isfinite(resolved))
        ),
    )
