"""Settings of calibration, back-testing and power analysis (every default lives here)."""

from __future__ import annotations

from pydantic import Field

from sim.scenario.fields import FrozenModel, TimeZoneName


class CalibrationSettings(FrozenModel):
    """How a history is turned into scenario parameters."""

    time_zone: TimeZoneName = "UTC"
    """Local time of the hour-of-week profile and of weekly counts (the scenario's
    ``horizon.time_zone``)."""
    min_incidents_per_service: int = Field(30, ge=1)
    """Below this, a service's profile and severity mix (and its weekly dispersion) come from
    its team's incidents, or the whole organisation's when the team has too few too; its rate
    is always its own."""
    smooth_hours: int = Field(2, ge=0, le=12)
    """Half-width of the circular moving average of the hour-of-week profile (2: 5 hours)."""
    engineers_per_team: int = Field(6, ge=1, le=1000)
    """Engineers of each team a new scenario gets (not fitted: the history cannot say)."""
    transient_max_minutes: float = Field(30.0, gt=0, le=1440)
    """An incident resolved within this many minutes of its start and never acknowledged is
    a transient alert (it cleared on its own); only histories with acknowledgement times."""


class BacktestSettings(FrozenModel):
    """How a back-test compares the held-out history with simulations."""

    runs: int = Field(200, ge=10, le=100_000)
    """Simulated runs of the held-out period."""
    interval: float = Field(0.9, gt=0, lt=1)
    """Central prediction interval of each KPI and weekly count (0.9: 5%-95%)."""
    pit_bins: int = Field(10, ge=2, le=50)
    """Bins of the PIT histogram."""
    pit_seed: int = Field(20261202, ge=0)
    """Seed of the uniform jitter of the randomised PIT of discrete weekly counts."""


class PowerSettings(FrozenModel):
    """How long real (unpaired) observation must run to detect a variant's effect."""

    runs: int = Field(200, ge=10, le=100_000)
    """Simulated runs of baseline and variant whose weeks are resampled."""
    power: float = Field(0.8, gt=0, lt=1)
    """Target probability of detecting the effect."""
    alpha: float = Field(0.05, gt=0, lt=0.5)
    """Two-sided significance level."""
    trials: int = Field(400, ge=50, le=100_000)
    """Resampled before/after studies per candidate number of weeks."""
    max_weeks: int = Field(520, ge=2, le=5200)
    """Longest observation considered (10 years)."""
    seed: int = Field(20261201, ge=0)
    """Seed of the resampling of simulated weeks into studies."""
