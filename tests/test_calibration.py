"""Calibration helpers: synthetic data with known answers, then the real histories in data/.

Tolerances on the real data pin the figures cited in scenario headers (see data/README.md);
they are about 3 standard errors or ±10%, whichever the brief's figure needs, so a change in a
loader's filtering or in a rate definition makes them fail.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.calibration import (
    LognormalFit,
    WeibullFit,
    business_hours_rate_ratio,
    fit_lognormal_durations,
    fit_weibull_gaps,
    hour_of_week_profile,
    load_github_status_incidents,
    load_lanl_failures,
    profile_band_means,
    summarize,
    weekend_rate_ratio,
)

DATA = Path(__file__).parents[1] / "data"
LA = "America/Los_Angeles"


# --- synthetic data with a known answer ---------------------------------------------------


def test_lognormal_recovers_median_and_sigma() -> None:
    rng = np.random.default_rng(20240601)
    n, median, sigma = 20_000, 50.0, 0.8
    fit = fit_lognormal_durations(median * np.exp(sigma * rng.standard_normal(n)))
    assert isinstance(fit, LognormalFit)
    assert fit.n == n
    assert fit.median_minutes == pytest.approx(median, abs=3 * median * sigma / np.sqrt(n))
    assert fit.sigma == pytest.approx(sigma, abs=3 * sigma / np.sqrt(2 * n))


def test_lognormal_drops_missing_non_positive_and_short() -> None:
    fit = fit_lognormal_durations([0.0, -5.0, np.nan, 1.0, 10.0, 100.0])
    assert fit.n == 3
    assert fit.median_minutes == pytest.approx(10.0)
    assert fit.sigma == pytest.approx(np.log(10.0) * np.sqrt(2 / 3))
    assert fit_lognormal_durations([1.0, 10.0, 100.0], min_minutes=5).n == 2
    with pytest.raises(ValueError):
        fit_lognormal_durations([0.0, 0.0, 3.0])


def test_weibull_recovers_shape_and_scale_from_unsorted_times() -> None:
    rng = np.random.default_rng(7)
    n, shape, scale = 5_000, 0.7, 300.0
    gaps = scale * rng.weibull(shape, n)
    times = pd.Timestamp("2020-01-01", tz="UTC") + pd.to_timedelta(np.cumsum(gaps), unit="min")
    times = times.append(times[:1])  # a duplicate: zero gap, must be dropped
    fit = fit_weibull_gaps(pd.Series(times).sample(frac=1.0, random_state=1))
    assert isinstance(fit, WeibullFit)
    assert fit.n == n - 1
    assert fit.shape == pytest.approx(shape, abs=3 * 0.608 * shape / np.sqrt(n))
    se_log_scale = 1.053 / (shape * np.sqrt(n))
    assert np.log(fit.scale_minutes) == pytest.approx(np.log(scale), abs=3 * se_log_scale)


def _hourly_events(tz: str | None, per_slot: np.ndarray) -> pd.DatetimeIndex:
    """per_slot[d, h] events at every local hour of 2021's 52 weeks from Monday 4 January.

    With a time zone the hours are absolute, so the two DST days have 23 and 25 local hours.
    """
    hours = pd.date_range("2021-01-04", periods=52 * 168, freq="h", tz=tz)
    reps = per_slot[hours.day_of_week, hours.hour]
    return hours.repeat(reps)


def test_rate_ratios_and_profile_exact_on_a_known_pattern() -> None:
    per_slot = np.ones((7, 24), dtype=int)
    per_slot[:5] = 3  # weekdays three times the weekend rate
    per_slot[:5, 8:18] = 6  # business hours twice the rest of the weekday
    times = _hourly_events(LA, per_slot).tz_convert("UTC")
    assert weekend_rate_ratio(times, LA) == pytest.approx(24 / (14 * 3 + 10 * 6))
    inside = 6.0
    outside = (5 * 14 * 3 + 2 * 24 * 1) / (5 * 14 + 2 * 24)
    assert business_hours_rate_ratio(times, LA) == pytest.approx(inside / outside)
    profile = hour_of_week_profile(times, LA)
    assert profile.shape == (7, 24)
    assert profile.mean() == pytest.approx(1.0)
    assert profile / profile[6, 0] == pytest.approx(per_slot.astype(float))
    # the same instants read in UTC put LA's business day 8 hours later
    assert weekend_rate_ratio(times, "UTC") != pytest.approx(weekend_rate_ratio(times, LA))


def test_weekend_ratio_naive_local_times() -> None:
    per_slot = np.ones((7, 24), dtype=int)
    per_slot[5:] = 0
    per_slot[5:, 23] = 24  # one weekend hour carries a full day's worth
    times = _hourly_events(None, per_slot)
    assert weekend_rate_ratio(times) == pytest.approx(1.0)


def test_profile_is_monday_first_and_smoothing_keeps_mean() -> None:
    mondays_9am = pd.date_range("2022-01-03 09:00", periods=30, freq="7D")
    profile = hour_of_week_profile(mondays_9am)
    assert profile[0, 9] == pytest.approx(168.0)
    assert profile.sum() == pytest.approx(168.0)
    smooth = hour_of_week_profile(mondays_9am, smooth_hours=1)
    assert smooth.mean() == pytest.approx(1.0)
    assert smooth[0, 8:11] == pytest.approx([56.0, 56.0, 56.0])
    sunday_late = hour_of_week_profile(mondays_9am - pd.Timedelta(hours=10), smooth_hours=1)
    assert sunday_late[0, 0] == pytest.approx(56.0)  # Sunday 23:00 wraps to Monday 00:00
    with pytest.raises(ValueError):
        hour_of_week_profile(pd.date_range("2022-01-03", periods=10, freq="h"))


# --- real data: GitHub status page ----------------------------------------------------------


@pytest.fixture(scope="module")
def github() -> pd.DataFrame:
    return load_github_status_incidents(DATA / "github-status-incidents.csv")


def test_github_loader_and_quirks(github: pd.DataFrame) -> None:
    assert len(github) == 1282
    assert str(github["started"].dt.tz) == "UTC"
    assert github["started"].is_monotonic_increasing
    d = github["duration_minutes"]
    assert (d == 0).sum() == 836  # all 832 incidents of 2010-2018, and 4 later ones
    assert (d[github["started"].dt.year < 2019] == 0).all()
    assert (d < 0).sum() == 3  # 2020: resolved_at before started_at
    assert github.loc[d > 0, "started"].min().year == 2019


def test_github_durations(github: pd.DataFrame) -> None:
    # Filter: positive durations only (443 incidents, 2019-2023); zero and negative dropped.
    d = github["duration_minutes"]
    fit = fit_lognormal_durations(d)
    assert fit.n == 443
    assert d[d > 0].median() == pytest.approx(64.0, rel=0.05)
    assert fit.median_minutes == pytest.approx(64.0, rel=0.10)  # 65.6
    assert fit.sigma == pytest.approx(1.0, abs=0.10)  # 1.04; s.e. 0.035


def test_github_gaps_are_bursty(github: pd.DataFrame) -> None:
    fit = fit_weibull_gaps(github["started"])
    assert fit.n == 1280  # 1281 gaps, one zero (two entries at 2012-01-24 03:05 UTC)
    assert fit.shape == pytest.approx(0.7, abs=0.05)  # 0.706; s.e. 0.012


@pytest.mark.parametrize("tz", ["UTC", LA])
def test_github_weekend_ratio(github: pd.DataFrame, tz: str) -> None:
    assert weekend_rate_ratio(github["started"], tz) == pytest.approx(0.30, rel=0.10)


def test_github_business_hours_and_profile(github: pd.DataFrame) -> None:
    utc = business_hours_rate_ratio(github["started"], "UTC")
    la = business_hours_rate_ratio(github["started"], LA)
    assert utc == pytest.approx(1.77, rel=0.10)
    assert la == pytest.approx(2.42, rel=0.10)  # sharper in US time: a US working day
    means = profile_band_means(hour_of_week_profile(github["started"], LA))
    assert means["weekday"] == pytest.approx(1.25, abs=0.05)
    assert means["weekend"] == pytest.approx(0.38, abs=0.05)
    assert means["night"] == pytest.approx(0.65, abs=0.07)


def test_summarize_github(github: pd.DataFrame) -> None:
    s = summarize(github, LA)
    assert s["n_incidents"] == 1282
    assert s["duration"]["n"] == 443
    assert s["gaps"]["shape"] == pytest.approx(0.706, abs=0.005)
    assert s["weekend_rate_ratio"] == pytest.approx(weekend_rate_ratio(github["started"], LA))
    assert set(s["profile_means"]) == {"weekday", "weekend", "night"}


# --- real data: LANL HPC failures -----------------------------------------------------------


@pytest.fixture(scope="module")
def lanl() -> pd.DataFrame:
    return load_lanl_failures(DATA / "lanl-failures-1996-2005.csv")


def test_lanl_loader(lanl: pd.DataFrame) -> None:
    assert len(lanl) == 23739
    assert lanl["started"].dt.tz is None
    assert lanl["duration_minutes"].notna().all()
    assert (lanl["duration_minutes"] == 0).sum() == 187
    top = lanl["system"].value_counts().head(3)
    assert top.to_dict() == {2: 7104, 18: 3997, 19: 3284}


def test_lanl_time_between_failures_weibull(lanl: pd.DataFrame) -> None:
    # Largest system (system 2, 7104 records), gaps between failures of any of its nodes.
    fit = fit_weibull_gaps(lanl.loc[lanl["system"] == 2, "started"])
    assert 0.6 <= fit.shape <= 0.85  # Schroeder & Gibson (DSN 2006): 0.7-0.8
    assert fit.shape == pytest.approx(0.74, abs=0.03)  # s.e. 0.006
    for system in (18, 19):  # decreasing hazard on the next two largest as well
        assert fit_weibull_gaps(lanl.loc[lanl["system"] == system, "started"]).shape < 0.95


def test_lanl_repair_times_lognormal(lanl: pd.DataFrame) -> None:
    d = lanl.loc[lanl["system"] == 2, "duration_minutes"]
    fit = fit_lognormal_durations(d)
    assert np.isfinite(fit.sigma)
    assert 0.9 < fit.sigma < 1.5  # 1.21
    assert 30 < fit.median_minutes < 120  # 55.7
    # Lognormal-ish: much better likelihood than an exponential with the same mean.
    d = d[d > 0].to_numpy()
    logs = np.log(d)
    ll_lognormal = np.sum(-logs - np.log(fit.sigma * np.sqrt(2 * np.pi)))
    ll_lognormal -= np.sum((logs - np.log(fit.median_minutes)) ** 2) / (2 * fit.sigma**2)
    ll_exponential = np.sum(-np.log(d.mean()) - d / d.mean())
    assert ll_lognormal > ll_exponential + 1000
