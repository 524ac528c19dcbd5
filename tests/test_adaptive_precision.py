"""Adaptive precision (`run --precision`): batches of runs until the relative change's 95% CI is
narrow enough, runs used a function of the seed, and a stopping rule that keeps the coverage."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from builders import small_scenario_document
from typer.testing import CliRunner

from sim.cli import app
from sim.experiment import run_experiment
from sim.experiment.adaptive import (
    PrecisionTarget,
    first_run_count,
    next_run_count,
    relative_half_widths,
    widest_half_width,
)
from sim.experiment.results import PARTIAL_FILE
from sim.experiment.session import ExperimentSession
from sim.scenario import Scenario
from sim.stats import fieller_ratio_interval

HEADLINE = "weekend_escalations_per_weekend"
#: Runbooks that always work on 40% of incidents, and nothing else changes: every incident is
#: independent and healing is decided by a pre-drawn uniform, so the variant keeps exactly a
#: 0.6 share of the baseline's escalations in expectation. True relative change: -0.4.
HEALING_TRUE_REL_CHANGE = -0.4


def healing_document(seed: int = 7, max_runs: int = 2000) -> dict:
    document = small_scenario_document(
        variants=[
            {
                "name": "healing",
                "description": "Runbooks that always work, on 40% of incidents.",
                "set": {
                    "automation.self_healing.coverage": 0.4,
                    "automation.self_healing.success_probability": 1.0,
                },
            }
        ]
    )
    document["horizon"].update(seed=seed, runs=max_runs)
    return document


def healing_scenario(seed: int = 7, max_runs: int = 2000) -> Scenario:
    return Scenario.model_validate(healing_document(seed, max_runs))


# --- the stopping rule ------------------------------------------------------------------


def test_next_run_count_projects_from_the_widest_interval_and_at_most_doubles():
    target = PrecisionTarget(half_width=0.05, kpis=(HEADLINE,), max_runs=1000)
    assert first_run_count(target) == 24
    # 24 * (0.1 / 0.05)^2 * 1.2 = 115.2 -> 120, but at most doubling: 48.
    assert next_run_count(24, 0.1, target) == 48
    # 48 * (0.06 / 0.05)^2 * 1.2 = 82.9 -> 88 (whole batches of 8).
    assert next_run_count(48, 0.06, target) == 88
    # Just too wide: the safety factor still asks for 20% more, 88 * 1.2 = 105.8 -> 112.
    assert next_run_count(88, 0.0501, target) == 112
    assert next_run_count(88, 0.05, target) is None  # reached
    assert next_run_count(48, math.inf, target) == 96  # no interval yet: double
    assert next_run_count(800, 0.2, target) == 1000  # the cap
    assert next_run_count(1000, 0.2, target) is None


def test_half_width_of_a_kpi_without_an_interval_is_never_precise_enough():
    runs = pd.DataFrame(
        {
            "run": np.repeat(np.arange(30), 2),
            "variant": ["baseline", "v"] * 30,
            "rare": np.zeros(60),
        }
    )
    half_widths = relative_half_widths(runs, ["rare"])
    assert math.isnan(half_widths["rel_half_width"].iloc[0])
    assert widest_half_width(half_widths) == math.inf


def test_precision_target_refuses_nonsense():
    with pytest.raises(ValueError, match="positive"):
        PrecisionTarget(half_width=0.0, kpis=(HEADLINE,), max_runs=10)
    with pytest.raises(ValueError, match="KPI"):
        PrecisionTarget(half_width=0.01, kpis=(), max_runs=10)


# --- run_experiment(precision=) -----------------------------------------------------------


def test_adaptive_experiment_stops_at_the_precision_with_the_runs_of_a_fixed_one():
    scenario = healing_scenario()

    adaptive = run_experiment(scenario, precision=0.05)

    provenance = adaptive.provenance
    used = provenance["runs_used"]
    assert provenance["precision_met"] is True
    assert 24 < used < 2000 and used % 8 == 0
    assert provenance["precision_reached"] <= 0.05
    assert provenance["precision_kpis"] == [HEADLINE]
    fixed = run_experiment(scenario, runs=used)
    pd.testing.assert_frame_equal(adaptive.runs, fixed.runs)
    row = fixed.compare([HEADLINE]).iloc[0]
    assert (row.rel_ci_high - row.rel_ci_low) / 2 == pytest.approx(
        provenance["precision_reached"], abs=1e-6
    )


def test_runs_used_are_a_function_of_the_seed_not_of_the_jobs():
    scenario = healing_scenario()
    serial = run_experiment(scenario, precision=0.04, kpis=[HEADLINE, "escalations"])
    pooled = run_experiment(scenario, precision=0.04, kpis=[HEADLINE, "escalations"], jobs=2)
    assert serial.provenance["runs_used"] == pooled.provenance["runs_used"]
    pd.testing.assert_frame_equal(serial.runs, pooled.runs)


def test_runs_used_on_a_dask_cluster_are_those_of_the_process_pool():
    pytest.importorskip("distributed")
    scenario = healing_scenario()
    pool = run_experiment(scenario, precision=0.04, jobs=2)
    dask = run_experiment(scenario, precision=0.04, jobs=2, scheduler="local")
    assert dask.provenance["runs_used"] == pool.provenance["runs_used"]
    pd.testing.assert_frame_equal(dask.runs, pool.runs)


def test_cap_reached_before_the_precision_is_reported():
    result = run_experiment(healing_scenario(), precision=0.001, max_runs=40)
    assert result.provenance["runs_used"] == 40
    assert result.provenance["precision_met"] is False
    assert result.provenance["precision_reached"] > 0.001
    assert result.runs["run"].nunique() == 40


def test_runs_and_precision_together_are_refused():
    with pytest.raises(ValueError, match="either runs or precision"):
        run_experiment(healing_scenario(), runs=10, precision=0.05)


# --- oncall-sim run --precision -------------------------------------------------------------


@pytest.fixture
def healing_file(tmp_path):
    path = tmp_path / "healing.yaml"
    path.write_text(json.dumps(healing_document()))
    return path


def test_run_command_prints_and_records_runs_used_and_precision(healing_file, tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app,
        ["run", str(healing_file), "--precision", "0.05", "--max-runs", "500", "--out", str(out)],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    provenance = json.loads((out / "provenance.json").read_text())
    used = provenance["runs_used"]
    assert provenance["runs"] == used and provenance["max_runs"] == 500
    assert provenance["precision_target"] == 0.05 and provenance["precision_met"] is True
    assert f"reached after {used} paired runs" in " ".join(result.stdout.split())
    assert pd.read_parquet(out / "runs.parquet")["run"].nunique() == used


def test_run_command_refuses_runs_with_precision_and_a_kpi_that_is_not_one(healing_file):
    both = CliRunner().invoke(app, ["run", str(healing_file), "-n", "9", "--precision", "0.1"])
    assert both.exit_code == 2 and "either --runs or --precision" in both.output
    alone = CliRunner().invoke(app, ["run", str(healing_file), "--max-runs", "9"])
    assert alone.exit_code == 2 and "go with --precision" in alone.output
    wrong = CliRunner().invoke(
        app, ["run", str(healing_file), "--precision", "0.1", "--kpi", "weekend_pages"]
    )
    assert wrong.exit_code == 2 and "'weekend_pages' is not a KPI" in wrong.output


def test_interrupted_adaptive_experiment_resumes_to_the_same_runs(healing_file, tmp_path):
    scenario = Scenario.model_validate(json.loads(healing_file.read_text()))
    folder = tmp_path / "interrupted"
    session = ExperimentSession(scenario, healing_file, folder, runs=2000, precision=0.05)
    session.start()
    calls = 0
    original_add = session.checkpoint.add

    def add_then_interrupt(indices, values):
        nonlocal calls
        original_add(indices, values)
        calls += 1
        if calls == 4:  # Ctrl-C after the pilot and the first chunk of the next batch
            raise KeyboardInterrupt

    session.checkpoint.add = add_then_interrupt
    with pytest.raises(KeyboardInterrupt):
        session.run()
    assert session.save_partial() == 32
    assert pd.read_parquet(folder / PARTIAL_FILE)["run"].nunique() == 32

    result = CliRunner().invoke(
        app, ["run", str(healing_file), "--precision", "0.05", "--out", str(folder), "--resume"]
    )
    assert result.exit_code == 0, result.output
    fresh = run_experiment(scenario, precision=0.05)
    resumed = pd.read_parquet(folder / "runs.parquet")
    pd.testing.assert_frame_equal(resumed, fresh.runs)
    provenance = json.loads((folder / "provenance.json").read_text())
    assert provenance["runs_used"] == fresh.provenance["runs_used"]
    assert provenance["runs_resumed"] == 32


# --- coverage of the sequential rule --------------------------------------------------------


@pytest.mark.slow
def test_adaptive_interval_covers_the_known_effect_in_at_least_93_percent_of_experiments():
    # 200 independent adaptive experiments (seeds 1000..1199) of the healing scenario, each
    # stopping when its ±5-point target is reached; the reported 95% interval of the relative
    # change must contain the true -0.4 in at least 93% of them (95% less 1.3 standard errors
    # of a 200-experiment share; a rule that stops on underestimated variance falls below).
    covered = 0
    runs_used = []
    for seed in range(1000, 1200):
        result = run_experiment(healing_scenario(seed), precision=0.05, jobs=2)
        row = result.compare([HEADLINE]).iloc[0]
        covered += row.rel_ci_low <= HEALING_TRUE_REL_CHANGE <= row.rel_ci_high
        runs_used.append(result.provenance["runs_used"])
    assert covered / 200 >= 0.93, (covered, np.mean(runs_used))


@pytest.mark.slow
@pytest.mark.parametrize("target_half_width", [0.05, 0.03])
def test_stopping_rule_keeps_the_coverage_over_thousands_of_synthetic_experiments(
    target_half_width,
):
    # The same rule on paired counts drawn directly (no simulator), so 4,000 experiments are
    # cheap: the variant keeps each baseline event with probability 0.6 (true ratio 0.6).
    # Stopping on an underestimated variance would pull the coverage below 95%; the bound
    # allows 3 standard errors of a 4,000-experiment share.
    rng = np.random.default_rng(5)
    experiments, cap = 4000, 4000
    target = PrecisionTarget(target_half_width, (HEADLINE,), cap)
    covered = 0
    for _ in range(experiments):
        baseline = rng.poisson(11.4, cap).astype(float)
        variant = rng.binomial(baseline.astype(int), 0.6).astype(float)
        runs = first_run_count(target)
        while True:
            low, high = fieller_ratio_interval(baseline[:runs], variant[:runs])
            widest = math.inf if math.isnan(low) else (high - low) / 2
            next_runs = next_run_count(runs, widest, target)
            if next_runs is None:
                break
            runs = next_runs
        covered += low <= 0.6 <= high
    assert covered / experiments >= 0.95 - 3 * math.sqrt(0.95 * 0.05 / experiments)
