"""Symptoms clear with their root: monitoring clears a symptom's alert when its cause is fixed.

Only in a scenario with cascades. The incident process of a cascade symptom registers itself
under its root failure's alert (:meth:`OpenSymptoms.register`); when the root is fixed, by the
person who worked its incident or by self-healing, :meth:`OpenSymptoms.clear` interrupts every
registered symptom incident still open, which ends at that minute in state *cleared with root*
(:data:`sim.model.records.STATE_CLEARED_WITH_ROOT`), wherever it is: escalating, queued for a
busy person or a pool, in triage or being worked. The world docstring states the rule.
"""

from __future__ import annotations

import math

import numpy as np
import simpy

from sim.model.alert_table import AlertTable
from sim.model.automation import AutomationOutcome

#: The cause of the interrupt that ends a symptom's incident (a transient alert's own clearing,
#: :func:`sim.model.noise.clear_when_due`, interrupts with another cause).
ROOT_FIXED = "root fixed"


class OpenSymptoms:
    """Per root failure's alert, the incident processes of its symptoms that may be open."""

    def __init__(self, env: simpy.Environment, table: AlertTable) -> None:
        self.env = env
        self.table = table
        self._by_root: dict[int, dict[int, simpy.Process]] = {}

    def register(self, root: int, symptom: int) -> None:
        """The active process is the incident of ``symptom``, a symptom of ``root``."""
        self._by_root.setdefault(root, {})[symptom] = self.env.active_process

    def clear(self, root: int) -> None:
        """``root`` is fixed now: interrupt its symptoms' incidents that are still open."""
        resolved = self.table.resolved_minutes
        for symptom, process in self._by_root.pop(root, {}).items():
            if process.is_alive and math.isnan(resolved[symptom]):
                process.interrupt(ROOT_FIXED)

    def self_healed_roots(self, outcome: AutomationOutcome):
        """A process: clear the symptoms of each root failure fixed by self-healing, at the
        minute its runbook fixed it."""
        env = self.env
        root = np.asarray(self.table.root[: self.table.exogenous], dtype=np.int64)
        healed = np.flatnonzero(outcome.auto_resolved)
        healed = healed[np.isin(healed, root[root != np.arange(len(root))])]
        fixed = outcome.auto_resolved_minutes[healed]
        order = np.argsort(fixed, kind="stable")
        for alert, minutes in zip(healed[order].tolist(), fixed[order].tolist(), strict=True):
            if minutes > env.now:
                yield env.timeout(minutes - env.now)
            self.clear(alert)
