"""Exact timelines of the schedule-layer fields that imported rotations need: ``rotation_start``
(a turn boundary any distance from the horizon), ``start``/``end`` of a layer, and windows
longer than a day (``duration_minutes``). Team infra = ana, ben, cem (persons 0, 1, 2) in UTC;
simulation minute 0 is Monday 2026-01-05 00:00."""

from __future__ import annotations

from builders import brief, hand_made_world, small_scenario

from sim.compile import compile_scenario

ANA, BEN, CEM = 0, 1, 2
DAY = 1440


def schedule_of(*layers):
    team = {"name": "infra", "engineers": ["ana", "ben", "cem"], "layers": list(layers)}
    return compile_scenario(small_scenario(teams=[team])).schedules[0]


def test_rotation_start_years_before_the_horizon_counts_turns_from_it():
    """Daily turns from Thursday 2025-01-02 09:00: 368 days to Monday 2026-01-05 09:00, and
    368 % 3 == 2, so cem's turn starts then; ana follows on Tuesday 09:00."""
    schedule = schedule_of({"name": "days", "shift": "daily", "rotation_start": "2025-01-02 09:00"})
    assert schedule.person_at(9 * 60 - 1) == BEN
    assert schedule.person_at(9 * 60) == CEM
    assert schedule.person_at(DAY + 9 * 60) == ANA


def test_layer_start_and_end_bound_where_it_is_on_call():
    """A weekly layer of ben only, in force from Tuesday 12:00 to Thursday 12:00 above the base
    rotation (ana's week from Monday 09:00): ben is on call in that window only."""
    base = {"name": "base", "shift": "weekly", "handoff_day": "Mon"}
    cover = {
        "name": "cover",
        "participants": ["ben"],
        "start": "2026-01-06 12:00",
        "end": "2026-01-08 12:00",
    }
    schedule = schedule_of(base, cover)
    tuesday_noon, thursday_noon = DAY + 720, 3 * DAY + 720
    assert [schedule.person_at(t) for t in (tuesday_noon - 1, tuesday_noon)] == [ANA, BEN]
    assert [schedule.person_at(t) for t in (thursday_noon - 1, thursday_noon)] == [BEN, ANA]


def test_window_of_two_and_a_half_days_from_friday_evening():
    """A weekend layer (cem) restricted to Friday 18:00 + 3720 minutes (to Monday 08:00) above
    ana's week."""
    base = {"name": "base", "shift": "weekly", "handoff_day": "Mon"}
    weekend = {
        "name": "weekend",
        "participants": ["cem"],
        "restrictions": [{"days": ["Fri"], "start": "18:00", "duration_minutes": 3720}],
    }
    schedule = schedule_of(base, weekend)
    friday_18, monday_08 = 4 * DAY + 18 * 60, 7 * DAY + 8 * 60
    assert [schedule.person_at(t) for t in (friday_18 - 1, friday_18)] == [ANA, CEM]
    assert [schedule.person_at(t) for t in (monday_08 - 1, monday_08)] == [CEM, ANA]


def test_cumulative_schedule_pages_every_active_layer_at_once():
    """page_all_active_layers (Opsgenie): a day layer (ana, weekly) and a weekday 09:00-17:00
    layer (ben) both on call on Tuesday 10:00: one alert pages ana and ben at the same minute;
    at Tuesday 20:00 only ana's layer is active. Without the flag, ben alone (the highest)."""
    from builders import hand_made_outcome

    team = {
        "name": "infra",
        "engineers": ["ana", "ben", "cem"],
        "layers": [
            {"name": "base", "participants": ["ana", "cem"], "handoff_day": "Mon"},
            {
                "name": "office",
                "participants": ["ben"],
                "restrictions": [
                    {"days": ["Mon", "Tue", "Wed", "Thu", "Fri"], "start": "09:00", "end": "17:00"}
                ],
            },
        ],
    }
    policy = {"name": "p", "levels": [{"targets": [{"schedule": "infra"}], "delay_minutes": 30}]}

    def first_pages(cumulative):
        scenario = small_scenario(
            teams=[{**team, "escalation_policy": "p", "page_all_active_layers": cumulative}],
            escalation_policies=[policy],
        )
        times = [DAY + 600, DAY + 1200]
        outcome = hand_made_outcome(times, [5.0, 5.0], [[2.0] * 4, [2.0] * 4])
        trace: list = []
        hand_made_world(compile_scenario(scenario), outcome, trace=trace).run()
        return [(time, alert, who) for time, kind, alert, who, _ in brief(trace) if kind == "page"]

    assert first_pages(True) == [(DAY + 600, 0, BEN), (DAY + 600, 0, ANA), (DAY + 1200, 1, ANA)]
    assert first_pages(False) == [(DAY + 600, 0, BEN), (DAY + 1200, 1, ANA)]


def test_a_window_takes_end_or_duration_not_both():
    import pydantic
    import pytest

    from sim.scenario.oncall import TimeWindow

    assert TimeWindow(days=["Fri"], start="18:00", duration_minutes=3720).span_minutes() == (
        1080,
        3720.0,
    )
    with pytest.raises(pydantic.ValidationError, match="give end or duration_minutes, not both"):
        TimeWindow(days=["Fri"], start="18:00", end="20:00", duration_minutes=3720)
