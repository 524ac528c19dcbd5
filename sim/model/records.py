"""What one run leaves behind: a record per alert and a record per page."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

STATE_PREVENTED = 0
STATE_AUTO_RESOLVED = 1
STATE_RESOLVED = 2
STATE_GROUPED = 3
STATE_SUPPRESSED = 4
STATE_NAMES = ("prevented", "auto_resolved", "resolved", "grouped", "suppressed")

PAGE_FIRST = 0
PAGE_REASSIGNMENT = 1
PAGE_CONSULT = 2

HANDOVER_NONE = 0
HANDOVER_REASSIGNMENT = 1
HANDOVER_CONSULT = 2


@dataclass(frozen=True)
class RunRecords:
    """Event records of one run of one variant.

    Per alert, indexed like the alert stream (an alert that leads an incident carries the
    incident's records; a grouped alert points to nothing but its resolution time):
        state: terminal state (STATE_*); every alert ends in exactly one: prevented,
            auto-resolved, resolved (led an incident a human resolved), grouped (joined another
            alert's incident), suppressed (inhibited: never paged).
        service, root: the alerting service, and the index of the alert of its root failure.
        start_minutes: when the incident started (or would have, if prevented).
        first_page_minutes / first_page_person: the first page (NaN / -1 without a page).
        ack_minutes / ack_person: the first acknowledgement (MTTA measures to it).
        highest_level: number of pages of the incident minus one (-1: none; 0: one person).
        work_start_minutes: when the person who acknowledged started working on it.
        resolved_minutes: when the incident ended (NaN if prevented).
        worker: who worked the incident (after any handover).
        handover: HANDOVER_NONE, HANDOVER_REASSIGNMENT or HANDOVER_CONSULT.
        delayed_by_inhibition: an independent failure that waited for an inhibition to end.
    Per page, in the order pages were sent:
        page_alert, page_minutes, page_person, page_level (position in its escalation chain),
        page_kind (PAGE_FIRST, PAGE_REASSIGNMENT, PAGE_CONSULT), page_schedule (index into
        CompiledScenario.schedules of the rotation that named the person).
    """

    state: np.ndarray
    service: np.ndarray
    root: np.ndarray
    start_minutes: np.ndarray
    first_page_minutes: np.ndarray
    first_page_person: np.ndarray
    ack_minutes: np.ndarray
    ack_person: np.ndarray
    highest_level: np.ndarray
    work_start_minutes: np.ndarray
    resolved_minutes: np.ndarray
    page_alert: np.ndarray
    page_minutes: np.ndarray
    page_person: np.ndarray
    page_level: np.ndarray
    page_kind: np.ndarray
    page_schedule: np.ndarray
    worker: np.ndarray
    handover: np.ndarray
    delayed_by_inhibition: np.ndarray
    simpy_events: int
