"""The content of a leadership report: one section (one slide) per message, each backed by the
data the run saved, and a plain list of what was left out and why.

The HTML report, the deck and the Markdown page (:mod:`sim.report.html`, :mod:`sim.report.deck`,
:mod:`sim.report.markdown`) render the same :class:`Report`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from matplotlib.figure import Figure

from sim.metrics import KPI_DESCRIPTIONS
from sim.report import figures, figures_people
from sim.report.findings import (
    HEADLINE_KPI,
    KPI_WORDS,
    answer_sentence,
    answer_title,
    change_phrase,
    clear_change,
    from_to,
    number,
    percent,
    row,
    short_change,
)
from sim.report.folder import ResultsFolder
from sim.report.style import variant_colours

#: Section key -> its name, in report order.
SECTION_NAMES: dict[str, str] = {
    "answer": "The answer",
    "headline": "Weekend escalations and sleep-hour pages",
    "hours": "When people are interrupted",
    "people": "Who carries it",
    "costs": "What it costs",
    "year": "Over the year",
    "sensitivity": "Sensitivity",
    "method": "Method and assumptions",
}
#: Which detail file each section needs (beside summary.csv and runs.parquet).
SECTION_NEEDS: dict[str, str] = {
    "hours": "pages_by_hour.parquet",
    "people": "people.parquet",
    "year": "weekly.parquet",
}
#: KPIs of summary.csv each section's words need (for the variant it shows).
SECTION_KPIS: dict[str, tuple[str, ...]] = {
    "answer": (HEADLINE_KPI,),
    "headline": (HEADLINE_KPI, "interruptions_sleep"),
    "hours": ("interruptions_business", "interruptions_off", "interruptions_sleep"),
    "people": ("engineers_over_19_per_month", "oncall_share_max"),
    "costs": ("mttr_human_mean_minutes",),
    "year": (),
    "sensitivity": (),
    "method": (HEADLINE_KPI,),
}
COST_KPIS = (
    "mttr_human_mean_minutes",
    "time_to_page_mean_minutes",
    "mtta_median_minutes",
    "deferred_alerts",
    "impact_hours",
)

MODEL_LIMITS = (
    "Leave is drawn per engineer; teams do not coordinate it.",
    "A busy responder works one incident at a time; nobody else picks up their queue.",
    "Alert rates, work times and automation rates are the scenario's assumptions; the results "
    "hold as far as they do.",
    "The cost of making the change (licences, engineering time to write runbooks) is not modelled.",
)


class ReportError(ValueError):
    """A report cannot be built as asked (e.g. an unknown variant)."""


@dataclass(frozen=True)
class Section:
    """One message: a title stating the finding, its figure, a few bullets, speaker notes."""

    key: str
    title: str
    figure: Figure
    alt: str
    bullets: list[str]
    notes: str


@dataclass
class Report:
    """Sections in order, and the sections left out with the reason."""

    title: str
    subtitle: str
    sections: list[Section]
    left_out: list[tuple[str, str]] = field(default_factory=list)
    missing_files: tuple[str, ...] = ()


def _choose_variants(folder: ResultsFolder, variants: list[str] | None) -> list[str]:
    available = [name for name in folder.variants if name != "baseline"]
    if not variants:
        return available
    unknown = [name for name in variants if name not in available]
    if unknown:
        raise ReportError(
            f"{folder.path}: no variant named {unknown[0]!r}; these results have "
            f"{', '.join(available) or 'no variants'}"
        )
    return list(dict.fromkeys(variants))


def _definition(kpi: str) -> str:
    return f"{kpi}: {KPI_DESCRIPTIONS.get(kpi, kpi)}."


def _answer(folder: ResultsFolder, context: dict) -> Section:
    focus, chosen = context["focus"], context["chosen"]
    bullets = [answer_sentence(folder.summary, name, folder.run_count) for name in chosen]
    return Section(
        key="answer",
        title=answer_title(folder.summary, focus),
        figure=figures.plot_headline(
            folder.summary, HEADLINE_KPI, chosen, context["colours"], folder.weeks
        ),
        alt="Change in weekend escalations per weekend against the baseline, per variant, "
        "with 95% confidence intervals",
        bullets=bullets,
        notes=(
            f"{_definition(HEADLINE_KPI)} An escalation is an incident that paged a human; its "
            "weekend is judged in the local time of the person paged. The interval is the 95% "
            "confidence interval of the relative change over paired runs; 'better in X% of "
            "runs' is the share of paired runs in which the variant had fewer."
        ),
    )


def _headline(folder: ResultsFolder, context: dict) -> Section:
    focus = context["focus"]
    sleep = row(folder.summary, "interruptions_sleep", focus)
    weekend = row(folder.summary, HEADLINE_KPI, focus)
    title = f"Sleep-hour pages {change_phrase(sleep)}, weekend escalations {change_phrase(weekend)}"
    unit = figures.horizon_words(folder.weeks)
    bullets = [
        f"{name}: {from_to(folder.summary, HEADLINE_KPI, name, 'per weekend')}; "
        f"{from_to(folder.summary, 'interruptions_sleep', name, unit)}"
        for name in context["chosen"]
    ]
    return Section(
        key="headline",
        title=title,
        figure=figures.plot_kpi_bars(
            folder.runs,
            [HEADLINE_KPI, "interruptions_sleep"],
            ["baseline", *context["chosen"]],
            context["colours"],
            folder.weeks,
        ),
        alt="Mean weekend escalations per weekend and sleep-hour pages per run, baseline and "
        "variants, with 95% confidence intervals",
        bullets=bullets,
        notes=f"{_definition(HEADLINE_KPI)} {_definition('interruptions_sleep')} Sleep hours "
        "are 22:00-08:00 in the local time of the person paged. Bars are means over the runs, "
        "whiskers the 95% t interval of each mean (the paired change is tighter than the "
        "whiskers suggest: see the first slide).",
    )


def _hours(folder: ResultsFolder, context: dict) -> Section:
    focus = context["focus"]
    summary = folder.summary
    business = row(summary, "interruptions_business", focus)
    sleep = row(summary, "interruptions_sleep", focus)
    title = (
        f"Night pages go from {number(sleep.baseline_mean)} to {number(sleep.variant_mean)} "
        f"{figures.horizon_words(folder.weeks)}, business-hours pages from "
        f"{number(business.baseline_mean)} to {number(business.variant_mean)}"
    )
    runs = folder.detail_runs("pages_by_hour")
    return Section(
        key="hours",
        title=title,
        figure=figures_people.plot_hour_of_week(
            folder.detail["pages_by_hour"], focus, runs, figures.horizon_words(folder.weeks)
        ),
        alt=f"Heatmaps of pages by local hour of the week: baseline, {focus}, and the difference",
        bullets=[
            from_to(summary, kpi, focus, figures.horizon_words(folder.weeks))
            for kpi in ("interruptions_business", "interruptions_off", "interruptions_sleep")
        ],
        notes="Each cell is the mean number of pages per run in that hour of the week, in the "
        "local time of the person paged (pages_by_hour.parquet; the 168 cells sum to the pages "
        f"KPI), over {runs} runs. Business hours Mon-Fri 08:00-18:00, sleep hours 22:00-08:00, "
        "off hours the rest; public holidays are never business hours.",
    )


def _people(folder: ResultsFolder, context: dict) -> Section:
    focus = context["focus"]
    summary = folder.summary
    people = folder.detail["people"]
    over = row(summary, "engineers_over_19_per_month", focus)
    share = row(summary, "oncall_share_max", focus)
    title = (
        f"Engineers over the burnout level: {number(over.baseline_mean)} → "
        f"{number(over.variant_mean)} a month; top on-call share "
        f"{percent(share.variant_mean, 0, sign=False)} (guidance 25%)"
    )
    months = folder.weeks * 7 / 30
    load = figures_people.people_data(people, focus, months)
    top = load["pages_baseline"].idxmax()
    bullets = [
        f"Most paged engineer: {top} ({load.loc[top, 'team']}), "
        f"{load.loc[top, 'pages_baseline']:.1f} → {load.loc[top, 'pages_variant']:.1f} pages a "
        "month",
        from_to(summary, "quiet_weekend_share", focus),
        from_to(summary, "pages_gini", focus),
    ]
    return Section(
        key="people",
        title=title,
        figure=figures_people.plot_people_load(people, focus, months, context["colours"]),
        alt=f"Pages per engineer per month, baseline and {focus}, and each team's top on-call "
        "share against the 25% guidance",
        bullets=[text for text in bullets if text],
        notes=f"{_definition('engineers_over_19_per_month')} {_definition('oncall_share_max')} "
        f"{_definition('quiet_weekend_share')} Pages per engineer are means over the runs of "
        "people.parquet divided by the 30-day months of the horizon. On-call share is the "
        "scheduled share; leave and rest move some of it to substitutes.",
    )


def _moves(summary, kpi: str, variants: list[str]) -> bool:
    """The KPI is in the summary and not zero in every arm (e.g. no deferral modelled)."""
    rows = [row(summary, kpi, name) for name in variants]
    rows = [entry for entry in rows if entry is not None]
    return any(entry.baseline_mean != 0 or entry.variant_mean != 0 for entry in rows)


def _costs(folder: ResultsFolder, context: dict) -> Section:
    focus = context["focus"]
    summary = folder.summary
    mttr = row(summary, "mttr_human_mean_minutes", focus)
    title = (
        f"What it costs: time to resolve what people handle {change_phrase(mttr, singular=True)}"
    )
    rises = [
        (entry.rel_change, kpi)
        for kpi in COST_KPIS[1:]
        if (entry := row(summary, kpi, focus)) is not None
        and clear_change(entry)
        and entry.rel_change > 0
    ]
    if rises:
        kpi = max(rises)[1]
        title += f"; {KPI_WORDS.get(kpi, kpi)} {short_change(row(summary, kpi, focus), True)}"
    else:
        title += "; no other cost rises clearly"
    deferred = row(summary, "deferred_alerts", focus)
    if deferred is not None and deferred.variant_mean > 0:
        title += f"; {number(deferred.variant_mean)} alerts wait for support hours"
    unit = figures.horizon_words(folder.weeks)
    kpis = [kpi for kpi in COST_KPIS if _moves(summary, kpi, context["chosen"])]
    bullets = [from_to(summary, kpi, focus, "min" if "minutes" in kpi else "") for kpi in kpis]
    bullets.append(
        "Hours invested (post-mortems, runbook writing) are not modelled by this scenario."
    )
    return Section(
        key="costs",
        title=title,
        figure=figures.plot_kpi_bars(
            folder.runs, kpis, ["baseline", *context["chosen"]], context["colours"], folder.weeks
        ),
        alt="Mean time to resolve, time to acknowledge, deferred alerts and incident impact per "
        "variant",
        bullets=bullets,
        notes=" ".join(_definition(kpi) for kpi in kpis)
        + f" Totals are {unit}. MTTR here is of the incidents a human worked (auto-resolved ones "
        "left out), so it shows whether people fix things faster, not only that automation "
        "fixes some in minutes.",
    )


def _year(folder: ResultsFolder, context: dict) -> Section:
    weekly = folder.detail["weekly"]
    names = ["baseline", *context["chosen"]]
    data = figures.weekly_data(weekly, "pages", names)
    focus = context["focus"]
    lower = int((data[focus] < data["baseline"]).sum())
    start = dt.date.fromisoformat(str(folder.scenario.get("horizon", {}).get("start_date")))
    return Section(
        key="year",
        title=(
            f"{focus} sends fewer pages than the baseline in every one of the {len(data)} weeks"
            if lower == len(data)
            else f"{focus} sends fewer pages than the baseline in {lower} of {len(data)} weeks"
        ),
        figure=figures.plot_weekly(weekly, "pages", names, context["colours"], start),
        alt="Mean pages per week through the horizon, one line per variant",
        bullets=[
            f"Baseline: {data['baseline'].min():.1f} to {data['baseline'].max():.1f} pages a "
            f"week (weekly.parquet, mean over {folder.detail_runs('weekly')} runs).",
            "A seasonal pattern, a holiday or a learning effect shows as a bend in the lines.",
        ],
        notes="Mean pages per week over the runs, weeks from the horizon's start; pages after "
        "the horizon's end (incidents still being worked) are left out.",
    )


def _sensitivity(folder: ResultsFolder, context: dict) -> Section:
    sweep = folder.sweep
    data = figures.tornado_data(sweep)
    top = data.index[0]
    entry = data.iloc[0]
    return Section(
        key="sensitivity",
        title=f"{top.removeprefix('automation.')} moves the answer most: "
        f"{entry.low:+.1f}% to {entry.high:+.1f}%",
        figure=figures.plot_tornado(sweep, HEADLINE_KPI, folder.weeks),
        alt="Tornado chart: the span of the headline change each swept setting causes",
        bullets=[
            f"{name.removeprefix('automation.')}: {item.low:+.1f}% at {item.low_value}, "
            f"{item.high:+.1f}% at {item.high_value}"
            for name, item in data.iterrows()
        ],
        notes="Main effects from sweep.csv: for each setting, the mean change over the grid "
        "points with each of its values (averaged over the other settings).",
    )


def _scenario_header(folder: ResultsFolder) -> list[str]:
    source = Path(str(folder.provenance.get("scenario_file", "")))
    if not source.is_file():
        return []
    lines = []
    for line in source.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        lines.append(line.removeprefix("#").removeprefix(" "))
    return lines


def _method(folder: ResultsFolder, context: dict) -> Section:
    focus = context["focus"]
    provenance = folder.provenance
    header = _scenario_header(folder)
    source = provenance.get("scenario_file", "the scenario file")
    return Section(
        key="method",
        title=f"Method: {folder.run_count} paired runs; each variant meets the same alerts as "
        "the baseline",
        figure=figures.plot_paired_differences(
            folder.runs, HEADLINE_KPI, focus, context["colours"][focus], folder.weeks
        ),
        alt=f"Histogram of the per-run difference in weekend escalations, {focus} minus baseline",
        bullets=[
            "Run i of every variant replays the same simulated year (alerts, timings, random "
            "draws) as run i of the baseline, so a difference is the change's effect, not luck.",
            f"Scenario {folder.scenario.get('name', '?')}, digest "
            f"{str(provenance.get('scenario_sha256', '?'))[:12]}, seed {provenance.get('seed')}, "
            f"oncall-sim {provenance.get('oncall_sim_version', '?')}; parameters and their "
            f"sources: the header of {source}" + (" (in the notes)." if header else "."),
            "Not modelled: the cost of making the change, leave coordinated within a team, "
            "help with a busy responder's queue (details in the notes).",
        ],
        notes="Not modelled: "
        + " ".join(MODEL_LIMITS)
        + "\n\n"
        + ("\n".join(header) if header else f"Scenario file {source} not found."),
    )


BUILDERS = {
    "answer": _answer,
    "headline": _headline,
    "hours": _hours,
    "people": _people,
    "costs": _costs,
    "year": _year,
    "sensitivity": _sensitivity,
    "method": _method,
}


def build_report(folder: ResultsFolder, variants: list[str] | None = None) -> Report:
    """The report of a results folder for the chosen variants (default: all); the first is the
    one the per-variant slides (hours, people, costs, method) show."""
    chosen = _choose_variants(folder, variants)
    if not chosen:
        raise ReportError(f"{folder.path}: these results have no variant to compare")
    context = {"chosen": chosen, "focus": chosen[0], "colours": variant_colours(folder.variants)}
    sections = []
    left_out = []
    for key, build in BUILDERS.items():
        needs = SECTION_NEEDS.get(key)
        if needs is not None and needs in folder.missing:
            left_out.append((SECTION_NAMES[key], f"{needs} is missing (an older results folder)"))
            continue
        absent = [kpi for kpi in SECTION_KPIS[key] if row(folder.summary, kpi, chosen[0]) is None]
        if absent:
            left_out.append(
                (SECTION_NAMES[key], f"summary.csv has no {absent[0]} (an older version's results)")
            )
            continue
        if key == "sensitivity" and (
            folder.sweep is None or figures.tornado_data(folder.sweep).empty
        ):
            left_out.append((SECTION_NAMES[key], "not a sweep (no sweep.csv)"))
            continue
        sections.append(build(folder, context))
    runs = folder.run_count
    started = str(folder.provenance.get("started_at", ""))[:10]
    return Report(
        title=f"{folder.scenario.get('name', folder.path.name)}: what the change does for the "
        "people on call",
        subtitle=f"{runs} paired runs of {folder.weeks} weeks, {started}; "
        + ", ".join(chosen)
        + " against the baseline",
        sections=sections,
        left_out=left_out,
        missing_files=folder.missing,
    )


__all__ = ["SECTION_NAMES", "Report", "ReportError", "Section", "build_report"]
