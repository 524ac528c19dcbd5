"""Escalation policies compiled for the model: levels of targets, delays, repeats, expiry.

A team's policy is either one of the scenario's ``escalation_policies`` or the ``escalation``
block applied to the team's schedule: ``primary`` is the schedule, ``secondary`` the next
participant in rotation (offset 1), ``manager`` the manager of the team Accountable for the
incident's service (RACI; by default the owning team).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sim.compile.schedules import OnCallSchedule
from sim.scenario.fields import ESCALATION_LEVELS
from sim.scenario.models import Escalation
from sim.scenario.oncall import EscalationPolicy

TARGET_SCHEDULE, TARGET_PERSON, TARGET_ROUND_ROBIN, TARGET_EVERYONE, TARGET_ACCOUNTABLE = range(5)


@dataclass(frozen=True)
class CompiledTarget:
    """One target of a level.

    Attributes:
        kind: TARGET_SCHEDULE, TARGET_PERSON, TARGET_ROUND_ROBIN, TARGET_EVERYONE or
            TARGET_ACCOUNTABLE (the manager of the team Accountable for the incident's service).
        schedule: the timeline of a schedule target.
        person: the person of a person target.
        engineers: the team's engineers, for round-robin and everyone targets.
        label: how traces name it, e.g. 'infra primary', 'infra+1', 'alice'.
    """

    kind: int
    schedule: OnCallSchedule | None = None
    person: int = -1
    engineers: tuple[int, ...] = ()
    label: str = ""


@dataclass(frozen=True)
class CompiledLevel:
    """One level: its targets, and how long to wait for an acknowledgement."""

    targets: tuple[CompiledTarget, ...]
    delay_minutes: float


@dataclass(frozen=True)
class CompiledPolicy:
    """An escalation policy ready for the model.

    ``ack_expiry_minutes`` is ``math.inf`` when acknowledgements never expire.
    """

    name: str
    levels: tuple[CompiledLevel, ...]
    repeat: int
    ack_expiry_minutes: float

    @property
    def chain(self) -> tuple[CompiledLevel, ...]:
        """Every level in the order paged, repeats included."""
        return self.levels * (self.repeat + 1)

    @property
    def most_pages(self) -> int:
        """Most pages one pass of the chain can send (an upper bound)."""
        return sum(_most_paged(target) for level in self.chain for target in level.targets)


def _most_paged(target: CompiledTarget) -> int:
    if target.kind == TARGET_EVERYONE:
        return len(target.engineers)
    together = target.schedule.on_call_together if target.schedule is not None else None
    return max((len(people) for people in together), default=1) if together else 1


def default_policy(
    name: str, escalation: Escalation, *, primary: OnCallSchedule, secondary: OnCallSchedule
) -> CompiledPolicy:
    """The ``escalation`` block applied to one schedule."""
    targets = {
        "primary": CompiledTarget(TARGET_SCHEDULE, schedule=primary, label=f"{name} primary"),
        "secondary": CompiledTarget(TARGET_SCHEDULE, schedule=secondary, label=f"{name} secondary"),
        "manager": CompiledTarget(TARGET_ACCOUNTABLE, label="accountable manager"),
    }
    assert set(targets) == set(ESCALATION_LEVELS)
    return CompiledPolicy(
        name=name,
        levels=tuple(
            CompiledLevel((targets[level],), escalation.ack_timeout_minutes)
            for level in escalation.levels
        ),
        repeat=escalation.repeat,
        ack_expiry_minutes=escalation.ack_expiry_minutes or math.inf,
    )


def pool_policy(
    name: str, escalation: Escalation, *, manager: int, manager_name: str
) -> CompiledPolicy:
    """The ``escalation`` block applied to a pool team: ``primary`` is the pool itself (its
    engineer comes from the pool's queue, so the level has no target here), a pool has no
    ``secondary`` (no target), and ``manager`` is the team's manager."""
    targets = {
        "primary": (),
        "secondary": (),
        "manager": (CompiledTarget(TARGET_PERSON, person=manager, label=manager_name),),
    }
    assert set(targets) == set(ESCALATION_LEVELS)
    return CompiledPolicy(
        name=name,
        levels=tuple(
            CompiledLevel(targets[level], escalation.ack_timeout_minutes)
            for level in escalation.levels
        ),
        repeat=0,
        ack_expiry_minutes=math.inf,
    )


def named_policy(
    policy: EscalationPolicy,
    schedule_of: dict[tuple[str, int], OnCallSchedule],
    person_index: dict[str, int],
    team_engineers: dict[str, tuple[int, ...]],
) -> CompiledPolicy:
    """A policy of ``escalation_policies``; ``schedule_of[(team, offset)]`` is a timeline."""
    levels = []
    for level in policy.levels:
        targets = []
        for target in level.targets:
            if target.schedule is not None:
                suffix = f"+{target.offset}" if target.offset else ""
                targets.append(
                    CompiledTarget(
                        TARGET_SCHEDULE,
                        schedule=schedule_of[(target.schedule, target.offset)],
                        label=f"{target.schedule}{suffix} schedule",
                    )
                )
            elif target.person is not None:
                targets.append(
                    CompiledTarget(
                        TARGET_PERSON, person=person_index[target.person], label=target.person
                    )
                )
            elif target.accountable:
                targets.append(CompiledTarget(TARGET_ACCOUNTABLE, label="accountable manager"))
            elif target.round_robin_people is not None:
                targets.append(
                    CompiledTarget(
                        TARGET_ROUND_ROBIN,
                        engineers=tuple(person_index[p] for p in target.round_robin_people),
                        label="round-robin of " + ", ".join(target.round_robin_people),
                    )
                )
            elif target.round_robin is not None:
                targets.append(
                    CompiledTarget(
                        TARGET_ROUND_ROBIN,
                        engineers=team_engineers[target.round_robin],
                        label=f"{target.round_robin} round-robin",
                    )
                )
            else:
                assert target.everyone is not None
                targets.append(
                    CompiledTarget(
                        TARGET_EVERYONE,
                        engineers=team_engineers[target.everyone],
                        label=f"everyone in {target.everyone}",
                    )
                )
        levels.append(CompiledLevel(tuple(targets), level.delay_minutes))
    return CompiledPolicy(
        name=policy.name,
        levels=tuple(levels),
        repeat=policy.repeat,
        ack_expiry_minutes=policy.ack_expiry_minutes or math.inf,
    )
