"""Exact event traces of schedules, escalation policies, paging rules and people.

Hand-made incidents go straight into the SimPy world (no generator, no automation), as in
tests/test_escalation_trace.py. The base scenario (tests/builders.py): team infra = ana, ben, cem
(persons 0, 1, 2; the manager infra-manager is 3), a weekly rotation handing off on Mondays at
09:00, horizon 4 weeks from Monday 2026-01-05 00:00 UTC = simulation minute 0. Every expected
minute below is worked out by hand in the comments.
"""

from __future__ import annotations

import numpy as np
import pytest
from builders import brief, hand_made_outcome, hand_made_world, small_scenario

from sim.compile import compile_scenario
from sim.model.paging import apply_paging_rules
from sim.model.records import PAGE_FIRST, PAGE_NOTIFY, PAGE_RETRIGGER

ANA, BEN, CEM, MANAGER = 0, 1, 2, 3
P1, P3 = 0, 2  # severity indices
DAY, WEEK = 1440, 7 * 1440
TUESDAY_10_00 = DAY + 600  # minutes, week 1, UTC
SATURDAY = 5 * DAY
SLOW = 999.0  # an ack delay nobody reaches within a test


def run(scenario, page_minutes, ack_delays, work, severity=None, seed=(0, 0)):
    """Run the world on hand-made incidents of service `db` (team infra).

    `ack_delays` is one row of 8 columns per alert (the j-th page of an incident uses column j)
    or a single number for every page. With `severity`, the scenario's paging rules decide when
    (and how) each alert pages.
    """
    compiled = compile_scenario(scenario)
    raised = np.asarray(page_minutes, float)
    alerts = len(raised)
    delays = np.asarray(ack_delays, float)
    if delays.ndim == 0:
        delays = np.full((alerts, 8), float(delays))
    service = np.zeros(alerts, np.int64)
    outcome = hand_made_outcome(raised, work, delays)
    paging = None
    if severity is not None:
        severity = np.asarray(severity, np.int64)
        paging = apply_paging_rules(compiled.paging, raised, severity, service)
    trace: list = []
    world = hand_made_world(
        compiled, outcome, service=service, severity=severity, paging=paging, trace=trace, seed=seed
    )
    world.run()
    return world.records(), brief(trace)


def pages(trace, kinds=("page",)):
    """(time, person) of each page (and of each other entry of `kinds`), in trace order."""
    return [(time, person) for time, kind, _, person, _ in trace if kind in kinds]


def first_paged(scenario, times):
    """Who gets the first page of an alert raised at each of `times` (prompt ack, short work)."""
    records, _ = run(scenario, times, 1.0, 1.0)
    return records.first_page_person.tolist()


def infra(**changes):
    """The team infra (ana, ben, cem) with `changes` to its fields."""
    return {"name": "infra", "engineers": ["ana", "ben", "cem"], **changes}


def policy(name, *levels, **fields):
    """A named escalation policy; each level is (targets, delay_minutes)."""
    return {
        "name": name,
        "levels": [{"targets": targets, "delay_minutes": delay} for targets, delay in levels],
        **fields,
    }


# 1. Weekly handoff at a local time in a non-UTC zone ---------------------------------------


def test_weekly_handoff_at_local_time_in_new_york():
    """Handoff Wed 17:30 America/New_York (EST = UTC-5) is Wed 2026-01-07 22:30 UTC, minute
    2 * 1440 + 22 * 60 + 30 = 4230. The shift starting there is the first participant's (ana);
    the one before it is shift -1 (the last participant, cem); a week later ben takes over."""
    scenario = small_scenario(
        teams=[
            infra(
                time_zone="America/New_York",
                rotation={"shift": "weekly", "handoff_day": "Wed", "handoff_time": "17:30"},
            )
        ]
    )
    handoff = 2 * DAY + 22 * 60 + 30
    assert handoff == 4230
    times = [handoff - 1, handoff + 1, handoff + WEEK - 1, handoff + WEEK + 1]
    assert first_paged(scenario, times) == [CEM, ANA, ANA, BEN]


