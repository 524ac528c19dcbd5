"""People are named as people write them: Unicode and spaces accepted, one problem reported once,
identifiers derived where a path needs one."""

from __future__ import annotations

import pytest
from builders import small_scenario

from sim import simulate
from sim.compile import compile_scenario
from sim.scenario import ScenarioError, load_scenario_text
from sim.scenario.fields import identifier_of

NAMES = """\
name: display names
horizon: {weeks: 2, start_date: 2026-01-05, time_zone: UTC}
teams:
  - name: infra
    engineers: [chloé, {name: "Farid Khan", site: paris}, ben]
    manager: Seán O'Brien
    escalation_policy: infra-page
    overrides:
      - {person: "Farid Khan", start: "2026-01-06T00:00", end: "2026-01-07T00:00"}
sites: [{name: paris, time_zone: Europe/Paris}]
escalation_policies:
  - name: infra-page
    levels:
      - targets: [{schedule: infra}]
      - targets: [{person: chloé}]
services:
  - {name: db, team: infra, alerts_per_week: 40}
variants:
  - name: farid-takes-leave
    description: Farid takes 4 weeks of leave a year
    set: {teams.infra.engineers.farid-khan.leave_weeks_per_year: 4}
"""


def test_display_names_with_accents_and_spaces_validate_and_run():
    scenario = load_scenario_text(NAMES, source="names.yaml")
    compiled = compile_scenario(scenario)
    assert compiled.person_names == ("chloé", "Farid Khan", "ben", "Seán O'Brien")
    run = simulate(scenario, run=0)
    assert run.records.page_person.size > 0


def test_an_override_for_farid_khan_puts_him_on_call():
    """Tuesday 2026-01-06 (the whole day, UTC) Farid Khan is on call by override."""
    scenario = small_scenario(
        teams=[
            {
                "name": "infra",
                "engineers": ["chloé", "Farid Khan", "ben"],
                "overrides": [
                    {"person": "Farid Khan", "start": "2026-01-06T00:00", "end": "2026-01-07T00:00"}
                ],
            }
        ]
    )
    schedule = compile_scenario(scenario).team_schedules[0]
    names = compile_scenario(scenario).person_names
    assert names[schedule.person_at(1440 + 600)] == "Farid Khan"
    assert names[schedule.person_at(2 * 1440 + 600)] == "chloé"  # Wednesday: chloé's week


def test_a_variant_path_reaches_a_display_name_by_its_identifier():
    """`teams.infra.engineers.farid-khan` selects the engineer named 'Farid Khan'."""
    from sim.scenario.resolve import resolve_variant

    scenario = load_scenario_text(NAMES, source="names.yaml")
    resolved = resolve_variant(scenario, "farid-takes-leave")
    assert resolved.teams[0].engineer("Farid Khan").leave_weeks_per_year == 4
    assert scenario.teams[0].engineer("Farid Khan").leave_weeks_per_year is None


@pytest.mark.parametrize(
    "name, why",
    [
        ("zoë!", "'!' is not allowed"),
        ("Farid  Khan", "two spaces in a row"),
        (" ana", "it must start with a letter or digit"),
    ],
)
def test_a_bad_name_is_one_problem_at_its_line(name, why):
    text = NAMES.replace("[chloé,", f"[{name!r},".replace("'", '"'))
    with pytest.raises(ScenarioError) as raised:
        load_scenario_text(text, source="names.yaml")
    problems = raised.value.problems
    assert len(problems) == 1, str(raised.value)
    (problem,) = problems
    assert (problem.line, problem.display_path) == (5, "teams[0 'infra'].engineers[0]")
    assert why in problem.message


def test_identifiers_derived_from_display_names():
    assert [identifier_of(n) for n in ("Farid Khan", "chloé", "Seán O'Brien", "J. Smith")] == [
        "farid-khan",
        "chloe",
        "sean-o-brien",
        "j-smith",
    ]
