"""Exact traces of correlation and routing on hand-made incidents.

Two teams: infra (ana, ben, cem; manager infra-manager) owns `db`; apps (dan, eve; manager
apps-manager) owns `web`, which depends on `db`. Weekly rotations hand off on Mondays at 09:00
UTC; time 0 is Monday 2026-01-05 00:00 UTC, so on Tuesday ana and dan are primary.
"""

from __future__ import annotations

import numpy as np
from builders import brief, hand_made_outcome, hand_made_world, small_scenario

from sim.compile import compile_scenario
from sim.model.records import (
    HANDOVER_CONSULT,
    HANDOVER_REASSIGNMENT,
    PAGE_CONSULT,
    PAGE_FIRST,
    PAGE_REASSIGNMENT,
    STATE_GROUPED,
    STATE_PREVENTED,
    STATE_RESOLVED,
    STATE_SUPPRESSED,
)

ANA, BEN, CEM, INFRA_MANAGER, DAN, EVE, APPS_MANAGER = range(7)
DB, WEB = 0, 1
TUESDAY = 1440 + 600


def two_teams(**changes):
    return small_scenario(
        teams=[
            {"name": "infra", "engineers": ["ana", "ben", "cem"]},
            {"name": "apps", "engineers": ["dan", "eve"]},
        ],
        services=[
            {"name": "db", "team": "infra", "alerts_per_week": 1},
            {"name": "web", "team": "apps", "alerts_per_week": 1, "depends_on": ["db"]},
        ],
        **changes,
    )


def run(scenario, service, root, page_minutes, work, ack=5.0, handover_ack=3.0, triage=30.0):
    """Run the world on hand-made alerts; NaN page time = handled by automation (no page)."""
    alerts = len(service)
    page_minutes = np.asarray(page_minutes, float)
    outcome = hand_made_outcome(
        page_minutes,
        np.asarray(work, float),
        np.full((alerts, 3), ack),
        prevented=np.isnan(page_minutes),
        triage_minutes=np.full(alerts, triage),
        handover_ack_delay_minutes=np.full((alerts, 3), handover_ack),
    )
    trace: list = []
    world = hand_made_world(
        compile_scenario(scenario),
        outcome,
        service=service,
        root=root,
        start_minutes=np.where(np.isnan(page_minutes), 0.0, page_minutes),
        trace=trace,
    )
    world.run()
    return world.records(), brief(trace)


def test_inhibition_suppresses_a_dependent_while_the_dependency_is_open_and_not_after():
    """web's alert at +20 is a symptom of the db failure (same root) whose incident is open: it
    is suppressed. web's alert at +70, after db's incident was resolved at +65, pages."""
    scenario = two_teams(correlation={"inhibition": True})
    records, trace = run(
        scenario,
        service=[DB, WEB, WEB],
        root=[0, 0, 2],
        page_minutes=[TUESDAY, TUESDAY + 20, TUESDAY + 70],
        work=[60, 10, 10],
    )
    assert trace == [
        (TUESDAY, "page", 0, ANA, 0),
        (TUESDAY + 5, "ack", 0, ANA, -1),
        (TUESDAY + 20, "suppress", 1, -1, -1),  # db's incident is open until +65
        (TUESDAY + 65, "resolve", 0, ANA, -1),
        (TUESDAY + 70, "page", 2, DAN, 0),  # db resolved: web pages again
        (TUESDAY + 75, "ack", 2, DAN, -1),
        (TUESDAY + 85, "resolve", 2, DAN, -1),
    ]
    assert records.state.tolist() == [STATE_RESOLVED, STATE_SUPPRESSED, STATE_RESOLVED]


