"""Walk a pydantic schema: the types a value may have at a path, the valid keys there, and
"did you mean" suggestions for unknown ones. Nothing here knows the concrete scenario schema.
"""

from __future__ import annotations

import collections.abc
import difflib
import types
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel

from sim.scenario.problems import FieldPath

_MAX_VALID_KEYS_SHOWN = 12


def type_alternatives(annotation: Any) -> list[Any]:
    """The concrete types a value may have: strips Annotated and Optional, flattens unions.
    An empty list means "anything" (Any, or a type we cannot see into)."""
    if annotation is Any or annotation is None or annotation is type(None):
        return []
    origin = get_origin(annotation)
    if origin is Annotated:
        return type_alternatives(get_args(annotation)[0])
    if origin is Union or origin is types.UnionType:
        found: list[Any] = []
        for member in get_args(annotation):
            found.extend(alt for alt in type_alternatives(member) if alt not in found)
        return found
    return [annotation]


def _is_model(candidate: Any) -> bool:
    return isinstance(candidate, type) and issubclass(candidate, BaseModel)


def _field_names(model: type[BaseModel]) -> list[str]:
    names: list[str] = []
    for name, field in model.model_fields.items():
        names.extend(n for n in (field.alias, name) if isinstance(n, str) and n not in names)
    return names


def _field_type(model: type[BaseModel], key: str) -> Any | None:
    for name, field in model.model_fields.items():
        if key in (name, field.alias):
            return field.annotation
    return None


def child_alternatives(alternatives: list[Any], key: str | int) -> list[Any]:
    """The types a value may have at `key` inside a value of one of `alternatives`."""
    found: list[Any] = []
    for alternative in alternatives:
        origin, args = get_origin(alternative), get_args(alternative)
        child: Any = None
        if _is_model(alternative) and isinstance(key, str):
            child = _field_type(alternative, key)
        elif origin in (dict, collections.abc.Mapping) and len(args) == 2:
            child = args[1]
        elif origin is tuple and isinstance(key, int) and args:
            child = args[0] if args[-1] is Ellipsis else (args[key] if key < len(args) else None)
        elif (
            origin in (list, set, frozenset, collections.abc.Sequence)
            and isinstance(key, int)
            and args
        ):
            child = args[0]
        found.extend(alt for alt in type_alternatives(child) if alt not in found)
    return found


def _literal_fields(alternative: Any) -> dict[str, tuple[Any, ...]]:
    """The allowed values of each Literal field (the tags of discriminated unions)."""
    if not _is_model(alternative):
        return {}
    return {
        name: get_args(field.annotation)
        for name, field in alternative.model_fields.items()
        if get_origin(field.annotation) is Literal
    }


def narrow_to_data(alternatives: list[Any], value: Any) -> list[Any]:
    """Keep the union members whose Literal fields (discriminators) agree with `value`."""
    if len(alternatives) < 2 or not isinstance(value, dict):
        return alternatives
    matching = [
        alternative
        for alternative in alternatives
        if _is_model(alternative)
        and all(
            value[name] in allowed
            for name, allowed in _literal_fields(alternative).items()
            if name in value
        )
    ]
    return matching or alternatives


def field_names_of(alternatives: list[Any]) -> list[str] | None:
    """Valid keys of a mapping typed as one of `alternatives`; None if free-form or unknown."""
    models = [alternative for alternative in alternatives if _is_model(alternative)]
    if not models or len(models) < len(alternatives):
        return None
    names: list[str] = []
    for model in models:
        names.extend(name for name in _field_names(model) if name not in names)
    return names


def field_names_at(model: type[BaseModel], path: FieldPath, data: Any = None) -> list[str] | None:
    """Valid keys of the mapping at `path` of a document of `model` (data narrows unions)."""
    alternatives = narrow_to_data([model], data)
    for key in path:
        alternatives = child_alternatives(alternatives, key)
        data = _child_value(data, key)
        alternatives = narrow_to_data(alternatives, data)
    return field_names_of(alternatives)


def _child_value(value: Any, key: str | int) -> Any:
    if isinstance(value, dict):
        return value.get(key)
    if isinstance(value, list) and isinstance(key, int) and 0 <= key < len(value):
        return value[key]
    return None


def _union_members_labelled(alternatives: list[Any], label: str) -> list[Any]:
    """Union members pydantic may name `label` in an error location: class name or tag value."""
    return [
        alternative
        for alternative in alternatives
        if getattr(alternative, "__name__", None) == label
        or any(label in allowed for allowed in _literal_fields(alternative).values())
    ]


def suggest_key(key: object, valid: list[str] | None, listing: str = "valid keys") -> str | None:
    """'did you mean ...?' for a close match, else `listing`: the valid keys."""
    if not valid:
        return None
    close = _close_matches(key, valid)
    if close:
        return f"did you mean {close[0]!r}?"
    shown = ", ".join(valid[:_MAX_VALID_KEYS_SHOWN])
    more = ", ..." if len(valid) > _MAX_VALID_KEYS_SHOWN else ""
    return f"{listing}: {shown}{more}"


def _close_matches(key: object, valid: list[str] | None) -> list[str]:
    by_folded = {name.casefold(): name for name in reversed(valid or [])}
    close = difflib.get_close_matches(str(key).casefold(), list(by_folded), n=1, cutoff=0.6)
    return [by_folded[match] for match in close]
