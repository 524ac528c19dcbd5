"""Slide-ready figures of when people are paged and who carries it (from the detail files)."""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
from matplotlib.colors import Normalize, TwoSlopeNorm
from matplotlib.figure import Figure

from sim.report.style import (
    CHANGE_COLOURMAP,
    COUNT_COLOURMAP,
    new_figure,
    slide_figure,
)

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
#: Pages in a 30-day month above which an engineer is at the burnout level a paging vendor
#: reports for its top decile.
BURNOUT_PAGES_PER_MONTH = 19
#: On-call share guidance (Google SRE: at most 25% of time on call).
ONCALL_SHARE_GUIDANCE = 0.25


def hour_of_week_data(pages_by_hour: pd.DataFrame, variant: str, runs: int) -> np.ndarray:
    """(7, 24) mean pages per run in each local hour of the week (Monday first), all bands;
    ``runs`` is the number of runs the table covers (cells absent from it are 0)."""
    table = pages_by_hour[pages_by_hour["variant"].astype(str) == variant]
    totals = np.bincount(
        table["hour_of_week"].to_numpy(np.int64),
        weights=table["pages"].to_numpy(float),
        minlength=168,
    )
    return (totals / max(runs, 1)).reshape(7, 24)


def _heatmap(figure: Figure, ax, cells: np.ndarray, title: str, cmap: str, norm, unit: str):
    image = ax.imshow(cells, aspect="auto", cmap=cmap, norm=norm, interpolation="nearest")
    ax.set_title(title, fontsize=16)
    ax.set_yticks(range(7), DAYS)
    ax.set_xticks([0, 6, 12, 18, 23], ["00", "06", "12", "18", "23"])
    ax.set_xlabel("Local hour of the person paged")
    for spine in ax.spines.values():
        spine.set_visible(False)
    bar = figure.colorbar(image, ax=ax, orientation="horizontal", location="bottom", shrink=0.9)
    bar.set_label(unit, fontsize=14)
    bar.ax.tick_params(labelsize=14)
    return image


@slide_figure
def plot_hour_of_week(
    pages_by_hour: pd.DataFrame, variant: str, runs: int, horizon: str = "a year"
) -> Figure:
    """Three 7 x 24 heatmaps of pages by local hour of week: baseline, ``variant``, and the
    variant minus the baseline (diverging colours centred on no change)."""
    baseline = hour_of_week_data(pages_by_hour, "baseline", runs)
    changed = hour_of_week_data(pages_by_hour, variant, runs)
    difference = changed - baseline
    figure = new_figure()
    axes = figure.subplots(1, 3, sharey=True)
    top = max(baseline.max(), changed.max(), 1e-9)
    unit = f"Pages in that hour, {horizon}"
    _heatmap(figure, axes[0], baseline, "baseline", COUNT_COLOURMAP, Normalize(0, top), unit)
    _heatmap(
        figure,
        axes[1],
        changed,
        textwrap.shorten(variant, 34),
        COUNT_COLOURMAP,
        Normalize(0, top),
        unit,
    )
    reach = max(abs(difference).max(), 1e-9)
    _heatmap(
        figure,
        axes[2],
        difference,
        "difference (variant - baseline)",
        CHANGE_COLOURMAP,
        TwoSlopeNorm(0, -reach, reach),
        f"Change in pages, {horizon}",
    )
    return figure


def people_data(people: pd.DataFrame, variant: str, months: float) -> pd.DataFrame:
    """Engineers' mean pages and sleep-hour pages per 30-day month over the runs, baseline and
    ``variant`` side by side, sorted by the baseline's pages (most paged first). Columns:
    team, pages_baseline, pages_variant, sleep_baseline, sleep_variant."""
    engineers = people[people["role"].astype(str) == "engineer"]
    columns = {}
    for name, label in (("baseline", "baseline"), (variant, "variant")):
        table = engineers[engineers["variant"].astype(str) == name]
        grouped = table.groupby(table["person"].astype(str))
        columns[f"pages_{label}"] = grouped["pages"].mean() / months
        columns[f"sleep_{label}"] = grouped["pages_sleep"].mean() / months
        if label == "baseline":
            columns["team"] = grouped["team"].first().astype(str)
    data = pd.DataFrame(columns)
    data.index.name = "person"
    return data.sort_values("pages_baseline", ascending=False, kind="stable")


def team_share_data(people: pd.DataFrame, variant: str) -> pd.DataFrame:
    """Per team, the largest on-call share of its engineers (mean over runs), baseline and
    ``variant`` (columns baseline, variant), in team order."""
    engineers = people[people["role"].astype(str) == "engineer"]
    columns = {}
    for name in ("baseline", variant):
        table = engineers[engineers["variant"].astype(str) == name]
        per_run = table.groupby([table["team"].astype(str), "run"], sort=False)["oncall_share"]
        columns["baseline" if name == "baseline" else "variant"] = (
            per_run.max().groupby(level=0, sort=False).mean()
        )
    return pd.DataFrame(columns)


@slide_figure
def plot_people_load(
    people: pd.DataFrame, variant: str, months: float, colours: dict[str, str]
) -> Figure:
    """Left: pages per month of each engineer (baseline and ``variant``, most paged first) with
    the burnout level; right: each team's top on-call share against the 25% guidance."""
    data = people_data(people, variant, months)
    shares = team_share_data(people, variant)
    figure = new_figure()
    left, right = figure.subplots(1, 2, width_ratios=[3.2, 1])
    positions = np.arange(len(data))
    width = 0.42
    left.bar(
        positions - width / 2,
        data["pages_baseline"],
        width,
        color=colours["baseline"],
        label="baseline",
    )
    left.bar(
        positions + width / 2,
        data["pages_variant"],
        width,
        color=colours[variant],
        label=textwrap.shorten(variant, 34),
    )
    left.axhline(BURNOUT_PAGES_PER_MONTH, color="black", linestyle="--", linewidth=1.5)
    left.annotate(
        f"burnout level: {BURNOUT_PAGES_PER_MONTH} pages a month",
        (len(data) - 0.5, BURNOUT_PAGES_PER_MONTH),
        xytext=(0, 6),
        textcoords="offset points",
        ha="right",
        fontsize=14,
    )
    left.set_xticks(positions, list(data.index), rotation=90, fontsize=14)
    left.set_xlim(-0.6, len(data) - 0.4)
    left.set_ylabel("Pages per engineer\n(per 30-day month)")
    left.set_ylim(
        0, max(data[["pages_baseline", "pages_variant"]].max().max(), BURNOUT_PAGES_PER_MONTH) * 1.2
    )
    left.legend(loc="upper right", ncols=2, bbox_to_anchor=(1, 0.86))

    team_positions = np.arange(len(shares))
    right.bar(
        team_positions - width / 2, shares["baseline"] * 100, width, color=colours["baseline"]
    )
    right.bar(team_positions + width / 2, shares["variant"] * 100, width, color=colours[variant])
    right.axhline(ONCALL_SHARE_GUIDANCE * 100, color="black", linestyle="--", linewidth=1.5)
    right.set_title("dashed: 25% guidance", fontsize=14, loc="right")
    right.set_xticks(team_positions, list(shares.index), rotation=90, fontsize=14)
    right.set_ylabel("Top on-call share\nin the team, % of time")
    right.set_ylim(0, max(shares.max().max() * 100, 25) * 1.25)
    for ax in (left, right):
        ax.tick_params(axis="x", length=0)
    return figure
