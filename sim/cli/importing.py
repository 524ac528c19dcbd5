"""`oncall-sim import pagerduty|opsgenie|alertmanager`: paging-tool exports to scenario files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from sim.cli.common import (
    _Command,
    _fail,
    _Group,
    app,
    console,
)

INCIDENTS_FORMAT_HELP = (
    "Format of --incidents: csv (generic), pagerduty, statuspage or lanl (default: detected)."
)

#: Options every importer shares.
OutOption = Annotated[Path, typer.Option("--out", "-o", help="Scenario YAML file to write.")]
WeeksOption = Annotated[int, typer.Option("--weeks", min=1, max=520, help="Weeks simulated.")]
IncidentsOption = Annotated[
    Path | None,
    typer.Option(
        "--incidents",
        help="Incident history (as for `oncall-sim calibrate`): fit each service's "
        "alerts_per_week, profile and severity mix from it (matched by name or the "
        "tool's service id); services it does not cover keep a placeholder.",
    ),
]
IncidentsFormatOption = Annotated[
    str | None, typer.Option("--incidents-format", help=INCIDENTS_FORMAT_HELP)
]


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
    cls=_Group,
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
    out: OutOption,
    start: Annotated[
        dt.datetime | None,
        typer.Option(
            "--start",
            formats=["%Y-%m-%d"],
            help="First day simulated, a Monday (default: the Monday on or before the first "
            "rendered schedule entry).",
        ),
    ] = None,
    weeks: WeeksOption = 52,
    incidents: IncidentsOption = None,
    incidents_format: IncidentsFormatOption = None,
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
    out: OutOption,
    start: Annotated[
        dt.datetime | None,
        typer.Option(
            "--start",
            formats=["%Y-%m-%d"],
            help="First day simulated, a Monday (default: the Monday after the latest "
            "rotation start).",
        ),
    ] = None,
    weeks: WeeksOption = 52,
    incidents: IncidentsOption = None,
    incidents_format: IncidentsFormatOption = None,
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
    out: OutOption,
    into: Annotated[
        Path | None,
        typer.Option(
            "--into",
            help="Scenario to add the routing to (e.g. one imported from PagerDuty): receivers "
            "are its teams by name, the service label names its services.",
        ),
    ] = None,
    incidents: IncidentsOption = None,
    incidents_format: IncidentsFormatOption = None,
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
