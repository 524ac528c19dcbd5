"""Cost per alert of a generated large organisation, relative to the telco scenario (issue 16 §3).

Run from the repository root:

    python benchmarks/large_organisation.py [--quick] [--out FILE.json]

The organisations are generated from one template (``organisation_document``): T teams of 8
engineers and 10 services each, about 1.5 alerts a week per service, weekly rotations, the
telco scenario's response, escalation and automation, and a layered dependency graph (each
service of team t depends on one or two services of team t - 1) with cascades on. The template
at 3 teams is the small reference, so ``cost_per_alert_ratio_vs_3_teams`` isolates what grows
with size alone; ``cost_per_alert_ratio_vs_telco`` compares with ``scenarios/telco-weekend.yaml``
(no cascades), as the issue asks. Timings are of ``simulate_run`` of the baseline (generation,
model and KPIs of one run), interleaved across the organisations and repeated, best of, all in
this process (benchmarks/README.md: ratios of same-process timings). Measurement only: the
target (within 1.3x) is reported, not enforced. ``--profile`` adds the functions with the most
own time in the largest organisation, to show where it goes superlinear; ``--memory`` measures,
in a fresh process, the peak RSS of one run of each organisation against the up-front memory
estimate (a worker's memory does not grow with the number of runs; the parent's results table
does, by 24 bytes per value).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import json
import pstats
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import yaml

from sim.experiment import plan_experiment, simulate_run
from sim.generator import generate_alert_stream, warm_up_kernels
from sim.scenario import load_scenario
from sim.scenario.models import Scenario

REPO = Path(__file__).resolve().parents[1]
TELCO = REPO / "scenarios" / "telco-weekend.yaml"
TARGET_RATIO = 1.3


@dataclass(frozen=True)
class Sizes:
    teams: tuple[int, ...]  # organisations measured; the first is the reference
    weeks: int
    repeats: int  # interleaved repetitions (best of)
    runs: tuple[int, ...]  # run indices timed in each repetition


FULL = Sizes(teams=(3, 30, 100), weeks=52, repeats=2, runs=(0,))
QUICK = Sizes(teams=(3, 30), weeks=8, repeats=2, runs=(0,))


def organisation_document(teams: int, weeks: int, seed: int = 20261126) -> dict:
    """A generated organisation of ``teams`` teams (see the module docstring), as plain data."""
    telco = yaml.safe_load(TELCO.read_text())
    rng = np.random.default_rng([seed, teams])
    profiles = ("flat", "weekend-quiet", "business-hours-weekend-quiet")
    team_list, services = [], []
    for team in range(teams):
        name = f"team-{team + 1:03d}"
        team_list.append(
            {
                "name": name,
                "engineers": 8,
                "rotation": {"shift": "weekly", "handoff_day": "Mon", "handoff_time": "09:00"},
            }
        )
        for number in range(10):
            service = {
                "name": f"{name}-svc-{number + 1:02d}",
                "team": name,
                "alerts_per_week": round(float(rng.uniform(1.0, 2.0)), 2),
                "profile": profiles[(team + number) % 3],
            }
            if team > 0:
                upstream = rng.choice(10, size=int(rng.integers(1, 3)), replace=False)
                service["depends_on"] = [
                    f"team-{team:03d}-svc-{index + 1:02d}" for index in sorted(upstream)
                ]
            services.append(service)
    return {
        "name": f"generated organisation, {teams} teams",
        "horizon": {**telco["horizon"], "weeks": weeks, "runs": 10},
        "calendar": telco["calendar"],
        "teams": team_list,
        "escalation": telco["escalation"],
        "response": telco["response"],
        "automation": telco["automation"],
        "cascades": {
            "downstream_probability": 0.3,
            "upstream_probability": 0.1,
            "delay_minutes": {"distribution": "exponential", "mean": 4},
            "max_depth": 5,
        },
        "services": services,
    }


def _telco(weeks: int) -> Scenario:
    scenario = load_scenario(TELCO)
    return scenario.model_copy(
        update={"horizon": scenario.horizon.model_copy(update={"weeks": weeks}), "variants": []}
    )


def measure(sizes: Sizes, profile: bool = False) -> dict:
    """Seconds per alert of each organisation and the ratios (see the module docstring)."""
    scenarios = {"telco": _telco(sizes.weeks)}
    for teams in sizes.teams:
        document = organisation_document(teams, sizes.weeks)
        scenarios[f"{teams}-teams"] = Scenario.model_validate(document)
    plans = {name: plan_experiment(scenario, []) for name, scenario in scenarios.items()}
    warm_up_kernels()
    alerts = {
        name: sum(
            len(generate_alert_stream(plan.variants[0].arrivals, plan.root_seed, run))
            for run in sizes.runs
        )
        for name, plan in plans.items()
    }
    for plan in plans.values():  # warm-up: first-call costs (imports, caches) not counted
        simulate_run(plan, sizes.runs[0])
    best = dict.fromkeys(plans, float("inf"))
    for _ in range(sizes.repeats):
        for name, plan in plans.items():
            gc.collect()
            started = time.perf_counter()
            for run in sizes.runs:
                simulate_run(plan, run)
            best[name] = min(best[name], time.perf_counter() - started)
    per_alert = {name: best[name] / alerts[name] for name in plans}
    reference = f"{sizes.teams[0]}-teams"
    organisations = {
        name: {
            "alerts_per_run": alerts[name] / len(sizes.runs),
            "seconds_per_run": best[name] / len(sizes.runs),
            "microseconds_per_alert": per_alert[name] * 1e6,
            "cost_per_alert_ratio_vs_telco": per_alert[name] / per_alert["telco"],
            "cost_per_alert_ratio_vs_3_teams": per_alert[name] / per_alert[reference],
        }
        for name in plans
    }
    largest = f"{sizes.teams[-1]}-teams"
    result = {
        "sizes": asdict(sizes),
        "organisations": organisations,
        "largest": largest,
        "target": f"cost per alert of {largest} within {TARGET_RATIO}x of telco",
        "meets_target": organisations[largest]["cost_per_alert_ratio_vs_telco"] <= TARGET_RATIO,
    }
    if profile:
        result["largest_profile_top_own_time"] = _profile(plans[largest], sizes.runs[0])
    return result


def _profile(plan, run: int, top: int = 12) -> list[dict]:
    profiler = cProfile.Profile()
    profiler.runcall(simulate_run, plan, run)
    table = pstats.Stats(profiler).stats
    rows = sorted(table.items(), key=lambda item: item[1][2], reverse=True)[:top]
    total = sum(value[2] for value in table.values())
    return [
        {
            "function": f"{Path(file).name}:{line}:{name}",
            "own_seconds": round(value[2], 4),
            "share": round(value[2] / total, 4),
            "calls": value[1],
        }
        for (file, line, name), value in rows
    ]


def memory_probe(teams: int, weeks: int) -> dict:
    """In a fresh process: peak RSS of one run of the organisation against the up-front
    estimate (`sim.experiment.capacity.estimate_memory` for 1 run on 1 job)."""
    from sim.experiment.capacity import estimate_memory

    plan = plan_experiment(Scenario.model_validate(organisation_document(teams, weeks)), [])
    estimate = estimate_memory(plan, runs=1, jobs=1)
    simulate_run(plan, 0)
    peak_bytes = _peak_rss_bytes()
    return {
        "teams": teams,
        "weeks": weeks,
        "estimated_alerts_per_run": estimate.alerts_per_run,
        "estimated_mib": estimate.total_bytes / 2**20,
        "measured_peak_rss_mib": peak_bytes / 2**20,
        "within_estimate": peak_bytes <= estimate.total_bytes,
    }


def _peak_rss_bytes() -> int:
    """This process's peak resident set (Linux VmHWM). Not getrusage's ru_maxrss: Linux keeps
    that across exec, so a probe started from a large parent would report the parent's peak."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM in /proc/self/status (Linux only)")


