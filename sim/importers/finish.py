"""The last steps of every import: validate the scenario, check each schedule against the
tool's own rendering, and write the commented YAML file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pydantic

from sim.calibration.history import History
from sim.calibration.writer import apply_to_text
from sim.importers.incidents import HistoryFill, fill_from_history, history_header
from sim.importers.pagerduty import ImportedScenario
from sim.importers.rendering import Mismatch, compare_with_rendering
from sim.importers.report import ImportReport
from sim.importers.sources import ImportInputError
from sim.importers.yaml_writer import (
    comment_lines,
    header_lines,
    render_scenario,
    write_scenario,
)


@dataclass(frozen=True)
class RenderingCheck:
    """One schedule compared with the tool's rendering of it."""

    team: str
    instants: int
    mismatches: list[Mismatch]


def _scenario(document: dict[str, Any]):
    from sim.scenario import Scenario

    try:
        return Scenario.model_validate(document)
    except pydantic.ValidationError as error:
        raise ImportInputError(
            "import", "$", f"the imported organisation is not a valid scenario: {error}"
        ) from None


def _check(document: dict[str, Any], imported: ImportedScenario) -> list[RenderingCheck]:
    from sim.compile import compile_scenario

    if not any(schedule.rendered for _, schedule in imported.schedules):
        return []  # nothing to compare (and Alertmanager alone writes no horizon)

    compiled = compile_scenario(_scenario(document))
    horizon = document["horizon"]
    checks = []
    for team, schedule in imported.schedules:
        if not schedule.rendered:
            continue
        entries = [
            (start, end, imported.person_of_user[user]) for start, end, user in schedule.rendered
        ]
        index = compiled.team_names.index(team)
        instants, mismatches = compare_with_rendering(
            compiled.schedules[index],
            compiled.person_names,
            entries,
            horizon["start_date"],
            horizon["time_zone"],
        )
        checks.append(RenderingCheck(team, instants, mismatches))
    return checks


def check_layer_order(imported: ImportedScenario) -> list[RenderingCheck]:
    """Compare every rendered schedule with the scenario's; where the other layer order
    reproduces the rendering better, take it (and say so). Updates ``imported.document``."""
    report = imported.report
    checks = _check(imported.document, imported)
    for check in checks:
        if not check.mismatches:
            report.map(
                f"team {check.team}: the scenario's schedule names the same person as "
                f"final_schedule at all {check.instants} boundary instants (and a minute either "
                "side)"
            )
            continue
        teams = imported.document["teams"]
        team = next(t for t in teams if t["name"] == check.team)
        team["layers"] = team["layers"][::-1]
        flipped = next(c for c in _check(imported.document, imported) if c.team == check.team)
        if len(flipped.mismatches) < len(check.mismatches):
            checks[checks.index(check)] = flipped
            report.approximate(
                f"team {check.team}: the layers' listing order did not reproduce final_schedule; "
                "the reverse order does better and is used"
            )
            check = flipped
        else:
            team["layers"] = team["layers"][::-1]
        if check.mismatches:
            first = check.mismatches[0]
            report.approximate(
                f"team {check.team}: {len(check.mismatches)} of {check.instants} boundary "
                f"instants differ from final_schedule (first at {first.moment.isoformat()}: "
                f"{first.expected or 'nobody'} in the tool, {first.got or 'nobody'} here)"
            )
    return checks


def placeholder_lines(document: dict[str, Any], history: str | None = None) -> list[str]:
    """The loud header block about placeholder alert rates (``history``: the incident history
    that filled the others)."""
    names = [s["name"] for s in document["services"] if s.get("placeholder_rate")]
    if not names:
        return []
    if history is None:
        why = [
            "# !!! measurement (the paging tool does not know how often services fail). Set each",
            "# !!! from your incident history and delete its `placeholder_rate: true`; until then",
            "# !!! `oncall-sim run` refuses this file unless given --accept-placeholder-rates.",
        ]
    else:
        why = [
            "# !!! measurement: the incident history has no incident of them:",
            f"# !!! {history}",
            "# !!! Set each from your incident history and delete its `placeholder_rate: true`;",
            "# !!! until then `oncall-sim run` refuses this file unless given",
            "# !!! --accept-placeholder-rates.",
        ]
    return [
        "#",
        "# !!! PLACEHOLDER RATES: alerts_per_week of every service below is a placeholder, not a",
        *why,
        "# !!! Services: " + ", ".join(names),
    ]


def _load_text(text: str, out: Path) -> None:
    from sim.scenario import ScenarioError, load_scenario_text

    try:
        load_scenario_text(text, str(out))
    except ScenarioError as error:
        raise ImportInputError(
            "import", "$", f"the fitted organisation is not a valid scenario: {error}"
        ) from None


def _render(imported: ImportedScenario, title: str, fill: HistoryFill | None) -> str:
    header = header_lines(title, imported.sources, imported.report)
    if fill is not None:
        header += [line for text in history_header(fill) for line in comment_lines(text)]
    header += placeholder_lines(imported.document, fill.result.source if fill else None)
    return render_scenario(imported.document, header, imported.comments)


def write_import(
    imported: ImportedScenario, out: Path, title: str, history: History | None = None
) -> tuple[list[RenderingCheck], str]:
    """Check, validate and write the imported scenario; the checks and the YAML text. With an
    incident ``history``, the services it covers get their rates, profiles and severity mixes
    fitted (:mod:`sim.importers.incidents`), written as `oncall-sim calibrate --into` writes
    them."""
    checks = check_layer_order(imported)
    scenario = _scenario(imported.document)
    if history is None:
        text = _render(imported, title, None)
    else:
        fill = fill_from_history(
            imported.document, imported.service_sources, history, scenario, imported.report
        )
        _, notes = apply_to_text(_render(imported, title, fill), fill.result, str(out))
        for note in notes:
            if not note.startswith("not in the history"):  # the rates list says it
                imported.report.approximate(f"incident history: {note}")
        text, _ = apply_to_text(_render(imported, title, fill), fill.result, str(out))
        _load_text(text, out)
    write_scenario(out, text)
    return checks, text


__all__ = ["ImportReport", "RenderingCheck", "check_layer_order", "write_import"]
