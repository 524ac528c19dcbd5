"""Duration distributions used in scenario files.

Every duration in a scenario (ack delay, work time, self-healing run time, detection lead time) is
one of these specs. A spec is a small frozen pydantic model with

* ``quantile(q)``: the inverse CDF, vectorised. The model never draws durations on demand: the
  generator pre-draws a uniform per incident and decision, and the policy of a variant turns it
  into a duration with its own spec. Two variants with different specs therefore see coupled
  durations (same quantile), which keeps paired differences tight.
* ``mean`` and ``variance``: analytic moments, so tests can compare sampled moments with the truth.

In YAML a spec is written with its kind as the ``distribution`` key, for example::

    work_time_minutes: {distribution: lognormal, median: 45, sigma: 1.0}
    ack_delay_minutes: {distribution: exponential, mean: 4}
    run_time_minutes: {distribution: fixed, value: 6}
    work_time_minutes: {distribution: lognormal-pareto-tail, median: 55, sigma: 1.1,
                        threshold_minutes: 300, tail_shape: 0.3, tail_scale_minutes: 200}

A bare number is shorthand for ``{distribution: fixed, value: <number>}``.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from scipy import special


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    def quantile(self, q: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    @property
    def mean(self) -> float:  # pragma: no cover - abstract
        raise NotImplementedError

    @property
    def variance(self) -> float:  # pragma: no cover - abstract
        raise NotImplementedError


class Fixed(_Spec):
    """Always the same duration."""

    distribution: Literal["fixed"] = "fixed"
    value: float = Field(ge=0, description="The duration, in minutes.")

    def quantile(self, q: np.ndarray) -> np.ndarray:
        return np.full(np.shape(q), self.value, dtype=np.float64)

    @property
    def mean(self) -> float:
        return self.value

    @property
    def variance(self) -> float:
        return 0.0


class Exponential(_Spec):
    """Memoryless durations with the given mean."""

    distribution: Literal["exponential"] = "exponential"
    mean_minutes: float = Field(gt=0, alias="mean", description="Mean duration in minutes.")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    def quantile(self, q: np.ndarray) -> np.ndarray:
        return -self.mean_minutes * np.log1p(-np.asarray(q, dtype=np.float64))

    @property
    def mean(self) -> float:
        return self.mean_minutes

    @property
    def variance(self) -> float:
        return self.mean_minutes**2


class Lognormal(_Spec):
    """Right-skewed durations, the usual shape of repair times (median and log-scale sigma)."""

    distribution: Literal["lognormal"] = "lognormal"
    median: float = Field(gt=0, description="Median duration in minutes.")
    sigma: float = Field(gt=0, le=5, description="Standard deviation of the log of the duration.")

    def quantile(self, q: np.ndarray) -> np.ndarray:
        return self.median * np.exp(self.sigma * special.ndtri(np.asarray(q, dtype=np.float64)))

    @property
    def mean(self) -> float:
        return self.median * math.exp(self.sigma**2 / 2)

    @property
    def variance(self) -> float:
        return (math.exp(self.sigma**2) - 1) * self.median**2 * math.exp(self.sigma**2)


class Weibull(_Spec):
    """Weibull durations by shape and scale (shape below 1: many short, a few very long)."""

    distribution: Literal["weibull"] = "weibull"
    shape: float = Field(gt=0, le=50, description="Weibull shape k.")
    scale: float = Field(gt=0, description="Weibull scale in minutes.")

    def quantile(self, q: np.ndarray) -> np.ndarray:
        return self.scale * (-np.log1p(-np.asarray(q, dtype=np.float64))) ** (1 / self.shape)

    @property
    def mean(self) -> float:
        return self.scale * math.gamma(1 + 1 / self.shape)

    @property
    def variance(self) -> float:
        return self.scale**2 * (
            math.gamma(1 + 2 / self.shape) - math.gamma(1 + 1 / self.shape) ** 2
        )


class Gamma(_Spec):
    """Gamma durations by shape and mean; an integer shape k is the Erlang-k distribution."""

    distribution: Literal["gamma"] = "gamma"
    shape: float = Field(gt=0, le=1000, description="Gamma shape (Erlang phases when whole).")
    mean_minutes: float = Field(gt=0, alias="mean", description="Mean duration in minutes.")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    def quantile(self, q: np.ndarray) -> np.ndarray:
        scale = self.mean_minutes / self.shape
        return scale * special.gammaincinv(self.shape, np.asarray(q, dtype=np.float64))

    @property
    def mean(self) -> float:
        return self.mean_minutes

    @property
    def variance(self) -> float:
        return self.mean_minutes**2 / self.shape


class LognormalParetoTail(_Spec):
    """Lognormal body with a generalised-Pareto tail above a threshold: repair times whose
    longest incidents are heavier-tailed than a lognormal allows.

    Below ``threshold_minutes`` (u) durations follow the lognormal (median, sigma); with the
    lognormal's remaining probability ``1 - F(u)`` they exceed u by a generalised-Pareto amount
    of shape ``tail_shape`` (xi) and scale ``tail_scale_minutes`` (beta). The CDF is continuous
    at u. Mean finite for xi < 1, variance for xi < 1/2.
    """

    distribution: Literal["lognormal-pareto-tail"] = "lognormal-pareto-tail"
    median: float = Field(gt=0, description="Median of the lognormal body, in minutes.")
    sigma: float = Field(gt=0, le=5, description="Log-scale sigma of the lognormal body.")
    threshold_minutes: float = Field(gt=0, description="Where the Pareto tail starts.")
    tail_shape: float = Field(ge=-0.5, lt=1, description="Generalised-Pareto shape xi.")
    tail_scale_minutes: float = Field(gt=0, description="Generalised-Pareto scale beta.")

    @property
    def _body_share(self) -> float:
        return float(special.ndtr(math.log(self.threshold_minutes / self.median) / self.sigma))

    def quantile(self, q: np.ndarray) -> np.ndarray:
        q = np.asarray(q, dtype=np.float64)
        share = self._body_share
        body = self.median * np.exp(self.sigma * special.ndtri(np.minimum(q, share)))
        # Generalised-Pareto inverse CDF of the excess: beta ((1 - p)^-xi - 1) / xi.
        excess_q = np.clip((q - share) / max(1 - share, 1e-300), 0, 1 - 1e-16)
        xi, beta = self.tail_shape, self.tail_scale_minutes
        if abs(xi) < 1e-9:
            excess = -beta * np.log1p(-excess_q)
        else:
            excess = beta * ((1 - excess_q) ** -xi - 1) / xi
        return np.where(q <= share, body, self.threshold_minutes + excess)

    def _body_moment(self, k: int) -> float:
        # E[X^k; X < u] for the lognormal: exp(k mu + k^2 s^2 / 2) Phi((ln u - mu - k s^2) / s)
        mu, s = math.log(self.median), self.sigma
        z = (math.log(self.threshold_minutes) - mu - k * s * s) / s
        return math.exp(k * mu + k * k * s * s / 2) * float(special.ndtr(z))

    @property
    def mean(self) -> float:
        xi, beta, u = self.tail_shape, self.tail_scale_minutes, self.threshold_minutes
        return self._body_moment(1) + (1 - self._body_share) * (u + beta / (1 - xi))

    @property
    def variance(self) -> float:
        xi, beta, u = self.tail_shape, self.tail_scale_minutes, self.threshold_minutes
        if xi >= 0.5:
            return math.inf
        excess_1 = beta / (1 - xi)
        excess_2 = 2 * beta**2 / ((1 - xi) * (1 - 2 * xi))
        tail_2 = u * u + 2 * u * excess_1 + excess_2
        second = self._body_moment(2) + (1 - self._body_share) * tail_2
        return second - self.mean**2


def _number_is_fixed(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return {"distribution": "fixed", "value": value}
    return value


DurationSpec = Annotated[
    Fixed | Exponential | Lognormal | Weibull | Gamma | LognormalParetoTail,
    Field(discriminator="distribution"),
    BeforeValidator(_number_is_fixed),
]
"""Any duration distribution, chosen by its ``distribution`` key; a bare number means fixed."""
