"""Reading scenario YAML: located, plainly worded problems for every kind of bad input."""

from __future__ import annotations

import datetime as dt
import textwrap
from typing import Annotated, Literal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ConfigDict, Field, model_validator

from sim.scenario.loading import (
    Problem,
    ScenarioError,
    field_names_at,
    format_problems,
    read_yaml,
    read_yaml_file,
    validate_document,
)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SelfHealing(Strict):
    coverage: Annotated[float, Field(ge=0, le=1)] = 0.0
    success_probability: Annotated[float, Field(ge=0, le=1)] = 0.8


class Automation(Strict):
    self_healing: SelfHealing = SelfHealing()


class Service(Strict):
    name: str
    alerts_per_week: Annotated[float, Field(ge=0)]


class Team(Strict):
    name: str
    engineers: Annotated[int, Field(ge=1)] | list[str]
    start: dt.date = dt.date(2026, 1, 5)
    time_zone: str = Field("UTC", alias="tz")


class Cat(Strict):
    kind: Literal["cat"]
    lives: int = 9


class Dog(Strict):
    kind: Literal["dog"]
    bark_volume: float


class Toy(Strict):
    services: list[Service]
    teams: list[Team] = []
    automation: Automation = Automation()
    pets: list[Annotated[Cat | Dog, Field(discriminator="kind")]] = []
    labels: dict[str, str] = {}
    severity: Literal["P1", "P2", "P3"] = "P3"
    weights: dict[int, float] = {}

    @model_validator(mode="after")
    def _enough_people(self) -> Toy:
        if len(self.services) > 3 and not self.teams:
            raise ValueError("more than 3 services need at least one team")
        return self


GOOD = """\
services:
  - name: core-router
    alerts_per_week: 1.5
  - name: dns
    alerts_per_week: 1.0
teams:
  - name: infra
    engineers: 8
    start: 2026-02-02
automation:
  self_healing:
    coverage: 0.15
pets:
  - kind: dog
    bark_volume: 3
"""


YAML_PIECES = [
    *"ab:- \n\t[]{},&*!'\"#|>%@`?<=0123456789.",
    *("!!python/object:os.system", "!!int", "!!timestamp", "2024-13-01", "<<: ", "---\n", "\x00"),
    *("services:", "  - name: x\n", "alerts_per_week: ", "pets:", "kind: dog"),
]


def problems_of(text: str, model: type[BaseModel] = Toy) -> list[Problem]:
    with pytest.raises(ScenarioError) as caught:
        data, source_map = read_yaml(textwrap.dedent(text), "toy.yaml")
        validate_document(data, source_map, model, "toy.yaml")
    return caught.value.problems


def only_problem(text: str) -> Problem:
    problems = problems_of(text)
    assert len(problems) == 1, problems
    return problems[0]


def test_a_valid_document_validates_and_keeps_yaml_types():
    data, source_map = read_yaml(GOOD, "toy.yaml")
    toy = validate_document(data, source_map, Toy, "toy.yaml")
    assert isinstance(toy, Toy)
    assert data["teams"][0]["start"] == dt.date(2026, 2, 2)
    assert toy.pets[0].bark_volume == 3


def test_a_misspelt_key_points_at_the_key_and_suggests_the_field():
    problem = only_problem(GOOD.replace("    alerts_per_week: 1.0", "    alerts_per_wek: 1.0"))
    assert (problem.line, problem.column) == (5, 5)
    assert problem.path == ("services", 1, "alerts_per_wek")
    assert problem.message == "unknown key 'alerts_per_wek'"
    assert problem.hint == "did you mean 'alerts_per_week'?"
    assert problem.display_path == "services[1 'dns'].alerts_per_wek"


def test_an_unknown_key_without_close_match_lists_the_valid_keys_including_aliases():
    problem = only_problem(GOOD.replace("    engineers: 8", "    engineers: 8\n    zzz: 1"))
    assert problem.hint == "valid keys: name, engineers, start, tz, time_zone"


def test_a_wrong_type_names_what_was_expected_and_what_was_found():
    problem = only_problem(GOOD.replace("alerts_per_week: 1.5", "alerts_per_week: lots"))
    assert (problem.line, problem.column) == (3, 5)
    assert problem.message == "expected a number, got 'lots'"


def test_an_out_of_range_value_gives_the_bound_and_the_value():
    problem = only_problem(GOOD.replace("coverage: 0.15", "coverage: 1.5"))
    assert (problem.line, problem.column) == (12, 5)
    assert problem.path == ("automation", "self_healing", "coverage")
    assert problem.message == "must be at most 1 (got 1.5)"


def test_a_missing_field_points_at_the_item_that_lacks_it():
    problem = only_problem(GOOD.replace("    alerts_per_week: 1.0\n", ""))
    assert problem.path == ("services", 1, "alerts_per_week")
    assert problem.message == "required field is missing"
    assert (problem.line, problem.column) == (4, 5)


