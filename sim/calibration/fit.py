"""Calibrate a history: per service fits with pooling, and the organisation's durations.

Per service: its own ``alerts_per_week`` (incidents over the history's exposure); its profile,
severity mix and weekly dispersion from its own incidents when it has at least
``min_incidents_per_service``, else pooled from its team (if the team has enough), else from
the whole organisation, and ``messages`` says which. Durations are one per organisation in the
scenario schema (``response.work_time_minutes``, ``response.ack_delay_minutes``), so they are
fitted on every incident: work time is resolution minus acknowledgement when the history has
acknowledgements, else resolution minus start (then it includes the wait for an
acknowledgement, and the message says so). Transient incidents (resolved within minutes, never
acknowledged: :mod:`sim.calibration.transient`) give ``noise.transient_share`` and
``noise.self_clear_minutes`` and are left out of the work-time fit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.calibration.arrivals import (
    DispersionFit,
    ProfileFit,
    exposure_weeks,
    fit_dispersion,
    fit_profile,
    fit_severity_mix,
    rate_standard_error,
    weekly_counts,
)
from sim.calibration.durations import MIN_DURATIONS, DurationFit, fit_durations
from sim.calibration.history import History, HistoryError
from sim.calibration.transient import TransientFit, fit_transient, transient_mask
from sim.scenario.calibration import CalibrationSettings


@dataclass(frozen=True)
class ServiceFit:
    """Fitted arrival parameters of one service."""

    name: str
    team: str
    n: int
    alerts_per_week: float
    alerts_per_week_se: float
    profile: ProfileFit
    severity_mix: dict[str, float]
    severity_mix_se: dict[str, float]
    severity_n: int
    dispersion: DispersionFit
    pooled_from: str
    """"own", "team <name>" or "organisation": where profile, severity and dispersion came from."""


@dataclass(frozen=True)
class CalibrationResult:
    """Everything fitted from one history."""

    services: tuple[ServiceFit, ...]
    work_time: tuple[DurationFit, ...]
    """Every family fitted to work times, best (lowest AIC) first; empty if too few."""
    ack_delay: tuple[DurationFit, ...]
    exposure_weeks: float
    first: pd.Timestamp
    last: pd.Timestamp
    settings: CalibrationSettings
    source: str
    messages: tuple[str, ...] = field(default=())
    work_time_definition: str = ""
    transient: TransientFit | None = None
    """Transient share and self-clear time (None: the history has no acknowledgements)."""


def _pool_for(
    frame: pd.DataFrame, service: str, team: str, minimum: int
) -> tuple[pd.DataFrame, str]:
    own = frame[frame["service"] == service]
    if len(own) >= minimum:
        return own, "own"
    team_rows = frame[frame["team"] == team] if team else own
    if team and len(team_rows) >= minimum:
        return team_rows, f"team {team}"
    return frame, "organisation"


def _fit_service(
    frame: pd.DataFrame, name: str, weeks: float, settings: CalibrationSettings, window
) -> ServiceFit:
    own = frame[frame["service"] == name]
    team = str(own["team"].mode().iloc[0]) if len(own) else ""
    pool, source = _pool_for(frame, name, team, settings.min_incidents_per_service)
    profile = fit_profile(pool["started"], settings.time_zone, settings.smooth_hours, window)
    shares, errors, severity_n = fit_severity_mix(pool["severity"])
    pooled_counts = weekly_counts(pool["started"], settings.time_zone, window)
    dispersion = fit_dispersion(pooled_counts)
    if source != "own":
        # A pooled service shares its pool's weekly rate factor variance (a common shock):
        # its own counts are too few to estimate it.
        own_counts = weekly_counts(own["started"], settings.time_zone, window)
        dispersion = DispersionFit(
            own_counts,
            len(own) / weeks,
            dispersion.dispersion_index,
            dispersion.pvalue,
            dispersion.alpha,
            dispersion.alpha_standard_error,
        )
    return ServiceFit(
        name=name,
        team=team,
        n=len(own),
        alerts_per_week=len(own) / weeks,
        alerts_per_week_se=rate_standard_error(len(own), weeks, dispersion),
        profile=profile,
        severity_mix=shares,
        severity_mix_se=errors,
        severity_n=severity_n,
        dispersion=dispersion,
        pooled_from=source,
    )


def _durations(
    history: History,
    messages: list[str],
    severity_work_factor: dict[str, float],
    transient: np.ndarray,
) -> tuple[tuple, tuple, str]:
    frame = history.incidents
    minutes = lambda later, earlier: (  # noqa: E731
        (frame[later] - frame[earlier]).dt.total_seconds() / 60.0
    ).to_numpy()
    ack = minutes("acknowledged", "started")
    has_ack = np.isfinite(ack) & (ack > 0)
    if has_ack.sum() >= MIN_DURATIONS:
        work = minutes("resolved", "acknowledged")
        definition = "resolved - acknowledged"
        ack_fits = tuple(fit_durations(ack))
    else:
        work = minutes("resolved", "started")
        definition = "resolved - started (includes the wait for an acknowledgement)"
        ack_fits = ()
        messages.append(
            "no acknowledgement times: response.ack_delay_minutes is not fitted; work time is "
            "resolved - started, which includes the wait for an acknowledgement"
        )
    # The schema's work time is for severity factor 1.0: divide each by its severity's factor.
    factor = frame["severity"].map(severity_work_factor).astype(float).fillna(1.0).to_numpy()
    if frame["severity"].notna().any():
        definition += ", divided by the severity work factor"
    work = work / factor
    if transient.any():
        definition += ", transient incidents left out"
    usable = np.isfinite(work) & (work > 0) & ~transient
    if usable.sum() < MIN_DURATIONS:
        messages.append(
            f"only {int(usable.sum())} incident(s) with a positive duration (need "
            f"{MIN_DURATIONS}): response.work_time_minutes is not fitted"
        )
        return (), ack_fits, definition
    dropped = len(work) - int(transient.sum()) - int(usable.sum())
    if dropped:
        messages.append(
            f"work time fitted on {int(usable.sum())} of {len(work)} incidents ({dropped} "
            "without a positive duration)"
        )
    return tuple(fit_durations(work)), ack_fits, definition


def calibrate(
    history: History,
    settings: CalibrationSettings | None = None,
    severity_work_factor: dict[str, float] | None = None,
) -> CalibrationResult:
    """Fit every scenario parameter a history can inform (module docstring).

    ``severity_work_factor`` is the scenario's ``response.severity_work_factor`` (default: the
    schema's): work times are fitted for factor 1.0, as the schema defines them.
    """
    settings = settings or CalibrationSettings()
    if severity_work_factor is None:
        from sim.scenario.models import Response

        severity_work_factor = dict(Response().severity_work_factor)
    frame = history.incidents
    if len(frame) < 2:
        raise HistoryError(f"{history.source}: need at least 2 incidents to fit (got {len(frame)})")
    weeks = exposure_weeks(frame["started"])
    if weeks < 1:
        raise HistoryError(
            f"{history.source}: the history spans {weeks * 7:.1f} days; an hour-of-week "
            "profile needs at least one full week"
        )
    window = frame["started"]
    messages = list(history.notes)
    services = []
    for name in pd.unique(frame["service"]):
        fit = _fit_service(frame, str(name), weeks, settings, window)
        if fit.pooled_from != "own":
            messages.append(
                f"service {fit.name}: {fit.n} incident(s) (< {settings.min_incidents_per_service})"
                f": profile, severity mix and weekly dispersion pooled from {fit.pooled_from}; "
                "its rate is its own"
            )
        if fit.dispersion.overdispersed:
            messages.append(
                f"service {fit.name}: weekly counts over-dispersed (index "
                f"{fit.dispersion.dispersion_index:.2f}, Poisson p = {fit.dispersion.pvalue:.2g})"
                f": gamma-mixed weekly rate, variance {fit.dispersion.alpha:.3f}"
            )
        services.append(fit)
    if all(fit.severity_n == 0 for fit in services):
        messages.append("no severities in the history: severity_mix is not fitted")
    transient = fit_transient(history, settings, messages)
    mask = (
        transient_mask(history, settings.transient_max_minutes)
        if transient is not None
        else np.zeros(len(frame), dtype=bool)
    )
    work, ack, definition = _durations(history, messages, severity_work_factor, mask)
    return CalibrationResult(
        services=tuple(services),
        work_time=work,
        ack_delay=ack,
        exposure_weeks=weeks,
        first=frame["started"].min(),
        last=frame["started"].max(),
        settings=settings,
        source=history.source,
        messages=tuple(messages),
        work_time_definition=definition,
        transient=transient,
    )
