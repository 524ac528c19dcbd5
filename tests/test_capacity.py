"""An experiment too large for memory is refused up front, with an estimate."""

from __future__ import annotations

import pytest
from builders import REPO, small_scenario
from typer.testing import CliRunner

from sim.cli import app
from sim.experiment import plan_experiment
from sim.experiment.capacity import BYTES_PER_ALERT, _cascade_factor, estimate_memory
from sim.scenario import load_scenario

HUGE = """\
name: huge
horizon: {weeks: 520}
teams: [{name: infra, engineers: 5}]
services: [{name: db, team: infra, alerts_per_week: 100000}]
variants: [{name: fewer, description: fewer alerts, set: {services.db.alerts_per_week: 90000}}]
"""


def test_a_scenario_too_large_for_memory_is_refused_with_its_estimate(tmp_path):
    scenario_file = tmp_path / "huge.yaml"
    scenario_file.write_text(HUGE)
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(scenario_file), "--runs", "10", "--out", str(out)])
    assert result.exit_code == 2
    assert "too large for this machine" in result.output
    assert "52,000,000 alerts per run" in result.output  # 100,000 a week for 520 weeks
    assert "GiB" in result.output
    assert not out.exists()  # nothing started


def test_estimate_grows_with_alerts_and_workers():
    plan = plan_experiment(small_scenario())  # 10 alerts a week for 4 weeks, no cascades
    one = estimate_memory(plan, runs=100, jobs=1, available=2**40)
    two = estimate_memory(plan, runs=100, jobs=2, available=2**40)
    assert one.alerts_per_run == pytest.approx(40.0)
    assert two.total_bytes - one.total_bytes > 40 * BYTES_PER_ALERT  # a second worker's run
    assert one.fits and not estimate_memory(plan, 100, 1, available=2**20).fits


def test_cascade_factor_is_the_alerts_per_root_failure():
    """cross-domain-rotation.yaml: `oncall-sim validate` reports about 1.1 symptoms per root
    failure, so about 2 alerts per root."""
    scenario = load_scenario(REPO / "scenarios" / "cross-domain-rotation.yaml")
    factor = _cascade_factor(plan_experiment(scenario), 0)
    assert 1.5 < factor < 3.0