# 2. Restricted layers above a base layer ----------------------------------------------------


def test_weekend_layer_overrides_the_base_rotation_on_saturday_and_sunday():
    """A higher layer restricted to Sat and Sun 00:00-00:00 (equal start and end: the whole
    day) wins over the weekly base layer on the weekend, and only there."""
    scenario = small_scenario(
        teams=[
            infra(
                layers=[
                    {"name": "base"},
                    {
                        "name": "weekend",
                        "participants": ["cem"],
                        "restrictions": [
                            {"days": ["Sat", "Sun"], "start": "00:00", "end": "00:00"}
                        ],
                    },
                ]
            )
        ]
    )
    times = [
        TUESDAY_10_00,  # base layer, ana's week (Mon 09:00 .. next Mon 09:00)
        SATURDAY - 1,  # Fri 23:59: still the base layer
        SATURDAY,  # Sat 00:00 = 7200: the weekend layer starts
        SATURDAY + 2 * DAY - 1,  # Sun 23:59 = 10079: still the weekend layer
        WEEK,  # Mon 00:00 = 10080: back to the base layer, still ana's shift
        WEEK + 541,  # Mon 09:01: ben's shift
        WEEK + SATURDAY + 600,  # second Saturday 10:00: cem again
    ]
    assert first_paged(scenario, times) == [ANA, ANA, CEM, CEM, ANA, BEN, CEM]


def test_night_layer_window_crossing_midnight_belongs_to_its_start_day():
    """A layer on Mon-Fri 22:00-06:00: each window runs into the next morning, so Friday's
    window covers Saturday until 06:00, and no window starts on Saturday or Sunday."""
    scenario = small_scenario(
        teams=[
            infra(
                layers=[
                    {"name": "base"},
                    {
                        "name": "night",
                        "participants": ["ben"],
                        "restrictions": [
                            {
                                "days": ["Mon", "Tue", "Wed", "Thu", "Fri"],
                                "start": "22:00",
                                "end": "06:00",
                            }
                        ],
                    },
                ]
            )
        ]
    )
    times = [
        DAY + 22 * 60 - 1,  # Tue 21:59 = 2759: base (ana)
        DAY + 22 * 60,  # Tue 22:00 = 2760: night (ben)
        2 * DAY + 6 * 60 - 1,  # Wed 05:59 = 3239: Tuesday's window
        2 * DAY + 6 * 60,  # Wed 06:00 = 3240: base
        SATURDAY + 5 * 60,  # Sat 05:00 = 7500: Friday's window
        SATURDAY + 23 * 60,  # Sat 23:00 = 8580: no Saturday window
        WEEK + 5 * 60,  # Mon 05:00 = 10380: no Sunday window
        WEEK + 22 * 60 + 30,  # Mon 22:30 = 11430: Monday's window
    ]
    assert first_paged(scenario, times) == [ANA, BEN, BEN, ANA, BEN, ANA, ANA, BEN]


# 3. Overrides --------------------------------------------------------------------------------


def test_override_puts_ben_on_call_from_start_to_end_exclusive():
    """ben covers 2026-01-07 12:00 .. 2026-01-08 12:00 UTC = minutes 2 * 1440 + 720 = 3600 ..
    3 * 1440 + 720 = 5040, inside ana's week; the end is exclusive."""
    scenario = small_scenario(
        teams=[
            infra(
                overrides=[
                    {"person": "ben", "start": "2026-01-07 12:00", "end": "2026-01-08 12:00"}
                ]
            )
        ]
    )
    assert first_paged(scenario, [3599, 3600, 5039, 5040]) == [ANA, BEN, BEN, ANA]


