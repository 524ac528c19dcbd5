"""The history commands of `oncall-sim`: calibrate, backtest, power (thin: parse, call, print).

Registered on the main app by :mod:`sim.cli`; every library import happens inside a command.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from sim.cli.common import _command, _fail, _load, console, errors

FORMAT_HELP = "History format: csv (generic), pagerduty, statuspage or lanl (default: detected)."


def _read(
    history: Path, fmt: str | None, services: list[str] | None = None, option: str = "--format"
):
    """Read a history (``option`` names the format option in errors); bad input exits 2."""
    from sim.calibration.history import FORMATS, HistoryError
    from sim.calibration.readers import read_history

    if fmt is not None and fmt not in FORMATS:
        raise _fail(f"{option} {fmt!r} is not one of {', '.join(FORMATS)}")
    try:
        incidents = read_history(history, fmt)
        return incidents.only(services) if services else incidents
    except HistoryError as error:
        raise _fail(str(error)) from None


SERVICE_HELP = "Use only this service's incidents (repeatable; default: every service)."


def _date(text: str, option: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise _fail(f"{option} {text!r} is not a date (YYYY-MM-DD)") from None


def _note(message: str) -> None:
    errors.print(f"note: {message}", markup=False, highlight=False, soft_wrap=True)


@_command()
def calibrate(
    history: Annotated[Path, typer.Argument(help="Incident history file.", metavar="HISTORY")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Fitted scenario YAML to write.")],
    fmt: Annotated[str | None, typer.Option("--format", "-f", help=FORMAT_HELP)] = None,
    into: Annotated[
        Path | None,
        typer.Option("--into", help="Existing scenario: replace only its fitted fields."),
    ] = None,
    report: Annotated[
        Path | None, typer.Option("--report", help="Folder for diagnostics tables and figures.")
    ] = None,
    time_zone: Annotated[
        str | None,
        typer.Option(
            "--time-zone", help="Local time of the profile (default: --into's, else UTC)."
        ),
    ] = None,
    service: Annotated[list[str] | None, typer.Option("--service", help=SERVICE_HELP)] = None,
) -> None:
    """Fit rates, hour-of-week profiles, severity mix, weekly dispersion and durations from an
    incident history into a scenario, every value commented with estimate, s.e. and n."""
    from pydantic import ValidationError

    from sim.calibration.fit import calibrate as fit_history
    from sim.calibration.history import HistoryError
    from sim.calibration.writer import render_scenario
    from sim.scenario import ScenarioError, load_scenario_text
    from sim.scenario.calibration import CalibrationSettings

    base = _load(into) if into is not None else None
    incidents = _read(history, fmt, service)
    zone = time_zone or (base.horizon.time_zone if base is not None else "UTC")
    try:
        settings = CalibrationSettings(time_zone=zone)
    except ValidationError as error:
        raise _fail(f"--time-zone: {error.errors()[0]['msg']}") from None
    factors = dict(base.response.severity_work_factor) if base is not None else None
    try:
        result = fit_history(incidents, settings, factors)
        text, notes = render_scenario(result, into=into)
        load_scenario_text(text, str(out))  # the file we write must load
    except (HistoryError, ScenarioError) as error:
        raise _fail(str(error)) from None
    for message in [*result.messages, *notes]:
        _note(message)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    except OSError as error:
        raise _fail(f"{out}: cannot write ({error.strerror})") from None
    console.print(f"wrote {out} ({len(result.services)} services, {len(incidents)} incidents)")
    if report is not None:
        from sim.calibration.diagnostics import write_report

        files = write_report(result, incidents, report)
        console.print(f"wrote {len(files)} diagnostics files to {report}")


KPI_LABELS = {
    "incidents_per_week": "incidents / week",
    "weekend_incidents_per_weekend": "weekend incidents / weekend",
    "sleep_hour_incidents_per_week": "sleep-hour incidents / week",
    "duration_median_minutes": "duration median (min)",
    "duration_p90_minutes": "duration p90 (min)",
    "weekly_count_sd": "weekly count s.d.",
    "interruptions_business_per_week": "business interruptions / week",
    "interruptions_off_per_week": "off-hours interruptions / week",
    "interruptions_sleep_per_week": "sleep interruptions / week",
    "self_cleared_incidents_per_week": "self-cleared (unacked, short) / week",
    "self_cleared_share": "self-cleared share of incidents",
}


def _backtest_table(result) -> Table:
    table = Table(
        title=f"held-out {result.start.date()} + {result.weeks} weeks, {result.runs} runs"
    )
    for column in ("KPI", "observed", "sim median", "sim 90% interval", "percentile"):
        table.add_column(column, justify="left" if column == "KPI" else "right", no_wrap=True)
    for row in result.table.itertuples():
        table.add_row(
            KPI_LABELS.get(row.kpi, row.kpi),
            f"{row.observed:.3g}",
            f"{row.sim_median:.3g}",
            f"{row.sim_low:.3g} - {row.sim_high:.3g}",
            f"{100 * row.percentile:.0f}%" + ("" if row.inside else " (outside)"),
        )
    return table


@_command()
def backtest(
    scenario_file: Annotated[Path, typer.Argument(help="Scenario YAML file.", metavar="SCENARIO")],
    history: Annotated[Path, typer.Option("--history", help="Incident history file.")],
    split: Annotated[str, typer.Option("--split", help="Fit before this date, test after.")],
    runs: Annotated[int, typer.Option("--runs", "-n", min=10, help="Simulated runs.")] = 200,
    fmt: Annotated[str | None, typer.Option("--format", "-f", help=FORMAT_HELP)] = None,
    fit_since: Annotated[
        str | None,
        typer.Option("--fit-since", help="Fit only on incidents from this date to the split."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Write the KPI and weekly tables and figures here."),
    ] = None,
    service: Annotated[list[str] | None, typer.Option("--service", help=SERVICE_HELP)] = None,
) -> None:
    """Fit on the history before --split, simulate the held-out weeks --runs times, and compare
    what happened with the simulated distribution (per KPI and weekly 90% interval coverage)."""
    from sim.calibration.backtest import backtest as run_backtest
    from sim.calibration.history import HistoryError
    from sim.scenario import ScenarioError
    from sim.scenario.calibration import BacktestSettings

    _load(scenario_file)
    incidents = _read(history, fmt, service)
    split_date = _date(split, "--split")
    since = _date(fit_since, "--fit-since") if fit_since is not None else None
    try:
        result = run_backtest(
            scenario_file, incidents, split_date, BacktestSettings(runs=runs), fit_since=since
        )
    except (HistoryError, ScenarioError) as error:
        raise _fail(str(error)) from None
    for message in result.fit.messages:
        _note(message)
    console.print(_backtest_table(result))
    console.print(
        f"weekly 90% interval coverage: {result.coverage:.3f} over {result.weeks} weeks "
        f"(binomial s.e. {result.coverage_standard_error:.3f}; expected 0.90)"
    )
    console.print(
        "PIT histogram (10 bins, uniform if right): "
        + " ".join(str(count) for count in result.pit_histogram)
    )
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        result.table.to_csv(out / "kpis.csv", index=False)
        result.weekly.to_csv(out / "weekly.csv", index=False)
        from sim.calibration.backtest import write_backtest_figures

        write_backtest_figures(result, out)
        console.print(f"wrote kpis.csv, weekly.csv, weekly.png and pit.png to {out}")


@_command()
def power(
    scenario_file: Annotated[Path, typer.Argument(help="Scenario YAML file.", metavar="SCENARIO")],
    variant: Annotated[str, typer.Option("--variant", "-v", help="The change adopted.")],
    runs: Annotated[int, typer.Option("--runs", "-n", min=10, help="Simulated runs.")] = 200,
) -> None:
    """How many weeks of real (unpaired, before vs after) observation detect the variant's
    effect on weekend escalations and MTTR at 80% power and 5% significance."""
    from sim.calibration.power import power_analysis
    from sim.scenario.calibration import PowerSettings

    scenario = _load(scenario_file)
    if variant not in scenario.variant_names[1:]:
        raise _fail(
            f"{scenario_file}: no variant {variant!r}; variants are "
            f"{', '.join(scenario.variant_names[1:]) or '(none)'}"
        )
    settings = PowerSettings(runs=runs)
    table = Table(title=f"{variant}: weeks before and after adoption to detect the change")
    for column in ("KPI", "baseline", "variant", "change", "weeks needed", "closed form"):
        table.add_column(column, justify="left" if column == "KPI" else "right")
    for result in power_analysis(scenario, variant, settings):
        change = (result.variant_mean - result.baseline_mean) / result.baseline_mean
        table.add_row(
            result.kpi,
            f"{result.baseline_mean:.3g}",
            f"{result.variant_mean:.3g}",
            f"{100 * change:+.1f}%",
            str(result.weeks_needed) if result.weeks_needed else f"> {settings.max_weeks}",
            str(result.closed_form_weeks)
            if result.closed_form_weeks
            else (
                "-" if result.baseline_mean == result.variant_mean else f"> {settings.max_weeks}"
            ),
        )
    console.print(table)
    console.print(
        f"{100 * settings.power:.0f}% power, {100 * settings.alpha:.0f}% two-sided significance; "
        "weekend escalations: quasi-Poisson rate test (closed form: statsmodels "
        "power_poisson_ratio_2indep with the simulated dispersion); MTTR: z-test of mean "
        "durations, variance cluster-robust by week (closed form: independent incidents)."
    )
