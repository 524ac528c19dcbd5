"""What one run leaves behind: a record per alert and a record per page."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

STATE_PREVENTED = 0
STATE_AUTO_RESOLVED = 1
STATE_RESOLVED = 2
STATE_NAMES = ("prevented", "auto_resolved", "resolved")


@dataclass(frozen=True)
class RunRecords:
    """Event records of one run of one variant.

    Per alert (in this model an alert is its own incident), indexed like the alert stream:
        state: terminal state (STATE_*); every alert ends in exactly one.
        start_minutes: when the incident started (or would have, if prevented).
        first_page_minutes / first_page_person: the first page (NaN / -1 without a page).
        ack_minutes / ack_person: the acknowledgement that took the incident.
        highest_level: 0-based position in the escalation chain of the last person paged (-1 none).
        work_start_minutes: when the person who acknowledged started working on it.
        resolved_minutes: when the incident ended (NaN if prevented).
    Per page, in the order pages were sent:
        page_alert, page_minutes, page_person, page_level.
    """

    state: np.ndarray
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
    simpy_events: int