def test_override_does_not_move_the_secondary():
    """Overrides apply to the primary schedule only: the secondary (offset 1) stays the
    rotation's next after ana, who is ben too, so ben is paged at both levels."""
    scenario = small_scenario(
        teams=[
            infra(
                overrides=[
                    {"person": "ben", "start": "2026-01-07 12:00", "end": "2026-01-08 12:00"}
                ]
            )
        ]
    )
    start = 4000  # Wed 18:40, inside the override
    _, trace = run(scenario, [start], [[40, 3, SLOW, SLOW, SLOW, SLOW, SLOW, SLOW]], 10)
    assert trace == [
        (start, "page", 0, BEN, 0),
        (start + 15, "page", 0, BEN, 1),  # ack timeout 15: the secondary
        (start + 18, "ack", 0, BEN, -1),
        (start + 28, "resolve", 0, BEN, -1),
    ]


# 4. Follow-the-sun across two zones and two daylight-saving changes ---------------------------


def follow_the_sun():
    """ana (London) is on call 08:00-20:00 London time every day; ben (Los Angeles) 12:00-00:00
    LA time every day, on a higher layer. Horizon from Monday 2026-03-02 00:00 UTC, 5 weeks.

    UTC offsets: London GMT+0 until Sun 2026-03-29, then BST+1; LA PST-8 until Sun 2026-03-08,
    then PDT-7. So in UTC:
      until 03-08:   ana 08:00-20:00, ben 20:00-08:00  (exact fit)
      03-08..03-29:  ana 08:00-20:00, ben 19:00-07:00  (19-20 overlap: ben's layer wins;
                     07-08 gap: nobody)
      from 03-29:    ana 07:00-19:00, ben 19:00-07:00  (exact fit again)
    """
    return small_scenario(
        horizon={"weeks": 5, "start_date": "2026-03-02", "time_zone": "UTC", "seed": 7},
        sites=[
            {"name": "london", "time_zone": "Europe/London"},
            {"name": "la", "time_zone": "America/Los_Angeles"},
        ],
        teams=[
            {
                "name": "infra",
                "site": "london",
                "engineers": [
                    {"name": "ana", "site": "london"},
                    {"name": "ben", "site": "la"},
                    "cem",
                ],
                "layers": [
                    {
                        "name": "london-day",
                        "participants": ["ana"],
                        "time_zone": "Europe/London",
                        "restrictions": [{"start": "08:00", "end": "20:00"}],
                    },
                    {
                        "name": "la-day",
                        "participants": ["ben"],
                        "time_zone": "America/Los_Angeles",
                        "restrictions": [{"start": "12:00", "end": "00:00"}],
                    },
                ],
            }
        ],
        escalation={"ack_timeout_minutes": 15, "levels": ["primary", "manager"]},
    )


def test_follow_the_sun_handoffs_move_with_each_daylight_saving_change():
    wed_mar_4, thu_mar_5 = 2 * DAY, 3 * DAY  # 2880, 4320
    wed_mar_11, thu_mar_12 = 9 * DAY, 10 * DAY  # 12960, 14400
    wed_apr_1, thu_apr_2 = 30 * DAY, 31 * DAY  # 43200, 44640
    times = [
        # Before 03-08: London -> LA at 20:00 UTC (12:00 PST), LA -> London at 08:00 UTC.
        wed_mar_4 + 1200 - 1,  # 4079
        wed_mar_4 + 1200,  # 4080
        thu_mar_5 + 480 - 1,  # 4799
        thu_mar_5 + 480,  # 4800
        # 03-08..03-29: LA starts at 19:00 UTC (12:00 PDT) and wins the overlap until 20:00;
        # it ends at 07:00 UTC (00:00 PDT) and London starts at 08:00 UTC: a one-hour gap.
        wed_mar_11 + 1140 - 1,  # 14099
        wed_mar_11 + 1140,  # 14100
        wed_mar_11 + 1200 - 1,  # 14159
        thu_mar_12 + 420 - 1,  # 14819
        thu_mar_12 + 420,  # 14820: gap -> manager
        thu_mar_12 + 480 - 1,  # 14879: gap -> manager
        thu_mar_12 + 480,  # 14880
        # From 03-29: London 08:00 BST = 07:00 UTC, 20:00 BST = 19:00 UTC.
        wed_apr_1 + 1140 - 1,  # 44339
        wed_apr_1 + 1140,  # 44340
        thu_apr_2 + 420 - 1,  # 45059
        thu_apr_2 + 420,  # 45060
    ]
    records, trace = run(follow_the_sun(), times, 1.0, 1.0)
    assert pages(trace, ("page", "gap")) == [
        (4079, ANA),
        (4080, BEN),
        (4799, BEN),
        (4800, ANA),
        (14099, ANA),
        (14100, BEN),
        (14159, BEN),
        (14819, BEN),
        (14820, -1),  # the "gap" entry at position 0 ...
        (14820, MANAGER),  # ... and the manager at position 1, the same minute
        (14879, -1),
        (14879, MANAGER),
        (14880, ANA),
        (44339, ANA),
        (44340, BEN),
        (45059, BEN),
        (45060, ANA),
    ]
    assert records.coverage_gap.tolist() == [i in (8, 9) for i in range(len(times))]


