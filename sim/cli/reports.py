"""The commands that show a scenario or results: report, trace, validate, schedule, schema."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from sim.cli.common import (
    _Command,
    _command,
    _fail,
    _load,
    app,
    console,
    errors,
)

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
