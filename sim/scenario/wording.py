"""Turn pydantic validation errors into plain, located words about the scenario file."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from datetime import date
from typing import Any

import pydantic
from pydantic import BaseModel

from sim.scenario.problems import FieldPath, Problem, SourceMap
from sim.scenario.schema_walk import (
    _close_matches,
    _literal_fields,
    _union_members_labelled,
    child_alternatives,
    field_names_of,
    suggest_key,
)


def describe_value(value: Any) -> str:
    """How a value from the file reads in a message: 'abc', 2.5, true, a list, a mapping."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:37] + "...")
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


_EXPECTED_BY_TYPE_PREFIX = {
    "datetime": "a date and time like 2024-03-01T09:00:00",
    "int": "an integer",
    "float": "a number",
    "decimal": "a number",
    "bool": "true or false",
    "string": "text",
    "date": "a date like 2024-03-01",
    "time_delta": "a duration",
    "time": "a time like 09:30",
    "model": "a mapping of fields",
    "dict": "a mapping (key: value pairs)",
    "list": "a list",
    "tuple": "a list",
    "set": "a list",
    "frozen_set": "a list",
}
_BOUNDS = {
    "greater_than_equal": ("ge", "must be at least"),
    "greater_than": ("gt", "must be greater than"),
    "less_than_equal": ("le", "must be at most"),
    "less_than": ("lt", "must be less than"),
    "multiple_of": ("multiple_of", "must be a multiple of"),
}
_MISSING = "required field is missing"
_QUOTED = re.compile(r"'((?:[^'\\]|\\.)*)'")


def _message_and_hint(error: Any, alternatives: list[Any]) -> tuple[str, str | None]:
    kind, ctx, value = error["type"], error.get("ctx") or {}, error.get("input")
    got = describe_value(value)
    if kind == "missing":
        return _MISSING, None
    if kind == "int_from_float":
        return f"expected a whole number, got {got}", None
    if kind in _BOUNDS:
        name, wording = _BOUNDS[kind]
        return f"{wording} {describe_value(ctx.get(name))} (got {got})", None
    if kind in ("literal_error", "enum"):
        expected = str(ctx.get("expected", ""))
        close = _close_matches(value, _QUOTED.findall(expected)) if isinstance(value, str) else []
        hint = f"did you mean {close[0]!r}?" if close else None
        return f"must be {'one of ' if ' or ' in expected else ''}{expected} (got {got})", hint
    if kind == "union_tag_invalid":
        tags = _QUOTED.findall(str(ctx.get("expected_tags", "")))
        discriminator = str(ctx.get("discriminator", "")).strip("'")
        expected = ", ".join(map(repr, tags))
        message = f"unknown {discriminator} {ctx.get('tag')!r}; expected one of {expected}"
        return message, suggest_key(ctx.get("tag"), tags)
    if kind == "union_tag_not_found":
        discriminator = str(ctx.get("discriminator", "")).strip("'")
        tags = [repr(t) for a in alternatives for t in _literal_fields(a).get(discriminator, ())]
        expected = f" (one of {', '.join(tags)})" if tags else ""
        return f"missing {discriminator!r}, which says what kind of item this is{expected}", None
    if kind in ("too_short", "too_long", "string_too_short", "string_too_long"):
        bound = "at least" if kind.endswith("short") else "at most"
        limit = ctx.get("min_length" if kind.endswith("short") else "max_length")
        unit = "character" if kind.startswith("string") else "item"
        actual = ctx.get("actual_length", len(value) if hasattr(value, "__len__") else "?")
        return f"must have {bound} {limit} {unit}{'' if limit == 1 else 's'} (got {actual})", None
    if kind == "string_pattern_mismatch":
        return f"must match the pattern {ctx.get('pattern')!r} (got {got})", None
    if kind == "finite_number":
        return f"must be a finite number (got {got})", None
    if kind in ("value_error", "assertion_error"):
        return str(ctx.get("error", error["msg"])), None
    if kind.endswith(("_type", "_parsing")) or "_from_" in kind:
        for prefix, expected in _EXPECTED_BY_TYPE_PREFIX.items():
            if kind.startswith(prefix + "_"):
                quote = prefix == "string" and not isinstance(value, dict | list)
                hint = "put the value in quotes to keep it as text" if quote else None
                return f"expected {expected}, got {got}", hint
    return str(error["msg"]), None


