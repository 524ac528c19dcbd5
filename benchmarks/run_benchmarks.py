"""Speed and scale benchmarks of oncall-sim on the telco scenario, as same-process ratios.

Run from the repository root:

    python benchmarks/run_benchmarks.py [--quick] [--out FILE.json] [--fail-on-miss]

Prints a table and writes JSON (``machine``, ``mode``, ``metrics``). Speed figures are ratios of
two timings taken in the same process, interleaved and repeated (best of: other processes only
ever slow a timing down), so they hold on a noisy two-core machine; benchmarks/README.md says
exactly what each timer covers.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numba
import numpy as np
import simpy

import sim.experiment.runs as experiment_module
from sim.calendar import SLOT_MINUTES
from sim.experiment import ExperimentPlan, plan_experiment, run_experiment, simulate_run
from sim.generator import DECISION_COLUMNS, generate_alert_stream, warm_up_kernels
from sim.generator.alerts import draw_service
from sim.generator.kernels import invert_and_classify_kernel as invert_kernel
from sim.generator.kernels import invert_and_classify_reference as invert_reference
from sim.model import run_model
from sim.model.world import World
from sim.scenario import load_scenario
from sim.scenario.models import Scenario
from sim.stats import crn_variance_ratio

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SCENARIO = REPO / "scenarios" / "telco-weekend.yaml"
HEADLINE_KPI = "weekend_escalations_per_weekend"
#: Events a bare loop of N timeouts processes besides them: the process's Initialize event and
#: the process itself (an event that fires when the generator returns).
BARE_LOOP_EXTRA_EVENTS = 2


@dataclass(frozen=True)
class Sizes:
    """How much work each benchmark does."""

    event_repeats: int  # interleaved repetitions of model run vs bare SimPy loop
    event_runs: int  # run indices simulated (baseline) in each model repetition
    generation_runs: int  # simulate_run calls behind the generation share (median)
    generator_repeats: int  # interleaved repetitions of kernel vs numpy generator
    generator_runs: int  # alert streams generated per generator repetition
    jobs_runs: int  # runs of run_experiment for jobs=1 vs jobs=2
    jobs_repeats: int  # interleaved repetitions of that pair (best of)
    crn_runs: int  # R: paired runs 0..R-1, independent variants from runs R..2R-1
    memory_runs: int  # runs of run_experiment in the fresh memory-probe process
    memory_jobs: int
    wall_runs: int  # runs of the end-to-end wall-time figure (jobs=2)


FULL = Sizes(11, 4, 20, 9, 5, 200, 3, 300, 10_000, 2, 1000)
QUICK = Sizes(7, 2, 20, 5, 3, 60, 1, 100, 1000, 2, 200)


def metric(value: float, unit: str, target: str, meets: bool | None, timed: str, **details) -> dict:
    """One figure of the JSON output; ``meets`` is None for figures reported but not gated."""
    return {
        "value": float(value),
        "unit": unit,
        "target": target,
        "meets_target": meets,
        "timed": timed,
        "details": details,
    }


def _seconds(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def bare_timeout_loop_seconds(events: int, environment: type = simpy.Environment) -> float:
    """Seconds for env.run() of one process yielding env.timeout(1) ``events`` times."""
    env = environment()

    def ticker(env):
        for _ in range(events):
            yield env.timeout(1)

    env.process(ticker(env))
    gc.collect()
    return _seconds(env.run)


def measure_model_events(plan: ExperimentPlan, sizes: Sizes) -> dict[str, dict]:
    """Model events per second against a bare SimPy loop, and SimPy events per incident."""
    baseline = plan.variants[0]
    streams = [  # generation is not timed here
        generate_alert_stream(baseline.arrivals, plan.root_seed, run)
        for run in range(sizes.event_runs)
    ]
    # Time World.run() exactly, inside an ordinary run_model call (so the World is built just
    # as the model builds it), by wrapping the method for the duration of this benchmark.
    run_seconds = [0.0]
    original_run = World.run

    def timed_run(world: World) -> None:
        started = time.perf_counter()
        original_run(world)
        run_seconds[0] += time.perf_counter() - started

    events = incidents = 0
    model_rates, bare_rates, inclusive_rates = [], [], []
    World.run = timed_run
    try:
        for repeat in range(sizes.event_repeats):
            run_seconds[0] = inclusive_seconds = 0.0
            events = incidents = 0
            for stream in streams:
                gc.collect()
                started = time.perf_counter()
                records = run_model(baseline, stream)
                inclusive_seconds += time.perf_counter() - started
                events += records.simpy_events
                incidents += int(np.sum(records.first_page_person >= 0))
            bare_events = max(events, 20_000)
            bare = bare_timeout_loop_seconds(bare_events)
            if repeat == 0:
                continue  # warm-up: first-touch allocations, caches
            model_rates.append(events / run_seconds[0])
            inclusive_rates.append(events / inclusive_seconds)
            bare_rates.append((bare_events + BARE_LOOP_EXTRA_EVENTS) / bare)
    finally:
        World.run = original_run

    model_rate, bare_rate = max(model_rates), max(bare_rates)
    per_repetition = [m / b for m, b in zip(model_rates, bare_rates, strict=True)]
    return {
        "model_events_per_second_ratio": metric(
            model_rate / bare_rate,
            "ratio",
            ">= 0.333",
            model_rate / bare_rate >= 1 / 3,
            "World.run() of the baseline inside run_model (env.run of the dispatcher and "
            "incident processes), "
            "against env.run() of a bare loop of env.timeout(1) on simpy.Environment; "
            "best (highest) events/s of each over interleaved repetitions",
            model_events_per_second=model_rate,
            bare_loop_events_per_second=bare_rate,
            median_ratio=statistics.median(model_rates) / statistics.median(bare_rates),
            per_repetition_ratio_min=min(per_repetition),
            per_repetition_ratio_max=max(per_repetition),
            run_model_inclusive_ratio=max(inclusive_rates) / bare_rate,
            events_per_repetition=events,
            runs_per_repetition=sizes.event_runs,
            repetitions_counted=len(model_rates),
        ),
        "simpy_events_per_incident": metric(
            events / incidents,
            "events/incident",
            "<= 12",
            events / incidents <= 12,
            "not timed: records.simpy_events / incidents with first_page_person >= 0",
            events=events,
            incidents=incidents,
            runs=sizes.event_runs,
        ),
    }


def _kernel_inputs(plan: ExperimentPlan, run: int) -> tuple:
    """The invert-and-classify inputs of one run, prepared as generate_alert_stream does."""
    tables = plan.variants[0].arrivals
    draws = [
        draw_service(tables, plan.root_seed, run, service)
        for service in range(len(tables.service_names))
    ]
    points_per_service = [points for points, _, _ in draws]
    uniforms_per_service = [uniforms for _, uniforms, _ in draws]
    counts = np.array([len(points) for points in points_per_service], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    uniforms = np.concatenate(uniforms_per_service)
    severity = np.ascontiguousarray(uniforms[:, DECISION_COLUMNS.index("severity")])
    common = (tables.cumulative_rate, float(SLOT_MINUTES), tables.severity_cumulative)
    return (*common, np.concatenate(points_per_service), offsets, severity)


def measure_generation(plan: ExperimentPlan, sizes: Sizes) -> dict[str, dict]:
    """Share of a run spent generating its alert stream; numba kernel against numpy."""
    generation_seconds = [0.0]
    original = experiment_module.generate_alert_stream

    def timed_generate(*args, **kwargs):
        start = time.perf_counter()
        stream = original(*args, **kwargs)
        generation_seconds[0] += time.perf_counter() - start
        return stream

    shares = []
    experiment_module.generate_alert_stream = timed_generate
    try:
        simulate_run(plan, sizes.generation_runs)  # warm-up
        for run in range(sizes.generation_runs):
            generation_seconds[0] = 0.0
            gc.collect()
            total = _seconds(lambda run=run: simulate_run(plan, run))
            shares.append(generation_seconds[0] / total)
    finally:
        experiment_module.generate_alert_stream = original

    tables = plan.variants[0].arrivals
    runs = range(sizes.generator_runs)
    inputs = [_kernel_inputs(plan, run) for run in runs]
    kernel_times, numpy_times, kernel_only, numpy_only = [], [], [], []
    for _ in range(sizes.generator_repeats):
        for use_kernel, times in ((True, kernel_times), (False, numpy_times)):
            started = time.perf_counter()
            for run in runs:
                generate_alert_stream(tables, plan.root_seed, run, use_kernel=use_kernel)
            times.append(time.perf_counter() - started)
        for args in inputs:
            total = len(args[3])
            outputs = (np.empty(total), np.empty(total, np.int64), np.empty(total, np.int64))
            kernel_only.append(_seconds(lambda a=args, o=outputs: invert_kernel(*a, *o)))
            numpy_only.append(_seconds(lambda a=args: invert_reference(*a)))
    speedup = min(numpy_times) / min(kernel_times)
    return {
        "generation_share": metric(
            statistics.median(shares),
            "fraction",
            "< 0.10",
            statistics.median(shares) < 0.10,
            "generate_alert_stream calls inside simulate_run (all variants) / that simulate_run; "
            "median over runs",
            runs=sizes.generation_runs,
            variants=plan.variant_names,
            share_min=min(shares),
            share_max=max(shares),
        ),
        "generator_kernel_vs_numpy_speedup": metric(
            speedup,
            "ratio",
            "> 1",
            speedup > 1,
            "generate_alert_stream(use_kernel=False) / (use_kernel=True), whole function "
            "(including the shared PCG64 draws), best of interleaved repetitions",
            median_speedup=statistics.median(numpy_times) / statistics.median(kernel_times),
            invert_and_classify_only_speedup=min(numpy_only) / min(kernel_only),
            generate_seconds_kernel=min(kernel_times) / len(runs),
            generate_seconds_numpy=min(numpy_times) / len(runs),
        ),
    }


def _process_tree_cpu_seconds() -> float:
    """User + system CPU seconds of this process and of its reaped children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _machine_busy_cpu_seconds() -> float | None:
    """CPU seconds all processes on the machine have used since boot (None without /proc)."""
    try:
        with open("/proc/stat") as stat:
            # user nice system idle iowait irq softirq steal: busy = all but idle and iowait
            ticks = [int(value) for value in stat.readline().split()[1:9]]
    except (OSError, ValueError):
        return None
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")