def test_inhibition_only_delays_an_independent_failure_until_the_dependency_clears():
    """web fails on its own (its own root) while db's incident is open: inhibition masks it
    until db is resolved at +65, then it pages at once, as a still-firing inhibited alert does."""
    scenario = two_teams(correlation={"inhibition": True})
    records, trace = run(
        scenario,
        service=[DB, WEB],
        root=[0, 1],
        page_minutes=[TUESDAY, TUESDAY + 20],
        work=[60, 10],
    )
    assert trace == [
        (TUESDAY, "page", 0, ANA, 0),
        (TUESDAY + 5, "ack", 0, ANA, -1),
        (TUESDAY + 20, "inhibited", 1, -1, -1),
        (TUESDAY + 65, "resolve", 0, ANA, -1),
        (TUESDAY + 65, "page", 1, DAN, 0),
        (TUESDAY + 70, "ack", 1, DAN, -1),
        (TUESDAY + 80, "resolve", 1, DAN, -1),
    ]
    assert records.state.tolist() == [STATE_RESOLVED, STATE_RESOLVED]
    assert records.delayed_by_inhibition.tolist() == [False, True]


def test_grouping_joins_alerts_of_one_root_within_the_interval():
    scenario = two_teams(
        correlation={
            "grouping": {"enabled": True, "group_wait_minutes": 1, "group_interval_minutes": 10}
        }
    )
    # db fails at TUESDAY; web alerts at +0.5 (same root: joins before the first page) and at
    # +9 (joins: within 10 minutes of the first page at +1); a third at +30 opens a new incident.
    records, trace = run(
        scenario,
        service=[DB, WEB, WEB, WEB],
        root=[0, 0, 0, 0],
        page_minutes=[TUESDAY, TUESDAY + 0.5, TUESDAY + 9, TUESDAY + 30],
        work=[20, 1, 1, 5],
    )
    assert trace == [
        (TUESDAY + 0.5, "group", 1, -1, -1, 0),
        (TUESDAY + 1, "page", 0, ANA, 0),
        (TUESDAY + 6, "ack", 0, ANA, -1),
        (TUESDAY + 9, "group", 2, -1, -1, 0),
        (TUESDAY + 26, "resolve", 0, ANA, -1),
        (TUESDAY + 31, "page", 3, DAN, 0),
        (TUESDAY + 36, "ack", 3, DAN, -1),
        (TUESDAY + 66, "reassign", 3, DAN, -1),
        (TUESDAY + 66, "page", 3, ANA, 0),
        (TUESDAY + 69, "ack", 3, ANA, -1),
        (TUESDAY + 74, "resolve", 3, ANA, -1),
    ]
    assert records.state.tolist() == [STATE_RESOLVED, STATE_GROUPED, STATE_GROUPED, STATE_RESOLVED]
    assert records.resolved_minutes[1] == records.resolved_minutes[2] == TUESDAY + 26


def test_misrouted_page_is_followed_by_a_reassignment_after_the_triage_delay():
    # web's alert is a symptom of a db failure (root 0, prevented here so it never pages).
    records, trace = run(
        two_teams(),
        service=[DB, WEB],
        root=[0, 0],
        page_minutes=[np.nan, TUESDAY],
        work=[0, 20],
    )
    assert trace == [
        (TUESDAY, "page", 1, DAN, 0),  # symptom-owner: apps is paged
        (TUESDAY + 5, "ack", 1, DAN, -1),
        (TUESDAY + 35, "reassign", 1, DAN, -1),  # 30 minutes of triage
        (TUESDAY + 35, "page", 1, ANA, 0),  # infra owns the root cause
        (TUESDAY + 38, "ack", 1, ANA, -1),
        (TUESDAY + 58, "resolve", 1, ANA, -1),
    ]
    assert records.state.tolist() == [STATE_PREVENTED, STATE_RESOLVED]
    assert records.handover.tolist() == [0, HANDOVER_REASSIGNMENT]
    assert records.page_kind.tolist() == [PAGE_FIRST, PAGE_REASSIGNMENT]
    assert records.pages_sent.tolist() == [0, 2]  # a tier escalation
    assert records.ack_minutes[1] == TUESDAY + 5  # MTTA counts the first acknowledgement


