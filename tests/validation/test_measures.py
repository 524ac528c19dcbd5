"""The measuring code of sim/validation/ on hand-made records, and the theory helpers."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from scipy import integrate, stats

from sim.model.records import STATE_RESOLVED, RunRecords
from sim.scenario.distributions import Exponential, Fixed, Gamma, Lognormal, Weibull
from sim.validation import estimate, measure_run, survival_integrals
from sim.validation.queueing import infinite_server_mean


def records(start, page, resolved) -> RunRecords:
    """Records of incidents that each page at ``page`` and are worked from then to ``resolved``.

    Only the fields that sim.validation measures are meaningful; any other field of RunRecords
    gets an empty array, so that the builder keeps working as the record grows.
    """
    start, page, resolved = (np.asarray(x, dtype=float) for x in (start, page, resolved))
    known = {
        "state": np.full(len(start), STATE_RESOLVED, dtype=np.int8),
        "start_minutes": start,
        "first_page_minutes": page,
        "ack_minutes": page,
        "work_start_minutes": page,
        "resolved_minutes": resolved,
        "simpy_events": 0,
    }
    values = {
        field.name: known.get(field.name, np.zeros(0)) for field in dataclasses.fields(RunRecords)
    }
    return RunRecords(**values)


def test_measures_of_a_hand_made_single_server_run():
    # Window [100, 200). One incident straddles its start (carry-in 10), three start inside it,
    # the last one spills 30 minutes past its end.
    run = measure_run(
        records(
            start=[50, 120, 130, 190],
            page=[50, 120, 140, 190],
            resolved=[110, 140, 150, 230],
        ),
        horizon_minutes=200,
        warmup_minutes=100,
        tail_minutes=(5, 10),
    )
    assert run.arrivals == 3
    assert run.arrival_rate == pytest.approx(3 / 100)
    assert run.p_wait == pytest.approx(1 / 3)
    assert run.mean_wait == pytest.approx(10 / 3)
    np.testing.assert_allclose(run.wait_tail, [1 / 3, 0])  # waits 0, 10, 0: > 5 once, > 10 never
    assert run.mean_sojourn == pytest.approx((20 + 20 + 40) / 3)
    assert run.mean_work == pytest.approx((20 + 10 + 40) / 3)
    # Integral of N(t) over [100, 200): 10 + 20 + 20 + 10 = 60.
    assert run.in_system == pytest.approx(0.6)
    # L - lambda W = (carry-in 10 - spill-out 30) / 100 exactly; the edge bound is 40 / 100.
    assert run.little_gap == pytest.approx(-0.2)
    assert run.little_edge == pytest.approx(0.4)


def test_survival_integrals_sum_to_the_mean_and_match_quadrature():
    for work in (
        Exponential(mean=120),
        Fixed(value=36),
        Gamma(shape=2, mean=36),
        Lognormal(median=55, sigma=1.0),
        Weibull(shape=0.74, scale=60),
    ):
        # integral_0^inf P(S > u) du = E[S]
        assert survival_integrals(work).sum() == pytest.approx(work.mean, rel=1e-6)
    # The closed forms against numerical quadrature of the survival function, hour by hour.
    for work, distribution in (
        (Lognormal(median=55, sigma=1.0), stats.lognorm(s=1.0, scale=55)),
        (Gamma(shape=2, mean=36), stats.gamma(a=2, scale=18)),
        (Weibull(shape=0.74, scale=60), stats.weibull_min(c=0.74, scale=60)),
    ):
        quadrature = [integrate.quad(distribution.sf, 60 * k, 60 * (k + 1))[0] for k in range(6)]
        np.testing.assert_allclose(survival_integrals(work)[:6], quadrature, rtol=1e-9)
    fixed = survival_integrals(Fixed(value=90))
    np.testing.assert_allclose(fixed[:2], [60, 30])
    assert not fixed[2:].any()


def test_infinite_server_mean_with_a_constant_rate_is_lambda_times_the_mean_work():
    # Little's law for M/G/infinity: m = lambda E[S] at every hour when the rate is constant.
    work = Lognormal(median=55, sigma=1.0)
    mean = infinite_server_mean(np.full(168, 0.1), survival_integrals(work))
    np.testing.assert_allclose(mean, 0.1 * work.mean, rtol=1e-6)


def test_estimate_and_its_confidence_interval():
    result = estimate([1.0, 2.0, 3.0, 4.0])
    assert result.mean == 2.5
    assert result.se == pytest.approx(np.std([1, 2, 3, 4], ddof=1) / 2)
    low, high = result.ci
    assert low < 2.5 < high and high - 2.5 == pytest.approx(3.182446 * result.se, rel=1e-5)