def test_follow_the_sun_gaps_are_the_mismatched_daylight_saving_mornings():
    """The gap 07:00-08:00 UTC exists on the mornings of Mon 03-09 (day 7: LA's Sunday window
    is the first to end at 00:00 PDT) through Sat 03-28 (day 26; on Sun 03-29 London starts at
    08:00 BST = 07:00 UTC). Twenty one-hour gaps; none before or after."""
    schedule = compile_scenario(follow_the_sun()).schedules[0]
    expected = [(day * DAY + 420.0, day * DAY + 480.0) for day in range(7, 27)]
    assert len(expected) == 20
    assert schedule.gaps(0, 5 * WEEK) == expected


# 5. A named escalation policy with delays and a repeat --------------------------------------


def tight_policy(**fields):
    return small_scenario(
        teams=[infra(escalation_policy="tight")],
        escalation_policies=[
            policy(
                "tight",
                ([{"schedule": "infra"}], 10),
                ([{"person": "infra-manager"}], 20),
                repeat=1,
                **fields,
            )
        ],
    )


def test_policy_repeats_the_chain_until_someone_acknowledges():
    """Chain: ana (wait 10), manager (wait 20), ana again (wait 10), manager again: pages at
    +0, +10, +30, +40. The 4th page (column 3) is acknowledged after 2 minutes: +42."""
    start = TUESDAY_10_00
    delays = [[SLOW, SLOW, SLOW, 2, SLOW, SLOW, SLOW, SLOW]]
    records, trace = run(tight_policy(), [start], delays, 10)
    assert trace == [
        (start, "page", 0, ANA, 0),
        (start + 10, "page", 0, MANAGER, 1),
        (start + 30, "page", 0, ANA, 2),
        (start + 40, "page", 0, MANAGER, 3),
        (start + 42, "ack", 0, MANAGER, -1),
        (start + 52, "resolve", 0, MANAGER, -1),
    ]
    assert records.pages_sent.tolist() == [4]
    assert records.page_level.tolist() == [0, 1, 2, 3]


def test_an_acknowledgement_within_the_delay_stops_the_repeated_chain():
    """ana's second page (+30, column 2) is acknowledged at +35, before +40: no 4th page."""
    start = TUESDAY_10_00
    delays = [[SLOW, SLOW, 5, SLOW, SLOW, SLOW, SLOW, SLOW]]
    _, trace = run(tight_policy(), [start], delays, 10)
    assert trace == [
        (start, "page", 0, ANA, 0),
        (start + 10, "page", 0, MANAGER, 1),
        (start + 30, "page", 0, ANA, 2),
        (start + 35, "ack", 0, ANA, -1),
        (start + 45, "resolve", 0, ANA, -1),
    ]


# 6. Acknowledgement expiry ------------------------------------------------------------------


def expiring(minutes=30):
    return small_scenario(
        escalation={
            "ack_timeout_minutes": 15,
            "levels": ["primary", "secondary", "manager"],
            "ack_expiry_minutes": minutes,
        }
    )


