"""`oncall-sim run` end to end: the results folder, resuming an interrupted experiment, and the
library's single-run API agreeing with the experiment."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import yaml
from builders import REPO
from typer.testing import CliRunner

from sim import load_scenario, run_experiment, simulate, with_overrides
from sim.cli import app
from sim.experiment.results import PARTIAL_FILE
from sim.experiment.session import ExperimentSession
from sim.metrics import KPIS
from sim.stats import COMPARISON_COLUMNS


@pytest.fixture(scope="module")
def short_telco_file(tmp_path_factory):
    """The telco scenario cut to 6 weeks, written as a scenario file."""
    document = yaml.safe_load((REPO / "scenarios" / "telco-weekend.yaml").read_text())
    document["horizon"]["weeks"] = 6
    path = tmp_path_factory.mktemp("scenario") / "telco-short.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


def test_run_writes_the_results_folder(short_telco_file, tmp_path):
    out = tmp_path / "results"
    result = CliRunner().invoke(
        app,
        ["run", str(short_telco_file), "--runs", "12", "--jobs", "2", "--out", str(out)],
        env={"COLUMNS": "120"},
    )
    assert result.exit_code == 0, result.output
    printed = " ".join(result.stdout.split())  # rich wraps lines to the terminal width
    assert "weekend escalations per weekend" in printed
    assert "better than the baseline in" in printed
    runs = pd.read_parquet(out / "runs.parquet")
    assert list(runs.columns)[: 2 + len(KPIS)] == ["run", "variant", *KPIS]
    assert {"pages__infra", "weekend_escalations_per_weekend__apps"} <= set(runs.columns)
    assert len(runs) == 12 * 4 and runs["run"].nunique() == 12
    summary = pd.read_csv(out / "summary.csv")
    # The column order (pinned literally in tests/test_stats.py), then the pair count.
    assert list(summary.columns) == list(COMPARISON_COLUMNS)
    assert list(summary.columns)[-1] == "runs"
    assert set(summary["variant"]) == {
        "detection-and-self-healing",
        "self-healing-only",
        "detection-only",
    }
    provenance = json.loads((out / "provenance.json").read_text())
    assert provenance["runs"] == 12 and provenance["jobs"] == 2
    assert provenance["seed"] == 20261126 and provenance["wall_time_seconds"] > 0
    resolved = yaml.safe_load((out / "scenario.resolved.yaml").read_text())
    assert resolved["horizon"]["weeks"] == 6
    assert resolved["escalation"]["ack_timeout_minutes"] == 15  # defaults filled in
    assert not (out / PARTIAL_FILE).exists()


def test_interrupted_experiment_resumes_to_the_same_results(short_telco_file, tmp_path):
    scenario = load_scenario(short_telco_file)
    folder = tmp_path / "interrupted"
    session = ExperimentSession(scenario, short_telco_file, folder, runs=16)
    session.start()
    calls = 0
    original_add = session.checkpoint.add

    def add_then_interrupt(indices, values):
        nonlocal calls
        original_add(indices, values)
        calls += 1
        if calls == 1:  # Ctrl-C after the first chunk of runs
            raise KeyboardInterrupt

    session.checkpoint.add = add_then_interrupt
    with pytest.raises(KeyboardInterrupt):
        session.run()
    saved = session.save_partial()
    assert 0 < saved < 16
    assert pd.read_parquet(folder / PARTIAL_FILE)["run"].nunique() == saved

    result = CliRunner().invoke(
        app, ["run", str(short_telco_file), "--runs", "16", "--out", str(folder), "--resume"]
    )
    assert result.exit_code == 0, result.output
    resumed = pd.read_parquet(folder / "runs.parquet")
    fresh = run_experiment(scenario, runs=16).runs
    pd.testing.assert_frame_equal(resumed, fresh)
    assert json.loads((folder / "provenance.json").read_text())["runs_resumed"] == saved


def test_resume_refuses_a_folder_of_another_experiment(short_telco_file, tmp_path):
    folder = tmp_path / "other"
    runner = CliRunner()
    first = runner.invoke(app, ["run", str(short_telco_file), "--runs", "2", "--out", str(folder)])
    assert first.exit_code == 0, first.output
    second = runner.invoke(
        app,
        [
            "run",
            str(short_telco_file),
            "--runs",
            "4",
            "--out",
            str(folder),
            "--resume",
            "--seed",
            "9",
        ],
    )
    assert second.exit_code == 2
    assert "different experiment (seed differs)" in second.stderr


def test_unknown_variant_option_is_a_clear_error(short_telco_file):
    result = CliRunner().invoke(app, ["run", str(short_telco_file), "--variant", "nope"])
    assert result.exit_code == 2
    assert "no variant named 'nope'" in result.stderr


def test_simulate_gives_the_experiments_numbers_for_that_run():
    scenario = with_overrides(
        load_scenario(REPO / "scenarios" / "telco-weekend.yaml"), {"horizon.weeks": 4}
    )
    table = run_experiment(scenario, runs=3).runs
    single = simulate(scenario, "baseline", run=2)
    row = table[(table["run"] == 2) & (table["variant"] == "baseline")].iloc[0]
    np.testing.assert_allclose([single.kpis[k] for k in KPIS], row[list(KPIS)].to_numpy(float))


def test_importing_sim_compiles_no_kernel():
    code = (
        "import sim, sim.cli; sim.run_experiment; import sim.generator.kernels as g;"
        "print(len(g.invert_and_classify_kernel.signatures))"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert output.strip() == "0"


def test_trace_prints_every_page_of_the_window_with_band_and_rotation():
    from sim.experiment import simulate
    from sim.report.timeline import window_minutes

    path = REPO / "scenarios" / "telco-weekend.yaml"
    result = CliRunner().invoke(
        app,
        ["trace", str(path), "--from", "2026-03-07", "--days", "2", "--run", "3"],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    page_lines = [line for line in lines if " page " in line]
    single = simulate(load_scenario(path), "baseline", run=3)
    begin, end = window_minutes(single, dt.date(2026, 3, 7), 2)
    pages = single.records.page_minutes
    assert len(page_lines) == int(np.sum((pages >= begin) & (pages < end))) > 0
    assert all(line.startswith(("Sat 2026-03-07", "Sun 2026-03-08")) for line in lines[1:])
    assert all("weekend" in line for line in page_lines)  # a Saturday and a Sunday


def test_trace_refuses_a_date_outside_the_horizon():
    path = REPO / "scenarios" / "telco-weekend.yaml"
    result = CliRunner().invoke(app, ["trace", str(path), "--from", "2030-01-01"])
    assert result.exit_code == 2
    assert "outside the horizon" in result.stderr
