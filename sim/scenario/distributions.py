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


def _number_is_fixed(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return {"distribution": "fixed", "value": value}
    return value


DurationSpec = Annotated[
    Fixed | Exponential | Lognormal | Weibull | Gamma,
    Field(discriminator="distribution"),
    BeforeValidator(_number_is_fixed),
]
"""Any duration distribution, chosen by its ``distribution`` key; a bare number means fixed."""
