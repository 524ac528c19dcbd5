"""Small hand-made scenarios and the repository's paths, shared by the tests."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import numpy as np

from sim.model import AutomationOutcome
from sim.scenario import Scenario

REPO = Path(__file__).resolve().parents[1]
SCENARIOS = sorted((REPO / "scenarios").rglob("*.yaml"))


def small_scenario_document(**changes: Any) -> dict[str, Any]:
    """A one-team, one-service scenario in UTC, as plain data; `changes` replace top-level keys."""
    document: dict[str, Any] = {
        "name": "hand-made",
        "horizon": {"weeks": 4, "start_date": "2026-01-05", "time_zone": "UTC", "seed": 7},
        "teams": [
            {
                "name": "infra",
                "engineers": ["ana", "ben", "cem"],
                "rotation": {"shift": "weekly", "handoff_day": "Mon", "handoff_time": "09:00"},
            }
        ],
        "services": [{"name": "db", "team": "infra", "alerts_per_week": 10}],
        "escalation": {"ack_timeout_minutes": 15, "levels": ["primary", "secondary", "manager"]},
    }
    document.update(copy.deepcopy(changes))
    return document


def small_scenario(**changes: Any) -> Scenario:
    return Scenario.model_validate(small_scenario_document(**changes))


def hand_made_outcome(page_minutes, work_minutes, ack_delay_minutes, **fields) -> AutomationOutcome:
    """Automation outcomes for incidents given directly: nothing prevented or auto-resolved, a
    page at each time (NaN: none), the given work and ack delays (the k-th page of an
    incident's chain uses column k). ``fields`` sets the other outcome arrays."""
    page_minutes = np.asarray(page_minutes, float)
    alerts = len(page_minutes)
    return AutomationOutcome(
        prevented=fields.pop("prevented", np.zeros(alerts, bool)),
        runbook_ran=np.zeros(alerts, bool),
        auto_resolved=np.zeros(alerts, bool),
        auto_resolved_minutes=np.full(alerts, np.nan),
        page_minutes=page_minutes,
        work_minutes=np.broadcast_to(np.asarray(work_minutes, float), (alerts,)).copy(),
        ack_delay_minutes=np.asarray(ack_delay_minutes, float).reshape(alerts, -1)
        if alerts
        else np.zeros((0, 3)),
        **fields,
    )
