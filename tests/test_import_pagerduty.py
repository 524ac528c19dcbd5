"""`oncall-sim import pagerduty` on the fixture export in tests/fixtures/importers/pagerduty/.

The fixture (see its README) is a follow-the-sun schedule in Europe/London with three layers
(Sydney nights and weekends, daily turns; London weekday days and New York afternoons, weekly
turns), weekly restrictions, one of them 59 hours long across the UK daylight-saving change,
and an override across that change; a policy with assign-to-everyone and round-robin rules in
both forms and num_loops 2; services with constant and support-hours urgency.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from builders import REPO, hand_made_outcome, hand_made_world
from typer.testing import CliRunner

from sim.cli import app
from sim.compile import compile_scenario
from sim.importers.finish import check_layer_order
from sim.importers.pagerduty import import_pagerduty
from sim.importers.rendering import check_instants, compare_with_rendering
from sim.scenario import Scenario, load_scenario

FIXTURE = REPO / "tests" / "fixtures" / "importers" / "pagerduty"


@pytest.fixture(scope="module")
def imported():
    result = import_pagerduty([FIXTURE], weeks=8)
    check_layer_order(result)
    return result


@pytest.fixture(scope="module")
def compiled(imported):
    return compile_scenario(Scenario.model_validate(imported.document))


def _rendered(imported):
    _, schedule = imported.schedules[0]
    return [(start, end, imported.person_of_user[user]) for start, end, user in schedule.rendered]


def test_imported_schedule_names_the_same_person_as_final_schedule_at_every_boundary(
    imported, compiled
):
    entries = _rendered(imported)
    # Six weeks, 2 March to 13 April 2026: the US (8 March), UK (29 March) and Australian
    # (5 April) daylight-saving changes all fall inside.
    assert entries[0][0] == dt.datetime.fromisoformat("2026-03-02T00:00:00+00:00")
    assert entries[-1][1] == dt.datetime.fromisoformat("2026-04-13T00:00:00+01:00")
    instants, mismatches = compare_with_rendering(
        compiled.schedules[0], compiled.person_names, entries, dt.date(2026, 3, 2), "Europe/London"
    )
    assert instants == len(check_instants(entries)) == 345
    assert mismatches == []


def test_the_rendering_check_catches_the_layers_upside_down(imported):
    document = json.loads(json.dumps(imported.document, default=str))
    document["teams"][0]["layers"].reverse()
    wrong = compile_scenario(Scenario.model_validate(document))
    _, mismatches = compare_with_rendering(
        wrong.schedules[0],
        wrong.person_names,
        _rendered(imported),
        dt.date(2026, 3, 2),
        "Europe/London",
    )
    # Layers overlap only at weekends, where the Sydney weekend block lies under New York's
    # afternoons: upside down, Sydney wins there.
    assert len(mismatches) == 33
    first = mismatches[0]
    assert (first.moment.isoformat(), first.expected, first.got) == (
        "2026-03-07T14:00:00+00:00",
        "evan-diaz",
        "dara-nguyen",
    )


def test_london_handoff_moves_to_seven_utc_after_the_uk_clock_change(compiled):
    """The London layer starts at 08:00 local: 08:00 UTC on Friday 27 March (GMT), 07:00 UTC on
    Monday 30 March (BST). Minutes from Monday 2 March 00:00 London (= UTC)."""
    schedule, names = compiled.schedules[0], compiled.person_names
    friday_27 = (25 * 1440) + 8 * 60
    monday_30 = (28 * 1440) + 7 * 60
    assert names[schedule.person_at(friday_27 - 1)] == "dara-nguyen"
    assert names[schedule.person_at(friday_27)] == "bob-okafor"
    assert names[schedule.person_at(monday_30 - 1)] == "chen-wei"
    assert names[schedule.person_at(monday_30)] == "alice-brown"


def test_import_report_lists_what_was_mapped_approximated_and_dropped(imported):
    report = imported.report
    assert report.mapped == [
        "9 users -> people, one site per time zone",
        "1 schedules -> teams with layers (lowest first), restrictions and overrides",
        "user PGINA07 (on no schedule) -> engineer of team platform-follow-the-sun, paged by "
        "escalation policy PEPPLAT",
        "user PHAL008 (on no schedule) -> engineer of team platform-follow-the-sun, paged by "
        "escalation policy PEPPLAT",
        "user PIVAN09 (on no schedule) -> engineer of team platform-follow-the-sun, paged by "
        "escalation policy PEPPLAT",
        "service PSVC002: low urgency outside support hours, raised to high at support hours "
        "start -> deferred to support hours",
        "3 services -> services with their own escalation policy",
        "escalation policy PEPPLAT rule 2: round_robin over 2 users",
        "2 escalation policies -> escalation_policies (num_loops -> repeat, "
        "acknowledgement_timeout -> ack_expiry_minutes)",
        "team platform-follow-the-sun: the scenario's schedule names the same person as "
        "final_schedule at all 345 boundary instants (and a minute either side)",
    ]
    assert report.approximated == [
        "service PSVC003: support hours in America/New_York are judged in the owning team's "
        "time zone Europe/London (the model's support hours are the team's local time)",
        "service PSVC003: low urgency outside support hours is modelled as notify-only (one "
        "page to the first level, no escalation)",
    ]
    assert report.dropped == [
        "escalation policy PEPPLAT: fields on_call_handoff_notifications (not used by the model)",
        "service PSVC001: fields alert_creation, alert_grouping_parameters, "
        "auto_resolve_timeout (not used by the model)",
        "service PSVC002: fields auto_resolve_timeout (not used by the model)",
    ]


def test_imported_policy_pages_schedule_then_round_robin_then_everyone_and_repeats(compiled):
    """Platform EP (checkout-api's copy, ack timeout 4 h): level 1 the schedule (15 min), level
    2 gina and hal in turn (20 min), level 3 ivan and gina at once (30 min), num_loops 2. An
    alert on Tuesday 3 March 10:00 London (alice on call) that nobody acknowledges for 200
    minutes pages alice at +0, gina at +15, ivan and gina at +35, alice at +65, hal (the
    round-robin's next turn) at +80, ivan and gina at +100, alice at +130, gina at +145, ivan
    and gina at +165; alice acknowledges her first page at +200."""
    names = compiled.person_names
    start = 1440 + 600
    outcome = hand_made_outcome([start], [10.0], [[200.0] + [999.0] * 15])
    service = np.array([0])  # checkout-api
    trace: list = []
    hand_made_world(compiled, outcome, service=service, trace=trace).run()
    pages = [(e.time_minutes - start, names[e.person]) for e in trace if e.kind == "page"]
    assert pages == [
        (0, "alice-brown"),
        (15, "gina-rossi"),
        (35, "ivan-petrov"),
        (35, "gina-rossi"),
        (65, "alice-brown"),
        (80, "hal-jensen"),
        (100, "ivan-petrov"),
        (100, "gina-rossi"),
        (130, "alice-brown"),
        (145, "gina-rossi"),
        (165, "ivan-petrov"),
        (165, "gina-rossi"),
    ]
    assert [(t - start, kind) for t, kind, *_ in trace if kind == "ack"] == [(200, "ack")]


def test_import_validate_and_run_round_trip(tmp_path):
    out = tmp_path / "org.yaml"
    runner = CliRunner()
    imported = runner.invoke(app, ["import", "pagerduty", str(FIXTURE), "--out", str(out)])
    assert imported.exit_code == 0, imported.output
    text = out.read_text()
    assert "# !!! PLACEHOLDER RATES" in text
    assert "# PagerDuty schedule PSCHED1 'Platform follow-the-sun'" in text
    assert load_scenario(out).placeholder_rate_services == [
        "checkout-api",
        "billing-worker",
        "reports",
    ]
    validated = runner.invoke(app, ["validate", str(out)])
    assert validated.exit_code == 0 and "PLACEHOLDER RATES" in validated.output
    refused = runner.invoke(app, ["run", str(out), "--runs", "5", "--out", str(tmp_path / "r0")])
    assert refused.exit_code == 2
    assert "--accept-placeholder-rates" in refused.output
    ran = runner.invoke(
        app,
        [
            "run",
            str(out),
            "--runs",
            "50",
            "--out",
            str(tmp_path / "r"),
            "--accept-placeholder-rates",
        ],
    )
    assert ran.exit_code == 0, ran.output
    assert (tmp_path / "r" / "runs.parquet").exists()


def _broken_copy(tmp_path: Path, file: str, change) -> Path:
    folder = tmp_path / "export"
    shutil.copytree(FIXTURE, folder, ignore=shutil.ignore_patterns("*.py", "*.md"))
    path = folder / file
    if callable(change):
        document = json.loads(path.read_text())
        change(document)
        path.write_text(json.dumps(document))
    else:
        path.write_text(path.read_text()[:change])
    return folder


def _layer(document, index):
    return document["schedule"]["schedule_layers"][index]


BAD_INPUTS = {
    "truncated JSON": (
        "services.json",
        400,
        "services.json: line 16 column 7",
        "invalid JSON: Unterminated string starting at (the file looks truncated)",
    ),
    "unknown user": (
        "schedule_platform.json",
        lambda d: _layer(d, 1)["users"][0]["user"].update(id="PNOBODY"),
        "schedule_platform.json: $.schedule.schedule_layers[1].users[0].user.id",
        "unknown user 'PNOBODY'",
    ),
    "missing schedule": (
        "escalation_policies.json",
        lambda d: d["escalation_policies"][1]["escalation_rules"][1]["targets"][0].update(
            id="PGONE99"
        ),
        "escalation_policies.json: $.escalation_policies[1].escalation_rules[1].targets[0].id",
        "points at schedule 'PGONE99', which is not in the export",
    ),
    "restriction longer than a week": (
        "schedule_platform.json",
        lambda d: _layer(d, 2)["restrictions"][4].update(duration_seconds=8 * 86400),
        "schedule_platform.json: $.schedule.schedule_layers[2].restrictions[4].duration_seconds",
        "a weekly_restriction lasts at most a week",
    ),
    "unknown time zone": (
        "users.json",
        lambda d: d["users"][4].update(time_zone="America/Gotham"),
        "users.json: $.users[4].time_zone",
        "unknown time zone 'America/Gotham'",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_export_exits_2_naming_file_and_json_path(case, tmp_path):
    file, change, where, message = BAD_INPUTS[case]
    folder = _broken_copy(tmp_path, file, change)
    result = CliRunner().invoke(
        app, ["import", "pagerduty", str(folder), "--out", str(tmp_path / "o.yaml")]
    )
    assert result.exit_code == 2, result.output
    assert where in result.output
    assert message in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "o.yaml").exists()


def test_start_that_is_not_a_monday_exits_2(tmp_path):
    result = CliRunner().invoke(
        app,
        ["import", "pagerduty", str(FIXTURE), "--out", str(tmp_path / "o.yaml"), "--start",
         "2026-03-03"],
    )  # fmt: skip
    assert result.exit_code == 2
    assert "--start: $: 2026-03-03 is not a Monday" in result.output
