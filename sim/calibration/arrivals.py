"""Arrival fits: rate per week, hour-of-week profile, severity mix, weekly over-dispersion.

Exposure is the calendar span of the history (first to last incident of the whole history, not
of one service), so a service with few incidents gets a low rate, not a short window.

* ``alerts_per_week`` = incidents / exposure weeks; its standard error is ``sqrt(n) / weeks``
  under Poisson, times ``sqrt(mean + alpha mean^2) / sqrt(mean)`` per week when the weekly
  counts are over-dispersed (the negative-binomial variance).
* Profile: incidents per local hour-of-week slot over the hours of exposure of that slot
  (:func:`sim.calibration.figures.hour_of_week_profile`), smoothed by a centred circular
  moving average of ``2h + 1`` hours. The nearest named preset is used instead when its AIC is
  not larger: the Poisson log-likelihood of the 168 slot counts, with 1 parameter for a preset
  (its level) and ``168 / (2h + 1)`` (the trace of the smoother) for the smoothed table.
* Severity mix: the shares among incidents with a severity; standard error
  ``sqrt(p (1 - p) / n)``.
* Over-dispersion of the counts per full local week: dispersion index ``D = var / mean`` with
  the test ``(W - 1) D ~ chi2(W - 1)`` under Poisson. When it rejects at 5%, a negative
  binomial (``statsmodels`` ``NegativeBinomial``, constant only) gives ``alpha`` with its
  standard error: the weekly rate is gamma-mixed, ``rate_w = rate * G_w`` with
  ``G_w ~ Gamma(mean 1, variance alpha)`` (the scenario's ``weekly_rate_variance``).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from sim.calibration.figures import _counts_and_exposure
from sim.scenario.profiles import PRESETS, normalised_profile

DISPERSION_TEST_LEVEL = 0.05


@dataclass(frozen=True)
class ProfileFit:
    """Hour-of-week profile: the chosen table or preset, and the criterion that chose it."""

    choice: str
    """A preset name, or "custom" for the smoothed 168-weight table."""
    weights: np.ndarray
    """(7, 24) weights with mean 1 of the chosen profile."""
    smoothed: np.ndarray
    """(7, 24) smoothed observed profile (mean 1)."""
    observed: np.ndarray
    """(7, 24) unsmoothed observed profile (mean 1)."""
    aic: dict[str, float]
    """AIC of the custom table and of every preset."""
    smooth_hours: int
    n: int


@dataclass(frozen=True)
class DispersionFit:
    """Weekly counts: Poisson or gamma-mixed."""

    weekly_counts: np.ndarray
    mean_per_week: float
    dispersion_index: float
    pvalue: float
    """P(dispersion this large | Poisson), the chi-square test."""
    alpha: float
    """Variance of the weekly rate multiplier (0: Poisson accepted)."""
    alpha_standard_error: float

    @property
    def overdispersed(self) -> bool:
        return self.alpha > 0


def exposure_weeks(starts: pd.Series) -> float:
    """Calendar span of the incidents, in weeks (at least one hour)."""
    span = (starts.max() - starts.min()).total_seconds() / (7 * 86400)
    return max(span, 1 / 168)


def _poisson_log_likelihood(counts: np.ndarray, means: np.ndarray) -> float:
    return float(stats.poisson.logpmf(counts, np.maximum(means, 1e-300)).sum())


def fit_profile(
    starts: pd.Series, tz: str, smooth_hours: int = 2, exposure_from: pd.Series | None = None
) -> ProfileFit:
    """Smoothed 168-weight profile, or the preset whose AIC is not larger (module docstring).

    ``exposure_from`` gives the window (default: ``starts`` itself), so a pooled or per-service
    profile is judged over the whole history's hours.
    """
    window = starts if exposure_from is None else exposure_from
    counts, _ = _counts_and_exposure(starts, tz)
    _, exposure = _counts_and_exposure(pd.Series([window.min(), window.max()]), tz)
    if (exposure == 0).any():
        raise ValueError("history shorter than a week: some hour-of-week slots never occur")
    counts, exposure = counts.ravel(), exposure.ravel()
    rates = counts / exposure
    h = int(smooth_hours)
    padded = np.concatenate([rates[-h:], rates, rates[:h]]) if h else rates
    smoothed = np.convolve(padded, np.full(2 * h + 1, 1 / (2 * h + 1)), mode="valid")
    total = counts.sum()

    def means_of(weights: np.ndarray) -> np.ndarray:
        shape = weights * exposure
        return shape * total / shape.sum()

    aic = {
        "custom": -2 * _poisson_log_likelihood(counts, means_of(smoothed)) + 2 * 168 / (2 * h + 1)
    }
    for name, table in PRESETS.items():
        aic[name] = -2 * _poisson_log_likelihood(counts, means_of(table.ravel())) + 2
    best_preset = min(PRESETS, key=lambda name: aic[name])
    choice = best_preset if aic[best_preset] <= aic["custom"] else "custom"
    chosen = smoothed if choice == "custom" else PRESETS[choice].ravel()
    as_table = lambda values: normalised_profile(values).reshape(7, 24)  # noqa: E731
    observed = rates if rates.sum() > 0 else np.ones(168)
    return ProfileFit(
        choice=choice,
        weights=as_table(chosen),
        smoothed=as_table(smoothed if smoothed.sum() > 0 else np.ones(168)),
        observed=as_table(observed),
        aic={name: float(value) for name, value in aic.items()},
        smooth_hours=h,
        n=int(total),
    )


def weekly_counts(starts: pd.Series, tz: str, window: pd.Series | None = None) -> np.ndarray:
    """Incidents per full local week (Monday 00:00) inside the window's span."""
    window = starts if window is None else window
    local = pd.DatetimeIndex(starts).tz_convert(tz)
    first = pd.Timestamp(window.min()).tz_convert(tz)
    last = pd.Timestamp(window.max()).tz_convert(tz)
    monday = (first.normalize() - pd.Timedelta(days=first.day_of_week)).tz_localize(None)
    if first.tz_localize(None) > monday:
        monday += pd.Timedelta(days=7)
    edges = pd.date_range(monday, last.tz_localize(None), freq="7D")
    if len(edges) < 2:
        return np.zeros(0, dtype=int)
    naive = local.tz_localize(None)
    counts, _ = np.histogram(naive.asi8, bins=edges.asi8)
    return counts


