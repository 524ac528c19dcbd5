"""Calibration fits: synthetic histories from known parameters are recovered within their
standard errors at several sample sizes, and the fits on the two real histories agree with
figures computed here independently (plain pandas/numpy on the raw CSVs)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.calibration import calibrate, fit_lognormal_durations, read_history
from sim.calibration.arrivals import fit_dispersion
from sim.calibration.writer import render_scenario
from sim.scenario.calibration import CalibrationSettings
from sim.scenario.profiles import PRESETS, normalised_profile

DATA = Path(__file__).parents[1] / "data"
LA = "America/Los_Angeles"
FACTORS = {"P1": 1.5, "P2": 1.2, "P3": 1.0, "P4": 0.8}  # the schema's default work factors
MIX = {"P1": 0.05, "P2": 0.15, "P3": 0.5, "P4": 0.3}
TRUE_PROFILE = "business-hours-weekend-quiet"


def synthetic_history(
    tmp_path: Path, weeks: int, per_week: float, seed: int, weekly_variance: float = 0.0
) -> Path:
    """A generic-format CSV drawn from known parameters, hour by hour, in UTC.

    Arrivals: Poisson with mean per_week / 168 * profile weight per hour (times a gamma factor
    of mean 1 and variance weekly_variance per week); severities from MIX; ack delay lognormal
    (median 4, sigma 0.8); work time lognormal (median 50, sigma 0.9) times the severity factor.
    """
    rng = np.random.default_rng(seed)
    hours = pd.date_range("2024-01-01", periods=weeks * 168, freq="h", tz="UTC")
    weight = normalised_profile(PRESETS[TRUE_PROFILE])[np.arange(weeks * 168) % 168]
    factor = np.ones(weeks)
    if weekly_variance > 0:
        factor = rng.gamma(1 / weekly_variance, weekly_variance, size=weeks)
    counts = rng.poisson(per_week / 168 * weight * np.repeat(factor, 168))
    starts = hours.repeat(counts) + pd.to_timedelta(rng.random(counts.sum()) * 60, unit="min")
    n = len(starts)
    severity = rng.choice(list(MIX), size=n, p=list(MIX.values()))
    ack = 4.0 * np.exp(0.8 * rng.standard_normal(n))
    work = 50.0 * np.exp(0.9 * rng.standard_normal(n)) * pd.Series(severity).map(FACTORS)
    acknowledged = starts + pd.to_timedelta(ack, unit="min")
    resolved = acknowledged + pd.to_timedelta(work.to_numpy(), unit="min")
    frame = pd.DataFrame(
        {
            "service": "api",
            "started_at": starts.strftime("%Y-%m-%dT%H:%M:%S.%f+00:00"),
            "acknowledged_at": acknowledged.strftime("%Y-%m-%dT%H:%M:%S.%f+00:00"),
            "resolved_at": resolved.strftime("%Y-%m-%dT%H:%M:%S.%f+00:00"),
            "severity": severity,
        }
    )
    path = tmp_path / f"synthetic-{weeks}.csv"
    frame.to_csv(path, index=False)
    return path


def _family(fits, name):
    return next(fit for fit in fits if fit.family == name)


@pytest.mark.parametrize(("weeks", "seed"), [(10, 1), (50, 2), (250, 3)])
def test_synthetic_history_is_recovered_within_standard_errors(tmp_path, weeks, seed) -> None:
    per_week = 20.0  # n is about 200, 1,000 and 5,000 incidents
    result = calibrate(read_history(synthetic_history(tmp_path, weeks, per_week, seed)))
    (service,) = result.services
    assert service.pooled_from == "own"
    assert abs(service.alerts_per_week - per_week) < 3 * service.alerts_per_week_se
    for name, share in MIX.items():
        assert abs(service.severity_mix[name] - share) < 3 * service.severity_mix_se[name]
    work = _family(result.work_time, "lognormal")
    assert abs(work.params["median"] - 50.0) < 3 * work.standard_errors["median"]
    assert abs(work.params["sigma"] - 0.9) < 3 * work.standard_errors["sigma"]
    ack = _family(result.ack_delay, "lognormal")
    assert abs(ack.params["median"] - 4.0) < 3 * ack.standard_errors["median"]
    assert abs(ack.params["sigma"] - 0.8) < 3 * ack.standard_errors["sigma"]
    # The analytic standard errors of the lognormal MLE agree with the numerical Hessian.
    assert work.standard_errors["sigma"] == pytest.approx(0.9 / np.sqrt(2 * work.n), rel=0.1)
    if service.n >= 1000:
        assert service.profile.choice == TRUE_PROFILE
        assert result.work_time[0].family == "lognormal"
        assert result.ack_delay[0].family == "lognormal"


def test_gamma_mixed_weekly_rate_is_detected_and_its_variance_recovered(tmp_path) -> None:
    path = synthetic_history(tmp_path, 300, 20.0, seed=11, weekly_variance=0.3)
    (service,) = calibrate(read_history(path)).services
    dispersion = service.dispersion
    assert dispersion.pvalue < 1e-6
    assert abs(dispersion.alpha - 0.3) < 3 * dispersion.alpha_standard_error
    assert dispersion.alpha_standard_error < 0.05
    # the rate's standard error carries the negative-binomial variance m + alpha m^2
    poisson_se = np.sqrt(service.n) / 300
    assert service.alerts_per_week_se == pytest.approx(
        poisson_se * np.sqrt(1 + dispersion.alpha * dispersion.mean_per_week), rel=0.02
    )


def test_poisson_weekly_counts_are_not_flagged() -> None:
    counts = np.random.default_rng(5).poisson(12.0, size=200)
    fit = fit_dispersion(counts)
    assert fit.dispersion_index == pytest.approx(counts.var(ddof=1) / counts.mean())
    assert fit.pvalue > 0.05
    assert not fit.overdispersed


# --- real histories, against figures computed independently ---------------------------------


@pytest.fixture(scope="module")
def github_raw() -> pd.DataFrame:
    raw = pd.read_csv(DATA / "github-status-incidents.csv")
    raw["started"] = pd.to_datetime(raw["started_at"], utc=True, format="ISO8601")
    raw["resolved"] = pd.to_datetime(raw["resolved_at"], utc=True, format="ISO8601")
    return raw


@pytest.fixture(scope="module")
def github_fit():
    history = read_history(DATA / "github-status-incidents.csv")
    return calibrate(history, CalibrationSettings(time_zone=LA))


def _full_week_counts(local: pd.Series, window: pd.Series | None = None) -> np.ndarray:
    """Counts per Monday-to-Sunday week, over the full weeks of the window's span."""
    window = local if window is None else window
    weeks = local.dt.tz_localize(None).dt.to_period("W-SUN")
    edges = window.dt.tz_localize(None).dt.to_period("W-SUN")
    span = pd.period_range(edges.min(), edges.max(), freq="W-SUN")[1:-1]  # full weeks only
    return weeks.value_counts().reindex(span, fill_value=0).to_numpy()


