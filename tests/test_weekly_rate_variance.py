"""Gamma-mixed weekly rates (``services[].weekly_rate_variance``): negative-binomial weekly
counts with the configured variance, kernel equal to its numpy reference, keyed streams, and
nothing changes for a service that leaves it at 0 (the default)."""

from __future__ import annotations

import numpy as np
import pytest
from builders import small_scenario

from sim.compile import compile_scenario
from sim.generator import generate_alert_stream
from sim.generator.alerts import run_cumulative_rate, weekly_rate_factors

WEEK = 7 * 1440


def _compiled(variance: float, weeks: int = 4, **extra):
    services = [
        {"name": "db", "team": "infra", "alerts_per_week": 10, "weekly_rate_variance": variance},
        {"name": "cache", "team": "infra", "alerts_per_week": 5},
    ]
    return compile_scenario(
        small_scenario(
            services=services,
            horizon={"weeks": weeks, "seed": 3, "time_zone": "UTC", "start_date": "2026-01-05"},
            **extra,
        )
    )


def test_default_draws_no_factors_and_keeps_the_cumulative_rate():
    compiled = _compiled(0.0)
    assert compiled.arrivals.weekly_rate_variance is None
    assert run_cumulative_rate(compiled.arrivals, 3, 0) is compiled.arrivals.cumulative_rate


def test_weekly_counts_are_negative_binomial_with_the_configured_variance():
    """Per week, count = Poisson(m G) with G ~ Gamma(mean 1, variance a): mean m, variance
    m + a m^2 (m = 10, a = 0.5: 60). Over 400 runs x 4 weeks, the sample mean is within 4 s.e.
    and the variance ratio within 4 s.e. of a variance estimate (NB kurtosis included, about
    sqrt(2 / n) * 2.5 here)."""
    compiled = _compiled(0.5)
    counts = []
    for run in range(400):
        stream = generate_alert_stream(compiled.arrivals, 3, run)
        week = (stream.time_minutes[stream.service == 0] // WEEK).astype(int)
        counts.append(np.bincount(week, minlength=4)[:4])
    counts = np.concatenate(counts)
    mean, variance = counts.mean(), counts.var(ddof=1)
    assert abs(mean - 10) < 4 * np.sqrt(60 / len(counts))
    assert variance / 60 == pytest.approx(1.0, abs=4 * 2.5 * np.sqrt(2 / len(counts)))


def test_factors_are_keyed_by_run_and_service_and_leave_other_services_alone():
    mixed, plain = _compiled(0.5), _compiled(0.0)
    first = weekly_rate_factors(mixed.arrivals, 3, 7, 0)
    np.testing.assert_array_equal(first, weekly_rate_factors(mixed.arrivals, 3, 7, 0))
    assert not np.array_equal(first, weekly_rate_factors(mixed.arrivals, 3, 8, 0))
    assert weekly_rate_factors(mixed.arrivals, 3, 7, 1) is None  # cache has no variance
    a = generate_alert_stream(mixed.arrivals, 3, 7)
    b = generate_alert_stream(plain.arrivals, 3, 7)
    np.testing.assert_array_equal(a.time_minutes[a.service == 1], b.time_minutes[b.service == 1])
    np.testing.assert_array_equal(a.uniforms[a.service == 1], b.uniforms[b.service == 1])


@pytest.mark.parametrize("run_index", [0, 5])
def test_kernel_matches_numpy_reference_with_mixed_weekly_rates(run_index):
    compiled = _compiled(0.8, weeks=8)
    kernel = generate_alert_stream(compiled.arrivals, 3, run_index)
    reference = generate_alert_stream(compiled.arrivals, 3, run_index, use_kernel=False)
    np.testing.assert_allclose(kernel.time_minutes, reference.time_minutes, atol=1e-9)
    np.testing.assert_array_equal(kernel.service, reference.service)
    np.testing.assert_array_equal(kernel.severity, reference.severity)


def test_variance_changes_the_alert_process_identity():
    assert not _compiled(0.5).arrivals.same_process_as(_compiled(0.0).arrivals)
    assert _compiled(0.5).arrivals.same_process_as(_compiled(0.5).arrivals)
