"""The people KPIs on hand-made cases whose values are known exactly."""

from __future__ import annotations

import numpy as np
import pytest
from builders import hand_made_outcome, hand_made_world, small_scenario

from sim.compile import compile_scenario
from sim.metrics import compute_kpis


def run_pages(scenario, page_minutes):
    """Hand-made incidents acknowledged in a minute and worked in ten."""
    page_minutes = np.asarray(page_minutes, float)
    alerts = len(page_minutes)
    outcome = hand_made_outcome(page_minutes, 10.0, np.ones((alerts, 3)))
    compiled = compile_scenario(scenario)
    world = hand_made_world(compiled, outcome)
    world.run()
    return compiled, compute_kpis(compiled, world.records())


def test_eight_engineers_on_primary_and_secondary_are_on_call_a_quarter_of_the_time():
    """Google SRE: with weekly primary and secondary shifts, 8 engineers are each on call one
    week in four. Handoffs Monday 00:00, 8 weeks: every engineer is primary one week and
    secondary another, exactly 25%."""
    scenario = small_scenario(
        horizon={"weeks": 8, "start_date": "2026-01-05", "time_zone": "UTC", "seed": 7},
        teams=[
            {
                "name": "infra",
                "engineers": 8,
                "rotation": {"shift": "weekly", "handoff_day": "Mon", "handoff_time": "00:00"},
            }
        ],
    )
    compiled = compile_scenario(scenario)
    np.testing.assert_allclose(compiled.oncall_share, 0.25)
    # A primary-only policy halves it.
    primary_only = compile_scenario(
        small_scenario(
            horizon={"weeks": 8, "start_date": "2026-01-05", "time_zone": "UTC", "seed": 7},
            teams=[
                {
                    "name": "infra",
                    "engineers": 8,
                    "rotation": {"handoff_day": "Mon", "handoff_time": "00:00"},
                }
            ],
            escalation={"levels": ["primary", "manager"]},
        )
    )
    np.testing.assert_allclose(primary_only.oncall_share, 0.125)


def test_engineers_over_19_pages_in_a_month_and_pages_per_engineer_by_band():
    """9 weeks = 2 whole 30-day months. ana, primary from Monday 09:00 of the first week, gets
    20 business-hours pages on Tuesday (over the threshold of 19): one engineer-month over in
    two months, 0.5 per month, and 20 / 3 business pages per engineer. With 19 on Tuesday and
    19 on Saturday of the second month (ben's week), nobody is over."""
    scenario = small_scenario(
        horizon={"weeks": 9, "start_date": "2026-01-05", "time_zone": "UTC", "seed": 7}
    )
    tuesday_10 = 1440 + 600
    day = 1440
    month = 30 * day
    # Weeks starting at Monday 09:00: ana is primary in weeks 1, 4, 7 (from minute 540).
    first = [tuesday_10 + 15 * k for k in range(20)]  # Tue 10:00-14:45, month 1
    second = [month + 3 * day + 600 + 15 * k for k in range(19)]  # Sat Feb 7, month 2
    _, kpis = run_pages(scenario, first)
    assert kpis["engineers_over_19_per_month"] == pytest.approx(0.5)
    assert kpis["interruptions_per_engineer_business"] == pytest.approx(20 / 3)
    assert kpis["interruptions_per_engineer_sleep"] == 0
    _, kpis = run_pages(scenario, first[:19] + second)
    assert kpis["engineers_over_19_per_month"] == 0
