"""Alert noise: transient alerts, pause before paging, flapping, and SLO burn-rate paging.

Decided in bulk before the SimPy world starts (like :mod:`sim.model.automation` and
:mod:`sim.model.paging`), from the generator's noise uniforms (``AlertStream.noise_uniforms``),
for every alert that would page after automation and the paging rules:

* **transient**: its uniform is below the service's ``transient_share`` (raising the share makes
  a superset of the same alerts transient). It fires at the alert's start and clears after its
  self-clear time; if it clears before its page would go out it *self-clears* (no page);
* **pause**: every alert's page waits ``pause_minutes``; a transient alert pages only if it is
  still firing then;
* **flapping**: after clearing, a transient alert fires again (uniform below
  ``flap_probability``, at most 3 times). Its first firing that outlasts the pause pages through
  the escalation policy (the incident, which ends when that firing clears). A later firing that
  outlasts the pause pages the first level again (a *flap page*), unless ``flap_rule: dedupe``
  and it came within ``flap_window_minutes`` of the clear: it joins the alert's incident;
* **SLO mode** (``paging.mode: slo``): alerts of services with an ``slo`` page only when a
  page burn rule fires (:mod:`sim.model.slo`); pause and flap rule do not apply to them.

In the world, a paged transient incident that clears is over: escalation stops and whoever works
it stops (:func:`clear_when_due`); a pool team works it to the end (simplification).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import simpy

from sim.compile import CompiledScenario
from sim.generator import AlertStream
from sim.model.automation import AutomationOutcome
from sim.model.paging import PagingDecision
from sim.model.records import PAGE_FLAP
from sim.model.slo import budget_consumed, decide_burn_paging
from sim.scenario.noise import MAX_REFIRES

FIRINGS = MAX_REFIRES + 1


@dataclass(frozen=True)
class NoiseDecision:
    """Per alert of a run (exogenous alerts, stream order), what noise does to it.

    Attributes:
        page_minutes: when the incident pages (NaN: it never pages).
        transient: a transient alert that would have paged.
        clear_minutes: when a paged transient incident clears on its own (inf otherwise).
        self_cleared: a transient alert that cleared before any page.
        ticket, unpaged: SLO mode, no page rule fired: a ticket rule did, or none did.
        ticket_opened_minutes: when the ticket rule fired (NaN otherwise).
        quiet_end_minutes: when a self-cleared, ticket or unpaged alert ended (NaN otherwise).
        firing_start, firing_end: (alerts, 4) each firing of a transient alert (NaN: none).
        flap_page_alert, flap_page_minutes: the flap pages, in time order.
    """

    page_minutes: np.ndarray
    transient: np.ndarray
    clear_minutes: np.ndarray
    self_cleared: np.ndarray
    ticket: np.ndarray
    unpaged: np.ndarray
    ticket_opened_minutes: np.ndarray
    quiet_end_minutes: np.ndarray
    firing_start: np.ndarray
    firing_end: np.ndarray
    flap_page_alert: np.ndarray
    flap_page_minutes: np.ndarray


def _firings(compiled: CompiledScenario, stream: AlertStream, transient: np.ndarray):
    """(alerts, 4) start and end minutes of each transient alert's firings, and re-fire gaps."""
    tables = compiled.noise
    alerts = len(stream)
    service = stream.service
    clear = np.zeros((alerts, FIRINGS))
    for index in np.unique(service[transient]):
        spec = tables.self_clear[index]
        chosen = transient & (service == index)
        columns = ["self_clear", *(f"self_clear_{k}" for k in range(1, FIRINGS))]
        clear[chosen] = np.stack(
            [spec.quantile(stream.noise_column(name)[chosen]) for name in columns], axis=1
        )
    start = np.full((alerts, FIRINGS), np.nan)
    end = np.full((alerts, FIRINGS), np.nan)
    gap = np.full((alerts, FIRINGS), np.nan)
    start[transient, 0] = stream.time_minutes[transient]
    end[transient, 0] = start[transient, 0] + clear[transient, 0]
    alive = transient.copy()
    for k in range(1, FIRINGS):
        alive &= stream.noise_column(f"refire_{k}") < tables.flap_probability[service]
        gap[alive, k] = tables.refire_after.quantile(
            stream.noise_column(f"refire_after_{k}")[alive]
        )
        start[alive, k] = end[alive, k - 1] + gap[alive, k]
        end[alive, k] = start[alive, k] + clear[alive, k]
    return start, end, gap


