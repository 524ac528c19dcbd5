"""`oncall-sim import ... --incidents FILE`: rates, profiles and severity mixes fitted from an
incident history (tests/fixtures/importers/incidents/, see its README) by the calibration
package, matched to the imported services by name and by the paging tool's service id."""

from __future__ import annotations

import pandas as pd
import pytest
from builders import REPO
from typer.testing import CliRunner

from sim.calibration.history import History
from sim.calibration.readers import read_history
from sim.cli import app
from sim.importers.incidents import UNMATCHED_PREFIX, match_history
from sim.scenario import load_scenario

FIXTURES = REPO / "tests" / "fixtures" / "importers"
PAGERDUTY = FIXTURES / "pagerduty"
CSV_HISTORY = FIXTURES / "incidents" / "incidents.csv"
PD_HISTORY = FIXTURES / "incidents" / "pagerduty-incidents.json"


def _import(tmp_path, history, *extra, tool="pagerduty", source=PAGERDUTY):
    out = tmp_path / "org.yaml"
    args = ["import", tool, str(source), "--out", str(out), "--incidents", str(history), *extra]
    if tool != "alertmanager":
        args += ["--weeks", "8"]
    return CliRunner().invoke(app, args), out


def _weeks(starts: pd.Series) -> float:
    """The history's span (first to last incident of every service), in weeks."""
    return (starts.max() - starts.min()).total_seconds() / (7 * 86400)


def _service(scenario, name):
    return next(service for service in scenario.services if service.name == name)


def test_csv_history_fits_the_services_it_names_and_keeps_the_rest_a_loud_placeholder(tmp_path):
    result, out = _import(tmp_path, CSV_HISTORY)
    assert result.exit_code == 0, result.output
    scenario = load_scenario(out)
    assert scenario.placeholder_rate_services == ["reports"]
    raw = pd.read_csv(CSV_HISTORY)
    weeks = _weeks(pd.to_datetime(raw["started_at"], utc=True))
    counts = raw["service"].value_counts()
    assert (counts["Checkout API"], counts["billing-worker"], counts["Search"]) == (60, 8, 5)
    checkout, billing = _service(scenario, "checkout-api"), _service(scenario, "billing-worker")
    assert checkout.alerts_per_week == pytest.approx(60 / weeks, abs=1e-4)
    assert billing.alerts_per_week == pytest.approx(8 / weeks, abs=1e-4)
    shares = raw[raw["service"] == "Checkout API"]["severity"].value_counts(normalize=True)
    for severity in ("P2", "P3", "P4"):
        assert checkout.severity_mix[severity] == pytest.approx(shares[severity], abs=2e-4)
    text = out.read_text()
    assert f"alerts_per_week: {checkout.alerts_per_week}  # fitted: " in text
    assert "n = 60 incidents over 9.2 weeks" in text and "n = 8 incidents over 9.2 weeks" in text
    assert "# !!! Services: reports" in text
    assert "# !!! measurement: the incident history has no incident of them:" in text
    assert "- checkout-api: fitted, alerts_per_week 6.547 (s.e. 0.85) from n = 60" in result.output
    assert (
        "  - billing-worker: fitted, alerts_per_week 0.8729 (s.e. 0.31) from n = 8 incidents over "
        "9.2 weeks (billing-worker: matched by name); fewer than 30 incidents: profile, severity "
        "mix and weekly dispersion pooled from team platform-follow-the-sun"
    ) in result.output
    assert (
        "  - reports: PLACEHOLDER alerts_per_week kept: the incident history has no incident of "
        "it (by name or id)"
    ) in result.output
    assert "alerts_per_week of reports is a placeholder" in result.output
    validated = CliRunner().invoke(app, ["validate", str(out)])
    assert validated.exit_code == 0, validated.output
    assert "alerts_per_week of 1 of 3 services (reports) is a placeholder" in " ".join(
        validated.output.split()
    )