def test_expired_acknowledgement_retriggers_the_first_level_until_resolved():
    """ack at +5, work 70 (resolved at +75). The ack expires at +35: ana is paged again
    (the incident's 2nd page, column 1: ack after 2, at +37); it expires again at +37 + 30 =
    +67 (3rd page, column 2: ack at +69); the next expiry, +99, is after the resolution."""
    start = TUESDAY_10_00
    delays = [[5, 2, 2, SLOW, SLOW, SLOW, SLOW, SLOW]]
    records, trace = run(expiring(), [start], delays, 70)
    assert trace == [
        (start, "page", 0, ANA, 0),
        (start + 5, "ack", 0, ANA, -1),
        (start + 35, "retrigger", 0, -1, -1),
        (start + 35, "page", 0, ANA, 0),
        (start + 37, "ack", 0, ANA, -1),
        (start + 67, "retrigger", 0, -1, -1),
        (start + 67, "page", 0, ANA, 0),
        (start + 69, "ack", 0, ANA, -1),
        (start + 75, "resolve", 0, ANA, -1),
    ]
    assert records.retriggers.tolist() == [2]
    assert records.page_kind.tolist() == [PAGE_FIRST, PAGE_RETRIGGER, PAGE_RETRIGGER]
    assert records.page_level.tolist() == [0, 0, 0]
    assert records.ack_minutes.tolist() == [start + 5]  # MTTA counts the first ack only
    # pages_sent counts every page (records.py), re-triggers included.
    assert records.pages_sent.tolist() == [3]


def test_no_acknowledgement_is_traced_after_the_incident_is_resolved():
    """Re-trigger at +35 acknowledged slowly (column 1: 60 minutes, at +95), but the work ends
    at +75. Resolution should cancel the outstanding page, as paging tools do."""
    start = TUESDAY_10_00
    delays = [[5, 60, SLOW, SLOW, SLOW, SLOW, SLOW, SLOW]]
    _, trace = run(expiring(), [start], delays, 70)
    assert trace == [
        (start, "page", 0, ANA, 0),
        (start + 5, "ack", 0, ANA, -1),
        (start + 35, "retrigger", 0, -1, -1),
        (start + 35, "page", 0, ANA, 0),
        (start + 75, "resolve", 0, ANA, -1),
    ]


# 7. Paging rules: deferral and notify-only ---------------------------------------------------


def low_p3(mode):
    """Team infra in New York; P3 is low urgency; support hours Mon-Fri 08:00-18:00 NY."""
    return small_scenario(
        teams=[infra(time_zone="America/New_York")],
        paging={
            "urgency": {"P1": "high", "P2": "high", "P3": "low", "P4": "low"},
            "low_urgency_outside_support": mode,
        },
    )


# Time 0 is Mon 2026-01-05 00:00 UTC = Sun 19:00 EST. ana's shift: Mon 09:00 EST = 14:00 UTC =
# minute 840, to 840 + 10080 = 10920.
SATURDAY_03_00_NY = SATURDAY + 8 * 60  # Sat 03:00 EST = 08:00 UTC = 7680
MONDAY_08_00_NY = WEEK + 13 * 60  # Mon 2026-01-12 08:00 EST = 13:00 UTC = 10860


def test_low_urgency_alert_is_deferred_to_the_next_support_window():
    """The P3 raised Saturday 03:00 local waits for Monday 08:00 local; the P1 raised at the
    same minute pages at once. Both go to ana, on call until Monday 09:00 local."""
    records, trace = run(low_p3("defer"), [SATURDAY_03_00_NY] * 2, 4.0, 10.0, severity=[P3, P1])
    assert trace == [
        (7680, "page", 1, ANA, 0),
        (7684, "ack", 1, ANA, -1),
        (7694, "resolve", 1, ANA, -1),
        (10860, "page", 0, ANA, 0),
        (10864, "ack", 0, ANA, -1),
        (10874, "resolve", 0, ANA, -1),
    ]
    assert records.deferred.tolist() == [True, False]
    assert records.first_page_minutes.tolist() == [MONDAY_08_00_NY, SATURDAY_03_00_NY]
    assert records.start_minutes.tolist() == [SATURDAY_03_00_NY] * 2


