"""Event records of one run to its KPIs, exactly as docs/design.md defines them.

All time windows are judged in the local time of the person paged (the calendar's zone tables).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from sim.calendar import BAND_BUSINESS, BAND_OFF, BAND_SLEEP, slot_of
from sim.compile import CompiledScenario
from sim.metrics_detail import oncall_health_kpis
from sim.model.records import (
    HANDOVER_CONSULT,
    HANDOVER_REASSIGNMENT,
    INCIDENT_STATES,
    PAGE_CONSULT,
    PAGE_FIRST,
    PAGE_FLAP,
    PAGE_RACI_CONSULT,
    PAGE_REASSIGNMENT,
    PAGE_RETRIGGER,
    STATE_AUTO_RESOLVED,
    STATE_CLEARED_WITH_ROOT,
    STATE_GROUPED,
    STATE_PREVENTED,
    STATE_RESOLVED,
    STATE_SELF_CLEARED,
    STATE_SILENCED,
    STATE_SUPPRESSED,
    STATE_TICKET,
    RunRecords,
)

#: Length of a month for monthly KPIs (``engineers_over_19_per_month``), in minutes.
MONTH_MINUTES = 30 * 1440.0
#: Length of an on-call shift for ``shift_overload_share`` (Google SRE: at most 2 incidents per
#: 12-hour shift), in minutes.
SRE_SHIFT_MINUTES = 12 * 60.0
#: Incidents in one shift above which the shift counts as overloaded.
SRE_SHIFT_MAX_INCIDENTS = 2

#: A KPI's direction: a smaller value is better, a larger one is, or neither (counts of a
#: mechanism doing its job, e.g. alerts grouped, which grow when correlation does more).
LOWER, HIGHER, NO_DIRECTION = "lower", "higher", "none"

#: KPI name -> one-line meaning, in report order (the headline first).
KPI_DESCRIPTIONS: dict[str, str] = {
    "weekend_escalations_per_weekend": (
        "incidents whose first page fell in the paged person's weekend (their own time zone "
        "and holidays), per weekend"
    ),
    "weekend_escalations": "weekend escalations over the whole horizon",
    "escalations": "incidents that paged at least one human (not a move to the next level)",
    "pages": "notifications to humans",
    "interruptions_business": "pages in the recipient's business hours (Mon-Fri 08-18)",
    "interruptions_off": "pages outside business and sleep hours",
    "interruptions_sleep": "pages in the recipient's sleep hours (22-08)",
    "tier_escalations": "incidents whose handling moved past the first level",
    "manager_pages": "pages to a manager",
    "auto_resolved": "incidents fixed by self-healing with no page",
    "prevented": "incidents fixed in business hours before impact, after early detection",
    "mtta_median_minutes": "median time from first page to acknowledgement",
    "mtta_mean_minutes": "mean time from first page to acknowledgement",
    "mttr_median_minutes": "median time from incident start to resolution",
    "mttr_mean_minutes": "mean time from incident start to resolution",
    "mttr_human_median_minutes": (
        "median time from incident start to resolution, incidents a human worked"
    ),
    "mttr_human_mean_minutes": (
        "mean time from incident start to resolution, incidents a human worked"
    ),
    "impact_hours": "sum of incident durations (start to resolution)",
    "pages_per_engineer_max": "pages to the most-paged engineer",
    "pages_gini": "Gini coefficient of pages across engineers (0 = equal)",
    "quiet_weekend_share": (
        "share of engineer-weekends with no page (public holidays count as weekend: a Monday "
        "holiday belongs to the weekend before it, Tuesday to Friday to the weekend after)"
    ),
    "shift_overload_share": (
        "share of 12-hour primary shifts in which the primary was paged for more than 2 incidents"
    ),
    "alerts": "alerts raised, root failures and cascade symptoms",
    "incidents": "incidents that happened (handled by a human or by self-healing)",
    "grouped_alerts": "alerts that joined the open incident of their root failure",
    "suppressed_alerts": "symptom alerts inhibited while their root's incident was open",
    "cleared_with_root": (
        "symptom incidents ended when their root failure was fixed (still open then)"
    ),
    "inhibition_delayed": "independent failures paged only after an inhibition ended",
    "misrouted_pages": "first-chain pages to a team that does not own the root cause",
    "reassignments": "incidents handed over to the owning team after a misrouted page",
    "consults": "incidents where the shared rotation consulted the owning team",
    "sleep_interruptions_per_engineer_max": "sleep-hour pages of the engineer with the most",
    "oncall_share_max": (
        "largest share of an engineer's time on call, primary or secondary (guidance: <= 25%)"
    ),
    "interruptions_per_engineer_business": "business-hours pages per engineer (mean)",
    "interruptions_per_engineer_off": "off-hours pages per engineer (mean)",
    "interruptions_per_engineer_sleep": "sleep-hour pages per engineer (mean)",
    "engineers_over_19_per_month": (
        "engineers with more than 19 pages in a 30-day month, per month (burnout level)"
    ),
    "deferred_alerts": "low-urgency alerts held until support hours",
    "notify_only_alerts": "low-urgency alerts that notified outside support hours, no escalation",
    "silenced_alerts": "alerts in a maintenance window (never paged)",
    "coverage_gap_alerts": "incidents that met a level naming nobody (a schedule gap)",
    "retriggers": "acknowledgements that expired before resolution and paged again",
    "fatigue_incidents": "incidents caused by a tired person's mistake",
    "raci_consult_pages": "pages pulling a service's Consulted teams into major incidents",
    "informed_notifications": "notifications to Informed teams (never pages)",
    "transient_alerts": "alerts that would have paged but were transient (clear on their own)",
    "transient_pages": "pages for transient alerts (noise)",
    "paused_alerts_cleared": "transient alerts that cleared before their page went out",
    "flap_pages": "pages for a flapping alert's re-fires",
    "tickets": "SLO mode: alerts a ticket rule sent to business hours instead of a page",
    "detection_delay_minutes_mean": "mean time from a real failure's start to its first page",
    "budget_consumed_share_max": "largest share of an error budget spent in one SLO window",
    "slo_breached_windows": "SLO windows (service x window) that spent more than the budget",
    "oncall_hours_first_level_per_engineer": (
        "hours an engineer is scheduled on call at the first level (mean over engineers)"
    ),
    "oncall_hours_later_levels_per_engineer": (
        "hours an engineer is scheduled on call only at later levels (mean over engineers)"
    ),
    "disrupted_hours": "distinct local clock hours with a page, summed over engineers",
    "paged_nights_run_max": "longest run of consecutive nights one engineer was paged in",
    "interruptions_per_oncall_hour": "pages to engineers per engineer on-call hour",
    "time_to_page_mean_minutes": (
        "mean time from incident start to its first page (detection, grouping, deferral)"
    ),
}
#: Per-team KPIs, named `<kpi>__<team>`; their meaning, with {team} for the team's name.
TEAM_KPI_DESCRIPTIONS: dict[str, str] = {
    "pages": "pages to the people of team {team}",
    "weekend_escalations_per_weekend": "weekend escalations whose first page went to {team}",
    "root_elsewhere_share": "share of {team}'s pages whose root cause another team owns",
    "sleep_interruptions_per_engineer": "sleep-hour pages per engineer of {team}",
    "oncall_share_max": "largest on-call share of an engineer of {team} (guidance: <= 25%)",
}
KPIS = tuple(KPI_DESCRIPTIONS)

#: KPI name -> direction (LOWER, HIGHER or NO_DIRECTION); every KPI declares one.
KPI_DIRECTIONS: dict[str, str] = {
    **dict.fromkeys(KPIS, LOWER),
    "quiet_weekend_share": HIGHER,
    # Counts of a mechanism at work, or of what arrives: neither more nor fewer is better in
    # itself (auto-resolved falls when detection prevents the same incidents first).
    **dict.fromkeys(
        (
            "auto_resolved",
            "prevented",
            "alerts",
            "grouped_alerts",
            "suppressed_alerts",
            "cleared_with_root",
            "consults",
            "deferred_alerts",
            "notify_only_alerts",
            "silenced_alerts",
            "informed_notifications",
            "transient_alerts",
            "paused_alerts_cleared",
            "tickets",
        ),
        NO_DIRECTION,
    ),
    # On-call health (sim.metrics_detail): less time on call, fewer disrupted hours and nights
    # in a row, fewer pages per on-call hour, an earlier first page are better.
    **dict.fromkeys(
        (
            "oncall_hours_first_level_per_engineer",
            "oncall_hours_later_levels_per_engineer",
            "disrupted_hours",
            "paged_nights_run_max",
            "interruptions_per_oncall_hour",
            "time_to_page_mean_minutes",
        ),
        LOWER,
    ),
}
#: Per-team KPI -> direction; the pages of a domain are LOWER too.
TEAM_KPI_DIRECTIONS: dict[str, str] = dict.fromkeys(TEAM_KPI_DESCRIPTIONS, LOWER)


def kpi_direction(name: str) -> str:
    """Direction of a KPI column (per-team and per-domain ones included)."""
    kpi, _, team = name.partition("__")
    if kpi == "pages_domain":
        return LOWER
    return TEAM_KPI_DIRECTIONS[kpi] if team else KPI_DIRECTIONS[name]


def kpi_directions(names: Iterable[str]) -> dict[str, str]:
    """KPI column -> direction, for :func:`sim.stats.compare`."""
    return {name: kpi_direction(name) for name in names}


def team_kpi_name(kpi: str, team: str) -> str:
    """Column name of a per-team KPI, e.g. ``pages__infra``."""
    return f"{kpi}__{team}"


def kpi_names(compiled: CompiledScenario) -> tuple[str, ...]:
    """All KPI columns of a scenario: the fixed ones, the per-team ones, then per domain
    (only when teams are grouped into domains)."""
    return (
        KPIS
        + tuple(
            team_kpi_name(kpi, team)
            for team in compiled.team_names
            for kpi in TEAM_KPI_DESCRIPTIONS
        )
        + tuple(domain_kpi_name(domain) for domain in _grouped_domains(compiled))
    )


def domain_kpi_name(domain: str) -> str:
    """Column name of a domain's pages, e.g. ``pages_domain__network``."""
    return f"pages_domain__{domain}"


