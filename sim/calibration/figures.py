"""Derive scenario parameters from a real incident history.

The figures that scenario files cite (repair-time medians, burstiness of arrivals, weekend and
business-hours rate ratios) are computed here from the CSVs in ``data/`` so they can be
reproduced rather than typed in by hand. See ``data/README.md`` for provenance and quirks.

Conventions:

* durations are in minutes; start times are a ``pd.Series``/``DatetimeIndex`` of timestamps;
* ``tz`` converts tz-aware times to that zone; naive times are taken to be local already
  (LANL's are America/Denver wall-clock times, so DST shifts are not modelled for them);
* rates are events per hour of *exposure*: each hour-of-week slot is weighted by how often it
  occurs between the first and the last event, so ratios are per calendar day, not per event.

Run ``python -m sim.calibration data/github-status-incidents.csv`` to print a summary.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

GITHUB_TZS = ("UTC", "America/Los_Angeles")  # status page is UTC; engineering is mostly US
LANL_TZ = "America/Denver"  # LANL timestamps are naive local times in this zone
NIGHT_HOURS = (22, 6)  # [22:00, 06:00) local, used by summarize()

ArrayLike = pd.Series | pd.DatetimeIndex | np.ndarray | list


@dataclass(frozen=True)
class LognormalFit:
    """Lognormal fit: ``median_minutes = exp(mu)``, ``sigma`` = sd of log durations."""

    median_minutes: float
    sigma: float
    n: int


@dataclass(frozen=True)
class WeibullFit:
    """Weibull fit of inter-arrival gaps (location fixed at 0); shape < 1 means bursty."""

    shape: float
    scale_minutes: float
    n: int


def load_github_status_incidents(path: str | Path) -> pd.DataFrame:
    """Load the GitHub status-page history.

    Adds ``started`` (tz-aware UTC, from ``started_at``) and ``duration_minutes``
    (``resolved_at - started_at``). Quirks kept as-is, so that fitting code must filter them:
    every incident of 2010-2018 (and 4 later ones) has a zero duration (the page kept a single
    timestamp), three 2020 rows have ``resolved_at`` before ``started_at`` (negative), and
    ``components`` is empty (NaN) in some rows. Rows are sorted by ``started``.
    """
    df = pd.read_csv(path, dtype={"components": "string"})
    for col in ("started_at", "created_at", "resolved_at"):
        df[col] = pd.to_datetime(df[col], utc=True, format="ISO8601")
    df["started"] = df["started_at"]
    df["duration_minutes"] = (df["resolved_at"] - df["started_at"]).dt.total_seconds() / 60.0
    return df.sort_values("started", kind="stable").reset_index(drop=True)


def load_lanl_failures(path: str | Path) -> pd.DataFrame:
    """Load the LANL HPC failure records (LA-UR-05-7318).

    ``started``/``fixed`` are parsed from ``m/d/yyyy h:mm`` as naive local (America/Denver)
    times. ``duration_minutes`` is the recorded ``downtime_minutes`` where present, else
    ``fixed - started``: the recorded value is preferred because the clock difference is off by
    ±60 min across DST changes and by 1 min (rounding) in a few hundred rows. Some downtimes are
    zero. Rows are sorted by system, then ``started``.
    """
    df = pd.read_csv(path)
    for col in ("started", "fixed"):
        df[col] = pd.to_datetime(df[col], format="%m/%d/%Y %H:%M")
    wall = (df["fixed"] - df["started"]).dt.total_seconds() / 60.0
    recorded = pd.to_numeric(df["downtime_minutes"], errors="coerce")
    df["duration_minutes"] = recorded.fillna(wall).astype(float)
    return df.sort_values(["system", "started"], kind="stable").reset_index(drop=True)


def fit_lognormal_durations(durations_minutes: ArrayLike, min_minutes: float = 0.0) -> LognormalFit:
    """Maximum-likelihood lognormal fit of durations.

    Missing and non-positive durations are dropped (log is undefined; in our data they are
    recording artefacts, not instant repairs), as are durations below ``min_minutes``. The MLE
    on the log scale is ``mu = mean(log d)``, ``sigma = std(log d)`` with ``ddof=0``.
    """
    d = np.asarray(durations_minutes, dtype=float)
    d = d[np.isfinite(d) & (d > 0) & (d >= min_minutes)]
    if d.size < 2:
        raise ValueError("need at least two positive durations")
    logs = np.log(d)
    return LognormalFit(float(np.exp(logs.mean())), float(logs.std()), int(d.size))


def inter_arrival_minutes(start_times: ArrayLike) -> np.ndarray:
    """Gaps in minutes between consecutive start times, after sorting (zero gaps kept)."""
    idx = pd.DatetimeIndex(start_times).dropna().sort_values()
    return np.diff(idx.as_unit("ns").asi8) / 60e9


def fit_weibull_gaps(start_times: ArrayLike) -> WeibullFit:
    """Weibull fit (``scipy.stats.weibull_min.fit``, ``floc=0``) of inter-arrival gaps.

    Start times are sorted first. Zero gaps (events with the same timestamp: duplicated
    status-page entries, several LANL nodes failing in the same minute) are dropped, because the
    Weibull density with shape < 1 is infinite at 0. Note that a rate that drifts over the years
    also pushes the fitted shape below 1, not only short-term burstiness.
    """
    gaps = inter_arrival_minutes(start_times)
    gaps = gaps[gaps > 0]
    if gaps.size < 2:
        raise ValueError("need at least two positive gaps")
    shape, _, scale = stats.weibull_min.fit(gaps, floc=0)
    return WeibullFit(float(shape), float(scale), int(gaps.size))


def _local(start_times: ArrayLike, tz: str | None) -> pd.DatetimeIndex:
    idx = pd.DatetimeIndex(start_times).dropna()
    if idx.empty:
        raise ValueError("no start times")
    return idx.tz_convert(tz) if (tz is not None and idx.tz is not None) else idx


def _counts_and_exposure(start_times: ArrayLike, tz: str | None) -> tuple[np.ndarray, np.ndarray]:
    """(7, 24) event counts and hours of exposure per local hour-of-week slot, Monday first."""
    local = _local(start_times, tz)
    if local.tz is None:
        hours = pd.date_range(local.min().floor("h"), local.max().floor("h"), freq="h")
    else:  # step through absolute hours so DST days have 23 or 25 local hours
        utc = local.tz_convert("UTC")
        hours = pd.date_range(utc.min().floor("h"), utc.max().floor("h"), freq="h")
        hours = hours.tz_convert(local.tz)

    def slots(ix: pd.DatetimeIndex) -> np.ndarray:
        flat = np.asarray(ix.day_of_week * 24 + ix.hour)
        return np.bincount(flat, minlength=168).reshape(7, 24).astype(float)

    return slots(local), slots(hours)


def _rate_ratio(start_times: ArrayLike, tz: str | None, mask: np.ndarray) -> float:
    counts, exposure = _counts_and_exposure(start_times, tz)
    inside = counts[mask].sum() / exposure[mask].sum()
    outside = counts[~mask].sum() / exposure[~mask].sum()
    return float(inside / outside)


def weekend_rate_ratio(start_times: ArrayLike, tz: str | None = None) -> float:
    """Incidents per weekend day divided by incidents per weekday, in local time ``tz``."""
    weekend = np.zeros((7, 24), dtype=bool)
    weekend[5:] = True
    return _rate_ratio(start_times, tz, weekend)


def business_hours_rate_ratio(
    start_times: ArrayLike, tz: str | None = None, start_hour: int = 8, end_hour: int = 18
) -> float:
    """Rate during Mon-Fri ``[start_hour, end_hour)`` local divided by the rate at other times."""
    business = np.zeros((7, 24), dtype=bool)
    business[:5, start_hour:end_hour] = True
    return _rate_ratio(start_times, tz, business)


def hour_of_week_profile(
    start_times: ArrayLike, tz: str | None = None, smooth_hours: int = 0
) -> np.ndarray:
    """Relative incident rate per local hour of week: shape (7, 24), Monday 00:00 first.

    Each slot is events / hours of exposure, scaled so the 168 values average 1.0. With
    ``smooth_hours = h > 0`` the rates are first averaged over a centred circular window of
    ``2h + 1`` hours (Sunday 23:00 wraps to Monday 00:00); the default is unsmoothed. With
    ~1,300 events (7-8 per slot) a window of h=1 or 2 removes most of the noise.
    """
    counts, exposure = _counts_and_exposure(start_times, tz)
    if (exposure == 0).any():
        raise ValueError("history shorter than a week: some hour-of-week slots never occur")
    rates = (counts / exposure).ravel()
    if smooth_hours > 0:
        h = int(smooth_hours)
        padded = np.concatenate([rates[-h:], rates, rates[:h]])
        rates = np.convolve(padded, np.full(2 * h + 1, 1.0 / (2 * h + 1)), mode="valid")
    return (rates / rates.mean()).reshape(7, 24)


def profile_band_means(profile: np.ndarray) -> dict[str, float]:
    """Mean of a (7, 24) profile over weekdays, weekend days and nights (22:00-06:00)."""
    start, end = NIGHT_HOURS
    night = np.r_[start:24, 0:end]
    return {
        "weekday": float(profile[:5].mean()),
        "weekend": float(profile[5:].mean()),
        "night": float(profile[:, night].mean()),
    }


def summarize(df: pd.DataFrame, tz: str | None = None) -> dict:
    """All calibration figures for one history with ``started`` and ``duration_minutes`` columns.

    The profile band means use the unsmoothed profile.
    """
    starts = df["started"]
    durations = df["duration_minutes"]
    profile = hour_of_week_profile(starts, tz)
    return {
        "tz": tz,
        "n_incidents": len(df),
        "first": str(starts.min()),
        "last": str(starts.max()),
        "n_positive_durations": int((durations > 0).sum()),
        "duration_sample_median_minutes": float(durations[durations > 0].median()),
        "duration": asdict(fit_lognormal_durations(durations)),
        "gaps": asdict(fit_weibull_gaps(starts)),
        "weekend_rate_ratio": weekend_rate_ratio(starts, tz),
        "business_hours_rate_ratio": business_hours_rate_ratio(starts, tz),
        "profile_means": profile_band_means(profile),
    }


def main(argv: list[str] | None = None) -> None:
    """Print summaries for a GitHub or LANL CSV (detected from its header) as JSON."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        raise SystemExit("usage: python -m sim.calibration PATH.csv")
    path = Path(args[0])
    header = path.open(encoding="utf-8").readline()
    if "resolved_at" in header:
        df = load_github_status_incidents(path)
        out = {tz: summarize(df, tz) for tz in GITHUB_TZS}
    else:
        df = load_lanl_failures(path)
        top = df["system"].value_counts().index[:3]
        out = {f"system {s}": summarize(df[df["system"] == s], LANL_TZ) for s in top}
    print(json.dumps(out, indent=2))
