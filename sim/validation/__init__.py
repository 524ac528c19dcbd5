"""Validation against queueing theory: the on-call model, configured as a classic queue.

The scenarios under ``scenarios/validation/`` turn the on-call model into textbook queues by
configuration alone (one pool team of c engineers, Poisson arrivals, immediate acknowledgement, no
automation, work time from a distribution; see any of the files' headers). This module runs them,
measures what queueing theory predicts and compares the two:

* M/M/c against Erlang C: P(W > 0), E[W], P(W > t); M/G/1 against Pollaczek-Khinchine: E[W] and
  P(W > 0) = rho; for all of them L, the time-average number in system, against lambda (E[W] +
  E[S]) and, run by run, against Little's law;
* M_t/G/infinity (Eick, Massey and Whitt 1993) against the mean number in system at every hour of
  the week and its daily cycle (amplitude, peak time), and the arrivals per hour-of-week bin
  against the configured rates (chi-square).

**Method.** Each case runs R independent replications: run i is ``simulate(scenario, run=i)``
with the scenario's root seed (independent random streams per run index). The model starts empty,
so the first ``warmup_weeks`` of each run are discarded: waits and times in system are those of
incidents that *start* in [warm-up, horizon), and time averages are over that window. Arrivals
stop at the horizon but every incident is worked to the end, and with first-come, first-served
service no later arrival changes an earlier incident's wait, so the end of the window has no
bias. Each run gives one value of every measure; the estimate is the mean over runs with the
between-run standard error SE = sd / sqrt(R) (replications are independent, so this is honest
whatever the autocorrelation within a run), a Student-t 95% interval, and z = (mean - theory) /
SE. A check passes when |z| <= :data:`Z_LIMIT`.

Regenerate the report with ``python -m sim.validation --out docs/validation.md [--runs N]``.
"""

from sim.validation.cases import (
    CASES,
    DAILY_OMEGA,
    VALIDATION_DIR,
    Case,
    Metric,
    case,
    daily_component,
    daily_cycle_metrics,
)
from sim.validation.evaluation import (
    CHI_SQUARE_ALPHA,
    HOURLY_FAMILY_ALPHA,
    Z_LIMIT,
    CaseResult,
    Check,
    ChiSquareResult,
    Estimate,
    HourlyResult,
    estimate,
    evaluate,
    little_law_holds,
    run_replication,
    run_replications,
)
from sim.validation.measures import WAIT_EPSILON_MINUTES, RunMeasures, measure_run
from sim.validation.parameters import (
    MINUTES_PER_HOUR,
    MINUTES_PER_WEEK,
    QueueParameters,
    queue_parameters,
    survival_integrals,
    truncated_mean,
)
from sim.validation.report import case_markdown, main, report_markdown, write_report

__all__ = [
    "CASES",
    "CHI_SQUARE_ALPHA",
    "DAILY_OMEGA",
    "HOURLY_FAMILY_ALPHA",
    "MINUTES_PER_HOUR",
    "MINUTES_PER_WEEK",
    "VALIDATION_DIR",
    "WAIT_EPSILON_MINUTES",
    "Z_LIMIT",
    "Case",
    "CaseResult",
    "Check",
    "ChiSquareResult",
    "Estimate",
    "HourlyResult",
    "Metric",
    "QueueParameters",
    "RunMeasures",
    "case",
    "case_markdown",
    "daily_component",
    "daily_cycle_metrics",
    "estimate",
    "evaluate",
    "little_law_holds",
    "main",
    "measure_run",
    "queue_parameters",
    "report_markdown",
    "run_replication",
    "run_replications",
    "survival_integrals",
    "truncated_mean",
    "write_report",
]