def _grouped_domains(compiled: CompiledScenario) -> tuple[str, ...]:
    """Domains in team order, when some team sets one (else none: domains are the teams)."""
    if tuple(compiled.team_domain) == tuple(compiled.team_names):
        return ()
    return tuple(dict.fromkeys(compiled.team_domain))


def _domain_kpis(compiled: CompiledScenario, page_team: np.ndarray) -> dict[str, float]:
    domains = _grouped_domains(compiled)
    if not domains:
        return {}
    team_domain = np.array([domains.index(domain) for domain in compiled.team_domain])
    pages = np.bincount(team_domain[page_team], minlength=len(domains))
    return {domain_kpi_name(domain): float(pages[i]) for i, domain in enumerate(domains)}


def kpi_description(name: str) -> str:
    """Plain-English meaning of a KPI column, per-team ones included."""
    kpi, _, team = name.partition("__")
    if kpi == "pages_domain":
        return f"pages to the people of domain {team}"
    if team:
        return TEAM_KPI_DESCRIPTIONS[kpi].format(team=team)
    return KPI_DESCRIPTIONS[name]


def gini(values: np.ndarray) -> float:
    """Gini coefficient of non-negative values (0: all equal; 1 - 1/n: one has everything)."""
    values = np.sort(np.asarray(values, dtype=np.float64))
    n = len(values)
    total = values.sum()
    if n == 0 or total == 0:
        return 0.0
    ranks = np.arange(1, n + 1)
    return float((2 * np.sum(ranks * values) / (n * total)) - (n + 1) / n)


