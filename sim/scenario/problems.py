"""What is wrong in a scenario file: located problems, the error that carries them, how both
read to the user, and the source map that locates a path in the file. Shared by YAML reading,
validation wording and overrides.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from typing import Any

FieldPath = tuple[str | int, ...]


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
