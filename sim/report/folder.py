"""A results folder read back for reporting: what the run saved, and what an older run lacks."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from sim.experiment.detail import DETAIL_FILES
from sim.experiment.results import (
    PROVENANCE_FILE,
    RUNS_FILE,
    SCENARIO_FILE,
    SUMMARY_FILE,
)

SWEEP_FILE = "sweep.csv"


class ResultsFolderError(ValueError):
    """The folder is not a finished results folder (names the folder and the missing file)."""


@dataclass(frozen=True)
class ResultsFolder:
    """Everything a report needs from one experiment's results folder.

    Attributes:
        path: the folder.
        summary: ``summary.csv`` (paired comparison per KPI and variant).
        runs: ``runs.parquet`` (one row per run and variant).
        provenance: ``provenance.json``.
        scenario: ``scenario.resolved.yaml`` as plain data (empty when missing).
        detail: the detail tables present (``pages_by_hour``, ``people``, ``weekly``).
        sweep: ``sweep.csv`` of an ``oncall-sim sweep`` (None otherwise).
        missing: detail files this folder lacks (an older run), in file-name form.
    """

    path: Path
    summary: pd.DataFrame
    runs: pd.DataFrame
    provenance: dict
    scenario: dict
    detail: dict[str, pd.DataFrame] = field(default_factory=dict)
    sweep: pd.DataFrame | None = None
    missing: tuple[str, ...] = ()

    @property
    def variants(self) -> list[str]:
        """Variants in the experiment's order, the baseline first."""
        names = self.provenance.get("variants")
        if names:
            return list(names)
        return ["baseline", *dict.fromkeys(self.summary["variant"])]

    @property
    def run_count(self) -> int:
        return int(self.runs["run"].nunique())

    @property
    def weeks(self) -> int:
        return int(self.scenario.get("horizon", {}).get("weeks", 52))

    def detail_runs(self, name: str) -> int:
        """Runs a detail table covers (0 when it is missing)."""
        table = self.detail.get(name)
        return 0 if table is None else int(table["run"].nunique())


def load_results_folder(path: Path) -> ResultsFolder:
    """Read a finished results folder; raises :class:`ResultsFolderError` naming what is
    missing when it is not one (the detail files are optional: see ``missing``)."""
    path = Path(path)
    if not path.is_dir():
        raise ResultsFolderError(f"{path}: no such results folder")
    for required in (SUMMARY_FILE, RUNS_FILE, PROVENANCE_FILE):
        if not (path / required).exists():
            hint = (
                " (an interrupted run: finish it with `oncall-sim run ... --resume`)"
                if (path / "runs.partial.parquet").exists()
                else ""
            )
            raise ResultsFolderError(
                f"{path}: {required} is missing; not a finished results folder{hint}"
            )
    try:
        provenance = json.loads((path / PROVENANCE_FILE).read_text(encoding="utf-8"))
        summary = pd.read_csv(path / SUMMARY_FILE)
        runs = pd.read_parquet(path / RUNS_FILE)
    except (ValueError, OSError) as error:
        raise ResultsFolderError(f"{path}: cannot read the results ({error})") from None
    scenario_path = path / SCENARIO_FILE
    scenario = (
        yaml.safe_load(scenario_path.read_text(encoding="utf-8")) if scenario_path.exists() else {}
    )
    detail = {}
    missing = []
    for name, file_name in DETAIL_FILES.items():
        if (path / file_name).exists():
            detail[name] = pd.read_parquet(path / file_name)
        else:
            missing.append(file_name)
    sweep = pd.read_csv(path / SWEEP_FILE) if (path / SWEEP_FILE).exists() else None
    return ResultsFolder(
        path=path,
        summary=summary,
        runs=runs,
        provenance=provenance,
        scenario=scenario or {},
        detail=detail,
        sweep=sweep,
        missing=tuple(missing),
    )