def _median_mean(values: np.ndarray) -> tuple[float, float]:
    if len(values) == 0:
        return float("nan"), float("nan")
    return float(np.median(values)), float(np.mean(values))


@dataclass(frozen=True)
class _Pages:
    """Per page: the band, weekend number and team of the person paged, the root's owner."""

    zone: np.ndarray
    slot: np.ndarray
    band: np.ndarray
    team: np.ndarray
    owner: np.ndarray
    to_engineer: np.ndarray


@dataclass(frozen=True)
class _FirstPages:
    """Per incident that paged a human (an escalation): who got its first page, and whether
    that page fell in the weekend window of their zone."""

    escalated: np.ndarray
    person: np.ndarray
    in_weekend: np.ndarray


def compute_kpis(compiled: CompiledScenario, records: RunRecords) -> dict[str, float]:
    """Per-run KPIs from the event records of one run (see :data:`KPI_DESCRIPTIONS`)."""
    root_owner = compiled.service_team[records.service[records.root]]
    page_zone = compiled.person_zone[records.page_person]
    page_slot = slot_of(records.page_minutes, compiled.slots)
    pages = _Pages(
        zone=page_zone,
        slot=page_slot,
        band=compiled.band_table[page_zone, page_slot],
        team=compiled.person_team[records.page_person],
        owner=root_owner[records.page_alert],
        to_engineer=compiled.person_is_engineer[records.page_person],
    )
    escalated = records.first_page_person >= 0
    first_person = records.first_page_person[escalated]
    first_slot = slot_of(records.first_page_minutes[escalated], compiled.slots)
    first = _FirstPages(
        escalated=escalated,
        person=first_person,
        in_weekend=compiled.weekend_table[compiled.person_zone[first_person], first_slot],
    )
    return {
        **_escalation_kpis(compiled, records, pages, first),
        **_response_time_kpis(records, first),
        **_load_kpis(compiled, records, pages),
        **_alert_kpis(compiled, records, pages, first),
        **_noise_kpis(records, first.escalated),
        **oncall_health_kpis(compiled, records),
        **_domain_kpis(compiled, pages.team),
        **_team_kpis(compiled, records, pages, first),
    }


