"""Statistical regression check: do the answers of every scenario still say what they said?

For every scenario under ``scenarios/`` (validation scenarios included), at a fixed seed and run
count, it records the headline answers: per KPI below, the baseline mean with its standard error
and, per variant, the relative change with its standard error. ``check`` recomputes them and fails
when one moves beyond ``TOLERANCE_SE`` standard errors of the golden value; ``update`` rewrites the
golden file deliberately and prints what moved.

    python benchmarks/statistical_regression.py check
    python benchmarks/statistical_regression.py update

The same code and seed give identical numbers, so a pass is exact; the tolerance decides how large
a change of the model counts as moving the answers: one within ~4 standard errors is noise-sized
at this run count, anything beyond it is a real change someone must accept with ``update``.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
GOLDEN_FILE = REPO / "benchmarks" / "golden" / "headline.json"
SCENARIO_FOLDER = REPO / "scenarios"
RUNS = 40
SEED = 20261126
#: Standard errors a value may move before the check fails. With about 60 values checked, 4 SE
#: keeps the family-wise false alarm rate of a harmless, noise-sized change near 0.4%.
TOLERANCE_SE = 4.0
#: The headline KPI, plus two that react to response times and to night work.
KPIS_CHECKED = ("weekend_escalations_per_weekend", "interruptions_sleep", "mttr_mean_minutes")


def headline_answers(path: Path, runs: int = RUNS, jobs: int = 1) -> dict:
    """The golden entry of one scenario: baseline means and relative changes with their SEs."""
    from sim.experiment import run_experiment
    from sim.metrics import kpi_directions
    from sim.scenario import load_scenario
    from sim.stats import compare

    scenario = load_scenario(path)
    result = run_experiment(scenario, runs=runs, jobs=jobs, seed=SEED)
    table = result.runs
    baseline = table[table["variant"] == "baseline"]
    entry: dict = {"runs": runs, "seed": SEED, "baseline": {}, "variants": {}}
    for kpi in KPIS_CHECKED:
        values = baseline[kpi].to_numpy(float)
        values = values[~np.isnan(values)]
        entry["baseline"][kpi] = {
            "mean": float(values.mean()),
            "se": float(values.std(ddof=1) / math.sqrt(len(values))),
        }
    if len(scenario.variant_names) > 1:
        summary = compare(table, list(KPIS_CHECKED), directions=kpi_directions(KPIS_CHECKED))
        for row in summary.itertuples(index=False):
            half_width = (row.rel_ci_high - row.rel_ci_low) / 2
            entry["variants"].setdefault(row.variant, {})[row.kpi] = {
                "rel_change": float(row.rel_change),
                "se": float(half_width / 1.96) if math.isfinite(half_width) else math.nan,
            }
    return entry


def all_answers(runs: int = RUNS, jobs: int = 1) -> dict:
    paths = sorted(SCENARIO_FOLDER.rglob("*.yaml"))
    return {str(path.relative_to(REPO)): headline_answers(path, runs, jobs) for path in paths}


def _pairs(golden: dict, current: dict):
    """(label, golden value, golden SE, current value) for every checked number."""
    for scenario in sorted(set(golden) | set(current)):
        old, new = golden.get(scenario), current.get(scenario)
        if old is None or new is None:
            yield scenario, None, None, None
            continue
        for kpi, value in old["baseline"].items():
            now = new["baseline"].get(kpi, {}).get("mean")
            yield f"{scenario} baseline {kpi} mean", value["mean"], value["se"], now
        for variant, kpis in old["variants"].items():
            for kpi, value in kpis.items():
                now = new["variants"].get(variant, {}).get(kpi, {}).get("rel_change")
                label = f"{scenario} {variant} {kpi} relative change"
                yield label, value["rel_change"], value["se"], now


def differences(golden: dict, current: dict, tolerance_se: float = TOLERANCE_SE) -> list[str]:
    """Human-readable lines for every value that moved beyond its tolerance (empty: all hold)."""
    problems = []
    for label, old, se, new in _pairs(golden, current):
        if old is None or new is None:
            problems.append(f"{label}: present on one side only (scenario added or removed?)")
            continue
        if math.isnan(old) and math.isnan(new):
            continue
        # A zero SE (a constant KPI) still allows rounding-level differences.
        allowed = tolerance_se * se if se and math.isfinite(se) else 1e-9 * max(1, abs(old))
        if not abs(new - old) <= allowed:
            sigmas = abs(new - old) / se if se else math.inf
            problems.append(
                f"{label}: {old:.4g} -> {new:.4g} ({sigmas:.1f} SE; allowed {tolerance_se:g} SE)"
            )
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=("check", "update"))
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (same results)")
    parser.add_argument("--golden", type=Path, default=GOLDEN_FILE)
    arguments = parser.parse_args(argv)

    current = all_answers(RUNS, arguments.jobs)
    golden = json.loads(arguments.golden.read_text()) if arguments.golden.exists() else {}
    moved = differences(golden, current) if golden else ["no golden file yet"]
    if arguments.command == "update":
        arguments.golden.parent.mkdir(parents=True, exist_ok=True)
        arguments.golden.write_text(json.dumps(current, indent=2, sort_keys=True) + "\n")
        print(f"wrote {arguments.golden.relative_to(REPO)} ({len(current)} scenarios)")
        for line in moved:
            print(f"  changed: {line}")
        if not moved:
            print("  nothing moved beyond its tolerance")
        return 0
    if moved:
        print(f"statistical regression check FAILED: {len(moved)} answer(s) moved", file=sys.stderr)
        for line in moved:
            print(f"  {line}", file=sys.stderr)
        print(
            "If the change is intended, regenerate: "
            "python benchmarks/statistical_regression.py update",
            file=sys.stderr,
        )
        return 1
    checked = sum(1 for _ in _pairs(golden, current))
    print(f"statistical regression check passed: {checked} answers of {len(current)} scenarios")
    return 0


if __name__ == "__main__":
    sys.exit(main())
