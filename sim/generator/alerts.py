"""The incident generator: every exogenous random quantity of one run, drawn before the model runs.

For each service, a non-homogeneous Poisson process with a piecewise-constant rate (15-minute
slots, shaped by the hour-of-week profile) is drawn exactly: the number of alerts over the horizon
is Poisson with mean equal to the integrated rate, and, given that number, the alerts are the
order statistics of uniform points on the integrated-rate axis mapped back through the inverse of
the cumulative rate. Each alert then gets every uniform that any later decision may compare with
(detection, self-healing, ack delays per escalation level, work time), whether or not a policy
uses it: common random numbers across variants depend on this.

Randomness rules (docs/design.md, :mod:`sim.generator.streams`): run i, service s draws from
``SeedSequence(root_seed, spawn_key=(i, STREAM_ALERTS, crc32(service name)))``, so adding a service
or a stream never shifts the numbers of another. Raw uniforms come from numpy's PCG64; the numba
kernels turn them into times and categories.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.calendar import SLOT_MINUTES
from sim.compile import ArrivalTables
from sim.generator.kernels import (
    invert_and_classify_kernel,
    invert_and_classify_reference,
    walk_cascades,
)
from sim.generator.streams import (
    STREAM_ALERTS,
    STREAM_EXTRA_ACKS,
    STREAM_NOISE,
    STREAM_WEEKLY_RATE,
    name_stream_key,
    open_uniforms,
    stream_generator,
)

#: Columns of the per-alert uniform matrix (drawn row by row: adding one changes every draw).
DECISION_COLUMNS = (
    "severity",
    "detected",
    "lead_time",
    "fix_time",
    "runbook",
    "heal_success",
    "heal_run_time",
    "work_time",
    "ack_primary",
    "ack_secondary",
    "ack_manager",
    "route",
    "triage",
    "runbook_fix",
    "handover_ack_primary",
    "handover_ack_secondary",
    "handover_ack_manager",
)
ACK_COLUMNS = slice(
    DECISION_COLUMNS.index("ack_primary"), DECISION_COLUMNS.index("ack_manager") + 1
)
#: Ack uniforms of the 4th to 8th page of an incident's chain (repeats, everyone-targets),
#: drawn from their own per-run stream in the order of the sorted alert stream, so the numbers
#: of the first three pages (and every scenario without longer chains) are unchanged.
EXTRA_ACK_PAGES = 5
#: Noise uniforms of each alert, from their own per-run stream (STREAM_NOISE) in the order of
#: the sorted alert stream, drawn whether or not a variant uses them: the transient decision,
#: the first self-clear time, then per re-fire k: re-fire decision, time to re-fire, self-clear.
NOISE_COLUMNS = (
    "transient",
    "self_clear",
    *(f"{name}_{k}" for k in (1, 2, 3) for name in ("refire", "refire_after", "self_clear")),
)
HANDOVER_ACK_COLUMNS = slice(
    DECISION_COLUMNS.index("handover_ack_primary"),
    DECISION_COLUMNS.index("handover_ack_manager") + 1,
)


@dataclass(frozen=True)
class AlertStream:
    """All exogenous draws of one run, one row per alert, sorted by time.

    Attributes:
        time_minutes: when the alert would fire (the incident's start, if nothing prevents it).
        service: index into the scenario's services.
        severity: 0..3 for P1..P4.
        uniforms: (alerts, len(DECISION_COLUMNS)) uniforms in (0, 1), one column per decision.
        root, depth: the cascade each alert belongs to (see below).
    """

    time_minutes: np.ndarray
    service: np.ndarray
    severity: np.ndarray
    uniforms: np.ndarray
    root: np.ndarray
    """Index (in this stream) of the root failure's alert; an alert's own index for a root."""
    depth: np.ndarray
    """Hops from the root failure: 0 for a root alert, 1 for its direct symptoms, ..."""
    extra_ack_uniforms: np.ndarray
    """(alerts, EXTRA_ACK_PAGES) ack uniforms of the 4th to 8th page of a chain."""
    seed: tuple[int, int]
    """(root seed, run index): the model keys its own streams (leave, mistakes) with it."""
    noise_uniforms: np.ndarray
    """(alerts, len(NOISE_COLUMNS)) noise uniforms (STREAM_NOISE, in the order of this stream)."""

    @property
    def root_service(self) -> np.ndarray:
        """Service of each alert's root failure."""
        return self.service[self.root]

    def __len__(self) -> int:
        return len(self.time_minutes)

    def column(self, name: str) -> np.ndarray:
        return self.uniforms[:, DECISION_COLUMNS.index(name)]

    def noise_column(self, name: str) -> np.ndarray:
        """One column of the noise uniforms (see NOISE_COLUMNS)."""
        return self.noise_uniforms[:, NOISE_COLUMNS.index(name)]


MINUTES_PER_WEEK = 7 * 24 * 60


def weekly_rate_factors(
    tables: ArrivalTables, root_seed: int, run_index: int, service_index: int
) -> np.ndarray | None:
    """Gamma factors (mean 1) of each week's rate of one service in one run, or None.

    Drawn from their own stream keyed by (run, STREAM_WEEKLY_RATE, service name), so a
    service without ``weekly_rate_variance`` draws nothing and its alerts keep their numbers.
    """
    variance = tables.weekly_rate_variance
    if variance is None or variance[service_index] <= 0:
        return None
    name = tables.service_names[service_index]
    rng = stream_generator(root_seed, run_index, STREAM_WEEKLY_RATE, name_stream_key(name))
    weeks = int(np.ceil(tables.horizon_minutes / MINUTES_PER_WEEK))
    shape = 1.0 / float(variance[service_index])
    return rng.gamma(shape, 1.0 / shape, size=weeks)


def run_cumulative_rate(tables: ArrivalTables, root_seed: int, run_index: int) -> np.ndarray:
    """Cumulative expected alerts of this run: the tables' own unless weekly rates are mixed.

    With a weekly factor g_w, each slot's expected alerts in week w are multiplied by g_w and
    cumulated again, so the process is Poisson given the factors (drawn exactly as before).
    """
    if tables.weekly_rate_variance is None:
        return tables.cumulative_rate
    cumulative = tables.cumulative_rate.copy()
    slots = cumulative.shape[1] - 1
    week_of_slot = (np.arange(slots) * SLOT_MINUTES) // MINUTES_PER_WEEK
    for service in range(len(tables.service_names)):
        factors = weekly_rate_factors(tables, root_seed, run_index, service)
        if factors is None:
            continue
        per_slot = np.diff(tables.cumulative_rate[service]) * factors[week_of_slot]
        cumulative[service, 1:] = np.cumsum(per_slot)
    return cumulative


def draw_service(
    tables: ArrivalTables,
    root_seed: int,
    run_index: int,
    service_index: int,
    cumulative_rate: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One service's draws: sorted points on the integrated-rate axis, per-alert uniforms, and
    per-alert cascade uniforms (empty without dependencies), in this order from its stream.
    ``cumulative_rate`` is this run's (:func:`run_cumulative_rate`; default: the tables')."""
    name = tables.service_names[service_index]
    rng = stream_generator(root_seed, run_index, STREAM_ALERTS, name_stream_key(name))
    cumulative = tables.cumulative_rate if cumulative_rate is None else cumulative_rate
    expected = float(cumulative[service_index, -1])
    count = int(rng.poisson(expected))
    points = np.sort(rng.random(count)) * expected
    uniforms = open_uniforms(rng, (count, len(DECISION_COLUMNS)))
    width = (
        tables.cascades.block_width(service_index, len(DECISION_COLUMNS))
        if tables.cascades is not None
        else 0
    )
    block = open_uniforms(rng, (count, width)) if width else None
    return points, uniforms, block


def generate_alert_stream(
    tables: ArrivalTables, root_seed: int, run_index: int, *, use_kernel: bool = True
) -> AlertStream:
    """Draw run ``run_index``'s alert stream (use_kernel=False runs the numpy references)."""
    cumulative = run_cumulative_rate(tables, root_seed, run_index)
    draws = [
        draw_service(tables, root_seed, run_index, service, cumulative)
        for service in range(len(tables.service_names))
    ]
    points_per_service = [points for points, _, _ in draws]
    uniforms_per_service = [uniforms for _, uniforms, _ in draws]
    counts = np.array([len(points) for points in points_per_service], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    points = np.concatenate(points_per_service) if counts.sum() else np.zeros(0)
    uniforms = (
        np.concatenate(uniforms_per_service)
        if counts.sum()
        else np.zeros((0, len(DECISION_COLUMNS)))
    )
    severity_uniforms = np.ascontiguousarray(uniforms[:, DECISION_COLUMNS.index("severity")])
    if use_kernel:
        total = int(offsets[-1])
        time = np.empty(total, dtype=np.float64)
        service = np.empty(total, dtype=np.int64)
        severity = np.empty(total, dtype=np.int64)
        invert_and_classify_kernel(
            cumulative, float(SLOT_MINUTES), tables.severity_cumulative,
            points, offsets, severity_uniforms, time, service, severity,
        )  # fmt: skip
    else:
        time, service, severity = invert_and_classify_reference(
            cumulative, float(SLOT_MINUTES), tables.severity_cumulative,
            points, offsets, severity_uniforms,
        )  # fmt: skip
    root = np.arange(len(time), dtype=np.int64)
    depth = np.zeros(len(time), dtype=np.int64)
    if tables.cascades is not None and tables.cascades.enabled:
        time, service, severity, uniforms, root, depth = _add_symptoms(
            tables, draws, offsets, time, service, severity, uniforms, use_kernel
        )
    order = np.argsort(time, kind="stable")
    position = np.empty_like(order)
    position[order] = np.arange(len(order))
    extra_rng = stream_generator(root_seed, run_index, STREAM_EXTRA_ACKS)
    extra = open_uniforms(extra_rng, (len(order), EXTRA_ACK_PAGES))
    noise_rng = stream_generator(root_seed, run_index, STREAM_NOISE)
    noise = open_uniforms(noise_rng, (len(order), len(NOISE_COLUMNS)))
    return AlertStream(
        time_minutes=time[order],
        service=service[order].astype(np.int32),
        severity=severity[order].astype(np.int8),
        uniforms=uniforms[order],
        root=position[root[order]],
        depth=depth[order].astype(np.int8),
        extra_ack_uniforms=extra,
        seed=(root_seed, run_index),
        noise_uniforms=noise,
    )


def _add_symptoms(tables, draws, offsets, time, service, severity, uniforms, use_kernel):
    """Append every root alert's symptoms (unsorted), with their root index and depth."""
    cascades = tables.cascades
    columns = len(DECISION_COLUMNS)
    severity_column = DECISION_COLUMNS.index("severity")
    parts = [(time, service, severity, uniforms, np.arange(len(time)), np.zeros(len(time), int))]
    for root_service, (_, _, block) in enumerate(draws):
        if block is None or len(block) == 0:
            continue
        edges = len(cascades.reach_edges[root_service])
        first = offsets[root_service]
        root_rows, symptom_service, symptom_time, symptom_depth = walk_cascades(
            cascades,
            root_service,
            time[first : offsets[root_service + 1]],
            block[:, :edges],
            block[:, edges : 2 * edges],
            use_kernel=use_kernel,
        )
        decisions = block[:, 2 * edges :].reshape(len(block), -1, columns)
        symptom_uniforms = decisions[
            root_rows, cascades.local_service[root_service, symptom_service]
        ]
        # Same rule as the kernel: the number of cumulative shares below the uniform.
        symptom_severity = np.sum(
            tables.severity_cumulative[symptom_service, :3]
            < symptom_uniforms[:, severity_column, None],
            axis=1,
        )
        parts.append(
            (
                symptom_time,
                symptom_service,
                symptom_severity,
                symptom_uniforms,
                first + root_rows,
                symptom_depth,
            )
        )
    return tuple(np.concatenate(arrays) for arrays in zip(*parts, strict=True))