def _escalation_kpis(
    compiled: CompiledScenario, records: RunRecords, pages: _Pages, first: _FirstPages
) -> dict[str, float]:
    """Escalations, pages and the bands they fell in."""
    weekend_escalations = int(first.in_weekend.sum())
    return {
        "weekend_escalations_per_weekend": weekend_escalations / compiled.weeks,
        "weekend_escalations": float(weekend_escalations),
        "escalations": float(first.escalated.sum()),
        "pages": float(len(records.page_person)),
        "interruptions_business": float(np.sum(pages.band == BAND_BUSINESS)),
        "interruptions_off": float(np.sum(pages.band == BAND_OFF)),
        "interruptions_sleep": float(np.sum(pages.band == BAND_SLEEP)),
        "tier_escalations": float(_tier_escalations(records)),
        "manager_pages": float(np.sum(~pages.to_engineer)),
    }


def _response_time_kpis(records: RunRecords, first: _FirstPages) -> dict[str, float]:
    """MTTA of escalations; MTTR of every incident and of the incidents a human worked (a
    symptom's incident cleared with its root counts as one if it paged someone)."""
    ack_wait = (records.ack_minutes - records.first_page_minutes)[first.escalated]
    ack_wait = ack_wait[~np.isnan(ack_wait)]  # a transient alert may clear before its ack
    cleared = records.state == STATE_CLEARED_WITH_ROOT
    human = (records.state == STATE_RESOLVED) | (cleared & (records.first_page_person >= 0))
    incident = np.isin(records.state, INCIDENT_STATES)
    duration = records.resolved_minutes - records.start_minutes
    mtta_median, mtta_mean = _median_mean(ack_wait)
    mttr_median, mttr_mean = _median_mean(duration[incident])
    human_median, human_mean = _median_mean(duration[human])
    return {
        "mtta_median_minutes": mtta_median,
        "mtta_mean_minutes": mtta_mean,
        "mttr_median_minutes": mttr_median,
        "mttr_mean_minutes": mttr_mean,
        "mttr_human_median_minutes": human_median,
        "mttr_human_mean_minutes": human_mean,
        "impact_hours": float(duration[incident].sum() / 60.0),
        # Rounded to a nanominute, as the detection delay: the dispatcher may wake one float
        # step after the page time, which would read as a change from an exact zero.
        "time_to_page_mean_minutes": _median_mean(
            np.round((records.first_page_minutes - records.start_minutes)[first.escalated], 9)
        )[1],
        "incidents": float(incident.sum()),
    }


def _load_kpis(compiled: CompiledScenario, records: RunRecords, pages: _Pages) -> dict[str, float]:
    """How the pages fall on engineers: extremes, fairness, quiet weekends, overload."""
    engineer = compiled.person_is_engineer
    pages_per_engineer = np.bincount(records.page_person, minlength=len(engineer))[engineer]
    sleep_pages = np.bincount(
        records.page_person[pages.band == BAND_SLEEP], minlength=len(engineer)
    )[engineer]
    return {
        "pages_per_engineer_max": float(pages_per_engineer.max()),
        "pages_gini": gini(pages_per_engineer),
        "quiet_weekend_share": _quiet_weekend_share(compiled, records, pages),
        "shift_overload_share": _shift_overload_share(compiled, records),
        **{
            f"interruptions_per_engineer_{name}": float(
                np.sum((pages.band == band) & pages.to_engineer) / engineer.sum()
            )
            for name, band in (
                ("business", BAND_BUSINESS),
                ("off", BAND_OFF),
                ("sleep", BAND_SLEEP),
            )
        },
        "sleep_interruptions_per_engineer_max": float(sleep_pages.max()),
        "oncall_share_max": float(compiled.oncall_share.max()),
        "engineers_over_19_per_month": _engineers_over_per_month(compiled, records, 19),
    }