def _clean_location(
    location: tuple[Any, ...], model: type[BaseModel], exists: Callable[[FieldPath], bool]
) -> tuple[FieldPath, list[list[Any]]]:
    """Drop the entries pydantic adds to `loc` that are not in the data (union members and tags,
    '[key]'); return the data path and the possible types at each of its prefixes."""
    path: list[str | int] = []
    alternatives: list[Any] = [model]
    types_by_depth = [alternatives]
    for element in location:
        if element == "[key]":
            continue
        if (
            len(alternatives) > 1
            and isinstance(element, str)
            and element not in (field_names_of(alternatives) or ())
            and not exists((*path, element))
        ):
            alternatives = _union_members_labelled(alternatives, element) or alternatives
            types_by_depth[-1] = alternatives
            continue
        path.append(element)
        alternatives = child_alternatives(alternatives, element)
        types_by_depth.append(alternatives)
    return tuple(path), types_by_depth


def problems_from_validation_error(
    error: pydantic.ValidationError,
    source_map: SourceMap,
    model: type[BaseModel],
    *,
    data: Any = None,
) -> list[Problem]:
    """One located, plainly worded Problem per pydantic error. Pass `data` when it is not the
    document `source_map` was built from (e.g. a variant with overrides applied)."""

    def exists(path: FieldPath) -> bool:
        if data is None:
            return path in source_map
        value: Any = data
        for key in path:
            if (isinstance(value, dict) and key in value) or (
                isinstance(value, list) and isinstance(key, int) and 0 <= key < len(value)
            ):
                value = value[key]
            else:
                return False
        return True

    problems: list[Problem] = []
    typo_suggestions: set[FieldPath] = set()  # (*parent, suggested field) of unknown keys
    for details in error.errors(include_url=False):
        path, types_by_depth = _clean_location(details["loc"], model, exists)
        message, hint = _message_and_hint(details, types_by_depth[-1])
        if details["type"] == "extra_forbidden" and path:
            message = f"unknown key {path[-1]!r}"
            valid = field_names_of(types_by_depth[-2])
            hint = suggest_key(path[-1], valid)
            typo_suggestions.update((*path[:-1], name) for name in _close_matches(path[-1], valid))
        if details["type"].startswith("union_tag"):
            discriminator = str((details.get("ctx") or {}).get("discriminator", "")).strip("'")
            if exists((*path, discriminator)):
                path = (*path, discriminator)
        line, column = source_map.locate(path)
        problems.append(Problem(path, message, line, column, hint, source_map.describe(path)))
    # A misspelt key also makes the real field "missing": report the typo only.
    problems = [p for p in problems if not (p.message == _MISSING and p.path in typo_suggestions)]
    problems = _drop_mismatched_branches(problems)
    return sorted(_merge_union_branches(problems), key=lambda p: (p.line or 0, p.column or 0))


def _drop_mismatched_branches(problems: list[Problem]) -> list[Problem]:
    """One problem reported once: when a value fits the shape of one member of a union
    (``int | list[str | Engineer]``) and fails inside it, the other members' "expected X, got
    Y" errors are noise. Drop a type mismatch at a path that has deeper problems, or that has
    a problem of another kind (a value the right type but not allowed) at the same path."""
    deeper = {p.path[:depth] for p in problems for depth in range(len(p.path))}
    other_kind = {p.path for p in problems if not _EXPECTED_GOT.fullmatch(p.message)}
    return [
        p
        for p in problems
        if not (_EXPECTED_GOT.fullmatch(p.message) and (p.path in deeper or p.path in other_kind))
    ]


_EXPECTED_GOT = re.compile(r"expected (.+), got (.+)")


def _merge_union_branches(problems: list[Problem]) -> list[Problem]:
    """One problem per path: a value that fits no member of a union (`int | list[str]`) gets
    one error per member from pydantic; say "expected an integer or a list, got 'x'" once."""
    merged: dict[tuple[FieldPath, str], Problem] = {}
    for problem in problems:
        match = _EXPECTED_GOT.fullmatch(problem.message)
        key = (problem.path, match.group(2) if match else problem.message)
        earlier = merged.get(key)
        if earlier is None:
            merged[key] = problem
        elif match and earlier.message != problem.message:
            expected = _EXPECTED_GOT.fullmatch(earlier.message)
            if expected:
                message = f"expected {expected.group(1)} or {match.group(1)}, got {match.group(2)}"
                merged[key] = dataclasses.replace(earlier, message=message)
    return list(merged.values())