def timed_experiment(scenario: Scenario, **options) -> tuple[object, dict[str, float | None]]:
    """run_experiment(scenario, **options), with its wall time and who used the CPU meanwhile.

    ``cpu_per_wall``: CPU seconds of this process and its workers per wall second (about 2 when
    two workers each had a core). ``others_cpu_per_wall``: CPU seconds every other process on
    the machine used per wall second; near 1 on two cores means another job took a whole core
    and the timing says more about the machine than about the code.
    """
    machine_before, tree_before = _machine_busy_cpu_seconds(), _process_tree_cpu_seconds()
    started = time.perf_counter()
    result = run_experiment(scenario, **options)
    seconds = time.perf_counter() - started
    tree = _process_tree_cpu_seconds() - tree_before
    machine_after = _machine_busy_cpu_seconds()
    others = None
    if machine_before is not None and machine_after is not None:
        others = max(0.0, machine_after - machine_before - tree) / seconds
    timing = {"seconds": seconds, "cpu_per_wall": tree / seconds, "others_cpu_per_wall": others}
    return result, timing


#: Other processes' CPU use (CPU seconds per wall second) above which a timing is flagged.
DISTURBED_ABOVE = 0.25
#: Extra jobs=1/jobs=2 pairs measured, at most, while every pair so far was disturbed.
EXTRA_JOBS_REPEATS = 3


