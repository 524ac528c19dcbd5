"""Incident histories from files, as one normalised table.

Every reader returns a :class:`History`: one row per incident with the columns

* ``service``, ``team`` (strings; ``team`` is ``""`` when the source does not say);
* ``service_id``: the paging tool's id of the service (a PagerDuty export's ``service_id``,
  or the ``id`` of its ``service`` reference; ``""`` when the source has none);
* ``started``, ``resolved``, ``acknowledged`` (tz-aware UTC timestamps; ``NaT`` when unknown);
* ``severity`` (``"P1"``..``"P4"`` or ``None``), ``escalated`` (``True``/``False``/``None``);
* ``ack_known`` (``True`` where the source records acknowledgements, so that ``NaT`` in
  ``acknowledged`` means *never acknowledged*: the generic CSV with an ``acknowledged_at``
  column, PagerDuty records with ``seconds_to_first_ack`` or ``auto_resolved``);
* for PagerDuty exports, ``interruptions_business``/``_off``/``_sleep`` (per incident).

Formats (:func:`sim.calibration.readers.read_history`, which detects the format when it is
not given):

* ``csv``, the documented generic format: one row per incident, columns ``service``,
  ``started_at``, ``resolved_at`` (ISO 8601 with a UTC offset; ``resolved_at`` may be empty for
  an open incident), optional ``severity`` (P1-P4), ``acknowledged_at``, ``team``, ``escalated``
  (true/false). Any error names the file, line and column.
* ``pagerduty``: the raw-analytics incident records (``{"data": [...], "time_zone": ...}``) or
  the plain incident list (``{"incidents": [...]}``) as JSON.
* ``statuspage``: a status page's incident JSON (statuspage.io ``started_at/resolved_at/impact``
  or the ``begin/end/severity/service_name`` shape of a public cloud feed), or the flattened
  GitHub status CSV in ``data/``. One service per page. Zero durations (the page kept one
  timestamp) and incidents resolved before they started (edited later) keep their start but
  lose their duration, and the history says how many in its ``notes``.
* ``lanl``: the LANL HPC failure records in ``data/`` (one service per system, naive
  America/Denver times, recorded downtime preferred).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

FORMATS = ("csv", "pagerduty", "statuspage", "lanl")
SEVERITY_NAMES = ("P1", "P2", "P3", "P4")
COLUMNS = ("service", "team", "started", "resolved", "acknowledged", "severity", "escalated")
_OFFSET = re.compile(r"(Z|[+-]\d\d(:?\d\d)?)$", re.IGNORECASE)


class HistoryError(ValueError):
    """An incident history cannot be read; str() names the file, line or JSON path, and field."""


@dataclass(frozen=True)
class History:
    """One row per incident (see the module docstring for the columns)."""

    incidents: pd.DataFrame
    source: str
    format: str
    notes: tuple[str, ...] = field(default=())
    """What the reader did that a user should know (rows whose duration was dropped, ...)."""

    def __len__(self) -> int:
        return len(self.incidents)

    @property
    def durations_minutes(self) -> pd.Series:
        """Start to resolution, in minutes (NaN where unknown)."""
        frame = self.incidents
        return (frame["resolved"] - frame["started"]).dt.total_seconds() / 60.0

    def only(self, services: list[str]) -> History:
        """The incidents of the named services (every name must occur in the history)."""
        known = set(self.incidents["service"])
        missing = [name for name in services if name not in known]
        if missing:
            raise HistoryError(
                f"{self.source}: no incidents of service(s) {', '.join(missing)}; the history "
                f"has {', '.join(sorted(known)[:12])}{' ...' if len(known) > 12 else ''}"
            )
        keep = self.incidents["service"].isin(services)
        return History(
            self.incidents[keep].reset_index(drop=True), self.source, self.format, self.notes
        )

    def between(self, start: pd.Timestamp | None, end: pd.Timestamp | None) -> History:
        """The incidents that started in ``[start, end)`` (None: open-ended)."""
        keep = pd.Series(True, index=self.incidents.index)
        if start is not None:
            keep &= self.incidents["started"] >= start
        if end is not None:
            keep &= self.incidents["started"] < end
        return History(self.incidents[keep].reset_index(drop=True), self.source, self.format)


def _finish(frame: pd.DataFrame, source: str, fmt: str, notes: list[str]) -> History:
    if frame.empty:
        raise HistoryError(f"{source}: the history has no incidents")
    for column in COLUMNS:
        if column in ("resolved", "acknowledged"):
            values = frame.get(column, pd.NaT)
            frame[column] = pd.to_datetime(pd.Series(values, index=frame.index), utc=True)
        elif column not in frame:
            frame[column] = None
    for column in ("severity", "escalated"):
        values = frame[column].astype(object)
        frame[column] = values.where(values.notna(), None)
    known = frame.get("ack_known", False)
    frame["ack_known"] = pd.Series(known, index=frame.index).fillna(False).astype(bool)
    frame["team"] = frame["team"].fillna("").astype(str)
    frame["service_id"] = frame.get("service_id", pd.Series("", index=frame.index))
    frame["service_id"] = frame["service_id"].fillna("").astype(str)
    frame["service"] = frame["service"].astype(str)
    frame = frame.sort_values("started", kind="stable").reset_index(drop=True)
    return History(frame, source, fmt, tuple(notes))


# ------------------------------------------------------------------------------------ csv


def _parse_instants(raw: pd.Series, source: str, column: str, required: bool) -> pd.Series:
    """ISO 8601 instants with a UTC offset; the first bad cell raises with its line."""
    text = raw.astype("string").str.strip()
    empty = text.isna() | (text == "")
    for index in text.index[~empty]:
        if not _OFFSET.search(text[index]):
            raise HistoryError(
                f"{source}:{index + 2}: {column}: {text[index]!r} has no UTC offset "
                "(write e.g. 2024-03-01T09:15:00+01:00 or ...Z)"
            )
    parsed = pd.to_datetime(text.where(~empty), utc=True, format="ISO8601", errors="coerce")
    bad = parsed.isna() & ~empty
    if bad.any():
        index = bad.idxmax()
        raise HistoryError(
            f"{source}:{index + 2}: {column}: {text[index]!r} is not an ISO 8601 timestamp"
        )
    if required and empty.any():
        raise HistoryError(f"{source}:{empty.idxmax() + 2}: {column}: empty (it is required)")
    return parsed


def _check_order(frame: pd.DataFrame, source: str, later: str, line_of) -> None:
    wrong = frame[later].notna() & (frame[later] < frame["started"])
    if wrong.any():
        index = wrong.idxmax()
        raise HistoryError(
            f"{source}:{line_of(index)}: {later}_at {frame.loc[index, later]} is before "
            f"started_at {frame.loc[index, 'started']}"
        )


def read_csv_history(path: str | Path) -> History:
    """The documented generic CSV (module docstring); every error names its line and column."""
    source = str(path)
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    except pd.errors.EmptyDataError:
        raise HistoryError(f"{source}: the history has no incidents (empty file)") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as error:
        raise HistoryError(f"{source}: not a readable CSV file ({error})") from None
    raw.columns = [column.strip() for column in raw.columns]
    missing = [c for c in ("service", "started_at", "resolved_at") if c not in raw.columns]
    if missing:
        raise HistoryError(
            f"{source}:1: missing column(s) {', '.join(missing)}; the generic format needs "
            "service, started_at, resolved_at (optional severity, acknowledged_at, team, "
            "escalated)"
        )
    if raw.empty:
        raise HistoryError(f"{source}: the history has no incidents (only a header)")
    empty_service = raw["service"].str.strip() == ""
    if empty_service.any():
        raise HistoryError(f"{source}:{empty_service.idxmax() + 2}: service: empty")
    frame = pd.DataFrame({"service": raw["service"].str.strip()})
    frame["team"] = raw["team"].str.strip() if "team" in raw else ""
    frame["started"] = _parse_instants(raw["started_at"], source, "started_at", True)
    frame["resolved"] = _parse_instants(raw["resolved_at"], source, "resolved_at", False)
    frame["acknowledged"] = (
        _parse_instants(raw["acknowledged_at"], source, "acknowledged_at", False)
        if "acknowledged_at" in raw
        else pd.Series(pd.NaT, index=raw.index, dtype="datetime64[ns, UTC]")
    )
    frame["ack_known"] = "acknowledged_at" in raw
    for later in ("resolved", "acknowledged"):
        _check_order(frame, source, later, lambda index: index + 2)
    frame["severity"] = _csv_severity(raw, source)
    frame["escalated"] = _csv_escalated(raw, source)
    notes = []
    open_incidents = int(frame["resolved"].isna().sum())
    if open_incidents:
        notes.append(f"{open_incidents} incident(s) without resolved_at: no duration")
    return _finish(frame, source, "csv", notes)


def _csv_severity(raw: pd.DataFrame, source: str) -> pd.Series:
    if "severity" not in raw:
        return pd.Series([None] * len(raw), dtype=object)
    values = raw["severity"].str.strip().str.upper()
    bad = (values != "") & ~values.isin(SEVERITY_NAMES)
    if bad.any():
        index = bad.idxmax()
        raise HistoryError(
            f"{source}:{index + 2}: severity: {raw['severity'][index]!r} is not one of P1-P4"
        )
    return values.where(values != "", None).astype(object)


def _csv_escalated(raw: pd.DataFrame, source: str) -> pd.Series:
    if "escalated" not in raw:
        return pd.Series([None] * len(raw), dtype=object)
    values = raw["escalated"].str.strip().str.lower()
    mapping = {"true": True, "false": False, "1": True, "0": False, "yes": True, "no": False}
    bad = (values != "") & ~values.isin(list(mapping))
    if bad.any():
        index = bad.idxmax()
        raise HistoryError(
            f"{source}:{index + 2}: escalated: {raw['escalated'][index]!r} is not true/false"
        )
    return values.map(mapping).astype(object).where(values != "", None)