def decide_noise(
    compiled: CompiledScenario,
    stream: AlertStream,
    outcome: AutomationOutcome,
    paging: PagingDecision,
) -> NoiseDecision:
    """Apply the variant's noise settings and paging mode to a run's alerts."""
    tables = compiled.noise
    rule_page = paging.page_minutes
    needs = ~np.isnan(rule_page)
    transient = needs & (stream.noise_column("transient") < tables.transient_share[stream.service])
    start, end, gap = _firings(compiled, stream, transient)
    fields, page_at, later = _cause_mode(
        tables, stream.service, rule_page, transient, start, end, gap
    )
    if tables.slo_mode and tables.has_slo.any():
        _burn_mode(fields, later, compiled, stream, outcome, rule_page, transient, (start, end))
    flap_alert, flap_firing = np.nonzero(later)
    flap_minutes = page_at[flap_alert, flap_firing]
    order = np.argsort(flap_minutes, kind="stable")
    return NoiseDecision(
        **fields,
        transient=transient,
        self_cleared=transient & np.isnan(fields["page_minutes"]),
        firing_start=start,
        firing_end=end,
        flap_page_alert=flap_alert[order],
        flap_page_minutes=flap_minutes[order],
    )


def _cause_mode(tables, service, rule_page, transient, start, end, gap):
    """Pause, transient clears and flap pages of cause paging: the decision's fields, when
    each firing would page, and which firings send a flap page."""
    alerts = len(service)
    pause = tables.pause_minutes[service]
    # When each firing would page: the first after automation and the rules, re-fires at once.
    page_at = start + pause[:, None]
    page_at[:, 0] = rule_page + pause
    outlasts = end > page_at
    paging_firing = np.where(outlasts.any(axis=1), np.argmax(outlasts, axis=1), -1)
    rows = np.arange(alerts)
    page_minutes = np.where(transient, np.nan, rule_page + pause)
    paged = transient & (paging_firing >= 0)
    page_minutes[paged] = page_at[rows, paging_firing][paged]
    clear_minutes = np.full(alerts, math.inf)
    clear_minutes[paged] = end[rows, paging_firing][paged]
    later = outlasts & (np.arange(FIRINGS)[None, :] > paging_firing[:, None]) & paged[:, None]
    if tables.dedupe:
        later &= ~(gap <= tables.flap_window_minutes)
    fields = {
        "page_minutes": page_minutes,
        "clear_minutes": clear_minutes,
        "ticket": np.zeros(alerts, dtype=bool),
        "unpaged": np.zeros(alerts, dtype=bool),
        "ticket_opened_minutes": np.full(alerts, np.nan),
        "quiet_end_minutes": np.where(
            transient & ~paged, np.nanmax(end, axis=1, initial=-1), np.nan
        ),
    }
    return fields, page_at, later


def _burn_mode(fields, later, compiled, stream, outcome, rule_page, transient, firings):
    """SLO paging for the alerts of services with an SLO (:mod:`sim.model.slo`): replaces
    their page minutes, clears and quiet ends; no flap pages for them."""
    tables = compiled.noise
    service = stream.service
    start, end = firings
    in_slo = ~np.isnan(rule_page) & tables.has_slo[service]
    burn = decide_burn_paging(
        compiled,
        in_slo & ~transient,
        stream.time_minutes,
        rule_page,
        np.where(transient, tables.transient_impact, tables.impact[stream.severity]),
        (outcome.ack_delay_minutes[:, 0], outcome.work_minutes),
        service,
        (start, end),
        in_slo & transient,
    )
    page_minutes = fields["page_minutes"]
    page_minutes[in_slo] = burn.page_minutes[in_slo]
    later[in_slo] = False
    slo_transient = in_slo & transient
    paged = slo_transient & (burn.paging_firing >= 0)
    clear_minutes = fields["clear_minutes"]
    clear_minutes[slo_transient] = math.inf
    clear_minutes[paged] = end[np.arange(len(end)), burn.paging_firing][paged]
    quiet_end = fields["quiet_end_minutes"]
    quiet_end[in_slo] = burn.quiet_end_minutes[in_slo]
    quiet_end[slo_transient & ~paged] = np.nanmax(end[slo_transient & ~paged], axis=1)
    fields["ticket"] = burn.ticket & in_slo
    fields["ticket_opened_minutes"] = burn.ticket_opened_minutes
    fields["unpaged"] = in_slo & ~transient & np.isnan(page_minutes) & ~fields["ticket"]


