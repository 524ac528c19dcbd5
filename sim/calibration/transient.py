"""Transient alerts in a history: the share that cleared on their own, and how fast.

A *transient* incident is one resolved within ``transient_max_minutes`` of its start
(:class:`~sim.scenario.calibration.CalibrationSettings`) and never acknowledged: nobody touched
it, it cleared. Only a history that records acknowledgements can tell (the generic CSV's
``acknowledged_at`` column, PagerDuty's ``seconds_to_first_ack`` / ``auto_resolved``): without
them a transient alert looks like a short real incident, and nothing is fitted.

* ``noise.transient_share`` is ``q = k / n``: k transient incidents among the n resolved ones
  whose acknowledgement is known, with the binomial standard error ``sqrt(q (1 - q) / n)``;
* ``noise.self_clear_minutes`` is fitted to the k durations like the work times
  (:func:`sim.calibration.durations.fit_durations`: every supported family by maximum
  likelihood, the lowest AIC wins).

What the estimate means: it counts transient alerts that cleared before anyone acknowledged
them. A transient alert acknowledged before it cleared looks like a short real incident and is
not counted, so ``q`` is a lower bound of the model's ``transient_share`` when people acknowledge
within the self-clear time; and self-clear times above the threshold are not seen (the fitted
family's share above it, ``beyond_threshold``, says how much that truncation matters; a message
warns above 5%). Transient incidents are left out of the work-time fit: nobody worked them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.calibration.durations import MIN_DURATIONS, DurationFit, fit_durations
from sim.calibration.history import History
from sim.scenario.calibration import CalibrationSettings

#: Warn when the fitted self-clear family puts more than this share above the threshold.
TRUNCATION_WARNING_SHARE = 0.05


@dataclass(frozen=True)
class TransientFit:
    """The transient share and self-clear time fitted from a history."""

    threshold_minutes: float
    n: int
    """Resolved incidents whose acknowledgement is known (the share's denominator)."""
    transient: int
    """Of those, resolved within the threshold and never acknowledged."""
    share: float
    share_se: float
    self_clear: tuple[DurationFit, ...]
    """Every family fitted to the transient incidents' durations, best first (empty if too few)."""
    beyond_threshold: float
    """The best self-clear family's probability above the threshold (NaN without a fit)."""


def transient_mask(history: History, threshold_minutes: float) -> np.ndarray:
    """Per incident: resolved within the threshold, never acknowledged, acknowledgement known."""
    frame = history.incidents
    duration = history.durations_minutes.to_numpy()
    return (
        frame["ack_known"].to_numpy(dtype=bool)
        & frame["acknowledged"].isna().to_numpy()
        & np.isfinite(duration)
        & (duration <= threshold_minutes)
    )


def fit_transient(
    history: History, settings: CalibrationSettings, messages: list[str]
) -> TransientFit | None:
    """The transient share and self-clear fit (module docstring); None, with a message saying
    why, when the history records no acknowledgements."""
    frame = history.incidents
    known = frame["ack_known"].to_numpy(dtype=bool) & frame["resolved"].notna().to_numpy()
    threshold = settings.transient_max_minutes
    if not known.any():
        messages.append(
            "no acknowledgement information in the history (the generic CSV's acknowledged_at "
            "column, PagerDuty's seconds_to_first_ack / auto_resolved): a transient alert "
            "cannot be told from a short real incident, so noise.transient_share and "
            "noise.self_clear_minutes are not fitted"
        )
        return None
    mask = transient_mask(history, threshold)
    n, k = int(known.sum()), int(mask.sum())
    share = k / n
    durations = history.durations_minutes.to_numpy()[mask]
    fits: tuple[DurationFit, ...] = ()
    beyond = float("nan")
    if np.sum(durations > 0) >= MIN_DURATIONS:
        fits = tuple(fit_durations(durations))
    else:
        messages.append(
            f"only {k} transient incident(s) (resolved within {threshold:g} minutes, never "
            f"acknowledged; need {MIN_DURATIONS}): noise.self_clear_minutes is not fitted"
        )
    if fits and fits[0].family != "fixed":
        beyond = float(fits[0].frozen().sf(threshold))
        if beyond > TRUNCATION_WARNING_SHARE:
            messages.append(
                f"the fitted self-clear time ({fits[0].family}) puts {beyond:.0%} above the "
                f"{threshold:g}-minute threshold, which the history cannot show: the fit is "
                "truncated there (raise transient_max_minutes if real incidents allow)"
            )
    messages.append(
        f"transient share {share:.3f} (s.e. {np.sqrt(share * (1 - share) / n):.2g}): {k} of "
        f"{n} incidents resolved within {threshold:g} minutes, never acknowledged; they are "
        "left out of the work-time fit"
    )
    return TransientFit(
        threshold_minutes=threshold,
        n=n,
        transient=k,
        share=share,
        share_se=float(np.sqrt(share * (1 - share) / n)),
        self_clear=fits,
        beyond_threshold=beyond,
    )
