"""What an import carried over: mapped as it is, approximated (with the rule used), dropped
(with the reason). The same lists head the scenario file and are printed by the command."""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass
class ImportReport:
    """The three lists of an import, each entry one line of plain text, in the order found."""

    mapped: list[str] = field(default_factory=list)
    approximated: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)

    def map(self, line: str) -> None:
        self.mapped.append(line)

    def approximate(self, line: str) -> None:
        self.approximated.append(line)

    def drop(self, line: str) -> None:
        if line not in self.dropped:
            self.dropped.append(line)

    def sections(self) -> list[tuple[str, list[str]]]:
        return [
            ("mapped", self.mapped),
            ("approximated", self.approximated),
            ("dropped", self.dropped),
        ]


class Names:
    """Scenario identifiers derived from display names: lower case, hyphens, unique."""

    def __init__(self) -> None:
        self._taken: set[str] = set()

    def make(self, display: str) -> str:
        base = re.sub(r"[^a-z0-9_]+", "-", display.lower()).strip("-")[:56] or "unnamed"
        if not base[0].isalnum():
            base = f"x{base}"
        name, number = base, 2
        while name in self._taken:
            name, number = f"{base}-{number}", number + 1
        self._taken.add(name)
        return name


def print_import_report(console, report: ImportReport, checks: list, out) -> None:
    """The import report on the terminal: the three lists, the rendering checks, the file."""
    for name, entries in report.sections():
        style = {"mapped": "green", "approximated": "yellow", "dropped": "red"}[name]
        console.print(f"[{style}]{name}[/{style}] ({len(entries)})")
        for entry in entries:
            console.print(f"  - {entry}", markup=False, highlight=False, soft_wrap=True)
    for check in checks:
        verdict = "same person" if not check.mismatches else f"{len(check.mismatches)} differ"
        console.print(
            f"timeline check, team {check.team}: {check.instants} instants, {verdict}",
            highlight=False,
        )
    console.print(
        f"Wrote {out}. [bold red]alerts_per_week are placeholders[/bold red]: set them from "
        "your incident history (see the file header) before `oncall-sim run`."
    )
