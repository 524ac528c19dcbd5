"""The fitted scenario: every fitted value commented with estimate, s.e. and n; ``--into``
replaces only the fitted fields and keeps every other line and comment; the report folder."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from sim.cli import app
from sim.scenario import load_scenario

REPO = Path(__file__).parents[1]
DATA = REPO / "data"
TELCO = REPO / "scenarios" / "telco-weekend.yaml"


def _history(tmp_path: Path) -> Path:
    """Two telco services with 60 incidents each over 30 weeks, and one unknown service."""
    rows = ["service,team,started_at,acknowledged_at,resolved_at,severity"]
    for index in range(60):
        for service, hour in (("core-router", 3), ("dns", 14), ("new-cache", 9)):
            if service == "new-cache" and index >= 40:
                continue
            day = f"2025-{1 + index // 12:02d}-{1 + (index * 2) % 24:02d}"
            rows.append(
                f"{service},infra,{day}T{hour:02d}:00:00Z,{day}T{hour:02d}:0{index % 9}:00Z,"
                f"{day}T{hour + 1:02d}:{10 + index % 40}:00Z,P{1 + index % 4}"
            )
    path = tmp_path / "history.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_into_replaces_only_fitted_fields_and_keeps_comments(tmp_path: Path) -> None:
    out = tmp_path / "telco-fitted.yaml"
    result = CliRunner().invoke(
        app, ["calibrate", str(_history(tmp_path)), "--into", str(TELCO), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    before, after = load_scenario(TELCO), load_scenario(out)
    text = out.read_text(encoding="utf-8")
    original = TELCO.read_text(encoding="utf-8")
    assert text.splitlines()[:60] == original.splitlines()[:60]  # the header, unchanged
    fitted = {"core-router", "dns"}
    for old, new in zip(before.services, after.services, strict=False):
        assert old.name == new.name
        if old.name in fitted:
            assert new.alerts_per_week != old.alerts_per_week
        else:
            assert new == old  # a service the history does not name is untouched
    assert after.services[-1].name == "new-cache" and after.services[-1].team == "infra"
    assert after.teams == before.teams and after.variants == before.variants
    assert after.automation == before.automation and after.escalation == before.escalation
    assert after.response.severity_work_factor == before.response.severity_work_factor
    assert after.response.ack_delay_minutes != before.response.ack_delay_minutes
    assert "not in the history, left as they were: edge-router" in " ".join(result.output.split())


def test_every_fitted_value_carries_estimate_standard_error_and_n(tmp_path: Path) -> None:
    out = tmp_path / "fitted.yaml"
    report = tmp_path / "report"
    result = CliRunner().invoke(
        app, ["calibrate", str(_history(tmp_path)), "--out", str(out), "--report", str(report)]
    )
    assert result.exit_code == 0, result.output
    fitted_lines = [
        line
        for line in out.read_text(encoding="utf-8").splitlines()
        if line.strip().startswith(
            ("alerts_per_week:", "profile:", "severity_mix:", "weekly_rate_variance:",
             "work_time_minutes:", "ack_delay_minutes:")
        )
    ]  # fmt: skip
    assert len(fitted_lines) == 3 * 4 + 2  # 4 fields per service, 2 response times
    for line in fitted_lines:
        assert "# fitted: " in line
        assert "n = " in line
    for line in fitted_lines:
        if line.strip().startswith(("alerts_per_week", "severity_mix", "work_time", "ack_delay")):
            assert "s.e. " in line
    assert load_scenario(out).services[0].name == "core-router"
    names = sorted(path.name for path in report.iterdir())
    assert names == [
        "durations.csv", "profile-core-router.png", "profile-dns.png", "profile-new-cache.png",
        "qq-ack-delay.png", "qq-work-time.png", "services.csv", "summary.md",
        "weekly-core-router.png", "weekly-dns.png", "weekly-new-cache.png",
    ]  # fmt: skip
    assert "## Services" in (report / "summary.md").read_text(encoding="utf-8")
