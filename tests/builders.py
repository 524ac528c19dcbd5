"""Small hand-made scenarios and the repository's paths, shared by the tests."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import numpy as np

from sim.generator import AlertStream
from sim.generator.alerts import EXTRA_ACK_PAGES, NOISE_COLUMNS
from sim.model import AutomationOutcome, RunRecords, World
from sim.model.noise import NoiseRecords
from sim.model.paging import PagingDecision
from sim.model.trace import TraceEvent
from sim.scenario import Scenario

REPO = Path(__file__).resolve().parents[1]
SCENARIOS = sorted((REPO / "scenarios").rglob("*.yaml"))


def small_scenario_document(**changes: Any) -> dict[str, Any]:
    """A one-team, one-service scenario in UTC, as plain data; `changes` replace top-level keys."""
    document: dict[str, Any] = {
        "name": "hand-made",
        "horizon": {"weeks": 4, "start_date": "2026-01-05", "time_zone": "UTC", "seed": 7},
        "teams": [
            {
                "name": "infra",
                "engineers": ["ana", "ben", "cem"],
                "rotation": {"shift": "weekly", "handoff_day": "Mon", "handoff_time": "09:00"},
            }
        ],
        "services": [{"name": "db", "team": "infra", "alerts_per_week": 10}],
        "escalation": {"ack_timeout_minutes": 15, "levels": ["primary", "secondary", "manager"]},
    }
    document.update(copy.deepcopy(changes))
    return document


def small_scenario(**changes: Any) -> Scenario:
    return Scenario.model_validate(small_scenario_document(**changes))


def hand_made_outcome(page_minutes, work_minutes, ack_delay_minutes, **fields) -> AutomationOutcome:
    """Automation outcomes for incidents given directly: nothing prevented or auto-resolved, a
    page at each time (NaN: none), the given work and ack delays (the k-th page of an
    incident's chain uses column k). ``fields`` sets the other outcome arrays; by default root
    identification is always right, triage takes no time, no runbook lets a shared responder
    fix it, and a handover's ack delays are the alert's own."""
    page_minutes = np.asarray(page_minutes, float)
    alerts = len(page_minutes)
    ack = np.asarray(ack_delay_minutes, float)
    ack = ack.reshape(alerts, -1) if alerts else np.zeros((0, 3))
    defaults = {
        "prevented": np.zeros(alerts, bool),
        "runbook_ran": np.zeros(alerts, bool),
        "auto_resolved": np.zeros(alerts, bool),
        "auto_resolved_minutes": np.full(alerts, np.nan),
        "route_correct": np.ones(alerts, bool),
        "triage_minutes": np.zeros(alerts),
        "runbook_fix": np.zeros(alerts, bool),
        "handover_ack_delay_minutes": ack,
    }
    return AutomationOutcome(
        page_minutes=page_minutes,
        work_minutes=np.broadcast_to(np.asarray(work_minutes, float), (alerts,)).copy(),
        ack_delay_minutes=ack,
        **{**defaults, **fields},
    )


P3 = 2  # severity index of P3 (sim.scenario.fields.SEVERITIES)


def hand_made_world(
    compiled,
    outcome: AutomationOutcome,
    *,
    service=None,
    severity=None,
    paging: PagingDecision | None = None,
    start_minutes=None,
    root=None,
    trace: list[TraceEvent] | None = None,
    seed: tuple[int, int] = (0, 0),
) -> World:
    """The SimPy world on hand-made incidents: service 0 and severity P3 unless given, no paging
    rules unless ``paging`` is given, each incident starting at its page time unless
    ``start_minutes`` is given."""
    alerts = len(outcome.page_minutes)
    page_minutes = np.asarray(outcome.page_minutes, float)
    if paging is None:
        nothing = np.zeros(alerts, bool)
        paging = PagingDecision(page_minutes, nothing, nothing.copy(), nothing.copy())
    return World(
        compiled,
        np.zeros(alerts, np.int64) if service is None else np.asarray(service),
        outcome,
        trace=trace,
        root=None if root is None else np.asarray(root),
        start_minutes=page_minutes if start_minutes is None else np.asarray(start_minutes, float),
        severity=np.full(alerts, P3, np.int8) if severity is None else np.asarray(severity),
        paging=paging,
        seed=seed,
    )


def brief(trace: list[TraceEvent]) -> list[tuple]:
    """(time, kind, alert, person, level) of each trace event, what exact-trace tests pin, with
    the other alert last where there is one (``group``: the lead; ``mistake``: the new one) and
    the person away last for a ``substitute``."""
    return [
        (e.time_minutes, e.kind, e.alert, e.person, e.level)
        + ((e.other_alert,) if e.other_alert >= 0 else ())
        + ((e.away_person,) if e.away_person >= 0 else ())
        for e in trace
    ]


def hand_made_stream(time_minutes, service, severity, uniforms, **fields) -> AlertStream:
    """An alert stream given directly: every alert its own root failure (depth 0), the extra
    ack uniforms (4th to 8th page) 0.5, seed (0, 0) unless ``fields`` set them."""
    alerts = len(time_minutes)
    defaults = {
        "root": np.arange(alerts, dtype=np.int64),
        "depth": np.zeros(alerts, dtype=np.int8),
        "extra_ack_uniforms": np.full((alerts, EXTRA_ACK_PAGES), 0.5),
        "seed": (0, 0),
        "noise_uniforms": np.full((alerts, len(NOISE_COLUMNS)), 0.5),
    }
    return AlertStream(
        np.asarray(time_minutes, float), service, severity, uniforms, **{**defaults, **fields}
    )


def hand_made_records(
    alerts: list[dict[str, Any]],
    pages: list[tuple],
    people: int,
    budget_consumed: list[list[float]] | None = None,
) -> RunRecords:
    """Event records written by hand, for metrics tests.

    ``alerts``: one dict per alert with ``state`` and ``start`` (minutes) and any of ``service``
    (default 0), ``root`` (default: itself), ``first_page`` and ``first_person`` (default: the
    alert's first page in ``pages``), ``ack``, ``ack_person``, ``resolved``, ``handover``,
    ``delayed_by_inhibition``, ``deferred``, ``notify_only``, ``coverage_gap``, ``retriggers``,
    ``raci_consults``, ``caused_by``, ``transient``. ``pages``: (alert, minutes, person, level,
    kind, policy) in the order they were sent. ``budget_consumed``: (services, windows) error
    budget shares spent. Fields no KPI reads get neutral values.
    """
    count = len(alerts)

    def column(name: str, default: Any, dtype: Any) -> np.ndarray:
        return np.array([alert.get(name, default) for alert in alerts], dtype=dtype)

    page_alert = np.array([page[0] for page in pages], dtype=np.int64)
    page_minutes = np.array([page[1] for page in pages], dtype=float)
    page_person = np.array([page[2] for page in pages], dtype=np.int64)
    first_page = np.full(count, np.nan)
    first_person = np.full(count, -1, dtype=np.int64)
    for alert, minutes, person, *_ in reversed(pages):
        first_page[alert], first_person[alert] = minutes, person
    for index, alert in enumerate(alerts):
        first_page[index] = alert.get("first_page", first_page[index])
        first_person[index] = alert.get("first_person", first_person[index])
    pages_per_alert = np.bincount(page_alert, minlength=count)
    return RunRecords(
        state=column("state", 0, np.int8),
        service=column("service", 0, np.int64),
        root=np.array([alert.get("root", index) for index, alert in enumerate(alerts)], np.int64),
        start_minutes=column("start", np.nan, float),
        first_page_minutes=first_page,
        first_page_person=first_person,
        ack_minutes=column("ack", np.nan, float),
        ack_person=column("ack_person", -1, np.int64),
        pages_sent=pages_per_alert,
        work_start_minutes=column("ack", np.nan, float),
        resolved_minutes=column("resolved", np.nan, float),
        page_alert=page_alert,
        page_minutes=page_minutes,
        page_person=page_person,
        page_level=np.array([page[3] for page in pages], dtype=np.int64),
        page_kind=np.array([page[4] for page in pages], dtype=np.int8),
        page_policy=np.array([page[5] for page in pages], dtype=np.int64),
        worker=column("ack_person", -1, np.int64),
        handover=column("handover", 0, np.int8),
        delayed_by_inhibition=column("delayed_by_inhibition", False, bool),
        simpy_events=0,
        deferred=column("deferred", False, bool),
        notify_only=column("notify_only", False, bool),
        coverage_gap=column("coverage_gap", False, bool),
        retriggers=column("retriggers", 0, np.int64),
        raci_consults=column("raci_consults", 0, np.int64),
        caused_by=column("caused_by", -1, np.int64),
        leave=tuple([] for _ in range(people)),
        rest=tuple([] for _ in range(people)),
        sleep_pages=np.bincount(page_person, minlength=people),
        noise=NoiseRecords(
            column("transient", False, bool),
            np.array(budget_consumed if budget_consumed is not None else [[]], dtype=float),
        ),
    )
