"""Slide-ready figures of a results folder: the answer, KPI means, the year, sensitivity, pairing.

Each figure has a data function (the numbers it draws, computed from the results folder's
tables) and a plot function that draws exactly those numbers, at slide size
(:mod:`sim.report.style`), with units on every axis. The per-person and hour-of-week figures are
in :mod:`sim.report.figures_people`.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from sim.report.style import BASELINE_COLOUR, new_figure, slide_figure
from sim.stats import mean_ci

#: Display name and unit of the KPIs the report draws ({horizon}: "a year", "per 26 weeks"...).
KPI_AXIS: dict[str, tuple[str, str]] = {
    "weekend_escalations_per_weekend": ("Weekend escalations", "incidents per weekend"),
    "interruptions_sleep": ("Sleep-hour pages", "pages {horizon}"),
    "interruptions_off": ("Off-hours pages", "pages {horizon}"),
    "interruptions_business": ("Business-hours pages", "pages {horizon}"),
    "pages": ("Pages", "pages {horizon}"),
    "mttr_mean_minutes": ("Mean time to resolve", "minutes"),
    "mttr_human_mean_minutes": ("Time to resolve, human-worked", "minutes"),
    "mttr_median_minutes": ("Median time to resolve", "minutes"),
    "mtta_median_minutes": ("Median time to acknowledge", "minutes"),
    "time_to_page_mean_minutes": ("Mean time to the first page", "minutes"),
    "deferred_alerts": ("Alerts deferred to support hours", "alerts {horizon}"),
    "impact_hours": ("Incident impact", "hours {horizon}"),
    "engineers_over_19_per_month": ("Engineers over 19 pages a month", "engineers per month"),
}


def horizon_words(weeks: int) -> str:
    """How a per-run total reads: 'a year' for 52 weeks, else 'per N weeks'."""
    return "a year" if weeks == 52 else f"per {weeks} weeks"


def kpi_axis_label(kpi: str, weeks: int) -> str:
    """'Sleep-hour pages (pages a year)': the KPI's name and unit for an axis."""
    name, unit = KPI_AXIS.get(kpi, (kpi.replace("_", " ").capitalize(), "per run"))
    return f"{name} ({unit.format(horizon=horizon_words(weeks))})"


def _wrap(text: str, width: int = 18) -> str:
    return textwrap.fill(str(text), width, break_on_hyphens=True)


def headline_data(summary: pd.DataFrame, kpi: str, variants: Sequence[str]) -> pd.DataFrame:
    """Rows of ``summary`` for ``kpi`` and the variants, in the given order; relative values
    in percent (columns change, low, high, p_better)."""
    rows = summary[summary["kpi"] == kpi].set_index("variant")
    names = [name for name in variants if name in rows.index]
    rows = rows.loc[names]
    return pd.DataFrame(
        {
            "change": rows["rel_change"].to_numpy(float) * 100,
            "low": rows["rel_ci_low"].to_numpy(float) * 100,
            "high": rows["rel_ci_high"].to_numpy(float) * 100,
            "p_better": rows["p_better"].to_numpy(float),
        },
        index=pd.Index(names, name="variant"),
    )


@slide_figure
def plot_headline(
    summary: pd.DataFrame, kpi: str, variants: Sequence[str], colours: dict[str, str], weeks: int
) -> Figure:
    """Relative change of ``kpi`` per variant against the baseline, with its 95% CI and the
    share of paired runs in which the variant was better (one row per variant)."""
    data = headline_data(summary, kpi, variants)
    figure = new_figure()
    ax = figure.add_subplot()
    positions = np.arange(len(data))[::-1]
    ax.axvline(0, color=BASELINE_COLOUR, linewidth=1.5)
    for y, (name, row) in zip(positions, data.iterrows(), strict=True):
        error = np.nan_to_num([[row.change - row.low], [row.high - row.change]])
        ax.errorbar(
            row.change,
            y,
            xerr=error,
            fmt="o",
            color=colours[name],
            markersize=12,
            capsize=8,
            elinewidth=3,
        )
        interval = "" if np.isnan(row.low) else f" (95% CI {row.low:+.1f} to {row.high:+.1f})"
        end = row.change if np.isnan(row.high) else row.high
        ax.annotate(
            f"{row.change:+.1f}%{interval}\nbetter in {row.p_better:.0%} of paired runs",
            (end, y),
            xytext=(14, 0),
            textcoords="offset points",
            ha="left",
            va="center",
            fontsize=15,
            bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.9},
        )
    ax.set_yticks(positions, [_wrap(name, 24) for name in data.index])
    ax.set_ylim(-0.7, len(data) - 0.3)
    low = min(0.0, np.nanmin(data["low"].fillna(data["change"])))
    high = max(0.0, np.nanmax(data["high"].fillna(data["change"])))
    span = high - low or 1.0
    ax.set_xlim(low - 0.08 * span, high + 0.75 * span)
    ax.set_xlabel(f"Change in {kpi_axis_label(kpi, weeks).lower()} against the baseline, %")
    ax.spines["left"].set_visible(False)
    ax.tick_params(axis="y", length=0)
    return figure


