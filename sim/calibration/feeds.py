"""History readers for JSON feeds and the LANL file: PagerDuty, status pages, LANL.

Each returns a :class:`sim.calibration.history.History` (see there for the columns and for what
each format holds); timestamps without a UTC offset in PagerDuty exports are read in the
response's ``time_zone``; errors name the file and the JSON path of the record.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from sim.calibration.history import (
    SEVERITY_NAMES,
    History,
    HistoryError,
    _check_order,
    _finish,
    _parse_instants,
)

_STATUSPAGE_IMPACT = {"critical": "P1", "major": "P2", "minor": "P3", "none": "P4"}
_CLOUD_SEVERITY = {"high": "P1", "medium": "P2", "low": "P3"}


def _load_json(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise HistoryError(f"{path}: not valid JSON ({error})") from None


def _instant(value: object, where: str, zone: str | None) -> pd.Timestamp:
    """One timestamp of a JSON record; without an offset it is read in ``zone``."""
    if value is None or value == "":
        return pd.NaT
    try:
        stamp = pd.Timestamp(str(value))
    except (ValueError, TypeError):
        raise HistoryError(f"{where}: {value!r} is not a timestamp") from None
    if stamp.tzinfo is None:
        if zone is None:
            raise HistoryError(f"{where}: {value!r} has no UTC offset and the file no time_zone")
        stamp = stamp.tz_localize(zone, ambiguous=False, nonexistent="shift_forward")
    return stamp.tz_convert("UTC")


def _name(value: object) -> str:
    if isinstance(value, dict):
        return str(value.get("summary") or value.get("name") or value.get("id") or "")
    return "" if value is None else str(value)


def _pagerduty_record(record: dict, where: str, zone: str | None) -> dict:
    started = _instant(record.get("created_at"), f"{where}.created_at", zone)
    if started is pd.NaT:
        raise HistoryError(f"{where}.created_at: missing")
    resolved = _instant(record.get("resolved_at"), f"{where}.resolved_at", zone)
    if resolved is pd.NaT and record.get("seconds_to_resolve") is not None:
        resolved = started + pd.Timedelta(seconds=float(record["seconds_to_resolve"]))
    if resolved is pd.NaT and record.get("status") == "resolved":
        resolved = _instant(record.get("last_status_change_at"), f"{where}.resolved_at", zone)
    ack = record.get("seconds_to_first_ack")
    priority = _name(record.get("priority_name") or record.get("priority")).upper()
    severity = priority if priority in SEVERITY_NAMES else ("P4" if priority == "P5" else None)
    teams = record.get("teams") or []
    service = record.get("service")
    row = {
        "service": _name(record.get("service_name") or record.get("service_id")) or _name(service),
        "service_id": str(
            record.get("service_id") or (service.get("id") if isinstance(service, dict) else "")
        ),
        "team": _name(record.get("team_name") or record.get("team_id"))
        or (_name(teams[0]) if teams else ""),
        "started": started,
        "resolved": resolved,
        "acknowledged": started + pd.Timedelta(seconds=float(ack)) if ack is not None else pd.NaT,
        "severity": severity,
        "escalated": (
            bool(record["escalation_count"]) if record.get("escalation_count") is not None else None
        ),
    }
    for band in ("business", "off", "sleep"):
        key = f"{band}_hour_interruptions"
        row[f"interruptions_{band}"] = record.get(key)
    row["ack_known"] = "seconds_to_first_ack" in record or "auto_resolved" in record
    if record.get("auto_resolved"):
        row["escalated"] = False
    if not row["service"]:
        raise HistoryError(f"{where}: no service_id, service_name or service")
    return row


def read_pagerduty(path: str | Path) -> History:
    """PagerDuty raw-analytics incidents (``data``) or the incident list (``incidents``)."""
    path = Path(path)
    document = _load_json(path)
    if isinstance(document, list):
        records, key, zone = document, "", None
    elif isinstance(document, dict):
        key = "data" if "data" in document else "incidents"
        records = document.get(key)
        zone = document.get("time_zone")
    else:
        records, key, zone = None, "", None
    if not isinstance(records, list):
        raise HistoryError(f"{path}: expected a JSON object with a 'data' or 'incidents' list")
    rows = []
    for index, record in enumerate(records):
        where = f"{path}: {key}[{index}]" if key else f"{path}: [{index}]"
        if not isinstance(record, dict):
            raise HistoryError(f"{where}: expected an incident object")
        rows.append(_pagerduty_record(record, where, zone))
    frame = pd.DataFrame(rows)
    if not frame.empty:
        _check_order(frame, str(path), "resolved", lambda index: f"{key}[{index}]")
    return _finish(frame, str(path), "pagerduty", [])


def _statuspage_record(record: dict, where: str, page: str) -> dict:
    start_key = next((k for k in ("started_at", "begin", "created_at") if record.get(k)), None)
    if start_key is None:
        raise HistoryError(f"{where}: no started_at, begin or created_at")
    started = _instant(record[start_key], f"{where}.{start_key}", None)
    end_key = "resolved_at" if "resolved_at" in record else "end"
    resolved = _instant(record.get(end_key), f"{where}.{end_key}", None)
    impact = str(record.get("impact") or record.get("severity") or "").lower()
    severity = _STATUSPAGE_IMPACT.get(impact) or _CLOUD_SEVERITY.get(impact)
    return {
        "service": str(record.get("service_name") or page),
        "team": "",
        "started": started,
        "resolved": resolved,
        "severity": severity,
    }


def _drop_unusable_durations(frame: pd.DataFrame, notes: list[str]) -> None:
    zero = frame["resolved"] == frame["started"]
    negative = frame["resolved"] < frame["started"]
    if zero.any():
        notes.append(
            f"{int(zero.sum())} incident(s) with resolved = started (the page kept one "
            "timestamp): counted for rates, no duration"
        )
    if negative.any():
        notes.append(
            f"{int(negative.sum())} incident(s) resolved before they started (edited "
            "later): counted for rates, no duration"
        )
    frame.loc[zero | negative, "resolved"] = pd.NaT


def read_statuspage(path: str | Path) -> History:
    """A status page's incidents: JSON (two shapes) or the flattened GitHub status CSV."""
    path = Path(path)
    page = path.stem
    notes: list[str] = []
    if path.suffix.lower() == ".csv":
        raw = pd.read_csv(path, dtype=str, keep_default_na=False)
        missing = [c for c in ("started_at", "resolved_at") if c not in raw.columns]
        if missing:
            raise HistoryError(f"{path}:1: missing column(s) {', '.join(missing)}")
        frame = pd.DataFrame({"service": page, "team": ""}, index=raw.index)
        frame["started"] = _parse_instants(raw["started_at"], str(path), "started_at", True)
        frame["resolved"] = _parse_instants(raw["resolved_at"], str(path), "resolved_at", False)
        impact = raw["impact"].str.lower() if "impact" in raw else pd.Series("", index=raw.index)
        frame["severity"] = impact.map(_STATUSPAGE_IMPACT).astype(object)
        frame["severity"] = frame["severity"].where(frame["severity"].notna(), None)
    else:
        document = _load_json(path)
        records = document.get("incidents") if isinstance(document, dict) else document
        if not isinstance(records, list):
            raise HistoryError(f"{path}: expected a list of incidents or {{'incidents': [...]}}")
        rows = []
        for index, record in enumerate(records):
            if not isinstance(record, dict):
                raise HistoryError(f"{path}: [{index}]: expected an incident object")
            rows.append(_statuspage_record(record, f"{path}: [{index}]", page))
        frame = pd.DataFrame(rows)
    if not frame.empty:
        _drop_unusable_durations(frame, notes)
    return _finish(frame, str(path), "statuspage", notes)


def read_lanl(path: str | Path) -> History:
    """LANL failure records: one service per system, times localised to America/Denver."""
    from sim.calibration.figures import LANL_TZ, load_lanl_failures

    try:
        raw = load_lanl_failures(path)
    except (KeyError, ValueError) as error:
        raise HistoryError(f"{path}: not a LANL failure file ({error})") from None
    # Fall-back hours are read as standard time, spring-forward gaps move forward: the LANL
    # clock is wall time and DST is not recorded.
    started = raw["started"].dt.tz_localize(
        LANL_TZ, ambiguous=np.zeros(len(raw), dtype=bool), nonexistent="shift_forward"
    )
    frame = pd.DataFrame(
        {
            "service": "system-" + raw["system"].astype(str),
            "team": "lanl",
            "started": started.dt.tz_convert("UTC"),
            "severity": None,
        }
    )
    frame["resolved"] = frame["started"] + pd.to_timedelta(raw["duration_minutes"], unit="min")
    notes: list[str] = []
    _drop_unusable_durations(frame, notes)
    return _finish(frame, str(path), "lanl", notes)