def fit_dispersion(counts: np.ndarray) -> DispersionFit:
    """Dispersion index of weekly counts; a negative binomial when Poisson is rejected."""
    weeks = len(counts)
    mean = float(counts.mean()) if weeks else 0.0
    if weeks < 4 or mean == 0:
        return DispersionFit(counts, mean, float("nan"), float("nan"), 0.0, float("nan"))
    index = float(counts.var(ddof=1) / mean)
    pvalue = float(stats.chi2.sf((weeks - 1) * index, weeks - 1))
    if pvalue >= DISPERSION_TEST_LEVEL:
        return DispersionFit(counts, mean, index, pvalue, 0.0, float("nan"))
    from statsmodels.discrete.discrete_model import NegativeBinomial

    moments = max((counts.var(ddof=1) - mean) / mean**2, 0.0)
    alpha, alpha_se = moments, float("nan")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            result = NegativeBinomial(counts, np.ones((weeks, 1))).fit(disp=0, maxiter=200)
            if result.mle_retvals.get("converged", False) and np.isfinite(result.params[-1]):
                alpha, alpha_se = float(result.params[-1]), float(result.bse[-1])
        except (ValueError, np.linalg.LinAlgError):
            pass  # keep the method-of-moments estimate (var - mean) / mean^2, no s.e.
    return DispersionFit(counts, mean, index, pvalue, max(alpha, 0.0), alpha_se)


def rate_standard_error(n: int, weeks: float, dispersion: DispersionFit | None) -> float:
    """Standard error of incidents per week (Poisson, inflated by the NB variance)."""
    se = np.sqrt(max(n, 1)) / weeks
    if dispersion is not None and dispersion.overdispersed and dispersion.mean_per_week > 0:
        se *= np.sqrt(1 + dispersion.alpha * dispersion.mean_per_week)
    return float(se)


def fit_severity_mix(severities: pd.Series) -> tuple[dict[str, float], dict[str, float], int]:
    """Shares of P1..P4 among incidents with a severity, their standard errors, and n."""
    known = severities.dropna()
    n = len(known)
    if n == 0:
        return {}, {}, 0
    shares = {name: float((known == name).mean()) for name in ("P1", "P2", "P3", "P4")}
    errors = {name: float(np.sqrt(p * (1 - p) / n)) for name, p in shares.items()}
    return shares, errors, n
