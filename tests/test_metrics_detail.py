"""Per-run detail and on-call health KPIs on a hand-made week whose values are known exactly."""

from __future__ import annotations

import numpy as np
import pytest
from builders import hand_made_outcome, hand_made_world, small_scenario

from sim.calendar import BAND_BUSINESS, BAND_OFF, BAND_SLEEP
from sim.compile import compile_scenario
from sim.metrics import compute_kpis
from sim.metrics_detail import compute_detail, oncall_hours

DAY = 1440
#: Minutes from Monday 5 January 2026 00:00 UTC; ana is primary from Monday 09:00.
PAGES = {
    "Mon 23:00": 1380,
    "Tue 02:00": DAY + 120,
    "Tue 02:30": DAY + 150,
    "Wed 10:00": 2 * DAY + 600,
    "Tue 23:30": 2 * DAY - 30,
    "Thu 03:00": 3 * DAY + 180,
    "Sat 12:00": 5 * DAY + 720,
}


@pytest.fixture
def week():
    """Seven incidents in ana's first week, each acknowledged in a minute (one page each)."""
    scenario = small_scenario()
    page_minutes = np.array(sorted(PAGES.values()), float)
    outcome = hand_made_outcome(page_minutes, 10.0, np.ones((len(page_minutes), 3)))
    compiled = compile_scenario(scenario)
    world = hand_made_world(compiled, outcome)
    world.run()
    return compiled, world.records()


def test_hand_made_week_per_person_detail(week):
    compiled, records = week
    ana = compiled.person_names.index("ana")
    assert set(records.page_person.tolist()) == {ana}
    person = compute_detail(compiled, records).person
    assert person["pages"][ana] == 7
    assert person["pages_sleep"][ana] == 5  # Mon 23:00, Tue 02:00, 02:30, Tue 23:30, Thu 03:00
    assert person["pages_business"][ana] == 1  # Wed 10:00
    assert person["pages_off"][ana] == 1  # Sat 12:00
    assert person["weekend_pages"][ana] == 1
    assert person["quiet_weekends"].tolist() == [3, 4, 4, 4]  # ana, ben, cem, the manager
    # Tue 02:00 and 02:30 share a clock hour: 6 distinct hours.
    assert person["disrupted_hours"][ana] == 6
    # Nights ending Tue, Wed and Thu 08:00 each had a sleep page: three in a row.
    assert person["paged_nights_run_max"][ana] == 3
    assert person["paged_nights_run_max"].sum() == 3


def test_hand_made_week_pages_by_hour_and_week(week):
    compiled, records = week
    detail = compute_detail(compiled, records)
    expected = np.zeros((3, 168), dtype=np.int64)
    for band, hour in (
        (BAND_SLEEP, 23),  # Mon 23:00
        (BAND_SLEEP, 26),  # Tue 02:00
        (BAND_SLEEP, 26),  # Tue 02:30
        (BAND_SLEEP, 47),  # Tue 23:30
        (BAND_BUSINESS, 58),  # Wed 10:00
        (BAND_SLEEP, 75),  # Thu 03:00
        (BAND_OFF, 132),  # Sat 12:00
    ):
        expected[band, hour] += 1
    np.testing.assert_array_equal(detail.pages_by_hour_band, expected)
    assert detail.weekly["pages"].tolist() == [7, 0, 0, 0]
    assert detail.weekly["pages_sleep"].tolist() == [5, 0, 0, 0]
    assert detail.weekly["escalations"].tolist() == [7, 0, 0, 0]
    assert detail.weekly["weekend_escalations"].tolist() == [1, 0, 0, 0]


def test_oncall_hours_split_first_level_and_secondary_and_add_up_to_the_share(week):
    """Weekly rotation of three from Monday 09:00 over 4 weeks (672 h): ana primary 9-177 h
    and 513-672 h (327 h); every hour has one primary and one secondary."""
    compiled, _ = week
    first, later = oncall_hours(compiled)
    engineers = compiled.person_is_engineer
    ana = compiled.person_names.index("ana")
    assert first[ana] == pytest.approx(327.0)
    assert first[engineers].sum() == pytest.approx(672.0)
    assert later[engineers].sum() == pytest.approx(672.0)
    assert first[~engineers].sum() == later[~engineers].sum() == 0
    np.testing.assert_allclose((first + later)[engineers] / 672.0, compiled.oncall_share)


def test_oncall_health_kpis_of_the_hand_made_week(week):
    compiled, records = week
    kpis = compute_kpis(compiled, records)
    assert kpis["disrupted_hours"] == 6
    assert kpis["paged_nights_run_max"] == 3
    assert kpis["interruptions_per_oncall_hour"] == pytest.approx(7 / (2 * 672.0))
    assert kpis["oncall_hours_first_level_per_engineer"] == pytest.approx(672.0 / 3)
    assert kpis["oncall_hours_later_levels_per_engineer"] == pytest.approx(672.0 / 3)
    assert kpis["oncall_share_max__infra"] == pytest.approx(compiled.oncall_share.max())
    assert kpis["time_to_page_mean_minutes"] == 0  # each page at its incident's start
