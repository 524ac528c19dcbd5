"""`oncall-sim validate`: a short, readable summary of a valid scenario."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

from sim.scenario.models import Scenario


def print_scenario_summary(console: Console, scenario: Scenario, source: Path) -> None:
    """Services, teams, expected alerts per week and variants of a valid scenario."""
    horizon = scenario.horizon
    total_per_week = sum(service.alerts_per_week for service in scenario.services)
    console.print(f"[green]OK[/green] {source}: {scenario.name}")
    console.print(
        f"  horizon: {horizon.weeks} weeks from {horizon.start_date} ({horizon.time_zone}), "
        f"seed {horizon.seed}, {horizon.runs} runs by default"
    )
    console.print(
        f"  {len(scenario.services)} services, {len(scenario.teams)} teams, "
        f"{total_per_week:g} alerts per week expected"
    )
    placeholders = scenario.placeholder_rate_services
    if placeholders:
        console.print(
            f"  [bold red]PLACEHOLDER RATES[/bold red]: alerts_per_week of {len(placeholders)} of "
            f"{len(scenario.services)} services ({', '.join(placeholders)}) is a placeholder, "
            "not a measurement: set each from your incident history and remove its "
            "`placeholder_rate: true` (run refuses them unless --accept-placeholder-rates)"
        )

    per_team: dict[str, float] = defaultdict(float)
    services_per_team: dict[str, int] = defaultdict(int)
    layers_per_team: dict[str, set[str]] = defaultdict(set)
    for service in scenario.services:
        per_team[service.team] += service.alerts_per_week
        services_per_team[service.team] += 1
        if service.layer:
            layers_per_team[service.team].add(service.layer)

    teams = Table(title="teams", title_justify="left")
    for column in ("team", "engineers", "handoff", "zone", "services", "layers", "alerts/week"):
        teams.add_column(
            column, justify="right" if column in ("engineers", "alerts/week") else "left"
        )
    for team in scenario.teams:
        rotation = team.rotation
        when = {
            "weekly": f"weekly, {rotation.handoff_day} {rotation.handoff_time}",
            "daily": f"daily {rotation.handoff_time}",
            "custom": f"every {rotation.shift_hours} h from {rotation.handoff_day} "
            f"{rotation.handoff_time}",
            "pool": "pool: all on duty",
        }[rotation.shift]
        if team.layers:
            when = f"{len(team.layers)} layers: " + ", ".join(layer.name for layer in team.layers)
        teams.add_row(
            team.name,
            str(len(team.engineer_names)),
            when,
            team.time_zone or horizon.time_zone,
            str(services_per_team[team.name]),
            ", ".join(sorted(layers_per_team[team.name])) or "-",
            f"{per_team[team.name]:g}",
        )
    console.print(teams)

    _print_warnings(console, scenario)
    if any(service.depends_on for service in scenario.services):
        _print_cascade_depths(console, scenario)
    _print_coverage(console, scenario)

    _print_escalation(console, scenario)
    automation = scenario.automation
    console.print(
        f"  automation: detection coverage {automation.anomaly_detection.coverage:g}, "
        f"self-healing coverage {automation.self_healing.coverage:g} "
        f"(success {automation.self_healing.success_probability:g})"
    )
    if not scenario.variants:
        console.print("  no variants: `oncall-sim run` needs at least one to compare")
    for variant in scenario.variants:
        console.print(f"  variant [bold]{variant.name}[/bold]: {variant.description}")
        for path, value in variant.set.items():
            console.print(f"      {path} = {value!r}")


def _target_text(target) -> str:
    if target.schedule is not None:
        return f"{target.schedule} on call" + (f" +{target.offset}" if target.offset else "")
    if target.person is not None:
        return target.person
    if target.round_robin is not None:
        return f"{target.round_robin} round-robin"
    if target.everyone is not None:
        return f"everyone in {target.everyone}"
    return "accountable manager"


def policy_text(policy) -> str:
    """A named policy in one line: 'infra on call (30 min) -> infra on call +1, boss (30 min)
    -> ...; repeat 1, acks expire after 60 min'."""
    levels = " -> ".join(
        ", ".join(_target_text(target) for target in level.targets)
        + f" ({level.delay_minutes:g} min)"
        for level in policy.levels
    )
    extras = [f"repeat {policy.repeat}"] if policy.repeat else []
    if policy.ack_expiry_minutes:
        extras.append(f"acks expire after {policy.ack_expiry_minutes:g} min")
    return levels + ("; " + ", ".join(extras) if extras else "")


def _print_escalation(console: Console, scenario: Scenario) -> None:
    """Each team's escalation policy (the default `escalation` block only where a team uses
    it), then the policies services name for themselves."""
    escalation = scenario.escalation
    default = (
        f"{' -> '.join(escalation.levels)}, ack timeout {escalation.ack_timeout_minutes:g} min"
    )
    named = {policy.name: policy for policy in scenario.escalation_policies}
    users = [team.name for team in scenario.teams if team.escalation_policy is None]
    lines = []
    if len(users) == len(scenario.teams):
        lines.append(f"  escalation: {default}")
    elif users:
        lines.append(f"  escalation of {', '.join(users)} (the `escalation` block): {default}")
    for owner, policy_name in [
        *((team.name, team.escalation_policy) for team in scenario.teams),
        *((f"service {s.name}", s.escalation_policy) for s in scenario.services),
    ]:
        if policy_name is not None:
            lines.append(
                f"  escalation of {owner}: policy {policy_name}: {policy_text(named[policy_name])}"
            )
    for line in lines:
        console.print(line, markup=False, highlight=False, soft_wrap=True)
    _print_offset_warnings(console, scenario)