def _disturbed(timing: dict) -> bool:
    others = timing["others_cpu_per_wall"]
    return others is not None and others > DISTURBED_ABOVE


def measure_jobs_speedup(scenario: Scenario, plan: ExperimentPlan, sizes: Sizes) -> dict:
    """Wall time of run_experiment with jobs=1 over jobs=2 (best of interleaved repeats).

    Timings during which other processes kept a core busy are set aside when undisturbed ones
    exist; up to ``EXTRA_JOBS_REPEATS`` more pairs are measured while none is undisturbed.
    """
    timings: dict[int, list[dict]] = {1: [], 2: []}
    identical = True
    for repeat in range(sizes.jobs_repeats + EXTRA_JOBS_REPEATS):
        if repeat >= sizes.jobs_repeats and any(
            not _disturbed(one) and not _disturbed(two)
            for one, two in zip(timings[1], timings[2], strict=True)
        ):
            break
        tables = []
        for jobs in (1, 2):
            result, timing = timed_experiment(scenario, runs=sizes.jobs_runs, jobs=jobs, plan=plan)
            timings[jobs].append(timing)
            tables.append(result.runs)
        identical = identical and tables[0].equals(tables[1])
    best = {}
    for jobs, runs in timings.items():
        candidates = [timing for timing in runs if not _disturbed(timing)] or runs
        best[jobs] = min(candidates, key=lambda timing: timing["seconds"])
    speedup = best[1]["seconds"] / best[2]["seconds"]
    return metric(
        speedup,
        "ratio",
        ">= 1.8 on 2 cores",
        speedup >= 1.8,
        "run_experiment(runs=R, plan=precompiled) wall time, jobs=1 / jobs=2; best of repeats",
        runs=sizes.jobs_runs,
        cpu_count=os.cpu_count(),
        seconds_jobs1=best[1]["seconds"],
        seconds_jobs2=best[2]["seconds"],
        disturbed_by_other_processes=_disturbed(best[1]) or _disturbed(best[2]),
        timings_jobs1=timings[1],
        timings_jobs2=timings[2],
        usable_cpus=sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        identical_results=identical,
    )