def test_root_owner_routing_pages_the_owner_directly():
    _, trace = run(
        two_teams(routing={"policy": "root-owner"}),
        service=[DB, WEB],
        root=[0, 0],
        page_minutes=[np.nan, TUESDAY],
        work=[0, 20],
    )
    assert [entry[1:4] for entry in trace] == [
        ("page", 1, ANA),
        ("ack", 1, ANA),
        ("resolve", 1, ANA),
    ]


def test_consult_page_reaches_the_owning_domains_on_call():
    # A shared rotation takes every page; its order is one of each team in turn:
    # ana, dan, ben, eve, cem. On Tuesday of the first week ana holds it.
    scenario = two_teams(
        shared_rotation={"teams": ["infra", "apps"], "covers": "always", "fix_probability": 0.0}
    )
    records, trace = run(scenario, service=[WEB], root=[0], page_minutes=[TUESDAY], work=[20])
    assert trace == [
        (TUESDAY, "page", 0, ANA, 0),  # the shared responder, from infra
        (TUESDAY + 5, "ack", 0, ANA, -1),
        (TUESDAY + 35, "consult", 0, ANA, -1),  # web is apps' domain: consult after triage
        (TUESDAY + 35, "page", 0, DAN, 0),  # apps' primary on call
        (TUESDAY + 38, "ack", 0, DAN, -1),
        (TUESDAY + 58, "resolve", 0, DAN, -1),
    ]
    assert records.handover.tolist() == [HANDOVER_CONSULT]
    assert records.page_kind.tolist() == [PAGE_FIRST, PAGE_CONSULT]
    shared_index = 2  # schedules: infra, apps, then the shared rotation
    assert records.page_policy.tolist() == [shared_index, 1]


def test_shared_responder_fixes_in_own_domain_without_consulting():
    scenario = two_teams(
        shared_rotation={"teams": ["infra", "apps"], "covers": "always", "fix_probability": 0.0}
    )
    _, trace = run(scenario, service=[DB], root=[0], page_minutes=[TUESDAY], work=[20])
    assert [entry[1:4] for entry in trace] == [
        ("page", 0, ANA),
        ("ack", 0, ANA),
        ("resolve", 0, ANA),
    ]


def test_shared_rotation_covers_only_off_hours_by_default():
    scenario = two_teams(shared_rotation={"teams": ["infra", "apps"]})
    tuesday_night = 1440 + 23 * 60  # 23:00: off hours, the shared rotation pages (ana)
    _, trace = run(
        scenario,
        service=[WEB, WEB],
        root=[0, 1],
        page_minutes=[TUESDAY, tuesday_night],
        work=[5, 5],
    )
    pages = [(time, person) for time, kind, _, person, _ in trace if kind == "page"]
    assert pages[0] == (TUESDAY, DAN)  # business hours: apps' own rotation
    assert pages[1] == (tuesday_night, ANA)  # off hours: the shared rotation


def test_alert_routing_is_decided_before_the_run_from_the_root_and_its_identification():
    """route_alerts, the model's pure routing step: db (infra) is web's (apps) root. With
    root-owner routing, web's alert 1 goes to infra when the root is identified and to apps
    when not (alert 2); both are owned by infra. With symptom-owner, both go to apps."""
    from sim.model.routing import route_alerts

    for policy, routed in (("root-owner", [0, 0, 1]), ("symptom-owner", [0, 1, 1])):
        compiled = compile_scenario(two_teams(routing={"policy": policy}))
        routing = route_alerts(
            compiled,
            np.array([DB, WEB, WEB]),
            np.array([0, 0, 0]),
            np.array([True, True, False]),
            np.full(3, 2),
        )
        assert routing.routed_team == routed, policy
        assert routing.owner_team == [0, 0, 0]
        assert routing.consulted == [(), (), ()]
