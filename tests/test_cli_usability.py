"""The command line as a new user meets it: defaults that work, help without noise, clear errors."""

from __future__ import annotations

import pandas as pd
import yaml
from builders import REPO, small_scenario_document
from typer.testing import CliRunner

from sim.cli import app

TELCO = REPO / "scenarios" / "telco-weekend.yaml"


def _write(tmp_path, document, name="scenario.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


def test_run_out_naming_an_existing_file_is_a_clear_error(tmp_path):
    taken = tmp_path / "results.txt"
    taken.write_text("not a folder")
    result = CliRunner().invoke(app, ["run", str(TELCO), "--runs", "2", "--out", str(taken)])
    assert result.exit_code == 2, result.output
    assert "is a file, not a results folder" in result.stderr
    assert "Traceback" not in result.output
    assert taken.read_text() == "not a folder"


def test_trace_defaults_to_the_first_weekend_of_the_horizon():
    # The telco horizon starts on Monday 2026-01-05: its first weekend starts Saturday the 10th.
    result = CliRunner().invoke(app, ["trace", str(TELCO)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "2026-01-10 + 3 days" in result.stdout.splitlines()[0]


def test_help_shows_no_type_beside_flags():
    commands = [
        [],
        ["import"],
        *([name] for name in ("run", "sweep", "sensitivity", "report", "trace", "validate")),
        *([name] for name in ("schedule", "schema", "calibrate", "backtest", "power")),
        ["import", "pagerduty"],
    ]
    for command in commands:
        result = CliRunner().invoke(app, [*command, "--help"], env={"COLUMNS": "100"})
        assert result.exit_code == 0
        assert "<bool>" not in result.stdout, command
    assert "--resume" in CliRunner().invoke(app, ["run", "--help"]).stdout


def test_scheduler_help_names_the_dask_extra():
    result = CliRunner().invoke(app, ["run", "--help"], env={"COLUMNS": "200"})
    assert "pip install 'oncall-sim[dask]'" in " ".join(result.stdout.split())


def test_unknown_subdivision_says_how_many_there_are_and_the_nearest(tmp_path):
    document = small_scenario_document(
        calendar={"holidays_country": "US", "holidays_subdivision": "NYC"}
    )
    result = CliRunner().invoke(app, ["validate", str(_write(tmp_path, document))])
    assert result.exit_code == 2
    message = " ".join(result.stderr.split())
    assert "'NYC' is not one of the" in message
    assert "subdivisions of US" in message
    assert "nearest: NY" in message


def test_sweep_runs_default_to_the_scenarios_horizon_runs(tmp_path):
    document = small_scenario_document()
    document["horizon"]["runs"] = 3
    out = tmp_path / "sweep"
    result = CliRunner().invoke(
        app,
        [
            "sweep",
            str(_write(tmp_path, document)),
            "--grid",
            "automation.self_healing.coverage=0.5",
            "--out",
            str(out),
        ],
        env={"COLUMNS": "120"},
    )
    assert result.exit_code == 0, result.output
    assert pd.read_parquet(out / "runs.parquet")["run"].nunique() == 3
