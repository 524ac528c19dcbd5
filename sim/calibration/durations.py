"""Duration fits: every family the scenario schema supports, the best one by AIC, diagnostics.

Each family is fitted by maximum likelihood with ``scipy.stats`` (location fixed at 0). Standard
errors are in the schema's own parameters (lognormal ``median``/``sigma``, Weibull
``shape``/``scale``, gamma ``shape``/``mean``, exponential ``mean``): the square roots of the
diagonal of the inverse Hessian of the negative log-likelihood, taken numerically with
``statsmodels.tools.numdiff.approx_hess3`` at the estimate. AIC is ``2k - 2 log L``; the family
with the lowest AIC wins. Diagnostics of the winner: the Kolmogorov-Smirnov statistic and p-value
(``scipy.stats.kstest``; the p-value is optimistic because the parameters were estimated from
the same data) and the Anderson-Darling statistic
``A^2 = -n - (1/n) sum (2i-1) [log F(x_i) + log(1 - F(x_{n+1-i}))]``, which weighs the tails
that matter for long incidents.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import stats
from statsmodels.tools.numdiff import approx_hess3

FAMILIES = ("lognormal", "weibull", "gamma", "exponential")
MIN_DURATIONS = 10


@dataclass(frozen=True)
class DurationFit:
    """One family fitted to durations (minutes)."""

    family: str
    params: dict[str, float]
    """Schema parameters, e.g. {"median": 65.6, "sigma": 1.04}."""
    standard_errors: dict[str, float]
    n: int
    log_likelihood: float
    aic: float
    ks_statistic: float
    ks_pvalue: float
    ad_statistic: float

    def spec(self) -> dict[str, float | str]:
        """The scenario's duration spec, e.g. {"distribution": "lognormal", "median": ...}."""
        params = {key: round(float(value), 4) for key, value in self.params.items()}
        return {"distribution": self.family, **params}

    def frozen(self) -> stats.rv_continuous:
        """The fitted ``scipy.stats`` distribution."""
        return _FROZEN[self.family](**self.params)


# Each family: scipy fit -> schema params; schema params -> frozen scipy distribution.
_FROZEN: dict[str, Callable[..., stats.rv_continuous]] = {
    "lognormal": lambda median, sigma: stats.lognorm(s=sigma, scale=median),
    "weibull": lambda shape, scale: stats.weibull_min(c=shape, scale=scale),
    "gamma": lambda shape, mean: stats.gamma(a=shape, scale=mean / shape),
    "exponential": lambda mean: stats.expon(scale=mean),
}


def _mle(family: str, data: np.ndarray) -> dict[str, float]:
    if family == "lognormal":
        shape, _, scale = stats.lognorm.fit(data, floc=0)
        return {"median": float(scale), "sigma": float(shape)}
    if family == "weibull":
        shape, _, scale = stats.weibull_min.fit(data, floc=0)
        return {"shape": float(shape), "scale": float(scale)}
    if family == "gamma":
        shape, _, scale = stats.gamma.fit(data, floc=0)
        return {"shape": float(shape), "mean": float(shape * scale)}
    return {"mean": float(data.mean())}


def _standard_errors(family: str, params: dict[str, float], data: np.ndarray) -> dict[str, float]:
    names = list(params)
    point = np.array([params[name] for name in names])

    def negative_log_likelihood(values: np.ndarray) -> float:
        if np.any(values <= 0):
            return np.inf
        return -float(_FROZEN[family](**dict(zip(names, values, strict=True))).logpdf(data).sum())

    hessian = approx_hess3(point, negative_log_likelihood, epsilon=point * 1e-4)
    try:
        covariance = np.linalg.inv(hessian)
        errors = np.sqrt(np.clip(np.diag(covariance), 0, None))
    except np.linalg.LinAlgError:
        errors = np.full(len(names), np.nan)
    return {name: float(error) for name, error in zip(names, errors, strict=True)}


def anderson_darling(data: np.ndarray, cdf: Callable[[np.ndarray], np.ndarray]) -> float:
    """Anderson-Darling statistic A^2 of ``data`` against a fully specified ``cdf``."""
    x = np.sort(data)
    n = len(x)
    f = np.clip(cdf(x), 1e-300, 1 - 1e-16)
    i = np.arange(1, n + 1)
    return float(-n - np.mean((2 * i - 1) * (np.log(f) + np.log1p(-f[::-1]))))


def positive_durations(durations_minutes: np.ndarray) -> np.ndarray:
    """Finite, positive durations (zero and missing ones are not durations we can fit)."""
    d = np.asarray(durations_minutes, dtype=float)
    return d[np.isfinite(d) & (d > 0)]


def fit_family(family: str, durations_minutes: np.ndarray) -> DurationFit:
    """Maximum-likelihood fit of one family to positive durations, with its diagnostics."""
    data = positive_durations(durations_minutes)
    if data.size < MIN_DURATIONS:
        raise ValueError(f"need at least {MIN_DURATIONS} positive durations (got {data.size})")
    params = _mle(family, data)
    dist = _FROZEN[family](**params)
    log_likelihood = float(dist.logpdf(data).sum())
    ks = stats.kstest(data, dist.cdf)
    return DurationFit(
        family=family,
        params=params,
        standard_errors=_standard_errors(family, params, data),
        n=int(data.size),
        log_likelihood=log_likelihood,
        aic=2 * len(params) - 2 * log_likelihood,
        ks_statistic=float(ks.statistic),
        ks_pvalue=float(ks.pvalue),
        ad_statistic=anderson_darling(data, dist.cdf),
    )


def fit_durations(durations_minutes: np.ndarray) -> list[DurationFit]:
    """Every supported family fitted, best (lowest AIC) first."""
    fits = [fit_family(family, durations_minutes) for family in FAMILIES]
    return sorted(fits, key=lambda fit: fit.aic)