def means_data(runs: pd.DataFrame, kpi: str, variants: Sequence[str]) -> pd.DataFrame:
    """Mean of ``kpi`` over the runs per variant with its 95% t interval (columns mean, low,
    high), in the given order."""
    rows = [
        mean_ci(runs.loc[runs["variant"].astype(str) == name, kpi].to_numpy()) for name in variants
    ]
    return pd.DataFrame(rows, columns=["mean", "low", "high"], index=pd.Index(variants))


@slide_figure
def plot_kpi_bars(
    runs: pd.DataFrame,
    kpis: Sequence[str],
    variants: Sequence[str],
    colours: dict[str, str],
    weeks: int,
) -> Figure:
    """One panel per KPI: its mean per run for the baseline and each variant (horizontal bars,
    the baseline on top) with 95% CIs, the value written at the end of each bar."""
    figure = new_figure()
    axes = figure.subplots(1, len(kpis), squeeze=False, sharey=True)[0]
    positions = np.arange(len(variants))[::-1]
    for ax, kpi in zip(axes, kpis, strict=True):
        data = means_data(runs, kpi, variants)
        error = np.nan_to_num(np.vstack([data["mean"] - data["low"], data["high"] - data["mean"]]))
        ax.barh(
            positions,
            data["mean"],
            xerr=error,
            capsize=5,
            height=0.7,
            color=[colours[name] for name in data.index],
            error_kw={"elinewidth": 2},
        )
        top = max(np.nanmax(data["high"].fillna(data["mean"])), 1e-9)
        for y, value in zip(positions, data["mean"], strict=True):
            ax.annotate(
                _value(value),
                (top * 1.06, y),
                ha="left",
                va="center",
                fontsize=15,
            )
        ax.set_xlim(0, top * 1.5)
        ax.xaxis.set_major_locator(MaxNLocator(nbins=4))
        ax.set_xlabel(_wrap(kpi_axis_label(kpi, weeks), max(16, 84 // len(kpis))))
        ax.tick_params(axis="y", length=0)
        ax.spines["left"].set_visible(False)
    axes[0].set_yticks(positions, [_wrap(name, 22) for name in variants])
    return figure


def _value(value: float) -> str:
    if np.isnan(value):
        return "n/a"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.1f}" if abs(value) >= 10 else f"{value:.2f}"


def weekly_data(weekly: pd.DataFrame, column: str, variants: Sequence[str]) -> pd.DataFrame:
    """Mean of ``column`` per week over the runs: one column per variant, one row per week."""
    table = weekly[weekly["variant"].astype(str).isin(variants)]
    means = table.groupby([table["variant"].astype(str), "week"])[column].mean().unstack(0)
    return means[[name for name in variants if name in means.columns]]


@slide_figure
def plot_weekly(
    weekly: pd.DataFrame,
    column: str,
    variants: Sequence[str],
    colours: dict[str, str],
    start_date: dt.date,
    unit: str = "pages per week",
) -> Figure:
    """Mean per week over the runs of one ``weekly.parquet`` column, a line per variant, on
    the calendar of the horizon."""
    data = weekly_data(weekly, column, variants)
    figure = new_figure()
    ax = figure.add_subplot()
    dates = [start_date + dt.timedelta(weeks=int(week)) for week in data.index]
    for name in data.columns:
        ax.plot(dates, data[name], color=colours[name], linewidth=3, label=name)
    ax.set_ylim(bottom=0)
    ax.set_ylabel(f"{unit.capitalize()}\n(mean over runs)")
    ax.set_xlabel("Week starting")
    ax.legend(loc="upper left", ncols=min(len(data.columns), 4), bbox_to_anchor=(0, 1.12))
    ax.grid(axis="y", alpha=0.3)
    return figure


def tornado_data(sweep: pd.DataFrame) -> pd.DataFrame:
    """Main effects of a sweep: per swept setting, the mean relative change (percent) at its
    lowest and highest effect over its values, averaged over the other settings. Rows
    (setting) sorted by range, widest first; columns low, high, low_value, high_value."""
    settings = list(sweep.columns[: list(sweep.columns).index("baseline_mean")])
    rows = []
    for setting in settings:
        effect = sweep.groupby(setting)["rel_change"].mean() * 100
        if len(effect) < 2:
            continue
        rows.append(
            {
                "setting": setting,
                "low": effect.min(),
                "high": effect.max(),
                "low_value": effect.idxmin(),
                "high_value": effect.idxmax(),
            }
        )
    table = pd.DataFrame(rows, columns=["setting", "low", "high", "low_value", "high_value"])
    table = table.set_index("setting")
    return table.loc[(table["high"] - table["low"]).sort_values(ascending=False).index]


@slide_figure
def plot_tornado(sweep: pd.DataFrame, kpi: str, weeks: int) -> Figure:
    """Tornado chart of a sweep: per setting, the span of the change in ``kpi`` it causes."""
    data = tornado_data(sweep)
    figure = new_figure()
    ax = figure.add_subplot()
    positions = np.arange(len(data))[::-1]
    ax.barh(positions, data["high"] - data["low"], left=data["low"], color="#0072B2", height=0.5)
    for y, row in zip(positions, data.itertuples(), strict=True):
        ax.annotate(
            f"{row.low_value}",
            (row.low, y),
            xytext=(-8, 0),
            textcoords="offset points",
            ha="right",
            va="center",
            fontsize=15,
        )
        ax.annotate(
            f"{row.high_value}",
            (row.high, y),
            xytext=(8, 0),
            textcoords="offset points",
            ha="left",
            va="center",
            fontsize=15,
        )
    ax.set_yticks(positions, [_wrap(name.removeprefix("automation."), 30) for name in data.index])
    ax.axvline(0, color=BASELINE_COLOUR, linewidth=1.5)
    ax.set_xlabel(f"Change in {kpi_axis_label(kpi, weeks).lower()} against the baseline, %")
    low, high = data["low"].min(), data["high"].max()
    pad = 0.2 * ((max(high, 0) - min(low, 0)) or 1.0)
    ax.set_xlim(min(low, 0) - pad, max(high, 0) + pad)
    return figure


def paired_differences_data(runs: pd.DataFrame, kpi: str, variant: str) -> pd.Series:
    """Per run, the variant's value of ``kpi`` minus the baseline's (indexed by run)."""
    table = runs.assign(variant=runs["variant"].astype(str))
    wide = table[table["variant"].isin(["baseline", variant])].pivot(
        index="run", columns="variant", values=kpi
    )
    return (wide[variant] - wide["baseline"]).dropna()


@slide_figure
def plot_paired_differences(
    runs: pd.DataFrame, kpi: str, variant: str, colour: str, weeks: int
) -> Figure:
    """Histogram of the paired differences of ``kpi`` (variant minus baseline, one per run)
    with lines at 0 and at their mean."""
    data = paired_differences_data(runs, kpi, variant)
    figure = new_figure()
    ax = figure.add_subplot()
    bins = min(40, max(5, int(np.sqrt(len(data))) * 2))
    ax.hist(data, bins=bins, color=colour, edgecolor="white")
    ax.axvline(0, color=BASELINE_COLOUR, linewidth=2, linestyle="--")
    ax.axvline(data.mean(), color="black", linewidth=2)
    ax.annotate(
        "no change",
        (0, 1),
        xycoords=("data", "axes fraction"),
        xytext=(-6, -4),
        textcoords="offset points",
        ha="right",
        va="top",
        fontsize=15,
        color=BASELINE_COLOUR,
    )
    ax.annotate(
        f"mean {data.mean():+.2f}",
        (data.mean(), ax.get_ylim()[1]),
        xytext=(8, -22),
        textcoords="offset points",
        fontsize=15,
    )
    ax.set_xlabel(f"{variant} minus baseline in the same run: {kpi_axis_label(kpi, weeks).lower()}")
    ax.set_ylabel("Paired runs")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    return figure