def test_low_urgency_alert_outside_support_hours_notifies_without_escalating():
    """notify: one page to the first level, never escalated however slow the ack (99 minutes,
    well past the 15-minute timeout)."""
    records, trace = run(low_p3("notify"), [SATURDAY_03_00_NY], 99.0, 10.0, severity=[P3])
    assert trace == [
        (7680, "page", 0, ANA, 0),
        (7779, "ack", 0, ANA, -1),
        (7789, "resolve", 0, ANA, -1),
    ]
    assert records.notify_only.tolist() == [True]
    assert records.deferred.tolist() == [False]
    assert records.page_kind.tolist() == [PAGE_NOTIFY]


# 8. Coverage gaps ---------------------------------------------------------------------------


def office_hours(*levels, days=("Mon", "Tue", "Wed", "Thu", "Fri")):
    return small_scenario(
        teams=[
            infra(
                layers=[
                    {
                        "name": "office",
                        "restrictions": [{"days": list(days), "start": "08:00", "end": "18:00"}],
                    }
                ],
                escalation_policy="office",
            )
        ],
        escalation_policies=[policy("office", *levels)],
    )


def test_a_gap_at_the_first_level_passes_straight_to_the_next():
    """Only layer: Mon-Fri 08:00-18:00. Saturday 10:00 (7800) names nobody: a "gap" at
    position 0 and, the same minute, the manager at position 1 (his page is the chain's first:
    column 0, ack after 4). On Tuesday ana (ana's week) is paged and there is no gap."""
    scenario = office_hours(([{"schedule": "infra"}], 30), ([{"person": "infra-manager"}], 30))
    saturday_10_00 = SATURDAY + 600
    records, trace = run(scenario, [TUESDAY_10_00, saturday_10_00], 4.0, 10.0)
    assert trace == [
        (TUESDAY_10_00, "page", 0, ANA, 0),
        (TUESDAY_10_00 + 4, "ack", 0, ANA, -1),
        (TUESDAY_10_00 + 14, "resolve", 0, ANA, -1),
        (saturday_10_00, "gap", 1, -1, 0),
        (saturday_10_00, "page", 1, MANAGER, 1),
        (saturday_10_00 + 4, "ack", 1, MANAGER, -1),
        (saturday_10_00 + 14, "resolve", 1, MANAGER, -1),
    ]
    assert records.coverage_gap.tolist() == [False, True]


def test_a_gap_at_every_level_retries_after_the_first_levels_delay():
    """Only layer: every day 08:00-18:00; policy: the schedule alone, delay 30. Tuesday 07:00
    (1860): gap; again at 07:30 (1890); at 08:00 (1920) ana is on call and paged."""
    all_days = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    scenario = office_hours(([{"schedule": "infra"}], 30), days=all_days)
    records, trace = run(scenario, [DAY + 420], 4.0, 10.0)
    assert trace == [
        (1860, "gap", 0, -1, 0),
        (1890, "gap", 0, -1, 0),
        (1920, "page", 0, ANA, 0),
        (1924, "ack", 0, ANA, -1),
        (1934, "resolve", 0, ANA, -1),
    ]
    assert records.coverage_gap.tolist() == [True]
    assert records.first_page_minutes.tolist() == [1920]


# 9. Everyone and round-robin targets -------------------------------------------------------


def test_everyone_target_pages_every_engineer_at_the_same_minute():
    """All three are paged at once (columns 0, 1, 2); the fastest (ben, 3 minutes) takes it."""
    scenario = small_scenario(
        teams=[infra(escalation_policy="all-hands")],
        escalation_policies=[policy("all-hands", ([{"everyone": "infra"}], 30))],
    )
    start = TUESDAY_10_00
    records, trace = run(scenario, [start], [[7, 3, 5, SLOW, SLOW, SLOW, SLOW, SLOW]], 10)
    assert trace == [
        (start, "page", 0, ANA, 0),
        (start, "page", 0, BEN, 0),
        (start, "page", 0, CEM, 0),
        (start + 3, "ack", 0, BEN, -1),
        (start + 13, "resolve", 0, BEN, -1),
    ]
    assert records.page_level.tolist() == [0, 0, 0]
    assert records.worker.tolist() == [BEN]


