"""Every KPI of `compute_kpis`, pinned on hand-made event records (exact-trace style).

The records are written by hand (tests/builders.py `hand_made_records`), not simulated, so each
expected value below is worked out from the records in the docstring, not read off a run.

The organisation of most tests (``two_teams``): time 0 is Monday 2026-01-05 00:00 UTC, 4 weeks
(40,320 minutes; weekend k is Sat 00:00 to Mon 00:00 of week k: 7200-10080, 17280-20160, ...).
Team infra = ana (0), ben (1), cem (2), infra-manager (3); team apps = dan (4), eve (5),
fay (6), apps-manager (7); both rotate weekly on Mondays at 09:00. Service db (0) belongs to
infra, service web (1) to apps, depends on db and informs infra.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from builders import hand_made_records, small_scenario

from sim.compile import compile_scenario
from sim.metrics import KPI_DESCRIPTIONS, compute_kpis, kpi_direction, kpi_names
from sim.model.records import (
    HANDOVER_CONSULT,
    HANDOVER_REASSIGNMENT,
    PAGE_FIRST,
    PAGE_FLAP,
    PAGE_NOTIFY,
    PAGE_RACI_CONSULT,
    PAGE_REASSIGNMENT,
    PAGE_RETRIGGER,
    STATE_AUTO_RESOLVED,
    STATE_CLEARED_WITH_ROOT,
    STATE_GROUPED,
    STATE_PREVENTED,
    STATE_RESOLVED,
    STATE_SELF_CLEARED,
    STATE_SILENCED,
    STATE_SUPPRESSED,
    STATE_TICKET,
)

ANA, BEN, CEM, INFRA_MANAGER, DAN, EVE, FAY = range(7)
DB, WEB = 0, 1
INFRA, APPS = 0, 1


def _weekly() -> dict:
    return {"shift": "weekly", "handoff_day": "Mon", "handoff_time": "09:00"}


def two_teams(**changes):
    teams = [
        {"name": "infra", "engineers": ["ana", "ben", "cem"], "rotation": _weekly()},
        {"name": "apps", "engineers": ["dan", "eve", "fay"], "rotation": _weekly()},
    ]
    services = [
        {"name": "db", "team": "infra", "alerts_per_week": 10},
        {"name": "web", "team": "apps", "alerts_per_week": 10, "depends_on": ["db"]},
    ]
    services[1]["informed"] = ["infra"]
    return compile_scenario(small_scenario(teams=teams, services=services, **changes))


# One month of a two-team organisation: 13 alerts, 13 pages.
#
# alert svc root state      start pages (minute person level kind)          ack       resolved
# A0    db  A0   resolved   2040  2040 ana 0 first; 2055 ana 0 re-trigger   2045 ana  2100
# A1    db  A1   resolved   7380  7380 ana 0 first; 7395 ben 1 first        7400 ben  7460
# A2    db  A2   auto       3000  -                                         -         3010
# A3    db  A3   prevented  4000  -                                         -         -
# A4    db  A4   grouped    2050  -                                         -         2100
# A5    web A0   suppressed 2041  -                                         -         -
# A6    db  A6   silenced   5000  -                                         -         -
# A7    db  A7   resolved   4080  4080 ana 0; 4095 ben 1; 4110 manager 2;   4112 mgr  4200
#                                 4115 dan 0 RACI consult
# A8    web A0   resolved   5160  5160 dan 0 first; 5180 ana 0 reassignment 5165 dan  5240
# A9    web A9   resolved   9360  9360 dan 0 first                          9370 dan  9400
# A10   web A10  resolved   18000 20760 fay 0 first (deferred)              20770 fay 20800
# A11   db  A11  resolved   12900 12900 ben 0 notify                        12960 ben 13000
# A12   db  A12  auto       4300  - (caused by A7's fix)                    -         4330
# (auto: auto-resolved by self-healing)
#
# Flags: A0 delayed by inhibition and re-triggered once; A7 met a coverage gap and consulted
# one RACI team; A8 was reassigned, A9 consulted (handovers); A10 deferred; A11 notify-only.
# Bands (UTC): 2040/2055 Tue 10:00 business; 4080-4115 Wed 20:00-20:35 off; 5160/5180 Thu
# 14:00 business; 7380/7395 Sat 03:00 sleep (weekend 0); 9360 Sun 12:00 off (weekend 0);
# 12900 Tue 23:00 sleep; 20760 Mon 10:00 business.
MONTH_ALERTS = [
    dict(state=STATE_RESOLVED, start=2040, ack=2045, ack_person=ANA, resolved=2100,
         delayed_by_inhibition=True, retriggers=1),
    dict(state=STATE_RESOLVED, start=7380, ack=7400, ack_person=BEN, resolved=7460),
    dict(state=STATE_AUTO_RESOLVED, start=3000, resolved=3010),
    dict(state=STATE_PREVENTED, start=4000),
    dict(state=STATE_GROUPED, start=2050, resolved=2100),
    dict(state=STATE_SUPPRESSED, service=WEB, root=0, start=2041),
    dict(state=STATE_SILENCED, start=5000),
    dict(state=STATE_RESOLVED, start=4080, ack=4112, ack_person=INFRA_MANAGER, resolved=4200,
         coverage_gap=True, raci_consults=1),
    dict(state=STATE_RESOLVED, service=WEB, root=0, start=5160, ack=5165, ack_person=DAN,
         resolved=5240, handover=HANDOVER_REASSIGNMENT),
    dict(state=STATE_RESOLVED, service=WEB, start=9360, ack=9370, ack_person=DAN, resolved=9400,
         handover=HANDOVER_CONSULT),
    dict(state=STATE_RESOLVED, service=WEB, start=18000, ack=20770, ack_person=FAY,
         resolved=20800, deferred=True),
    dict(state=STATE_RESOLVED, start=12900, ack=12960, ack_person=BEN, resolved=13000,
         notify_only=True),
    dict(state=STATE_AUTO_RESOLVED, start=4300, resolved=4330, caused_by=7),
]  # fmt: skip
MONTH_PAGES = [
    (0, 2040, ANA, 0, PAGE_FIRST, INFRA),
    (0, 2055, ANA, 0, PAGE_RETRIGGER, INFRA),
    (7, 4080, ANA, 0, PAGE_FIRST, INFRA),
    (7, 4095, BEN, 1, PAGE_FIRST, INFRA),
    (7, 4110, INFRA_MANAGER, 2, PAGE_FIRST, INFRA),
    (7, 4115, DAN, 0, PAGE_RACI_CONSULT, APPS),
    (8, 5160, DAN, 0, PAGE_FIRST, APPS),
    (8, 5180, ANA, 0, PAGE_REASSIGNMENT, INFRA),
    (1, 7380, ANA, 0, PAGE_FIRST, INFRA),
    (1, 7395, BEN, 1, PAGE_FIRST, INFRA),
    (9, 9360, DAN, 0, PAGE_FIRST, APPS),
    (11, 12900, BEN, 0, PAGE_NOTIFY, INFRA),
    (10, 20760, FAY, 0, PAGE_FIRST, APPS),
]

#: Expected KPIs of the month, each worked out from the table above.
MONTH_EXPECTED = {
    # First pages in a weekend window: A1 (Sat 03:00, ana) and A9 (Sun 12:00, dan). A10
    # started on a Saturday but was deferred to Monday 10:00: not a weekend escalation.
    "weekend_escalations": 2,
    "weekend_escalations_per_weekend": 2 / 4,
    # Alerts with a first page: A0, A1, A7, A8, A9, A10, A11.
    "escalations": 7,
    "pages": 13,
    "interruptions_business": 5,  # 2040, 2055, 5160, 5180, 20760
    "interruptions_off": 5,  # 4080, 4095, 4110, 4115, 9360
    "interruptions_sleep": 3,  # 7380, 7395, 12900
    # Moved past the first level: A1 and A7 (level-1 pages), A8 (reassignment). A0's
    # re-trigger and A7's RACI consult at level 0 do not count on their own.
    "tier_escalations": 3,
    "manager_pages": 1,  # 4110
    "auto_resolved": 2,  # A2, A12
    "prevented": 1,  # A3
    # Ack - first page of the 7 escalations: 5, 20, 32, 5, 10, 10, 60.
    "mtta_median_minutes": 10,
    "mtta_mean_minutes": 142 / 7,
    # Resolved - start of the 9 incidents (resolved or auto-resolved): A0 60, A1 80, A2 10,
    # A7 120, A8 80, A9 40, A10 2800, A11 100, A12 30 -> sorted 10 30 40 60 80 80 100 120 2800.
    "mttr_median_minutes": 80,
    "mttr_mean_minutes": 3320 / 9,
    # The 7 a human worked (A2 and A12 self-healed): 40 60 80 80 100 120 2800.
    "mttr_human_median_minutes": 80,
    "mttr_human_mean_minutes": 3280 / 7,
    "impact_hours": 3320 / 60,
    "incidents": 9,
    # Pages per engineer: ana 5, ben 3, cem 0, dan 3, eve 0, fay 1 (the manager's page is not
    # an engineer's). Gini of sorted (0, 0, 1, 3, 3, 5): 2 * (3*1 + 4*3 + 5*3 + 6*5) / (6 * 12)
    # - 7/6 = 120/72 - 84/72 = 0.5.
    "pages_per_engineer_max": 5,
    "pages_gini": 0.5,
    # 6 engineers x 4 weekends = 24; weekend 0 interrupted ana (7380), ben (7395), dan (9360).
    "quiet_weekend_share": 1 - 3 / 24,
    # 12-hour blocks from 09:00 (minute 540) hold at most one incident per team: 56 blocks a
    # team, none overloaded.
    "shift_overload_share": 0.0,
    "alerts": 13,
    "grouped_alerts": 1,  # A4
    "suppressed_alerts": 1,  # A5
    "inhibition_delayed": 1,  # A0
    # A8's first page went to dan (apps), but its root A0 is db's (infra). The RACI consult of
    # A7 to dan is not a first-chain page.
    "misrouted_pages": 1,
    "reassignments": 1,  # A8
    "consults": 1,  # A9
    # Engineers' pages by band over 6 engineers: business 5, off 4 (without the manager's),
    # sleep 3.
    "interruptions_per_engineer_business": 5 / 6,
    "interruptions_per_engineer_off": 4 / 6,
    "interruptions_per_engineer_sleep": 3 / 6,
    "sleep_interruptions_per_engineer_max": 2,  # ben: 7395 and 12900
    # On call (primary or secondary) of 40,320 minutes: before the first handoff at 540 cem is
    # primary and ana secondary; then ana/ben, ben/cem, cem/ana and ana/ben (the last 9,540
    # minutes). ana: 540 + 10080 + 10080 + 9540 = 30240 -> 0.75 (the same in apps for dan).
    "oncall_share_max": 0.75,
    # A 4-week horizon holds no whole 30-day month.
    "engineers_over_19_per_month": math.nan,
    "deferred_alerts": 1,  # A10
    "notify_only_alerts": 1,  # A11
    "silenced_alerts": 1,  # A6
    "coverage_gap_alerts": 1,  # A7
    "retriggers": 1,  # A0
    "fatigue_incidents": 1,  # A12
    "raci_consult_pages": 1,  # A7
    # Escalations of web, which informs one team: A8, A9, A10.
    "informed_notifications": 3,
    # Per team: pages to infra's people 9 (everything but 4115, 5160, 9360, 20760), to apps' 4.
    "pages__infra": 9,
    "pages__apps": 4,
    "weekend_escalations_per_weekend__infra": 1 / 4,  # A1 to ana
    "weekend_escalations_per_weekend__apps": 1 / 4,  # A9 to dan
    # apps' pages with an infra root: 4115 (A7) and 5160 (A8, root A0) of 4.
    "root_elsewhere_share__infra": 0.0,
    "root_elsewhere_share__apps": 2 / 4,
    "sleep_interruptions_per_engineer__infra": 3 / 3,
    "sleep_interruptions_per_engineer__apps": 0.0,
}


#: On-call health KPIs of the same month (sim.metrics_detail), worked out from the table.
HEALTH_EXPECTED = {
    # Each team's first level names one of its 3 engineers all 672 hours, and so does its
    # second: 2 x 672 hours at each, over 6 engineers.
    "oncall_hours_first_level_per_engineer": 2 * 672 / 6,
    "oncall_hours_later_levels_per_engineer": 2 * 672 / 6,
    # Distinct clock hours with an engineer's page (UTC): ana 34 (2040, 2055), 68, 86, 123;
    # ben 68, 123, 215; dan 68, 86, 156; fay 346. The manager's 4110 is not an engineer's.
    "disrupted_hours": 4 + 3 + 3 + 1,
    # Sleep pages: ana Sat 03:00; ben Sat 03:00 and Tue 23:00 a week later: one night in a row.
    "paged_nights_run_max": 1,
    # The engineers' 12 pages over their 2 x 1344 on-call hours.
    "interruptions_per_oncall_hour": 12 / 2688,
    # First page minus start of the 7 escalations: 0 for all but A10 (deferred, 2760 minutes).
    "time_to_page_mean_minutes": 2760 / 7,
    # As oncall_share_max, per team: ana in infra, dan in apps.
    "oncall_share_max__infra": 0.75,
    "oncall_share_max__apps": 0.75,
}


def test_on_call_health_kpis_of_the_hand_made_month():
    compiled = two_teams()
    kpis = compute_kpis(compiled, hand_made_records(MONTH_ALERTS, MONTH_PAGES, 8))
    _assert_kpis(kpis, HEALTH_EXPECTED)


def _assert_kpis(kpis: dict[str, float], expected: dict[str, float]) -> None:
    for name, value in expected.items():
        assert kpis[name] == pytest.approx(value, nan_ok=True), name


def test_every_kpi_of_a_hand_made_month():
    compiled = two_teams()
    kpis = compute_kpis(compiled, hand_made_records(MONTH_ALERTS, MONTH_PAGES, 8))
    _assert_kpis(kpis, MONTH_EXPECTED)


def test_pages_of_a_domain_count_its_teams_together():
    """infra and apps both in domain core: the 13 pages of the month are core's."""
    teams = [
        {"name": "infra", "engineers": ["ana", "ben", "cem"], "rotation": _weekly(),
         "domain": "core"},
        {"name": "apps", "engineers": ["dan", "eve", "fay"], "rotation": _weekly(),
         "domain": "core"},
    ]  # fmt: skip
    services = [
        {"name": "db", "team": "infra", "alerts_per_week": 10},
        {"name": "web", "team": "apps", "alerts_per_week": 10, "depends_on": ["db"]},
    ]
    compiled = compile_scenario(small_scenario(teams=teams, services=services))
    kpis = compute_kpis(compiled, hand_made_records(MONTH_ALERTS, MONTH_PAGES, 8))
    _assert_kpis(kpis, DOMAIN_EXPECTED)


