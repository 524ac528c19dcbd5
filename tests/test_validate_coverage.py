"""`oncall-sim validate` reports coverage gaps of schedules, per variant."""

from __future__ import annotations

import yaml
from builders import small_scenario_document
from typer.testing import CliRunner

from sim.cli import app


def test_validate_lists_the_gaps_of_a_business_hours_only_schedule(tmp_path):
    document = small_scenario_document(
        horizon={"weeks": 2, "start_date": "2026-01-05", "time_zone": "UTC", "seed": 7}
    )
    document["teams"][0]["layers"] = [
        {
            "name": "office",
            "restrictions": [
                {"days": ["Mon", "Tue", "Wed", "Thu", "Fri"], "start": "08:00", "end": "18:00"}
            ],
        }
    ]
    document["variants"] = [
        {
            "name": "always",
            "description": "No restriction.",
            "set": {"teams.infra.layers": [{"name": "all-week"}]},
        }
    ]
    path = tmp_path / "gaps.yaml"
    path.write_text(yaml.safe_dump(document))
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    # 2 weeks minus 10 office days of 10 hours: 336 - 100 = 236 hours, in 11 stretches (nights
    # and the two weekends merge with their neighbouring nights), for the primary and for the
    # secondary schedule of the baseline; none in the variant.
    assert (
        "coverage gap (baseline): schedule infra names nobody for 236 h in 11 stretch(es)" in text
    )
    assert "Mon 2026-01-05 00:00 to Mon 2026-01-05 08:00" in text
    assert "schedule infra+1 names nobody for 236 h" in text
    assert "(always)" not in text