def test_github_fit_matches_independent_figures(github_raw, github_fit) -> None:
    (service,) = github_fit.services
    weeks = (github_raw["started"].max() - github_raw["started"].min()) / pd.Timedelta(days=7)
    assert github_fit.exposure_weeks == pytest.approx(weeks)  # 712.69
    assert service.n == 1282
    assert service.alerts_per_week == pytest.approx(1282 / weeks)  # 1.799 a week
    shares = (
        github_raw["impact"]
        .map({"critical": "P1", "major": "P2", "minor": "P3", "none": "P4"})
        .value_counts(normalize=True)
    )
    for name in ("P1", "P2", "P3", "P4"):
        assert service.severity_mix[name] == pytest.approx(shares[name])
    counts = _full_week_counts(github_raw["started"].dt.tz_convert(LA))
    assert len(counts) == len(service.dispersion.weekly_counts)
    assert service.dispersion.dispersion_index == pytest.approx(counts.var(ddof=1) / counts.mean())
    assert service.dispersion.dispersion_index == pytest.approx(2.09, abs=0.01)
    assert service.dispersion.alpha == pytest.approx(0.588, abs=0.01)  # s.e. 0.068
    # the 168-weight profile beats every preset by a wide AIC margin (US working hours)
    assert service.profile.choice == "custom"
    assert service.profile.aic["custom"] == pytest.approx(844.2, abs=0.5)
    assert service.profile.aic["business-hours-weekend-quiet"] == pytest.approx(1007.0, abs=0.5)