DOMAIN_EXPECTED = {"pages_domain__core": 13}


def test_shift_overload_counts_incidents_not_pages():
    """One team (ana, ben, cem; 56 12-hour blocks from Monday 09:00). In block 2 (Tuesday
    09:00-21:00) one incident pages ana at 2040 and is re-triggered at 2050 and 2060 while
    an `everyone` level pages ben beside her: four pages, one incident, not overloaded. In
    block 4 (Wednesday 09:00-21:00) three incidents page ana: the one overloaded shift."""
    compiled = compile_scenario(small_scenario())
    alerts = [dict(state=STATE_RESOLVED, start=2040, ack=2045, ack_person=ANA, resolved=2070)]
    alerts += [
        dict(state=STATE_RESOLVED, start=start, ack=start + 1, ack_person=ANA, resolved=start + 9)
        for start in (3500, 3600, 3700)
    ]
    pages = [
        (0, 2040, ANA, 0, PAGE_FIRST, 0),
        (0, 2040, BEN, 0, PAGE_FIRST, 0),
        (0, 2050, ANA, 0, PAGE_RETRIGGER, 0),
        (0, 2060, ANA, 0, PAGE_RETRIGGER, 0),
        (1, 3500, ANA, 0, PAGE_FIRST, 0),
        (2, 3600, ANA, 0, PAGE_FIRST, 0),
        (3, 3700, ANA, 0, PAGE_FIRST, 0),
    ]
    kpis = compute_kpis(compiled, hand_made_records(alerts, pages, 4))
    _assert_kpis(kpis, SHIFT_EXPECTED)


