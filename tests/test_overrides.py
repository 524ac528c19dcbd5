"""Variants as dotted-path overrides: applying them, checking paths, locating their problems."""

from __future__ import annotations

import copy
import textwrap
from typing import Annotated, Any, Literal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ConfigDict, Field, model_validator

from sim.scenario.loading import ScenarioError, read_yaml
from sim.scenario.overrides import (
    apply_overrides,
    check_override_paths,
    problems_for_variant,
    resolve_override_path,
    validate_variant,
)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SelfHealing(Strict):
    coverage: Annotated[float, Field(ge=0, le=1)] = 0.0


class AnomalyDetection(Strict):
    coverage: Annotated[float, Field(ge=0, le=1)]
    lead_time_minutes: float


class Automation(Strict):
    self_healing: SelfHealing = SelfHealing()
    anomaly_detection: AnomalyDetection | None = None


class Service(Strict):
    name: str
    alerts_per_week: Annotated[float, Field(ge=0)]


class Team(Strict):
    name: str
    engineers: Annotated[int, Field(ge=1)]


class Fixed(Strict):
    distribution: Literal["fixed"]
    value: float


class Exponential(Strict):
    distribution: Literal["exponential"]
    mean: float


class Variant(Strict):
    name: str
    set: dict[str, Any]


class Toy(Strict):
    services: list[Service]
    teams: list[Team]
    automation: Automation = Automation()
    work_time: Annotated[Fixed | Exponential, Field(discriminator="distribution")] = Fixed(
        distribution="fixed", value=30
    )
    labels: dict[str, str] = {}
    variants: list[Variant] = []

    @model_validator(mode="after")
    def _services_fit_the_teams(self) -> Toy:
        if sum(s.alerts_per_week for s in self.services) > 10 * sum(
            t.engineers for t in self.teams
        ):
            raise ValueError("more alerts than the teams can handle")
        return self


BASE: dict[str, Any] = {
    "services": [
        {"name": "core-router", "alerts_per_week": 1.5},
        {"name": "dns", "alerts_per_week": 1.0},
    ],
    "teams": [{"name": "infra", "engineers": 8}],
    "automation": {"self_healing": {"coverage": 0.15}},
    "work_time": {"distribution": "exponential", "mean": 50},
}

FILE = """\
services:
  - {name: core-router, alerts_per_week: 1.5}
  - {name: dns, alerts_per_week: 1.0}
teams:
  - name: infra
    engineers: 8
automation:
  self_healing:
    coverage: 0.15
variants:
  - name: more-automation
    set:
      automation.self_healing.coverage: 0.45
      services.dns: {name: dns, alerts_per_week: 2}
"""


def base_and_map(text: str = FILE):
    data, source_map = read_yaml(text, "toy.yaml")
    base = {key: value for key, value in data.items() if key != "variants"}
    return base, data["variants"][0]["set"], source_map


def variant_problems(overrides_text: str):
    text = FILE.split("    set:\n")[0] + "    set:\n" + textwrap.indent(overrides_text, " " * 6)
    base, overrides, source_map = base_and_map(text)
    with pytest.raises(ScenarioError) as caught:
        validate_variant(
            base,
            overrides,
            Toy,
            source_map=source_map,
            overrides_path=("variants", 0, "set"),
            source="toy.yaml",
        )
    return caught.value.problems


def test_overrides_address_items_by_name_or_index_and_set_absent_keys():
    result = apply_overrides(
        BASE,
        {
            "services.dns.alerts_per_week": 5,
            "teams.0.engineers": 9,
            "labels.owner": "sre",
            "automation.self_healing.coverage": 0.45,
        },
    )
    assert result["services"][1] == {"name": "dns", "alerts_per_week": 5}
    assert result["teams"][0]["engineers"] == 9
    assert result["labels"] == {"owner": "sre"}
    assert result["automation"]["self_healing"]["coverage"] == 0.45
    assert Toy.model_validate(result)


def test_a_missing_or_null_intermediate_mapping_is_created():
    result = apply_overrides(BASE, {"automation.anomaly_detection.coverage": 0.35})
    assert result["automation"]["anomaly_detection"] == {"coverage": 0.35}
    nulled = {**BASE, "automation": None}
    result = apply_overrides(nulled, {"automation.self_healing.coverage": 0.5})
    assert result["automation"] == {"self_healing": {"coverage": 0.5}}


