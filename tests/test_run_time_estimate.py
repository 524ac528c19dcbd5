"""Run time estimated up front, a warning for long experiments, progress lines in a log.

No wall-clock asserts: the estimate's arithmetic is checked with a stand-in clock, and the
command's messages with the thresholds set so that they must appear.
"""

from __future__ import annotations

import itertools

import pytest
import yaml
from builders import small_scenario, small_scenario_document
from typer.testing import CliRunner

from sim.cli import app
from sim.experiment import duration, plan_experiment, progress
from sim.experiment.duration import estimate_duration, format_duration
from sim.experiment.progress import ProgressLines


def stand_in_clock(*durations):
    """A clock under which the k-th timed stretch lasts ``durations[k]`` seconds."""
    readings = itertools.accumulate(
        itertools.chain.from_iterable((100.0, step) for step in durations)
    )
    return lambda: next(readings)


def test_estimate_is_a_runs_fixed_cost_plus_its_cost_per_week():
    """One week took 1.0 s, two weeks 1.5 s: 0.5 s a week plus 0.5 s fixed, so a run of the
    4-week horizon takes 2.5 s and 10 runs on one worker 25 s."""
    plan = plan_experiment(small_scenario())
    estimate = estimate_duration(plan, runs=10, jobs=1, clock=stand_in_clock(1.0, 1.5))
    assert estimate.seconds_per_run == pytest.approx(2.5)
    assert estimate.total_seconds == pytest.approx(25.0)
    assert not estimate.long
    assert estimate.describe() == "about 25 s for 10 runs on 1 worker(s) (2.5 s per run)"


def test_an_estimate_over_three_minutes_is_long():
    plan = plan_experiment(small_scenario())
    estimate = estimate_duration(plan, runs=100, jobs=1, clock=stand_in_clock(1.0, 1.5))
    assert estimate.total_seconds == pytest.approx(250.0) and estimate.long


def test_durations_read_as_people_write_them():
    assert [format_duration(s) for s in (0.42, 42, 200, 7500)] == [
        "0.4 s",
        "42 s",
        "3 min 20 s",
        "2 h 05 min",
    ]


def test_progress_line_before_any_run_finishes_gives_the_estimate_per_run():
    lines = ProgressLines(lambda text: None, 200, expected_seconds_per_run=360.0)
    assert lines.line(lines.started + 300) == (
        "simulating: 0 of 200 runs done, 5 min 00 s elapsed (estimated 6 min 00 s per run)"
    )
    lines.done = 50
    assert lines.line(lines.started + 300) == (
        "simulating: 50 of 200 runs done, 5 min 00 s elapsed, about 15 min 00 s left"
    )


@pytest.fixture
def scenario_file(tmp_path):
    document = small_scenario_document(
        variants=[{"name": "faster", "description": "quicker", "set": {"escalation.repeat": 1}}]
    )
    path = tmp_path / "small.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


def test_run_prints_the_run_time_estimate_beside_the_memory_estimate(scenario_file, tmp_path):
    result = CliRunner().invoke(
        app, ["run", str(scenario_file), "--runs", "3", "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == 0, result.output
    estimate = next(line for line in result.stderr.splitlines() if line.startswith("estimate:"))
    assert "40 alerts per run need an estimated" in estimate
    assert "for 3 runs on 1 worker(s)" in estimate
    assert "this experiment will take" not in result.stderr


def test_a_long_experiment_is_announced_with_a_warning(scenario_file, tmp_path, monkeypatch):
    monkeypatch.setattr(duration, "LONG_EXPERIMENT_SECONDS", 0.0)
    result = CliRunner().invoke(
        app, ["run", str(scenario_file), "--runs", "3", "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == 0, result.output
    assert "this experiment will take" in result.stderr
    assert "fewer --runs, more --jobs" in result.stderr


def test_progress_lines_are_written_when_output_is_not_a_terminal(
    scenario_file, tmp_path, monkeypatch
):
    """CliRunner's output is not a terminal; with no minimum interval every finished chunk of
    8 runs gives a line."""
    monkeypatch.setattr(progress, "PROGRESS_INTERVAL_SECONDS", 0.0)
    result = CliRunner().invoke(
        app, ["run", str(scenario_file), "--runs", "16", "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == 0, result.output
    assert "simulating: 8 of 16 runs done" in result.stderr
    assert "simulating: 16 of 16 runs done" in result.stderr
