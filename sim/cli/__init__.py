"""The `oncall-sim` command: thin wrappers that parse, call the library and print.

The app and what commands share live in :mod:`sim.cli.common`; the history commands
(calibrate, backtest, power) in :mod:`sim.cli.history`.

Importing this module must stay cheap: numba kernels and the model load only inside commands, so
`oncall-sim --help` compiles nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Annotated

import click
import typer
from rich.console import Console
from typer.core import TyperCommand

from sim.cli.common import (
    EXIT_BAD_INPUT as EXIT_BAD_INPUT,
)
from sim.cli.common import (
    EXIT_CLUSTER_LOST,
    EXIT_INTERRUPTED,
    _fail,
    _load,
    app,
    console,
    errors,
)


class _Command(TyperCommand):
    """A command whose help shows no type beside a flag (typer prints `<bool>` there)."""

    def get_params(self, ctx: click.Context) -> list[click.Parameter]:
        params = super().get_params(ctx)
        for param in params:
            if getattr(param, "is_flag", False) and param.metavar is None:
                param.metavar = ""
        return params


def _command():
    return app.command(cls=_Command)


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


REPORT_FORMATS = ("html", "pptx", "md")


def _report_format(out: Path | None, format_: str | None) -> str | None:
    if format_ is not None and format_ not in REPORT_FORMATS:
        raise _fail(f"--format {format_!r}: choose one of {', '.join(REPORT_FORMATS)}")
    if out is None:
        if format_ is not None:
            raise _fail(f"--format {format_} needs --out FILE")
        return None
    suffix = out.suffix.lower().lstrip(".")
    return format_ or (suffix if suffix in REPORT_FORMATS else "html")


def _print_people_view(folder, chosen: list[str], by: str) -> None:
    if "people" not in folder.detail:
        errors.print(
            f"--by {by}: {folder.path} has no people.parquet (an older results folder); "
            "run the experiment again to get the per-person results",
            style="yellow",
            soft_wrap=True,
        )
        return
    from sim.report.people import carried_by_table

    for name in chosen:
        # Wider than a pipe's 80 columns: a cut name or number would mislead.
        table = carried_by_table(folder.detail["people"], name, by, folder.weeks)
        Console(width=max(console.width, 132)).print(table)


@_command()
def report(
    results_dir: Annotated[
        Path, typer.Argument(help="Results folder of `oncall-sim run` or `sweep`.", metavar="DIR")
    ],
    variant: Annotated[
        list[str] | None,
        typer.Option(
            "--variant",
            "-v",
            help="Report this variant (repeatable; default: all). "
            "The first is the one the per-variant slides show.",
        ),
    ] = None,
    format_: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            help="html (one self-contained file), pptx (16:9 deck) or "
            "md (Markdown, figures beside it); default: from --out's suffix.",
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="File to write; without it, print the terminal report."),
    ] = None,
    by: Annotated[
        str | None,
        typer.Option("--by", help="Also print who carries it: per 'person' or per 'team'."),
    ] = None,
) -> None:
    """Turn a results folder into a report a manager can present: HTML, a slide deck or
    Markdown (--out), or the terminal tables (no --out)."""
    if by is not None and by not in ("person", "team"):
        raise _fail(f"--by {by!r}: choose person or team")
    kind = _report_format(out, format_)
    from sim.report.folder import ResultsFolderError, load_results_folder
    from sim.report.sections import ReportError, build_report

    try:
        folder = load_results_folder(results_dir)
    except ResultsFolderError as error:
        raise _fail(str(error)) from None
    available = [name for name in folder.variants if name != "baseline"]
    unknown = [name for name in variant or [] if name not in available]
    if unknown:
        raise _fail(
            f"{results_dir}: no variant named {unknown[0]!r}; these results have "
            f"{', '.join(available) or 'no variants'}"
        )
    chosen = list(dict.fromkeys(variant or available))
    if kind is None:
        from sim.report.terminal import print_report

        summary = folder.summary[folder.summary["variant"].isin(chosen)]
        print_report(console, summary, runs=folder.run_count)
        if by is not None:
            _print_people_view(folder, chosen, by)
        return
    try:
        content = build_report(folder, chosen)
    except ReportError as error:
        raise _fail(str(error)) from None
    if folder.missing:
        errors.print(
            f"{results_dir} is from an older run: {', '.join(folder.missing)} missing; "
            "left out: " + "; ".join(f"{name} ({why})" for name, why in content.left_out),
            style="yellow",
            soft_wrap=True,
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    if kind == "html":
        from sim.report.html import write_html

        write_html(content, out)
    elif kind == "pptx":
        from sim.report.deck import write_deck

        write_deck(content, out)
    else:
        from sim.report.markdown import write_markdown

        write_markdown(content, out)
    if by is not None:
        _print_people_view(folder, chosen, by)
    console.print(
        f"{out}: {len(content.sections)} {'slides' if kind == 'pptx' else 'sections'} "
        f"({', '.join(section.key for section in content.sections)})",
        highlight=False,
        soft_wrap=True,
    )


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


@_command()
def trace(
    scenario_file: Annotated[Path, typer.Argument(help="Scenario YAML file.", metavar="SCENARIO")],
    start: Annotated[
        dt.datetime | None,
        typer.Option(
            "--from",
            formats=["%Y-%m-%d"],
            help="First day shown (local date; default: the first weekend of the horizon).",
        ),
    ] = None,
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
    if start is not None:
        first_day = start.date()
    else:
        from sim.calendar import first_weekend_day

        first_day = first_weekend_day(
            horizon.start_date, scenario.calendar.weekend_start.minute_of_week
        )
    last_day = horizon.start_date + dt.timedelta(weeks=horizon.weeks)
    if not horizon.start_date <= first_day < last_day:
        raise _fail(
            f"--from {first_day} is outside the horizon "
            f"({horizon.start_date} to {last_day - dt.timedelta(days=1)})"
        )
    from sim.experiment import simulate
    from sim.report.timeline import build_timeline

    events: list = []
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


@_command()
def validate(
    scenario_file: Annotated[Path, typer.Argument(help="Scenario YAML file.", metavar="SCENARIO")],
) -> None:
    """Check a scenario file; print services, teams, expected alerts per week and variants."""
    scenario = _load(scenario_file)
    from sim.report.overview import print_scenario_summary

    print_scenario_summary(console, scenario, scenario_file)


INCIDENTS_FORMAT_HELP = (
    "Format of --incidents: csv (generic), pagerduty, statuspage or lanl (default: detected)."
)


def _read_incidents(path: Path | None, fmt: str | None):
    """The --incidents history, read as `calibrate` reads it (None without --incidents)."""
    if path is None:
        if fmt is not None:
            raise _fail("--incidents-format needs --incidents FILE")
        return None
    from sim.cli.history import _read

    return _read(path, fmt, option="--incidents-format")


def _finish_import(run_import, out: Path, title: str, history) -> None:
    """Run an importer, fill its rates from ``history`` if given, write and report."""
    from sim.calibration.history import HistoryError
    from sim.importers import ImportInputError
    from sim.importers.finish import write_import

    try:
        imported = run_import()
        checks, _ = write_import(imported, out, title, history)
    except (ImportInputError, HistoryError) as error:
        raise _fail(str(error)) from None
    from sim.importers.report import print_import_report

    placeholders = [s["name"] for s in imported.document["services"] if s.get("placeholder_rate")]
    print_import_report(console, imported.report, checks, out, placeholders)


import_app = typer.Typer(
    help="Turn a paging tool's export into a scenario file (no network: export, then import).",
    no_args_is_help=True,
)
app.add_typer(import_app, name="import")


@import_app.command("pagerduty", cls=_Command)
def import_pagerduty(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="JSON files or folders of them, in the REST API v2 shapes: users, schedules "
            "(with final_schedule and overrides_subschedule if exported with since/until), "
            "escalation_policies, services.",
            metavar="PATH...",
        ),
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="Scenario YAML file to write.")],
    start: Annotated[
        dt.datetime | None,
        typer.Option(
            "--start",
            formats=["%Y-%m-%d"],
            help="First day simulated, a Monday (default: the Monday on or before the first "
            "rendered schedule entry).",
        ),
    ] = None,
    weeks: Annotated[int, typer.Option("--weeks", min=1, max=520, help="Weeks simulated.")] = 52,
    incidents: Annotated[
        Path | None,
        typer.Option(
            "--incidents",
            help="Incident history (as for `oncall-sim calibrate`): fit each service's "
            "alerts_per_week, profile and severity mix from it (matched by name or the "
            "tool's service id); services it does not cover keep a placeholder.",
        ),
    ] = None,
    incidents_format: Annotated[
        str | None,
        typer.Option("--incidents-format", help=INCIDENTS_FORMAT_HELP),
    ] = None,
) -> None:
    """Import PagerDuty users, schedules, escalation policies and services."""
    from sim.importers.pagerduty import import_pagerduty as run_import

    history = _read_incidents(incidents, incidents_format)
    _finish_import(
        lambda: run_import(paths, start_date=start.date() if start else None, weeks=weeks),
        out,
        "Imported from PagerDuty by oncall-sim import",
        history,
    )


@import_app.command("opsgenie", cls=_Command)
def import_opsgenie(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="JSON files or folders of them, one Opsgenie entity each (users, schedules "
            "with their rotations and overrides, escalations), as the REST API v2 returns them.",
            metavar="PATH...",
        ),
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="Scenario YAML file to write.")],
    start: Annotated[
        dt.datetime | None,
        typer.Option(
            "--start",
            formats=["%Y-%m-%d"],
            help="First day simulated, a Monday (default: the Monday after the latest "
            "rotation start).",
        ),
    ] = None,
    weeks: Annotated[int, typer.Option("--weeks", min=1, max=520, help="Weeks simulated.")] = 52,
    incidents: Annotated[
        Path | None,
        typer.Option(
            "--incidents",
            help="Incident history (as for `oncall-sim calibrate`): fit each service's "
            "alerts_per_week, profile and severity mix from it (matched by name or the "
            "tool's service id); services it does not cover keep a placeholder.",
        ),
    ] = None,
    incidents_format: Annotated[
        str | None,
        typer.Option("--incidents-format", help=INCIDENTS_FORMAT_HELP),
    ] = None,
) -> None:
    """Import Opsgenie users, schedules (cumulative rotations) and escalations."""
    from sim.importers.opsgenie import import_opsgenie as run_import

    history = _read_incidents(incidents, incidents_format)
    _finish_import(
        lambda: run_import(paths, start_date=start.date() if start else None, weeks=weeks),
        out,
        "Imported from Opsgenie by oncall-sim import",
        history,
    )


@import_app.command("alertmanager", cls=_Command)
def import_alertmanager(
    config: Annotated[
        Path, typer.Argument(help="The alertmanager.yml file.", metavar="ALERTMANAGER_YML")
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="Scenario YAML file to write.")],
    into: Annotated[
        Path | None,
        typer.Option(
            "--into",
            help="Scenario to add the routing to (e.g. one imported from PagerDuty): receivers "
            "are its teams by name, the service label names its services.",
        ),
    ] = None,
    incidents: Annotated[
        Path | None,
        typer.Option(
            "--incidents",
            help="Incident history (as for `oncall-sim calibrate`): fit each service's "
            "alerts_per_week, profile and severity mix from it (matched by name or the "
            "tool's service id); services it does not cover keep a placeholder.",
        ),
    ] = None,
    incidents_format: Annotated[
        str | None,
        typer.Option("--incidents-format", help=INCIDENTS_FORMAT_HELP),
    ] = None,
) -> None:
    """Import Alertmanager routing, grouping, inhibition and time intervals."""
    from sim.importers.alertmanager import import_alertmanager as run_import

    history = _read_incidents(incidents, incidents_format)
    _finish_import(
        lambda: run_import(config, into=into),
        out,
        "Alertmanager routing imported by oncall-sim",
        history,
    )


@app.command("schedule", cls=_Command)
def schedule_command(
    scenario_file: Annotated[Path, typer.Argument(help="Scenario YAML file.", metavar="SCENARIO")],
    ical: Annotated[
        Path, typer.Option("--ical", help="iCalendar file to write (.ics), one event per shift.")
    ],
    variant: Annotated[str, typer.Option("--variant", "-v", help="Variant to show.")] = "baseline",
) -> None:
    """Write who is on call (every paged schedule, per person) as an iCalendar file."""
    scenario = _load(scenario_file)
    if variant not in scenario.variant_names:
        raise _fail(
            f"{scenario_file}: no variant named {variant!r}; "
            f"this scenario has {', '.join(scenario.variant_names)}"
        )
    from sim.compile import compile_scenario
    from sim.report.ical import write_oncall_calendar
    from sim.scenario import resolve_variant

    events = write_oncall_calendar(
        compile_scenario(resolve_variant(scenario, variant), variant), ical
    )
    console.print(f"Wrote {ical}: {events} on-call shifts of {variant} over the horizon.")


@_command()
def schema() -> None:
    """Print the JSON Schema of scenario files (for editor completion and checks)."""
    from sim.scenario import scenario_json_schema

    sys.stdout.write(json.dumps(scenario_json_schema(), indent=2) + "\n")


def main() -> None:
    """Entry point of the `oncall-sim` command."""
    app()


import sim.cli.history  # noqa: E402, F401  (registers calibrate, backtest, power)

if __name__ == "__main__":
    main()