def test_github_work_time_is_lognormal_per_unit_severity(github_raw, github_fit) -> None:
    duration = (github_raw["resolved"] - github_raw["started"]).dt.total_seconds() / 60
    keep = duration > 0
    factor = github_raw["impact"].map({"critical": 1.5, "major": 1.2, "minor": 1.0, "none": 0.8})
    logs = np.log(duration[keep] / factor[keep])
    best = github_fit.work_time[0]
    assert best.family == "lognormal"
    assert best.n == 443
    assert best.params["median"] == pytest.approx(np.exp(logs.mean()), rel=1e-4)
    assert best.params["sigma"] == pytest.approx(logs.std(ddof=0), rel=1e-3)
    assert best.ks_pvalue > 0.05  # lognormal is not rejected
    # with every factor 1.0 the fit is exactly the figure the scenario headers cite
    plain = calibrate(
        read_history(DATA / "github-status-incidents.csv"),
        CalibrationSettings(time_zone=LA),
        dict.fromkeys(FACTORS, 1.0),
    ).work_time[0]
    legacy = fit_lognormal_durations(duration)
    assert plain.params["median"] == pytest.approx(legacy.median_minutes, rel=1e-4)  # 65.6
    assert plain.params["sigma"] == pytest.approx(legacy.sigma, rel=1e-3)  # 1.04


def test_lanl_fit_matches_independent_figures() -> None:
    raw = pd.read_csv(DATA / "lanl-failures-1996-2005.csv")
    started = pd.to_datetime(raw["started"], format="%m/%d/%Y %H:%M")
    utc = started.dt.tz_localize(
        "America/Denver", ambiguous=np.zeros(len(raw), bool), nonexistent="shift_forward"
    ).dt.tz_convert("UTC")
    weeks = (utc.max() - utc.min()) / pd.Timedelta(days=7)
    result = calibrate(
        read_history(DATA / "lanl-failures-1996-2005.csv"),
        CalibrationSettings(time_zone="America/Denver"),
    )
    assert len(result.services) == 23
    by_name = {fit.name: fit for fit in result.services}
    assert by_name["system-2"].alerts_per_week == pytest.approx(7104 / weeks)  # 13.2 a week
    system2 = utc[raw["system"] == 2].dt.tz_convert("America/Denver")
    counts = _full_week_counts(system2, utc.dt.tz_convert("America/Denver"))
    index = counts.var(ddof=1) / counts.mean()
    # system 2's weekly counts (over the whole history's full weeks) are far from Poisson
    assert by_name["system-2"].dispersion.dispersion_index == pytest.approx(index)
    assert index == pytest.approx(32.86, abs=0.01)
    downtime = pd.to_numeric(raw["downtime_minutes"], errors="coerce")
    logs = np.log(downtime[downtime > 0])
    lognormal = next(fit for fit in result.work_time if fit.family == "lognormal")
    assert lognormal.n == int((downtime > 0).sum())
    assert lognormal.params["median"] == pytest.approx(np.exp(logs.mean()), rel=1e-4)
    assert lognormal.params["sigma"] == pytest.approx(logs.std(ddof=0), rel=1e-3)
    assert lognormal.ks_pvalue < 1e-3  # rejected: LANL repairs have a heavier tail
    # ... which the spliced family captures (far lower AIC), with a generalised-Pareto shape
    # above 1 over all 23 systems pooled: an infinite mean, which the schema refuses, so the
    # scenario gets the lognormal and says why.
    best = result.work_time[0]
    assert best.family == "lognormal-pareto-tail"
    assert best.aic < lognormal.aic - 1000
    assert best.params["threshold_minutes"] == pytest.approx(
        np.quantile(downtime[downtime > 0], 0.9)
    )
    assert best.params["tail_shape"] > 1
    text, notes = render_scenario(result)
    assert (
        "response.work_time_minutes: best family lognormal-pareto-tail is outside the schema's "
        "bounds; using lognormal" in notes
    )
    assert "work_time_minutes:  # fitted: median 63.67" in text
    assert result.messages.count("no severities in the history: severity_mix is not fitted") == 1