def _alert_kpis(
    compiled: CompiledScenario, records: RunRecords, pages: _Pages, first: _FirstPages
) -> dict[str, float]:
    """What became of the alerts: terminal states, routing and the mechanisms that acted."""
    misrouted = (
        (records.page_kind == PAGE_FIRST)
        & (records.page_policy < len(compiled.team_names))
        & (pages.team != pages.owner)
    )
    return {
        "auto_resolved": float(np.sum(records.state == STATE_AUTO_RESOLVED)),
        "prevented": float(np.sum(records.state == STATE_PREVENTED)),
        "alerts": float(len(records.state)),
        "grouped_alerts": float(np.sum(records.state == STATE_GROUPED)),
        "suppressed_alerts": float(np.sum(records.state == STATE_SUPPRESSED)),
        "cleared_with_root": float(np.sum(records.state == STATE_CLEARED_WITH_ROOT)),
        "inhibition_delayed": float(np.sum(records.delayed_by_inhibition)),
        "misrouted_pages": float(np.sum(misrouted)),
        "reassignments": float(np.sum(records.handover == HANDOVER_REASSIGNMENT)),
        "consults": float(np.sum(records.handover == HANDOVER_CONSULT)),
        "deferred_alerts": float(records.deferred.sum()),
        "notify_only_alerts": float(records.notify_only.sum()),
        "silenced_alerts": float(np.sum(records.state == STATE_SILENCED)),
        "coverage_gap_alerts": float(records.coverage_gap.sum()),
        "retriggers": float(records.retriggers.sum()),
        "fatigue_incidents": float(np.sum(records.caused_by >= 0)),
        "raci_consult_pages": float(records.raci_consults.sum()),
        "informed_notifications": float(
            compiled.service_informed_teams[records.service[first.escalated]].sum()
        ),
    }


def _noise_kpis(records: RunRecords, escalated: np.ndarray) -> dict[str, float]:
    """Transient alerts, their pages, flapping, tickets, detection delay, error budgets."""
    transient = (
        records.noise.transient
        if records.noise is not None
        else np.zeros(len(records.state), dtype=bool)
    )
    real = escalated & ~transient
    # Rounded to a nanominute: the dispatcher may wake one float step after the page time.
    delay = np.round((records.first_page_minutes - records.start_minutes)[real], 9)
    budget = records.noise.budget_consumed if records.noise is not None else np.zeros((0, 0))
    spent = budget[~np.isnan(budget)]
    return {
        "transient_alerts": float(transient.sum()),
        "transient_pages": float(np.sum(transient[records.page_alert])),
        "paused_alerts_cleared": float(np.sum(records.state == STATE_SELF_CLEARED)),
        "flap_pages": float(np.sum(records.page_kind == PAGE_FLAP)),
        "tickets": float(np.sum(records.state == STATE_TICKET)),
        "detection_delay_minutes_mean": float(delay.mean()) if len(delay) else float("nan"),
        "budget_consumed_share_max": float(spent.max()) if len(spent) else float("nan"),
        "slo_breached_windows": float(np.sum(spent > 1.0)),
    }


def _tier_escalations(records: RunRecords) -> int:
    """Incidents whose handling moved past the first level: a page at a later position of the
    chain (ack timeout, manager step, repeat), a reassignment or a consult. Several people
    paged at the first level at once (an `everyone` target) or a re-trigger is not one."""
    moved = (records.page_kind == PAGE_REASSIGNMENT) | (records.page_kind == PAGE_CONSULT)
    moved |= (records.page_level >= 1) & (records.page_kind != PAGE_RETRIGGER)
    return len(np.unique(records.page_alert[moved]))


def _quiet_weekend_share(compiled: CompiledScenario, records: RunRecords, pages: _Pages) -> float:
    """Share of (engineer, weekend of the horizon) pairs without a single page.

    The weekend window is the one weekend escalations use, public holidays included: a page on
    a weekday holiday breaks the weekend that holiday belongs to (see
    :func:`sim.calendar.build_zone_table`).
    """
    weekend = compiled.weekend_index_table[pages.zone, pages.slot]
    counted = (weekend >= 0) & (weekend < compiled.weeks) & pages.to_engineer
    interrupted = np.unique(records.page_person[counted] * compiled.weeks + weekend[counted])
    engineer_weekends = int(compiled.person_is_engineer.sum()) * compiled.weeks
    return 1.0 - len(interrupted) / engineer_weekends


