"""Whose support hours a deferred low-urgency alert waits for: public holidays and sites.

Exact traces on hand-made alerts (style of tests/test_schedule_trace.py). Rule
(sim/compile/paging.py): support hours are judged in the time zone and public holidays of the
person the owning team's first level names at that moment; a holiday is never support hours.
"""

from __future__ import annotations

import numpy as np
from builders import hand_made_outcome, hand_made_world, small_scenario

from sim.compile import compile_scenario
from sim.model.paging import apply_paging_rules

ANA, BEN, CEM = 0, 1, 2
P3 = 2
DAY = 1440
LOW_P3_DEFER = {
    "urgency": {"P1": "high", "P2": "high", "P3": "low", "P4": "low"},
    "low_urgency_outside_support": "defer",
}


def first_pages(scenario, raised_minutes):
    """(minute, person) of the first page of each P3 alert raised at ``raised_minutes``."""
    compiled = compile_scenario(scenario)
    raised = np.asarray(raised_minutes, float)
    service = np.zeros(len(raised), np.int64)
    severity = np.full(len(raised), P3, np.int64)
    paging = apply_paging_rules(compiled.paging, raised, severity, service)
    outcome = hand_made_outcome(raised, 10.0, np.full((len(raised), 8), 1.0))
    world = hand_made_world(compiled, outcome, service=service, severity=severity, paging=paging)
    world.run()
    records = world.records()
    return list(
        zip(records.first_page_minutes.tolist(), records.first_page_person.tolist(), strict=True)
    )


# Christmas 2025: horizon from Mon 2025-12-22 00:00 UTC. Thu 25 and Fri 26 are English public
# holidays. A P3 raised Wed 24 20:00 (minute 2 * 1440 + 1200 = 4080) is outside support hours.
CHRISTMAS_EVE_20_00 = 2 * DAY + 20 * 60
THURSDAY_25_08_00 = 3 * DAY + 8 * 60
MONDAY_29_08_00 = 7 * DAY + 8 * 60


def christmas(site_holidays: bool = True, **paging):
    """Team infra at site london (English holidays, or none with ``site_holidays=False``)."""
    site = {"name": "london", "time_zone": "Europe/London"}
    if site_holidays:
        site |= {"holidays_country": "GB", "holidays_subdivision": "ENG"}
    return small_scenario(
        horizon={"weeks": 4, "start_date": "2025-12-22", "time_zone": "UTC", "seed": 7},
        sites=[site],
        teams=[{"name": "infra", "engineers": ["ana", "ben", "cem"], "site": "london"}],
        paging=LOW_P3_DEFER | paging,
    )


def test_deferred_alert_skips_the_public_holidays_of_the_teams_site():
    """Christmas Day and Boxing Day are not support hours in London: the page waits from
    Wednesday evening to Monday 29 08:00, not Thursday 08:00 (Christmas morning). Before
    Monday 09:00 the rotation's first shift (ana) is still on call."""
    assert first_pages(christmas(), [CHRISTMAS_EVE_20_00]) == [(MONDAY_29_08_00, ANA)]


def test_without_site_holidays_the_alert_pages_on_christmas_morning():
    assert first_pages(christmas(site_holidays=False), [CHRISTMAS_EVE_20_00]) == [
        (THURSDAY_25_08_00, ANA)
    ]


def test_support_on_public_holidays_restores_the_holiday_mornings():
    scenario = christmas(support_on_public_holidays=True)
    assert first_pages(scenario, [CHRISTMAS_EVE_20_00]) == [(THURSDAY_25_08_00, ANA)]


def test_the_calendars_holidays_apply_to_a_team_without_a_site():
    scenario = small_scenario(
        horizon={"weeks": 4, "start_date": "2025-12-22", "time_zone": "UTC", "seed": 7},
        calendar={"holidays_country": "GB", "holidays_subdivision": "ENG"},
        paging=LOW_P3_DEFER,
    )
    assert first_pages(scenario, [CHRISTMAS_EVE_20_00]) == [(MONDAY_29_08_00, ANA)]


# Sites: team london (London support hours), ben works from New York. Weekly rotation handing
# off Monday 09:00 London (= UTC in January): ana from minute 540, ben from 10620 (Mon 12th),
# cem from 20700 (Mon 19th). New York is UTC-5: 08:00 there is 13:00 UTC.
TUESDAY_13_09_00 = 8 * DAY + 9 * 60  # 09:00 London, 04:00 New York; ben on call
TUESDAY_13_08_00_NEW_YORK = 8 * DAY + 13 * 60
SATURDAY_17_03_00 = 12 * DAY + 3 * 60  # ben on call
MONDAY_19_09_00 = 14 * DAY + 9 * 60  # cem takes over in London


