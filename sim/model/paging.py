"""Paging decisions: the compiled paging rules applied to every alert of a run, in bulk.

They depend only on when an alert would page and on its severity and service, never on model
state, so they are decided before the SimPy world starts (rules: :mod:`sim.compile.paging`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.compile.paging import MODE_NOTIFY, MODE_PAGE, PagingTables


@dataclass(frozen=True)
class PagingDecision:
    """Per alert: when it pages after the rules, and which rule applied."""

    page_minutes: np.ndarray
    deferred: np.ndarray
    notify_only: np.ndarray
    silenced: np.ndarray


def _inside(windows: np.ndarray, times: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which times fall in a window, and the index of the first window starting after each."""
    following = np.searchsorted(windows[:, 0], times, side="right")
    inside = np.zeros(len(times), dtype=bool)
    candidate = following - 1
    valid = candidate >= 0
    inside[valid] = times[valid] < windows[candidate[valid], 1]
    return inside, following


def apply_paging_rules(
    tables: PagingTables,
    page_minutes: np.ndarray,
    severity: np.ndarray,
    service: np.ndarray,
) -> PagingDecision:
    """Apply the rules to every alert that would page (NaN page times are left alone)."""
    alerts = len(page_minutes)
    deferred = np.zeros(alerts, dtype=bool)
    notify_only = np.zeros(alerts, dtype=bool)
    silenced = np.zeros(alerts, dtype=bool)
    pages = ~np.isnan(page_minutes)
    if not tables.has_rules:
        return PagingDecision(page_minutes, deferred, notify_only, silenced)
    page_minutes = page_minutes.copy()
    for index, windows in enumerate(tables.maintenance_windows):
        if len(windows) == 0:
            continue
        chosen = np.flatnonzero(pages & (service == index))
        inside, _ = _inside(windows, page_minutes[chosen])
        silenced[chosen[inside]] = True
    low = pages & ~silenced & tables.low_urgency[service, severity]
    for index, windows in enumerate(tables.support_windows):
        mode = tables.low_urgency_mode[index]
        chosen = np.flatnonzero(low & (service == index)) if mode != MODE_PAGE else []
        if len(chosen):
            inside, following = _inside(windows, page_minutes[chosen])
            outside = chosen[~inside]
            if mode == MODE_NOTIFY:
                notify_only[outside] = True
                continue
            # No support window ahead (the first level's people are never in their support
            # hours in the rest of the simulated range): the alert pages at once.
            ahead = following[~inside] < len(windows)
            deferred[outside[ahead]] = True
            page_minutes[outside[ahead]] = windows[following[~inside][ahead], 0]
    page_minutes[silenced] = np.nan
    return PagingDecision(page_minutes, deferred, notify_only, silenced)
