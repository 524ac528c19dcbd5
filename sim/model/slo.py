"""SLO burn-rate paging and error-budget accounting (SRE Workbook, ch. 5).

A service's error rate at a moment is the sum of the impacts of its open alerts: an incident of
severity s is open from its start to its resolution with impact ``slo.impact[s]``; a transient
alert fires with ``slo.transient_impact``. The budget-neutral rate is ``1 - target``. A rule
(burn rate B, long window L, short window S) fires at minute t when the mean error rate over both
(t - L, t] and (t - S, t] is at least B x (1 - target). Rules are evaluated every whole minute
(as a monitoring system evaluates them every interval) on a per-minute grid of exact error mass.

**The feedback loop.** The burn depends on when incidents end, which depends on when someone is
paged, which depends on the burn. The decision is made before the SimPy world runs, alert by
alert in time order per service, so the loop is closed with each incident's *nominal* end: a
paged incident is open until page + its first ack delay + its work time (both pre-drawn); a
ticket or unpaged one until its handling in the owning team's next business hours + work time.
When a page rule fires, every open, unpaged alert of the service pages at that minute (one burn
alert, every cause under it). What the decision leaves out is the queueing and escalation the
people model adds after the page; the error-budget accounting (``budget_consumed``) uses the
incidents' actual ends, so that difference shows in the budget, never hidden.

**Alerts no page rule catches** (``paging.mode: slo``): if a ticket rule fires while the alert
is open it is a *ticket*, otherwise it is *unpaged*; either way it is worked, with no page, from
the owning team's next business hours (at once inside them) for its work time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sim.calendar import BAND_BUSINESS, SLOT_MINUTES
from sim.compile import CompiledScenario
from sim.compile.noise import NoiseTables

#: Numerical slack of a rule comparison (the grid adds and removes exact interval masses).
_SLACK = 1e-12


def add_mass(mass: np.ndarray, start: float, end: float, impact: float) -> None:
    """Add ``impact`` x the overlap of [start, end) with each whole minute to ``mass``."""
    end = min(end, float(len(mass)))
    if not end > start or impact == 0:
        return
    first, last = math.floor(start), math.floor(end)
    if first == last:
        mass[first] += impact * (end - start)
        return
    mass[first] += impact * (first + 1 - start)
    mass[first + 1 : last] += impact
    if last < len(mass):
        mass[last] += impact * (end - last)


@dataclass(frozen=True)
class BurnRules:
    """The burn rules of one service, as thresholds on the mean error rate."""

    threshold: np.ndarray
    long_minutes: np.ndarray
    short_minutes: np.ndarray
    pages: np.ndarray

    @classmethod
    def of(cls, tables: NoiseTables, service: int) -> BurnRules:
        budget = 1.0 - tables.slo_target[service]
        return cls(
            tables.rule_burn_rate * budget,
            tables.rule_long_minutes,
            tables.rule_short_minutes,
            tables.rule_pages,
        )

    @property
    def longest(self) -> int:
        return int(self.long_minutes.max())

    def firing(self, mass: np.ndarray, first: int, last: int) -> tuple[np.ndarray, np.ndarray]:
        """Whether a page rule and a ticket rule fire at each minute t in [first, last)."""
        longest = self.longest
        low = max(first - longest, 0)
        # Error mass before each minute, with `longest` zeros in front so that every window
        # difference is a slice (no fancy indexing: this runs once per cause alert).
        cumulative = np.concatenate([np.zeros(longest + 1), np.cumsum(mass[low:last])])
        begin, end = first - low + longest, last - low + longest
        now = cumulative[begin:end]
        page = np.zeros(end - begin, dtype=bool)
        ticket = np.zeros(end - begin, dtype=bool)
        for threshold, long, short, pages in zip(
            self.threshold, self.long_minutes, self.short_minutes, self.pages, strict=True
        ):
            fires = (now - cumulative[begin - long : end - long]) >= (threshold - _SLACK) * long
            fires &= (now - cumulative[begin - short : end - short]) >= (threshold - _SLACK) * short
            if pages:
                page |= fires
            else:
                ticket |= fires
        return page, ticket


def next_business_minutes(compiled: CompiledScenario, zone: np.ndarray, times: np.ndarray):
    """Per time, the first instant at or after it inside business hours of its zone (inf if
    none before the end of the calendar)."""
    result = np.full(len(times), math.inf)
    slots = np.minimum((times // SLOT_MINUTES).astype(np.int64), compiled.slots - 1)
    for index in np.unique(zone):
        chosen = np.flatnonzero(zone == index)
        business = np.flatnonzero(compiled.zones[index].band == BAND_BUSINESS)
        following = np.searchsorted(business, slots[chosen])
        found = following < len(business)
        slot = np.where(found, business[np.minimum(following, len(business) - 1)], -1)
        inside = found & (slot == slots[chosen])
        result[chosen] = np.where(
            inside, times[chosen], np.where(found, slot * float(SLOT_MINUTES), math.inf)
        )
    return result


@dataclass
class BurnDecision:
    """Per alert (of SLO services only; others untouched): page minute, ticket, quiet end."""

    page_minutes: np.ndarray
    ticket: np.ndarray
    ticket_opened_minutes: np.ndarray
    quiet_end_minutes: np.ndarray
    paging_firing: np.ndarray
    """For a transient alert that pages, which of its firings (0..3) it pages in; -1 none."""


def decide_burn_paging(
    compiled: CompiledScenario,
    cause: np.ndarray,
    start: np.ndarray,
    earliest_page: np.ndarray,
    impact: np.ndarray,
    nominal_minutes: tuple[np.ndarray, np.ndarray],
    service: np.ndarray,
    firings: tuple[np.ndarray, np.ndarray],
    transient: np.ndarray,
) -> BurnDecision:
    """Decide, for every alert of a service with an SLO, whether and when the burn rules page.

    ``cause``: real failures that need a human; ``transient``: transient alerts that would
    page, with their firings (``firings``: (alerts, 4) start and end minutes, NaN when not
    fired). ``nominal_minutes``: (ack delay of the first page, work time) per alert.
    """
    tables = compiled.noise
    alerts = len(start)
    decision = BurnDecision(
        page_minutes=np.full(alerts, np.nan),
        ticket=np.zeros(alerts, dtype=bool),
        ticket_opened_minutes=np.full(alerts, np.nan),
        quiet_end_minutes=np.full(alerts, np.nan),
        paging_firing=np.full(alerts, -1, dtype=np.int64),
    )
    grid = compiled.slots * SLOT_MINUTES
    zone = compiled.team_zone[compiled.service_team[service]]
    business = next_business_minutes(compiled, zone, start)
    ack, work = nominal_minutes
    firing_start, firing_end = firings
    for index in np.flatnonzero(tables.has_slo):
        rules = BurnRules.of(tables, index)
        mass = np.zeros(grid)
        own = service == index
        for alert in np.flatnonzero(own & transient):
            for k in range(firing_start.shape[1]):
                if not math.isnan(firing_start[alert, k]):
                    add_mass(mass, firing_start[alert, k], firing_end[alert, k], impact[alert])
        _decide_causes(
            decision, rules, mass, np.flatnonzero(own & cause), start, earliest_page, impact,
            business + work, ack, work,
        )  # fmt: skip
        _decide_transients(decision, rules, mass, np.flatnonzero(own & transient), firings)
    return decision


def _decide_causes(decision, rules, mass, alerts, start, earliest_page, impact, end, ack, work):
    """Cause alerts of one service in time order (the loop: see the module docstring)."""
    open_alerts: list[int] = []  # unpaged alerts that may still be open
    end = end.copy()
    for alert in alerts[np.argsort(start[alerts], kind="stable")]:
        add_mass(mass, start[alert], end[alert], impact[alert])
        open_alerts = [a for a in open_alerts if end[a] > start[alert]]
        first = math.ceil(start[alert])
        last = math.ceil(min(end[alert], len(mass)))  # inf: no business hours left
        page, ticket = rules.firing(mass, first, last) if last > first else (np.zeros(0),) * 2
        fired = np.flatnonzero(page)
        if len(fired) == 0:
            tickets = np.flatnonzero(ticket)
            if len(tickets):
                decision.ticket[alert] = True
                decision.ticket_opened_minutes[alert] = float(first + tickets[0])
            decision.quiet_end_minutes[alert] = end[alert]
            open_alerts.append(alert)
            continue
        when = float(first + fired[0])
        for paged in [*(a for a in open_alerts if end[a] > when), alert]:
            decision.page_minutes[paged] = max(when, earliest_page[paged])
            decision.ticket[paged] = False
            decision.ticket_opened_minutes[paged] = np.nan
            decision.quiet_end_minutes[paged] = np.nan
            nominal = min(end[paged], decision.page_minutes[paged] + ack[paged] + work[paged])
            add_mass(mass, nominal, end[paged], -impact[paged])
            end[paged] = nominal
        open_alerts = [a for a in open_alerts if math.isnan(decision.page_minutes[a])]


def _decide_transients(decision, rules, mass, alerts, firings):
    """A transient alert pages at the first page-rule minute inside one of its firings."""
    if len(alerts) == 0:
        return
    page, _ = rules.firing(mass, 0, len(mass))
    fire_minutes = np.flatnonzero(page)
    firing_start, firing_end = firings
    for alert in alerts:
        for k in range(firing_start.shape[1]):
            begin = firing_start[alert, k]
            if math.isnan(begin):
                break
            following = np.searchsorted(fire_minutes, math.ceil(begin))
            if following < len(fire_minutes) and fire_minutes[following] < firing_end[alert, k]:
                decision.page_minutes[alert] = float(fire_minutes[following])
                decision.paging_firing[alert] = k
                break


def budget_consumed(
    compiled: CompiledScenario,
    service: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
    impact: np.ndarray,
) -> np.ndarray:
    """(services, windows) share of each SLO service's error budget spent in each window.

    Windows are consecutive, of the service's ``window_days``, from the start of the horizon
    (whole windows only; one shortened window when the horizon is shorter). Intervals are the
    open spans of incidents and firings, each with its impact; NaN rows for services without
    an SLO. A share above 1 is a window that breached the objective.
    """
    tables = compiled.noise
    horizon = compiled.horizon_minutes
    window = tables.slo_window_minutes
    counts = [max(1, int(horizon // w)) if w > 0 else 0 for w in window]
    result = np.full((len(window), max(counts, default=0) or 1), np.nan)
    valid = ~np.isnan(start) & ~np.isnan(end) & (impact > 0)
    for index in np.flatnonzero(tables.has_slo):
        length = min(window[index], horizon)
        edges = np.arange(counts[index] + 1) * length
        chosen = valid & (service == index)
        low = np.maximum(start[chosen, None], edges[None, :-1])
        high = np.minimum(end[chosen, None], edges[None, 1:])
        spent = (np.clip(high - low, 0.0, None) * impact[chosen, None]).sum(axis=0)
        result[index, : counts[index]] = spent / ((1.0 - tables.slo_target[index]) * length)
    return result
