"""Terminal report of a paired comparison: a headline sentence and a table per variant."""

from __future__ import annotations

import math

import pandas as pd
from rich import box
from rich.console import Console
from rich.table import Table

from sim.metrics import KPI_DESCRIPTIONS, NO_DIRECTION, kpi_direction
from sim.report.findings import number

HEADLINE_KPI = "weekend_escalations_per_weekend"

#: KPIs shown in the terminal table, in order (summary.csv has them all).
REPORT_KPIS = (
    "weekend_escalations_per_weekend",
    "escalations",
    "pages",
    "interruptions_sleep",
    "interruptions_off",
    "interruptions_business",
    "tier_escalations",
    "auto_resolved",
    "prevented",
    "mtta_median_minutes",
    "mttr_median_minutes",
    "mttr_mean_minutes",
    "mttr_human_median_minutes",
    "mttr_human_mean_minutes",
    "time_to_page_mean_minutes",
    "pages_gini",
    "quiet_weekend_share",
    "shift_overload_share",
    "misrouted_pages",
    "reassignments",
    "consults",
    "grouped_alerts",
    "suppressed_alerts",
    "cleared_with_root",
    "inhibition_delayed",
    "interruptions_per_engineer_sleep",
    "sleep_interruptions_per_engineer_max",
    "oncall_share_max",
    "engineers_over_19_per_month",
    "deferred_alerts",
    "notify_only_alerts",
    "silenced_alerts",
    "coverage_gap_alerts",
    "retriggers",
    "fatigue_incidents",
    "raci_consult_pages",
    "informed_notifications",
    "transient_pages",
    "paused_alerts_cleared",
    "flap_pages",
    "tickets",
    "detection_delay_minutes_mean",
    "budget_consumed_share_max",
    "slo_breached_windows",
    "disrupted_hours",
    "paged_nights_run_max",
    "interruptions_per_oncall_hour",
    "oncall_hours_first_level_per_engineer",
    "oncall_hours_later_levels_per_engineer",
)

LABELS = {
    "weekend_escalations_per_weekend": "Weekend escalations/wknd",
    "escalations": "Escalations (paged)",
    "pages": "Pages",
    "interruptions_sleep": "Pages, sleep hours",
    "interruptions_off": "Pages, off hours",
    "interruptions_business": "Pages, business hours",
    "tier_escalations": "Tier escalations",
    "auto_resolved": "Auto-resolved",
    "prevented": "Prevented",
    "mtta_median_minutes": "MTTA median, min",
    "mttr_median_minutes": "MTTR median, min",
    "mttr_mean_minutes": "MTTR mean, min",
    "mttr_human_median_minutes": "MTTR median (human), min",
    "mttr_human_mean_minutes": "MTTR mean (human), min",
    "pages_gini": "Gini of pages/engineer",
    "quiet_weekend_share": "Quiet engineer-weekends",
    "shift_overload_share": "12-h shifts > 2 incidents",
    "misrouted_pages": "Misrouted pages",
    "reassignments": "Reassignments",
    "consults": "Consults",
    "grouped_alerts": "Alerts grouped",
    "suppressed_alerts": "Alerts suppressed",
    "cleared_with_root": "Symptoms cleared with root",
    "inhibition_delayed": "Delayed by inhibition",
    "sleep_interruptions_per_engineer_max": "Sleep pages, top engineer",
    "oncall_share_max": "Top on-call share",
    "interruptions_per_engineer_sleep": "Sleep pages/engineer",
    "engineers_over_19_per_month": "Engineers >19 pages/month",
    "deferred_alerts": "Alerts deferred",
    "notify_only_alerts": "Alerts notify-only",
    "silenced_alerts": "Alerts silenced",
    "coverage_gap_alerts": "Coverage-gap incidents",
    "retriggers": "Ack expiry re-triggers",
    "fatigue_incidents": "Fatigue incidents",
    "raci_consult_pages": "Consulted-team pages",
    "informed_notifications": "Informed notifications",
    "transient_pages": "Pages for transient alerts",
    "paused_alerts_cleared": "Cleared before paging",
    "flap_pages": "Flap re-pages",
    "tickets": "SLO tickets",
    "detection_delay_minutes_mean": "Detection delay mean, min",
    "budget_consumed_share_max": "Worst budget share spent",
    "slo_breached_windows": "SLO windows breached",
    "oncall_hours_first_level_per_engineer": "On-call h/eng, 1st level",
    "oncall_hours_later_levels_per_engineer": "On-call h/eng, later",
    "disrupted_hours": "Disrupted hours",
    "paged_nights_run_max": "Nights paged in a row, max",
    "interruptions_per_oncall_hour": "Pages per on-call hour",
    "time_to_page_mean_minutes": "Time to first page, min",
}
TEAM_LABELS = {
    "pages": "Pages, {team}",
    "weekend_escalations_per_weekend": "Wknd escalations, {team}",
    "root_elsewhere_share": "Root elsewhere, {team}",
    "sleep_interruptions_per_engineer": "Sleep pages/eng, {team}",
    "oncall_share_max": "Top on-call share, {team}",
}


