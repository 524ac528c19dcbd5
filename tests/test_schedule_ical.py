"""`oncall-sim schedule SCENARIO --ical out.ics`: the calendar read back with the icalendar
library equals the paging tool's own rendering of the imported schedule, event for event."""

from __future__ import annotations

import datetime as dt

import icalendar
from builders import REPO
from typer.testing import CliRunner

from sim.cli import app
from sim.importers.finish import write_import
from sim.importers.opsgenie import import_opsgenie
from sim.importers.pagerduty import import_pagerduty

FIXTURES = REPO / "tests" / "fixtures" / "importers"


def _events(path):
    calendar = icalendar.Calendar.from_ical(path.read_bytes())
    return [
        (
            event.decoded("dtstart"),
            event.decoded("dtend"),
            *str(event["summary"]).split(" on call: "),
        )
        for event in calendar.walk("VEVENT")
    ]


def test_calendar_of_the_imported_schedule_equals_final_schedule(tmp_path):
    imported = import_pagerduty([FIXTURES / "pagerduty"], weeks=8)
    scenario = tmp_path / "org.yaml"
    write_import(imported, scenario, "PagerDuty")
    ics = tmp_path / "oncall.ics"
    result = CliRunner().invoke(app, ["schedule", str(scenario), "--ical", str(ics)])
    assert result.exit_code == 0, result.output
    _, schedule = imported.schedules[0]
    rendered = [
        (start, end, imported.person_of_user[user]) for start, end, user in schedule.rendered
    ]
    until = rendered[-1][1]
    shown = [
        (start, min(end, until), who)
        for start, end, who, name in _events(ics)
        if start < until and name == "platform-follow-the-sun"
    ]
    assert len(shown) == len(rendered) == 115
    assert shown == rendered


def test_calendar_of_cumulative_rotations_overlaps_where_both_are_on_call(tmp_path):
    """Tuesday 3 March 2026 10:00 Berlin (09:00 UTC): ana's week and dee's office hours."""
    imported = import_opsgenie([FIXTURES / "opsgenie"], start_date=dt.date(2026, 3, 2), weeks=2)
    scenario = tmp_path / "org.yaml"
    write_import(imported, scenario, "Opsgenie")
    ics = tmp_path / "oncall.ics"
    assert CliRunner().invoke(app, ["schedule", str(scenario), "--ical", str(ics)]).exit_code == 0
    moment = dt.datetime(2026, 3, 3, 9, 0, tzinfo=dt.UTC)
    on_call = sorted(
        who
        for start, end, who, name in _events(ics)
        if start <= moment < end and name == "ops-on-call"
    )
    assert on_call == ["ana-lima", "dee-park"]
