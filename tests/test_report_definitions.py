"""Where the headline is shown, its basis is said: the weekend is judged in the paged person's
time zone, and an escalation is an incident that paged a human (not a move to the next level)."""

from __future__ import annotations

import pandas as pd
from rich.console import Console

from sim.metrics import KPI_DESCRIPTIONS
from sim.report.terminal import headline, print_report
from sim.stats import COMPARISON_COLUMNS


def summary_of_one_variant() -> pd.DataFrame:
    row = dict.fromkeys(COMPARISON_COLUMNS, 0.5)
    rows = [
        row | {"kpi": kpi, "variant": "follow-the-sun", "baseline_mean": 5.0, "variant_mean": 4.9}
        for kpi in ("weekend_escalations_per_weekend", "escalations", "tier_escalations")
    ]
    return pd.DataFrame(rows, columns=list(dict.fromkeys([*COMPARISON_COLUMNS, "kpi"])))


def test_headline_says_the_weekend_is_judged_in_the_paged_persons_time_zone():
    sentence = headline(summary_of_one_variant(), "follow-the-sun", runs=40)
    assert sentence.startswith("follow-the-sun: weekend escalations per weekend 5.00 -> 4.90")
    assert sentence.endswith("(weekend judged in the paged person's time zone).")


def test_report_footnote_defines_escalation_as_an_incident_that_paged_a_human():
    console = Console(width=400, record=True)
    print_report(console, summary_of_one_variant(), runs=40)
    text = " ".join(console.export_text().split())
    assert "Escalations: incidents that paged at least one human" in text
    assert "(not a move to the next level); tier escalations: incidents whose" in text
    assert "first page fell in the paged person's weekend (their own time zone and" in text
    assert "moving pages to another site moves them even when no incident changes" in text


def test_kpi_descriptions_state_both_definitions():
    assert "paged person's weekend" in KPI_DESCRIPTIONS["weekend_escalations_per_weekend"]
    assert "not a move to the next level" in KPI_DESCRIPTIONS["escalations"]
