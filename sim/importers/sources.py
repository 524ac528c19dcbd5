"""Reading paging-tool exports: JSON files or folders of them, and located access to their
fields, so that every bad input names its file and JSON path (``$.schedule.schedule_layers[1]``).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class ImportInputError(ValueError):
    """Bad input to an importer: names the file, the JSON path (or line) and the problem."""

    def __init__(self, file: Path | str, where: str, message: str) -> None:
        super().__init__(f"{file}: {where}: {message}")
        self.file = str(file)
        self.where = where
        self.message = message


def json_files(paths: list[Path]) -> list[Path]:
    """The JSON files named, a folder standing for its ``*.json`` files (sorted)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(path.glob("*.json")))
        elif path.is_file():
            found.append(path)
        else:
            raise ImportInputError(path, "$", "no such file or folder")
    if not found:
        raise ImportInputError(", ".join(map(str, paths)), "$", "no JSON files found")
    return found


@dataclass(frozen=True)
class Node:
    """A JSON value with where it came from (file and JSON path)."""

    value: Any
    file: Path
    path: str = "$"

    def fail(self, message: str) -> ImportInputError:
        return ImportInputError(self.file, self.path, message)

    def _child_path(self, key: str | int) -> str:
        if isinstance(key, int):
            return f"{self.path}[{key}]"
        return f"{self.path}.{key}" if re.fullmatch(r"\w+", key) else f"{self.path}[{key!r}]"

    def has(self, key: str) -> bool:
        """The object has ``key`` with a value other than null."""
        return isinstance(self.value, dict) and self.value.get(key) is not None

    def get(self, key: str) -> Node:
        """The field ``key`` of an object (missing or null: an error)."""
        if not isinstance(self.value, dict):
            raise self.fail(f"expected an object, got {type(self.value).__name__}")
        if self.value.get(key) is None:
            raise self.fail(f"missing field {key!r}")
        return Node(self.value[key], self.file, self._child_path(key))

    def optional(self, key: str) -> Node | None:
        """The field ``key``, or None when missing or null."""
        return self.get(key) if self.has(key) else None

    def items(self) -> Iterator[Node]:
        """The elements of a list."""
        if not isinstance(self.value, list):
            raise self.fail(f"expected a list, got {type(self.value).__name__}")
        for index, value in enumerate(self.value):
            yield Node(value, self.file, self._child_path(index))

    def text(self) -> str:
        if not isinstance(self.value, str) or not self.value:
            raise self.fail(f"expected a non-empty string, got {self.value!r}")
        return self.value

    def number(self, *, minimum: float | None = None) -> float:
        if isinstance(self.value, bool) or not isinstance(self.value, int | float):
            raise self.fail(f"expected a number, got {self.value!r}")
        if minimum is not None and self.value < minimum:
            raise self.fail(f"expected a number of at least {minimum:g}, got {self.value!r}")
        return float(self.value)

    def moment(self) -> dt.datetime:
        """An ISO 8601 timestamp with a UTC offset."""
        text = self.text()
        try:
            moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise self.fail(f"expected an ISO 8601 time, got {text!r}") from None
        if moment.tzinfo is None:
            raise self.fail(f"expected a time with a UTC offset, got {text!r}")
        return moment

    def time_zone(self) -> str:
        """An IANA time zone name."""
        text = self.text()
        try:
            zoneinfo.ZoneInfo(text)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise self.fail(f"unknown time zone {text!r} (expected an IANA name)") from None
        return text

    def time_of_day(self) -> tuple[int, int, int]:
        """'HH:MM:SS' (or 'HH:MM') as hours, minutes, seconds."""
        text = self.text()
        match = re.fullmatch(r"(\d{2}):(\d{2})(?::(\d{2}))?(?:Z)?", text)
        if not match or int(match[1]) > 23 or int(match[2]) > 59:
            raise self.fail(f"expected a time of day HH:MM:SS, got {text!r}")
        return int(match[1]), int(match[2]), int(match[3] or 0)


def read_json(path: Path) -> Node:
    """A JSON file as a located node; malformed JSON names the line and column."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ImportInputError(path, "$", f"cannot read: {error}") from None
    try:
        return Node(json.loads(text), path)
    except json.JSONDecodeError as error:
        truncated = error.pos >= len(text.rstrip()) or error.msg.startswith("Unterminated")
        hint = " (the file looks truncated)" if truncated else ""
        raise ImportInputError(
            path, f"line {error.lineno} column {error.colno}", f"invalid JSON: {error.msg}{hint}"
        ) from None
