"""The per-(run, variant) detail of an experiment as tidy tables, one per results-folder file.

``pages_by_hour.parquet``
    run, variant, hour_of_week (0 = Monday 00:00-01:00 in the paged person's local time),
    band (business, off, sleep), pages. Only (hour, band) cells with at least one page are
    stored; a missing cell is 0. For each (run, variant), ``pages`` sums to the ``pages`` KPI.
``people.parquet``
    run, variant, person, team, domain (the team's, or the team itself), role (engineer or
    manager), then the columns of
    :data:`sim.metrics_detail.PERSON_COLUMNS`: one row per person of the organisation.
``weekly.parquet``
    run, variant, week (0 = the horizon's first week), then
    :data:`sim.metrics_detail.WEEKLY_COLUMNS`; pages after the horizon's end are left out.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from sim.calendar import BAND_NAMES
from sim.metrics_detail import (
    HOURS_PER_WEEK,
    PERSON_COLUMNS,
    PERSON_FLOAT_COLUMNS,
    WEEKLY_COLUMNS,
    RunDetail,
)

#: Detail table name -> file name in the results folder.
DETAIL_FILES: dict[str, str] = {
    "pages_by_hour": "pages_by_hour.parquet",
    "people": "people.parquet",
    "weekly": "weekly.parquet",
}


def _column(parts: list[np.ndarray], dtype) -> np.ndarray:
    return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype=dtype)


def detail_tables(
    plan, run_indices: Sequence[int], details: Sequence[Sequence[RunDetail]]
) -> dict[str, pd.DataFrame]:
    """Tidy tables of the detail of some runs: ``details[i][v]`` is run ``run_indices[i]`` of
    variant ``v`` of ``plan`` (an :class:`sim.experiment.runs.ExperimentPlan`). People and
    weeks are each variant's own (a variant may change the organisation)."""
    variants = plan.variant_names
    rows: dict[str, dict[str, list]] = {name: {} for name in DETAIL_FILES}

    def add(table: str, column: str, values) -> None:
        rows[table].setdefault(column, []).append(np.asarray(values))

    cells = len(BAND_NAMES) * HOURS_PER_WEEK
    for run, per_variant in zip(run_indices, details, strict=True):
        for index, detail in enumerate(per_variant):
            compiled = plan.variants[index]
            people = len(compiled.person_names)
            keep = detail.pages_by_hour_band.reshape(-1) > 0
            for table, count in (
                ("pages_by_hour", int(keep.sum())),
                ("people", people),
                ("weekly", compiled.weeks),
            ):
                add(table, "run", np.full(count, run, dtype=np.int64))
                add(table, "variant", np.full(count, index, dtype=np.int64))
            add("pages_by_hour", "band", (np.arange(cells) // HOURS_PER_WEEK)[keep])
            add("pages_by_hour", "hour_of_week", (np.arange(cells) % HOURS_PER_WEEK)[keep])
            add("pages_by_hour", "pages", detail.pages_by_hour_band.reshape(-1)[keep])
            add("people", "person", np.asarray(compiled.person_names, dtype=object))
            add(
                "people",
                "team",
                np.asarray(compiled.team_names, dtype=object)[compiled.person_team],
            )
            domains = np.asarray(compiled.team_domain, dtype=object)
            add("people", "domain", domains[compiled.person_team])
            add("people", "role", np.where(compiled.person_is_engineer, "engineer", "manager"))
            for column in PERSON_COLUMNS:
                add("people", column, detail.person[column])
            add("weekly", "week", np.arange(compiled.weeks))
            for column in WEEKLY_COLUMNS:
                add("weekly", column, detail.weekly[column])

    def keys(table: str) -> dict[str, object]:
        codes = _column(rows[table].get("variant", []), np.int64)
        return {
            "run": _column(rows[table].get("run", []), np.int64),
            "variant": pd.Categorical.from_codes(codes, categories=list(variants)),
        }

    def text(table: str, column: str) -> pd.Categorical:
        return pd.Categorical(_column(rows[table].get(column, []), object))

    hour = rows["pages_by_hour"]
    hour_table = pd.DataFrame(
        {
            **keys("pages_by_hour"),
            "hour_of_week": _column(hour.get("hour_of_week", []), np.int16),
            "band": pd.Categorical.from_codes(
                _column(hour.get("band", []), np.int8), categories=list(BAND_NAMES)
            ),
            "pages": _column(hour.get("pages", []), np.int32),
        }
    )
    person_table = pd.DataFrame(
        {
            **keys("people"),
            "person": text("people", "person"),
            "team": text("people", "team"),
            "domain": text("people", "domain"),
            "role": pd.Categorical(
                _column(rows["people"].get("role", []), object), categories=["engineer", "manager"]
            ),
            **{
                column: _column(
                    rows["people"].get(column, []),
                    np.float64 if column in PERSON_FLOAT_COLUMNS else np.int32,
                )
                for column in PERSON_COLUMNS
            },
        }
    )
    weekly_table = pd.DataFrame(
        {
            **keys("weekly"),
            "week": _column(rows["weekly"].get("week", []), np.int32),
            **{
                column: _column(rows["weekly"].get(column, []), np.int32)
                for column in WEEKLY_COLUMNS
            },
        }
    )
    return {"pages_by_hour": hour_table, "people": person_table, "weekly": weekly_table}


def concat_detail(
    parts: Sequence[dict[str, pd.DataFrame]], variants: Sequence[str]
) -> dict[str, pd.DataFrame]:
    """Detail tables of several chunks as one, sorted by run then variant order."""
    combined = {}
    for name in DETAIL_FILES:
        frames = [part[name] for part in parts if name in part]
        if not frames:
            continue
        table = pd.concat(frames, ignore_index=True)
        table["variant"] = pd.Categorical(table["variant"].astype(str), categories=list(variants))
        combined[name] = table.sort_values(["run", "variant"], kind="stable").reset_index(drop=True)
    return combined
