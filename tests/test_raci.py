"""RACI ownership and domains, on hand-made incidents with exact traces.

Two teams: infra (ana, ben, cem; manager infra-manager) and apps (dan, eve; manager
apps-manager), weekly rotations handing off on Mondays at 09:00 UTC; on Tuesday ana and dan are
primary and ben and eve secondary. Service `web` is owned by apps (Responsible).
"""

from __future__ import annotations

import numpy as np
from builders import brief, hand_made_outcome, hand_made_world, small_scenario

from sim.compile import compile_scenario
from sim.metrics import compute_kpis
from sim.model.records import PAGE_FIRST, PAGE_RACI_CONSULT
from sim.scenario import with_overrides

ANA, BEN, CEM, INFRA_MANAGER, DAN, EVE, APPS_MANAGER = range(7)
TUESDAY = 1440 + 600
P1, P3 = 0, 2


def scenario_with(web: dict, **changes):
    return small_scenario(
        teams=[
            {"name": "infra", "engineers": ["ana", "ben", "cem"], "domain": "infrastructure"},
            {"name": "apps", "engineers": ["dan", "eve"], "domain": "application"},
        ],
        services=[
            {"name": "db", "team": "infra", "alerts_per_week": 1},
            {"name": "web", "team": "apps", "alerts_per_week": 1, **web},
        ],
        **changes,
    )


def run(scenario, page_minutes, severity, ack, work=30.0):
    """Web alerts at the given times; every page of an incident acknowledges after `ack`."""
    page_minutes = np.asarray(page_minutes, float)
    alerts = len(page_minutes)
    outcome = hand_made_outcome(page_minutes, work, ack)
    compiled = compile_scenario(scenario)
    trace: list = []
    world = hand_made_world(
        compiled, outcome, service=np.ones(alerts, np.int64), severity=severity, trace=trace
    )
    world.run()
    return compiled, world.records(), brief(trace)


def test_manager_level_pages_the_accountable_teams_manager():
    """web is Responsible apps but Accountable infra: when neither apps engineer acknowledges,
    the manager level (after two 15-minute timeouts) pages the infra manager."""
    scenario = scenario_with({"accountable": "infra"})
    _, _, trace = run(scenario, [TUESDAY], [P3], [[99, 99, 2]])
    assert trace == [
        (TUESDAY, "page", 0, DAN, 0),
        (TUESDAY + 15, "page", 0, EVE, 1),
        (TUESDAY + 30, "page", 0, INFRA_MANAGER, 2),
        (TUESDAY + 32, "ack", 0, INFRA_MANAGER, -1),
        (TUESDAY + 62, "resolve", 0, INFRA_MANAGER, -1),
    ]


def test_without_accountable_the_owning_teams_manager_is_paged():
    _, _, trace = run(scenario_with({}), [TUESDAY], [P3], [[99, 99, 2]])
    assert trace[2] == (TUESDAY + 30, "page", 0, APPS_MANAGER, 2)


def test_consulted_team_is_pulled_into_major_incidents_only():
    """web consults infra: on a P1 the infra primary (ana) gets a consult page when dan
    acknowledges; dan keeps the incident. A P3 pulls nobody in."""
    scenario = scenario_with({"consulted": ["infra"]})
    _, records, trace = run(scenario, [TUESDAY, TUESDAY + 300], [P1, P3], [[4, 99, 99]] * 2)
    assert trace == [
        (TUESDAY, "page", 0, DAN, 0),
        (TUESDAY + 4, "ack", 0, DAN, -1),
        (TUESDAY + 4, "page", 0, ANA, 0),
        (TUESDAY + 34, "resolve", 0, DAN, -1),
        (TUESDAY + 300, "page", 1, DAN, 0),
        (TUESDAY + 304, "ack", 1, DAN, -1),
        (TUESDAY + 334, "resolve", 1, DAN, -1),
    ]
    assert records.page_kind.tolist() == [PAGE_FIRST, PAGE_RACI_CONSULT, PAGE_FIRST]
    assert records.raci_consults.tolist() == [1, 0]
    assert records.worker.tolist() == [DAN, DAN]


def test_consult_severities_are_configurable():
    scenario = scenario_with({"consulted": ["infra"]}, routing={"consult_severities": ["P1", "P3"]})
    _, records, _ = run(scenario, [TUESDAY, TUESDAY + 300], [P1, P3], [[4, 99, 99]] * 2)
    assert records.raci_consults.tolist() == [1, 1]


def test_informed_teams_are_notified_never_paged():
    """web informs infra: every escalated web incident is one notification, and infra gets no
    page."""
    scenario = scenario_with({"informed": ["infra"]})
    compiled, records, _ = run(scenario, [TUESDAY, TUESDAY + 300], [P1, P3], [[4, 99, 99]] * 2)
    assert set(records.page_person.tolist()) == {DAN}
    kpis = compute_kpis(compiled, records)
    assert kpis["informed_notifications"] == 2
    assert kpis["pages__infra"] == 0


def test_pages_are_counted_per_domain():
    scenario = scenario_with({"consulted": ["infra"]})
    compiled, records, _ = run(scenario, [TUESDAY], [P1], [[4, 99, 99]])
    kpis = compute_kpis(compiled, records)
    assert kpis["pages_domain__application"] == 1
    assert kpis["pages_domain__infrastructure"] == 1


def test_named_policy_can_target_the_accountable_manager():
    """A policy's `accountable: true` target pages the Accountable team's manager, who then
    keeps the incident (no reassignment: they are accountable for it)."""
    scenario = with_overrides(
        scenario_with(
            {"accountable": "infra"},
            escalation_policies=[
                {
                    "name": "apps-page",
                    "levels": [
                        {"targets": [{"schedule": "apps"}], "delay_minutes": 10},
                        {"targets": [{"accountable": True}]},
                    ],
                }
            ],
        ),
        {"teams.apps.escalation_policy": "apps-page"},
    )
    _, _, trace = run(scenario, [TUESDAY], [P3], [[99, 3, 99]])
    assert trace == [
        (TUESDAY, "page", 0, DAN, 0),
        (TUESDAY + 10, "page", 0, INFRA_MANAGER, 1),
        (TUESDAY + 13, "ack", 0, INFRA_MANAGER, -1),
        (TUESDAY + 43, "resolve", 0, INFRA_MANAGER, -1),
    ]


def test_the_workers_own_team_is_not_consulted():
    """web (apps) consults apps itself and infra: dan, who works it, is not paged again."""
    scenario = scenario_with({"consulted": ["apps", "infra"]})
    _, records, trace = run(scenario, [TUESDAY], [P1], [[4, 99, 99]])
    assert [entry for entry in trace if entry[1] == "page"] == [
        (TUESDAY, "page", 0, DAN, 0),
        (TUESDAY + 4, "page", 0, ANA, 0),
    ]
    assert records.raci_consults.tolist() == [1]
