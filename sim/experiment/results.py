"""The results folder of one experiment, written atomically and resumable.

Layout::

    runs.parquet             one row per (run, variant), one column per KPI
    summary.csv              paired comparison of each variant with the baseline
    scenario.resolved.yaml   the scenario with every default filled in (what produced the results)
    provenance.json          version, seed, runs, jobs, wall time, scenario digest
    pages_by_hour.parquet    per (run, variant): pages per local hour of week (168) and band
    people.parquet           per (run, variant, person): pages by band, weekend pages, on-call
                             hours, disrupted hours, nights paged in a row (who carries it)
    weekly.parquet           per (run, variant, week): pages, sleep pages, escalations
    runs.partial.parquet     while running: every finished run so far (removed when complete),
                             and <detail>.partial.parquet beside it for the three detail files

The detail files' columns are documented in :mod:`sim.experiment.detail`; none of them grows
with the number of alerts.

Every file is written to a temporary name and renamed, so an interruption never leaves a torn
file; it gets the permissions the umask gives a new file. A folder is written into only when it
is new, empty or this experiment's (:func:`folder_problem`), unless the user forces it. An
interrupted experiment keeps every finished run in ``runs.partial.parquet``; running again with
``--resume`` continues where it stopped, keeping every finished run even if fewer are asked for.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from sim.experiment.detail import DETAIL_FILES, concat_detail
from sim.experiment.replications import ExperimentResult, results_table
from sim.experiment.runs import ExperimentPlan
from sim.scenario.models import Scenario

RUNS_FILE = "runs.parquet"
PARTIAL_FILE = "runs.partial.parquet"
SUMMARY_FILE = "summary.csv"
SCENARIO_FILE = "scenario.resolved.yaml"
PROVENANCE_FILE = "provenance.json"

#: Seconds between checkpoints of finished runs during an experiment.
CHECKPOINT_INTERVAL_SECONDS = 5.0


def current_umask() -> int:
    """The process's file-creation mask (reading it means setting it: set it straight back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Call ``write(temporary_path)`` and rename the result over ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    try:
        write(Path(temporary))
        # mkstemp creates the file 0600; a result file gets the mode any new file would.
        os.chmod(temporary, 0o666 & ~current_umask())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write(path, lambda temporary: temporary.write_text(text, encoding="utf-8"))


def write_parquet(path: Path, table: pd.DataFrame) -> None:
    atomic_write(path, lambda temporary: table.to_parquet(temporary, index=False))


def resolved_scenario_text(scenario: Scenario) -> str:
    """The scenario with every default filled in, as YAML."""
    document = scenario.model_dump(mode="json", by_alias=True)
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)


def scenario_digest(scenario: Scenario) -> str:
    """SHA-256 of the resolved scenario: equal digests, equal model inputs."""
    canonical = json.dumps(scenario.model_dump(mode="json", by_alias=True), sort_keys=True)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def partial_name(file_name: str) -> str:
    """The checkpoint file of a results file: ``people.parquet`` -> ``people.partial.parquet``."""
    return file_name.replace(".parquet", ".partial.parquet")


class Checkpoint:
    """Collects finished runs and their detail tables and saves them to ``runs.partial.parquet``
    (and ``<detail>.partial.parquet``) every few seconds."""

    def __init__(
        self,
        folder: Path,
        plan: ExperimentPlan,
        previous: pd.DataFrame | None,
        previous_detail: dict[str, pd.DataFrame] | None = None,
    ) -> None:
        self.folder = folder
        self.plan = plan
        self.previous = previous
        self.indices: list[int] = []
        self.values: list[np.ndarray] = []
        self.detail_parts: list[dict[str, pd.DataFrame]] = (
            [previous_detail] if previous_detail else []
        )
        self.last_saved = time.monotonic()

    def add_detail(self, tables: dict[str, pd.DataFrame]) -> None:
        """Keep one chunk's detail tables (called before :meth:`add` of the same chunk)."""
        self.detail_parts.append(tables)

    def detail(self) -> dict[str, pd.DataFrame]:
        """Every detail table so far (empty without detail)."""
        return concat_detail(self.detail_parts, self.plan.variant_names)

    def add(self, indices: list[int], values: np.ndarray) -> None:
        self.indices.extend(indices)
        self.values.append(values)
        if time.monotonic() - self.last_saved >= CHECKPOINT_INTERVAL_SECONDS:
            self.save()

    def table(self) -> pd.DataFrame:
        parts = [] if self.previous is None else [self.previous]
        if self.values:
            parts.append(results_table(self.plan, self.indices, np.concatenate(self.values)))
        if not parts:
            empty = np.empty((0, len(self.plan.variants), len(self.plan.kpi_names)))
            return results_table(self.plan, [], empty)
        combined = pd.concat(parts, ignore_index=True)
        combined["variant"] = pd.Categorical(
            combined["variant"].astype(str), categories=self.plan.variant_names
        )
        return combined.sort_values(["run", "variant"], kind="stable").reset_index(drop=True)

    def save(self) -> int:
        """Write every finished run so far; returns how many runs that is."""
        table = self.table()
        # Detail first: a run in runs.partial.parquet then always has its detail saved too.
        for name, detail in self.detail().items():
            write_parquet(self.folder / partial_name(DETAIL_FILES[name]), detail)
        write_parquet(self.folder / PARTIAL_FILE, table)
        self.last_saved = time.monotonic()
        return table["run"].nunique()