SHIFT_EXPECTED = {"shift_overload_share": 1 / 56}


def test_engineers_over_19_pages_in_a_30_day_month():
    """A 5-week horizon holds one whole 30-day month (minutes 0-43,200). ana gets 20 pages in
    it (over 19), ben 19 (not over), cem 25 after it (not counted): 1 engineer in 1 month."""
    compiled = compile_scenario(
        small_scenario(horizon={"weeks": 5, "start_date": "2026-01-05", "time_zone": "UTC"})
    )
    pages = (
        [(0, 600.0 + 60 * k, ANA, 0, PAGE_FIRST, 0) for k in range(20)]
        + [(0, 2000.0 + 60 * k, BEN, 0, PAGE_FIRST, 0) for k in range(19)]
        + [(0, 43300.0 + 10 * k, CEM, 0, PAGE_FIRST, 0) for k in range(25)]
    )
    pages.sort(key=lambda page: page[1])
    alerts = [dict(state=STATE_RESOLVED, start=600, ack=605, ack_person=ANA, resolved=44000)]
    kpis = compute_kpis(compiled, hand_made_records(alerts, pages, 4))
    _assert_kpis(kpis, MONTHLY_EXPECTED)


MONTHLY_EXPECTED = {"engineers_over_19_per_month": 1.0}