def london_with_ben_in_new_york(**paging):
    return small_scenario(
        sites=[
            {"name": "london", "time_zone": "Europe/London"},
            {"name": "new-york", "time_zone": "America/New_York"},
        ],
        teams=[
            {
                "name": "infra",
                "site": "london",
                "engineers": ["ana", {"name": "ben", "site": "new-york"}, "cem"],
            }
        ],
        paging=LOW_P3_DEFER | paging,
    )


def test_london_morning_alert_waits_for_the_new_york_morning_of_the_person_on_call():
    """09:00 London is support hours in London but 04:00 for ben in New York, who is on call:
    the page waits for 08:00 New York (13:00 UTC), not waking him."""
    pages = first_pages(london_with_ben_in_new_york(), [TUESDAY_13_09_00])
    assert pages == [(TUESDAY_13_08_00_NEW_YORK, BEN)]


def test_weekend_alert_of_a_new_york_week_waits_for_the_london_handoff():
    """Saturday 03:00 UTC in ben's week: his next New York support hours would start Monday
    08:00 New York, after his shift ends at Monday 09:00 London; cem (London) takes it at the
    handoff, inside London support hours. Nobody is paged at night."""
    pages = first_pages(london_with_ben_in_new_york(), [SATURDAY_17_03_00])
    assert pages == [(MONDAY_19_09_00, CEM)]


def test_judged_by_names_the_person_whose_support_hours_decided():
    compiled = compile_scenario(london_with_ben_in_new_york())
    assert compiled.paging.judged_by(0, TUESDAY_13_09_00) == BEN
    assert compiled.paging.judged_by(0, MONDAY_19_09_00) == CEM


def test_shared_rotation_hours_are_judged_by_its_on_call_person():
    """A shared rotation over infra (all in London) and apps (dan in New York, eve) takes every
    page: ana, dan, ben, eve, cem in turn, weekly from Monday 09:00 UTC. In dan's week an infra
    alert at 09:00 London waits for 08:00 New York, and dan takes it then."""
    scenario = small_scenario(
        sites=[
            {"name": "london", "time_zone": "Europe/London"},
            {"name": "new-york", "time_zone": "America/New_York"},
        ],
        teams=[
            {"name": "infra", "site": "london", "engineers": ["ana", "ben", "cem"]},
            {
                "name": "apps",
                "site": "london",
                "engineers": [{"name": "dan", "site": "new-york"}, "eve"],
            },
        ],
        shared_rotation={"teams": ["infra", "apps"], "covers": "always"},
        paging=LOW_P3_DEFER,
    )
    compiled = compile_scenario(scenario)
    dan = compiled.person_names.index("dan")
    assert compiled.paging.judged_by(0, TUESDAY_13_09_00) == dan
    assert first_pages(scenario, [TUESDAY_13_09_00]) == [(TUESDAY_13_08_00_NEW_YORK, dan)]


def test_trace_says_whose_support_hours_a_deferred_alert_waits_for(tmp_path):
    """`oncall-sim trace` in ben's week: every deferred alert names ben and his New York time,
    and none is deferred to a New York hour outside 08:00-18:00."""
    import re

    import yaml
    from builders import small_scenario_document
    from typer.testing import CliRunner

    from sim.cli import app

    document = small_scenario_document(
        sites=[
            {"name": "london", "time_zone": "Europe/London"},
            {"name": "new-york", "time_zone": "America/New_York"},
        ],
        teams=[
            {
                "name": "infra",
                "site": "london",
                "engineers": ["ana", {"name": "ben", "site": "new-york"}, "cem"],
            }
        ],
        services=[
            {"name": "db", "team": "infra", "alerts_per_week": 60, "severity_mix": {"P3": 1.0}}
        ],
        paging=LOW_P3_DEFER,
    )
    path = tmp_path / "sites.yaml"
    path.write_text(yaml.safe_dump(document))
    result = CliRunner().invoke(app, ["trace", str(path), "--from", "2026-01-13", "--days", "2"])
    assert result.exit_code == 0, result.output
    deferred = [line for line in result.output.splitlines() if "deferred to" in line]
    assert deferred
    pattern = re.compile(r"support hours of ben, \w{3} (\d\d):\d\d New York")
    for line in deferred:
        match = pattern.search(line)
        assert match is not None, line
        assert 8 <= int(match.group(1)) < 18, line


def test_an_alert_with_no_support_window_ahead_pages_at_once():
    """Support windows that end before the alert (none ahead): it is not deferred."""
    import dataclasses

    compiled = compile_scenario(london_with_ben_in_new_york())
    tables = dataclasses.replace(compiled.paging, support_windows=(np.array([[0.0, 60.0]]),))
    raised = np.array([120.0, 30.0])
    decision = apply_paging_rules(tables, raised, np.array([P3, P3]), np.zeros(2, np.int64))
    assert decision.deferred.tolist() == [False, False]
    assert decision.page_minutes.tolist() == [120.0, 30.0]