def _differing_field(folder: Path, scenario: Scenario, plan: ExperimentPlan) -> str | None:
    """Which of scenario, seed and variants the experiment recorded in ``folder`` differs in
    ('provenance' when the folder records none; None when it is this experiment)."""
    provenance_path = folder / PROVENANCE_FILE
    try:
        provenance = json.loads(provenance_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "provenance"
    expected = {
        "scenario_sha256": scenario_digest(scenario),
        "seed": plan.root_seed,
        "variants": plan.variant_names,
    }
    for key, value in expected.items():
        if not isinstance(provenance, dict) or provenance.get(key) != value:
            return key
    return None


def folder_problem(folder: Path, scenario: Scenario, plan: ExperimentPlan) -> str | None:
    """Why ``folder`` should not receive this experiment's results, or None if it may.

    A results folder is new, empty, or this experiment's (same scenario, seed and variants,
    e.g. to resume it or to rerun it with more runs); anything else would mix one
    experiment's files with another's (or with unrelated files).
    """
    if not folder.exists():
        return None
    if not folder.is_dir():
        return f"--out {folder} is a file, not a folder"
    entries = sorted(entry.name for entry in folder.iterdir())
    if not entries:
        return None
    differs = _differing_field(folder, scenario, plan)
    if differs is None:
        return None
    shown = ", ".join(entries[:5]) + (f" and {len(entries) - 5} more" if len(entries) > 5 else "")
    what = (
        "files that are not results of an oncall-sim experiment"
        if differs == "provenance"
        else f"results of a different experiment ({differs} differs)"
    )
    return (
        f"{folder} is not empty: it holds {what}: {shown}. Choose a new or empty --out "
        "folder, or add --force to write into it anyway"
    )


def load_previous_runs(
    folder: Path, scenario: Scenario, plan: ExperimentPlan
) -> pd.DataFrame | None:
    """Finished runs of an earlier, interrupted experiment in ``folder`` (for --resume).

    Raises ValueError when the folder holds results of a different scenario, seed or variants.
    """
    source = folder / PARTIAL_FILE
    if not source.exists():
        source = folder / RUNS_FILE
    if not source.exists() or not (folder / PROVENANCE_FILE).exists():
        return None
    differs = _differing_field(folder, scenario, plan)
    if differs is not None:
        raise ValueError(
            f"{folder} holds results of a different experiment ({differs} differs); "
            "use another --out folder or drop --resume"
        )
    return pd.read_parquet(source)


def load_previous_detail(folder: Path, runs: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Detail tables of the runs in ``runs`` (an earlier experiment's, for --resume), from the
    partial checkpoint or the finished files; empty when the folder has none (a results folder
    written before detail was saved: its runs are kept, and the detail covers new runs only)."""
    tables = {}
    for name, file_name in DETAIL_FILES.items():
        source = folder / partial_name(file_name)
        if not source.exists():
            source = folder / file_name
        if source.exists():
            table = pd.read_parquet(source)
            tables[name] = table[table["run"].isin(runs["run"].unique())]
    return tables


def runs_with_detail(runs: pd.DataFrame, detail: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The runs of ``runs`` whose detail was saved in every detail table (a run checkpointed
    without it is simulated again: same seed, same numbers); all runs when there is none."""
    if not detail:
        return runs
    complete = set(runs["run"].unique())
    for name, table in detail.items():
        if name != "pages_by_hour":  # a run without any page has no pages_by_hour row
            complete &= set(table["run"].unique())
    return runs[runs["run"].isin(complete)]


def write_results(
    folder: Path, result: ExperimentResult, summary: pd.DataFrame, provenance: dict
) -> None:
    """Write the complete results folder and remove the partial checkpoint."""
    folder.mkdir(parents=True, exist_ok=True)
    write_parquet(folder / RUNS_FILE, result.runs)
    for name, table in result.detail.items():
        write_parquet(folder / DETAIL_FILES[name], table)
        (folder / partial_name(DETAIL_FILES[name])).unlink(missing_ok=True)
    atomic_write(folder / SUMMARY_FILE, lambda temporary: summary.to_csv(temporary, index=False))
    atomic_write_text(folder / SCENARIO_FILE, resolved_scenario_text(result.scenario))
    atomic_write_text(folder / PROVENANCE_FILE, json.dumps(provenance, indent=2) + "\n")
    (folder / PARTIAL_FILE).unlink(missing_ok=True)


def write_start_files(folder: Path, scenario: Scenario, provenance: dict) -> None:
    """Scenario and provenance first, so an interrupted run can be resumed and checked."""
    folder.mkdir(parents=True, exist_ok=True)
    atomic_write_text(folder / SCENARIO_FILE, resolved_scenario_text(scenario))
    atomic_write_text(folder / PROVENANCE_FILE, json.dumps(provenance, indent=2) + "\n")
