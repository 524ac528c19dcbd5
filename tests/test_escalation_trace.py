"""Exact event traces of the escalation chain on hand-made incidents (SimPy-style `log` tests).

The scenario (tests/conftest.py): team infra = ana, ben, cem on a weekly rotation handing off on
Mondays at 09:00 UTC, ack timeout 15 minutes, levels primary -> secondary -> manager. Simulation
time 0 is Monday 2026-01-05 00:00 UTC, so the shift starting at minute 540 has ana as primary and
ben as secondary; before it, cem is primary and ana secondary.
"""

from __future__ import annotations

import numpy as np
import pytest
from builders import brief, hand_made_outcome, hand_made_stream, hand_made_world, small_scenario

from sim.compile import compile_scenario
from sim.generator import DECISION_COLUMNS
from sim.model import run_model
from sim.model.records import STATE_AUTO_RESOLVED, STATE_PREVENTED, STATE_RESOLVED

ANA, BEN, CEM, MANAGER = 0, 1, 2, 3
TUESDAY_10_00 = 1440 + 600


def run_hand_made(page_minutes, ack_delays, work_minutes, scenario=None):
    """Run the SimPy world on incidents given directly (no generator, no automation)."""
    compiled = compile_scenario(scenario or small_scenario())
    outcome = hand_made_outcome(page_minutes, work_minutes, ack_delays)
    trace: list = []
    world = hand_made_world(compiled, outcome, trace=trace)
    world.run()
    return world.records(), brief(trace)


def test_primary_acknowledges_within_timeout():
    _, trace = run_hand_made([TUESDAY_10_00], [[5, 99, 99]], [30])
    assert trace == [
        (TUESDAY_10_00, "page", 0, ANA, 0),
        (TUESDAY_10_00 + 5, "ack", 0, ANA, -1),
        (TUESDAY_10_00 + 35, "resolve", 0, ANA, -1),
    ]


def test_ack_timeout_pages_secondary_who_acknowledges():
    records, trace = run_hand_made([TUESDAY_10_00], [[40, 3, 99]], [10])
    assert trace == [
        (TUESDAY_10_00, "page", 0, ANA, 0),
        (TUESDAY_10_00 + 15, "page", 0, BEN, 1),
        (TUESDAY_10_00 + 18, "ack", 0, BEN, -1),
        (TUESDAY_10_00 + 28, "resolve", 0, BEN, -1),
    ]
    assert records.pages_sent.tolist() == [2]


def test_nobody_acknowledges_until_the_manager_is_paged():
    _, trace = run_hand_made([TUESDAY_10_00], [[40, 40, 2]], [10])
    assert trace == [
        (TUESDAY_10_00, "page", 0, ANA, 0),
        (TUESDAY_10_00 + 15, "page", 0, BEN, 1),
        (TUESDAY_10_00 + 30, "page", 0, MANAGER, 2),
        (TUESDAY_10_00 + 32, "ack", 0, MANAGER, -1),
        (TUESDAY_10_00 + 42, "resolve", 0, MANAGER, -1),
    ]


def test_earlier_level_may_still_acknowledge_after_escalation():
    # ana answers after 20 minutes: the secondary was paged at 15 but would need 30 more.
    _, trace = run_hand_made([TUESDAY_10_00], [[20, 30, 99]], [10])
    assert trace == [
        (TUESDAY_10_00, "page", 0, ANA, 0),
        (TUESDAY_10_00 + 15, "page", 0, BEN, 1),
        (TUESDAY_10_00 + 20, "ack", 0, ANA, -1),
        (TUESDAY_10_00 + 30, "resolve", 0, ANA, -1),
    ]


def test_busy_responder_acknowledges_then_queues_the_second_incident():
    records, trace = run_hand_made(
        [TUESDAY_10_00, TUESDAY_10_00 + 10], [[5, 99, 99], [2, 99, 99]], [60, 20]
    )
    assert trace == [
        (TUESDAY_10_00, "page", 0, ANA, 0),
        (TUESDAY_10_00 + 5, "ack", 0, ANA, -1),
        (TUESDAY_10_00 + 10, "page", 1, ANA, 0),
        (TUESDAY_10_00 + 12, "ack", 1, ANA, -1),
        (TUESDAY_10_00 + 65, "resolve", 0, ANA, -1),
        (TUESDAY_10_00 + 85, "resolve", 1, ANA, -1),
    ]
    assert records.work_start_minutes.tolist() == [TUESDAY_10_00 + 5, TUESDAY_10_00 + 65]


def test_weekly_handoff_at_monday_nine_local_time():
    before, after = 540 - 1, 540 + 1
    _, trace = run_hand_made([before, after], [[1, 99, 99], [1, 99, 99]], [1, 1])
    pages = [(time, person) for time, kind, _, person, _ in trace if kind == "page"]
    assert pages == [(before, CEM), (after, ANA)]
    # One week later the rotation has moved on by one: ben is primary.
    _, trace = run_hand_made([540 + 7 * 1440 + 1], [[1, 99, 99]], [1])
    assert trace[0][3] == BEN


def test_handoff_follows_local_time_across_daylight_saving():
    # Europe/Berlin switches to summer time on Sunday 2026-03-29; the Monday 09:00 handoff
    # after it is at 07:00 UTC instead of 08:00 UTC.
    scenario = small_scenario(
        horizon={"weeks": 14, "start_date": "2026-01-05", "time_zone": "Europe/Berlin"}
    )
    compiled = compile_scenario(scenario)
    handoffs = compiled.schedules[0].starts  # every handoff starts a new segment
    monday_march_23 = 11 * 7 * 1440  # 00:00 Berlin (CET), week 11
    monday_march_30 = 12 * 7 * 1440  # 00:00 Berlin would be, in CET minutes
    assert monday_march_23 + 540 in handoffs
    assert monday_march_30 + 540 - 60 in handoffs


