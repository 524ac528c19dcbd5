"""The words of a report: numbers formatted one way, and titles that state the finding.

Every number a title or a bullet shows comes from ``summary.csv`` through :func:`number` and
:func:`percent` (tests compare the text with the file), except where a sentence says it is
computed from a detail file.
"""

from __future__ import annotations

import math

import pandas as pd

HEADLINE_KPI = "weekend_escalations_per_weekend"

#: How a KPI reads in a sentence (lower case, plural).
KPI_WORDS: dict[str, str] = {
    "weekend_escalations_per_weekend": "weekend escalations",
    "interruptions_sleep": "sleep-hour pages",
    "interruptions_off": "off-hours pages",
    "interruptions_business": "business-hours pages",
    "pages": "pages",
    "mttr_mean_minutes": "mean time to resolve",
    "mttr_human_mean_minutes": "mean time to resolve what people handle",
    "mttr_median_minutes": "median time to resolve",
    "mtta_median_minutes": "median time to acknowledge",
    "time_to_page_mean_minutes": "time to the first page",
    "deferred_alerts": "alerts deferred to support hours",
    "impact_hours": "hours of incident impact",
    "engineers_over_19_per_month": "engineers over 19 pages a month",
    "oncall_share_max": "top on-call share",
    "quiet_weekend_share": "quiet engineer-weekends",
    "pages_gini": "Gini of pages across engineers (0 = equal)",
}
#: KPIs that are shares, shown as percentages.
SHARE_KPIS = frozenset({"quiet_weekend_share", "oncall_share_max", "shift_overload_share"})


def number(value: float) -> str:
    """A KPI value as the reports show it: 2,272 / 58.9 / 4.26 / n/a."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    magnitude = abs(value)
    if magnitude >= 100:
        return f"{value:,.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def percent(fraction: float, decimals: int = 1, sign: bool = True) -> str:
    """A fraction as a percentage: -0.302 -> '-30.2%' (no sign: '30.2%')."""
    if fraction is None or math.isnan(fraction):
        return "n/a"
    value = fraction * 100 + 0.0
    return f"{value:+.{decimals}f}%" if sign else f"{abs(value):.{decimals}f}%"


def row(summary: pd.DataFrame, kpi: str, variant: str) -> pd.Series | None:
    """The summary row of one KPI and variant (None when absent)."""
    rows = summary[(summary["kpi"] == kpi) & (summary["variant"] == variant)]
    return None if rows.empty else rows.iloc[0]


def clear_change(entry: pd.Series) -> bool:
    """The 95% CI of the relative change excludes 0."""
    low, high = entry.rel_ci_low, entry.rel_ci_high
    return not (math.isnan(low) or math.isnan(high)) and (low > 0 or high < 0)


def change_phrase(entry: pd.Series, singular: bool = False) -> str:
    """'fall 30% (95% CI 30.0-30.3%)', 'rise 5% (95% CI 1.2-8.8%)' or 'do not change clearly
    (+0.4%, 95% CI -1.0 to +1.8%)' ('falls', 'does not' for a ``singular`` subject)."""
    ending = "s" if singular else ""
    change = entry.rel_change
    if math.isnan(change):
        return f"go{'es' if singular else ''} from {number(entry.baseline_mean)} to " + number(
            entry.variant_mean
        )
    if not clear_change(entry):
        return (
            f"do{'es' if singular else ''} not change clearly ({percent(change)}, "
            f"95% CI {percent(entry.rel_ci_low)} to "
            f"{percent(entry.rel_ci_high)})"
        )
    verb = ("fall" if change < 0 else "rise") + ending
    bounds = sorted([abs(entry.rel_ci_low) * 100, abs(entry.rel_ci_high) * 100])
    return f"{verb} {percent(change, 0, sign=False)} (95% CI {bounds[0]:.1f}-{bounds[1]:.1f}%)"


def short_change(entry: pd.Series, singular: bool = False) -> str:
    """'falls 28%', 'rises 4%' or 'is unchanged' (within its 95% CI), for a title's second
    clause ('fall', 'are unchanged' when not ``singular``)."""
    if math.isnan(entry.rel_change) or not clear_change(entry):
        return "is unchanged" if singular else "are unchanged"
    verb = "fall" if entry.rel_change < 0 else "rise"
    return f"{verb}{'s' if singular else ''} {percent(entry.rel_change, 0, sign=False)}"


def answer_title(summary: pd.DataFrame, variant: str) -> str:
    """'Weekend escalations fall 30% (95% CI 30.0-30.3%) with <variant>'."""
    entry = row(summary, HEADLINE_KPI, variant)
    if entry is None:
        return f"{variant}: no headline KPI in summary.csv"
    return f"Weekend escalations {change_phrase(entry)} with {variant}"


def answer_sentence(summary: pd.DataFrame, variant: str, runs: int) -> str:
    """The headline in one sentence with its interval and the share of runs that improved."""
    entry = row(summary, HEADLINE_KPI, variant)
    if entry is None:
        return ""
    return (
        f"{variant}: weekend escalations per weekend {number(entry.baseline_mean)} → "
        f"{number(entry.variant_mean)} ({percent(entry.rel_change)}, 95% CI "
        f"{percent(entry.rel_ci_low)} to {percent(entry.rel_ci_high)}); better than the "
        f"baseline in {entry.p_better * 100:.0f}% of {runs} paired runs."
    )


def from_to(summary: pd.DataFrame, kpi: str, variant: str, unit: str = "") -> str:
    """'820 → 539 sleep-hour pages a year (-34.2%, 95% CI -34.3% to -34.1%)'."""
    entry = row(summary, kpi, variant)
    if entry is None:
        return ""
    words = KPI_WORDS.get(kpi, kpi.replace("_", " "))
    interval = (
        ""
        if math.isnan(entry.rel_change)
        else f" ({percent(entry.rel_change)}, 95% CI {percent(entry.rel_ci_low)} to "
        f"{percent(entry.rel_ci_high)})"
    )
    suffix = f" {unit}" if unit else ""
    show = (lambda value: percent(value, 0, sign=False)) if kpi in SHARE_KPIS else number
    return (
        f"{words[:1].upper() + words[1:]}: {show(entry.baseline_mean)} → "
        f"{show(entry.variant_mean)}{suffix}{interval}"
    )
