"""Smoke test of benchmarks/run_benchmarks.py: every figure is produced, with tiny sizes.

No timing is asserted (docs/design.md: speed is measured as same-process ratios by the benchmark
script, never as wall-clock asserts in unit tests); only that each figure exists and is a
positive, finite number.
"""

from __future__ import annotations

import importlib.util
import json
import math
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "run_benchmarks.py"
FIGURES = {
    "model_events_per_second_ratio",
    "simpy_events_per_incident",
    "generation_share",
    "generator_kernel_vs_numpy_speedup",
    "jobs2_speedup",
    "crn_variance_reduction",
    "peak_memory_mib",
    "telco_1000_runs_wall_seconds",
}


@pytest.fixture(scope="module")
def benchmarks():
    spec = importlib.util.spec_from_file_location("run_benchmarks", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop(spec.name, None)


@pytest.fixture(scope="module")
def short_scenario(benchmarks, tmp_path_factory) -> Path:
    """The telco scenario over 8 weeks instead of 52, so each run is cheap."""
    text = benchmarks.DEFAULT_SCENARIO.read_text()
    assert "  weeks: 52\n" in text
    path = tmp_path_factory.mktemp("scenario") / "telco-short.yaml"
    path.write_text(text.replace("  weeks: 52\n", "  weeks: 8\n"))
    return path


@pytest.fixture(scope="module")
def results(benchmarks, short_scenario):
    tiny = benchmarks.Sizes(
        event_repeats=2,
        event_runs=1,
        generation_runs=2,
        generator_repeats=1,
        generator_runs=1,
        jobs_runs=16,  # two chunks, so jobs=2 really starts a pool
        jobs_repeats=1,
        crn_runs=4,
        memory_runs=16,
        memory_jobs=2,
        wall_runs=8,
    )
    return benchmarks.run_benchmarks(tiny, short_scenario, mode="tiny")


def test_every_figure_is_reported_with_value_target_and_verdict(results):
    assert set(results["metrics"]) == FIGURES
    for name, figure in results["metrics"].items():
        assert {"value", "unit", "target", "meets_target", "timed"} <= set(figure), name
        assert figure["meets_target"] in (True, False, None), name


def test_figures_are_positive_and_finite(results):
    for name, figure in results["metrics"].items():
        assert math.isfinite(figure["value"]) and figure["value"] > 0, (name, figure["value"])


def test_shares_and_counts_are_plausible(results):
    metrics = results["metrics"]
    assert 0 < metrics["generation_share"]["value"] < 1
    # Each incident that reaches a human is at least a process start, an ack wait and work.
    assert metrics["simpy_events_per_incident"]["value"] >= 3
    assert metrics["peak_memory_mib"]["details"]["parent_maxrss_mib"] > 0


def test_jobs_speedup_run_gives_identical_results_with_one_and_two_workers(results):
    assert results["metrics"]["jobs2_speedup"]["details"]["identical_results"] is True


def test_results_serialise_to_strict_json_with_machine_description(benchmarks, results):
    text = json.dumps(benchmarks.json_safe(results), allow_nan=False)
    loaded = json.loads(text)
    assert loaded["mode"] == "tiny"
    assert {"cpu_count", "python", "platform"} <= set(loaded["machine"])


def test_table_lists_every_figure(benchmarks, results):
    table = benchmarks.format_table(benchmarks.json_safe(results))
    for name in FIGURES:
        assert name in table


def test_large_organisation_benchmark_reports_every_ratio():
    spec = importlib.util.spec_from_file_location(
        "large_organisation", SCRIPT.parent / "large_organisation.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
        result = module.measure(module.Sizes(teams=(3, 6), weeks=2, repeats=1, runs=(0,)))
    finally:
        sys.modules.pop(spec.name, None)
    assert set(result["organisations"]) == {"telco", "3-teams", "6-teams"}
    for figures in result["organisations"].values():
        for value in figures.values():
            assert math.isfinite(value) and value > 0
    assert result["organisations"]["3-teams"]["cost_per_alert_ratio_vs_3_teams"] == 1.0
    assert isinstance(result["meets_target"], bool)
