"""`oncall-sim validate` shows the escalation each team really uses."""

from __future__ import annotations

import yaml
from builders import small_scenario_document
from typer.testing import CliRunner

from sim.cli import app


def validate(tmp_path, **changes):
    path = tmp_path / "scenario.yaml"
    path.write_text(yaml.safe_dump(small_scenario_document(**changes), sort_keys=False))
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    return result.output


TEAMS = [
    {"name": "infra", "engineers": ["ana", "ben", "cem"], "escalation_policy": "infra-page"},
    {"name": "apps", "engineers": ["dan", "eve"], "escalation_policy": "apps-page"},
]
POLICIES = [
    {
        "name": "infra-page",
        "levels": [
            {"targets": [{"schedule": "infra"}], "delay_minutes": 10},
            {"targets": [{"schedule": "infra", "offset": 1}, {"person": "infra-manager"}]},
        ],
        "repeat": 1,
        "ack_expiry_minutes": 60,
    },
    {"name": "apps-page", "levels": [{"targets": [{"everyone": "apps"}], "delay_minutes": 5}]},
]


def test_validate_prints_each_teams_named_policy_not_the_unused_default(tmp_path):
    output = validate(tmp_path, teams=TEAMS, escalation_policies=POLICIES)
    lines = [" ".join(line.split()) for line in output.splitlines()]
    assert (
        "escalation of infra: policy infra-page: infra on call (10 min) -> infra on call +1, "
        "infra-manager (30 min); repeat 1, acks expire after 60 min"
    ) in lines
    assert "escalation of apps: policy apps-page: everyone in apps (5 min)" in lines
    assert "primary -> secondary -> manager" not in output


def test_validate_names_the_teams_that_use_the_default_block(tmp_path):
    teams = [TEAMS[0], {"name": "apps", "engineers": ["dan", "eve"]}]
    output = validate(tmp_path, teams=teams, escalation_policies=POLICIES[:1])
    lines = [" ".join(line.split()) for line in output.splitlines()]
    assert (
        "escalation of apps (the `escalation` block): primary -> secondary -> manager, "
        "ack timeout 15 min"
    ) in lines
    assert any(line.startswith("escalation of infra: policy infra-page:") for line in lines)


def test_without_named_policies_the_default_block_is_shown_once(tmp_path):
    output = validate(tmp_path)
    assert "escalation: primary -> secondary -> manager, ack timeout 15 min" in output


def test_validate_warns_of_an_offset_that_wraps_in_a_one_person_layer(tmp_path):
    """Offset 1 names the next person of a 3-person base layer but, in the one-person weekend
    layer, ana again: valid (it names someone else most of the week), with a warning."""
    teams = [
        {
            "name": "infra",
            "engineers": ["ana", "ben", "cem"],
            "escalation_policy": "infra-page",
            "layers": [
                {"name": "base"},
                {
                    "name": "weekend",
                    "participants": ["ana"],
                    "restrictions": [{"days": ["Sat", "Sun"], "start": "00:00", "end": "00:00"}],
                },
            ],
        }
    ]
    policies = [
        {
            "name": "infra-page",
            "levels": [
                {"targets": [{"schedule": "infra"}]},
                {"targets": [{"schedule": "infra", "offset": 1}]},
            ],
        }
    ]
    output = " ".join(validate(tmp_path, teams=teams, escalation_policies=policies).split())
    assert (
        "warning: policy infra-page, level 2: offset 1 of schedule infra names the person on "
        "call again in its layer 'weekend' (1 people)"
    ) in output


def test_validate_prints_a_services_own_policy(tmp_path):
    services = [
        {"name": "db", "team": "infra", "alerts_per_week": 10},
        {"name": "web", "team": "infra", "alerts_per_week": 5, "escalation_policy": "infra-page"},
    ]
    output = validate(tmp_path, services=services, escalation_policies=POLICIES[:1])
    text = " ".join(output.split())
    assert "escalation: primary -> secondary -> manager, ack timeout 15 min" in text
    assert "escalation of service web: policy infra-page: infra on call (10 min)" in text