def _label(kpi: str) -> str:
    base, _, team = kpi.partition("__")
    if base == "pages_domain":
        return f"Pages, domain {team}"
    return TEAM_LABELS[base].format(team=team) if team else LABELS.get(kpi, kpi)


def _shown(rows: pd.DataFrame, kpi: str) -> bool:
    """A KPI row is shown unless it is zero in both arms (e.g. consults without a rotation) or
    undefined in both (e.g. error budgets without an SLO)."""
    row = rows.loc[kpi]
    both_nan = math.isnan(row.baseline_mean) and math.isnan(row.variant_mean)
    return not (row.baseline_mean == 0 and row.variant_mean == 0) and not both_nan


def _percent(value: float) -> str:
    if value is None or math.isnan(value):
        return "n/a"
    return f"{value * 100 + 0.0:+.1f}%"


def _points(value: float) -> str:
    return "n/a" if value is None or math.isnan(value) else f"{value * 100 + 0.0:+.1f}"


def _relative_interval(row) -> str:
    """The relative change's CI in points, or why there is none (sim.stats.compare_paired)."""
    if getattr(row, "rel_ci_method", "fieller") == "too rare":
        return "too rare"
    return f"{_points(row.rel_ci_low)}..{_points(row.rel_ci_high)}"


def headline(summary: pd.DataFrame, variant: str, runs: int) -> str:
    """One sentence a manager can read: the headline KPI's change with its 95% CI."""
    row = summary[(summary["kpi"] == HEADLINE_KPI) & (summary["variant"] == variant)]
    if row.empty:
        return ""
    row = row.iloc[0]
    return (
        f"{variant}: weekend escalations per weekend {number(row.baseline_mean)} -> "
        f"{number(row.variant_mean)} ({_percent(row.rel_change)}, 95% CI "
        f"{_percent(row.rel_ci_low)} to {_percent(row.rel_ci_high)}); "
        f"better than the baseline in {row.p_better * 100:.0f}% of {runs} paired runs "
        "(weekend judged in the paged person's time zone)."
    )


def _all_runs_equal(row) -> bool:
    """True when the variant equals the baseline in every paired run (all differences 0)."""
    if row.runs == 1:
        return row.diff_mean == 0
    return row.diff_mean == 0 and row.diff_ci_low == 0 and row.diff_ci_high == 0


def better_cell(kpi: str, row) -> str:
    """The `better` column: share of runs the variant beat the baseline; `n/a` for a KPI
    without a direction (or no runs), `=` for a KPI equal in every run."""
    if kpi_direction(kpi) == NO_DIRECTION or row.runs == 0 or math.isnan(row.p_better):
        return "n/a"
    if _all_runs_equal(row):
        return "="
    return f"{row.p_better * 100:.0f}%"