def measure_crn(scenario: Scenario, plan: ExperimentPlan, sizes: Sizes) -> dict:
    """var(independent diff) / var(paired diff) of the headline KPI."""
    runs = sizes.crn_runs
    table = run_experiment(scenario, runs=2 * runs, jobs=2, plan=plan).runs
    by_variant = {
        name: rows.set_index("run").sort_index()
        for name, rows in table.groupby("variant", observed=True, sort=False)
    }
    baseline = by_variant["baseline"]

    def ratio(name: str, kpi: str) -> float:
        variant, base = by_variant[name][kpi].to_numpy(), baseline[kpi].to_numpy()
        paired = variant[:runs] - base[:runs]
        independent = variant[runs : 2 * runs] - base[:runs]
        return crn_variance_ratio(paired, independent)

    first_variant = plan.variant_names[1]
    headline = ratio(first_variant, HEADLINE_KPI)
    # If the KPI were a Poisson count and the variant removed a random subset of its events, the
    # paired difference would be Poisson(removed) and the ratio (mean_b + mean_v) / removed.
    mean_b = float(baseline[HEADLINE_KPI].iloc[:runs].mean())
    mean_v = float(by_variant[first_variant][HEADLINE_KPI].iloc[:runs].mean())
    return metric(
        headline,
        "ratio",
        ">= 10",
        headline >= 10,
        f"not timed: {HEADLINE_KPI}, paired diff = variant_i - baseline_i, independent diff "
        "= variant_(i+R) - baseline_i, i < R",
        runs=runs,
        variant=first_variant,
        baseline_mean=mean_b,
        variant_mean=mean_v,
        poisson_thinning_prediction=(mean_b + mean_v) / (mean_b - mean_v)
        if mean_b != mean_v
        else math.inf,
        ratio_per_variant={name: ratio(name, HEADLINE_KPI) for name in plan.variant_names[1:]},
        ratio_per_kpi={
            kpi: ratio(first_variant, kpi) for kpi in table.columns if kpi not in ("run", "variant")
        },
    )


