"""Plots of experiment results: KPI means per variant, and the paired change against the baseline.

Every function draws on a given Matplotlib ``Axes`` or, without one, on a new
:class:`matplotlib.figure.Figure` that is not registered with pyplot (nothing to close, no
global state, safe on the Agg backend and in worker processes). Each returns the figure drawn on.
"""

from __future__ import annotations

import math
import textwrap

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.metrics import KPI_DESCRIPTIONS
from sim.stats import mean_ci

__all__ = ["plot_kpi_means", "plot_paired_change"]

_FIGSIZE = (5.5, 4.0)
_REL_COLUMNS = ("rel_change", "rel_ci_low", "rel_ci_high")
_POINT = {"fmt": "o", "capsize": 6, "markersize": 7, "elinewidth": 1.5}


def _axes(ax: Axes | None) -> tuple[Figure, Axes]:
    if ax is not None:
        return ax.figure, ax  # type: ignore[return-value]
    figure = Figure(figsize=_FIGSIZE, layout="constrained")
    return figure, figure.add_subplot()


def _describe(kpi: str, width: int = 45) -> str:
    """The KPI's plain-English description, capitalised and wrapped for an axis label."""
    text = KPI_DESCRIPTIONS.get(kpi, kpi.replace("_", " "))
    return textwrap.fill(text[:1].upper() + text[1:], width)


def _tick_label(name: str) -> str:
    return textwrap.fill(str(name), 16, break_on_hyphens=True)


def _half_widths(centers: np.ndarray, lows: np.ndarray, highs: np.ndarray) -> np.ndarray:
    """Asymmetric error-bar lengths (2, n); an undefined bound (NaN) draws no bar."""
    return np.nan_to_num(np.vstack([centers - lows, highs - centers]), nan=0.0)


def _variants(runs: pd.DataFrame) -> list:
    """Variants in their categorical order, or order of first appearance."""
    column = runs["variant"]
    if isinstance(column.dtype, pd.CategoricalDtype):
        present = set(column.unique())
        return [name for name in column.cat.categories if name in present]
    return list(dict.fromkeys(column))


def plot_kpi_means(
    runs: pd.DataFrame, kpi: str, ax: Axes | None = None, confidence: float = 0.95
) -> Figure:
    """Mean of one KPI per variant, with its t confidence interval over the runs.

    Args:
        runs: Tidy per-run results (``ExperimentResult.runs``): columns ``variant`` and ``kpi``.
        kpi: KPI column to plot.
        ax: Axes to draw on (default: a new figure).
        confidence: Confidence level of the intervals (see :func:`sim.stats.mean_ci`).

    Returns:
        The figure drawn on: one point with error bars per variant, variants left to right.
    """
    figure, ax = _axes(ax)
    names = _variants(runs)
    stats = np.array(
        [mean_ci(runs.loc[runs["variant"] == name, kpi].to_numpy(), confidence) for name in names]
    ).reshape(-1, 3)
    means, lows, highs = stats.T
    positions = np.arange(len(names))
    ax.errorbar(positions, means, yerr=_half_widths(means, lows, highs), **_POINT)
    for x, mean in zip(positions, means, strict=True):
        if not math.isnan(mean):
            ax.annotate(
                f"{mean:,.3g}", (x, mean), xytext=(10, 0), textcoords="offset points", va="center"
            )
    ax.set_xticks(positions, [_tick_label(name) for name in names])
    ax.set_xlim(-0.6, len(names) - 0.4)
    if len(lows) and np.nanmin(np.concatenate([lows, means])) >= 0:
        ax.set_ylim(bottom=0)
    ax.set_xlabel("Variant")
    ax.set_ylabel(_describe(kpi))
    runs_per_variant = int(runs.groupby("variant", observed=True).size().max()) if len(runs) else 0
    ax.set_title(f"Mean over {runs_per_variant} runs, {confidence:.0%} CI")
    ax.grid(axis="y", alpha=0.3)
    return figure


def plot_paired_change(
    summary: pd.DataFrame, kpi: str, ax: Axes | None = None, confidence: float = 0.95
) -> Figure:
    """Relative change of one KPI per variant against the baseline, in percent, with its CI.

    Args:
        summary: The paired comparison table (``ExperimentResult.compare()`` or
            :func:`sim.stats.compare`): columns ``kpi``, ``variant``, ``rel_change``,
            ``rel_ci_low``, ``rel_ci_high`` (fractions of the baseline mean).
        kpi: KPI to plot.
        ax: Axes to draw on (default: a new figure).
        confidence: The level ``summary`` was computed at; only labels the plot.

    Returns:
        The figure drawn on: one point with error bars per variant, and a line at 0 %.

    Raises:
        ValueError: if ``summary`` has no row for ``kpi``.
    """
    rows = summary[summary["kpi"] == kpi]
    if rows.empty:
        raise ValueError(f"no comparison rows for KPI {kpi!r}")
    figure, ax = _axes(ax)
    change, low, high = (rows[c].to_numpy(dtype=float) * 100 for c in _REL_COLUMNS)
    positions = np.arange(len(rows))
    ax.axhline(0, color="0.3", linewidth=1, zorder=0)
    ax.errorbar(positions, change, yerr=_half_widths(change, low, high), color="C1", **_POINT)
    for x, value, lo, hi in zip(positions, change, low, high, strict=True):
        label = f"{value:+.1f}%" + ("" if math.isnan(lo) else f"\n[{lo:+.1f}, {hi:+.1f}]")
        ax.annotate(label, (x, value), xytext=(10, 0), textcoords="offset points", va="center")
    ax.set_xticks(positions, [_tick_label(name) for name in rows["variant"]])
    ax.set_xlim(-0.6, len(rows) - 0.4)
    ax.set_xlabel("Variant")
    ax.set_ylabel(f"Change against baseline, %\n{_describe(kpi)}")
    ax.set_title(f"Paired change, {confidence:.0%} CI (common random numbers)")
    ax.grid(axis="y", alpha=0.3)
    return figure