def test_round_robin_target_pages_the_engineers_in_turn():
    scenario = small_scenario(
        teams=[infra(escalation_policy="turns")],
        escalation_policies=[policy("turns", ([{"round_robin": "infra"}], 30))],
    )
    times = [TUESDAY_10_00 + 100 * k for k in range(4)]
    _, trace = run(scenario, times, 2.0, 10.0)
    assert pages(trace) == [(times[0], ANA), (times[1], BEN), (times[2], CEM), (times[3], ANA)]


# 10. Leave -----------------------------------------------------------------------------------


@pytest.mark.parametrize("run_index", range(6))
def test_engineer_on_leave_is_never_paged_and_the_next_participant_covers(run_index):
    """ana takes 26 weeks a year (the schema's maximum; 52 is rejected): over 4 weeks that is
    exactly 2 whole weeks, Monday 00:00 to Monday 00:00, which ones drawn per run. Whenever
    the rotation names ana in one of them, the next participant (ben) is paged instead.

    Rotation (Mon 09:00 handoffs, minute 540 + k * 10080): cem until 540, ana until 10620,
    ben until 20700, cem until 30780, ana until 40860. A Monday 08:00 page is in the previous
    shift but in the new leave week."""
    scenario = small_scenario(
        teams=[
            {
                "name": "infra",
                "engineers": [{"name": "ana", "leave_weeks_per_year": 26}, "ben", "cem"],
            }
        ]
    )
    tuesdays = [TUESDAY_10_00 + week * WEEK for week in range(4)]  # 2040, 12120, 22200, 32280
    mondays = [week * WEEK + 480 for week in range(4)]  # 480, 10560, 20640, 30720
    rotation = [ANA, BEN, CEM, ANA, CEM, ANA, BEN, CEM]  # Tuesdays, then Mondays
    records, _ = run(scenario, tuesdays + mondays, 1.0, 1.0, seed=(0, run_index))
    weeks_off = [int(start // WEEK) for start, _ in records.leave[ANA]]
    assert len(weeks_off) == 2
    assert records.leave[ANA] == [(w * WEEK * 1.0, (w + 1) * WEEK * 1.0) for w in weeks_off]
    assert records.leave[BEN] == records.leave[CEM] == []
    week_of = [0, 1, 2, 3, 0, 1, 2, 3]
    expected = [
        BEN if person == ANA and week in weeks_off else person
        for person, week in zip(rotation, week_of, strict=True)
    ]
    assert records.first_page_person.tolist() == expected
    ana_paged_in = {
        int(t // WEEK)
        for t, p in zip(records.page_minutes, records.page_person, strict=True)
        if p == ANA
    }
    assert not ana_paged_in & set(weeks_off)


def test_leave_weeks_run_monday_to_monday_local_across_daylight_saving():
    """people.py: "A week off runs Monday 00:00 to Monday 00:00 in the horizon's time zone".
    Horizon Europe/Berlin from Monday 2026-03-23 00:00 CET (UTC+1), 4 weeks; summer time
    (UTC+2) starts Sunday 03-29, so every later local Monday 00:00 comes one hour earlier in
    elapsed minutes: 03-23 -> 0, 03-30 -> 10080 - 60 = 10020, 04-06 -> 20100, 04-13 -> 30180,
    04-20 -> 40260. ana takes 26 weeks a year: 2 of the 4 weeks."""
    mondays = [0.0, 10020.0, 20100.0, 30180.0, 40260.0]
    scenario = small_scenario(
        horizon={"weeks": 4, "start_date": "2026-03-23", "time_zone": "Europe/Berlin", "seed": 7},
        teams=[
            {
                "name": "infra",
                "engineers": [{"name": "ana", "leave_weeks_per_year": 26}, "ben", "cem"],
            }
        ],
    )
    records, _ = run(scenario, [DAY + 600], 1.0, 1.0)
    weeks_off = [round(start / WEEK) for start, _ in records.leave[ANA]]
    assert weeks_off and max(weeks_off) >= 1  # a week after the change is drawn in this run
    assert records.leave[ANA] == [(mondays[w], mondays[w + 1]) for w in weeks_off]


# 11. Compensatory rest -----------------------------------------------------------------------


def test_night_page_gives_compensatory_rest_the_next_morning():
    """A Tuesday 03:00 page (1620, sleep hours) to ana rests her Tuesday 08:00-12:00 (1920 to
    2160). At 09:00 (1980) and 11:59 the substitute, ben, is paged; at 12:00 (end exclusive) and
    12:30 ana again. Only the night page counts as a sleep page."""
    scenario = small_scenario(people={"compensatory_rest": {"enabled": True}})
    times = [DAY + 180, DAY + 540, DAY + 719, DAY + 720, DAY + 750]
    records, _ = run(scenario, times, 1.0, 5.0)
    assert records.page_person.tolist() == [ANA, BEN, BEN, ANA, ANA]
    assert records.rest[ANA] == [(1920.0, 2160.0)]
    assert records.rest[BEN] == records.rest[CEM] == []
    assert records.sleep_pages.tolist() == [1, 0, 0, 0]


def test_trace_shows_who_covers_for_someone_resting():
    """ana's night page at Tuesday 03:00 rests her 08:00-12:00; the 09:00 alert's primary level
    names ana, who is resting: the trace says ben covers (a ``substitute`` event, ana away),
    then pages ben."""
    scenario = small_scenario(people={"compensatory_rest": {"enabled": True}})
    _, trace = run(scenario, [DAY + 180, DAY + 540], 1.0, 5.0)
    assert trace == [
        (DAY + 180, "page", 0, ANA, 0),
        (DAY + 181, "ack", 0, ANA, -1),
        (DAY + 186, "resolve", 0, ANA, -1),
        (DAY + 540, "substitute", 1, BEN, -1, ANA),
        (DAY + 540, "page", 1, BEN, 0),
        (DAY + 541, "ack", 1, BEN, -1),
        (DAY + 546, "resolve", 1, BEN, -1),
    ]


# Suspected schedule bugs ----------------------------------------------------------------------


def test_custom_twelve_hour_shifts_keep_their_local_handoff_times_across_dst():
    """12-hour shifts handing off at 09:00 and 21:00 Europe/Berlin from Monday 2026-03-23.
    The module docstring: "Daylight-saving changes move handoffs ... with the local clock".
    Monday 03-30 09:00 CEST is 7 days + 9 hours - 1 hour after time 0 (00:00 CET) = 10560;
    it starts the 15th shift (number 14 from ana's at 03-23 09:00): 14 % 3 = 2, cem; the
    shift before is ben's. Stepping 720 elapsed minutes puts that handoff at 10620 instead."""
    scenario = small_scenario(
        horizon={"weeks": 2, "start_date": "2026-03-23", "time_zone": "Europe/Berlin", "seed": 7},
        teams=[infra(rotation={"shift": "custom", "shift_hours": 12, "handoff_time": "09:00"})],
    )
    assert first_paged(scenario, [10559, 10561]) == [BEN, CEM]


def test_first_participants_shift_starts_in_the_first_week_of_the_layers_own_zone():
    """Layer.handoff_day: the first handoff is on the handoff day of the horizon's first week,
    in the layer's own zone, and starts the first participant's shift. Horizon 00:00 UTC Mon
    01-05 is 09:00 in Tokyo; the Mon 08:00 Tokyo handoff on 01-05 is 23:00 UTC on 01-04
    (minute -60), an hour before the start: ana is on call from the start until the next
    handoff, 01-12 08:00 Tokyo = 10020, when ben takes over."""
    scenario = small_scenario(
        teams=[
            infra(time_zone="Asia/Tokyo", rotation={"handoff_day": "Mon", "handoff_time": "08:00"})
        ]
    )
    assert first_paged(scenario, [0, 600, 10019, 10021]) == [ANA, ANA, ANA, BEN]
