"""Fail when a benchmark ratio regresses beyond its tolerance against the committed baseline.

    python benchmarks/run_benchmarks.py --quick --out /tmp/bench.json
    python benchmarks/check_baseline.py /tmp/bench.json            # CI does both
    python benchmarks/check_baseline.py /tmp/bench.json --update   # accept new figures

The baseline (``benchmarks/baseline-quick.json``) holds quick-mode figures of this machine kind.
Tolerances, per metric (the direction of "worse" in brackets):

* ``model_events_per_second_ratio`` (lower): fails below 0.75 x baseline. Both timings are taken
  in one process, best of interleaved repetitions, so noise rarely moves it by 10%.
* ``simpy_events_per_incident`` (higher): fails above 1.05 x baseline. It is a count, not a time.
* ``generation_share`` (higher): fails above 2 x baseline and above 0.10 (the design target);
  small shares of a small time are noisy.
* ``generator_kernel_vs_numpy_speedup`` (lower): fails below 0.6 x baseline.
* ``jobs2_speedup`` (lower): fails below 0.7 x baseline; it depends on the second core being free.
* ``crn_variance_reduction`` (lower): fails below 0.8 x baseline; with fixed seeds it only moves
  when the model or its randomness changes.
* ``peak_memory_mib`` (higher): fails above 1.3 x baseline.

Wall times are reported, never gated.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

BASELINE_FILE = Path(__file__).resolve().parent / "baseline-quick.json"

#: metric -> (worse direction, allowed factor, absolute limit that must also be crossed or None)
TOLERANCES: dict[str, tuple[str, float, float | None]] = {
    "model_events_per_second_ratio": ("lower", 0.75, None),
    "simpy_events_per_incident": ("higher", 1.05, None),
    "generation_share": ("higher", 2.0, 0.10),
    "generator_kernel_vs_numpy_speedup": ("lower", 0.6, None),
    "jobs2_speedup": ("lower", 0.7, None),
    "crn_variance_reduction": ("lower", 0.8, None),
    "peak_memory_mib": ("higher", 1.3, None),
}


def regressions(current: dict, baseline: dict) -> list[str]:
    """One line per metric that regressed beyond its tolerance (empty: all hold)."""
    problems = []
    for metric, (worse, factor, absolute) in TOLERANCES.items():
        if metric not in baseline["metrics"] or metric not in current["metrics"]:
            problems.append(f"{metric}: missing from the baseline or the current results")
            continue
        old = baseline["metrics"][metric]["value"]
        new = current["metrics"][metric]["value"]
        limit = old * factor
        if worse == "lower":
            failed = new < limit and (absolute is None or new < absolute)
        else:
            failed = new > limit and (absolute is None or new > absolute)
        if failed:
            problems.append(
                f"{metric}: {new:.4g} against baseline {old:.4g} "
                f"({'below' if worse == 'lower' else 'above'} the limit {limit:.4g})"
            )
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("results", type=Path, help="JSON written by run_benchmarks.py --quick")
    parser.add_argument("--baseline", type=Path, default=BASELINE_FILE)
    parser.add_argument("--update", action="store_true", help="make these results the baseline")
    arguments = parser.parse_args(argv)
    current = json.loads(arguments.results.read_text())
    if arguments.update:
        shutil.copyfile(arguments.results, arguments.baseline)
        print(f"baseline updated: {arguments.baseline}")
        return 0
    baseline = json.loads(arguments.baseline.read_text())
    if current.get("mode") != baseline.get("mode"):
        print("results and baseline were measured in different modes", file=sys.stderr)
        return 1
    problems = regressions(current, baseline)
    for line in problems:
        print(f"benchmark regression: {line}", file=sys.stderr)
    if problems:
        return 1
    print(f"benchmarks within tolerance of the baseline ({len(TOLERANCES)} ratios checked)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
