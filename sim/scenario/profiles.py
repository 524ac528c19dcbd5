"""Hour-of-week alert-rate profiles.

A profile is a 7 x 24 table of relative weights (Monday first, hour 0-23, in the scenario's local
time). The generator scales it so that its mean over the 168 hours is 1.0: a service with
``alerts_per_week: 7`` and the ``flat`` profile raises 1/24 alert per hour at every hour.

Named presets cover the common shapes; a scenario may also give an explicit 7 x 24 table.
"""

from __future__ import annotations

import numpy as np

HOURS_PER_WEEK = 168
WEEKEND_DAYS = (5, 6)
BUSINESS_HOURS = range(8, 18)

#: Weekend days relative to weekdays in GitHub's public incident history (see data/README.md).
WEEKEND_FACTOR_OBSERVED = 0.3
#: Working-hours rate relative to the rest of the week; changes ship in working hours, and so do
#: the faults they cause.
BUSINESS_HOURS_FACTOR = 2.0


def _table(weekday_day: float, weekday_night: float, weekend: float) -> np.ndarray:
    table = np.full((7, 24), weekday_night, dtype=np.float64)
    table[:5, BUSINESS_HOURS.start : BUSINESS_HOURS.stop] = weekday_day
    table[list(WEEKEND_DAYS), :] = weekend
    return table


PRESETS: dict[str, np.ndarray] = {
    # Same rate at every hour: hardware and network faults that ignore the calendar.
    "flat": _table(1.0, 1.0, 1.0),
    # Working hours of weekdays raise BUSINESS_HOURS_FACTOR x the rate of nights and weekends.
    "business-hours": _table(BUSINESS_HOURS_FACTOR, 1.0, 1.0),
    # Weekdays flat, weekend days at WEEKEND_FACTOR_OBSERVED of a weekday.
    "weekend-quiet": _table(1.0, 1.0, WEEKEND_FACTOR_OBSERVED),
    # Both: busy working hours and quiet weekends, the shape of change-driven application faults.
    "business-hours-weekend-quiet": _table(BUSINESS_HOURS_FACTOR, 1.0, WEEKEND_FACTOR_OBSERVED),
}


def normalised_profile(weights: np.ndarray) -> np.ndarray:
    """Return ``weights`` as a (168,) float array whose mean is 1.0."""
    flat = np.asarray(weights, dtype=np.float64).reshape(HOURS_PER_WEEK)
    total = flat.sum()
    if not np.isfinite(total) or total <= 0:
        raise ValueError("an hour-of-week profile needs at least one positive weight")
    return flat * (HOURS_PER_WEEK / total)


def resolve_profile(profile: str | list[list[float]]) -> np.ndarray:
    """A preset name or an explicit 7 x 24 table, as a normalised (168,) array."""
    if isinstance(profile, str):
        return normalised_profile(PRESETS[profile])
    return normalised_profile(np.asarray(profile, dtype=np.float64))