def test_a_value_fitting_no_member_of_a_union_is_one_problem():
    problem = only_problem(GOOD.replace("engineers: 8", "engineers: many"))
    assert problem.message == "expected an integer or a list, got 'many'"
    assert (problem.line, problem.column) == (8, 5)


def test_errors_inside_a_discriminated_union_drop_the_tag_and_suggest_that_members_fields():
    problem = only_problem(GOOD.replace("bark_volume: 3", "bark_volume: 3\n    lives: 2"))
    assert problem.path == ("pets", 0, "lives")
    assert problem.hint == "valid keys: kind, bark_volume"  # Dog's keys, not Cat's
    assert (problem.line, problem.column) == (16, 5)


def test_an_unknown_tag_of_a_discriminated_union_points_at_the_tag_key():
    problem = only_problem(GOOD.replace("kind: dog", "kind: dgo"))
    assert problem.path == ("pets", 0, "kind")
    assert (problem.line, problem.column) == (14, 5)
    assert problem.message == "unknown kind 'dgo'; expected one of 'cat', 'dog'"
    assert problem.hint == "did you mean 'dog'?"


def test_a_value_outside_a_literal_lists_the_options_and_suggests_one():
    problem = only_problem(GOOD + "severity: p2\n")
    assert problem.message == "must be one of 'P1', 'P2' or 'P3' (got 'p2')"
    assert problem.hint == "did you mean 'P2'?"
    assert (problem.line, problem.column) == (16, 1)


def test_a_bad_mapping_key_points_at_the_key():
    problem = only_problem(GOOD + "weights:\n  1: 0.5\n  heavy: 2\n")
    assert problem.path == ("weights", "heavy")
    assert problem.message == "expected an integer, got 'heavy'"
    assert (problem.line, problem.column) == (18, 3)


def test_a_model_validator_error_is_reported_in_its_own_words():
    text = "services:\n" + "".join(f"  - {{name: s{i}, alerts_per_week: 1}}\n" for i in range(4))
    problem = only_problem(text)
    assert problem.message == "more than 3 services need at least one team"
    assert (problem.line, problem.column) == (1, 1)


def test_text_expected_but_a_date_found_suggests_quoting():
    problem = only_problem(GOOD.replace("name: dns", "name: 2026-01-01"))
    assert problem.message == "expected text, got 2026-01-01"
    assert problem.hint == "put the value in quotes to keep it as text"


def test_all_problems_are_reported_in_file_order():
    text = GOOD.replace("coverage: 0.15", "coverage: -1").replace("alerts_per_week: 1.5", "x: 1")
    assert [(p.line, p.column) for p in problems_of(text)] == [(2, 5), (3, 5), (12, 5)]


@pytest.mark.parametrize(
    ("text", "line", "column", "words"),
    [
        ("services: [1, 2\nteams: []\n", 2, 6, "expected ',' or ']'"),
        ("services:\n  - name: a\n   alerts_per_week: 1\n", 3, 4, "indentation"),
        ("services:\n\t- name: a\n", 2, 1, "tab characters"),
        ("name: a: b\n", 1, 8, "a ':' is not allowed here"),
        ("name: 'unclosed\n", 2, 1, "the file ends too early (in the quoted text"),
        ("a: 1\n---\nb: 2\n", 2, 1, "more than one YAML document"),
        ("start: 2026-13-05\n", 1, 8, "'2026-13-05' is not a valid date"),
        ("a: *nowhere\n", 1, 4, "undefined alias"),
    ],
)
def test_malformed_yaml_is_located(text, line, column, words):
    problem = only_problem(text)
    assert (problem.line, problem.column) == (line, column)
    assert words in problem.message


def test_a_duplicate_key_names_both_lines():
    problem = only_problem(
        GOOD.replace("    coverage: 0.15", "    coverage: 0.15\n    coverage: 0.2")
    )
    assert problem.message == "key 'coverage' appears twice; first at line 12"
    assert (problem.line, problem.column) == (13, 5)


def test_merge_keys_are_not_duplicates_and_positions_follow_the_explicit_key():
    text = "base: &b {coverage: 0.1, success_probability: 0.5}\nother:\n  <<: *b\n  coverage: 0.3\n"
    data, source_map = read_yaml(text, "toy.yaml")
    assert data["other"] == {"coverage": 0.3, "success_probability": 0.5}
    assert source_map.locate(("other", "coverage")) == (4, 3)
    assert source_map.locate(("other", "success_probability")) == (1, 26)


@pytest.mark.parametrize("text", ["", "# only a comment\n", "---\n"])
def test_an_empty_file_is_one_clear_problem(text):
    assert only_problem(text).message == "the file is empty"


def test_a_top_level_that_is_not_a_mapping_is_rejected():
    problem = only_problem("- 1\n- 2\n")
    assert problem.message == "the top level must be a mapping of keys to values, got a list"
    assert (problem.line, problem.column) == (1, 1)