def _maxrss_mib(who: int) -> float:
    kib = resource.getrusage(who).ru_maxrss
    return kib / (1024 * 1024) if sys.platform == "darwin" else kib / 1024  # macOS: bytes


def memory_probe(scenario_path: str, runs: int, jobs: int) -> dict:
    """In a fresh process: run the experiment and report peak RSS (called by the child)."""
    scenario = load_scenario(scenario_path)
    before = _maxrss_mib(resource.RUSAGE_SELF)
    started = time.perf_counter()
    run_experiment(scenario, runs=runs, jobs=jobs)
    return {
        "parent_maxrss_before_run_mib": before,
        "parent_maxrss_mib": _maxrss_mib(resource.RUSAGE_SELF),
        "largest_child_maxrss_mib": _maxrss_mib(resource.RUSAGE_CHILDREN),
        "seconds": time.perf_counter() - started,
    }


def _tree_memory_mib(pid: int) -> tuple[float, float]:
    """(RSS, PSS) summed over a process and its children, from /proc (0, 0 if unavailable)."""
    pids = [pid]
    totals_kib = {"Rss:": 0, "Pss:": 0}
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as children:
                pids += [int(child) for child in children.read().split()]
        for member in pids:
            with open(f"/proc/{member}/smaps_rollup") as rollup:
                for line in rollup:
                    field, *rest = line.split()
                    if field in totals_kib:
                        totals_kib[field] += int(rest[0])
    except (OSError, ValueError, IndexError):
        pass  # no /proc, or a worker exited between listing and reading
    return totals_kib["Rss:"] / 1024, totals_kib["Pss:"] / 1024


def measure_peak_memory(scenario_path: Path, sizes: Sizes) -> dict:
    """Peak memory of run_experiment(runs, jobs) in a fresh subprocess."""
    command = [sys.executable, str(Path(__file__).resolve()), "--memory-probe", str(scenario_path)]
    command += [str(sizes.memory_runs), str(sizes.memory_jobs)]
    child = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    peak_rss = peak_pss = 0.0
    while child.poll() is None:
        rss, pss = _tree_memory_mib(child.pid)
        peak_rss, peak_pss = max(peak_rss, rss), max(peak_pss, pss)
        time.sleep(0.5)  # reading smaps_rollup walks page tables: keep the sampler cheap
    output, _ = child.communicate()
    if child.returncode != 0:
        raise RuntimeError(f"memory probe failed with status {child.returncode}")
    probe = json.loads(output.strip().splitlines()[-1])
    workers = sizes.memory_jobs if sizes.memory_jobs > 1 else 0
    bound = probe["parent_maxrss_mib"] + workers * probe["largest_child_maxrss_mib"]
    return metric(
        bound,
        "MiB",
        "< 1024",
        bound < 1024,
        "not timed: getrusage maxrss of a fresh process running run_experiment, parent + jobs "
        "x largest child (upper bound: shared copy-on-write pages count in every process)",
        runs=sizes.memory_runs,
        jobs=sizes.memory_jobs,
        **probe,
        sampled_peak_tree_rss_mib=peak_rss,
        sampled_peak_tree_pss_mib=peak_pss,
    )


def measure_wall(scenario: Scenario, sizes: Sizes) -> dict:
    """End-to-end wall time of run_experiment(runs, jobs=2), compiling the plan included."""
    _, timing = timed_experiment(scenario, runs=sizes.wall_runs, jobs=2)
    note = "" if sizes.wall_runs == 1000 else f" (measured with {sizes.wall_runs} runs, not 1000)"
    return metric(
        timing["seconds"],
        "seconds" + note,
        "reported, not gated",
        None,
        "run_experiment(scenario, runs, jobs=2) including compiling the variants",
        runs=sizes.wall_runs,
        jobs=2,
        disturbed_by_other_processes=_disturbed(timing),
        **{key: value for key, value in timing.items() if key != "seconds"},
    )


