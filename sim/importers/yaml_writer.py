"""Write an imported scenario as a commented YAML file: a header with the import report, and a
comment naming the source of every imported object."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import yaml

from sim.importers.report import ImportReport

HEADER_WIDTH = 98


def comment_lines(text: str, indent: str = "") -> list[str]:
    """``text`` as comment lines wrapped to the header width."""
    wrapped = textwrap.wrap(text, HEADER_WIDTH - len(indent) - 2) or [""]
    return [f"{indent}# {line}".rstrip() for line in wrapped]


def header_lines(title: str, sources: list[str], report: ImportReport) -> list[str]:
    """The file header: where the scenario came from and the three lists of the report."""
    lines = comment_lines(title)
    lines += comment_lines("Sources: " + ", ".join(sources))
    for name, entries in report.sections():
        lines.append(f"# {name.upper()} ({len(entries)}):")
        for entry in entries:
            wrapped = textwrap.wrap(entry, HEADER_WIDTH - 6) or [""]
            lines.append(f"#   - {wrapped[0]}")
            lines += [f"#     {line}" for line in wrapped[1:]]
    return lines


def _dump(value: Any) -> str:
    return yaml.safe_dump(value, sort_keys=False, default_flow_style=False, allow_unicode=True)


def render_scenario(
    document: dict[str, Any],
    header: list[str],
    comments: dict[tuple[str, int], str],
) -> str:
    """YAML text of ``document``; ``comments[(section, index)]`` goes above that list item."""
    out = [*header, ""]
    for key, value in document.items():
        if isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
            out.append(f"{key}:")
            for index, item in enumerate(value):
                if (key, index) in comments:
                    out += comment_lines(comments[(key, index)], "  ")
                out.append(textwrap.indent(_dump([item]).rstrip("\n"), "  "))
        else:
            out.append(_dump({key: value}).rstrip("\n"))
    return "\n".join(out) + "\n"


def write_scenario(path: Path, text: str) -> None:
    """Write the scenario file (its folder is created if needed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
