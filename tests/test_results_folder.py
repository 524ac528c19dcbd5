"""The results folder's rules: never mix experiments, keep finished runs, respect the umask."""

from __future__ import annotations

import os
import stat

import pandas as pd
import pytest
import yaml
from builders import small_scenario_document
from typer.testing import CliRunner

from sim.cli import app


@pytest.fixture(scope="module")
def scenario_file(tmp_path_factory):
    """A two-week, one-team scenario with one variant."""
    document = small_scenario_document(
        horizon={"weeks": 2, "start_date": "2026-01-05", "time_zone": "UTC", "seed": 7},
        variants=[
            {
                "name": "faster",
                "description": "quicker acks",
                "set": {"escalation.ack_timeout_minutes": 5},
            }
        ],
    )
    path = tmp_path_factory.mktemp("scenario") / "small.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


def run(scenario_file, *arguments):
    return CliRunner().invoke(app, ["run", str(scenario_file), *arguments])


def test_run_refuses_a_folder_holding_unrelated_files(scenario_file, tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    result = run(scenario_file, "--runs", "2", "--out", str(tmp_path))
    assert result.exit_code == 2
    assert "is not empty" in result.stderr and "notes.txt" in result.stderr
    assert "--force" in result.stderr
    assert sorted(path.name for path in tmp_path.iterdir()) == ["notes.txt"]


def test_force_writes_into_a_folder_holding_unrelated_files(scenario_file, tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    result = run(scenario_file, "--runs", "2", "--out", str(tmp_path), "--force")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "runs.parquet").exists()


def test_run_refuses_the_folder_of_another_experiment_without_resume(scenario_file, tmp_path):
    assert run(scenario_file, "--runs", "2", "--out", str(tmp_path)).exit_code == 0
    result = run(scenario_file, "--runs", "2", "--out", str(tmp_path), "--seed", "9")
    assert result.exit_code == 2
    assert "results of a different experiment (seed differs)" in result.stderr


def test_run_may_rerun_its_own_experiment_into_its_folder(scenario_file, tmp_path):
    assert run(scenario_file, "--runs", "2", "--out", str(tmp_path)).exit_code == 0
    result = run(scenario_file, "--runs", "3", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert pd.read_parquet(tmp_path / "runs.parquet")["run"].nunique() == 3


def test_resume_with_fewer_runs_keeps_every_finished_run_and_says_so(scenario_file, tmp_path):
    assert run(scenario_file, "--runs", "5", "--out", str(tmp_path)).exit_code == 0
    result = run(scenario_file, "--runs", "3", "--out", str(tmp_path), "--resume")
    assert result.exit_code == 0, result.output
    assert "already holds 5 finished runs" in result.stderr
    assert "keeping them all" in result.stderr
    assert sorted(pd.read_parquet(tmp_path / "runs.parquet")["run"].unique()) == [0, 1, 2, 3, 4]


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o007, 0o660)])
def test_result_files_respect_the_umask(scenario_file, tmp_path, umask, mode):
    previous = os.umask(umask)
    try:
        result = run(scenario_file, "--runs", "2", "--out", str(tmp_path / "out"))
    finally:
        os.umask(previous)
    assert result.exit_code == 0, result.output
    files = sorted((tmp_path / "out").iterdir())
    assert files
    assert {path.name: stat.S_IMODE(path.stat().st_mode) for path in files} == {
        path.name: mode for path in files
    }