def _number_column(table: Table, header: str) -> None:
    # Never narrower than the header: at 80 columns (the width of a pipe) the KPI names wrap
    # instead of the headers being cut to "varia…".
    table.add_column(header, justify="right", no_wrap=True, min_width=len(header))


def comparison_table(summary: pd.DataFrame, variant: str) -> Table:
    """The rich table of one variant against the baseline."""
    table = Table(
        title=f"baseline vs {variant} (means per run of the whole horizon)",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    table.add_column("KPI", overflow="fold", ratio=1)
    for header in ("baseline", "variant", "change", "95% CI", "better"):
        _number_column(table, header)
    rows = summary[summary["variant"] == variant].set_index("kpi")
    team_kpis = [kpi for kpi in rows.index if "__" in kpi]
    for kpi in (*REPORT_KPIS, *team_kpis):
        if kpi not in rows.index or not _shown(rows, kpi):
            continue
        row = rows.loc[kpi]
        table.add_row(
            _label(kpi),
            number(row.baseline_mean),
            number(row.variant_mean),
            _percent(row.rel_change),
            _relative_interval(row),
            better_cell(kpi, row),
            style="bold" if kpi == HEADLINE_KPI else None,
        )
    return table


def print_report(console: Console, summary: pd.DataFrame, runs: int) -> None:
    """Headline sentences, then one table per variant."""
    for variant in dict.fromkeys(summary["variant"]):
        console.print(headline(summary, variant, runs), style="bold")
        console.print(comparison_table(summary, variant))
    console.print(
        "change = variant mean / baseline mean - 1, with its 95% CI in points, over paired runs; "
        "better = share of runs in which the variant beat the baseline (n/a: a count of a "
        "mechanism at work, where neither more nor less is better; =: equal in every run). "
        "MTTR counts every incident, self-healed ones included; human-worked MTTR only those a "
        "person resolved. "
        f"Escalations: {KPI_DESCRIPTIONS['escalations']}; tier escalations: "
        f"{KPI_DESCRIPTIONS['tier_escalations']}. Weekend escalations: "
        f"{KPI_DESCRIPTIONS['weekend_escalations_per_weekend']}, so moving pages to another "
        "site moves them even when no incident changes. "
        "All KPIs, with definitions: summary.csv and README.md.",
        style="dim",
    )


def print_sweep(
    console: Console, table: pd.DataFrame, paths: list[str], kpi: str, runs: int
) -> None:
    """One row per grid point: its settings and the KPI's change with its 95% CI."""
    out = Table(
        title=f"{LABELS.get(kpi, kpi)}: baseline vs each grid point ({runs} paired runs)",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    for path in paths:
        out.add_column(path.removeprefix("automation.").replace(".", " "), justify="right")
    for header in ("baseline", "variant", "change (95% CI)"):
        _number_column(out, header)
    for row in table.itertuples(index=False):
        values = row._asdict()
        out.add_row(
            *(str(value) for value in list(values.values())[: len(paths)]),
            number(row.baseline_mean),
            number(row.variant_mean),
            f"{_percent(row.rel_change)} ({_points(row.rel_ci_low)}..{_points(row.rel_ci_high)})",
        )
    console.print(out)


def precision_line(provenance: dict) -> str:
    """With --precision: the runs used and the precision reached, or that the cap stopped it."""
    target = provenance["precision_target"] * 100
    reached = provenance["precision_reached"]
    reached_text = "no interval (too rare)" if reached is None else f"±{reached * 100:.2f} points"
    kpis = ", ".join(provenance["precision_kpis"])
    if provenance["precision_met"]:
        return (
            f"Precision ±{target:g} points on {kpis} reached after {provenance['runs_used']} "
            f"paired runs (widest 95% CI: {reached_text})."
        )
    return (
        f"Precision ±{target:g} points on {kpis} NOT reached: stopped at the cap of "
        f"{provenance['max_runs']} runs (widest 95% CI: {reached_text}); raise --max-runs."
    )
