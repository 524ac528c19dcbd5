"""What is wrong in a scenario file: located problems, the error that carries them, and how
both read to the user. Shared by YAML reading, validation wording and overrides.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable

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
