"""Time-varying arrivals: the infinite-server queue with an hour-of-week rate, and the arrival
process itself, against theory."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from sim.validation import CASES, MINUTES_PER_HOUR, WAIT_EPSILON_MINUTES, case, evaluate

TIME_VARYING = [c.name for c in CASES if c.kind == "mtginf"]


@pytest.mark.parametrize("name", TIME_VARYING)
def test_infinite_server_mean_number_in_system_at_every_hour_of_week(name, measures):
    """Eick, Massey and Whitt (1993): in an M_t/G/infinity queue the number in system at time t is
    Poisson with mean m(t) = integral_0^inf lambda(t - u) P(S > u) du (each arrival is still
    present u later with probability P(S > u), independently of the others). With the model's
    hourly step rate m at each hour start is exact: sum over past hours k of lambda_k times the
    integral of P(S > u) over that hour's lags. The simulated value per run is the number in
    system at each of the 168 hour-of-week starts, averaged over the weeks after the warm-up.
    168 checks at once: each must be within the Bonferroni limit for a family-wise false alarm
    probability of 0.1% (t quantile at 0.001 / 336 with R - 1 degrees of freedom)."""
    validation_case = case(name)
    result = evaluate(validation_case, measures=measures(name, validation_case.fast_runs))
    hourly = result.hourly
    assert hourly is not None
    worst = int(np.argmax(np.abs(hourly.z)))
    assert hourly.passed, (worst, hourly.theory[worst], hourly.mean[worst], hourly.z[worst])
    # Sharp: each hour's mean is known to a few percent (worst at the quiet weekend hours, where
    # m is smallest), while the day's swing is more than 3x.
    relative_se = hourly.se / hourly.theory
    assert np.median(relative_se) < 0.03 and np.max(relative_se) < 0.08
    assert hourly.theory.max() / hourly.theory.min() > 3
    # The overall time average against Little's law: L = mean rate x E[S]. And the daily cycle:
    # m is the rate filtered by P(S > u) (a linear time-invariant filter), so the daily Fourier
    # component of m is the rate's, damped and delayed by the transform of the survival function.
    # Its amplitude and peak time pool all 168 hours, and depend on the whole work-time
    # distribution, not only its mean: an exponential work time with the lognormal's mean would
    # raise the hour-of-week case's amplitude from 3.14 to 3.39, 7 SE at these 30 runs.
    for key in ("in_system", "daily_amplitude", "daily_peak"):
        check = next(check for check in result.checks if check.key == key)
        assert check.passed, (check.label, check.theory, check.estimate, check.z)
        assert check.relative_se < 0.02


def test_sinusoidal_case_lags_the_arrival_rate_as_theory_says():
    """For a sinusoidal rate and exponential work with mean tau, m(t) is a sinusoid damped by
    1 / sqrt(1 + (omega tau)^2) that lags the rate by arctan(omega tau) / omega (Eick, Massey and
    Whitt 1993, example of the M_t/M/infinity queue): 1.84 h for tau = 2 h and a daily period.
    The step rate of the scenario approximates the sinusoid, so the computed theory should show
    the same peak shift and amplitude to within the hourly grid."""
    validation_case = case("mtginf-sinusoidal")
    queue = validation_case.queue()
    m = validation_case.hourly_theory()[:24]
    omega, tau = 2 * np.pi / 24, queue.service_mean / MINUTES_PER_HOUR
    # The daily Fourier component of m on the hour grid: m(h) = mean + A cos(omega (h - peak)).
    hours = np.arange(24)
    component = np.sum(m * np.exp(-1j * omega * hours)) * 2 / 24
    amplitude = abs(component)
    peak_hour = (-np.angle(component) / omega) % 24
    rate_peak = 14.5  # the rate's sinusoid peaks at mid-hour 14:30
    assert amplitude == pytest.approx(12 * 0.6 / np.sqrt(1 + (omega * tau) ** 2), rel=0.01)
    assert peak_hour - rate_peak == pytest.approx(np.arctan(omega * tau) / omega, abs=0.1)


@pytest.mark.parametrize("name", TIME_VARYING)
def test_nobody_waits_in_the_infinite_server_cases(name, measures):
    """With c = 60 engineers and a mean number in system of at most 18.4, P(N >= 60) < 1e-13: the
    pool must behave as infinitely many servers, every incident paged the moment it starts."""
    runs = measures(name, case(name).fast_runs)
    assert max(run.max_wait for run in runs) <= WAIT_EPSILON_MINUTES
    # Rounding: the model pages at now + (start - now) minutes, which may be start - 1 ulp (a
    # wait of about -7e-15 min has been seen); anything beyond that would be a bug.
    assert min(run.min_wait for run in runs) >= -WAIT_EPSILON_MINUTES


@pytest.mark.parametrize("name", TIME_VARYING)
def test_arrivals_per_hour_of_week_bin_match_the_configured_rates(name, measures):
    """A non-homogeneous Poisson process with rate lambda_h in hour-of-week h puts in bin h,
    over R runs of W weeks, a Poisson count with mean R W 60 lambda_h, independently across bins.
    Pearson's X^2 = sum (O - E)^2 / E is then chi-square with 168 degrees of freedom (rates given,
    not estimated): p >= 0.001. And each bin within 4.5 Poisson SE (Bonferroni over 168 bins:
    family-wise false alarm below 0.2%)."""
    validation_case = case(name)
    result = evaluate(validation_case, measures=measures(name, validation_case.fast_runs))
    chi = result.chi_square
    assert chi is not None
    assert chi.passed, (chi.statistic, chi.p_value)
    z = (chi.observed - chi.expected) / np.sqrt(chi.expected)
    assert np.max(np.abs(z)) < 4.5
    # The test has power: a 10% error in the busiest eight hours of each day would be rejected.
    wrong = chi.expected.copy().reshape(7, 24)
    wrong[:, 8:16] *= 1.1
    statistic = np.sum((chi.observed - wrong.reshape(168)) ** 2 / wrong.reshape(168))
    assert stats.chi2.sf(statistic, 168) < 1e-6
