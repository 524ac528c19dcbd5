"""Exact traces of per-service escalation policies, urgency rules and automation coverage.

The base scenario (tests/builders.py): team infra = ana, ben, cem (persons 0, 1, 2; manager 3),
weekly rotation handing off Mondays 09:00 UTC, ack timeout 15 minutes, levels primary ->
secondary -> manager; simulation minute 0 is Monday 2026-01-05 00:00 UTC. Two services of team
infra: ``db`` (service 0, the team's policy) and ``api`` (service 1) which names its own policy
``api-direct``: ben for 10 minutes, then cem.
"""

from __future__ import annotations

import numpy as np
from builders import brief, hand_made_outcome, hand_made_world, small_scenario

from sim.compile import compile_scenario
from sim.experiment import simulate
from sim.model.paging import apply_paging_rules
from sim.model.records import STATE_AUTO_RESOLVED
from sim.scenario import resolve_variant

ANA, BEN, CEM, MANAGER = 0, 1, 2, 3
DB, API = 0, 1
P1, P3 = 0, 2
TUESDAY_10_00 = 1440 + 600
SATURDAY_03_00 = 5 * 1440 + 180
MONDAY_08_00 = 7 * 1440 + 480
SLOW = 999.0

API_DIRECT = {
    "name": "api-direct",
    "levels": [
        {"targets": [{"person": "ben"}], "delay_minutes": 10},
        {"targets": [{"person": "cem"}], "delay_minutes": 10},
    ],
}


def two_services(api: dict | None = None, **changes):
    """db (team policy) and api (its own policy ``api-direct`` unless `api` says otherwise)."""
    api_service = {"name": "api", "team": "infra", "alerts_per_week": 5}
    api_service.update({"escalation_policy": "api-direct"} if api is None else api)
    return small_scenario(
        services=[{"name": "db", "team": "infra", "alerts_per_week": 5}, api_service],
        escalation_policies=[API_DIRECT],
        **changes,
    )


def run(scenario, page_minutes, services, ack_delays, work, severity=None):
    compiled = compile_scenario(scenario)
    raised = np.asarray(page_minutes, float)
    service = np.asarray(services, np.int64)
    delays = np.full((len(raised), 8), float(ack_delays))
    outcome = hand_made_outcome(raised, work, delays)
    paging = None
    if severity is not None:
        severity = np.asarray(severity, np.int64)
        paging = apply_paging_rules(compiled.paging, raised, severity, service)
    trace: list = []
    world = hand_made_world(
        compiled, outcome, service=service, severity=severity, paging=paging, trace=trace
    )
    world.run()
    return world.records(), brief(trace)


def test_service_with_its_own_policy_pages_that_policys_levels():
    """db at 10:00 pages the team's primary, ana; api at 10:00 pages ben (api-direct level 1),
    then cem at +10, who acknowledges 12 minutes after his page."""
    records, trace = run(two_services(), [TUESDAY_10_00, TUESDAY_10_00], [DB, API], 12.0, 5.0)
    start = TUESDAY_10_00
    assert trace == [
        (start, "page", 0, ANA, 0),
        (start, "page", 1, BEN, 0),
        (start + 10, "page", 1, CEM, 1),
        (start + 12, "ack", 0, ANA, -1),
        (start + 12, "ack", 1, BEN, -1),
        (start + 17, "resolve", 0, ANA, -1),
        (start + 17, "resolve", 1, BEN, -1),
    ]
    compiled = compile_scenario(two_services())
    assert compiled.service_policy.tolist() == [0, 1]
    assert [compiled.policies[i].name for i in records.page_policy.tolist()] == [
        "infra",
        "api-direct",
        "api-direct",
    ]


