"""Duration fits: every family the scenario schema supports, the best one by AIC, diagnostics.

Each family is fitted by maximum likelihood with ``scipy.stats`` (location fixed at 0); the
heavy-tailed ``lognormal-pareto-tail`` (a lognormal body, a generalised-Pareto tail above the
sample 90% quantile) is fitted as a right-censored lognormal plus a ``genpareto`` of the
excesses, with the threshold held fixed in its standard errors. Standard
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
from scipy import optimize, stats
from statsmodels.tools.numdiff import approx_hess3

FAMILIES = ("lognormal", "weibull", "gamma", "exponential", "lognormal-pareto-tail")
MIN_DURATIONS = 10
#: The spliced family's threshold is the sample quantile at this probability (not estimated by
#: maximum likelihood; counted as a fifth parameter in its AIC).
TAIL_THRESHOLD_QUANTILE = 0.9
#: The spliced family needs this many durations above its threshold.
MIN_TAIL_DURATIONS = 30


class SplicedLognormalPareto:
    """``scipy.stats``-like frozen lognormal body with a generalised-Pareto tail (the
    schema's ``lognormal-pareto-tail``): logpdf, cdf and ppf."""

    def __init__(self, median, sigma, threshold_minutes, tail_shape, tail_scale_minutes):
        self.body = stats.lognorm(s=sigma, scale=median)
        self.tail = stats.genpareto(c=tail_shape, scale=tail_scale_minutes)
        self.threshold = threshold_minutes
        self.share = float(self.body.cdf(threshold_minutes))

    def logpdf(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        with np.errstate(divide="ignore"):
            tail = np.log1p(-self.share) + self.tail.logpdf(x - self.threshold)
        return np.where(x < self.threshold, self.body.logpdf(x), tail)

    def cdf(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        tail = self.share + (1 - self.share) * self.tail.cdf(x - self.threshold)
        return np.where(x < self.threshold, self.body.cdf(x), tail)

    def ppf(self, q: np.ndarray) -> np.ndarray:
        q = np.asarray(q, dtype=float)
        excess = self.tail.ppf(np.clip((q - self.share) / (1 - self.share), 0, 1))
        return np.where(
            q <= self.share, self.body.ppf(np.minimum(q, self.share)), self.threshold + excess
        )


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
    "lognormal-pareto-tail": SplicedLognormalPareto,
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
    if family == "lognormal-pareto-tail":
        return _spliced_mle(data)
    return {"mean": float(data.mean())}


def _spliced_mle(data: np.ndarray) -> dict[str, float]:
    """Body: lognormal MLE with the durations above the threshold right-censored there (they
    say only "longer than u"); tail: generalised-Pareto MLE of the excesses over u. The
    likelihood separates into these two parts, so together they are its maximum."""
    threshold = float(np.quantile(data, TAIL_THRESHOLD_QUANTILE))
    below, above = data[data < threshold], data[data >= threshold]
    logs = np.log(below)

    def negative_log_likelihood(values: np.ndarray) -> float:
        mu, log_sigma = values
        sigma = np.exp(log_sigma)
        z = (logs - mu) / sigma
        censored = stats.norm.logsf((np.log(threshold) - mu) / sigma)
        return float(np.sum(0.5 * z * z + log_sigma) - above.size * censored)

    # scipy's CensoredData fit stopped far from the optimum in our tests; two parameters on
    # the log scale are quick to optimise directly (the log terms of x drop out).
    start = np.array([np.log(data).mean(), np.log(np.log(data).std())])
    result = optimize.minimize(
        negative_log_likelihood,
        start,
        method="Nelder-Mead",
        options={"xatol": 1e-8, "fatol": 1e-8, "maxiter": 2000},
    )
    median, sigma = float(np.exp(result.x[0])), float(np.exp(result.x[1]))
    shape, _, scale = stats.genpareto.fit(above - threshold, floc=0)
    return {
        "median": float(median),
        "sigma": float(sigma),
        "threshold_minutes": threshold,
        "tail_shape": float(shape),
        "tail_scale_minutes": float(scale),
    }


def _standard_errors(family: str, params: dict[str, float], data: np.ndarray) -> dict[str, float]:
    fixed = (
        {"threshold_minutes": params["threshold_minutes"]} if "threshold_minutes" in params else {}
    )
    names = [name for name in params if name not in fixed]
    point = np.array([params[name] for name in names])
    positive = np.array([name != "tail_shape" for name in names])

    def negative_log_likelihood(values: np.ndarray) -> float:
        if np.any(values[positive] <= 0):
            return np.inf
        arguments = {**dict(zip(names, values, strict=True)), **fixed}
        return -float(_FROZEN[family](**arguments).logpdf(data).sum())

    hessian = approx_hess3(
        point, negative_log_likelihood, epsilon=np.maximum(np.abs(point), 1e-2) * 1e-4
    )
    try:
        covariance = np.linalg.inv(hessian)
        errors = np.sqrt(np.clip(np.diag(covariance), 0, None))
    except np.linalg.LinAlgError:
        errors = np.full(len(names), np.nan)
    out = {name: float(error) for name, error in zip(names, errors, strict=True)}
    return {**out, **dict.fromkeys(fixed, 0.0)}


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
    k = len(params)  # the spliced family's threshold counts as a parameter
    return DurationFit(
        family=family,
        params=params,
        standard_errors=_standard_errors(family, params, data),
        n=int(data.size),
        log_likelihood=log_likelihood,
        aic=2 * k - 2 * log_likelihood,
        ks_statistic=float(ks.statistic),
        ks_pvalue=float(ks.pvalue),
        ad_statistic=anderson_darling(data, dist.cdf),
    )


def fit_durations(durations_minutes: np.ndarray) -> list[DurationFit]:
    """Every supported family fitted, best (lowest AIC) first (the spliced tail family only
    with at least ``MIN_TAIL_DURATIONS`` durations above its threshold). A family whose
    optimiser fails on these data is left out; durations that are all equal (a tool that
    records one fixed value) are a ``fixed`` duration."""
    data = positive_durations(durations_minutes)
    if data.size >= MIN_DURATIONS and np.ptp(data) == 0:
        value = float(data[0])
        return [
            DurationFit(
                "fixed",
                {"value": value},
                {"value": 0.0},
                int(data.size),
                float("nan"),
                float("nan"),
                0.0,
                1.0,
                0.0,
            )
        ]
    families = [
        family
        for family in FAMILIES
        if family != "lognormal-pareto-tail"
        or (1 - TAIL_THRESHOLD_QUANTILE) * data.size >= MIN_TAIL_DURATIONS
    ]
    fits = []
    for family in families:
        try:
            with np.errstate(all="ignore"):
                fits.append(fit_family(family, data))
        except (ValueError, RuntimeError, FloatingPointError, np.linalg.LinAlgError):
            if data.size < MIN_DURATIONS:
                raise
    return sorted(fits, key=lambda fit: fit.aic)