def test_a_history_service_the_import_does_not_have_is_reported_not_dropped_silently(tmp_path):
    result, out = _import(tmp_path, CSV_HISTORY)
    assert result.exit_code == 0, result.output
    line = (
        "incident history: service Search, 5 incident(s): matches no imported service by name "
        "or id; not fitted into the scenario"
    )
    assert line in result.output
    assert "#   - incident history: service Search, 5 incident(s): matches no imported" in (
        out.read_text()
    )
    assert "search" not in [service.name for service in load_scenario(out).services]


def test_pagerduty_incident_list_matches_by_service_id_and_runs_without_the_flag(tmp_path):
    result, out = _import(tmp_path, PD_HISTORY)
    assert result.exit_code == 0, result.output
    scenario = load_scenario(out)
    assert scenario.placeholder_rate_services == []
    history = read_history(PD_HISTORY)
    weeks = _weeks(history.incidents["started"])
    for name, count in (("checkout-api", 40), ("billing-worker", 35), ("reports", 12)):
        assert _service(scenario, name).alerts_per_week == pytest.approx(count / weeks, abs=1e-4)
    output = " ".join(result.output.split())
    assert "(Checkout (prod) (id PSVC001): matched by service id)" in output
    assert "reports: fitted, alerts_per_week 1.212 (s.e. 0.35) from n = 12 incidents" in output
    assert "service Legacy (id PSVC999), 4 incident(s): matches no imported service" in output
    assert "No service's alerts_per_week is a placeholder." in output
    text = out.read_text()
    assert "PLACEHOLDER RATES" not in text and "placeholder_rate" not in text
    validated = CliRunner().invoke(app, ["validate", str(out)])
    assert validated.exit_code == 0 and "PLACEHOLDER" not in validated.output
    ran = CliRunner().invoke(app, ["run", str(out), "--runs", "20", "--out", str(tmp_path / "r")])
    assert ran.exit_code == 0, ran.output
    assert "placeholder" not in ran.output
    assert (tmp_path / "r" / "runs.parquet").exists()


def _history(rows: list[tuple[str, str]]) -> History:
    start = pd.Timestamp("2026-01-05", tz="UTC")
    frame = pd.DataFrame(
        {
            "service": [name for name, _ in rows],
            "service_id": [service_id for _, service_id in rows],
            "team": "",
            "started": [start + pd.Timedelta(days=3 * i) for i in range(len(rows))],
        }
    )
    return History(frame, "hand.csv", "csv")


def test_matching_prefers_the_id_and_never_guesses_between_two_services():
    document = {
        "services": [
            {"name": "api", "team": "a"},
            {"name": "api-2", "team": "b"},
            {"name": "checkout-api", "team": "a"},
        ]
    }
    sources = {"api": ("P1", "API"), "api-2": ("P2", "API"), "checkout-api": ("P3", "Checkout")}
    rows = [("API", "P2"), ("API", ""), ("Checkout API", ""), ("checkout", ""), ("x", "P9")]
    relabelled, matches = match_history(_history(rows), document, sources)
    assert [(m.label, m.service, m.how) for m in matches] == [
        ("API (id P2)", "api-2", "matched by service id"),
        ("API", None, "matched by name or id, case and spacing aside matches api, api-2: not "
         "guessed"),
        ("Checkout API", "checkout-api", "matched by name, as checkout-api"),
        ("checkout", "checkout-api", "matched by name or id, case and spacing aside"),
        ("x (id P9)", None, "matches no imported service by name or id"),
    ]  # fmt: skip
    assert list(relabelled.incidents["service"]) == [
        "api-2",
        f"{UNMATCHED_PREFIX}API",
        "checkout-api",
        "checkout-api",
        f"{UNMATCHED_PREFIX}x",
    ]
    assert list(relabelled.incidents["team"]) == ["b", "", "a", "a", ""]


