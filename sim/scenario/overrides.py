"""Variants as partial overrides of a scenario, addressed by dotted paths.

A path such as `services.core-router.alerts_per_week` is split on '.'; each segment selects, in a
mapping, the key, and in a list, the item at that integer index or else the item whose `name` is
the segment (or whose name's identifier is the segment: ``farid-khan`` for ``Farid Khan``, see
:func:`sim.scenario.fields.identifier_of`). So a name with a '.' is reached by its identifier,
and a name made only of digits is read as an index.

Typical use, for a variant whose overrides stand at `overrides_path` in the file:

    model = validate_variant(base_data, overrides, Scenario, source_map=source_map,
                             overrides_path=("variants", 1, "set"), source="x.yaml")

which checks the paths against the schema, applies them, validates the result, and reports any
problem at the line of the override that caused it. Validate the base document first: problems
of the base would otherwise show up again in every variant.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import Any, get_origin

import pydantic
from pydantic import BaseModel

from sim.scenario.fields import identifier_of
from sim.scenario.loading import (
    FieldPath,
    Problem,
    ScenarioError,
    SourceMap,
    child_alternatives,
    describe_value,
    field_names_of,
    format_path,
    narrow_to_data,
    problems_from_validation_error,
    suggest_key,
)

Locator = Callable[[str], tuple[int | None, int | None]]

_LIST_TYPES = (list, tuple, set, frozenset, Sequence)


class OverridePathError(Exception):
    """A dotted path that cannot be followed; `message` and `hint` are user-facing."""

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint


def _split(dotted: str) -> list[str]:
    segments = dotted.split(".")
    if not all(segments):
        raise OverridePathError(f"{dotted!r} is not a valid path: it has an empty segment")
    return segments


def _place(segments: list[str], depth: int) -> str:
    return ".".join(segments[:depth]) or "the top level"


def _is_index(segment: str) -> bool:
    return segment.isascii() and segment.isdigit()


def _select_item(items: list[Any], segment: str, place: str) -> int:
    """Index of the list item that `segment` names, by index or by its `name` key."""
    if _is_index(segment):
        index, count = int(segment), len(items)
        if index < count:
            return index
        plural = "" if count == 1 else "s"
        raise OverridePathError(f"index {index} is out of range: {place} has {count} item{plural}")
    named = [
        i for i, item in enumerate(items) if isinstance(item, dict) and item.get("name") == segment
    ]
    if not named:  # a display name ('Farid Khan', 'J. Smith') by its identifier: farid-khan
        named = [
            i
            for i, item in enumerate(items)
            if isinstance(item, dict)
            and isinstance(item.get("name"), str)
            and identifier_of(item["name"]) == segment
        ]
    if len(named) == 1:
        return named[0]
    if named:
        raise OverridePathError(f"several items in {place} are named {segment!r}")
    names = [
        item["name"]
        for item in items
        if isinstance(item, dict) and isinstance(item.get("name"), str)
    ]
    hint = suggest_key(segment, names, listing="existing names")
    raise OverridePathError(f"no item named {segment!r} in {place}", hint)


def _mapping_key(mapping: dict[Any, Any], segment: str) -> Any:
    if segment not in mapping and _is_index(segment) and int(segment) in mapping:
        return int(segment)  # YAML keys written as numbers
    return segment


def _not_a_container(place: str, value: Any, segment: str) -> OverridePathError:
    return OverridePathError(
        f"{place} is {describe_value(value)}, not a mapping or a list, so it has no {segment!r}"
    )


def _resolve(document: Any, dotted: str, *, create_missing: bool) -> tuple[Any, Any, FieldPath]:
    """Follow `dotted` in `document`: the container holding the target, its key, and the data
    path. With `create_missing`, absent (or null) intermediate mappings are created."""
    segments = _split(dotted)
    container, path = document, []
    for depth, segment in enumerate(segments):
        place = _place(segments, depth)
        if isinstance(container, list):
            key: Any = _select_item(container, segment, place)
        elif isinstance(container, dict):
            key = _mapping_key(container, segment)
        else:
            raise _not_a_container(place, container, segment)
        path.append(key)
        if depth == len(segments) - 1:
            return container, key, tuple(path)
        if isinstance(container, dict) and container.get(key) is None:
            if not create_missing:
                raise OverridePathError(f"{_place(segments, depth + 1)} does not exist")
            container[key] = {}
        container = container[key]
    raise AssertionError("unreachable: _split returns at least one segment")


def resolve_override_path(document: Any, dotted: str) -> FieldPath:
    """The data path (names replaced by list indices) that `dotted` designates in `document`."""
    return _resolve(document, dotted, create_missing=False)[2]


def apply_overrides(
    data: dict[str, Any],
    overrides: Mapping[Any, Any],
    *,
    where: Locator | None = None,
    source: str = "",
    overrides_path: FieldPath = (),
) -> dict[str, Any]:
    """A deep copy of `data` with each `dotted.path: value` override applied; `data` is untouched.

    Paths that cannot be followed raise ScenarioError, one problem per path, at `where(path)`
    and with Problem.path `(*overrides_path, dotted_path)`.
    """
    result = copy.deepcopy(data)
    problems: list[Problem] = []
    for dotted, value in overrides.items():
        try:
            container, key, _ = _resolve(result, str(dotted), create_missing=True)
        except OverridePathError as error:
            line, column = where(str(dotted)) if where else (None, None)
            problems.append(
                Problem((*overrides_path, dotted), error.message, line, column, error.hint)
            )
            continue
        container[key] = copy.deepcopy(value)
    if problems:
        raise ScenarioError(source, problems)
    return result


def _kinds(alternatives: list[Any]) -> set[str]:
    kinds = set()
    for alternative in alternatives:
        origin = get_origin(alternative) or alternative
        if isinstance(alternative, type) and issubclass(alternative, BaseModel):
            kinds.add("model")
        elif origin in (dict, Mapping):
            kinds.add("mapping")
        elif origin in _LIST_TYPES:
            kinds.add("list")
    return kinds


def _check_schema_path(model: type[BaseModel], data: Any, dotted: str) -> None:
    segments = _split(dotted)
    candidates, value = [model], data
    for depth, segment in enumerate(segments):
        if not candidates:
            return  # Any, or a type we cannot see into: leave it to validation
        place, kinds = _place(segments, depth), _kinds(candidates)
        if value is not None and not isinstance(value, dict | list):
            raise _not_a_container(place, value, segment)
        # Hints come from the union member the data selects; any member's field is accepted,
        # since the variant may switch the member too (validation has the last word).
        selected = narrow_to_data(candidates, value)
        if "list" in kinds and (isinstance(value, list) or not kinds - {"list"}):
            key: Any = _select_item(value if isinstance(value, list) else [], segment, place)
            value = value[key] if isinstance(value, list) else None
        elif kinds & {"model", "mapping"}:
            names = None if "mapping" in kinds else field_names_of(candidates)
            if names is None or segment in names:
                key = segment
            elif _is_index(segment) and int(segment) in (value if isinstance(value, dict) else {}):
                key = int(segment)
            else:
                hint = suggest_key(segment, field_names_of(selected), listing="valid fields")
                raise OverridePathError(f"no field {segment!r} in {place}", hint)
            value = value.get(key) if isinstance(value, dict) else None
        else:
            raise OverridePathError(f"{place} is a single value; it has no field {segment!r}")
        candidates = child_alternatives(selected, key) or child_alternatives(candidates, key)


def check_override_paths(
    overrides: Mapping[Any, Any], model: type[BaseModel], data: Any
) -> list[tuple[str, str, str | None]]:
    """(dotted_path, message, hint) for each override path that does not exist in the schema of
    `model` or, for list items, among the items of `data`."""
    found = []
    for dotted in overrides:
        try:
            _check_schema_path(model, data, str(dotted))
        except OverridePathError as error:
            found.append((str(dotted), error.message, error.hint))
    return found


def problems_for_variant(
    error: pydantic.ValidationError,
    variant_data: Any,
    overrides: Mapping[Any, Any],
    overrides_path: FieldPath,
    source_map: SourceMap,
    model: type[BaseModel],
    *,
    base_path: FieldPath = (),
) -> list[Problem]:
    """Problems of a variant (the base document, at `base_path` in the file, with `overrides`
    applied, as `variant_data`), each placed where the user can fix it: a problem inside an
    overridden value points into that value; one in a mapping an override created points at that
    override; anything else keeps its place in the base and says it appears with this variant."""
    resolved: list[tuple[Any, FieldPath]] = []
    for dotted in overrides:
        try:
            resolved.append((dotted, resolve_override_path(variant_data, str(dotted))))
        except OverridePathError:
            continue
    base_map = source_map.within(base_path)
    variant_name = source_map.describe(overrides_path) or "the variant"
    problems = []
    for problem in problems_from_validation_error(error, base_map, model, data=variant_data):
        inside = [(d, p) for d, p in resolved if problem.path[: len(p)] == p]
        nearest = max(
            resolved, key=lambda match: _common_length(match[1], problem.path), default=None
        )
        if inside:
            dotted, path = max(inside, key=lambda match: len(match[1]))
            new_path = (*overrides_path, dotted, *problem.path[len(path) :])
            message = problem.message
        elif (
            nearest
            and _common_length(nearest[1], problem.path) > 0
            and problem.path[:-1] not in base_map
        ):
            # The problem lies in a mapping that only exists because an override created it.
            new_path = (*overrides_path, nearest[0])
            message = f"{format_path(problem.path)}: {problem.message}"
        else:
            full_path = (*base_path, *problem.path)
            problems.append(
                dataclasses.replace(
                    problem,
                    path=full_path,
                    message=f"{problem.message} (with {variant_name})",
                    display_path=source_map.describe(full_path),
                )
            )
            continue
        line, column = source_map.locate(new_path)
        display_path = source_map.describe(new_path)
        problems.append(Problem(new_path, message, line, column, problem.hint, display_path))
    return problems


def _common_length(first: FieldPath, second: FieldPath) -> int:
    length = 0
    for a, b in zip(first, second, strict=False):
        if a != b:
            break
        length += 1
    return length


def validate_variant(
    base_data: dict[str, Any],
    overrides: Mapping[Any, Any],
    model: type[BaseModel],
    *,
    source_map: SourceMap,
    overrides_path: FieldPath,
    source: str,
    base_path: FieldPath = (),
    context: dict[str, Any] | None = None,
) -> BaseModel:
    """Check, apply and validate one variant's overrides; every problem raises one ScenarioError,
    located at the override responsible. `context` is passed to pydantic's validation."""

    def locate(dotted: str) -> tuple[int | None, int | None]:
        return source_map.locate((*overrides_path, dotted))

    problems = [
        Problem(
            (*overrides_path, dotted),
            message,
            *locate(dotted),
            hint,
            source_map.describe((*overrides_path, dotted)),
        )
        for dotted, message, hint in check_override_paths(overrides, model, base_data)
    ]
    if problems:
        raise ScenarioError(source, problems)
    try:
        variant_data = apply_overrides(
            base_data, overrides, where=locate, source=source, overrides_path=overrides_path
        )
    except ScenarioError as error:
        named = [
            dataclasses.replace(p, display_path=source_map.describe(p.path)) for p in error.problems
        ]
        raise ScenarioError(source, named) from None
    try:
        return model.model_validate(variant_data, context=context)
    except pydantic.ValidationError as error:
        problems = problems_for_variant(
            error, variant_data, overrides, overrides_path, source_map, model, base_path=base_path
        )
        raise ScenarioError(source, problems) from None
