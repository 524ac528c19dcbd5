"""Event records of one run to its KPIs, exactly as docs/design.md defines them.

All time windows are judged in the local time of the person paged (the calendar's zone tables).
"""

from __future__ import annotations

import numpy as np

from sim.calendar import BAND_BUSINESS, BAND_OFF, BAND_SLEEP, slot_of
from sim.compile import CompiledScenario
from sim.model.records import (
    HANDOVER_CONSULT,
    HANDOVER_REASSIGNMENT,
    PAGE_CONSULT,
    PAGE_FIRST,
    PAGE_REASSIGNMENT,
    PAGE_RETRIGGER,
    STATE_AUTO_RESOLVED,
    STATE_GROUPED,
    STATE_PREVENTED,
    STATE_RESOLVED,
    STATE_SILENCED,
    STATE_SUPPRESSED,
    RunRecords,
)

#: KPIs where a larger value is better; for every other KPI, smaller is better.
HIGHER_IS_BETTER = frozenset({"quiet_weekend_share", "auto_resolved", "prevented"})

#: KPI name -> one-line meaning, in report order (the headline first).
KPI_DESCRIPTIONS: dict[str, str] = {
    "weekend_escalations_per_weekend": (
        "incidents whose first page fell in the weekend window, per weekend"
    ),
    "weekend_escalations": "weekend escalations over the whole horizon",
    "escalations": "incidents that paged at least one human",
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
    "impact_hours": "sum of incident durations (start to resolution)",
    "pages_per_engineer_max": "pages to the most-paged engineer",
    "pages_gini": "Gini coefficient of pages across engineers (0 = equal)",
    "quiet_weekend_share": "share of engineer-weekends with no page",
    "shift_overload_share": "share of 12-hour primary shifts with more than 2 incidents",
    "alerts": "alerts raised, root failures and cascade symptoms",
    "incidents": "incidents that happened (handled by a human or by self-healing)",
    "grouped_alerts": "alerts that joined the open incident of their root failure",
    "suppressed_alerts": "symptom alerts inhibited while their root's incident was open",
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
}
#: Per-team KPIs, named `<kpi>__<team>`; their meaning, with {team} for the team's name.
TEAM_KPI_DESCRIPTIONS: dict[str, str] = {
    "pages": "pages to the people of team {team}",
    "weekend_escalations_per_weekend": "weekend escalations whose first page went to {team}",
    "root_elsewhere_share": "share of {team}'s pages whose root cause another team owns",
    "sleep_interruptions_per_engineer": "sleep-hour pages per engineer of {team}",
}
KPIS = tuple(KPI_DESCRIPTIONS)


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


