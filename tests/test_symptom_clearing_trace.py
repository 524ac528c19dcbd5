"""Exact traces of a symptom clearing with its root: monitoring clears a symptom's alert when its
cause is fixed (docstring of :mod:`sim.model.world`).

Two teams, no correlation: infra (ana, ben, cem; manager infra-manager) owns `db`; apps (dan,
eve; manager apps-manager) owns `web`, which depends on `db`. Weekly rotations hand off on
Mondays at 09:00 UTC; time 0 is Monday 2026-01-05 00:00 UTC, so on Tuesday ana and dan are
primary. Without correlation a cascade symptom of db at web is its own incident at apps.
"""

from __future__ import annotations

import math

import numpy as np
from builders import brief, hand_made_outcome, hand_made_world, small_scenario

from sim.compile import compile_scenario
from sim.metrics import compute_kpis
from sim.model.records import STATE_AUTO_RESOLVED, STATE_CLEARED_WITH_ROOT, STATE_RESOLVED

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


def run(service, root, start, page_minutes, work, ack, **outcome_fields):
    """The world on hand-made alerts (``ack``: one row of ack delays per alert)."""
    compiled = compile_scenario(two_teams())
    outcome = hand_made_outcome(
        np.asarray(page_minutes, float), np.asarray(work, float), ack, **outcome_fields
    )
    trace: list = []
    world = hand_made_world(
        compiled, outcome, service=service, root=root, start_minutes=start, trace=trace
    )
    world.run()
    return compiled, world.records(), brief(trace)


def test_symptoms_queued_or_in_triage_clear_when_their_root_is_resolved():
    """db fails at Tuesday 10:00 (alert 0: ana, 60 minutes of work, resolved at +65). Its
    symptoms at web page dan at +20 (alert 1) and +40 (alert 2); dan triages each for 30
    minutes and, since infra owns the root cause, reassigns alert 1 to infra at +55: ana
    acknowledges at +60 and it waits in her queue behind db. A second, independent db failure
    (alert 3, +58, 10 minutes of work) queues behind it.

    When db is resolved at +65, alert 1 (waiting in ana's queue) and alert 2 (still in triage
    at apps) end at +65, cleared with their root; ana's queue moves on at once: alert 3 is
    worked from +65 and resolved at +75. Before: ana worked alert 1 until +185 and alert 3
    waited until then, and alert 2 was reassigned to her queue at +75."""
    _, records, trace = run(
        service=[DB, WEB, WEB, DB],
        root=[0, 0, 0, 3],
        start=[TUESDAY, TUESDAY + 20, TUESDAY + 40, TUESDAY + 58],
        page_minutes=[TUESDAY, TUESDAY + 20, TUESDAY + 40, TUESDAY + 58],
        work=[60, 120, 120, 10],
        ack=np.full((4, 3), 5.0),
        triage_minutes=np.full(4, 30.0),
    )
    assert trace == [
        (TUESDAY, "page", 0, ANA, 0),
        (TUESDAY + 5, "ack", 0, ANA, -1),
        (TUESDAY + 20, "page", 1, DAN, 0),
        (TUESDAY + 25, "ack", 1, DAN, -1),
        (TUESDAY + 40, "page", 2, DAN, 0),
        (TUESDAY + 45, "ack", 2, DAN, -1),
        (TUESDAY + 55, "reassign", 1, DAN, -1),
        (TUESDAY + 55, "page", 1, ANA, 0),
        (TUESDAY + 58, "page", 3, ANA, 0),
        (TUESDAY + 60, "ack", 1, ANA, -1),
        (TUESDAY + 63, "ack", 3, ANA, -1),
        (TUESDAY + 65, "resolve", 0, ANA, -1),
        (TUESDAY + 65, "clear_with_root", 1, -1, -1, 0),  # was first in ana's queue: dropped
        (TUESDAY + 65, "clear_with_root", 2, -1, -1, 0),  # was in triage at apps
        (TUESDAY + 75, "resolve", 3, ANA, -1),  # ana's queue moved on at +65
    ]
    assert records.state.tolist() == [
        STATE_RESOLVED,
        STATE_CLEARED_WITH_ROOT,
        STATE_CLEARED_WITH_ROOT,
        STATE_RESOLVED,
    ]
    assert records.resolved_minutes.tolist() == [TUESDAY + 65] * 3 + [TUESDAY + 75]
    assert records.worker[1] == ANA and math.isnan(records.work_start_minutes[1])
    assert records.worker[2] == -1  # never handed over
    assert records.work_start_minutes[3] == TUESDAY + 65