def _renamed_history(tmp_path, old: str, new: str):
    raw = pd.read_csv(CSV_HISTORY, dtype=str)
    raw["service"] = raw["service"].replace(old, new)
    path = tmp_path / "history.csv"
    raw.to_csv(path, index=False)
    return path


def test_opsgenie_escalation_services_match_the_escalation_name(tmp_path):
    history = _renamed_history(tmp_path, "Checkout API", "Ops escalation")
    result, out = _import(tmp_path, history, tool="opsgenie", source=FIXTURES / "opsgenie")
    assert result.exit_code == 0, result.output
    scenario = load_scenario(out)
    assert scenario.placeholder_rate_services == []
    assert "ops-escalation-alerts: fitted" in result.output
    assert "service billing-worker, 8 incident(s): matches no imported service" in result.output


def test_alertmanager_services_match_the_service_label(tmp_path):
    result, out = _import(
        tmp_path, CSV_HISTORY, tool="alertmanager", source=FIXTURES / "alertmanager" /
        "alertmanager.yml",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    scenario = load_scenario(out)
    assert set(scenario.placeholder_rate_services) == {"postgres", "reports"}
    assert _service(scenario, "checkout-api").placeholder_rate is False


def _write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text)
    return path


BAD_HISTORIES = {
    "timestamp without offset": (
        "bad.csv",
        "service,started_at,resolved_at\nCheckout API,2026-01-05T10:00:00Z,\n"
        "Checkout API,2026-01-06 10:00,\n",
        "bad.csv:3: started_at: '2026-01-06 10:00' has no UTC offset",
    ),
    "resolved before started": (
        "bad.csv",
        "service,started_at,resolved_at\nReports,2026-01-05T10:00:00Z,2026-01-05T09:00:00Z\n",
        "bad.csv:2: resolved_at",
    ),
    "pagerduty record without created_at": (
        "bad.json",
        '{"incidents": [{"created_at": "2026-01-05T10:00:00Z", "urgency": "high", "service": '
        '{"id": "PSVC001"}}, {"urgency": "high", "service": {"id": "PSVC001"}}]}',
        "bad.json: incidents[1].created_at: missing",
    ),
    "truncated JSON": (
        "bad.json",
        '{"incidents": [{"created_at": "2026-01-05T10:00:00Z", "urgency": "hi',
        "bad.json: not valid JSON",
    ),
    "a history of less than a week": (
        "short.csv",
        "service,started_at,resolved_at\nReports,2026-01-05T10:00:00Z,\n"
        "Reports,2026-01-06T10:00:00Z,\n",
        "short.csv: the history spans 1.0 days",
    ),
    "no imported service": (
        "other.csv",
        "service,started_at,resolved_at\nSearch,2026-01-05T10:00:00Z,\n"
        "Search,2026-01-16T10:00:00Z,\n",
        "other.csv: services: none of the history's services (Search) matches an imported "
        "service by name or id (imported: checkout-api, billing-worker, reports)",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_HISTORIES))
def test_bad_history_exits_2_naming_file_and_line_without_writing(case, tmp_path):
    name, text, message = BAD_HISTORIES[case]
    result, out = _import(tmp_path, _write(tmp_path, name, text))
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.output.split())
    assert "Traceback" not in result.output
    assert not out.exists()


def test_unknown_incidents_format_exits_2(tmp_path):
    result, out = _import(tmp_path, CSV_HISTORY, "--incidents-format", "xml")
    assert result.exit_code == 2
    assert "--incidents-format 'xml' is not one of csv, pagerduty, statuspage, lanl" in (
        result.output
    )
    assert not out.exists()


def test_incidents_format_without_incidents_exits_2(tmp_path):
    out = tmp_path / "org.yaml"
    result = CliRunner().invoke(
        app,
        ["import", "pagerduty", str(PAGERDUTY), "--out", str(out), "--incidents-format", "csv"],
    )
    assert result.exit_code == 2
    assert "--incidents-format needs --incidents FILE" in result.output
    assert not out.exists()
