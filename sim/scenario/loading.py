"""Read scenario YAML safely and turn every kind of bad input into a short, located message.

Nothing here knows the concrete scenario schema: callers pass their pydantic model.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import difflib
import os
import re
import types
from collections.abc import Callable, Hashable
from datetime import date
from typing import Annotated, Any, ClassVar, Literal, Union, get_args, get_origin

import pydantic
import yaml
from pydantic import BaseModel

FieldPath = tuple[str | int, ...]

_MAX_VALID_KEYS_SHOWN = 12


@dataclasses.dataclass(frozen=True)
class Problem:
    """One thing wrong in a scenario file, located by field path and 1-based line/column."""

    path: FieldPath
    message: str
    line: int | None = None
    column: int | None = None
    hint: str | None = None
    # Readable form of `path` (with item names); format_path(path) is used when absent.
    display_path: str | None = None


class ScenarioError(Exception):
    """A scenario file is invalid. str() is the formatted, user-facing message."""

    exit_code = 2

    def __init__(self, source: str, problems: list[Problem]):
        self.source = source
        self.problems = problems
        super().__init__(format_problems(source, problems))

    def __str__(self) -> str:
        return format_problems(self.source, self.problems)


# ---------------------------------------------------------------------------- paths & positions

_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


def format_path(
    path: FieldPath, item_name: Callable[[FieldPath], str | None] = lambda _: None
) -> str:
    """Render a path as `services[3 'core-router'].alerts_per_week`."""
    rendered = ""
    for depth, element in enumerate(path):
        if isinstance(element, int) and not isinstance(element, bool):
            name = item_name(path[: depth + 1])
            rendered += f"[{element} {name!r}]" if name else f"[{element}]"
        elif isinstance(element, str) and _PLAIN_KEY.fullmatch(element):
            rendered += f".{element}" if rendered else element
        else:
            rendered += f"[{element!r}]"
    return rendered


class SourceMap:
    """Where each value of a YAML document stands (1-based line and column), keyed by path."""

    def __init__(
        self,
        value_positions: dict[FieldPath, tuple[int, int]] | None = None,
        key_positions: dict[FieldPath, tuple[int, int]] | None = None,
        item_names: dict[FieldPath, str] | None = None,
    ):
        self._values = value_positions or {}
        self._keys = key_positions or {}
        self._item_names = item_names or {}

    def __contains__(self, path: object) -> bool:
        return path in self._values

    def locate(self, path: FieldPath) -> tuple[int | None, int | None]:
        """Position of the key (mapping entries) or item (sequence entries) at `path`,
        else of the nearest ancestor that exists."""
        path = tuple(path)
        for depth in range(len(path), -1, -1):
            prefix = path[:depth]
            if prefix in self._keys:
                return self._keys[prefix]
            if prefix in self._values:
                return self._values[prefix]
        return None, None

    def item_name(self, path: FieldPath) -> str | None:
        """The `name` of the list item at `path`, if it is a mapping with a text name."""
        return self._item_names.get(tuple(path))

    def within(self, prefix: FieldPath) -> SourceMap:
        """The map of the sub-document at `prefix`, with paths relative to it."""
        size = len(prefix)

        def relative(positions: dict[FieldPath, Any]) -> dict[FieldPath, Any]:
            return {p[size:]: v for p, v in positions.items() if p[:size] == tuple(prefix)}

        return SourceMap(relative(self._values), relative(self._keys), relative(self._item_names))

    def describe(self, path: FieldPath) -> str:
        """Readable path, naming list items by their `name` where they have one."""
        return format_path(tuple(path), self.item_name)


# ---------------------------------------------------------------------------- reading YAML

_MERGE_TAG = "tag:yaml.org,2002:merge"
_YAML_WORDING = {
    "mapping values are not allowed here": (
        "a ':' is not allowed here; check the indentation, or quote a value that contains ': '"
    ),
    "found character '\\t' that cannot start any token": (
        "tab characters cannot be used for indentation; use spaces"
    ),
    "but found another document": (
        "the file holds more than one YAML document ('---' starts a new one); use just one"
    ),
    "found unexpected end of stream": "the file ends too early",
}
_YAML_CONTEXT_WORDING = {
    "while parsing a block mapping": "in the mapping",
    "while parsing a block collection": "in the list",
    "while parsing a flow sequence": "in the [...] list",
    "while parsing a flow mapping": "in the {...} mapping",
    "while scanning a quoted scalar": "in the quoted text",
    "expected a single document in the stream": None,
}
_UNKNOWN_TAG = re.compile(r"could not determine a constructor for the tag '([^']*)'")


_YAML_1_1_TAGS = {"tag:yaml.org,2002:bool", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}


class _SafeLoader(yaml.SafeLoader):
    """The safe loader, reporting values it cannot build (2026-13-05) as located YAML errors.

    Plain scalars resolve as in YAML 1.2 (core schema), not 1.1: only true/false are booleans
    (so the country code NO stays text), and there are no base-60 numbers (so 18:00 stays the
    text '18:00' instead of the integer 1080) and no octal 017.
    """

    yaml_implicit_resolvers: ClassVar[dict[Any, list[Any]]] = {
        first: [(tag, pattern) for tag, pattern in resolvers if tag not in _YAML_1_1_TAGS]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except (yaml.YAMLError, RecursionError):
            raise
        except Exception as error:  # PyYAML's constructors fail this way on e.g. '!!int' alone
            shown = repr(node.value) if isinstance(node, yaml.ScalarNode) else "here"
            if node.tag == "tag:yaml.org,2002:timestamp":
                problem = f"{shown} is not a valid date"
            else:
                problem = f"cannot read the value {shown} as {node.tag.rsplit(':', 1)[-1]}"
            detail = f" ({error})" if isinstance(error, ValueError) and str(error) else ""
            raise yaml.constructor.ConstructorError(
                None, None, problem + detail, node.start_mark
            ) from None


_SafeLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_SafeLoader.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"^(?:[-+]?(?:0|[1-9][0-9_]*)|0x[0-9a-fA-F]+)$"),
    list("-+0123456789"),
)
_SafeLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^(?:[-+]?(?:\.[0-9]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)


def read_yaml(text: str, source: str) -> tuple[Any, SourceMap]:
    """Parse YAML with the safe loader; return the plain data and where each value stands."""
    loader: _SafeLoader | None = None
    try:
        loader = _SafeLoader(text)
        node = loader.get_single_node()
        if node is None:
            raise ScenarioError(source, [Problem((), "the file is empty")])
        _reject_duplicate_keys(loader, node, source)
        data = loader.construct_document(node)
        if data is None:
            raise ScenarioError(source, [Problem((), "the file is empty")])
        source_map = SourceMap()
        _record_positions(loader, node, data, (), source_map, set())
    except yaml.MarkedYAMLError as error:
        raise ScenarioError(source, [_problem_from_yaml_error(error)]) from None
    except yaml.reader.ReaderError as error:
        line = text.count("\n", 0, error.position) + 1
        column = error.position - (text.rfind("\n", 0, error.position) + 1) + 1
        message = f"the character #x{error.character:04x} is not allowed in a YAML file"
        raise ScenarioError(source, [Problem((), message, line, column)]) from None
    except RecursionError:
        raise ScenarioError(source, [Problem((), "the document is nested too deeply")]) from None
    finally:
        if loader is not None:
            loader.dispose()
    return data, source_map


def read_yaml_file(path: str | os.PathLike[str]) -> tuple[Any, SourceMap]:
    """Read and parse a YAML file; unreadable files raise ScenarioError, not OSError."""
    source = os.fspath(path)
    try:
        with open(path, "rb") as file:
            raw = file.read()
    except FileNotFoundError:
        raise ScenarioError(source, [Problem((), "file not found")]) from None
    except IsADirectoryError:
        raise ScenarioError(source, [Problem((), "this is a directory, not a file")]) from None
    except PermissionError:
        raise ScenarioError(source, [Problem((), "permission denied reading the file")]) from None
    except OSError as error:
        message = f"cannot read the file: {error.strerror or error}"
        raise ScenarioError(source, [Problem((), message)]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        message = f"the file is not UTF-8 text (byte 0x{raw[error.start]:02x} cannot be decoded)"
        raise ScenarioError(source, [Problem((), message, line, column)]) from None
    return read_yaml(text, source)


def _problem_from_yaml_error(error: yaml.MarkedYAMLError) -> Problem:
    problem = error.problem or error.context or "invalid YAML"
    unknown_tag = _UNKNOWN_TAG.search(problem)
    if unknown_tag:
        tag = unknown_tag.group(1).replace("tag:yaml.org,2002:", "!!")
        problem = f"the tag '{tag}' is not allowed; only plain YAML values can be used"
    if problem.startswith("expected <block end>"):
        problem = "bad indentation: this line does not line up with the lines above it"
    message = _YAML_WORDING.get(problem, problem).replace("'<stream end>'", "the end of the file")
    mark = error.problem_mark or error.context_mark
    context_mark, context = error.context_mark, error.context
    context = _YAML_CONTEXT_WORDING.get(context, context) if context else None
    if context and context_mark and mark and context_mark.line != mark.line:
        message += (
            f" ({context} that starts at line {context_mark.line + 1},"
            f" column {context_mark.column + 1})"
        )
    if mark is None:
        return Problem((), message)
    return Problem((), message, mark.line + 1, mark.column + 1)


def _scalar_key(loader: yaml.SafeLoader, key_node: yaml.Node) -> Hashable | None:
    if not isinstance(key_node, yaml.ScalarNode):
        return None  # complex keys: the constructor reports the unhashable ones itself
    key = loader.construct_object(key_node)
    return key if isinstance(key, Hashable) else None


def _reject_duplicate_keys(loader: yaml.SafeLoader, root: yaml.Node, source: str) -> None:
    # Checked on the composed nodes because construction silently keeps the last value.
    problems: list[Problem] = []
    stack: list[tuple[yaml.Node, FieldPath]] = [(root, ())]
    seen_nodes: set[int] = set()
    while stack:
        node, path = stack.pop()
        if id(node) in seen_nodes:
            continue
        seen_nodes.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            stack.extend((item, (*path, index)) for index, item in enumerate(node.value))
        elif isinstance(node, yaml.MappingNode):
            first_lines: dict[Hashable, int] = {}
            for key_node, value_node in node.value:
                key = None if key_node.tag == _MERGE_TAG else _scalar_key(loader, key_node)
                if key is None:
                    continue
                mark = key_node.start_mark
                if key in first_lines:
                    message = f"key {key!r} appears twice; first at line {first_lines[key]}"
                    problems.append(Problem((*path, key), message, mark.line + 1, mark.column + 1))
                else:
                    first_lines[key] = mark.line + 1
                stack.append((value_node, (*path, key)))
    if problems:
        raise ScenarioError(source, sorted(problems, key=lambda p: (p.line or 0, p.column or 0)))


def _record_positions(
    loader: yaml.SafeLoader,
    node: yaml.Node,
    value: Any,
    path: FieldPath,
    source_map: SourceMap,
    ancestors: set[int],
) -> None:
    if id(node) in ancestors:  # a recursive alias
        return
    source_map._values[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(value, dict) and isinstance(value.get("name"), str) and path:
        source_map._item_names[path] = value["name"]
    children: list[tuple[yaml.Node, Any, FieldPath]] = []
    if isinstance(node, yaml.SequenceNode) and isinstance(value, list):
        children = [(item, value[index], (*path, index)) for index, item in enumerate(node.value)]
    elif isinstance(node, yaml.MappingNode) and isinstance(value, dict):
        # After construction, merge keys (<<) are flattened into node.value, later entries winning.
        for key_node, value_node in node.value:
            key = _scalar_key(loader, key_node)
            if key is None or key not in value:
                continue
            mark = key_node.start_mark
            source_map._keys[(*path, key)] = (mark.line + 1, mark.column + 1)
            children.append((value_node, value[key], (*path, key)))
    for child_node, child_value, child_path in children:
        _record_positions(
            loader, child_node, child_value, child_path, source_map, {*ancestors, id(node)}
        )


# ---------------------------------------------------------------------------- walking the schema


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


# ---------------------------------------------------------------------------- validation errors


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
    return sorted(_merge_union_branches(problems), key=lambda p: (p.line or 0, p.column or 0))


def _close_matches(key: object, valid: list[str] | None) -> list[str]:
    by_folded = {name.casefold(): name for name in reversed(valid or [])}
    close = difflib.get_close_matches(str(key).casefold(), list(by_folded), n=1, cutoff=0.6)
    return [by_folded[match] for match in close]


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


def format_problems(source: str, problems: list[Problem], max_shown: int = 10) -> str:
    """The user-facing report: a header line, then one line per problem."""
    count = len(problems)
    lines = [f"{source or 'scenario'}: {count} problem{'' if count == 1 else 's'}"]
    for problem in problems[:max_shown]:
        parts = []
        if problem.line is not None:
            parts.append(f"line {problem.line}, column {problem.column}")
        shown_path = problem.display_path or format_path(problem.path)
        if shown_path:
            parts.append(shown_path)
        text = " ".join(problem.message.split())
        parts.append(f"{text} ({problem.hint})" if problem.hint else text)
        lines.append("  " + ": ".join(parts))
    if count > max_shown:
        lines.append(f"  ... and {count - max_shown} more")
    return "\n".join(lines)


def validate_document(
    data: Any, source_map: SourceMap, model: type[BaseModel], source: str
) -> BaseModel:
    """Validate parsed YAML against `model`, raising ScenarioError with every problem found."""
    if not isinstance(data, dict):
        line, column = source_map.locate(())
        message = f"the top level must be a mapping of keys to values, got {describe_value(data)}"
        raise ScenarioError(source, [Problem((), message, line, column)])
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as error:
        problems = problems_from_validation_error(error, source_map, model)
        raise ScenarioError(source, problems) from None
