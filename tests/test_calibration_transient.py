"""Transient alerts from a history: a synthetic history with a known transient share and a
lognormal self-clear time is recovered within standard errors at several sample sizes, the
scenario's ``noise`` block gets them (commented), the back-test measures them, and a history
without acknowledgements fits nothing and says so."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.calibration import calibrate, read_history
from sim.calibration.backtest import backtest
from sim.calibration.diagnostics import write_report
from sim.calibration.writer import render_scenario
from sim.scenario import load_scenario_text
from sim.scenario.calibration import BacktestSettings, CalibrationSettings

SHARE = 0.4
CLEAR_MEDIAN, CLEAR_SIGMA = 3.0, 0.8
THRESHOLD = CalibrationSettings().transient_max_minutes
#: The estimator counts transient alerts that cleared within the threshold.
EXPECTED_SHARE = SHARE * stats.lognorm(s=CLEAR_SIGMA, scale=CLEAR_MEDIAN).cdf(THRESHOLD)
STAMP = "%Y-%m-%dT%H:%M:%S.%f+00:00"


def noisy_history(tmp_path: Path, weeks: int, per_week: float, seed: int, acks=True) -> Path:
    """A generic CSV: Poisson arrivals (flat in time); a share SHARE of incidents is transient
    (never acknowledged, resolved after a lognormal(CLEAR_MEDIAN, CLEAR_SIGMA) self-clear time);
    the rest are acknowledged after lognormal(4, 0.8) and worked lognormal(50, 0.9) minutes."""
    rng = np.random.default_rng(seed)
    n = rng.poisson(per_week * weeks)
    start = pd.Timestamp("2024-01-01", tz="UTC")
    starts = start + pd.to_timedelta(np.sort(rng.random(n)) * weeks * 7 * 1440, unit="min")
    transient = rng.random(n) < SHARE
    clear = CLEAR_MEDIAN * np.exp(CLEAR_SIGMA * rng.standard_normal(n))
    ack = 4.0 * np.exp(0.8 * rng.standard_normal(n))
    work = 50.0 * np.exp(0.9 * rng.standard_normal(n))
    acknowledged = pd.Series(starts + pd.to_timedelta(ack, unit="min")).dt.strftime(STAMP)
    acknowledged[transient] = ""
    resolved_after = np.where(transient, clear, ack + work)
    resolved = starts + pd.to_timedelta(resolved_after, unit="min")
    frame = pd.DataFrame(
        {
            "service": "api",
            "started_at": starts.strftime(STAMP),
            "resolved_at": resolved.strftime(STAMP),
        }
    )
    if acks:
        frame["acknowledged_at"] = acknowledged.to_numpy()
    path = tmp_path / f"noisy-{weeks}-{seed}.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.mark.parametrize(("weeks", "seed"), [(15, 1), (60, 2), (300, 3)])
def test_transient_share_and_self_clear_time_are_recovered_within_standard_errors(
    tmp_path, weeks, seed
) -> None:
    per_week = 10.0  # n is about 150, 600 and 3,000 incidents
    history = read_history(noisy_history(tmp_path, weeks, per_week, seed))
    result = calibrate(history)
    fit = result.transient
    assert fit is not None
    assert fit.threshold_minutes == THRESHOLD
    assert fit.n == sum(service.n for service in result.services)
    assert fit.share == pytest.approx(fit.transient / fit.n)
    assert fit.share_se == pytest.approx(np.sqrt(fit.share * (1 - fit.share) / fit.n))
    assert abs(fit.share - EXPECTED_SHARE) < 3 * fit.share_se
    clear = next(f for f in fit.self_clear if f.family == "lognormal")
    assert clear.n == fit.transient
    assert abs(clear.params["median"] - CLEAR_MEDIAN) < 3 * clear.standard_errors["median"]
    assert abs(clear.params["sigma"] - CLEAR_SIGMA) < 3 * clear.standard_errors["sigma"]
    assert fit.beyond_threshold < 0.01
    # the transient incidents are not in the work-time fit: it recovers the real work time
    work = next(f for f in result.work_time if f.family == "lognormal")
    assert work.n == history.incidents["acknowledged"].notna().sum()
    assert abs(work.params["median"] - 50.0) < 3 * work.standard_errors["median"]
    assert abs(work.params["sigma"] - 0.9) < 3 * work.standard_errors["sigma"]
    if weeks >= 60:
        assert fit.self_clear[0].family == "lognormal"


def test_fitted_noise_block_is_written_with_estimate_standard_error_and_n(tmp_path) -> None:
    result = calibrate(read_history(noisy_history(tmp_path, 60, 10.0, seed=5)))
    fit = result.transient
    text, _ = render_scenario(result)
    scenario = load_scenario_text(text, "fitted")
    assert scenario.noise.transient_share == round(fit.share, 4)
    clear = scenario.noise.self_clear_minutes
    best = fit.self_clear[0]
    assert clear.distribution == best.family
    (share_line,) = [line for line in text.splitlines() if "transient_share:" in line]
    assert f"(s.e. {fit.share_se:.2g}), n = {fit.n}; {fit.transient} resolved within 30 min" in (
        share_line
    )
    (clear_line,) = [line for line in text.splitlines() if "self_clear_minutes:" in line]
    assert f"n = {best.n}" in clear_line and "s.e." in clear_line


def test_into_replaces_only_the_fitted_noise_fields(tmp_path) -> None:
    result = calibrate(read_history(noisy_history(tmp_path, 60, 10.0, seed=6)))
    into = Path(__file__).parents[1] / "scenarios" / "alert-noise.yaml"
    text, notes = render_scenario(result, into=into)
    scenario = load_scenario_text(text, "fitted")
    original = load_scenario_text(into.read_text(encoding="utf-8"), "original")
    assert scenario.noise.transient_share == round(result.transient.share, 4)
    assert scenario.noise.self_clear_minutes != original.noise.self_clear_minutes
    kept = ("pause_minutes", "flap_probability", "refire_after_minutes", "flap_rule")
    for name in kept:
        assert getattr(scenario.noise, name) == getattr(original.noise, name)
    network = next(s for s in scenario.services if s.name == "network")
    assert network.noise.transient_share == 0.7  # a per-service override is kept, and said
    assert any("database, network" in note for note in notes)


def test_report_shows_the_transient_fit(tmp_path) -> None:
    path = noisy_history(tmp_path, 60, 10.0, seed=7)
    history = read_history(path)
    result = calibrate(history)
    written = write_report(result, history, tmp_path / "report")
    assert tmp_path / "report" / "qq-self-clear.png" in written
    summary = (tmp_path / "report" / "summary.md").read_text(encoding="utf-8")
    assert f"Transient share {result.transient.share:.4g}" in summary
    durations = pd.read_csv(tmp_path / "report" / "durations.csv")
    assert "self_clear" in set(durations["quantity"])


def test_history_without_acknowledgements_fits_no_transient_share_and_says_so(tmp_path) -> None:
    path = noisy_history(tmp_path, 60, 10.0, seed=8, acks=False)
    history = read_history(path)
    result = calibrate(history)
    assert result.transient is None
    assert any(
        "no acknowledgement information" in message and "not fitted" in message
        for message in result.messages
    )
    text, _ = render_scenario(result)
    assert "\nnoise:" not in text
    assert load_scenario_text(text, "fitted").noise.transient_share == 0.0
    assert "noise.transient_share and noise.self_clear_minutes are not fitted" in text  # header
    write_report(result, history, tmp_path / "report")
    summary = (tmp_path / "report" / "summary.md").read_text(encoding="utf-8")
    assert "Not fitted: the history records no acknowledgements" in summary
    # and the work time keeps every incident (none can be called transient)
    assert result.work_time[0].n == len(history)


def test_backtest_measures_self_cleared_incidents(tmp_path) -> None:
    history_path = noisy_history(tmp_path, 40, 10.0, seed=9)
    scenario_path = tmp_path / "base.yaml"
    scenario_path.write_text(
        "name: noisy\nservices:\n  - {name: api, team: ops, alerts_per_week: 1}\n"
        "teams:\n  - {name: ops, engineers: 4}\n",
        encoding="utf-8",
    )
    history = read_history(history_path)
    result = backtest(scenario_path, history, dt.date(2024, 7, 1), BacktestSettings(runs=20))
    table = result.table.set_index("kpi")
    frame = history.incidents
    held = (frame["started"] >= result.start) & (
        frame["started"] < result.start + pd.Timedelta(weeks=result.weeks)
    )
    duration = history.durations_minutes
    cleared = held & frame["acknowledged"].isna() & (duration <= THRESHOLD)
    row = table.loc["self_cleared_incidents_per_week"]
    assert row["observed"] == pytest.approx(cleared.sum() / result.weeks)
    assert table.loc["self_cleared_share", "observed"] == pytest.approx(cleared.sum() / held.sum())
    for kpi in ("self_cleared_incidents_per_week", "self_cleared_share"):
        assert np.isfinite(table.loc[kpi, "sim_median"])
        assert 0 <= table.loc[kpi, "percentile"] <= 1
    # the fitted scenario simulates transient alerts: some incidents self-clear unacknowledged
    assert table.loc["self_cleared_incidents_per_week", "sim_high"] > 0
    assert result.fit.transient is not None


def test_backtest_without_acknowledgements_has_no_self_cleared_kpi(tmp_path) -> None:
    history_path = noisy_history(tmp_path, 30, 10.0, seed=10, acks=False)
    scenario_path = tmp_path / "base.yaml"
    scenario_path.write_text(
        "name: noisy\nservices:\n  - {name: api, team: ops, alerts_per_week: 1}\n"
        "teams:\n  - {name: ops, engineers: 4}\n",
        encoding="utf-8",
    )
    result = backtest(
        scenario_path, read_history(history_path), dt.date(2024, 5, 1), BacktestSettings(runs=10)
    )
    assert "self_cleared_incidents_per_week" not in set(result.table["kpi"])