def test_a_weekday_holiday_page_breaks_a_quiet_weekend_as_it_counts_as_a_weekend_escalation():
    """England, 4 weeks from Monday 2026-03-30: Good Friday is 2026-04-03 (minute 4*1440 =
    5760), Easter Monday 2026-04-06 (minute 7*1440 = 10080). ana is paged on Good Friday at
    10:00 (6360) and ben on Easter Monday at 10:00 (10680): both are weekend escalations, and
    both break weekend 0 (a Friday holiday belongs to the weekend after it, a Monday one to the
    weekend before): 3 engineers x 4 weekends = 12, 2 interrupted."""
    compiled = compile_scenario(
        small_scenario(
            horizon={"weeks": 4, "start_date": "2026-03-30", "time_zone": "Europe/London"},
            calendar={"holidays_country": "GB", "holidays_subdivision": "ENG"},
        )
    )
    alerts = [
        dict(state=STATE_RESOLVED, start=6360, ack=6365, ack_person=ANA, resolved=6400),
        dict(state=STATE_RESOLVED, start=10680, ack=10685, ack_person=BEN, resolved=10700),
    ]
    pages = [(0, 6360, ANA, 0, PAGE_FIRST, 0), (1, 10680, BEN, 0, PAGE_FIRST, 0)]
    kpis = compute_kpis(compiled, hand_made_records(alerts, pages, 4))
    _assert_kpis(kpis, HOLIDAY_EXPECTED)