def machine_info() -> dict:
    info = {
        "cpu_count": os.cpu_count(),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "numpy": np.__version__,
        "simpy": simpy.__version__,
        "numba": numba.__version__,
    }
    if hasattr(os, "sched_getaffinity"):
        info["usable_cpus"] = len(os.sched_getaffinity(0))
    if hasattr(os, "getloadavg"):
        info["load_average_at_start"] = list(os.getloadavg())
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, text=True,
                                capture_output=True, check=True).stdout.strip()  # fmt: skip
        info["git_commit"] = commit
    except (OSError, subprocess.CalledProcessError):
        pass
    return info


def run_benchmarks(sizes: Sizes, scenario_path: Path = DEFAULT_SCENARIO, mode: str = "full"):
    """Every benchmark, speed ratios first (they need the quietest machine)."""
    machine = machine_info()
    scenario = load_scenario(scenario_path)
    plan = plan_experiment(scenario)
    warm_up_kernels()
    metrics: dict[str, dict] = {}
    metrics.update(measure_model_events(plan, sizes))
    metrics.update(measure_generation(plan, sizes))
    metrics["jobs2_speedup"] = measure_jobs_speedup(scenario, plan, sizes)
    metrics["crn_variance_reduction"] = measure_crn(scenario, plan, sizes)
    metrics["peak_memory_mib"] = measure_peak_memory(scenario_path, sizes)
    metrics["telco_1000_runs_wall_seconds"] = measure_wall(scenario, sizes)
    if hasattr(os, "getloadavg"):
        machine["load_average_at_end"] = list(os.getloadavg())
    return {
        "machine": machine,
        "mode": mode,
        "scenario": str(scenario_path),
        "sizes": asdict(sizes),
        "metrics": metrics,
    }


def json_safe(value):
    """JSON has no inf/NaN: write them as null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(item) for item in value]
    return value


def format_table(results: dict) -> str:
    rows = [("metric", "value", "unit", "target", "meets")]
    for name, figure in results["metrics"].items():
        meets = {True: "yes", False: "NO", None: "-"}[figure["meets_target"]]
        rows.append((name, f"{figure['value']:.4g}", figure["unit"], figure["target"], meets))
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
             for row in rows]  # fmt: skip
    lines.insert(1, "  ".join("-" * width for width in widths))
    machine = results["machine"]
    header = f"oncall-sim benchmarks ({results['mode']} mode, {machine['cpu_count']} CPUs, "
    header += f"Python {machine['python']})"
    return "\n".join([header, *lines])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes (about 2 minutes)")
    parser.add_argument("--out", type=Path, help="write the results as JSON to this file")
    parser.add_argument("--scenario", type=Path, default=DEFAULT_SCENARIO)
    parser.add_argument("--fail-on-miss", action="store_true", help="exit 1 if a target is missed")
    parser.add_argument("--memory-probe", nargs=3, metavar=("SCENARIO", "RUNS", "JOBS"),
                        help=argparse.SUPPRESS)  # fmt: skip
    args = parser.parse_args(argv)
    if args.memory_probe:
        path, runs, jobs = args.memory_probe
        print(json.dumps(memory_probe(path, int(runs), int(jobs))))
        return 0

    mode = "quick" if args.quick else "full"
    results = json_safe(run_benchmarks(QUICK if args.quick else FULL, args.scenario, mode))
    print(format_table(results))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        temporary = args.out.with_suffix(args.out.suffix + ".tmp")
        temporary.write_text(json.dumps(results, indent=2) + "\n")
        temporary.replace(args.out)
        print(f"\nwrote {args.out}")
    missed = [name for name, f in results["metrics"].items() if f["meets_target"] is False]
    return 1 if args.fail_on_miss and missed else 0


if __name__ == "__main__":
    sys.exit(main())
