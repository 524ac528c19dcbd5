"""`oncall-sim import opsgenie` on tests/fixtures/importers/opsgenie/ (see its README): one
schedule in Europe/Berlin with three cumulative rotations (weekly primary ana/ben from Monday
5 January 09:00; daily office hours cem/dee 09:00-17:00; weekend cover eve from Saturday 08:00
to Monday 00:00), an override (ben, Tuesday 10 March 09:00-17:00) and an escalation (the
schedule at once, its next users at +10 min, lee at +30 min, repeated once after 20 min)."""

from __future__ import annotations

import json
import shutil

import pytest
from builders import REPO, hand_made_outcome, hand_made_world
from typer.testing import CliRunner

from sim.cli import app
from sim.compile import compile_scenario
from sim.importers.opsgenie import import_opsgenie
from sim.scenario import Scenario

FIXTURE = REPO / "tests" / "fixtures" / "importers" / "opsgenie"
DAY = 1440  # minute 0: Monday 2 March 2026 00:00 Berlin


@pytest.fixture(scope="module")
def imported():
    import datetime as dt

    return import_opsgenie([FIXTURE], start_date=dt.date(2026, 3, 2), weeks=4)


def first_pages(imported, times):
    compiled = compile_scenario(Scenario.model_validate(imported.document))
    outcome = hand_made_outcome(times, [5.0] * len(times), [[1.0] * 8] * len(times))
    trace: list = []
    hand_made_world(compiled, outcome, trace=trace).run()
    names = compiled.person_names
    return [(e.time_minutes, names[e.person]) for e in trace if e.kind == "page"]


def test_every_rotation_on_call_is_paged_at_once(imported):
    """Tuesday 10:00: the weekly primary (ana, 8 weeks after 5 January) and office hours (dee,
    57 days after) at the same minute. Saturday 10:00: weekend cover too (eve). Tuesday
    10 March 10:00: the override puts ben alone on call. Pages go highest rotation first."""
    tuesday, saturday, override = DAY + 600, 5 * DAY + 600, 8 * DAY + 600
    assert first_pages(imported, [tuesday]) == [(tuesday, "dee-park"), (tuesday, "ana-lima")]
    assert first_pages(imported, [saturday]) == [
        (saturday, "eve-stone"),
        (saturday, "dee-park"),
        (saturday, "ana-lima"),
    ]
    assert first_pages(imported, [override]) == [(override, "ben-wolf")]


def test_import_report_lists_what_was_mapped_approximated_and_dropped(imported):
    assert imported.report.mapped == [
        "6 users -> people, one site per time zone",
        "1 schedules -> teams with cumulative layers (page_all_active_layers: every rotation on "
        "call is paged)",
        "lee-grant (on no schedule) -> engineer of team ops-on-call",
    ]
    assert imported.report.approximated == [
        "rotation Weekend cover: a none participant is left out of the turns",
        "1 escalations -> one placeholder service each (Opsgenie routes alerts to teams and "
        "escalations, not services)",
    ]
    assert imported.report.dropped == []


def test_escalation_delays_from_alert_creation_become_waits_between_levels(imported):
    (policy,) = imported.document["escalation_policies"]
    assert [level["delay_minutes"] for level in policy["levels"]] == [10.0, 20.0, 20.0]
    assert policy["levels"][1]["targets"] == [{"schedule": "ops-on-call", "offset": 1}]
    assert policy["repeat"] == 1


def test_import_validate_and_run_round_trip(tmp_path):
    out = tmp_path / "org.yaml"
    runner = CliRunner()
    result = runner.invoke(app, ["import", "opsgenie", str(FIXTURE), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert runner.invoke(app, ["validate", str(out)]).exit_code == 0
    ran = runner.invoke(
        app, ["run", str(out), "--runs", "50", "--out", str(tmp_path / "r"),
              "--accept-placeholder-rates"],
    )  # fmt: skip
    assert ran.exit_code == 0, ran.output


def test_rotation_naming_an_unknown_user_exits_2_with_file_and_path(tmp_path):
    folder = tmp_path / "export"
    shutil.copytree(FIXTURE, folder, ignore=shutil.ignore_patterns("*.md"))
    path = folder / "schedule-ops.json"
    document = json.loads(path.read_text())
    document["data"]["rotations"][1]["participants"][0]["id"] = "u-nobody"
    path.write_text(json.dumps(document))
    result = CliRunner().invoke(
        app, ["import", "opsgenie", str(folder), "--out", str(tmp_path / "o.yaml")]
    )
    assert result.exit_code == 2
    assert "schedule-ops.json: $.data.rotations[1].participants[0]" in result.output
    assert "unknown user 'u-nobody'" in result.output


def test_escalation_pointing_at_a_missing_schedule_exits_2(tmp_path):
    folder = tmp_path / "export"
    shutil.copytree(FIXTURE, folder, ignore=shutil.ignore_patterns("*.md"))
    path = folder / "escalation-ops.json"
    document = json.loads(path.read_text())
    document["data"]["rules"][1]["recipient"]["id"] = "s-gone"
    path.write_text(json.dumps(document))
    result = CliRunner().invoke(
        app, ["import", "opsgenie", str(folder), "--out", str(tmp_path / "o.yaml")]
    )
    assert result.exit_code == 2
    assert "escalation-ops.json: $.data.rules[1].recipient" in result.output
    assert "points at schedule 's-gone', which is not in the export" in result.output