HOLIDAY_EXPECTED = {"weekend_escalations": 2, "quiet_weekend_share": 1 - 2 / 12}


def test_noise_kpis_of_hand_made_alerts():
    """A0 is a real failure paged after a 5-minute pause; A1 a transient alert paged at 1005
    that cleared unacknowledged at 1010 and re-paged when it flapped at 1030; A2 a transient
    alert that cleared in the pause; A3 a slow burn worked as a ticket. Error budgets: db spent
    50% and 125% in its two windows, web has no SLO."""
    compiled = two_teams()
    alerts = [
        dict(state=STATE_RESOLVED, start=100, ack=110, ack_person=ANA, resolved=160),
        dict(state=STATE_RESOLVED, start=1000, resolved=1010, transient=True),
        dict(state=STATE_SELF_CLEARED, start=2000, resolved=2003, transient=True),
        dict(state=STATE_TICKET, start=3000, resolved=4000),
    ]
    pages = [
        (0, 105, ANA, 0, PAGE_FIRST, 0),
        (1, 1005, ANA, 0, PAGE_FIRST, 0),
        (1, 1030, ANA, 0, PAGE_FLAP, 0),
    ]
    budget = [[0.5, 1.25], [np.nan, np.nan]]
    kpis = compute_kpis(compiled, hand_made_records(alerts, pages, 8, budget))
    _assert_kpis(kpis, NOISE_EXPECTED)


