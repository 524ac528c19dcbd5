"""The terminal comparison table: which way is better, ties, and whole words at 80 columns."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
from rich.console import Console

from sim.metrics import kpi_directions
from sim.report.terminal import REPORT_KPIS, print_report
from sim.stats import compare

LONG_TEAM = "infrastructure-core"


def _summary() -> pd.DataFrame:
    """20 paired runs: every reported KPI about 20% lower in the variant; alerts grouped
    0 -> 287 (correlation at work); consults 3 in every run of both arms."""
    rng = np.random.default_rng(1)
    kpis = [*REPORT_KPIS, f"pages__{LONG_TEAM}", f"weekend_escalations_per_weekend__{LONG_TEAM}"]
    rows = []
    for run in range(20):
        for variant, scale in (("baseline", 1.0), ("detection-and-self-healing", 0.8)):
            row = {"run": run, "variant": variant}
            row.update({kpi: 1234.5 * scale * (1 + 0.1 * rng.standard_normal()) for kpi in kpis})
            row["grouped_alerts"] = 0.0 if variant == "baseline" else 287.0
            row["consults"] = 3.0
            row["coverage_gap_alerts"] = 5.0
            rows.append(row)
    return compare(pd.DataFrame(rows), kpis, directions=kpi_directions(kpis))


def _printed(width: int = 80) -> str:
    # A StringIO is not a terminal: what a pipe (`oncall-sim run ... | less`) gets.
    out = io.StringIO()
    print_report(Console(file=out, width=width), _summary(), runs=20)
    return out.getvalue()


def _row(text: str, label: str) -> list[str]:
    line = next(line for line in text.splitlines() if line.strip().startswith(label))
    return line.split()


def test_run_table_shows_whole_words_at_80_columns_when_piped():
    text = _printed()
    assert "…" not in text
    header = next(line for line in text.splitlines() if line.strip().startswith("KPI"))
    assert header.split() == ["KPI", "baseline", "variant", "change", "95%", "CI", "better"]
    assert all(len(line) <= 80 for line in text.splitlines())
    assert LONG_TEAM in text


def test_better_is_n_a_for_a_count_of_a_mechanism_at_work():
    text = _printed()
    assert _row(text, "Alerts grouped")[-1] == "n/a"
    assert _row(text, "Auto-resolved")[-1] == "n/a"
    assert _row(text, "Pages, sleep hours")[-1].endswith("%")


def test_better_is_equals_for_a_kpi_equal_in_every_run():
    assert _row(_printed(), "Coverage-gap incidents")[-1] == "="


def test_table_shows_human_mttr_beside_all_incident_mttr():
    text = _printed()
    assert _row(text, "MTTR mean, min")
    assert _row(text, "MTTR mean (human), min")
    assert _row(text, "MTTR median (human), min")
