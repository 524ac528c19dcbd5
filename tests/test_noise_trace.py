"""Exact traces of alert noise on hand-made alerts: transient alerts and the pause, flapping
(re-paged or deduplicated), SLO burn-rate pages at the minute the rule crosses, and a slow burn
that becomes a ticket worked the next business morning.

Scenario (tests/builders.py): team infra = ana, ben, cem, weekly rotation from Monday 09:00 UTC,
ack timeout 15 minutes; from minute 540 on ana is primary. Minute 0 is Monday 2026-01-05 00:00.
Ack delays and work times are fixed, so every time below is computed by hand.
"""

from __future__ import annotations

import numpy as np
from builders import brief, hand_made_stream, small_scenario

from sim.compile import compile_scenario
from sim.generator import DECISION_COLUMNS, NOISE_COLUMNS
from sim.metrics import compute_kpis
from sim.model import run_model
from sim.model.records import (
    PAGE_FLAP,
    STATE_RESOLVED,
    STATE_SELF_CLEARED,
    STATE_TICKET,
    STATE_UNPAGED,
)

ANA = 0
TUESDAY_10_00 = 1440 + 600
FRIDAY_20_00 = 4 * 1440 + 1200
MONDAY_08_00_NEXT = 7 * 1440 + 480
FIXED_RESPONSE = {"ack_delay_minutes": 20, "work_time_minutes": 30}


def alerts_at(times, severity=None, transient=0.5):
    """Alerts of service 0 at the given minutes; every uniform 0.5 (noise: ``transient``)."""
    alerts = len(times)
    noise = np.full((alerts, len(NOISE_COLUMNS)), 0.5)
    noise[:, NOISE_COLUMNS.index("transient")] = transient
    return hand_made_stream(
        times,
        np.zeros(alerts, np.int32),
        np.asarray(severity if severity is not None else [2] * alerts, np.int8),
        np.full((alerts, len(DECISION_COLUMNS)), 0.5),
        noise_uniforms=noise,
    )


def run(stream, **changes):
    compiled = compile_scenario(small_scenario(response=FIXED_RESPONSE, **changes))
    trace: list = []
    records = run_model(compiled, stream, trace=trace)
    return records, brief(trace), compute_kpis(compiled, records)


def test_transient_alert_that_clears_before_the_pause_ends_never_pages():
    noise = {"transient_share": 1.0, "self_clear_minutes": 3, "pause_minutes": 5}
    records, trace, kpis = run(alerts_at([TUESDAY_10_00]), noise=noise)
    assert trace == []
    assert records.state.tolist() == [STATE_SELF_CLEARED]
    assert records.resolved_minutes.tolist() == [TUESDAY_10_00 + 3]
    assert (kpis["paused_alerts_cleared"], kpis["pages"], kpis["transient_alerts"]) == (1, 0, 1)


def test_transient_alert_that_clears_after_its_page_still_cost_the_page():
    # Paged after the 5-minute pause; ana would ack at +25 but the alert clears at +10 first:
    # escalation stops (no secondary page at +20) and the incident ends at the clear.
    noise = {"transient_share": 1.0, "self_clear_minutes": 10, "pause_minutes": 5}
    records, trace, kpis = run(alerts_at([TUESDAY_10_00]), noise=noise)
    assert trace == [
        (TUESDAY_10_00 + 5, "page", 0, ANA, 0),
        (TUESDAY_10_00 + 10, "clear", 0, -1, -1),
    ]
    assert records.state.tolist() == [STATE_RESOLVED]
    assert records.resolved_minutes.tolist() == [TUESDAY_10_00 + 10]
    assert (kpis["transient_pages"], kpis["pages"]) == (1, 1)
    assert np.isnan(kpis["mtta_mean_minutes"])  # nobody acknowledged it


def test_real_failure_waits_for_the_pause_and_counts_its_detection_delay():
    noise = {"transient_share": 0.4, "pause_minutes": 5}  # uniform 0.5: not transient
    _records, trace, kpis = run(alerts_at([TUESDAY_10_00]), noise=noise)
    assert trace == [
        (TUESDAY_10_00 + 5, "page", 0, ANA, 0),
        (TUESDAY_10_00 + 20, "page", 0, 1, 1),
        (TUESDAY_10_00 + 25, "ack", 0, ANA, -1),
        (TUESDAY_10_00 + 55, "resolve", 0, ANA, -1),
    ]
    assert kpis["detection_delay_minutes_mean"] == 5
    assert kpis["mttr_mean_minutes"] == 55


FLAPPING = {
    "transient_share": 1.0,
    "self_clear_minutes": 10,
    "flap_probability": 1.0,
    "refire_after_minutes": 5,
}


def flap_pages(trace):
    return [event for event in trace if event[1] == "page"]


