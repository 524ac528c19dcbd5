"""The terminal table says when a KPI is too rare for a relative interval (issue: relative
confidence intervals wrong for rare KPIs), rather than printing n/a..n/a or a wrong interval."""

from __future__ import annotations

import numpy as np
import pandas as pd
from rich.console import Console

from sim.report.terminal import comparison_table
from sim.stats import compare


def test_a_kpi_too_rare_for_an_interval_says_so_and_a_common_one_shows_fieller_bounds():
    runs = 200
    rare_baseline = np.zeros(runs)
    rare_baseline[[3, 50, 120]] = 1.0  # 3 of 200 runs: no finite interval of the ratio
    rare_variant = np.zeros(runs)
    rare_variant[[3, 77]] = 1.0
    pages = np.random.default_rng(1).poisson(40.0, runs).astype(float)
    table = pd.DataFrame(
        {
            "run": np.repeat(np.arange(runs), 2),
            "variant": ["baseline", "change"] * runs,
            "coverage_gap_alerts": np.column_stack([rare_baseline, rare_variant]).ravel(),
            "pages": np.column_stack([pages, pages * 0.8]).ravel(),
        }
    )
    summary = compare(table, ["coverage_gap_alerts", "pages"])
    console = Console(width=120, record=True)

    console.print(comparison_table(summary, "change"))

    lines = console.export_text().splitlines()
    rare_line = next(line for line in lines if line.strip().startswith("Coverage-gap incidents"))
    pages_line = next(line for line in lines if line.strip().startswith("Pages"))
    assert "too rare" in rare_line and "-33.3%" in rare_line
    assert "-20.0..-20.0" in pages_line  # variant = 0.8 x baseline in every run
