"""Incidents caused by tired people's mistakes: endogenous alerts appended during a run."""

from __future__ import annotations

import math

import numpy as np

from sim.model.records import HANDOVER_NONE


class MistakesMixin:
    """Fatigue-induced incidents of :class:`sim.model.world.World`: whether a fix by a tired
    person causes a new incident (compared with a uniform of the run's endogenous stream), and
    the new alert's draws, from the same stream."""

    def _maybe_mistake(self, alert: int, worker: int) -> None:
        """A tired person's fix causes a new incident on the same service, later."""
        now = self.env.now
        if self.mistake_uniform[alert] >= self.people.mistake_probability(worker, now):
            return
        rng = self.endogenous
        fatigue = self.compiled.scenario.people.fatigue
        response = self.compiled.scenario.response
        delay = float(fatigue.mistake_delay_minutes.quantile(np.array([rng.random()]))[0])
        if now + delay >= self.compiled.horizon_minutes:
            return  # like every arrival, mistakes stop at the end of the horizon
        new = self._new_alert(alert, now + delay, rng, response)
        if self.trace is not None:
            self.trace.append((now, "mistake", alert, worker, new))
        self.env.process(self._delayed_incident(new, delay))

    def _delayed_incident(self, alert: int, delay: float):
        yield self.env.timeout(delay)
        yield from self._incident(alert)

    def _service_and_severity(self, alert: int) -> tuple[int, int]:
        if alert < self.alerts_exogenous:
            return int(self.service_array[alert]), int(self.severity_array[alert])
        extra = alert - self.alerts_exogenous
        return self.extra_service[extra], self.extra_severity[extra]

    def _new_alert(self, cause: int, start: float, rng: np.random.Generator, response) -> int:
        """Append an endogenous alert like ``cause`` (same service and severity); its index."""
        new = self.alerts_exogenous + len(self.extra_service)
        service, severity = self._service_and_severity(cause)
        uniforms = 1.0 - rng.random(16)
        self.extra_service.append(service)
        self.extra_severity.append(severity)
        self.extra_start.append(start)
        team = int(self.compiled.service_team[service])
        self.routed_team.append(team)
        self.owner_team.append(team)
        policy = int(self.compiled.service_policy[service])
        self.routed_policy.append(policy)
        self.owner_policy.append(policy)
        self.ack_delay.append(response.ack_delay_minutes.quantile(uniforms[:8]).tolist())
        self.handover_ack_delay.append(response.ack_delay_minutes.quantile(uniforms[8:11]).tolist())
        self.triage.append(0.0)
        self.runbook_fix.append(False)
        factor = float(self.compiled.severity_work_factor[severity])
        self.work.append(float(response.work_time_minutes.quantile(uniforms[11:12])[0]) * factor)
        self.mistake_uniform.append(float(uniforms[12]))
        if self.consulted is not None:
            self.consulted.append(self.consulted[cause])
        self.notify_only.append(False)
        for column, value in (
            (self.handover, HANDOVER_NONE),
            (self.delayed_by_inhibition, False),
            (self.worker, -1),
            (self.first_page_minutes, math.nan),
            (self.first_page_person, -1),
            (self.ack_minutes, math.nan),
            (self.ack_person, -1),
            (self.highest_level, -1),
            (self.work_start_minutes, math.nan),
            (self.resolved_minutes, math.nan),
            (self.coverage_gap, False),
            (self.retriggers, 0),
            (self.raci_consults, 0),
            (self.accountable, self.accountable[cause]),
            (self.caused_by, cause),
        ):
            column.append(value)
        return new