def _print_offset_warnings(console: Console, scenario: Scenario) -> None:
    """A policy target whose offset wraps round some layers to the person on call (a layer of
    fewer people than the offset): there the level pages the primary again."""
    from sim.scenario.references import offset_wraps

    for policy in scenario.escalation_policies:
        for number, level in enumerate(policy.levels, start=1):
            for target in level.targets:
                if not target.offset or target.schedule not in [t.name for t in scenario.teams]:
                    continue
                for label, count in offset_wraps(scenario.team(target.schedule), target.offset):
                    console.print(
                        f"  [yellow]warning[/yellow]: policy {policy.name}, level {number}: "
                        f"offset {target.offset} of schedule {target.schedule} names the "
                        f"person on call again in its {label} ({count} people)",
                        highlight=False,
                        soft_wrap=True,
                    )


#: Alerts of generated streams sampled for the cascade depth summary: enough for shares to the
#: percent, and few enough that `validate` answers in seconds at any rate.
DEPTH_SAMPLE_ALERTS = 20_000
#: At most this many runs are sampled (a small scenario's horizon may hold few alerts).
DEPTH_SAMPLE_RUNS = 8


@dataclass(frozen=True)
class DepthSample:
    """Alerts by hops from their root failure, in a bounded sample of generated streams."""

    counts: np.ndarray
    """counts[d]: alerts d hops from their root (0: root failures)."""
    runs: int
    weeks: int

    @property
    def alerts(self) -> int:
        return int(self.counts.sum())


def cascade_depth_sample(scenario: Scenario) -> DepthSample:
    """Generate alert streams of the baseline, cut to as many weeks and runs as hold about
    DEPTH_SAMPLE_ALERTS alerts (at least one week of one run): the depth shares do not depend
    on the horizon's length, the time to sample them does."""
    from sim.compile import compile_scenario
    from sim.generator import generate_alert_stream
    from sim.scenario.resolve import with_overrides

    horizon = scenario.horizon
    per_week = max(sum(service.alerts_per_week for service in scenario.services), 1e-9)
    weeks = max(1, min(horizon.weeks, math.ceil(DEPTH_SAMPLE_ALERTS / per_week)))
    runs = max(1, min(DEPTH_SAMPLE_RUNS, math.ceil(DEPTH_SAMPLE_ALERTS / (per_week * weeks))))
    if weeks < horizon.weeks:
        scenario = with_overrides(scenario, {"horizon.weeks": weeks})
    arrivals = compile_scenario(scenario).arrivals
    depths = np.concatenate(
        [generate_alert_stream(arrivals, horizon.seed, run).depth for run in range(runs)]
    )
    return DepthSample(np.bincount(depths, minlength=1), runs, weeks)


def _print_cascade_depths(console: Console, scenario: Scenario) -> None:
    """Share of alerts by hops from their root failure, from a sample of generated streams."""
    sample = cascade_depth_sample(scenario)
    counts = sample.counts
    roots = counts[0]
    symptoms = counts[1:].sum()
    shares = ", ".join(
        f"{depth}: {count / max(symptoms, 1):.0%}" for depth, count in enumerate(counts) if depth
    )
    console.print(
        f"  cascades: {symptoms / max(roots, 1):.2f} symptom alerts per root failure; "
        f"symptoms by depth (hops from the root) {shares or 'none'} "
        f"({sample.alerts:,} alerts sampled from {sample.runs} run(s) of {sample.weeks} week(s))"
    )


def _print_warnings(console: Console, scenario: Scenario) -> None:
    from sim.scenario.advisories import scenario_warnings

    for warning in scenario_warnings(scenario):
        console.print(f"  [yellow]warning[/yellow]: {warning}", highlight=False)


#: Gaps listed per schedule before the rest are summarised.
GAPS_LISTED = 3


def _print_coverage(console: Console, scenario: Scenario) -> None:
    """Coverage gaps of every team's schedule (and each offset a policy pages), per variant.

    A gap is a stretch of the horizon in which a schedule names nobody; at run time an alert
    that reaches that level there goes straight to the next level and is counted.
    """
    import pandas as pd

    from sim.calendar import horizon_start_utc
    from sim.compile import compile_scenario
    from sim.compile.escalation import TARGET_SCHEDULE
    from sim.scenario.resolve import resolve_variant

    horizon = scenario.horizon
    origin = horizon_start_utc(horizon.start_date, horizon.time_zone)

    def local(minutes: float) -> str:
        moment = (origin + pd.Timedelta(minutes=minutes)).tz_convert(horizon.time_zone)
        return moment.strftime("%a %Y-%m-%d %H:%M")

    found = False
    for variant in scenario.variant_names:
        compiled = compile_scenario(resolve_variant(scenario, variant), variant)
        schedules = {
            id(target.schedule): target.schedule
            for policy in compiled.policies
            for level in policy.levels
            for target in level.targets
            if target.kind == TARGET_SCHEDULE
        }
        for schedule in schedules.values():
            gaps = schedule.gaps(0.0, compiled.horizon_minutes)
            if not gaps:
                continue
            found = True
            hours = sum(end - start for start, end in gaps) / 60.0
            listed = "; ".join(
                f"{local(start)} to {local(end)}" for start, end in gaps[:GAPS_LISTED]
            )
            more = f" and {len(gaps) - GAPS_LISTED} more" if len(gaps) > GAPS_LISTED else ""
            console.print(
                f"  [yellow]coverage gap[/yellow] ({variant}): schedule {schedule.name} names "
                f"nobody for {hours:g} h in {len(gaps)} stretch(es): {listed}{more}. Alerts "
                "there go to the next escalation level."
            )
    if not found:
        console.print("  coverage: every schedule names someone at every minute of the horizon")
