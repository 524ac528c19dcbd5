"""A variant of a scenario as a scenario of its own: the baseline with the variant's overrides."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sim.scenario.models import Scenario
from sim.scenario.overrides import apply_overrides


def baseline_document(scenario: Scenario) -> dict[str, Any]:
    """The scenario as plain data (YAML/JSON-ready), without its variants."""
    return scenario.model_dump(mode="json", by_alias=True, exclude={"variants"})


def with_overrides(scenario: Scenario, overrides: Mapping[str, Any]) -> Scenario:
    """A new scenario: ``scenario`` with dotted-path overrides applied, validated again.

    Its variants are dropped: a resolved variant is a plain scenario.
    """
    return Scenario.model_validate(apply_overrides(baseline_document(scenario), overrides))


def resolve_variant(scenario: Scenario, name: str) -> Scenario:
    """The scenario that variant ``name`` describes ('baseline': the scenario without variants)."""
    if name == "baseline":
        return with_overrides(scenario, {})
    for variant in scenario.variants:
        if variant.name == name:
            return with_overrides(scenario, variant.set)
    known = ", ".join(scenario.variant_names)
    raise KeyError(f"no variant named {name!r}; this scenario has {known}")
