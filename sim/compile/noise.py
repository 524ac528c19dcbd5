"""Noise and SLO settings compiled to per-service arrays (:mod:`sim.scenario.noise`).

The model applies them in bulk (:mod:`sim.model.noise`, :mod:`sim.model.slo`) before the SimPy
world starts. A service's ``noise`` overrides the scenario's field by field.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.scenario.distributions import DurationSpec
from sim.scenario.fields import SEVERITIES
from sim.scenario.models import Scenario


@dataclass(frozen=True)
class NoiseTables:
    """Per service (in scenario order) noise settings, and the SLO rules.

    Attributes:
        transient_share, pause_minutes, flap_probability: (services,) arrays.
        self_clear: per service, its self-clear time spec.
        refire_after: time from a clear to the next firing.
        flap_window_minutes, dedupe: the flapping rule.
        slo_mode: ``paging.mode: slo``.
        slo_target: (services,) objective, NaN for a service without an SLO.
        slo_window_minutes: (services,) window of the objective (0 without an SLO).
        impact: (4,) share of requests failing per severity, P1 first.
        transient_impact: share failing while a transient alert fires.
        rule_burn_rate, rule_long_minutes, rule_short_minutes, rule_pages: the burn rules.
    """

    transient_share: np.ndarray
    pause_minutes: np.ndarray
    flap_probability: np.ndarray
    self_clear: tuple[DurationSpec, ...]
    refire_after: DurationSpec
    flap_window_minutes: float
    dedupe: bool
    slo_mode: bool
    slo_target: np.ndarray
    slo_window_minutes: np.ndarray
    impact: np.ndarray
    transient_impact: float
    rule_burn_rate: np.ndarray
    rule_long_minutes: np.ndarray
    rule_short_minutes: np.ndarray
    rule_pages: np.ndarray

    @property
    def changes_paging(self) -> bool:
        """Whether anything here can change when or whether an alert pages."""
        return bool(
            self.transient_share.any()
            or self.pause_minutes.any()
            or (self.slo_mode and self.has_slo.any())
        )

    @property
    def has_slo(self) -> np.ndarray:
        """(services,) the service has an SLO."""
        return ~np.isnan(self.slo_target)


def compile_noise(scenario: Scenario) -> NoiseTables:
    """The noise and SLO tables of a resolved scenario."""
    default = scenario.noise
    overrides = [service.noise for service in scenario.services]

    def per_service(field: str) -> list:
        return [
            getattr(default, field)
            if override is None or getattr(override, field) is None
            else getattr(override, field)
            for override in overrides
        ]

    slo = scenario.slo
    rules = slo.burn_rules
    return NoiseTables(
        transient_share=np.array(per_service("transient_share"), dtype=np.float64),
        pause_minutes=np.array(per_service("pause_minutes"), dtype=np.float64),
        flap_probability=np.array(per_service("flap_probability"), dtype=np.float64),
        self_clear=tuple(per_service("self_clear_minutes")),
        refire_after=default.refire_after_minutes,
        flap_window_minutes=default.flap_window_minutes,
        dedupe=default.flap_rule == "dedupe",
        slo_mode=scenario.paging.mode == "slo",
        slo_target=np.array(
            [s.slo.target if s.slo else np.nan for s in scenario.services], dtype=np.float64
        ),
        slo_window_minutes=np.array(
            [s.slo.window_days * 1440.0 if s.slo else 0.0 for s in scenario.services]
        ),
        impact=np.array([slo.impact.get(severity, 0.0) for severity in SEVERITIES]),
        transient_impact=slo.transient_impact,
        rule_burn_rate=np.array([rule.burn_rate for rule in rules], dtype=np.float64),
        rule_long_minutes=np.array([rule.long_window_minutes for rule in rules], dtype=np.int64),
        rule_short_minutes=np.array([rule.short_window_minutes for rule in rules], dtype=np.int64),
        rule_pages=np.array([rule.action == "page" for rule in rules], dtype=bool),
    )
