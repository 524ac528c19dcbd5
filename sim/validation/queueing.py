"""Closed-form queueing results that the model must reproduce (validation suite).

Notation: arrival rate ``lam`` and service rate ``mu`` per minute, ``c`` servers, offered load
``a = lam / mu`` (Erlangs), utilisation ``rho = a / c``; W is the wait in queue before service.

* M/M/c (Erlang C): P(W > 0) = C(c, a); E[W] = C / (c mu - lam); P(W > t) = C exp(-(c mu - lam) t).
* M/G/1 (Pollaczek-Khinchine): E[W] = lam E[S^2] / (2 (1 - rho)).
* M_t/G/infinity (Eick, Massey and Whitt 1993): the number in system at time t is Poisson with mean
  m(t) = E[ integral_{t - S}^{t} lam(u) du ] = integral_0^inf lam(t - u) P(S > u) du.
* Little's law: L = lam W for any stable system (time-average number in system against the
  arrival rate times the mean time in system).
"""

from __future__ import annotations

import math

import numpy as np


def erlang_c(servers: int, offered_load: float) -> float:
    """Probability that an arrival waits in an M/M/c queue (Erlang C formula).

    Computed through the Erlang B recursion, which is numerically stable for large c.
    """
    if servers < 1:
        raise ValueError("servers must be at least 1")
    if not 0 <= offered_load < servers:
        raise ValueError("the queue is unstable unless 0 <= offered load < servers")
    blocking = 1.0  # Erlang B with 0 servers
    for k in range(1, servers + 1):
        blocking = offered_load * blocking / (k + offered_load * blocking)
    utilisation = offered_load / servers
    return blocking / (1 - utilisation + utilisation * blocking)


def mmc_mean_wait(arrival_rate: float, service_rate: float, servers: int) -> float:
    """Mean wait in queue of an M/M/c queue, in the time unit of the rates."""
    waiting = erlang_c(servers, arrival_rate / service_rate)
    return waiting / (servers * service_rate - arrival_rate)


def mmc_wait_tail(arrival_rate: float, service_rate: float, servers: int, t: float) -> float:
    """P(W > t) of an M/M/c queue: the wait is 0 with probability 1 - C, else exponential."""
    waiting = erlang_c(servers, arrival_rate / service_rate)
    return waiting * math.exp(-(servers * service_rate - arrival_rate) * t)


def mg1_mean_wait(arrival_rate: float, service_mean: float, service_variance: float) -> float:
    """Pollaczek-Khinchine mean wait in queue of an M/G/1 queue."""
    utilisation = arrival_rate * service_mean
    if not 0 <= utilisation < 1:
        raise ValueError("the queue is unstable unless utilisation < 1")
    second_moment = service_variance + service_mean**2
    return arrival_rate * second_moment / (2 * (1 - utilisation))


def infinite_server_mean(rate_per_minute: np.ndarray, survival_integrals: np.ndarray) -> np.ndarray:
    """Mean number in an M_t/G/infinity system on a periodic grid (Eick, Massey and Whitt).

    Args:
        rate_per_minute: arrival rate on each step of one period (e.g. the 168 hours of a week),
            repeated forever (the periodic steady state).
        survival_integrals: integral of P(S > u) over [k step, (k + 1) step] for k = 0, 1, ...
            (until it is negligible); see :func:`exponential_survival_integrals`.

    Returns the mean number in system at the start of each step. With a piecewise-constant rate
    this is exact: arrivals of the step that ended k steps ago are still present with the
    average survival probability over that step.
    """
    rate = np.asarray(rate_per_minute, dtype=np.float64)
    period = len(rate)
    steps = np.arange(period)
    mean = np.zeros(period)
    for lag, weight in enumerate(np.asarray(survival_integrals, dtype=np.float64)):
        mean += rate[(steps - 1 - lag) % period] * weight
    return mean


def exponential_survival_integrals(
    mean_minutes: float, step_minutes: float, steps: int
) -> np.ndarray:
    """Integrals of exp(-u / mean) over consecutive steps [k step, (k + 1) step], k < steps."""
    edges = np.exp(-np.arange(steps + 1) * step_minutes / mean_minutes)
    return mean_minutes * (edges[:-1] - edges[1:])
