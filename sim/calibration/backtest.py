"""Back-test: fit on the history before a split, simulate the rest, compare with what happened.

The scenario's fitted fields are replaced by a calibration of the incidents before ``split``
(:func:`sim.calibration.writer.render_scenario`), its horizon becomes the held-out period (from
the first Monday on or after the split, in ``horizon.time_zone``, for every full week the
history still covers), and run ``i`` of ``runs`` is exactly ``sim.simulate(scenario, run=i)``
(compiled once). Per KPI the history can measure, the observed value is set against the
simulated distribution: median, central interval (90% by default) and the observed value's
percentile, ``P(sim < obs) + P(sim = obs) / 2``. Per held-out week, the simulated weekly counts
give a 90% prediction interval (empirical 5% and 95% quantiles of the runs); its coverage over W
weeks should be about 0.90, with binomial standard error ``sqrt(0.9 * 0.1 / W)`` if weeks were
independent. The randomised PIT of each week's count, ``F(y - 1) + V (F(y) - F(y - 1))`` with
``V`` uniform, is uniform when the model is right; its histogram shows how it is wrong (a U:
too narrow; a slope: biased).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.calibration.fit import CalibrationResult, calibrate
from sim.calibration.history import History, HistoryError
from sim.calibration.writer import render_scenario
from sim.scenario.calibration import BacktestSettings, CalibrationSettings

MINUTES_PER_WEEK = 7 * 24 * 60
SLEEP_HOURS = (22, 8)  # [22:00, 08:00) local, the KPI definition of sleep hours


@dataclass(frozen=True)
class PeriodMeasures:
    """What one period (observed or one simulated run) shows, per held-out week or overall."""

    weekly_counts: np.ndarray
    values: dict[str, float]


@dataclass(frozen=True)
class BacktestResult:
    """Observed against simulated, per KPI and per week."""

    table: pd.DataFrame
    """One row per KPI: observed, sim_median, sim_low, sim_high, percentile."""
    weekly: pd.DataFrame
    """One row per held-out week: week start, observed, low, high, covered, pit."""
    coverage: float
    coverage_standard_error: float
    pit_histogram: np.ndarray
    start: pd.Timestamp
    weeks: int
    runs: int
    fit: CalibrationResult


def _measures(
    start_minutes: np.ndarray,
    durations_minutes: np.ndarray,
    start: pd.Timestamp,
    weeks: int,
    extra: dict[str, float] | None = None,
) -> PeriodMeasures:
    inside = (start_minutes >= 0) & (start_minutes < weeks * MINUTES_PER_WEEK)
    minutes = start_minutes[inside]
    week = (minutes // MINUTES_PER_WEEK).astype(int)
    counts = np.bincount(week, minlength=weeks)[:weeks]
    local = (start.tz_convert("UTC") + pd.to_timedelta(minutes, unit="min")).tz_convert(start.tz)
    weekend = np.asarray(local.day_of_week >= 5)
    hour = np.asarray(local.hour)
    sleep = (hour >= SLEEP_HOURS[0]) | (hour < SLEEP_HOURS[1])
    durations = durations_minutes[inside]
    durations = durations[np.isfinite(durations) & (durations > 0)]
    values = {
        "incidents_per_week": counts.mean(),
        "weekend_incidents_per_weekend": weekend.sum() / weeks,
        "sleep_hour_incidents_per_week": sleep.sum() / weeks,
        "duration_median_minutes": float(np.median(durations)) if durations.size else np.nan,
        "duration_p90_minutes": float(np.quantile(durations, 0.9)) if durations.size else np.nan,
        "weekly_count_sd": float(counts.std(ddof=1)) if weeks > 1 else np.nan,
    }
    return PeriodMeasures(counts, {**values, **(extra or {})})


def held_out_window(history: History, split: dt.date, tz: str) -> tuple[pd.Timestamp, int]:
    """First local Monday on or after the split, and the full weeks the history covers after it."""
    first, last = history.incidents["started"].min(), history.incidents["started"].max()
    split_at = pd.Timestamp(split).tz_localize(tz)
    if not first < split_at < last:
        raise HistoryError(
            f"{history.source}: --split {split} is outside the history "
            f"({first.tz_convert(tz).date()} to {last.tz_convert(tz).date()})"
        )
    start = split_at + pd.Timedelta(days=(7 - split_at.day_of_week) % 7)
    weeks = int((last - start).total_seconds() // (MINUTES_PER_WEEK * 60))
    if weeks < 2:
        raise HistoryError(
            f"{history.source}: only {max(weeks, 0)} full week(s) after --split {split}; "
            "a back-test needs at least 2"
        )
    return start, weeks


def _interval_row(name: str, observed: float, simulated: np.ndarray, level: float) -> dict:
    simulated = simulated[np.isfinite(simulated)]
    tail = (1 - level) / 2
    percentile = (
        float(np.mean(simulated < observed) + 0.5 * np.mean(simulated == observed))
        if simulated.size and np.isfinite(observed)
        else np.nan
    )
    low, median, high = (
        np.quantile(simulated, [tail, 0.5, 1 - tail]) if simulated.size else (np.nan,) * 3
    )
    inside = bool(low <= observed <= high) if np.isfinite(observed) else False
    return {
        "kpi": name,
        "observed": observed,
        "sim_median": median,
        "sim_low": low,
        "sim_high": high,
        "percentile": percentile,
        "inside": inside,
    }


def _weekly_table(
    observed: np.ndarray, simulated: np.ndarray, start: pd.Timestamp, settings: BacktestSettings
) -> pd.DataFrame:
    tail = (1 - settings.interval) / 2
    low = np.quantile(simulated, tail, axis=0, method="inverted_cdf")
    high = np.quantile(simulated, 1 - tail, axis=0, method="inverted_cdf")
    below = np.mean(simulated < observed[None, :], axis=0)
    at_or_below = np.mean(simulated <= observed[None, :], axis=0)
    jitter = np.random.default_rng(np.random.SeedSequence(settings.pit_seed)).random(len(observed))
    return pd.DataFrame(
        {
            "week_start": [start + pd.Timedelta(weeks=w) for w in range(len(observed))],
            "observed": observed,
            "low": low,
            "high": high,
            "covered": (observed >= low) & (observed <= high),
            "pit": below + jitter * (at_or_below - below),
        }
    )


def self_cleared_values(
    durations_minutes: np.ndarray, acknowledged: np.ndarray, threshold_minutes: float, weeks: int
) -> dict[str, float]:
    """Incidents resolved within the threshold and never acknowledged: per week and share."""
    resolved = np.isfinite(durations_minutes)
    cleared = resolved & ~acknowledged & (durations_minutes <= threshold_minutes)
    return {
        "self_cleared_incidents_per_week": float(cleared.sum() / weeks),
        "self_cleared_share": float(cleared.sum() / resolved.sum()) if resolved.any() else np.nan,
    }


def _simulate_runs(
    scenario,
    runs: int,
    start: pd.Timestamp,
    weeks: int,
    transient_threshold_minutes: float | None = None,
) -> list[PeriodMeasures]:
    from sim.compile import compile_scenario
    from sim.generator import generate_alert_stream, warm_up_kernels
    from sim.metrics import compute_kpis
    from sim.model import run_model
    from sim.model.records import INCIDENT_STATES
    from sim.scenario.resolve import resolve_variant

    warm_up_kernels()
    compiled = compile_scenario(resolve_variant(scenario, "baseline"), "baseline")
    out = []
    for run in range(runs):
        stream = generate_alert_stream(compiled.arrivals, scenario.horizon.seed, run)
        records = run_model(compiled, stream)
        incident = np.isin(records.state, INCIDENT_STATES)
        kpis = compute_kpis(compiled, records)
        extra = {
            f"interruptions_{band}_per_week": kpis[f"interruptions_{band}"] / weeks
            for band in ("business", "off", "sleep")
        }
        durations = (records.resolved_minutes - records.start_minutes)[incident]
        if transient_threshold_minutes is not None:
            inside = (records.start_minutes[incident] >= 0) & (
                records.start_minutes[incident] < weeks * MINUTES_PER_WEEK
            )
            acknowledged = ~np.isnan(records.ack_minutes[incident])
            extra |= self_cleared_values(
                durations[inside], acknowledged[inside], transient_threshold_minutes, weeks
            )
        out.append(
            _measures(
                records.start_minutes[incident],
                durations,
                start,
                weeks,
                extra,
            )
        )
    return out


def prepare_backtest(
    scenario_path: Path,
    history: History,
    split: dt.date,
    calibration: CalibrationSettings | None = None,
    fit_since: dt.date | None = None,
):
    """The calibration of the history in ``[fit_since, split)`` (all of it before the split by
    default) and the scenario of the held-out period."""
    from sim.scenario import load_scenario, load_scenario_text, with_overrides

    base = load_scenario(scenario_path)
    tz = base.horizon.time_zone
    settings = (calibration or CalibrationSettings()).model_copy(update={"time_zone": tz})
    start, weeks = held_out_window(history, split, tz)
    since = pd.Timestamp(fit_since).tz_localize(tz) if fit_since is not None else None
    if since is not None and since >= pd.Timestamp(split).tz_localize(tz):
        raise HistoryError(f"{history.source}: --fit-since {fit_since} is not before the split")
    before = history.between(since, pd.Timestamp(split).tz_localize(tz))
    fit = calibrate(before, settings, dict(base.response.severity_work_factor))
    text, _ = render_scenario(fit, into=scenario_path)
    scenario = load_scenario_text(text, f"{scenario_path} (calibrated before {split})")
    scenario = with_overrides(
        scenario, {"horizon.start_date": start.date().isoformat(), "horizon.weeks": weeks}
    )
    return fit, scenario, start, weeks


def backtest(
    scenario_path: Path,
    history: History,
    split: dt.date,
    settings: BacktestSettings | None = None,
    calibration: CalibrationSettings | None = None,
    fit_since: dt.date | None = None,
) -> BacktestResult:
    """Back-test the scenario against the history after ``split`` (module docstring)."""
    settings = settings or BacktestSettings()
    fit, scenario, start, weeks = prepare_backtest(
        scenario_path, history, split, calibration, fit_since
    )
    after = history.between(start, start + pd.Timedelta(weeks=weeks))
    frame = after.incidents
    observed_minutes = ((frame["started"] - start).dt.total_seconds() / 60).to_numpy()
    extra = {}
    for band in ("business", "off", "sleep"):
        column = f"interruptions_{band}"
        if column in frame and frame[column].notna().any():
            extra[f"{column}_per_week"] = float(pd.to_numeric(frame[column]).sum() / weeks)
    threshold = None
    if frame["ack_known"].any():
        threshold = fit.settings.transient_max_minutes
        known = frame["ack_known"].to_numpy(dtype=bool)
        extra |= self_cleared_values(
            after.durations_minutes.to_numpy()[known],
            frame["acknowledged"].notna().to_numpy()[known],
            threshold,
            weeks,
        )
    observed = _measures(observed_minutes, after.durations_minutes.to_numpy(), start, weeks, extra)
    simulated = _simulate_runs(scenario, settings.runs, start, weeks, threshold)
    rows = [
        _interval_row(
            name, value, np.array([run.values[name] for run in simulated]), settings.interval
        )
        for name, value in observed.values.items()
    ]
    sim_weekly = np.stack([run.weekly_counts for run in simulated])
    weekly = _weekly_table(observed.weekly_counts, sim_weekly, start, settings)
    coverage = float(weekly["covered"].mean())
    histogram, _ = np.histogram(weekly["pit"], bins=settings.pit_bins, range=(0, 1))
    return BacktestResult(
        table=pd.DataFrame(rows),
        weekly=weekly,
        coverage=coverage,
        coverage_standard_error=float(np.sqrt(settings.interval * (1 - settings.interval) / weeks)),
        pit_histogram=histogram,
        start=start,
        weeks=weeks,
        runs=settings.runs,
        fit=fit,
    )


def write_backtest_figures(result: BacktestResult, folder: Path) -> list[Path]:
    """``weekly.png`` (observed weekly counts inside their 90% prediction intervals) and
    ``pit.png`` (the PIT histogram against the uniform line) into ``folder``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    folder.mkdir(parents=True, exist_ok=True)
    weekly = result.weekly
    figure, axis = plt.subplots(figsize=(10, 3.2))
    weeks = np.arange(len(weekly))
    axis.fill_between(
        weeks, weekly["low"], weekly["high"], step="mid", alpha=0.25, label="simulated 90% interval"
    )
    missed = ~weekly["covered"].to_numpy()
    axis.plot(weeks, weekly["observed"], lw=0.7, color="0.2", label="observed")
    axis.plot(weeks[missed], weekly["observed"][missed], "o", ms=3, color="C3", label="outside")
    axis.set_xlabel(f"week from {result.start.date()}")
    axis.set_ylabel("incidents")
    axis.set_title(
        f"weekly counts: coverage {result.coverage:.3f} (s.e. "
        f"{result.coverage_standard_error:.3f}) over {result.weeks} weeks"
    )
    axis.legend(loc="upper left", fontsize=8)
    figure.tight_layout()
    figure.savefig(folder / "weekly.png", dpi=110)
    plt.close(figure)
    figure, axis = plt.subplots(figsize=(4.5, 3.2))
    bins = len(result.pit_histogram)
    axis.bar((np.arange(bins) + 0.5) / bins, result.pit_histogram, width=1 / bins, alpha=0.7)
    axis.axhline(result.weeks / bins, color="0.3", lw=0.8, ls="--", label="uniform")
    axis.set_xlabel("PIT of the weekly count")
    axis.set_ylabel("weeks")
    axis.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(folder / "pit.png", dpi=110)
    plt.close(figure)
    return [folder / "weekly.png", folder / "pit.png"]
