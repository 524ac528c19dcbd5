"""What one run leaves behind: a record per alert and a record per page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sim.model.noise import NoiseRecords

STATE_PREVENTED = 0
STATE_AUTO_RESOLVED = 1
STATE_RESOLVED = 2
STATE_GROUPED = 3
STATE_SUPPRESSED = 4
STATE_SILENCED = 5
STATE_SELF_CLEARED = 6
STATE_TICKET = 7
STATE_UNPAGED = 8
STATE_CLEARED_WITH_ROOT = 9
STATE_NAMES = (
    "prevented",
    "auto_resolved",
    "resolved",
    "grouped",
    "suppressed",
    "silenced",
    "self_cleared",
    "ticket",
    "unpaged",
    "cleared_with_root",
)
#: The states of an alert that led an incident (a human's, self-healing's, or a symptom's
#: cleared with its root); prevented, grouped, suppressed and silenced alerts led none.
INCIDENT_STATES = (STATE_AUTO_RESOLVED, STATE_RESOLVED, STATE_CLEARED_WITH_ROOT)

PAGE_FIRST = 0
PAGE_REASSIGNMENT = 1
PAGE_CONSULT = 2
PAGE_NOTIFY = 3
PAGE_RETRIGGER = 4
PAGE_RACI_CONSULT = 5
PAGE_FLAP = 6
PAGE_KIND_NAMES = (
    "first",
    "reassignment",
    "consult",
    "notify",
    "re-trigger",
    "RACI consult",
    "flap",
)

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
            alert's incident), suppressed (inhibited: never paged), silenced (in a maintenance
            window: never paged), self_cleared (a transient alert that cleared before any
            page), ticket (SLO mode: a ticket rule caught it; worked in business hours, no
            page), unpaged (SLO mode: no rule caught it; worked in business hours, no page),
            cleared with root (led the incident of a cascade symptom that was still open when
            its root failure was fixed: it ended then, see :mod:`sim.model.world`).
        service, root: the alerting service, and the index of the alert of its root failure.
        start_minutes: when the incident started (or would have, if prevented).
        first_page_minutes / first_page_person: the first page (NaN / -1 without a page).
        ack_minutes / ack_person: the first acknowledgement (MTTA measures to it).
        pages_sent: pages the incident sent (every kind: escalations, re-triggers, consults).
        work_start_minutes: when the person who acknowledged started working on it.
        resolved_minutes: when the incident ended (NaN if prevented); for one cleared with
            root, the minute its root failure was fixed.
        worker: who worked the incident (after any handover).
        handover: HANDOVER_NONE, HANDOVER_REASSIGNMENT or HANDOVER_CONSULT.
        delayed_by_inhibition: an independent failure that waited for an inhibition to end.
        deferred: a low-urgency alert whose page waited for support hours.
        notify_only: a low-urgency alert outside support hours that notified without escalating.
        coverage_gap: a level of its policy named nobody when it was reached.
        retriggers: times its acknowledgement expired before resolution.
        raci_consults: pages to its service's Consulted teams (major incidents).
        caused_by: for an incident caused by a tired person's mistake, the incident whose fix
            caused it (-1 otherwise). These endogenous alerts follow the exogenous ones.
    Per person: leave and rest, lists of (start, end) minutes away; sleep_pages, pages received
    in the person's sleep hours.
    Per page, in the order pages were sent:
        page_alert, page_minutes, page_person, page_level (position in its escalation chain),
        page_kind (PAGE_FIRST, PAGE_REASSIGNMENT, PAGE_CONSULT, PAGE_NOTIFY, PAGE_RETRIGGER,
        PAGE_RACI_CONSULT, PAGE_FLAP: a flapping alert's re-fire),
        page_policy (index into CompiledScenario.policies of the policy that paged).
    """

    state: np.ndarray
    service: np.ndarray
    root: np.ndarray
    start_minutes: np.ndarray
    first_page_minutes: np.ndarray
    first_page_person: np.ndarray
    ack_minutes: np.ndarray
    ack_person: np.ndarray
    pages_sent: np.ndarray
    work_start_minutes: np.ndarray
    resolved_minutes: np.ndarray
    page_alert: np.ndarray
    page_minutes: np.ndarray
    page_person: np.ndarray
    page_level: np.ndarray
    page_kind: np.ndarray
    page_policy: np.ndarray
    worker: np.ndarray
    handover: np.ndarray
    delayed_by_inhibition: np.ndarray
    simpy_events: int
    deferred: np.ndarray
    notify_only: np.ndarray
    coverage_gap: np.ndarray
    retriggers: np.ndarray
    raci_consults: np.ndarray
    caused_by: np.ndarray
    leave: tuple[list[tuple[float, float]], ...]
    rest: tuple[list[tuple[float, float]], ...]
    sleep_pages: np.ndarray
    noise: NoiseRecords | None = None
    """Transient flags and error budget spent (:mod:`sim.model.noise`); None: not recorded."""
