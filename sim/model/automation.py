"""Automation acts first, decided for all alerts at once from the pre-drawn uniforms.

Order (docs/design.md): anomaly detection may prevent the incident; otherwise a runbook, if
there is one, runs; a successful run resolves the incident with no page, a failed one pages a human
when the attempt ends; without a runbook the page goes out when the incident starts.

Every decision compares a pre-drawn uniform with the variant's probability (monotone coupling):
raising self-healing coverage from 0.30 to 0.45 heals a superset of the same incidents.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.calendar import SLOT_MINUTES
from sim.compile import CompiledScenario
from sim.generator import ACK_COLUMNS, HANDOVER_ACK_COLUMNS, AlertStream


@dataclass(frozen=True)
class AutomationOutcome:
    """Per-alert outcome of automation, and the human-facing durations of the rest.

    Attributes:
        prevented: fixed in business hours before impact (no incident, no page).
        runbook_ran: a self-healing attempt ran.
        auto_resolved: the attempt fixed the incident.
        auto_resolved_minutes: when an auto-resolved incident ended (NaN otherwise).
        page_minutes: when a human is first paged (NaN for prevented and auto-resolved alerts).
        work_minutes: hands-on time a human needs, by severity.
        ack_delay_minutes: (alerts, 8) time to acknowledge of the 1st, 2nd, ... page of the
            incident's chain (later pages reuse the columns in turn).
        route_correct: root-owner routing identifies the root.
        triage_minutes: time a responder outside the owning team spends before handing over.
        runbook_fix: a shared-rotation responder outside the domain can fix it with a runbook.
        handover_ack_delay_minutes: (alerts, 3) ack delays of the team paged after a handover.
    """

    prevented: np.ndarray
    runbook_ran: np.ndarray
    auto_resolved: np.ndarray
    auto_resolved_minutes: np.ndarray
    page_minutes: np.ndarray
    work_minutes: np.ndarray
    ack_delay_minutes: np.ndarray
    route_correct: np.ndarray
    triage_minutes: np.ndarray
    runbook_fix: np.ndarray
    handover_ack_delay_minutes: np.ndarray


def business_minutes_between(
    compiled: CompiledScenario, zone: np.ndarray, start: np.ndarray, end: np.ndarray
) -> np.ndarray:
    """Business-hours minutes in [start, end) in each zone's local time (vectorised)."""
    return _business_minutes_before(compiled, zone, end) - _business_minutes_before(
        compiled, zone, start
    )


def _business_minutes_before(
    compiled: CompiledScenario, zone: np.ndarray, time_minutes: np.ndarray
) -> np.ndarray:
    cumulative = compiled.business_minutes_before_slot
    clipped = np.clip(time_minutes, 0.0, compiled.slots * SLOT_MINUTES - 1e-9)
    slot = (clipped // SLOT_MINUTES).astype(np.int64)
    in_slot = clipped - slot * SLOT_MINUTES
    slot_is_business = cumulative[zone, slot + 1] > cumulative[zone, slot]
    return cumulative[zone, slot] + np.where(slot_is_business, in_slot, 0.0)


def decide_automation(compiled: CompiledScenario, stream: AlertStream) -> AutomationOutcome:
    """Apply the variant's automation and response settings to a run's draws."""
    scenario = compiled.scenario
    detection = scenario.automation.anomaly_detection
    healing = scenario.automation.self_healing
    start = stream.time_minutes
    zone = compiled.team_zone[compiled.service_team[stream.service]]

    detected = stream.column("detected") < compiled.service_detection_coverage[stream.service]
    if detected.any():
        lead = detection.lead_time_minutes.quantile(stream.column("lead_time"))
        fix = detection.fix_time_minutes.quantile(stream.column("fix_time"))
        working_time = business_minutes_between(compiled, zone, start - lead, start)
        prevented = detected & (working_time >= fix)
    else:
        prevented = detected

    runbook_ran = ~prevented & (
        stream.column("runbook") < compiled.service_self_healing_coverage[stream.service]
    )
    auto_resolved = runbook_ran & (stream.column("heal_success") < healing.success_probability)
    run_time = np.where(
        runbook_ran, healing.run_time_minutes.quantile(stream.column("heal_run_time")), 0.0
    )
    needs_human = ~prevented & ~auto_resolved
    response = scenario.response
    return AutomationOutcome(
        prevented=prevented,
        runbook_ran=runbook_ran,
        auto_resolved=auto_resolved,
        auto_resolved_minutes=np.where(auto_resolved, start + run_time, np.nan),
        page_minutes=np.where(needs_human, start + run_time, np.nan),
        work_minutes=response.work_time_minutes.quantile(stream.column("work_time"))
        * compiled.severity_work_factor[stream.severity],
        ack_delay_minutes=response.ack_delay_minutes.quantile(
            np.concatenate([stream.uniforms[:, ACK_COLUMNS], stream.extra_ack_uniforms], axis=1)
        ),
        route_correct=stream.column("route") < scenario.routing.root_identification_accuracy,
        triage_minutes=scenario.routing.triage_minutes.quantile(stream.column("triage")),
        runbook_fix=stream.column("runbook_fix")
        < (scenario.shared_rotation.fix_probability if scenario.shared_rotation else 0.0),
        handover_ack_delay_minutes=response.ack_delay_minutes.quantile(
            stream.uniforms[:, HANDOVER_ACK_COLUMNS]
        ),
    )
