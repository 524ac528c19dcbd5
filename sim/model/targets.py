"""Who a level of an escalation policy pages at a moment: schedules with substitutes for people
who are away, named people, the Accountable manager, round-robin and everyone targets."""

from __future__ import annotations

from sim.compile.escalation import (
    TARGET_ACCOUNTABLE,
    TARGET_EVERYONE,
    TARGET_PERSON,
    TARGET_ROUND_ROBIN,
    TARGET_SCHEDULE,
    CompiledPolicy,
)
from sim.model.people import PeopleState
from sim.model.trace import TraceEvent


def simple_chain(policy: CompiledPolicy) -> list[tuple] | None:
    """(schedule, person, delay) per chain position when every level has one schedule, person
    or accountable target (person -1: the accountable manager); None otherwise."""
    simple = []
    for level in policy.chain:
        if len(level.targets) != 1:
            return None
        target = level.targets[0]
        if target.kind == TARGET_SCHEDULE:
            if target.schedule.on_call_together is not None:
                return None
            simple.append((target.schedule, -1, level.delay_minutes))
        elif target.kind == TARGET_PERSON:
            simple.append((None, target.person, level.delay_minutes))
        elif target.kind == TARGET_ACCOUNTABLE:
            simple.append((None, -1, level.delay_minutes))
        else:
            return None
    return simple


class Targets:
    """Who a level pages at a moment, in one run: people who are away are skipped (schedules
    name a substitute), round-robin targets remember whose turn it is."""

    def __init__(
        self, people: PeopleState, accountable: list[int], trace: list[TraceEvent] | None
    ) -> None:
        """``accountable``: the Accountable manager per alert (the alert table's column; caused
        incidents are appended to it during the run). Substitutions go to ``trace``."""
        self.people = people
        self.accountable = accountable
        self.trace = trace
        self.may_be_away = people.may_be_away
        self.round_robin: dict[int, int] = {}

    def substitute(
        self, crew: tuple[int, ...], fallback: tuple[int, ...], person: int, now: float
    ) -> int:
        """The next participant after ``person`` who is not away, else the first available
        participant of a lower active layer (-1: nobody)."""
        count = len(crew)
        start = crew.index(person) if person in crew else -1
        for step in range(1, count + 1):
            candidate = crew[(start + step) % count]
            if candidate != person and self.people.available(candidate, now):
                return candidate
        for candidate in fallback:
            if self.people.available(candidate, now):
                return candidate
        return -1

    def _together(self, schedule, segment: int, now: float, alert: int) -> list[int]:
        """Everyone a cumulative schedule has on call; someone away is replaced as in a
        single-person schedule (the winning layer's participants, then the lower layers')."""
        found = []
        for person in schedule.on_call_together[segment]:
            if self.may_be_away and not self.people.available(person, now):
                person = self._substituted(schedule, segment, person, now, alert)
            if person >= 0:
                found.append(person)
        return found

    def _substituted(self, schedule, segment: int, person: int, now: float, alert: int) -> int:
        """Who covers for ``person``, away at ``now`` (-1: nobody), traced."""
        cover = self.substitute(
            schedule.participants[segment], schedule.fallback[segment], person, now
        )
        if self.trace is not None:
            self.trace.append(TraceEvent(now, "substitute", alert, cover, away_person=person))
        return cover

    def resolve(self, level, now: float, alert: int) -> list[int]:
        """People a level pages at ``now`` (empty: a coverage gap)."""
        found: list[int] = []
        away = self.may_be_away
        for target in level.targets:
            kind = target.kind
            if kind == TARGET_SCHEDULE:
                schedule = target.schedule
                segment = schedule.segment_at(now)
                if schedule.on_call_together is not None:
                    found.extend(self._together(schedule, segment, now, alert))
                    continue
                person = schedule.persons[segment]
                if person >= 0 and away and not self.people.available(person, now):
                    person = self._substituted(schedule, segment, person, now, alert)
                if person >= 0:
                    found.append(person)
            elif kind in (TARGET_PERSON, TARGET_ACCOUNTABLE):
                person = target.person if kind == TARGET_PERSON else self.accountable[alert]
                if not away or self.people.available(person, now):
                    found.append(person)
            elif kind == TARGET_ROUND_ROBIN:
                engineers = target.engineers
                turn = self.round_robin.get(id(target), 0)
                for step in range(len(engineers)):
                    candidate = engineers[(turn + step) % len(engineers)]
                    if not away or self.people.available(candidate, now):
                        found.append(candidate)
                        self.round_robin[id(target)] = (turn + step + 1) % len(engineers)
                        break
            else:
                assert kind == TARGET_EVERYONE
                found.extend(
                    person
                    for person in target.engineers
                    if not away or self.people.available(person, now)
                )
        if len(found) > 1:
            found = list(dict.fromkeys(found))
        return found
