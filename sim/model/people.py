"""The people who carry the pager: planned leave, compensatory rest, sleep debt and mistakes.

* **Leave** is exogenous: before a run, each engineer's weeks off are drawn from a stream keyed
  by (seed, run, person name), so every variant of a run sees the same leave. A week off runs
  Monday 00:00 to Monday 00:00 in the horizon's time zone. Leave weeks per year are rounded
  to whole weeks over the horizon with a random remainder (1.5 weeks/year over a year: one or
  two weeks, on average 1.5).
* **Compensatory rest** (``people.compensatory_rest``): a page in the person's sleep hours
  gives them the next morning off, from 08:00 to ``rest_until`` local time.
* **Sleep debt** (``people.fatigue``): each sleep-hour page adds debt, which halves every
  ``recovery_half_life_hours``. Debt D slows acknowledgement and work by the factor
  ``1 + slowdown_per_debt_hour * D``, and a resolution by a tired person causes a new incident
  with probability ``mistake_probability_per_debt_hour * D``. The uniform compared with that
  probability is drawn per incident from the run's endogenous stream (monotone coupling: more
  debt, a superset of mistakes), and so are the draws of the incidents mistakes cause.

Someone on leave or resting is never paged; the schedule's substitute is (see the world).
"""

from __future__ import annotations

import bisect
import math

import numpy as np

from sim.calendar import BAND_SLEEP, SLOT_MINUTES
from sim.compile import CompiledScenario
from sim.generator.streams import STREAM_LEAVE, name_stream_key, stream_generator
from sim.scenario.fields import minutes_of_day

MORNING_MINUTE_OF_DAY = 8 * 60  # the end of sleep hours (docs/design.md); rest starts then


def draw_leave(
    compiled: CompiledScenario, seed: tuple[int, int]
) -> list[list[tuple[float, float]]]:
    """Each person's weeks off in one run, as sorted (start, end) simulation minutes."""
    if not compiled.person_leave_weeks_per_year.any():
        return [[] for _ in compiled.person_names]
    root_seed, run_index = seed
    weeks = compiled.weeks
    weeks_start = compiled.local_week_starts
    leave: list[list[tuple[float, float]]] = []
    for name, per_year in zip(
        compiled.person_names, compiled.person_leave_weeks_per_year.tolist(), strict=True
    ):
        if per_year <= 0:
            leave.append([])
            continue
        rng = stream_generator(root_seed, run_index, STREAM_LEAVE, name_stream_key(name))
        expected = per_year * weeks / 52.0
        count = min(int(expected) + int(rng.random() < expected - int(expected)), weeks)
        chosen = np.sort(rng.choice(weeks, size=count, replace=False))
        leave.append([(weeks_start[w], weeks_start[w + 1]) for w in chosen.tolist()])
    return leave


def _inside(intervals: list[tuple[float, float]], time_minutes: float) -> bool:
    index = bisect.bisect_right(intervals, (time_minutes, math.inf)) - 1
    return index >= 0 and time_minutes < intervals[index][1]


class PeopleState:
    """Who is away, how tired everyone is, and what that does; one instance per run."""

    def __init__(self, compiled: CompiledScenario, seed: tuple[int, int]) -> None:
        scenario = compiled.scenario
        count = len(compiled.person_names)
        self.leave = draw_leave(compiled, seed)
        self.rest: list[list[tuple[float, float]]] = [[] for _ in range(count)]
        self.has_leave = any(self.leave)
        rest = scenario.people.compensatory_rest
        fatigue = scenario.people.fatigue
        self.rest_enabled = rest.enabled
        self.fatigue_enabled = fatigue.enabled
        self.tracks_sleep = rest.enabled or fatigue.enabled
        self.may_be_away = self.has_leave or rest.enabled
        self.person_zone = compiled.person_zone.tolist()
        self.zone_band = compiled.band_lists if self.tracks_sleep else []
        self.last_slot = compiled.slots - 1
        self.rest_minutes = float(minutes_of_day(rest.rest_until) - MORNING_MINUTE_OF_DAY)
        self.mornings = compiled.local_mornings if rest.enabled else []
        self.debt_per_page = fatigue.sleep_debt_hours_per_page
        self.decay_per_minute = math.log(2.0) / (fatigue.recovery_half_life_hours * 60.0)
        self.slowdown_per_hour = fatigue.slowdown_per_debt_hour
        self.mistake_per_hour = fatigue.mistake_probability_per_debt_hour
        self.debt = [0.0] * count
        self.debt_minutes = [0.0] * count
        self.sleep_pages = [0] * count

    def available(self, person: int, time_minutes: float) -> bool:
        """Not on leave and not resting at ``time_minutes``."""
        return not (
            _inside(self.leave[person], time_minutes) or _inside(self.rest[person], time_minutes)
        )

    def in_sleep_hours(self, person: int, time_minutes: float) -> bool:
        slot = min(int(time_minutes // SLOT_MINUTES), self.last_slot)
        return self.zone_band[self.person_zone[person]][slot] == BAND_SLEEP

    def debt_hours(self, person: int, time_minutes: float) -> float:
        """Sleep debt of ``person`` at ``time_minutes`` (hours)."""
        elapsed = time_minutes - self.debt_minutes[person]
        return self.debt[person] * math.exp(-self.decay_per_minute * elapsed)

    def slowdown(self, person: int, time_minutes: float) -> float:
        """Factor on acknowledgement and work time (1 without fatigue)."""
        if not self.fatigue_enabled:
            return 1.0
        return 1.0 + self.slowdown_per_hour * self.debt_hours(person, time_minutes)

    def mistake_probability(self, person: int, time_minutes: float) -> float:
        if not self.fatigue_enabled:
            return 0.0
        return min(1.0, self.mistake_per_hour * self.debt_hours(person, time_minutes))

    def paged(self, person: int, time_minutes: float) -> None:
        """Account for a page: sleep debt, and compensatory rest the next morning."""
        if not self.in_sleep_hours(person, time_minutes):
            return
        self.sleep_pages[person] += 1
        if self.fatigue_enabled:
            self.debt[person] = self.debt_hours(person, time_minutes) + self.debt_per_page
            self.debt_minutes[person] = time_minutes
        if self.rest_enabled:
            mornings = self.mornings[self.person_zone[person]]
            index = bisect.bisect_right(mornings, time_minutes)
            if index < len(mornings):
                start = mornings[index]
                interval = (start, start + self.rest_minutes)
                rests = self.rest[person]
                if not rests or rests[-1][0] != start:
                    rests.append(interval)
