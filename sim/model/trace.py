"""The model's event trace: one typed record per thing that happened, for ``oncall-sim trace``.

A run collects a trace only when asked (``simulate(..., trace=[])``); the timeline
(:mod:`sim.report.timeline`) turns it into readable lines.
"""

from __future__ import annotations

from typing import NamedTuple


class TraceEvent(NamedTuple):
    """One event of a run.

    Attributes:
        time_minutes: when it happened (simulation minutes).
        kind: ``page``, ``gap`` (a level named nobody), ``ack``, ``reassign``, ``consult``,
            ``retrigger``, ``resolve``, ``group``, ``suppress``, ``inhibited``, ``mistake``,
            ``substitute`` (someone away: another person covers), ``clear`` (a paged
            transient alert cleared on its own) or ``clear_with_root`` (a symptom's incident
            ends: its root failure was fixed).
        alert: the alert (incident) it concerns.
        person: who was paged, acknowledged, handed over, resolved, or made the mistake; for
            ``substitute``, who covers (-1: nobody).
        level: the position in the escalation chain (``page``, ``gap``; -1 otherwise).
        policy: index into ``CompiledScenario.policies`` of the policy (``page``, ``gap``).
        page_kind: PAGE_* of a ``page`` (-1 otherwise).
        other_alert: ``group``: the incident's lead alert; ``mistake``: the new incident;
            ``clear``: the root failure's alert.
        away_person: ``substitute``: who is away (on leave or resting).
    """

    time_minutes: float
    kind: str
    alert: int
    person: int = -1
    level: int = -1
    policy: int = -1
    page_kind: int = -1
    other_alert: int = -1
    away_person: int = -1