NOISE_EXPECTED = {
    "transient_alerts": 2,
    "transient_pages": 2,
    "paused_alerts_cleared": 1,
    "flap_pages": 1,
    "tickets": 1,
    "detection_delay_minutes_mean": 5,
    "budget_consumed_share_max": 1.25,
    "slo_breached_windows": 1,
    "mtta_mean_minutes": 5,  # A1 was never acknowledged: it does not count
}


def test_a_symptom_cleared_with_its_root_is_an_incident_that_ends_at_the_root_fix():
    """One engineer team (ana, ben, cem). A0, a root failure at 600, is paged to ana, who
    acknowledges at 605 and resolves it at 700. A1, its symptom, paged ben at 620 and was still
    open at 700: cleared with its root then (80 minutes). A2, another symptom, was waiting in a
    pool's queue with no page: cleared at 700 too (60 minutes), an incident no human worked.
    incidents: 3; MTTR over all three (100, 80, 60): mean 80, median 80; human-worked (A0 and
    A1, which paged ben): mean 90, median 90; escalations: 2 (A0, A1)."""
    compiled = compile_scenario(small_scenario())
    alerts = [
        dict(state=STATE_RESOLVED, start=600, ack=605, ack_person=ANA, resolved=700),
        dict(state=STATE_CLEARED_WITH_ROOT, start=620, root=0, resolved=700),
        dict(state=STATE_CLEARED_WITH_ROOT, start=640, root=0, resolved=700),
    ]
    pages = [(0, 600, ANA, 0, PAGE_FIRST, 0), (1, 620, BEN, 0, PAGE_FIRST, 0)]
    kpis = compute_kpis(compiled, hand_made_records(alerts, pages, 4))
    _assert_kpis(kpis, CLEARED_EXPECTED)


CLEARED_EXPECTED = {
    "cleared_with_root": 2,
    "incidents": 3,
    "escalations": 2,
    "mttr_mean_minutes": 80,
    "mttr_median_minutes": 80,
    "mttr_human_mean_minutes": 90,
    "mttr_human_median_minutes": 90,
}


def test_every_kpi_is_pinned_by_a_hand_made_case():
    pinned = (
        set(NOISE_EXPECTED)
        | set(MONTH_EXPECTED)
        | set(DOMAIN_EXPECTED)
        | set(SHIFT_EXPECTED)
        | set(MONTHLY_EXPECTED)
        | set(HOLIDAY_EXPECTED)
        | set(HEALTH_EXPECTED)
        | set(CLEARED_EXPECTED)
    )
    compiled = two_teams()
    names = set(kpi_names(compiled)) | set(DOMAIN_EXPECTED)
    assert names - pinned == set()
    # The hand-made month computes exactly the KPI columns (no KPI outside the list).
    kpis = compute_kpis(compiled, hand_made_records(MONTH_ALERTS, MONTH_PAGES, 8))
    assert set(kpis) == set(kpi_names(compiled))


def test_every_kpi_declares_a_direction():
    for name in [*KPI_DESCRIPTIONS, *kpi_names(two_teams()), "pages_domain__core"]:
        assert kpi_direction(name) in ("lower", "higher", "none"), name
    assert kpi_direction("quiet_weekend_share") == "higher"
    for mechanism in ("grouped_alerts", "deferred_alerts", "auto_resolved", "prevented"):
        assert kpi_direction(mechanism) == "none"
    assert kpi_direction("weekend_escalations_per_weekend") == "lower"


def test_hand_made_records_are_well_formed():
    records = hand_made_records(MONTH_ALERTS, MONTH_PAGES, 8)
    assert np.all(np.diff(records.page_minutes) >= 0)
    assert records.first_page_minutes[10] == 20760 and records.first_page_person[10] == FAY


def test_time_to_first_page_is_exactly_zero_without_any_wait():
    """Without a pause, deferral or grouping wait every incident pages at its start; the
    dispatcher may wake one float step late, which must not read as a (huge relative) change
    from zero. The alert-noise baseline has none of those waits."""
    from sim import load_scenario, simulate

    scenario = load_scenario(Path(__file__).resolve().parents[1] / "scenarios/alert-noise.yaml")
    # Run 1 has an incident whose first page the dispatcher released one float step late.
    assert simulate(scenario, "baseline", run=1).kpis["time_to_page_mean_minutes"] == 0.0
