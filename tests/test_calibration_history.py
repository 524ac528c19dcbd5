"""History readers and bad input: every format normalised the same way, every mistake a clear
message with file and line (or JSON path) and exit status 2, never a traceback or a silent zero."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from sim.calibration import calibrate, read_history
from sim.calibration.history import HistoryError
from sim.cli import app
from sim.scenario.calibration import CalibrationSettings

DATA = Path(__file__).parents[1] / "data"
EXAMPLES = Path(__file__).parents[1] / "docs" / "examples"
HEADER = "service,team,started_at,acknowledged_at,resolved_at,severity,escalated\n"


def _csv(tmp_path: Path, rows: list[str], header: str = HEADER) -> Path:
    path = tmp_path / "history.csv"
    path.write_text(header + "".join(row + "\n" for row in rows), encoding="utf-8")
    return path


def _cli(*args: str):
    result = CliRunner().invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def test_generic_csv_is_normalised_to_utc_with_all_columns(tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        [
            "db,storage,2024-03-01T09:00:00+01:00,2024-03-01T09:05:00+01:00,"
            "2024-03-01T10:00:00+01:00,P2,true",
            "api,apps,2024-03-02T12:00:00Z,,2024-03-02T12:30:00Z,,false",
        ],
    )
    history = read_history(path)
    assert history.format == "csv"
    frame = history.incidents
    assert list(frame["service"]) == ["db", "api"]
    assert frame["started"][0] == pd.Timestamp("2024-03-01T08:00:00Z")
    assert frame["acknowledged"][0] == pd.Timestamp("2024-03-01T08:05:00Z")
    assert pd.isna(frame["acknowledged"][1])
    assert list(frame["severity"]) == ["P2", None]
    assert list(frame["escalated"]) == [True, False]
    assert list(history.durations_minutes) == [60.0, 30.0]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([], "has no incidents (only a header)"),
        (
            ["db,s,2024-03-01T10:00:00Z,,2024-03-01T09:00:00Z,,"],
            "history.csv:2: resolved_at 2024-03-01 09:00:00+00:00 is before started_at",
        ),
        (
            ["db,s,2024-03-01T10:00:00Z,,2024-03-01T11:00:00Z,,", "db,s,yesterday,,,,"],
            "history.csv:3: started_at: 'yesterday' has no UTC offset",
        ),
        (
            ["db,s,2024-13-45T10:00:00Z,,2024-03-01T11:00:00Z,,"],
            "history.csv:2: started_at: '2024-13-45T10:00:00Z' is not an ISO 8601 timestamp",
        ),
        (
            ["db,s,2024-03-01T10:00:00,,,,"],
            "history.csv:2: started_at: '2024-03-01T10:00:00' has no UTC offset",
        ),
        (["db,s,2024-03-01T10:00:00Z,,,P7,"], "history.csv:2: severity: 'P7' is not one of P1-P4"),
        (
            ["db,s,2024-03-01T10:00:00Z,,,,maybe"],
            "history.csv:2: escalated: 'maybe' is not true/false",
        ),
    ],
)
def test_bad_generic_csv_names_file_line_and_field(
    tmp_path: Path, rows: list[str], message: str
) -> None:
    path = _csv(tmp_path, rows)
    with pytest.raises(HistoryError, match=None) as caught:
        read_history(path)
    assert message in str(caught.value)
    out = tmp_path / "fitted.yaml"
    result = _cli("calibrate", str(path), "--out", str(out))
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


def test_empty_file_and_missing_columns_are_clear(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    result = _cli("calibrate", str(empty), "--format", "csv", "--out", str(tmp_path / "x.yaml"))
    assert result.exit_code == 2
    assert "empty.csv: the history has no incidents (empty file)" in result.output
    path = _csv(tmp_path, ["db,2024-03-01T10:00:00Z"], header="service,begin\n")
    result = _cli("calibrate", str(path), "--format", "csv", "--out", str(tmp_path / "x.yaml"))
    assert result.exit_code == 2
    assert "history.csv:1: missing column(s) started_at, resolved_at" in result.output


def test_service_with_two_incidents_is_pooled_and_says_so(tmp_path: Path) -> None:
    start = pd.Timestamp("2024-01-01T00:00:00Z")
    rows = []
    for day in range(0, 120):  # a busy service: one incident a day for 17 weeks
        at = start + pd.Timedelta(days=day, hours=10)
        rows.append(f"api,apps,{at.isoformat()},,{(at + pd.Timedelta(minutes=40)).isoformat()},P3,")
    for day in (10, 50):
        at = start + pd.Timedelta(days=day, hours=3)
        rows.append(f"dns,apps,{at.isoformat()},,{(at + pd.Timedelta(minutes=20)).isoformat()},P1,")
    path = _csv(tmp_path, rows)
    result = calibrate(read_history(path), CalibrationSettings())
    dns = next(fit for fit in result.services if fit.name == "dns")
    assert dns.n == 2
    assert dns.pooled_from == "team apps"
    assert result.exposure_weeks == pytest.approx(17.0)  # 2024-01-01 10:00 to 2024-04-29 10:00
    assert dns.alerts_per_week == pytest.approx(2 / 17)
    assert any(
        message.startswith(
            "service dns: 2 incident(s) (< 30): profile, severity mix and weekly "
            "dispersion pooled from team apps"
        )
        for message in result.messages
    )
    out = tmp_path / "fitted.yaml"
    cli = _cli("calibrate", str(path), "--out", str(out))
    assert cli.exit_code == 0, cli.output
    assert "pooled from team apps" in cli.output
    assert (
        "alerts_per_week: 0.1176  # fitted: 0.1176 (s.e. 0.083), n = 2 incidents over 17.0 weeks"
        in out.read_text()
    )


def test_split_outside_history_and_bad_dates_exit_2(tmp_path: Path) -> None:
    base = str(EXAMPLES / "github-status-base.yaml")
    history = str(DATA / "github-status-incidents.csv")
    result = _cli("backtest", base, "--history", history, "--split", "2030-01-01")
    assert result.exit_code == 2
    assert "--split 2030-01-01 is outside the history (2010-02-06 to 2023-10-05)" in result.output
    result = _cli("backtest", base, "--history", history, "--split", "soon")
    assert result.exit_code == 2
    assert "--split 'soon' is not a date (YYYY-MM-DD)" in result.output
    result = _cli("backtest", base, "--history", history, "--split", "2023-09-30")
    assert result.exit_code == 2
    assert "only 0 full week(s) after --split 2023-09-30" in result.output


def test_pagerduty_raw_analytics_and_incident_list(tmp_path: Path) -> None:
    raw = {
        "time_zone": "Europe/Berlin",
        "data": [
            {
                "created_at": "2024-03-01T09:00:00",  # no offset: the response's time zone
                "seconds_to_first_ack": 120,
                "seconds_to_resolve": 3600,
                "urgency": "high",
                "priority_name": "P1",
                "service_id": "PSVC1",
                "service_name": "checkout",
                "team_name": "payments",
                "escalation_count": 1,
                "auto_resolved": False,
                "business_hour_interruptions": 1,
                "off_hour_interruptions": 0,
                "sleep_hour_interruptions": 0,
            },
            {
                "created_at": "2024-03-02T23:00:00+00:00",
                "resolved_at": "2024-03-02T23:10:00+00:00",
                "service_id": "PSVC2",
                "priority_name": "P5",
                "auto_resolved": True,
            },
        ],
    }
    path = tmp_path / "raw.json"
    path.write_text(json.dumps(raw), encoding="utf-8")
    frame = read_history(path).incidents
    assert read_history(path).format == "pagerduty"
    assert frame["started"][0] == pd.Timestamp("2024-03-01T08:00:00Z")
    assert frame["acknowledged"][0] == pd.Timestamp("2024-03-01T08:02:00Z")
    assert frame["resolved"][0] == pd.Timestamp("2024-03-01T09:00:00Z")
    assert list(frame["service"]) == ["checkout", "PSVC2"]
    assert list(frame["team"]) == ["payments", ""]
    assert list(frame["severity"]) == ["P1", "P4"]
    assert list(frame["escalated"]) == [True, False]
    assert frame["interruptions_business"][0] == 1
    listing = {
        "incidents": [
            {
                "created_at": "2024-03-01T09:00:00Z",
                "status": "resolved",
                "last_status_change_at": "2024-03-01T09:45:00Z",
                "urgency": "low",
                "service": {"id": "P1", "summary": "search"},
                "teams": [{"summary": "discovery"}],
                "priority": {"summary": "P3"},
            }
        ]
    }
    path.write_text(json.dumps(listing), encoding="utf-8")
    frame = read_history(path, "pagerduty").incidents
    assert frame.loc[0, ["service", "team", "severity"]].tolist() == ["search", "discovery", "P3"]
    assert frame["resolved"][0] == pd.Timestamp("2024-03-01T09:45:00Z")
    listing["incidents"][0]["created_at"] = "not a time"
    path.write_text(json.dumps(listing), encoding="utf-8")
    with pytest.raises(HistoryError, match=r"raw.json: incidents\[0\].created_at: 'not a time'"):
        read_history(path, "pagerduty")


def test_statuspage_json_shapes(tmp_path: Path) -> None:
    cloud = [
        {
            "begin": "2024-01-05T10:00:00+00:00",
            "end": "2024-01-05T12:00:00+00:00",
            "severity": "high",
            "service_name": "Compute Engine",
        },
        {
            "begin": "2024-01-06T10:00:00+00:00",
            "end": "2024-01-06T09:00:00+00:00",
            "severity": "low",
            "service_name": "Cloud Storage",
        },
    ]
    path = tmp_path / "cloud.json"
    path.write_text(json.dumps(cloud), encoding="utf-8")
    history = read_history(path)
    assert history.format == "statuspage"
    assert list(history.incidents["service"]) == ["Compute Engine", "Cloud Storage"]
    assert list(history.incidents["severity"]) == ["P1", "P3"]
    assert history.durations_minutes[0] == 120.0
    assert pd.isna(history.durations_minutes[1])  # resolved before started: no duration
    assert any("1 incident(s) resolved before they started" in note for note in history.notes)


def test_real_histories_are_detected_and_keep_their_quirks_visible() -> None:
    github = read_history(DATA / "github-status-incidents.csv")
    assert (github.format, len(github)) == ("statuspage", 1282)
    assert github.notes == (
        "836 incident(s) with resolved = started (the page kept one timestamp): counted for "
        "rates, no duration",
        "3 incident(s) resolved before they started (edited later): counted for rates, no duration",
    )
    assert int(github.durations_minutes.notna().sum()) == 443
    lanl = read_history(DATA / "lanl-failures-1996-2005.csv")
    assert (lanl.format, len(lanl)) == ("lanl", 23739)
    assert lanl.incidents["service"].nunique() == 23
    assert int(lanl.durations_minutes.notna().sum()) == 23739 - 187
    with pytest.raises(HistoryError, match="no incidents of service"):
        lanl.only(["system-99"])
