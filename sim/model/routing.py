"""Alert routing, decided before the run: which team each alert goes to, who owns its root, the
manager Accountable for it and the teams Consulted on a major incident."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.compile import CompiledScenario
from sim.scenario.fields import SEVERITIES


@dataclass(frozen=True)
class Routing:
    """Per alert (plain lists, for the model's scalar access).

    Attributes:
        routed_team: the team the incident goes to first (unless the shared rotation covers).
        owner_team: the team owning the root cause's service.
        routed_policy: the policy paged first: the service of record's (the team's by default).
        owner_policy: the policy of the root cause's service (paged after a handover).
        accountable: the Accountable manager of the service of record.
        consulted: the teams Consulted on it when it is a major incident (``()`` otherwise).
    """

    routed_team: list[int]
    owner_team: list[int]
    routed_policy: list[int]
    owner_policy: list[int]
    accountable: list[int]
    consulted: list[tuple[int, ...]]


def route_alerts(
    compiled: CompiledScenario,
    service: np.ndarray,
    root: np.ndarray,
    route_correct: np.ndarray,
    severity: np.ndarray,
) -> Routing:
    """Route every alert: to the team owning the alerting service (``symptom-owner``) or, when
    correlation identifies the root (``route_correct``), to the root's owner (``root-owner``).
    The service of record is the root's when the incident is routed to the root's owner."""
    scenario = compiled.scenario
    service = np.asarray(service)
    symptom_team = compiled.service_team[service]
    owner_team = compiled.service_team[service[root]]
    if scenario.routing.policy == "root-owner":
        routed_team = np.where(route_correct, owner_team, symptom_team)
        record_service = np.where(route_correct, service[root], service)
    else:
        routed_team, record_service = symptom_team, service
    consulted: list[tuple[int, ...]] = [()] * len(service)
    if any(compiled.service_consulted):
        major_severities = [SEVERITIES.index(name) for name in scenario.routing.consult_severities]
        major = np.isin(severity, major_severities).tolist()
        consulted = [
            compiled.service_consulted[service_index] if is_major else ()
            for service_index, is_major in zip(record_service.tolist(), major, strict=True)
        ]
    return Routing(
        routed_team=routed_team.tolist(),
        owner_team=owner_team.tolist(),
        routed_policy=compiled.service_policy[record_service].tolist(),
        owner_policy=compiled.service_policy[service[root]].tolist(),
        accountable=compiled.service_accountable_manager[record_service].tolist(),
        consulted=consulted,
    )
