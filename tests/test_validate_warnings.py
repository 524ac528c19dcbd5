"""`oncall-sim validate` at any size, and the warnings it lists about a valid scenario."""

from __future__ import annotations

import yaml
from builders import small_scenario, small_scenario_document
from typer.testing import CliRunner

from sim.cli import app
from sim.report.overview import DEPTH_SAMPLE_ALERTS, cascade_depth_sample
from sim.scenario.advisories import scenario_warnings

BUSY_SERVICES = [
    {"name": "db", "team": "infra", "alerts_per_week": 20_000},
    {"name": "web", "team": "infra", "alerts_per_week": 5, "depends_on": ["db"]},
]


def test_cascade_summary_samples_a_bounded_number_of_alerts_at_20000_a_week():
    scenario = small_scenario(
        services=BUSY_SERVICES,
        horizon={"weeks": 13, "start_date": "2026-01-05", "time_zone": "UTC"},
    )
    sample = cascade_depth_sample(scenario)
    # One week of one run, not 8 runs of 13 weeks (about 2 million alerts).
    assert (sample.runs, sample.weeks) == (1, 1)
    assert sample.alerts < 2 * DEPTH_SAMPLE_ALERTS


def test_cascade_summary_of_a_small_scenario_samples_several_runs():
    quiet_db = {"name": "db", "team": "infra", "alerts_per_week": 10}
    sample = cascade_depth_sample(small_scenario(services=[quiet_db, BUSY_SERVICES[1]]))
    assert sample.weeks == 4 and sample.runs == 8


def test_validate_warns_about_an_implausible_rate(tmp_path):
    path = tmp_path / "busy.yaml"
    path.write_text(yaml.safe_dump(small_scenario_document(services=BUSY_SERVICES)))
    result = CliRunner().invoke(app, ["validate", str(path)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "warning: services.db.alerts_per_week is 20000" in result.stdout
    assert "web.alerts_per_week" not in result.stdout


def test_an_override_entirely_outside_the_horizon_is_listed(tmp_path):
    """The horizon is 4 weeks from Monday 2026-01-05 (to 2026-02-01). An override in March
    never applies; one that overlaps the first day does."""
    document = small_scenario_document()
    document["teams"][0]["overrides"] = [
        {"person": "ben", "start": "2026-03-14 09:00", "end": "2026-03-15 09:00"},
        {"person": "cem", "start": "2026-01-04 20:00", "end": "2026-01-05 09:00"},
    ]
    warnings = scenario_warnings(small_scenario(teams=document["teams"]))
    assert len(warnings) == 1
    assert warnings[0].startswith("teams.infra.overrides[0] (ben, 2026-03-14 09:00 to")
    assert "entirely outside the horizon (2026-01-05 to 2026-02-01)" in warnings[0]
    path = tmp_path / "override.yaml"
    path.write_text(yaml.safe_dump(document))
    result = CliRunner().invoke(app, ["validate", str(path)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "warning: teams.infra.overrides[0]" in result.stdout
