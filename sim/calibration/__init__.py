"""Calibration: incident histories into scenario parameters, back-tests, and power.

* :mod:`~sim.calibration.figures`: the figures scenario headers cite (repair-time medians,
  burstiness, weekend and business-hours ratios) from the CSVs in ``data/``;
  ``python -m sim.calibration data/<file>.csv`` prints them.
* :mod:`~sim.calibration.history` and :mod:`~sim.calibration.feeds`: readers (generic CSV,
  PagerDuty, status page, LANL) into one
  normalised incident table.
* :mod:`~sim.calibration.arrivals`, :mod:`~sim.calibration.durations`,
  :mod:`~sim.calibration.fit`: the fits (rates, hour-of-week profile, severity mix, weekly
  over-dispersion, duration families by AIC) with pooling of small services.
* :mod:`~sim.calibration.writer`: the fitted scenario, every value commented.
* :mod:`~sim.calibration.diagnostics`, :mod:`~sim.calibration.backtest`,
  :mod:`~sim.calibration.power`: the report, the back-test and the weeks-to-detect analysis.
"""

from sim.calibration.figures import (
    GITHUB_TZS,
    LANL_TZ,
    NIGHT_HOURS,
    LognormalFit,
    WeibullFit,
    business_hours_rate_ratio,
    fit_lognormal_durations,
    fit_weibull_gaps,
    hour_of_week_profile,
    inter_arrival_minutes,
    load_github_status_incidents,
    load_lanl_failures,
    main,
    profile_band_means,
    summarize,
    weekend_rate_ratio,
)
from sim.calibration.fit import CalibrationResult, ServiceFit, calibrate
from sim.calibration.history import History, HistoryError
from sim.calibration.readers import read_history

__all__ = [
    "GITHUB_TZS",
    "LANL_TZ",
    "NIGHT_HOURS",
    "CalibrationResult",
    "History",
    "HistoryError",
    "LognormalFit",
    "ServiceFit",
    "WeibullFit",
    "business_hours_rate_ratio",
    "calibrate",
    "fit_lognormal_durations",
    "fit_weibull_gaps",
    "hour_of_week_profile",
    "inter_arrival_minutes",
    "load_github_status_incidents",
    "load_lanl_failures",
    "main",
    "profile_band_means",
    "read_history",
    "summarize",
    "weekend_rate_ratio",
]