def compute_kpis(compiled: CompiledScenario, records: RunRecords) -> dict[str, float]:
    """Per-run KPIs from the event records of one run."""
    root_owner = compiled.service_team[records.service[records.root]]
    band_table = compiled.band_table
    weekend_table = compiled.weekend_table
    weekend_index_table = compiled.weekend_index_table

    page_zone = compiled.person_zone[records.page_person]
    page_slot = slot_of(records.page_minutes, compiled.slots)
    page_band = band_table[page_zone, page_slot]

    escalated = records.first_page_person >= 0
    first_person = records.first_page_person[escalated]
    first_slot = slot_of(records.first_page_minutes[escalated], compiled.slots)
    first_in_weekend = weekend_table[compiled.person_zone[first_person], first_slot]
    weekend_escalations = int(first_in_weekend.sum())

    ack_wait = (records.ack_minutes - records.first_page_minutes)[escalated]
    incident = (records.state == STATE_RESOLVED) | (records.state == STATE_AUTO_RESOLVED)
    duration = (records.resolved_minutes - records.start_minutes)[incident]
    mtta_median, mtta_mean = _median_mean(ack_wait)
    mttr_median, mttr_mean = _median_mean(duration)

    page_team = compiled.person_team[records.page_person]
    page_owner = root_owner[records.page_alert]
    misrouted = (
        (records.page_kind == PAGE_FIRST)
        & (records.page_schedule < len(compiled.team_names))
        & (page_team != page_owner)
    )

    engineer = compiled.person_is_engineer
    pages_per_person = np.bincount(records.page_person, minlength=len(compiled.person_names))
    pages_per_engineer = pages_per_person[engineer]

    return {
        "weekend_escalations_per_weekend": weekend_escalations / compiled.weeks,
        "weekend_escalations": float(weekend_escalations),
        "escalations": float(escalated.sum()),
        "pages": float(len(records.page_person)),
        "interruptions_business": float(np.sum(page_band == BAND_BUSINESS)),
        "interruptions_off": float(np.sum(page_band == BAND_OFF)),
        "interruptions_sleep": float(np.sum(page_band == BAND_SLEEP)),
        "tier_escalations": float(_tier_escalations(records)),
        "manager_pages": float(np.sum(~engineer[records.page_person])),
        "auto_resolved": float(np.sum(records.state == STATE_AUTO_RESOLVED)),
        "prevented": float(np.sum(records.state == STATE_PREVENTED)),
        "mtta_median_minutes": mtta_median,
        "mtta_mean_minutes": mtta_mean,
        "mttr_median_minutes": mttr_median,
        "mttr_mean_minutes": mttr_mean,
        "impact_hours": float(duration.sum() / 60.0),
        "pages_per_engineer_max": float(pages_per_engineer.max()),
        "pages_gini": gini(pages_per_engineer),
        "quiet_weekend_share": _quiet_weekend_share(
            compiled, records, page_zone, page_slot, weekend_index_table
        ),
        "shift_overload_share": _shift_overload_share(compiled, records),
        "alerts": float(len(records.state)),
        "incidents": float(incident.sum()),
        "grouped_alerts": float(np.sum(records.state == STATE_GROUPED)),
        "suppressed_alerts": float(np.sum(records.state == STATE_SUPPRESSED)),
        "inhibition_delayed": float(np.sum(records.delayed_by_inhibition)),
        "misrouted_pages": float(np.sum(misrouted)),
        "reassignments": float(np.sum(records.handover == HANDOVER_REASSIGNMENT)),
        "consults": float(np.sum(records.handover == HANDOVER_CONSULT)),
        **{
            f"interruptions_per_engineer_{name}": float(
                np.sum((page_band == band) & engineer[records.page_person]) / engineer.sum()
            )
            for name, band in (
                ("business", BAND_BUSINESS),
                ("off", BAND_OFF),
                ("sleep", BAND_SLEEP),
            )
        },
        "sleep_interruptions_per_engineer_max": float(
            np.bincount(records.page_person[page_band == BAND_SLEEP], minlength=len(engineer))[
                engineer
            ].max()
        ),
        "oncall_share_max": float(oncall_share(compiled).max()),
        "engineers_over_19_per_month": _engineers_over_per_month(compiled, records, 19),
        "deferred_alerts": float(records.deferred.sum()),
        "notify_only_alerts": float(records.notify_only.sum()),
        "silenced_alerts": float(np.sum(records.state == STATE_SILENCED)),
        "coverage_gap_alerts": float(records.coverage_gap.sum()),
        "retriggers": float(records.retriggers.sum()),
        "fatigue_incidents": float(np.sum(records.caused_by >= 0)),
        "raci_consult_pages": float(records.raci_consults.sum()),
        "informed_notifications": float(
            compiled.service_informed_teams[records.service[escalated]].sum()
        ),
        **_domain_kpis(compiled, page_team),
        **_team_kpis(
            compiled, records, page_team, page_owner, first_in_weekend, first_person, page_band
        ),
    }


def _tier_escalations(records: RunRecords) -> int:
    """Incidents whose handling moved past the first level: a page at a later position of the
    chain (ack timeout, manager step, repeat), a reassignment or a consult. Several people
    paged at the first level at once (an `everyone` target) or a re-trigger is not one."""
    moved = (records.page_kind == PAGE_REASSIGNMENT) | (records.page_kind == PAGE_CONSULT)
    moved |= (records.page_level >= 1) & (records.page_kind != PAGE_RETRIGGER)
    return len(np.unique(records.page_alert[moved]))


