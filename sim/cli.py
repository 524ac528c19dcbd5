"""The `oncall-sim` command: thin wrappers that parse, call the library and print.

Importing this module must stay cheap: numba kernels and the model load only inside commands, so
`oncall-sim --help` compiles nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

app = typer.Typer(
    name="oncall-sim",
    help=(
        "Simulate on-call operations and estimate, with confidence intervals from paired runs, "
        "what a change does to the people who carry the pager."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
errors = Console(stderr=True)

EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130


def _fail(message: str) -> typer.Exit:
    # soft_wrap: keep long paths whole when stderr is not a terminal (rich would cut at 80).
    errors.print(message, style="red", markup=False, highlight=False, soft_wrap=True)
    return typer.Exit(EXIT_BAD_INPUT)


def _load(path: Path):
    from sim.scenario import ScenarioError, load_scenario

    try:
        return load_scenario(path)
    except ScenarioError as error:
        raise _fail(str(error)) from None


@app.command()
def run(
    scenario_file: Annotated[Path, typer.Argument(help="Scenario YAML file.", metavar="SCENARIO")],
    runs: Annotated[
        int | None,
        typer.Option("--runs", "-n", min=1, help="Paired runs (default: horizon.runs)."),
    ] = None,
    jobs: Annotated[
        int, typer.Option("--jobs", "-j", min=1, help="Worker processes; results do not change.")
    ] = 1,
    seed: Annotated[
        int | None, typer.Option("--seed", min=0, help="Root seed (default: horizon.seed).")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Results folder (default: results/<scenario>-<time>)."),
    ] = None,
    variant: Annotated[
        list[str] | None,
        typer.Option("--variant", "-v", help="Compare only this variant (repeatable)."),
    ] = None,
    resume: Annotated[
        bool,
        typer.Option("--resume", help="Continue an interrupted experiment in --out."),
    ] = False,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            help="Run on Dask: a scheduler address (tcp://host:8786), or 'local' for a local "
            "Dask cluster of --jobs processes (needs: pip install 'oncall-sim[dask]'). "
            "Results do not change.",
        ),
    ] = None,
) -> None:
    """Run baseline and variants with common random numbers; print and save the comparison."""
    scenario = _load(scenario_file)
    unknown = [name for name in variant or [] if name not in scenario.variant_names]
    if unknown:
        raise _fail(
            f"{scenario_file}: no variant named {unknown[0]!r}; "
            f"this scenario has {', '.join(scenario.variant_names[1:]) or 'no variants'}"
        )
    if resume and out is None:
        raise _fail("--resume needs --out: the folder of the interrupted experiment")
    from sim.experiment.session import ExperimentSession

    folder = out or Path("results") / (
        f"{scenario_file.stem}-{dt.datetime.now().strftime('%Y%m%d-%H%M%S')}"
    )
    session = ExperimentSession(
        scenario=scenario,
        scenario_file=scenario_file,
        folder=folder,
        runs=runs or scenario.horizon.runs,
        jobs=jobs,
        seed=seed,
        variants=[name for name in variant or [] if name != "baseline"] or None,
        argv=sys.argv,
        scheduler=scheduler,
    )
    try:
        session.start(resume=resume)
    except ValueError as error:
        raise _fail(str(error)) from None
    if not session.plan.variants[1:]:
        raise _fail(f"{scenario_file}: the scenario has no variants to compare with the baseline")
    from sim.experiment.dask_executor import DaskUnavailableError

    try:
        result, summary = session.run(console)
    except DaskUnavailableError as error:
        raise _fail(str(error)) from None
    except KeyboardInterrupt:
        saved = session.save_partial()
        errors.print(
            f"Interrupted. {saved} finished runs are saved in {folder}; continue with\n"
            f"  oncall-sim run {scenario_file} --out {folder} --resume"
            + (f" --runs {session.runs}" if runs else "")
        )
        raise typer.Exit(EXIT_INTERRUPTED) from None

    from sim.report.terminal import print_report

    print_report(console, summary, runs=result.runs["run"].nunique())
    console.print(
        f"Results in {folder}/ (runs.parquet, summary.csv, scenario.resolved.yaml, "
        f"provenance.json); {result.provenance['wall_time_seconds']:.1f} s with {jobs} job(s)."
    )


@app.command()
def sweep(
    scenario_file: Annotated[Path, typer.Argument(help="Scenario YAML file.", metavar="SCENARIO")],
    grid: Annotated[
        list[str],
        typer.Option(
            "--grid",
            "-g",
            help="PATH=V1,V2,... (repeatable): every combination becomes a variant.",
        ),
    ],
    kpi: Annotated[
        str, typer.Option("--kpi", help="KPI to tabulate.")
    ] = "weekend_escalations_per_weekend",
    runs: Annotated[int, typer.Option("--runs", "-n", min=1, help="Paired runs.")] = 200,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help="Worker processes.")] = 1,
    seed: Annotated[int | None, typer.Option("--seed", min=0, help="Root seed.")] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Results folder.")] = None,
) -> None:
    """Compare the baseline with every combination of the --grid settings (sensitivity)."""
    scenario = _load(scenario_file)
    from sim.compile import compile_scenario
    from sim.metrics import kpi_names

    names = kpi_names(compile_scenario(scenario))
    if kpi not in names:
        raise _fail(f"--kpi {kpi!r} is not a KPI; choose one of {', '.join(names)}")
    from sim.experiment.sweep import SweepError, parse_grid, sweep_table, sweep_variants

    try:
        variants = sweep_variants(scenario, parse_grid(grid))
    except SweepError as error:
        raise _fail(f"{scenario_file}: {error}") from None
    from sim.experiment.session import ExperimentSession

    folder = out or Path("results") / (
        f"{scenario_file.stem}-sweep-{dt.datetime.now().strftime('%Y%m%d-%H%M%S')}"
    )
    session = ExperimentSession(
        scenario=scenario.model_copy(update={"variants": variants}),
        scenario_file=scenario_file,
        folder=folder,
        runs=runs,
        jobs=jobs,
        seed=seed,
        argv=sys.argv,
    )
    try:
        session.start()
    except ValueError as error:
        raise _fail(str(error)) from None
    try:
        result, summary = session.run(console)
    except KeyboardInterrupt:
        errors.print(f"Interrupted; {session.save_partial()} finished runs saved in {folder}")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    table = sweep_table(summary, variants, kpi)
    from sim.experiment.results import atomic_write

    atomic_write(folder / "sweep.csv", lambda temporary: table.to_csv(temporary, index=False))
    from sim.report.terminal import print_sweep

    print_sweep(console, table, list(parse_grid(grid)), kpi, runs=result.runs["run"].nunique())
    console.print(f"Results in {folder}/ (sweep.csv, summary.csv, runs.parquet).")


@app.command()
def trace(
    scenario_file: Annotated[Path, typer.Argument(help="Scenario YAML file.", metavar="SCENARIO")],
    start: Annotated[
        dt.datetime,
        typer.Option("--from", formats=["%Y-%m-%d"], help="First day shown (local date)."),
    ],
    run_index: Annotated[
        int, typer.Option("--run", min=0, help="Run index (as in runs.parquet).")
    ] = 0,
    variant: Annotated[str, typer.Option("--variant", "-v", help="Variant to show.")] = "baseline",
    days: Annotated[int, typer.Option("--days", min=1, max=31, help="Days shown.")] = 3,
    seed: Annotated[int | None, typer.Option("--seed", min=0, help="Root seed.")] = None,
) -> None:
    """Show a readable timeline of one run: alerts, automation, pages, acks, resolutions."""
    scenario = _load(scenario_file)
    if variant not in scenario.variant_names:
        raise _fail(
            f"{scenario_file}: no variant named {variant!r}; "
            f"this scenario has {', '.join(scenario.variant_names)}"
        )
    horizon = scenario.horizon
    first_day = start.date()
    last_day = horizon.start_date + dt.timedelta(weeks=horizon.weeks)
    if not horizon.start_date <= first_day < last_day:
        raise _fail(
            f"--from {first_day} is outside the horizon "
            f"({horizon.start_date} to {last_day - dt.timedelta(days=1)})"
        )
    from sim.experiment import simulate
    from sim.report.timeline import build_timeline

    events: list[tuple] = []
    run = simulate(scenario, variant, run_index, seed=seed, trace=events)
    entries = build_timeline(run, events, first_day, days)
    console.print(
        f"{scenario.name}: {variant}, run {run_index}, {first_day} + {days} days "
        f"({horizon.time_zone}); {len(entries)} events"
    )
    for entry in entries:
        console.print(
            f"{entry.local_time}  #{entry.alert:<5d} {entry.service:<18s} {entry.text}",
            highlight=False,
            soft_wrap=True,
        )


@app.command()
def validate(
    scenario_file: Annotated[Path, typer.Argument(help="Scenario YAML file.", metavar="SCENARIO")],
) -> None:
    """Check a scenario file; print services, teams, expected alerts per week and variants."""
    scenario = _load(scenario_file)
    from sim.report.overview import print_scenario_summary

    print_scenario_summary(console, scenario, scenario_file)


@app.command()
def schema() -> None:
    """Print the JSON Schema of scenario files (for editor completion and checks)."""
    from sim.scenario import scenario_json_schema

    sys.stdout.write(json.dumps(scenario_json_schema(), indent=2) + "\n")


def main() -> None:
    """Entry point of the `oncall-sim` command."""
    app()


if __name__ == "__main__":
    main()
