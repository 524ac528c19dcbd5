"""Read any supported history: the format is given or detected from the file's first bytes.

See :mod:`sim.calibration.history` for the formats and the normalised table they all give.
"""

from __future__ import annotations

from pathlib import Path

from sim.calibration.feeds import read_lanl, read_pagerduty, read_statuspage
from sim.calibration.history import FORMATS, History, HistoryError, read_csv_history


def detect_format(path: Path) -> str:
    """Guess a history's format from its first bytes (JSON shape or CSV header)."""
    with path.open(encoding="utf-8", errors="replace") as handle:
        head = handle.read(4096)
    stripped = head.lstrip()
    if stripped.startswith(("{", "[")):
        if '"seconds_to_resolve"' in head or ('"incidents"' in head and '"urgency"' in head):
            return "pagerduty"
        if '"data"' in head and '"created_at"' in head:
            return "pagerduty"
        return "statuspage"
    header = stripped.splitlines()[0].lower() if stripped else ""
    names = [name.strip() for name in header.split(",")]
    if "system" in names and "downtime_minutes" in names:
        return "lanl"
    if "service" in names:
        return "csv"
    if "impact" in names and "started_at" in names:
        return "statuspage"
    return "csv"


def read_history(path: str | Path, fmt: str | None = None) -> History:
    """Read an incident history (see the module docstring); errors are :class:`HistoryError`."""
    path = Path(path)
    if not path.is_file():
        raise HistoryError(f"{path}: no such file")
    fmt = fmt or detect_format(path)
    readers = {
        "csv": read_csv_history,
        "pagerduty": read_pagerduty,
        "statuspage": read_statuspage,
        "lanl": read_lanl,
    }
    if fmt not in readers:
        raise HistoryError(f"{path}: unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return readers[fmt](path)
