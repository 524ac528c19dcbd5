"""The statistical regression check: what counts as an answer that moved."""

from __future__ import annotations

import importlib.util
import json

from builders import REPO

spec = importlib.util.spec_from_file_location(
    "statistical_regression", REPO / "benchmarks" / "statistical_regression.py"
)
regression = importlib.util.module_from_spec(spec)
spec.loader.exec_module(regression)


def golden_entry(mean=6.0, mean_se=0.05, change=-0.30, change_se=0.002):
    return {
        "scenarios/x.yaml": {
            "runs": 40,
            "seed": 1,
            "baseline": {"weekend_escalations_per_weekend": {"mean": mean, "se": mean_se}},
            "variants": {
                "v": {"weekend_escalations_per_weekend": {"rel_change": change, "se": change_se}}
            },
        }
    }


def test_identical_answers_pass():
    assert regression.differences(golden_entry(), golden_entry()) == []


def test_a_move_within_the_tolerance_passes_and_beyond_it_fails():
    golden = golden_entry()
    within = golden_entry(mean=6.0 + 3.9 * 0.05)
    beyond = golden_entry(change=-0.30 + 4.5 * 0.002)
    assert regression.differences(golden, within) == []
    moved = regression.differences(golden, beyond)
    assert len(moved) == 1 and "v weekend_escalations_per_weekend relative change" in moved[0]
    assert "4.5 SE" in moved[0]


def test_a_scenario_added_or_removed_is_reported():
    current = {**golden_entry(), "scenarios/new.yaml": golden_entry()["scenarios/x.yaml"]}
    assert any("new.yaml" in line for line in regression.differences(golden_entry(), current))


def test_headline_answers_are_reproducible_for_a_scenario(tmp_path):
    path = REPO / "tests" / "bad_scenarios" / "key-typo.yaml"
    fixed = tmp_path / "ok.yaml"
    fixed.write_text(path.read_text().replace("alerts_per_wek", "alerts_per_week"))
    first = regression.headline_answers(fixed, runs=4)
    second = regression.headline_answers(fixed, runs=4)
    assert first == second
    assert regression.differences({"s": first}, {"s": second}) == []
    assert first["baseline"]["mttr_mean_minutes"]["se"] > 0


def test_benchmark_baseline_check_flags_only_regressions_beyond_tolerance():
    spec = importlib.util.spec_from_file_location(
        "check_baseline", REPO / "benchmarks" / "check_baseline.py"
    )
    check = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(check)
    baseline = {
        "metrics": {
            name: {"value": value}
            for name, value in {
                "model_events_per_second_ratio": 0.40,
                "simpy_events_per_incident": 7.0,
                "generation_share": 0.02,
                "generator_kernel_vs_numpy_speedup": 1.3,
                "jobs2_speedup": 1.9,
                "crn_variance_reduction": 5.9,
                "peak_memory_mib": 400.0,
            }.items()
        }
    }
    same = json.loads(json.dumps(baseline))
    assert check.regressions(same, baseline) == []
    slower = json.loads(json.dumps(baseline))
    slower["metrics"]["model_events_per_second_ratio"]["value"] = 0.29  # below 0.75 x 0.40
    slower["metrics"]["generation_share"]["value"] = 0.05  # 2.5x, but under the 0.10 target
    problems = check.regressions(slower, baseline)
    assert len(problems) == 1 and problems[0].startswith("model_events_per_second_ratio")
