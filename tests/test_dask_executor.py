"""Runs on a Dask cluster give the same numbers as the process pool (DESIGN: same results for
the same seed, whatever the backend)."""

from __future__ import annotations

import pytest
from builders import small_scenario_document
from typer.testing import CliRunner

from sim.cli import app
from sim.experiment import run_experiment
from sim.scenario import Scenario

pytest.importorskip("distributed")


def scenario() -> Scenario:
    return Scenario.model_validate(
        small_scenario_document(
            variants=[
                {
                    "name": "busier",
                    "description": "More database alerts.",
                    "set": {"services.db.alerts_per_week": 14},
                }
            ]
        )
    )


def test_local_dask_cluster_gives_the_same_runs_as_the_process_pool():
    pool = run_experiment(scenario(), runs=40, jobs=2)
    dask = run_experiment(scenario(), runs=40, jobs=2, scheduler="local")
    assert dask.provenance["executor"] == "dask (local)"
    assert dask.runs.equals(pool.runs)


def test_run_command_on_dask(tmp_path):
    scenario_file = tmp_path / "small.yaml"
    scenario_file.write_text(scenario().model_dump_json())
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app,
        ["run", str(scenario_file), "--runs", "20", "--jobs", "2", "--scheduler", "local",
         "--out", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (out / "summary.csv").exists()


def test_without_dask_the_run_command_says_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "distributed", None)  # import fails
    scenario_file = tmp_path / "small.yaml"
    scenario_file.write_text(scenario().model_dump_json())
    result = CliRunner().invoke(
        app,
        ["run", str(scenario_file), "--runs", "4", "--scheduler", "local",
         "--out", str(tmp_path / "out")],
    )  # fmt: skip
    assert result.exit_code == 2
    assert "pip install 'oncall-sim[dask]'" in result.output