def clear_when_due(world, alert: int, incident: simpy.Process, group=None):
    """End a paged transient incident when it clears: stop escalating, stop the work."""
    env = world.env
    table = world.table
    yield env.timeout(world.noise.clear_minutes[alert] - env.now)
    if not incident.is_alive or table.routed_policy[alert] in world.pools:
        return
    table.resolved_minutes[alert] = env.now
    incident.callbacks.append(_defuse)
    incident.interrupt("cleared")
    world.escalation.note("clear", alert)
    if group is not None:
        world.correlator.close(group)
        for member in group.members:
            table.resolved_minutes[member] = env.now


def _defuse(event: simpy.Event) -> None:
    event.defused = True


def flap_pager(world):
    """Send every flap page at its minute, to the first level of the alert's policy."""
    env = world.env
    noise = world.noise
    escalation = world.escalation
    for alert, time in zip(
        noise.flap_page_alert.tolist(), noise.flap_page_minutes.tolist(), strict=True
    ):
        if time > env.now:
            yield env.timeout(time - env.now)
        policy_index = world.table.routed_policy[alert]
        level = world.policies[policy_index].levels[0]
        for person in escalation.targets.resolve(level, env.now, alert):
            escalation.page(alert, person, 0, PAGE_FLAP, policy_index)


def start_noise(world) -> None:
    """Start the noise processes of a world (before it runs)."""
    if len(world.noise.flap_page_alert):
        world.env.process(flap_pager(world))


@dataclass(frozen=True)
class NoiseRecords:
    """What noise leaves in a run's records.

    Attributes:
        transient: per alert (endogenous ones False), a transient alert that would have paged.
        budget_consumed: (services, windows) share of the error budget spent per SLO window
            (NaN rows: services without an SLO).
    """

    transient: np.ndarray
    budget_consumed: np.ndarray


def noise_records(
    compiled: CompiledScenario,
    noise: NoiseDecision | None,
    service: np.ndarray,
    severity: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
) -> NoiseRecords:
    """Noise records of a finished run: transient flags and the budget spent, from actual
    incident ends (``end``: each alert's end, NaN if it had no impact of its own)."""
    total = len(start)
    transient = np.zeros(total, dtype=bool)
    if noise is not None:
        transient[: len(noise.transient)] = noise.transient
    if compiled.noise is None or not compiled.noise.has_slo.any():
        return NoiseRecords(transient, np.zeros((len(compiled.service_team), 0)))
    impact = compiled.noise.impact[severity]
    cause = ~transient
    parts = [(service[cause], start[cause], end[cause], impact[cause])]
    if noise is not None and noise.transient.any():
        rows = np.flatnonzero(noise.transient)
        fired = ~np.isnan(noise.firing_start[rows])
        per_row = fired.sum(axis=1)
        firing_end = noise.firing_end[rows][fired]
        cleared = noise.clear_minutes[rows]
        # A firing is over at its clear, or earlier if the incident was resolved first.
        resolved = np.repeat(np.fmin(end[rows], cleared), per_row)
        is_paging = np.isclose(firing_end, np.repeat(cleared, per_row))
        parts.append(
            (
                np.repeat(service[rows], per_row),
                noise.firing_start[rows][fired],
                np.where(is_paging, np.fmin(firing_end, resolved), firing_end),
                np.full(int(per_row.sum()), compiled.noise.transient_impact),
            )
        )
    columns = [np.concatenate(arrays) for arrays in zip(*parts, strict=True)]
    return NoiseRecords(transient, budget_consumed(compiled, *columns))
