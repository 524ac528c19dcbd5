"""The experiment commands: run, sweep and sensitivity."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Annotated

import typer

from sim.cli.common import (
    EXIT_CLUSTER_LOST,
    EXIT_INTERRUPTED,
    _command,
    _fail,
    _load,
    console,
    errors,
)


def _results_folder(out: Path | None, scenario_file: Path, kind: str = "") -> Path:
    """--out, or results/<scenario>[-sweep]-<time>; an existing file there is bad input."""
    if out is not None and out.exists() and not out.is_dir():
        raise _fail(f"--out {out} is a file, not a results folder; name a folder")
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    return out or Path("results") / f"{scenario_file.stem}{kind}-{stamp}"


def _check_variants(scenario, scenario_file: Path, names: list[str]) -> None:
    unknown = [name for name in names if name not in scenario.variant_names]
    if unknown:
        raise _fail(
            f"{scenario_file}: no variant named {unknown[0]!r}; "
            f"this scenario has {', '.join(scenario.variant_names[1:]) or 'no variants'}"
        )


def _print_warnings(scenario, scenario_file: Path) -> None:
    from sim.scenario.advisories import scenario_warnings

    for warning in scenario_warnings(scenario):
        errors.print(f"{scenario_file}: warning: {warning}", style="yellow", soft_wrap=True)


def _run_session(session, scenario_file: Path, folder: Path, resume_hint: str):
    """Run the session; Ctrl-C or a lost Dask scheduler saves the finished runs and says how
    to continue."""
    from sim.experiment.dask_executor import DaskClusterLostError, DaskUnavailableError

    try:
        return session.run(console)
    except DaskUnavailableError as error:
        raise _fail(str(error)) from None
    except DaskClusterLostError as error:
        saved = session.save_partial()
        errors.print(
            f"{error}. {saved} finished runs are saved in {folder}; continue with\n"
            f"  oncall-sim run {scenario_file} --out {folder} --resume{resume_hint}"
            " (with a --scheduler that answers, or none: the local process pool)",
            markup=False,
        )
        raise typer.Exit(EXIT_CLUSTER_LOST) from None
    except KeyboardInterrupt:
        saved = session.save_partial()
        errors.print(
            f"Interrupted. {saved} finished runs are saved in {folder}; continue with\n"
            f"  oncall-sim run {scenario_file} --out {folder} --resume{resume_hint}"
        )
        raise typer.Exit(EXIT_INTERRUPTED) from None


def _start(session, resume: bool = False, force: bool = False) -> None:
    try:
        session.start(resume=resume, force=force)
    except ValueError as error:
        raise _fail(str(error)) from None
    # Memory and run time estimates, then anything to know before the runs start.
    errors.print(session.estimate, markup=False, highlight=False, soft_wrap=True)
    for notice in session.notices:
        errors.print(notice, style="yellow", markup=False, highlight=False, soft_wrap=True)


@_command()
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
    by: Annotated[
        str | None,
        typer.Option("--by", help="Also print who carries it: per 'person' or per 'team'."),
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Write into --out even if it holds files that are not this experiment's.",
        ),
    ] = False,
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            help="Run on Dask (needs: pip install 'oncall-sim\\[dask]'): a scheduler address "
            "(tcp://host:8786), or 'local' for a local Dask cluster of --jobs processes. "
            "Results do not change.",
        ),
    ] = None,
    accept_placeholder_rates: Annotated[
        bool,
        typer.Option(
            "--accept-placeholder-rates",
            help="Run even though some services' alerts_per_week are placeholders "
            "(placeholder_rate: true, as `oncall-sim import` writes them); the results then "
            "describe made-up alert rates.",
        ),
    ] = False,
    precision: Annotated[
        float | None,
        typer.Option(
            "--precision",
            min=0.0001,
            help="Run in batches until the 95% CI of the relative change is at most this "
            "wide either side (0.01: ±1 point) for every variant, on the headline or each "
            "--kpi; the runs used depend only on the seed.",
        ),
    ] = None,
    kpi: Annotated[
        list[str] | None,
        typer.Option("--kpi", help="KPI that --precision applies to (repeatable)."),
    ] = None,
    max_runs: Annotated[
        int | None,
        typer.Option("--max-runs", min=1, help="Cap with --precision (default: horizon.runs)."),
    ] = None,
) -> None:
    """Run baseline and variants with common random numbers; print and save the comparison."""
    if by is not None and by not in ("person", "team"):
        raise _fail(f"--by {by!r}: choose person or team")
    scenario = _load(scenario_file)
    placeholders = scenario.placeholder_rate_services
    if placeholders and not accept_placeholder_rates:
        raise _fail(
            f"{scenario_file}: alerts_per_week of {', '.join(placeholders)} is a placeholder "
            "(placeholder_rate: true): set the real rates and remove those lines, or pass "
            "--accept-placeholder-rates to run on the placeholders"
        )
    if placeholders:
        errors.print(
            f"warning: running on placeholder alert rates ({', '.join(placeholders)})",
            style="yellow",
        )
    if precision is None and (kpi or max_runs):
        raise _fail("--kpi and --max-runs go with --precision")
    if precision is not None and runs is not None:
        raise _fail("give either --runs or --precision (with --max-runs), not both")
    _check_variants(scenario, scenario_file, variant or [])
    if resume and out is None:
        raise _fail("--resume needs --out: the folder of the interrupted experiment")
    folder = _results_folder(out, scenario_file)
    _print_warnings(scenario, scenario_file)
    from sim.experiment.session import ExperimentSession

    session = ExperimentSession(
        scenario=scenario,
        scenario_file=scenario_file,
        folder=folder,
        runs=runs or max_runs or scenario.horizon.runs,
        jobs=jobs,
        seed=seed,
        variants=[name for name in variant or [] if name != "baseline"] or None,
        argv=sys.argv,
        scheduler=scheduler,
        precision=precision,
        precision_kpis=kpi,
    )
    _start(session, resume, force)
    if not session.plan.variants[1:]:
        raise _fail(f"{scenario_file}: the scenario has no variants to compare with the baseline")
    result, summary = _run_session(
        session, scenario_file, folder, f" --runs {session.runs}" if runs else ""
    )
    from sim.report.terminal import print_report

    print_report(console, summary, runs=result.runs["run"].nunique())
    if precision is not None:
        from sim.report.terminal import precision_line

        console.print(precision_line(result.provenance))
    if by is not None:
        from sim.cli.reports import _print_people_view
        from sim.report.folder import load_results_folder

        results = load_results_folder(folder)
        _print_people_view(results, [name for name in results.variants if name != "baseline"], by)
    console.print(
        f"Results in {folder}/ (runs.parquet, summary.csv, pages_by_hour.parquet, people.parquet, "
        f"weekly.parquet, scenario.resolved.yaml, provenance.json); "
        f"{result.provenance['wall_time_seconds']:.1f} s with {jobs} job(s). "
        f"A report or a deck: oncall-sim report {folder} --out report.html|deck.pptx"
    )


@_command()
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
    runs: Annotated[
        int | None,
        typer.Option("--runs", "-n", min=1, help="Paired runs (default: horizon.runs)."),
    ] = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help="Worker processes.")] = 1,
    seed: Annotated[int | None, typer.Option("--seed", min=0, help="Root seed.")] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Results folder.")] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Write into --out even if it holds files that are not this sweep's.",
        ),
    ] = False,
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

    folder = _results_folder(out, scenario_file, "-sweep")
    session = ExperimentSession(
        scenario=scenario.model_copy(update={"variants": variants}),
        scenario_file=scenario_file,
        folder=folder,
        runs=runs or scenario.horizon.runs,
        jobs=jobs,
        seed=seed,
        argv=sys.argv,
    )
    _start(session, force=force)
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


@_command()
def sensitivity(
    scenario_file: Annotated[Path, typer.Argument(help="Scenario YAML file.", metavar="SCENARIO")],
    param: Annotated[
        list[str],
        typer.Option(
            "--param", "-p", help="PATH=LOW:HIGH (repeatable): an uncertain input and its range."
        ),
    ],
    method: Annotated[
        str, typer.Option("--method", "-m", help="oat (tornado), morris (screening) or sobol.")
    ] = "oat",
    kpi: Annotated[
        str, typer.Option("--kpi", help="KPI analysed.")
    ] = "weekend_escalations_per_weekend",
    samples: Annotated[
        int,
        typer.Option(
            "--samples", min=2, help="morris: trajectories; sobol: base points (power of 2)."
        ),
    ] = 16,
    runs: Annotated[int, typer.Option("--runs", "-n", min=1, help="Paired runs per point.")] = 50,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help="Worker processes.")] = 1,
    seed: Annotated[int | None, typer.Option("--seed", min=0, help="Root seed.")] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Results folder.")] = None,
) -> None:
    """Which inputs move the KPI most: every sample point runs on the same paired runs."""
    scenario = _load(scenario_file)
    from sim.experiment.sensitivity import METHODS, SensitivityError, run_sensitivity

    if method not in METHODS:
        raise _fail(f"--method {method!r}: choose one of {', '.join(METHODS)}")
    folder = _results_folder(out, scenario_file, "-sensitivity")
    try:
        table = run_sensitivity(
            scenario, scenario_file, folder, param, method, kpi=kpi, samples=samples,
            runs=runs, jobs=jobs, seed=seed, argv=sys.argv, console=console,
        )  # fmt: skip
    except SensitivityError as error:
        raise _fail(f"{scenario_file}: {error}") from None
    except KeyboardInterrupt:
        errors.print("Interrupted; sensitivity runs are not resumable, run again.")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    from sim.report.sensitivity import print_sensitivity, write_sensitivity_figure

    figure = write_sensitivity_figure(table, folder)
    print_sensitivity(console, table)
    console.print(
        f"Results in {folder}/ (sensitivity.csv, {figure.name}, summary.csv, runs.parquet)."
    )