def test_service_without_a_policy_keeps_the_teams_escalation_chain():
    """Without its own policy, api escalates like db: ana, then ben at +15 (the secondary)."""
    scenario = two_services(api={"escalation_policy": None})
    _, trace = run(scenario, [TUESDAY_10_00], [API], 20.0, 5.0)
    assert [(t, kind, person) for t, kind, _, person, _ in trace] == [
        (TUESDAY_10_00, "page", ANA),
        (TUESDAY_10_00 + 15, "page", BEN),
        (TUESDAY_10_00 + 20, "ack", ANA),
        (TUESDAY_10_00 + 25, "resolve", ANA),
    ]


def test_variant_sets_a_services_policy_by_name():
    scenario = two_services(
        api={"escalation_policy": None},
        variants=[
            {
                "name": "direct",
                "description": "api pages ben directly",
                "set": {"services.api.escalation_policy": "api-direct"},
            }
        ],
    )
    _, trace = run(resolve_variant(scenario, "direct"), [TUESDAY_10_00], [API], 2.0, 5.0)
    assert trace[0] == (TUESDAY_10_00, "page", 0, BEN, 0)


def test_services_own_urgency_defers_only_its_low_urgency_alerts():
    """api's P3 is low urgency, deferred outside its support hours (Mon-Fri 08:00-18:00): the
    Saturday 03:00 alert pages at Monday 08:00 (ana, on call from Monday 5 January 09:00 to
    Monday 12 January 09:00). db's P3 at the same minute keeps the scenario's rule (every
    severity high) and pages at once (ana)."""
    api = {"paging": {"urgency": {"P3": "low"}, "low_urgency_outside_support": "defer"}}
    records, trace = run(
        two_services(api=api), [SATURDAY_03_00] * 2, [DB, API], 1.0, 1.0, severity=[P3, P3]
    )
    assert records.deferred.tolist() == [False, True]
    assert records.first_page_minutes.tolist() == [SATURDAY_03_00, MONDAY_08_00]
    assert [(t, person) for t, kind, _, person, _ in trace if kind == "page"] == [
        (SATURDAY_03_00, ANA),
        (MONDAY_08_00, ANA),
    ]


def test_services_own_support_hours_move_the_deferred_page():
    """api's own support hours are Saturdays 06:00-07:00: its Saturday 03:00 low-urgency alert
    waits until 06:00 the same day."""
    api = {
        "paging": {
            "urgency": {"P3": "low"},
            "low_urgency_outside_support": "defer",
            "support_hours": {"days": ["Sat"], "start": "06:00", "end": "07:00"},
        }
    }
    records, _ = run(two_services(api=api), [SATURDAY_03_00], [API], 1.0, 1.0, severity=[P3])
    assert records.first_page_minutes.tolist() == [5 * 1440 + 360]


def test_services_own_self_healing_coverage_heals_only_that_service():
    """api has a runbook for every incident that always works; db has none (the scenario's
    coverage is 0): every api alert is auto-resolved, no db alert is."""
    scenario = two_services(
        api={"self_healing_coverage": 1.0},
        automation={"self_healing": {"success_probability": 1.0}},
        horizon={"weeks": 4, "start_date": "2026-01-05", "time_zone": "UTC", "seed": 7},
    )
    records = simulate(scenario).records
    auto = records.state == STATE_AUTO_RESOLVED
    assert (records.service == API).sum() > 0 and (records.service == DB).sum() > 0
    assert auto[records.service == API].all()
    assert not auto[records.service == DB].any()


def test_services_own_detection_coverage_prevents_only_that_service():
    """api's detector sees every incident with a day's lead and fixes it in one business-hours
    minute: api incidents raised with enough business hours before them are prevented; db has
    no detection (the scenario's coverage is 0) and none of its incidents is."""
    from sim.model.records import STATE_PREVENTED

    scenario = two_services(
        api={"anomaly_detection_coverage": 1.0},
        automation={
            "anomaly_detection": {
                "lead_time_minutes": {"distribution": "fixed", "value": 1440},
                "fix_time_minutes": {"distribution": "fixed", "value": 1},
            }
        },
    )
    records = simulate(scenario).records
    prevented = records.state == STATE_PREVENTED
    assert prevented[records.service == API].any()
    assert not prevented[records.service == DB].any()
