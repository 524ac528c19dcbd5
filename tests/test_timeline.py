"""`oncall-sim trace`'s timeline, from a run's typed event trace: what each line says."""

from __future__ import annotations

import datetime as dt

from builders import small_scenario

from sim.experiment import simulate
from sim.report.timeline import build_timeline


def two_teams_apps_office_hours():
    """infra (ana, ben, cem) is on call all week; apps (dan, eve) only Mon-Fri 08:00-18:00, so a
    weekend alert of web (team apps) meets a gap at apps' primary and secondary."""
    return small_scenario(
        teams=[
            {
                "name": "infra",
                "engineers": ["ana", "ben", "cem"],
                "rotation": {"shift": "weekly", "handoff_day": "Mon", "handoff_time": "09:00"},
            },
            {
                "name": "apps",
                "engineers": ["dan", "eve"],
                "layers": [
                    {
                        "name": "office",
                        "restrictions": [
                            {
                                "days": ["Mon", "Tue", "Wed", "Thu", "Fri"],
                                "start": "08:00",
                                "end": "18:00",
                            }
                        ],
                    }
                ],
            },
        ],
        services=[
            {"name": "db", "team": "infra", "alerts_per_week": 1},
            {"name": "web", "team": "apps", "alerts_per_week": 60},
        ],
    )


def test_a_coverage_gap_is_labelled_with_the_policy_of_the_team_that_has_it():
    """A weekend gap in team apps names apps' levels ("apps primary", "apps secondary"), never
    infra's (the first policy), which has no gap at all."""
    scenario = two_teams_apps_office_hours()
    trace: list = []
    run = simulate(scenario, run=0, trace=trace)
    entries = build_timeline(run, trace, dt.date(2026, 1, 10), 2)  # Saturday and Sunday
    gaps = [entry for entry in entries if entry.text.startswith("coverage gap")]
    assert gaps, "the weekend has apps alerts and so gaps"
    assert {entry.service for entry in gaps} == {"web"}
    assert {entry.text for entry in gaps} == {
        "coverage gap: apps primary names nobody; next level",
        "coverage gap: apps secondary names nobody; next level",
    }


def test_trace_says_who_covers_for_an_engineer_on_leave():
    """ana is off half the weeks (26 weeks a year); whenever a level names her in a leave week,
    the next participant, ben, covers, and the timeline says so at that moment."""
    scenario = small_scenario(
        teams=[
            {
                "name": "infra",
                "engineers": [{"name": "ana", "leave_weeks_per_year": 26}, "ben", "cem"],
                "rotation": {"shift": "weekly", "handoff_day": "Mon", "handoff_time": "09:00"},
            }
        ],
        services=[{"name": "db", "team": "infra", "alerts_per_week": 40}],
    )
    trace: list = []
    run = simulate(scenario, run=0, trace=trace)
    entries = build_timeline(run, trace, dt.date(2026, 1, 5), 28)
    covers = [entry for entry in entries if "covers" in entry.text]
    assert covers, "ana's leave weeks have pages that name her"
    assert {entry.text for entry in covers} == {"ana on leave, ben covers"}
    leave = run.records.leave[0]
    assert all(any(start <= e.minutes < end for start, end in leave) for e in covers)