def test_a_symptom_still_escalating_stops_paging_when_its_root_is_resolved():
    """db (alert 0) is resolved at +65. Its symptom at web pages dan at +55; dan would take 30
    minutes to acknowledge, so eve (secondary) would be paged at +70: the symptom clears at +65
    instead, unacknowledged, and eve is never paged."""
    compiled, records, trace = run(
        service=[DB, WEB],
        root=[0, 0],
        start=[TUESDAY, TUESDAY + 55],
        page_minutes=[TUESDAY, TUESDAY + 55],
        work=[60, 10],
        ack=np.array([[5.0] * 3, [30.0] * 3]),
    )
    assert trace == [
        (TUESDAY, "page", 0, ANA, 0),
        (TUESDAY + 5, "ack", 0, ANA, -1),
        (TUESDAY + 55, "page", 1, DAN, 0),
        (TUESDAY + 65, "resolve", 0, ANA, -1),
        (TUESDAY + 65, "clear_with_root", 1, -1, -1, 0),
    ]
    assert records.state.tolist() == [STATE_RESOLVED, STATE_CLEARED_WITH_ROOT]
    assert math.isnan(records.ack_minutes[1]) and records.worker[1] == -1
    # The cleared symptom is an incident (it paged dan): it lasted 10 minutes, db's 65.
    kpis = compute_kpis(compiled, records)
    assert kpis["cleared_with_root"] == 1
    assert kpis["incidents"] == 2 and kpis["escalations"] == 2
    assert kpis["mttr_mean_minutes"] == kpis["mttr_human_mean_minutes"] == (65 + 10) / 2


def test_a_symptom_clears_when_self_healing_fixes_its_root():
    """db's failure at Tuesday 10:00 (alert 0) is fixed by a runbook at +40, with no page. Its
    symptom at web (alert 1, paging dan at +10, reassigned to ana, who works it from +20 for 120
    minutes) clears at +40; a symptom that starts after the fix (alert 2, +50) runs its
    course."""
    _, records, trace = run(
        service=[DB, WEB, WEB],
        root=[0, 0, 0],
        start=[TUESDAY, TUESDAY + 10, TUESDAY + 50],
        page_minutes=[np.nan, TUESDAY + 10, TUESDAY + 50],
        work=[0, 120, 10],
        ack=np.full((3, 3), 5.0),
        auto_resolved=np.array([True, False, False]),
        runbook_ran=np.array([True, False, False]),
        auto_resolved_minutes=np.array([TUESDAY + 40, np.nan, np.nan]),
    )
    assert trace == [
        (TUESDAY + 10, "page", 1, DAN, 0),
        (TUESDAY + 15, "ack", 1, DAN, -1),
        (TUESDAY + 15, "reassign", 1, DAN, -1),  # infra owns the root cause (no triage time)
        (TUESDAY + 15, "page", 1, ANA, 0),
        (TUESDAY + 20, "ack", 1, ANA, -1),  # ana works it from +20
        (TUESDAY + 40, "clear_with_root", 1, -1, -1, 0),  # the runbook fixed db: the work stops
        (TUESDAY + 50, "page", 2, DAN, 0),
        (TUESDAY + 55, "ack", 2, DAN, -1),
        (TUESDAY + 55, "reassign", 2, DAN, -1),
        (TUESDAY + 55, "page", 2, ANA, 0),
        (TUESDAY + 60, "ack", 2, ANA, -1),
        (TUESDAY + 70, "resolve", 2, ANA, -1),
    ]
    assert records.state.tolist() == [
        STATE_AUTO_RESOLVED,
        STATE_CLEARED_WITH_ROOT,
        STATE_RESOLVED,
    ]
    assert records.resolved_minutes.tolist() == [TUESDAY + 40, TUESDAY + 40, TUESDAY + 70]
    assert records.work_start_minutes[1] == TUESDAY + 20