def test_a_whole_item_or_block_can_be_replaced():
    result = apply_overrides(BASE, {"services.dns": {"name": "dns", "alerts_per_week": 3}})
    assert result["services"][1] == {"name": "dns", "alerts_per_week": 3}


def test_apply_overrides_neither_mutates_the_input_nor_shares_override_values():
    before = copy.deepcopy(BASE)
    new_services = [{"name": "x", "alerts_per_week": 1}]
    result = apply_overrides(
        BASE, {"services": new_services, "automation.anomaly_detection.coverage": 0.3}
    )
    assert before == BASE
    result["services"][0]["name"] = "changed"
    assert new_services[0]["name"] == "x"


def test_an_unknown_item_name_is_reported_at_the_override_with_a_suggestion():
    with pytest.raises(ScenarioError) as caught:
        apply_overrides(
            BASE,
            {"services.core-rooter.alerts_per_week": 3, "teams.4.engineers": 1},
            where=lambda dotted: (len(dotted), 7),
            source="toy.yaml",
            overrides_path=("variants", 0, "set"),
        )
    first, second = caught.value.problems
    assert first.path == ("variants", 0, "set", "services.core-rooter.alerts_per_week")
    assert first.message == "no item named 'core-rooter' in services"
    assert first.hint == "did you mean 'core-router'?"
    assert (first.line, first.column) == (36, 7)
    assert second.message == "index 4 is out of range: teams has 1 item"


def test_a_path_through_a_plain_value_is_refused():
    with pytest.raises(ScenarioError) as caught:
        apply_overrides(BASE, {"teams.0.engineers.count": 3})
    [problem] = caught.value.problems
    assert (
        problem.message == "teams.0.engineers is 8, not a mapping or a list, so it has no 'count'"
    )
    with pytest.raises(ScenarioError, match="empty segment"):
        apply_overrides(BASE, {"teams..engineers": 3})


def test_resolve_override_path_turns_names_into_indices():
    assert resolve_override_path(BASE, "services.dns.alerts_per_week") == (
        "services",
        1,
        "alerts_per_week",
    )


def test_check_override_paths_accepts_valid_paths():
    valid = {
        "services.dns.alerts_per_week": 1,
        "teams.0.engineers": 2,
        "automation.anomaly_detection.coverage": 0.3,
        "work_time.mean": 40,
        "work_time.value": 40,  # valid once the variant also sets distribution: fixed
        "labels.anything": "x",
        "automation.self_healing": {"coverage": 0.1},
    }
    assert check_override_paths(valid, Toy, BASE) == []


@pytest.mark.parametrize(
    ("dotted", "message", "hint"),
    [
        (
            "automation.self_healing.covrage",
            "no field 'covrage' in automation.self_healing",
            "did you mean 'coverage'?",
        ),
        ("automaton.self_healing.coverage", "no field 'automaton' in the top level", None),
        (
            "services.core-rooter.alerts_per_week",
            "no item named 'core-rooter' in services",
            "did you mean 'core-router'?",
        ),
        ("services.web.alerts_per_week", "no item named 'web' in services", None),
        ("services.dns.alerts", "no field 'alerts' in services.dns", None),
        ("work_time.rate", "no field 'rate' in work_time", "valid fields: distribution, mean"),
        (
            "automation.self_healing.coverage.x",
            "automation.self_healing.coverage is 0.15, not a mapping or a list, so it has no 'x'",
            None,
        ),
        (
            "automation.anomaly_detection.coverage.x",
            "automation.anomaly_detection.coverage is a single value; it has no field 'x'",
            None,
        ),
    ],
)
def test_check_override_paths_explains_each_bad_path(dotted, message, hint):
    [(path, found_message, found_hint)] = check_override_paths({dotted: 1}, Toy, BASE)
    assert (path, found_message) == (dotted, message)
    if hint is not None:
        assert found_hint == hint
    if dotted == "automaton.self_healing.coverage":
        assert found_hint == "did you mean 'automation'?"
    if dotted == "services.web.alerts_per_week":
        assert found_hint == "existing names: core-router, dns"
    if dotted == "services.dns.alerts":
        assert found_hint == "valid fields: name, alerts_per_week"


