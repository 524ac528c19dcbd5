"""What an import carried over: mapped as it is, approximated (with the rule used), dropped
(with the reason). The same lists head the scenario file and are printed by the command."""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass
class ImportReport:
    """The three lists of an import, each entry one line of plain text, in the order found;
    with ``--incidents``, a fourth: where each service's rate came from."""

    mapped: list[str] = field(default_factory=list)
    approximated: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    rates: list[str] = field(default_factory=list)
    """Per service: fitted from the incident history (with n), pooled, or left a placeholder
    (empty without ``--incidents``)."""

    def map(self, line: str) -> None:
        self.mapped.append(line)

    def approximate(self, line: str) -> None:
        self.approximated.append(line)

    def drop(self, line: str) -> None:
        if line not in self.dropped:
            self.dropped.append(line)

    def rate(self, line: str) -> None:
        self.rates.append(line)

    def sections(self) -> list[tuple[str, list[str]]]:
        """The lists in order; ``rates`` only when an incident history filled them."""
        sections = [
            ("mapped", self.mapped),
            ("approximated", self.approximated),
            ("dropped", self.dropped),
        ]
        return sections + ([("rates", self.rates)] if self.rates else [])


def slug(display: str) -> str:
    """The identifier a display name becomes (lower case, runs of other characters a hyphen),
    before :class:`Names` makes it unique."""
    return re.sub(r"[^a-z0-9_]+", "-", display.lower()).strip("-")[:56]


class Names:
    """Scenario identifiers derived from display names: lower case, hyphens, unique."""

    def __init__(self) -> None:
        self._taken: set[str] = set()

    def make(self, display: str) -> str:
        base = slug(display) or "unnamed"
        if not base[0].isalnum():
            base = f"x{base}"
        name, number = base, 2
        while name in self._taken:
            name, number = f"{base}-{number}", number + 1
        self._taken.add(name)
        return name


def print_import_report(
    console, report: ImportReport, checks: list, out, placeholders: list[str]
) -> None:
    """The import report on the terminal: the lists, the rendering checks, the file, and the
    services whose ``alerts_per_week`` is still a placeholder."""
    styles = {"mapped": "green", "approximated": "yellow", "dropped": "red", "rates": "cyan"}
    for name, entries in report.sections():
        console.print(f"[{styles[name]}]{name}[/{styles[name]}] ({len(entries)})")
        for entry in entries:
            console.print(f"  - {entry}", markup=False, highlight=False, soft_wrap=True)
    for check in checks:
        verdict = "same person" if not check.mismatches else f"{len(check.mismatches)} differ"
        console.print(
            f"timeline check, team {check.team}: {check.instants} instants, {verdict}",
            highlight=False,
        )
    if not placeholders:
        console.print(f"Wrote {out}. No service's alerts_per_week is a placeholder.")
        return
    console.print(
        f"Wrote {out}. [bold red]alerts_per_week of {', '.join(placeholders)} "
        f"{'is a placeholder' if len(placeholders) == 1 else 'are placeholders'}[/bold red]: "
        f"set {'it' if len(placeholders) == 1 else 'them'} from your incident history (see the "
        "file header, or import again with --incidents) before `oncall-sim run`.",
        soft_wrap=True,
    )