def _memory_in_fresh_process(teams: int, weeks: int) -> dict:
    output = subprocess.run(
        [sys.executable, __file__, "--memory-probe", str(teams), str(weeks)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 and 30 teams, 8 weeks")
    parser.add_argument("--profile", action="store_true", help="where the largest spends time")
    parser.add_argument("--memory", action="store_true", help="peak RSS against the estimate")
    parser.add_argument("--out", type=Path, help="write the results as JSON to this file")
    parser.add_argument("--memory-probe", nargs=2, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.memory_probe:
        print(json.dumps(memory_probe(*args.memory_probe)))
        return 0
    sizes = QUICK if args.quick else FULL
    result = measure(sizes, profile=args.profile)
    if args.memory:
        result["memory_one_run"] = {
            f"{teams}-teams": _memory_in_fresh_process(teams, sizes.weeks) for teams in sizes.teams
        }
        for name, figures in result["memory_one_run"].items():
            print(
                f"{name:>10}: peak RSS {figures['measured_peak_rss_mib']:,.0f} MiB, estimate "
                f"{figures['estimated_mib']:,.0f} MiB ({figures['estimated_alerts_per_run']:,.0f}"
                " alerts estimated)"
            )
    for name, figures in result["organisations"].items():
        print(
            f"{name:>10}: {figures['alerts_per_run']:>9,.0f} alerts/run, "
            f"{figures['seconds_per_run']:7.2f} s/run, "
            f"{figures['microseconds_per_alert']:7.1f} us/alert, "
            f"x{figures['cost_per_alert_ratio_vs_telco']:.2f} telco, "
            f"x{figures['cost_per_alert_ratio_vs_3_teams']:.2f} 3 teams"
        )
    for row in result.get("largest_profile_top_own_time", []):
        print(f"  {row['share']:6.1%}  {row['calls']:>9}  {row['function']}")
    if args.out:
        temporary = args.out.with_suffix(args.out.suffix + ".tmp")
        temporary.write_text(json.dumps(result, indent=2) + "\n")
        temporary.replace(args.out)
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
