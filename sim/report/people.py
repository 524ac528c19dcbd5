"""Who carries it, in the terminal: per person or per team, baseline against a variant.

Everything comes from ``people.parquet`` (means over the runs of each person's pages, sleep-hour
pages, weekend pages and on-call share), so the person behind "sleep pages, top engineer" has a
name.
"""

from __future__ import annotations

import pandas as pd
from rich import box
from rich.table import Table

#: Columns of the per-person view: people.parquet column -> heading.
VIEW_COLUMNS = {
    "pages": "pages",
    "pages_sleep": "sleep pages",
    "weekend_pages": "weekend pages",
    "disrupted_hours": "disrupted h",
    "oncall_share": "on-call share",
}


def carried_by(people: pd.DataFrame, variant: str, by: str) -> pd.DataFrame:
    """Means over the runs per person (``by='person'``, engineers and managers) or per team
    (``by='team'``: pages summed over the team's people, on-call share the largest of its
    engineers), baseline and ``variant``: columns ``<column>_baseline``, ``<column>_variant``
    for each of :data:`VIEW_COLUMNS`, plus ``team``. Sorted by baseline pages, most first."""
    if by not in ("person", "team"):
        raise ValueError(f"--by must be person or team, not {by!r}")
    frames = {}
    for name, label in (("baseline", "baseline"), (variant, "variant")):
        table = people[people["variant"].astype(str) == name].assign(
            person=lambda frame: frame["person"].astype(str),
            team=lambda frame: frame["team"].astype(str),
        )
        if by == "person":
            grouped = table.groupby("person", sort=False)
            means = grouped[list(VIEW_COLUMNS)].mean()
            means["team"] = grouped["team"].first()
        else:
            per_run = table.groupby(["team", "run"], sort=False)
            sums = per_run[[c for c in VIEW_COLUMNS if c != "oncall_share"]].sum()
            sums["oncall_share"] = per_run["oncall_share"].max()
            means = sums.groupby(level="team", sort=False).mean()
            means["team"] = means.index
        frames[label] = means
    data = frames["baseline"][["team"]].copy()
    for column in VIEW_COLUMNS:
        for label, frame in frames.items():
            data[f"{column}_{label}"] = frame[column].reindex(data.index)
    return data.sort_values("pages_baseline", ascending=False, kind="stable")


def _cell(column: str, baseline: float, variant: float) -> str:
    if column == "oncall_share":
        return f"{baseline:.0%} -> {variant:.0%}"
    return f"{baseline:,.1f} -> {variant:,.1f}"


def carried_by_table(people: pd.DataFrame, variant: str, by: str, weeks: int) -> Table:
    """The rich table of :func:`carried_by`."""
    data = carried_by(people, variant, by)
    runs = people["run"].nunique()
    table = Table(
        title=f"Who carries it, per {by}: baseline -> {variant} (mean per run of {weeks} weeks, "
        f"{runs} runs)",
        title_justify="left",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
    )
    table.add_column(by, no_wrap=True)
    if by == "person":
        table.add_column("team", no_wrap=True)
    for heading in VIEW_COLUMNS.values():
        table.add_column(heading, justify="right", no_wrap=True)
    for name, entry in data.iterrows():
        cells = [str(name)] + ([str(entry["team"])] if by == "person" else [])
        cells += [
            _cell(column, entry[f"{column}_baseline"], entry[f"{column}_variant"])
            for column in VIEW_COLUMNS
        ]
        table.add_row(*cells)
    return table
