"""PagerDuty escalation policies and services to scenario policies and services (see
:mod:`sim.importers.pagerduty` for the mapping)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sim.importers.report import ImportReport
from sim.importers.sources import Node

WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MAX_REPEAT = 9
MAX_DELAY_MINUTES = 1440


@dataclass(frozen=True)
class RuleTarget:
    """A target of a rule: ``kind`` 'schedule' or 'user', and the PagerDuty id."""

    kind: str
    source_id: str


@dataclass(frozen=True)
class ImportedRule:
    delay_minutes: float
    strategy: str
    targets: tuple[RuleTarget, ...]


@dataclass(frozen=True)
class ImportedPolicy:
    source_id: str
    display_name: str
    rules: tuple[ImportedRule, ...]
    repeat: int


def strategy_of(rule: Node) -> str:
    """``escalation_rule_assignment_strategy`` in its string or object form (absent: everyone)."""
    node = rule.optional("escalation_rule_assignment_strategy")
    if node is None:
        return "assign_to_everyone"
    if isinstance(node.value, dict):
        return node.get("type").text()
    return node.text()


def import_policy(
    node: Node, schedule_ids: set[str], user_ids: set[str], report: ImportReport
) -> ImportedPolicy:
    """One ``escalation_policy`` object; unknown schedules and users are errors."""
    source_id = node.get("id").text()
    label = f"escalation policy {source_id}"
    extra = sorted(
        set(node.value)
        - {"id", "type", "summary", "self", "html_url", "name", "description", "num_loops"}
        - {"escalation_rules", "services", "teams"}
    )
    if extra:
        report.drop(f"{label}: fields {', '.join(extra)} (not used by the model)")
    rules = []
    for rule in node.get("escalation_rules").items():
        delay_node = rule.get("escalation_delay_in_minutes")
        delay = delay_node.number(minimum=1)
        if delay > MAX_DELAY_MINUTES:
            report.approximate(f"{label}: a delay of {delay:g} minutes cut to 1440 (a day)")
            delay = MAX_DELAY_MINUTES
        targets = []
        for target in rule.get("targets").items():
            kind = target.get("type").text()
            target_id = target.get("id").text()
            if kind == "schedule_reference":
                if target_id not in schedule_ids:
                    raise target.get("id").fail(
                        f"escalation policy {source_id} points at schedule {target_id!r}, "
                        "which is not in the export"
                    )
                targets.append(RuleTarget("schedule", target_id))
            elif kind == "user_reference":
                if target_id not in user_ids:
                    raise target.get("id").fail(
                        f"unknown user {target_id!r} (not in the users export)"
                    )
                targets.append(RuleTarget("user", target_id))
            else:
                report.drop(f"{label}: target {target_id} of type {kind} (not modelled)")
        if not targets:
            report.drop(f"{label}: a rule with no schedule or user target")
            continue
        rules.append(ImportedRule(delay, strategy_of(rule), tuple(targets)))
    if not rules:
        raise node.get("escalation_rules").fail("the policy has no rule with a usable target")
    loops = int(node.get("num_loops").number(minimum=0)) if node.has("num_loops") else 0
    if loops > MAX_REPEAT:
        report.approximate(f"{label}: num_loops {loops} cut to {MAX_REPEAT}")
        loops = MAX_REPEAT
    display = node.get("name").text() if node.has("name") else source_id
    return ImportedPolicy(source_id, display, tuple(rules), loops)


def policy_levels(
    policy: ImportedPolicy,
    team_of_schedule: dict[str, str],
    person_of_user: dict[str, str],
    report: ImportReport,
) -> list[dict[str, Any]]:
    """The scenario levels of a policy."""
    label = f"escalation policy {policy.source_id}"
    levels = []
    for number, rule in enumerate(policy.rules, start=1):
        targets = [
            {"schedule": team_of_schedule[t.source_id]}
            if t.kind == "schedule"
            else {"person": person_of_user[t.source_id]}
            for t in rule.targets
        ]
        people = [person_of_user[t.source_id] for t in rule.targets if t.kind == "user"]
        if rule.strategy == "round_robin" and len(rule.targets) > 1:
            if len(people) == len(rule.targets):
                targets = [{"round_robin_people": people}]
                report.map(f"{label} rule {number}: round_robin over {len(people)} users")
            else:
                report.approximate(
                    f"{label} rule {number}: round_robin over a schedule target is paged as "
                    "assign_to_everyone (the model's round-robin takes named people)"
                )
        elif rule.strategy not in ("round_robin", "assign_to_everyone"):
            report.approximate(
                f"{label} rule {number}: unknown assignment strategy {rule.strategy!r} paged "
                "as assign_to_everyone"
            )
        levels.append({"targets": targets, "delay_minutes": rule.delay_minutes})
    return levels


def _urgency(rule: Node) -> str:
    """'high', 'low' or 'severity_based' of a ``constant`` or severity-based urgency rule."""
    kind = rule.get("type").text()
    if kind == "constant":
        urgency = rule.get("urgency").text()
        if urgency not in ("high", "low", "severity_based"):
            raise rule.get("urgency").fail(f"unknown urgency {urgency!r}")
        return urgency
    raise rule.get("type").fail(f"unknown urgency rule type {kind!r}")


def _support_hours(node: Node, team_zone: str, label: str, report: ImportReport) -> dict:
    days_node = node.get("days_of_week")
    days = []
    for day_node in days_node.items():
        day = day_node.number(minimum=1)
        if day > 7 or day != int(day):
            raise day_node.fail(f"days_of_week are 1 (Monday) to 7 (Sunday); got {day:g}")
        days.append(WEEKDAY_NAMES[int(day) - 1])
    start = node.get("start_time").time_of_day()
    end = node.get("end_time").time_of_day()
    zone = node.get("time_zone").time_zone() if node.has("time_zone") else team_zone
    if zone != team_zone:
        report.approximate(
            f"{label}: support hours in {zone} are judged in the owning team's time zone "
            f"{team_zone} (the model's support hours are the team's local time)"
        )
    return {
        "days": days,
        "start": f"{start[0]:02d}:{start[1]:02d}",
        "end": f"{end[0]:02d}:{end[1]:02d}",
    }


def _raised_at_support_start(service: Node) -> bool:
    """A ``scheduled_actions`` urgency change to high at the start of support hours."""
    if not service.has("scheduled_actions"):
        return False
    for action in service.get("scheduled_actions").items():
        at = action.optional("at")
        if (
            action.has("type")
            and action.get("type").value == "urgency_change"
            and at is not None
            and at.has("name")
            and at.get("name").value == "support_hours_start"
            and action.has("to_urgency")
            and action.get("to_urgency").value == "high"
        ):
            return True
    return False


def service_paging(service: Node, team_zone: str, report: ImportReport) -> dict[str, Any] | None:
    """The service's own ``paging`` block from its urgency rule (None: every alert high)."""
    label = f"service {service.get('id').text()}"
    rule = service.optional("incident_urgency_rule")
    if rule is None:
        return None
    kind = rule.get("type").text()
    if kind == "constant":
        urgency = _urgency(rule)
        if urgency == "high":
            return None
        report.approximate(
            f"{label}: constant {urgency} urgency is modelled as low urgency "
            + ("for P3 and P4 " if urgency == "severity_based" else "for every severity ")
            + "outside the default support hours only (notify-only); inside them it pages"
        )
        low = ["P3", "P4"] if urgency == "severity_based" else ["P1", "P2", "P3", "P4"]
        return {
            "urgency": dict.fromkeys(low, "low"),
            "low_urgency_outside_support": "notify",
        }
    if kind != "use_support_hours":
        raise rule.get("type").fail(
            f"unknown incident_urgency_rule type {kind!r} (expected constant or use_support_hours)"
        )
    during = _urgency(rule.get("during_support_hours"))
    outside = _urgency(rule.get("outside_support_hours"))
    if outside == "high":
        if during != "high":
            report.approximate(f"{label}: low urgency during support hours is paged as high")
        return None
    if during != "high":
        report.approximate(f"{label}: low urgency during support hours is paged as high")
    hours = _support_hours(service.get("support_hours"), team_zone, label, report)
    deferred = _raised_at_support_start(service)
    low = ["P3", "P4"] if outside == "severity_based" else ["P1", "P2", "P3", "P4"]
    if deferred:
        report.map(
            f"{label}: low urgency outside support hours, raised to high at support hours "
            "start -> deferred to support hours"
        )
    else:
        report.approximate(
            f"{label}: low urgency outside support hours is modelled as notify-only (one page "
            "to the first level, no escalation)"
        )
    return {
        "urgency": dict.fromkeys(low, "low"),
        "support_hours": hours,
        "low_urgency_outside_support": "defer" if deferred else "notify",
    }