def _quiet_weekend_share(
    compiled: CompiledScenario,
    records: RunRecords,
    page_zone: np.ndarray,
    page_slot: np.ndarray,
    weekend_index_table: np.ndarray,
) -> float:
    """Share of (engineer, weekend of the horizon) pairs without a single page."""
    weekend = weekend_index_table[page_zone, page_slot]
    is_engineer = compiled.person_is_engineer[records.page_person]
    counted = (weekend >= 0) & (weekend < compiled.weeks) & is_engineer
    interrupted = np.unique(records.page_person[counted] * compiled.weeks + weekend[counted])
    engineer_weekends = int(compiled.person_is_engineer.sum()) * compiled.weeks
    return 1.0 - len(interrupted) / engineer_weekends


def _shift_overload_share(compiled: CompiledScenario, records: RunRecords) -> float:
    """Share of 12-hour primary on-call shifts in which the primary got more than 2 incidents.

    Shifts are 12-hour blocks from each team's rotation handoffs (Google SRE guidance: at most
    2 incidents per 12-hour shift). Only blocks that start inside the horizon count.
    """
    first_level = records.page_level == 0
    overloaded = 0
    blocks_total = 0
    for team_index, schedule in enumerate(compiled.team_schedules):
        # 12-hour blocks aligned with the rotation's handoffs, from the first at or after 0.
        first_block = schedule.first_handoff_minutes % 720.0
        blocks = int(np.ceil((compiled.horizon_minutes - first_block) / 720.0))
        in_team = first_level & (compiled.person_team[records.page_person] == team_index)
        block = np.floor((records.page_minutes[in_team] - first_block) / 720.0).astype(np.int64)
        block = block[(block >= 0) & (block < blocks)]
        starts_in_horizon = first_block + 720.0 * np.arange(blocks) >= 0
        counts = np.bincount(block, minlength=blocks)
        overloaded += int(np.sum((counts > 2) & starts_in_horizon))
        blocks_total += int(starts_in_horizon.sum())
    return overloaded / blocks_total if blocks_total else 0.0


def _team_kpis(
    compiled: CompiledScenario,
    records: RunRecords,
    page_team: np.ndarray,
    page_owner: np.ndarray,
    first_in_weekend: np.ndarray,
    first_person: np.ndarray,
    page_band: np.ndarray,
) -> dict[str, float]:
    teams = len(compiled.team_names)
    sleep_pages = np.bincount(
        page_team[(page_band == BAND_SLEEP) & compiled.person_is_engineer[records.page_person]],
        minlength=teams,
    )
    engineers = np.bincount(compiled.person_team[compiled.person_is_engineer], minlength=teams)
    pages = np.bincount(page_team, minlength=teams)
    elsewhere = np.bincount(page_team[page_owner != page_team], minlength=teams)
    first_team = compiled.person_team[first_person]
    weekend = np.bincount(first_team[first_in_weekend], minlength=teams)
    values: dict[str, float] = {}
    for index, team in enumerate(compiled.team_names):
        values[team_kpi_name("pages", team)] = float(pages[index])
        values[team_kpi_name("weekend_escalations_per_weekend", team)] = (
            weekend[index] / compiled.weeks
        )
        values[team_kpi_name("root_elsewhere_share", team)] = (
            elsewhere[index] / pages[index] if pages[index] else float("nan")
        )
        values[team_kpi_name("sleep_interruptions_per_engineer", team)] = (
            sleep_pages[index] / engineers[index]
        )
    return values


def oncall_share(compiled: CompiledScenario) -> np.ndarray:
    """Per engineer, the share of the horizon a schedule of their team's policy names them
    (see :attr:`CompiledScenario.oncall_share`)."""
    return compiled.oncall_share


def _engineers_over_per_month(
    compiled: CompiledScenario, records: RunRecords, threshold: int
) -> float:
    """Mean number of engineers with more than ``threshold`` pages per 30-day month."""
    month_minutes = 30 * 1440.0
    months = int(compiled.horizon_minutes // month_minutes)
    if months == 0:
        return float("nan")
    engineer = compiled.person_is_engineer[records.page_person]
    month = (records.page_minutes // month_minutes).astype(np.int64)
    keep = engineer & (month < months)
    people = len(compiled.person_names)
    counts = np.bincount(
        records.page_person[keep] * months + month[keep], minlength=people * months
    )
    return float(np.sum(counts > threshold) / months)
