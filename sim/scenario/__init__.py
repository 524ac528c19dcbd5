"""Scenario files: pydantic models, YAML loading with located errors, variants.

``load_scenario(path)`` is the one entry point for files: it reads YAML safely, validates the
baseline, checks cross-references and every variant, and raises :class:`ScenarioError` (exit
status 2 on the command line) with file, line, column and field for each problem found.
"""

from __future__ import annotations

import os
from typing import Any

import pydantic

from sim.scenario.loading import (
    Problem,
    ScenarioError,
    problems_from_validation_error,
    read_yaml,
    read_yaml_file,
    validate_document,
)
from sim.scenario.models import Scenario
from sim.scenario.overrides import OverridePathError, resolve_override_path, validate_variant
from sim.scenario.references import scenario_reference_problems
from sim.scenario.resolve import resolve_variant, with_overrides

__all__ = [
    "Problem",
    "Scenario",
    "ScenarioError",
    "load_scenario",
    "load_scenario_text",
    "resolve_variant",
    "scenario_json_schema",
    "with_overrides",
]


def load_scenario(path: str | os.PathLike[str]) -> Scenario:
    """Read and validate a scenario file, its cross-references and all its variants."""
    data, source_map = read_yaml_file(path)
    return _validate(data, source_map, os.fspath(path))


def load_scenario_text(text: str, source: str = "<scenario>") -> Scenario:
    """Like :func:`load_scenario`, from YAML text (``source`` names it in error messages)."""
    data, source_map = read_yaml(text, source)
    return _validate(data, source_map, source)


def _validate(data: Any, source_map, source: str) -> Scenario:
    if not isinstance(data, dict):
        validate_document(data, source_map, Scenario, source)  # raises the located error
    try:
        scenario = Scenario.model_validate(data, context={"defer_reference_checks": True})
    except pydantic.ValidationError as error:
        problems = problems_from_validation_error(error, source_map, Scenario)
        raise ScenarioError(source, problems) from None

    problems = [
        Problem(path, message, *source_map.locate(path), None, source_map.describe(path))
        for path, message in scenario_reference_problems(scenario)
    ]
    if problems:
        raise ScenarioError(source, problems)

    baseline = {key: value for key, value in data.items() if key != "variants"}
    for index, variant in enumerate(scenario.variants):
        overrides_path = ("variants", index, "set")
        try:
            resolved = validate_variant(
                baseline,
                variant.set,
                Scenario,
                source_map=source_map,
                overrides_path=overrides_path,
                source=source,
                context={"defer_reference_checks": True},
            )
        except ScenarioError as error:
            problems.extend(error.problems)
            continue
        problems.extend(
            _variant_reference_problems(resolved, baseline, variant.set, overrides_path, source_map)
        )
    if problems:
        raise ScenarioError(source, problems)
    return scenario


def _variant_reference_problems(
    resolved: Scenario,
    baseline: dict[str, Any],
    overrides: dict[str, Any],
    overrides_path: tuple[str | int, ...],
    source_map,
) -> list[Problem]:
    """Cross-reference problems a variant introduces, each at the override that leads to it."""
    problems = []
    for path, message in scenario_reference_problems(resolved):
        responsible = overrides_path
        for dotted in overrides:
            try:
                target = resolve_override_path(baseline, dotted)
            except OverridePathError:
                continue
            if path[: len(target)] == target or target[: len(path)] == path:
                responsible = (*overrides_path, dotted)
                break
        problems.append(
            Problem(
                responsible,
                f"{message} (at {source_map.describe(path)} after the override)",
                *source_map.locate(responsible),
                None,
                source_map.describe(responsible),
            )
        )
    return problems


def scenario_json_schema() -> dict[str, Any]:
    """JSON Schema of scenario files, with the field documentation as descriptions."""
    schema = Scenario.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "oncall-sim scenario"
    return schema