def test_a_valid_variant_validates():
    base, overrides, source_map = base_and_map()
    toy = validate_variant(
        base,
        overrides,
        Toy,
        source_map=source_map,
        overrides_path=("variants", 0, "set"),
        source="toy.yaml",
    )
    assert toy.automation.self_healing.coverage == 0.45
    assert toy.services[1].alerts_per_week == 2


def test_a_bad_override_value_is_reported_at_the_override_key():
    [problem] = variant_problems("automation.self_healing.coverage: 1.5\n")
    assert (problem.line, problem.column) == (13, 7)
    assert problem.message == "must be at most 1 (got 1.5)"
    assert problem.path == ("variants", 0, "set", "automation.self_healing.coverage")
    assert problem.display_path == (
        "variants[0 'more-automation'].set['automation.self_healing.coverage']"
    )


def test_a_wrong_type_in_an_override_names_the_override():
    [problem] = variant_problems("teams.infra.engineers: 2.5\n")
    assert problem.message == "expected a whole number, got 2.5"
    assert problem.display_path == "variants[0 'more-automation'].set['teams.infra.engineers']"


def test_a_problem_inside_an_overridden_block_points_inside_it():
    [problem] = variant_problems("services.dns: {name: dns, alerts_per_wek: 2}\n")
    assert problem.path == ("variants", 0, "set", "services.dns", "alerts_per_wek")
    assert (problem.line, problem.column) == (13, 33)
    assert problem.hint == "did you mean 'alerts_per_week'?"


def test_a_problem_in_a_block_the_override_created_points_at_the_override():
    [problem] = variant_problems("automation.anomaly_detection.coverage: 0.3\n")
    assert (problem.line, problem.column) == (13, 7)
    assert problem.message == (
        "automation.anomaly_detection.lead_time_minutes: required field is missing"
    )


def test_a_whole_document_problem_caused_by_a_variant_names_the_variant():
    [problem] = variant_problems("services.dns.alerts_per_week: 500\n")
    assert problem.message == (
        "more alerts than the teams can handle (with variants[0 'more-automation'].set)"
    )
    assert (problem.line, problem.column) == (1, 1)


def test_path_problems_come_before_validation_and_are_all_reported():
    problems = variant_problems("teams.infra.engneers: 3\nservices.web.alerts_per_week: 2\n")
    assert [(p.line, p.message) for p in problems] == [
        (13, "no field 'engneers' in teams.infra"),
        (14, "no item named 'web' in services"),
    ]


def test_problems_for_variant_handles_a_base_nested_in_the_file():
    text = "baseline:\n" + textwrap.indent(FILE.split("variants:")[0], "  ")
    text += "variants:\n  - set:\n      automation.self_healing.coverage: 2\n"
    data, source_map = read_yaml(text, "toy.yaml")
    overrides = data["variants"][0]["set"]
    variant = apply_overrides(data["baseline"], overrides)
    with pytest.raises(Exception) as caught:
        Toy.model_validate(variant)
    [problem] = problems_for_variant(
        caught.value,
        variant,
        overrides,
        ("variants", 0, "set"),
        source_map,
        Toy,
        base_path=("baseline",),
    )
    assert (problem.line, problem.column) == (13, 7)


json_values = st.recursive(
    st.none() | st.integers(0, 3) | st.sampled_from(["a", "x"]),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.sampled_from(["a", "b", "name"]), children, max_size=3)
    ),
    max_leaves=8,
)


@settings(max_examples=200, deadline=None)
@given(
    data=st.dictionaries(st.sampled_from(["a", "b", "c"]), json_values, max_size=3),
    overrides=st.dictionaries(
        st.lists(st.sampled_from(["a", "b", "0", "1", "x"]), min_size=1, max_size=3).map(".".join),
        json_values,
        max_size=3,
    ),
)
def test_apply_overrides_never_mutates_its_input(data, overrides):
    before = copy.deepcopy(data)
    try:
        result = apply_overrides(data, overrides)
    except ScenarioError:
        result = None
    assert data == before
    if result is not None:
        assert result is not data