def _shift_overload_share(compiled: CompiledScenario, records: RunRecords) -> float:
    """Share of 12-hour primary on-call shifts in which the primary got more than 2 incidents.

    Shifts are 12-hour blocks from each team's rotation handoffs (Google SRE guidance: at most
    2 incidents per 12-hour shift). Only blocks that start inside the horizon count. An
    incident counts once per shift whatever its pages there: several people paged at once (an
    `everyone` target), re-triggers and a second page after a handover are the same incident.
    Consult pages to a service's Consulted teams do not count (the incident is not theirs).
    """
    first_level = (records.page_level == 0) & (records.page_kind != PAGE_RACI_CONSULT)
    overloaded = 0
    blocks_total = 0
    for team_index, schedule in enumerate(compiled.team_schedules):
        # Blocks aligned with the rotation's handoffs, from the first at or after 0.
        first_block = schedule.first_handoff_minutes % SRE_SHIFT_MINUTES
        blocks = int(np.ceil((compiled.horizon_minutes - first_block) / SRE_SHIFT_MINUTES))
        in_team = first_level & (compiled.person_team[records.page_person] == team_index)
        block = np.floor((records.page_minutes[in_team] - first_block) / SRE_SHIFT_MINUTES)
        block = block.astype(np.int64)
        alert = records.page_alert[in_team]
        inside = (block >= 0) & (block < blocks)
        incidents_in_block = np.unique(block[inside] * len(records.state) + alert[inside])
        counts = np.bincount(incidents_in_block // max(len(records.state), 1), minlength=blocks)
        starts_in_horizon = first_block + SRE_SHIFT_MINUTES * np.arange(blocks) >= 0
        overloaded += int(np.sum((counts > SRE_SHIFT_MAX_INCIDENTS) & starts_in_horizon))
        blocks_total += int(starts_in_horizon.sum())
    return overloaded / blocks_total if blocks_total else 0.0


def _team_kpis(
    compiled: CompiledScenario, records: RunRecords, pages: _Pages, first: _FirstPages
) -> dict[str, float]:
    teams = len(compiled.team_names)
    sleep_pages = np.bincount(
        pages.team[(pages.band == BAND_SLEEP) & pages.to_engineer], minlength=teams
    )
    engineers = np.bincount(compiled.person_team[compiled.person_is_engineer], minlength=teams)
    paged = np.bincount(pages.team, minlength=teams)
    elsewhere = np.bincount(pages.team[pages.owner != pages.team], minlength=teams)
    first_team = compiled.person_team[first.person]
    weekend = np.bincount(first_team[first.in_weekend], minlength=teams)
    share = compiled.oncall_share
    engineer_team = compiled.person_team[compiled.person_is_engineer]
    values: dict[str, float] = {}
    for index, team in enumerate(compiled.team_names):
        values[team_kpi_name("pages", team)] = float(paged[index])
        values[team_kpi_name("weekend_escalations_per_weekend", team)] = (
            weekend[index] / compiled.weeks
        )
        values[team_kpi_name("root_elsewhere_share", team)] = (
            elsewhere[index] / paged[index] if paged[index] else float("nan")
        )
        values[team_kpi_name("sleep_interruptions_per_engineer", team)] = (
            sleep_pages[index] / engineers[index]
        )
        values[team_kpi_name("oncall_share_max", team)] = float(
            share[engineer_team == index].max(initial=0.0)
        )
    return values


def _engineers_over_per_month(
    compiled: CompiledScenario, records: RunRecords, threshold: int
) -> float:
    """Mean number of engineers with more than ``threshold`` pages per 30-day month."""
    months = int(compiled.horizon_minutes // MONTH_MINUTES)
    if months == 0:
        return float("nan")
    engineer = compiled.person_is_engineer[records.page_person]
    month = (records.page_minutes // MONTH_MINUTES).astype(np.int64)
    keep = engineer & (month < months)
    people = len(compiled.person_names)
    counts = np.bincount(
        records.page_person[keep] * months + month[keep], minlength=people * months
    )
    return float(np.sum(counts > threshold) / months)
