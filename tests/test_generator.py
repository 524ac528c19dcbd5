"""The incident generator: kernel against its numpy reference, arrivals against the configured
rates, and the stream-keying rules that common random numbers rely on."""

from __future__ import annotations

import numpy as np
import pytest
from builders import REPO, small_scenario
from scipy import stats

from sim.compile import compile_scenario
from sim.generator import generate_alert_stream
from sim.scenario import load_scenario
from sim.scenario.profiles import PRESETS


@pytest.fixture(scope="module")
def telco():
    return compile_scenario(load_scenario(REPO / "scenarios" / "telco-weekend.yaml"))


@pytest.mark.parametrize("run_index", [0, 1, 17])
def test_kernel_matches_numpy_reference(telco, run_index):
    kernel = generate_alert_stream(telco.arrivals, 11, run_index, use_kernel=True)
    reference = generate_alert_stream(telco.arrivals, 11, run_index, use_kernel=False)
    assert len(kernel) > 1000
    np.testing.assert_allclose(kernel.time_minutes, reference.time_minutes, rtol=0, atol=1e-9)
    np.testing.assert_array_equal(kernel.service, reference.service)
    np.testing.assert_array_equal(kernel.severity, reference.severity)
    np.testing.assert_array_equal(kernel.uniforms, reference.uniforms)


def test_kernel_matches_reference_with_zero_rate_hours():
    # Alerts only on Tuesdays 10:00-11:00: every other slot has rate zero and must be skipped.
    table = np.zeros((7, 24))
    table[1, 10] = 1.0
    compiled = compile_scenario(
        small_scenario(
            services=[
                {"name": "db", "team": "infra", "alerts_per_week": 30, "profile": table.tolist()}
            ]
        )
    )
    kernel = generate_alert_stream(compiled.arrivals, 3, 0)
    reference = generate_alert_stream(compiled.arrivals, 3, 0, use_kernel=False)
    np.testing.assert_allclose(kernel.time_minutes, reference.time_minutes, atol=1e-9)
    minute_of_week = kernel.time_minutes % (7 * 1440)
    assert np.all((minute_of_week >= 1440 + 600) & (minute_of_week < 1440 + 660))


def test_arrivals_per_hour_of_week_match_configured_rates():
    """Counts per hour-of-week bin over many runs are Poisson with mean rate x exposure.

    UTC (no daylight saving): each of the 168 bins occurs once a week, so its expected count over
    R runs of W weeks is R * W * alerts_per_week * weight / sum(weights). Every bin must lie
    within 4.5 Poisson standard errors (a family-wise false alarm rate below 0.1% over 168 bins),
    and the chi-square statistic over all bins must not be extreme.
    """
    weights = PRESETS["business-hours-weekend-quiet"].reshape(168)
    compiled = compile_scenario(
        small_scenario(
            horizon={"weeks": 8, "start_date": "2026-01-05", "time_zone": "UTC"},
            services=[
                {
                    "name": "app",
                    "team": "infra",
                    "alerts_per_week": 50,
                    "profile": "business-hours-weekend-quiet",
                }
            ],
        )
    )
    runs = 60
    counts = np.zeros(168)
    for run in range(runs):
        stream = generate_alert_stream(compiled.arrivals, 2026, run)
        hour_of_week = (stream.time_minutes // 60).astype(int) % 168
        counts += np.bincount(hour_of_week, minlength=168)
    expected = runs * 8 * 50 * weights / weights.sum()
    z = (counts - expected) / np.sqrt(expected)
    assert np.max(np.abs(z)) < 4.5
    chi_square = float(np.sum((counts - expected) ** 2 / expected))
    assert stats.chi2.sf(chi_square, df=167) > 1e-3
    # The shape is really there: weekday working hours at 2x, weekend days at 0.3x.
    assert counts[1 * 24 + 12] / counts[1 * 24 + 3] == pytest.approx(2.0, rel=0.25)


def test_alert_count_is_poisson_with_the_integrated_rate():
    compiled = compile_scenario(small_scenario())  # 10 alerts/week for 4 weeks
    totals = np.array([len(generate_alert_stream(compiled.arrivals, 5, run)) for run in range(400)])
    mean, standard_error = totals.mean(), np.sqrt(40 / 400)
    assert abs(mean - 40) < 4 * standard_error
    # Poisson: variance equals the mean (ratio within sampling error of a variance estimate).
    assert totals.var(ddof=1) / 40 == pytest.approx(1.0, abs=4 * np.sqrt(2 / 399))


def test_same_seed_same_stream_and_other_runs_differ(telco):
    first = generate_alert_stream(telco.arrivals, 99, 4)
    again = generate_alert_stream(telco.arrivals, 99, 4)
    other = generate_alert_stream(telco.arrivals, 99, 5)
    np.testing.assert_array_equal(first.time_minutes, again.time_minutes)
    np.testing.assert_array_equal(first.uniforms, again.uniforms)
    assert len(first) != len(other) or not np.array_equal(first.time_minutes, other.time_minutes)


def test_adding_a_service_leaves_the_other_services_alerts_unchanged():
    services = [{"name": "db", "team": "infra", "alerts_per_week": 10}]
    one = compile_scenario(small_scenario(services=services))
    two = compile_scenario(
        small_scenario(
            services=[{"name": "cache", "team": "infra", "alerts_per_week": 5}, *services]
        )
    )
    alone = generate_alert_stream(one.arrivals, 8, 0)
    mixed = generate_alert_stream(two.arrivals, 8, 0)
    db_in_mixed = mixed.service == 1
    np.testing.assert_array_equal(alone.time_minutes, mixed.time_minutes[db_in_mixed])
    np.testing.assert_array_equal(alone.uniforms, mixed.uniforms[db_in_mixed])


def test_severity_mix_is_respected():
    compiled = compile_scenario(
        small_scenario(
            services=[
                {
                    "name": "db",
                    "team": "infra",
                    "alerts_per_week": 500,
                    "severity_mix": {"P1": 0.1, "P2": 0.2, "P3": 0.3, "P4": 0.4},
                }
            ]
        )
    )
    stream = generate_alert_stream(compiled.arrivals, 1, 0)
    shares = np.bincount(stream.severity, minlength=4) / len(stream)
    tolerance = 4 * np.sqrt(0.25 / len(stream))
    np.testing.assert_allclose(shares, [0.1, 0.2, 0.3, 0.4], atol=tolerance)
