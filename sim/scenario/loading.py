"""Read scenario YAML safely and turn every kind of bad input into a short, located message.

Nothing here knows the concrete scenario schema: callers pass their pydantic model.
"""

from __future__ import annotations

import os
import re
from collections.abc import Hashable
from typing import Any, ClassVar

import pydantic
import yaml
from pydantic import BaseModel

from sim.scenario.problems import (
    FieldPath,
    Problem,
    ScenarioError,
    SourceMap,
    format_path,
    format_problems,
)
from sim.scenario.schema_walk import (
    child_alternatives,
    field_names_at,
    field_names_of,
    narrow_to_data,
    suggest_key,
    type_alternatives,
)
from sim.scenario.wording import (
    describe_value,
    problems_from_validation_error,
)

__all__ = [
    "FieldPath",
    "Problem",
    "ScenarioError",
    "SourceMap",
    "child_alternatives",
    "describe_value",
    "field_names_at",
    "field_names_of",
    "format_path",
    "format_problems",
    "narrow_to_data",
    "problems_from_validation_error",
    "read_yaml",
    "read_yaml_file",
    "suggest_key",
    "type_alternatives",
    "validate_document",
]


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