def test_flapping_alert_re_pages_on_every_re_fire_by_default():
    # Fires [t, t+10), [t+15, t+25), [t+30, t+40), [t+45, t+55): the first pages through the
    # policy; each re-fire pages the first level again.
    records, trace, kpis = run(alerts_at([TUESDAY_10_00]), noise=FLAPPING)
    assert flap_pages(trace) == [
        (TUESDAY_10_00 + offset, "page", 0, ANA, 0) for offset in (0, 15, 30, 45)
    ]
    assert (trace[1], kpis["flap_pages"], kpis["transient_pages"]) == (
        (TUESDAY_10_00 + 10, "clear", 0, -1, -1),
        3,
        4,
    )
    assert records.page_kind.tolist() == [0, PAGE_FLAP, PAGE_FLAP, PAGE_FLAP]


def test_flapping_alert_deduplicated_within_the_window_pages_once():
    noise = {**FLAPPING, "flap_rule": "dedupe", "flap_window_minutes": 30}
    _, trace, kpis = run(alerts_at([TUESDAY_10_00]), noise=noise)
    assert flap_pages(trace) == [(TUESDAY_10_00, "page", 0, ANA, 0)]
    assert kpis["flap_pages"] == 0


def test_re_fires_after_the_dedupe_window_page_again():
    noise = {**FLAPPING, "flap_rule": "dedupe", "flap_window_minutes": 4}
    _, trace, _ = run(alerts_at([TUESDAY_10_00]), noise=noise)
    assert len(flap_pages(trace)) == 4


def slo_settings(**impact):
    return {
        "services": [
            {"name": "db", "team": "infra", "alerts_per_week": 10, "slo": {"target": 0.999}}
        ],
        "paging": {"mode": "slo"},
        "slo": {"impact": impact},
    }


def test_slo_page_goes_out_at_the_minute_the_fast_burn_rule_crosses():
    # Impact 0.5 from minute 2040.5; the 1-hour window needs a mean error rate of
    # 14.4 x 0.001 = 0.0144, i.e. 0.864 error-minutes: 1.728 minutes open -> 2042.228. Rules
    # are evaluated on whole minutes: first page at 2043 (the 5-minute window is far above).
    start = TUESDAY_10_00 + 0.5
    _, trace, kpis = run(alerts_at([start], severity=[0]), **slo_settings(P1=0.5))
    assert trace[0] == (2043, "page", 0, ANA, 0)
    assert kpis["detection_delay_minutes_mean"] == 2043 - start


def test_smaller_impact_crosses_later():
    # Impact 0.1: 0.864 / 0.1 = 8.64 minutes open -> 2049.14 -> page at minute 2050.
    start = TUESDAY_10_00 + 0.5
    _, trace, _ = run(alerts_at([start], severity=[1]), **slo_settings(P2=0.1))
    assert trace[0] == (2050, "page", 0, ANA, 0)


def test_slow_burn_opens_a_ticket_worked_the_next_business_morning():
    # Impact 0.004 = burn 4x: no page rule (14.4x, 6x) ever fires. The 3x/1-day rule needs
    # 0.003 x 1440 = 4.32 error-minutes: 1080 minutes after Friday 20:00, Saturday 14:00. The
    # ticket is worked from Monday 08:00 for its 30 minutes; nobody is paged.
    records, trace, kpis = run(alerts_at([FRIDAY_20_00], severity=[2]), **slo_settings(P3=0.004))
    assert trace == []
    assert records.state.tolist() == [STATE_TICKET]
    assert records.resolved_minutes.tolist() == [MONDAY_08_00_NEXT + 30]
    assert kpis["tickets"] == 1 and kpis["pages"] == 0


def test_failure_no_rule_catches_is_worked_in_business_hours_unpaged():
    # Burn 2x on Tuesday 10:00: business hours now, worked at once for 30 minutes; no rule
    # fires in those 30 minutes.
    records, trace, kpis = run(alerts_at([TUESDAY_10_00], severity=[2]), **slo_settings(P3=0.002))
    assert trace == []
    assert records.state.tolist() == [STATE_UNPAGED]
    assert records.resolved_minutes.tolist() == [TUESDAY_10_00 + 30]
    assert kpis["tickets"] == 0


def test_error_budget_share_of_one_incident():
    # One P1 incident open 65 minutes (ack at +20, work 30 x 1.5) at impact 0.5, in the one
    # 28-day window of a 0.999 objective: 32.5 error-minutes of a 40.32-minute budget.
    scenario = slo_settings(P1=0.5)
    scenario["paging"] = {"mode": "cause"}
    scenario["horizon"] = {"weeks": 4, "start_date": "2026-01-05", "time_zone": "UTC", "seed": 7}
    _, _, kpis = run(alerts_at([TUESDAY_10_00], severity=[0]), **scenario)
    assert np.isclose(kpis["budget_consumed_share_max"], 32.5 / (0.001 * 28 * 1440))
    assert kpis["slo_breached_windows"] == 0
