"""`oncall-sim import alertmanager` on tests/fixtures/importers/alertmanager/alertmanager.yml,
merged --into the scenario imported from the PagerDuty fixture (see the fixtures' READMEs)."""

from __future__ import annotations

import datetime as dt

import pytest
from builders import REPO
from typer.testing import CliRunner

from sim.cli import app
from sim.importers.alertmanager import import_alertmanager
from sim.importers.finish import write_import
from sim.importers.pagerduty import import_pagerduty
from sim.scenario import load_scenario

FIXTURES = REPO / "tests" / "fixtures" / "importers"
CONFIG = FIXTURES / "alertmanager" / "alertmanager.yml"


@pytest.fixture(scope="module")
def pagerduty_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("pd") / "org.yaml"
    write_import(import_pagerduty([FIXTURES / "pagerduty"], weeks=8), path, "PagerDuty")
    return path


@pytest.fixture(scope="module")
def imported(pagerduty_file):
    return import_alertmanager(CONFIG, into=pagerduty_file)


def test_routes_grouping_inhibition_and_intervals_land_in_the_scenario(imported):
    document = imported.document
    services = {service["name"]: service for service in document["services"]}
    assert services["postgres"]["team"] == "db-team"
    assert services["postgres"]["placeholder_rate"] is True
    assert services["checkout-api"]["team"] == "platform-follow-the-sun"
    assert services["checkout-api"]["depends_on"] == [
        {"service": "postgres", "downstream_probability": 0.0, "upstream_probability": 0.0}
    ]
    assert services["reports"]["paging"] == {
        "urgency": {"P1": "low", "P2": "low", "P3": "low", "P4": "low"},
        "support_hours": {"days": ["Mon", "Tue", "Wed", "Thu", "Fri"], "start": "09:00",
                          "end": "17:00"},
        "low_urgency_outside_support": "defer",
    }  # fmt: skip
    assert document["paging"]["maintenance_windows"] == [
        {"every": "Sun", "time": "02:00", "duration_minutes": 120, "services": ["postgres"]}
    ]
    assert document["correlation"] == {
        "grouping": {"enabled": True, "group_wait_minutes": 0.75, "group_interval_minutes": 10.0},
        "inhibition": True,
    }


def test_import_report_lists_what_was_mapped_approximated_and_dropped(imported, pagerduty_file):
    report = imported.report
    assert report.mapped == [
        "service postgres: mute interval sunday-maintenance -> maintenance windows",
        "service reports: active interval office-hours -> support hours, notifications "
        "outside them deferred",
        "4 services routed to 2 receivers",
        "root route group_wait and group_interval -> correlation.grouping",
        "inhibit rule 0: postgres inhibits checkout-api, billing-worker -> dependency edges "
        "without cascades, correlation.inhibition",
    ]
    assert report.approximated == [
        "route $.route.routes[1]: continue: true (a service is paged to one team: the first "
        "matching route's)",
        "receiver db-team -> team db-team with 2 placeholder engineers (Alertmanager does not "
        "know people: import the paging tool first and use --into)",
        "group_by ['alertname', 'cluster'] -> grouping of the alerts of one root failure",
    ]
    assert report.dropped == [
        f"the comments of {pagerduty_file} (its header and source notes are not carried over)",
        "repeat_interval (the model pages once per incident, never re-notifies)",
        "inhibit rule 1: its matchers do not name services by the service label (inhibition "
        "in the model follows service dependencies)",
    ]


def test_import_validate_and_run_round_trip(pagerduty_file, tmp_path):
    out = tmp_path / "org.yaml"
    runner = CliRunner()
    command = ["import", "alertmanager", str(CONFIG), "--into", str(pagerduty_file)]
    result = runner.invoke(app, [*command, "--out", str(out)])
    assert result.exit_code == 0, result.output
    scenario = load_scenario(out)
    assert scenario.horizon.start_date == dt.date(2026, 3, 2)
    assert runner.invoke(app, ["validate", str(out)]).exit_code == 0
    ran = runner.invoke(
        app, ["run", str(out), "--runs", "50", "--out", str(tmp_path / "r"),
              "--accept-placeholder-rates"],
    )  # fmt: skip
    assert ran.exit_code == 0, ran.output


def test_bad_duration_exits_2_with_file_line_and_path(tmp_path):
    config = tmp_path / "alertmanager.yml"
    config.write_text(CONFIG.read_text().replace("group_wait: 45s", "group_wait: soon"))
    result = CliRunner().invoke(
        app, ["import", "alertmanager", str(config), "--out", str(tmp_path / "o.yaml")]
    )
    assert result.exit_code == 2
    assert "alertmanager.yml: line 7: $.route.group_wait" in result.output
    assert "expected a duration such as 30s, 5m or 4h; got 'soon'" in result.output