@pytest.mark.parametrize(
    "text",
    [
        "services: !!python/object/apply:os.system ['echo unsafe']\n",
        "!!python/object:collections.OrderedDict {}\n",
        "services: !custom 3\n",
    ],
)
def test_tags_that_would_build_objects_are_refused(text):
    problem = only_problem(text)
    assert "is not allowed; only plain YAML values can be used" in problem.message
    assert problem.line == 1


def test_a_recursive_alias_does_not_hang():
    data, source_map = read_yaml("a: &a [*a]\n", "toy.yaml")
    assert data["a"][0] is data["a"]
    assert source_map.locate(("a", 0, 0)) == (1, 1)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(YAML_PIECES), max_size=30).map("".join))
def test_any_text_either_loads_or_raises_scenario_error(text):
    try:
        data, source_map = read_yaml(text, "fuzz.yaml")
        validate_document(data, source_map, Toy, "fuzz.yaml")
    except ScenarioError as error:
        assert str(error).startswith("fuzz.yaml: ")


def test_source_map_points_at_keys_items_and_nearest_existing_ancestor():
    _, source_map = read_yaml(GOOD, "toy.yaml")
    assert source_map.locate(("teams", 0, "engineers")) == (8, 5)
    assert source_map.locate(("teams", 0)) == (7, 5)
    assert source_map.locate(("teams", 0, "missing", "deeper")) == (7, 5)
    assert source_map.locate(("nothing",)) == (1, 1)
    assert source_map.describe(("teams", 0, "engineers")) == "teams[0 'infra'].engineers"
    assert source_map.within(("teams", 0)).locate(("engineers",)) == (8, 5)


def test_field_names_at_walks_lists_optional_and_narrows_unions_with_data():
    assert field_names_at(Toy, ("automation", "self_healing")) == [
        "coverage",
        "success_probability",
    ]
    assert field_names_at(Toy, ("pets", 0)) == ["kind", "lives", "bark_volume"]
    assert field_names_at(Toy, ("pets", 0), {"pets": [{"kind": "cat"}]}) == ["kind", "lives"]
    assert field_names_at(Toy, ("labels",)) is None


def test_read_yaml_file_reports_unreadable_files(tmp_path):
    with pytest.raises(ScenarioError, match="file not found") as caught:
        read_yaml_file(tmp_path / "absent.yaml")
    assert caught.value.source.endswith("absent.yaml")
    assert caught.value.exit_code == 2
    with pytest.raises(ScenarioError, match="directory"):
        read_yaml_file(tmp_path)
    latin1 = tmp_path / "latin1.yaml"
    latin1.write_bytes(b"services: []\nname: caf\xe9\n")
    with pytest.raises(ScenarioError) as caught:
        read_yaml_file(latin1)
    [problem] = caught.value.problems
    assert (problem.line, problem.column) == (2, 10)
    assert "not UTF-8" in problem.message


def test_read_yaml_file_reads_a_good_file(tmp_path):
    path = tmp_path / "good.yaml"
    path.write_text(GOOD, encoding="utf-8")
    data, source_map = read_yaml_file(path)
    assert data["services"][0]["name"] == "core-router"
    assert source_map.locate(("services", 0, "name")) == (2, 5)


def test_format_problems_shows_location_path_message_and_hint_and_truncates():
    problems = [
        Problem(
            ("services", 3, "alerts_per_wek"),
            "unknown key 'alerts_per_wek'",
            14,
            5,
            "did you mean 'alerts_per_week'?",
        ),
        Problem(("teams", 0, "engineers"), "must be at least 1 (got 0)", 20, 7),
        Problem((), "the file is empty"),
        *[Problem(("labels", f"k{i}"), "bad") for i in range(3)],
    ]
    assert format_problems("x.yaml", problems, max_shown=3).splitlines() == [
        "x.yaml: 6 problems",
        "  line 14, column 5: services[3].alerts_per_wek: unknown key 'alerts_per_wek'"
        " (did you mean 'alerts_per_week'?)",
        "  line 20, column 7: teams[0].engineers: must be at least 1 (got 0)",
        "  the file is empty",
        "  ... and 3 more",
    ]
    assert format_problems("x.yaml", problems[1:2]).splitlines()[0] == "x.yaml: 1 problem"


def test_scenario_error_message_is_the_formatted_report():
    error = ScenarioError("x.yaml", [Problem(("a", "b.c"), "bad", 1, 2)])
    assert str(error) == "x.yaml: 1 problem\n  line 1, column 2: a['b.c']: bad"


def test_plain_scalars_resolve_as_yaml_1_2_not_1_1():
    """Times of day stay text (no base-60 integers) and country codes like NO stay text."""
    data, _ = read_yaml(
        "time: 18:00\ncountry: NO\nanswer: yes\nflag: true\n"
        "rate: 1e3\nruns: 1_000\nday: 2026-01-05\n",
        "x.yaml",
    )
    assert data == {
        "time": "18:00",
        "country": "NO",
        "answer": "yes",
        "flag": True,
        "rate": 1000.0,
        "runs": 1000,
        "day": dt.date(2026, 1, 5),
    }
