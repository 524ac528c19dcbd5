"""The sensitivity table in the terminal, and its figure: a tornado for one-at-a-time ranges, a
ranked bar chart of the indices for Morris and Sobol (`sim.experiment.sensitivity`)."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
from rich import box
from rich.console import Console
from rich.table import Table


def _number(value: float) -> str:
    if math.isnan(value):
        return "n/a"
    return f"{value:.3g}"


def print_sensitivity(console: Console, table: pd.DataFrame) -> None:
    """One row per parameter, ranked: the effect with its 95% CI."""
    method, kpi, runs = table["method"].iloc[0], table["kpi"].iloc[0], table["runs"].iloc[0]
    measure = table["effect_measure"].iloc[0]
    out = Table(
        title=f"Sensitivity of {kpi} ({method}, {measure}, {runs} paired runs per point)",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    for name in ("rank", "parameter", "range", "effect (95% CI)"):
        out.add_column(name, justify="left" if name == "parameter" else "right", no_wrap=True)
    if method == "oat":
        out.add_column("KPI at low -> high", justify="right", no_wrap=True)
    for row in table.itertuples(index=False):
        cells = [
            str(row.rank),
            row.parameter,
            f"{row.low:g}..{row.high:g}",
            f"{_number(row.effect)} ({_number(row.effect_ci_low)}..{_number(row.effect_ci_high)})",
        ]
        if method == "oat":
            cells.append(f"{_number(row.kpi_at_low)} -> {_number(row.kpi_at_high)}")
        out.add_row(*cells)
    console.print(out)


def figure_name(method: str) -> str:
    """File name of the figure in the results folder."""
    return "tornado.png" if method == "oat" else "sensitivity.png"


def write_sensitivity_figure(table: pd.DataFrame, folder: Path) -> Path:
    """Write the figure of the table into the results folder, atomically."""
    from sim.experiment.results import atomic_write

    path = folder / figure_name(table["method"].iloc[0])
    atomic_write(path, lambda temporary: plot_sensitivity(table, temporary))
    return path


def plot_sensitivity(table: pd.DataFrame, path: Path) -> Path:
    """Write the figure of the table to ``path`` (PNG) and return it.

    oat: a tornado, one bar per parameter from the KPI at LOW to the KPI at HIGH, relative to
    the baseline mean, the largest effect on top. morris, sobol: the effect of each parameter
    with its 95% CI, largest on top.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ordered = table.sort_values("rank", ascending=False, kind="stable")
    method, kpi = ordered["method"].iloc[0], ordered["kpi"].iloc[0]
    figure, axes = plt.subplots(figsize=(9, 0.55 * len(ordered) + 1.8))
    labels = ordered["parameter"].tolist()
    if method == "oat":
        baseline = ordered["baseline_mean"].iloc[0]
        scale = 100 / baseline if baseline else 1.0
        low = (ordered["kpi_at_low"] - baseline) * scale
        high = (ordered["kpi_at_high"] - baseline) * scale
        left = pd.concat([low, high], axis=1).min(axis=1)
        axes.barh(labels, (high - low).abs(), left=left, color="#c8c8c8")
        axes.scatter(low, labels, color="#4c72b0", zorder=3, label="at LOW")
        axes.scatter(high, labels, color="#dd8452", zorder=3, label="at HIGH")
        axes.axvline(0, color="black", linewidth=0.8)
        unit = "% change" if baseline else "change"
        axes.set_xlabel(f"{kpi}, {unit} from the scenario as written")
        smallest = min(low.min(), high.min(), 0.0)
        largest = max(low.max(), high.max(), 0.0)
        pad = 0.08 * (largest - smallest) or 1.0
        axes.set_xlim(smallest - pad, largest + pad)
        axes.legend(loc="best", frameon=False)
        axes.set_title("Each input LOW to HIGH, the others as in the scenario", fontsize=10)
    else:
        effect = ordered["effect"]
        errors = [effect - ordered["effect_ci_low"], ordered["effect_ci_high"] - effect]
        axes.barh(labels, effect, xerr=errors, color="#4c72b0", capsize=3)
        axes.set_xlabel(f"{kpi}: {ordered['effect_measure'].iloc[0]} (95% CI)")
        axes.set_title(f"{method.capitalize()}: which inputs move the KPI", fontsize=10)
    figure.tight_layout()
    figure.savefig(path, dpi=120, format="png")
    plt.close(figure)
    return path