def test_automation_states_through_the_whole_pipeline():
    """A hand-made stream: one alert prevented, one healed, one paged after a failed run."""
    scenario = small_scenario(
        automation={
            "anomaly_detection": {
                "coverage": 0.5,
                "lead_time_minutes": {"distribution": "fixed", "value": 600},
                "fix_time_minutes": {"distribution": "fixed", "value": 60},
            },
            "self_healing": {
                "coverage": 0.5,
                "success_probability": 0.5,
                "run_time_minutes": {"distribution": "fixed", "value": 7},
            },
        },
        response={
            "ack_delay_minutes": {"distribution": "fixed", "value": 4},
            "work_time_minutes": {"distribution": "fixed", "value": 30},
            "severity_work_factor": {"P1": 1, "P2": 1, "P3": 1, "P4": 1},
        },
    )
    compiled = compile_scenario(scenario)
    start = np.array([TUESDAY_10_00, TUESDAY_10_00 + 100, TUESDAY_10_00 + 200], float)
    uniforms = np.full((3, len(DECISION_COLUMNS)), 0.9)
    column = DECISION_COLUMNS.index
    uniforms[0, column("detected")] = 0.1  # detected 10 h early, in business hours: prevented
    uniforms[1, column("runbook")] = 0.1  # runbook ran ...
    uniforms[1, column("heal_success")] = 0.1  # ... and worked
    uniforms[2, column("runbook")] = 0.1  # runbook ran and failed: page after 7 minutes
    stream = hand_made_stream(start, np.zeros(3, np.int32), np.full(3, 2, np.int8), uniforms)
    trace: list = []
    records = run_model(compiled, stream, trace=trace)
    assert records.state.tolist() == [STATE_PREVENTED, STATE_AUTO_RESOLVED, STATE_RESOLVED]
    assert np.isnan(records.resolved_minutes[0])
    assert records.resolved_minutes[1] == TUESDAY_10_00 + 107
    assert brief(trace) == [
        (TUESDAY_10_00 + 207, "page", 2, ANA, 0),
        (TUESDAY_10_00 + 211, "ack", 2, ANA, -1),
        (TUESDAY_10_00 + 241, "resolve", 2, ANA, -1),
    ]


@pytest.mark.parametrize(
    ("detected_at_local", "prevented"),
    [
        ("Fri 16:00", True),  # two business hours before the Saturday impact
        ("Fri 17:30", False),  # only 30 business minutes left: the fix needs 60
        ("Sat 08:00", False),  # no business hours before the impact at all
    ],
)
def test_early_detection_prevents_only_with_business_hours_to_fix(detected_at_local, prevented):
    saturday_10_00 = 5 * 1440 + 600
    day, clock = detected_at_local.split()
    hours, minutes = map(int, clock.split(":"))
    detected = {"Fri": 4, "Sat": 5}[day] * 1440 + hours * 60 + minutes
    scenario = small_scenario(
        automation={
            "anomaly_detection": {
                "coverage": 1.0,
                "lead_time_minutes": {"distribution": "fixed", "value": saturday_10_00 - detected},
                "fix_time_minutes": {"distribution": "fixed", "value": 60},
            }
        }
    )
    stream = hand_made_stream(
        np.array([float(saturday_10_00)]),
        np.zeros(1, np.int32),
        np.full(1, 2, np.int8),
        np.full((1, len(DECISION_COLUMNS)), 0.5),
    )
    records = run_model(compile_scenario(scenario), stream)
    assert (records.state[0] == STATE_PREVENTED) == prevented


def test_pool_team_serves_first_come_first_served_by_the_first_free_engineer():
    """Two engineers on duty at once, three incidents at the same minute: the third waits for the
    first engineer to finish, and is paged then."""
    scenario = small_scenario(
        teams=[{"name": "infra", "engineers": ["ana", "ben"], "rotation": {"shift": "pool"}}],
        escalation={"levels": ["primary", "manager"], "ack_timeout_minutes": 15},
    )
    _, trace = run_hand_made(
        [100, 100, 100], [[0, 99, 99], [0, 99, 99], [0, 99, 99]], [30, 50, 10], scenario
    )
    assert trace == [
        (100, "page", 0, 0, 0),
        (100, "page", 1, 1, 0),
        (100, "ack", 0, 0, -1),
        (100, "ack", 1, 1, -1),
        (130, "resolve", 0, 0, -1),
        (130, "page", 2, 0, 0),
        (130, "ack", 2, 0, -1),
        (140, "resolve", 2, 0, -1),
        (150, "resolve", 1, 1, -1),
    ]


def test_pool_team_pages_the_manager_when_nobody_acknowledges():
    scenario = small_scenario(
        teams=[{"name": "infra", "engineers": ["ana", "ben"], "rotation": {"shift": "pool"}}],
        escalation={"levels": ["primary", "secondary", "manager"], "ack_timeout_minutes": 15},
    )
    _, trace = run_hand_made([100], [[40, 1, 3]], [10], scenario)
    manager = 2  # ana, ben, infra-manager
    assert trace == [
        (100, "page", 0, 0, 0),
        (115, "page", 0, manager, 2),
        (118, "ack", 0, manager, -1),
        (128, "resolve", 0, manager, -1),
    ]
