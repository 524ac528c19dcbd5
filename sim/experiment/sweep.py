"""Sensitivity sweeps: every combination of a few settings becomes a variant of the scenario.

Two options, ``--grid automation.self_healing.coverage=0.3,0.4,0.5`` and
``--grid automation.anomaly_detection.coverage=0,0.3``, make six variants, each compared with the
baseline on the same paired runs.
"""

from __future__ import annotations

import itertools
from typing import Any

import pandas as pd
import pydantic
import yaml

from sim.scenario.models import Scenario, Variant
from sim.scenario.overrides import OverridePathError, check_override_paths
from sim.scenario.resolve import baseline_document, with_overrides

MAX_SWEEP_POINTS = 200


class SweepError(ValueError):
    """A --grid option that cannot be used; the message says why."""


def parse_grid(specs: list[str]) -> dict[str, list[Any]]:
    """``PATH=V1,V2,...`` options to {dotted path: [values]}; values are read as YAML scalars."""
    grid: dict[str, list[Any]] = {}
    for spec in specs:
        path, separator, values_text = spec.partition("=")
        path = path.strip()
        if not separator or not path or not values_text.strip():
            raise SweepError(f"--grid {spec!r}: expected PATH=VALUE1,VALUE2,...")
        if path in grid:
            raise SweepError(f"--grid {path!r} is given twice")
        values = []
        for text in values_text.split(","):
            try:
                values.append(yaml.safe_load(text.strip()))
            except yaml.YAMLError:
                raise SweepError(f"--grid {path}: cannot read the value {text!r}") from None
        grid[path] = values
    if not grid:
        raise SweepError("give at least one --grid PATH=VALUE1,VALUE2,...")
    return grid


def sweep_variants(scenario: Scenario, grid: dict[str, list[Any]]) -> list[Variant]:
    """One validated variant per combination of grid values, named point-1, point-2, ..."""
    document = baseline_document(scenario)
    for path, message, hint in check_override_paths(dict.fromkeys(grid), Scenario, document):
        raise SweepError(f"--grid {path}: {message}" + (f" ({hint})" if hint else ""))
    points = list(itertools.product(*grid.values()))
    if len(points) > MAX_SWEEP_POINTS:
        raise SweepError(f"the grid has {len(points)} points; at most {MAX_SWEEP_POINTS} fit")
    variants = []
    for number, values in enumerate(points, start=1):
        settings = dict(zip(grid, values, strict=True))
        try:
            with_overrides(scenario, settings)
        except (pydantic.ValidationError, OverridePathError) as error:
            first = error.errors()[0] if isinstance(error, pydantic.ValidationError) else None
            detail = first["msg"] if first else str(error)
            shown = ", ".join(f"{path}={value}" for path, value in settings.items())
            raise SweepError(f"--grid point {shown}: {detail}") from None
        description = ", ".join(f"{path}={value}" for path, value in settings.items())
        variants.append(Variant(name=f"point-{number}", description=description, set=settings))
    return variants


def sweep_table(summary: pd.DataFrame, variants: list[Variant], kpi: str) -> pd.DataFrame:
    """One row per grid point: its settings, then the KPI's paired comparison."""
    rows = summary[summary["kpi"] == kpi].set_index("variant")
    records = []
    for variant in variants:
        row = rows.loc[variant.name]
        records.append(
            {
                **variant.set,
                "baseline_mean": row.baseline_mean,
                "variant_mean": row.variant_mean,
                "rel_change": row.rel_change,
                "rel_ci_low": row.rel_ci_low,
                "rel_ci_high": row.rel_ci_high,
                "p_better": row.p_better,
            }
        )
    return pd.DataFrame.from_records(records)
