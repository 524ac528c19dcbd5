"""Property-based tests (hypothesis) of on-call schedules, of who gets paged, and of fatigue.

* Nobody is paged while on leave, resting, or not named by the schedule or policy.
* A schedule names the person an independent, per-instant evaluation names (zoneinfo, not
  pandas), at every sampled instant, across daylight-saving changes; a schedule whose lowest
  layer is unrestricted has no gaps, and gaps and covered segments tile the range.
* Fatigue is monotone: extra night pages never make anyone acknowledge or work faster.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import itertools
import math
import zoneinfo

import builders
import numpy as np
import pytest
from builders import hand_made_outcome, small_scenario, small_scenario_document
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from invariants import away, check_pages_follow_policies

from sim.calendar import DRAIN_WEEKS, MINUTES_PER_WEEK
from sim.compile import compile_scenario
from sim.compile.schedules import NOBODY, LayerSpec, OverrideSpec, build_schedule
from sim.generator import generate_alert_stream
from sim.model import World, run_model
from sim.model.people import PeopleState
from sim.scenario import Scenario
from sim.scenario.fields import WEEKDAYS, minutes_of_day
from sim.scenario.oncall import TimeWindow

ZONES = ("UTC", "Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Kolkata")
# Mondays whose next weeks hold daylight-saving changes: US 8 Mar / 1 Nov, EU 29 Mar / 25 Oct,
# Sydney 5 Apr / 4 Oct 2026.
START_DATES = tuple(
    dt.date.fromisoformat(day)
    for day in ("2026-01-05", "2026-03-02", "2026-03-23", "2026-03-30", "2026-09-28", "2026-10-19")
)
UTC = dt.UTC


def hhmm(minute_of_day: int) -> str:
    return f"{minute_of_day // 60:02d}:{minute_of_day % 60:02d}"


# Local times that fall in a daylight-saving gap or overlap in some zone (02:xx in Berlin, New
# York and Sydney; 01:xx is ambiguous in New York's autumn) come up often, as do Sundays, the
# day of every change in these zones.
DST_TIMES = ("01:30", "02:00", "02:15", "02:30", "03:00")
times_of_day = st.one_of(
    st.integers(0, 24 * 4 - 1).map(lambda quarter: hhmm(15 * quarter)), st.sampled_from(DST_TIMES)
)
half_hours = st.one_of(
    st.integers(0, 47).map(lambda half: hhmm(30 * half)), st.sampled_from(DST_TIMES)
)
weekdays = st.one_of(st.sampled_from(WEEKDAYS), st.just("Sun"))
some_days = st.lists(st.sampled_from(WEEKDAYS), min_size=1, max_size=7, unique=True)
day_subsets = st.one_of(some_days, some_days.map(lambda days: list(dict.fromkeys([*days, "Sun"]))))
windows = st.builds(TimeWindow, days=day_subsets, start=half_hours, end=half_hours)


# ---------------------------------------------------------------------------------------------
# An independent evaluation of a schedule: zoneinfo and per-instant rules, no pandas.
# ---------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=200_000)
def utc_of_local(naive: dt.datetime, zone: str) -> dt.datetime:
    """The UTC instant of a naive local time. An ambiguous time takes the standard-time (later)
    reading; a time in a spring-forward gap moves forward to the end of the gap."""
    tz = zoneinfo.ZoneInfo(zone)
    later = naive.replace(tzinfo=tz, fold=1).astimezone(UTC)
    if later.astimezone(tz).replace(tzinfo=None) == naive:
        return later
    # In a gap: fold=1 reads it with the offset after the change (an instant before the
    # change), fold=0 with the offset before it (an instant after). The change lies between.
    low, high = later, naive.replace(tzinfo=tz, fold=0).astimezone(UTC)
    after = high.astimezone(tz).utcoffset()
    while high - low > dt.timedelta(minutes=1):
        middle = low + (high - low) / 2
        middle = middle.replace(second=0, microsecond=0)
        if middle <= low:
            break
        if middle.astimezone(tz).utcoffset() == after:
            high = middle
        else:
            low = middle
    return high


def sim_minutes(naive: dt.datetime, zone: str, origin: dt.datetime) -> float:
    return (utc_of_local(naive, zone) - origin).total_seconds() / 60.0


def origin_of(start_date: dt.date, horizon_zone: str) -> dt.datetime:
    return utc_of_local(dt.datetime.combine(start_date, dt.time()), horizon_zone)


def first_handoff_local(layer: LayerSpec, start_date: dt.date) -> dt.datetime:
    """The local start of the first participant's shift: the handoff on ``handoff_day`` of the
    start date's week (weekly and custom), or on the start date (daily)."""
    days = 0 if layer.shift == "daily" else WEEKDAYS.index(layer.handoff_day)
    midnight = dt.datetime.combine(start_date + dt.timedelta(days=days), dt.time())
    return midnight + dt.timedelta(minutes=minutes_of_day(layer.handoff_time))


def shift_length(layer: LayerSpec) -> dt.timedelta:
    """Handoffs step in local wall-clock time (the module docstring: "Daylight-saving changes
    move handoffs ... with the local clock"), so a shift across a change is an hour longer or
    shorter; for custom shifts too, as for a 12-hour rotation handing off at 09:00 and 21:00."""
    if layer.shift == "custom":
        return dt.timedelta(hours=layer.shift_hours)
    return dt.timedelta(days=7 if layer.shift == "weekly" else 1)


class ReferenceSchedule:
    """Who a stack of layers and overrides names at an instant, evaluated instant by instant."""

    def __init__(self, layers, overrides, start_date, horizon_zone, end_minutes, offset=0):
        self.layers = layers
        self.overrides = overrides if offset == 0 else []
        self.offset = offset
        self.start_date = start_date
        self.origin = origin_of(start_date, horizon_zone)
        self.end = end_minutes
        # Per layer: handoff instants (sorted) and the shift number k of the first one listed;
        # shift k = 0 is the first participant's, earlier shifts count backwards.
        self.handoffs: list[tuple[int, list[float]]] = [self._handoffs(layer) for layer in layers]

    def _handoffs(self, layer: LayerSpec) -> tuple[int, list[float]]:
        first = first_handoff_local(layer, self.start_date)
        step = shift_length(layer)
        weeks = dt.timedelta(weeks=3) + dt.timedelta(minutes=self.end)
        k_first, k_last = -math.ceil(weeks / step), math.ceil(weeks / step)
        return k_first, [
            sim_minutes(first + step * k, layer.time_zone, self.origin)
            for k in range(k_first, k_last + 1)
        ]

    def local_date(self, time_minutes: float, zone: str) -> dt.date:
        instant = self.origin + dt.timedelta(minutes=time_minutes)
        return instant.astimezone(zoneinfo.ZoneInfo(zone)).date()

    def active(self, layer: LayerSpec, time_minutes: float) -> bool:
        if not layer.restrictions:
            return True
        today = self.local_date(time_minutes, layer.time_zone)
        for back in range(3):  # a window is at most a day (and an hour of DST) long
            day = today - dt.timedelta(days=back)
            midnight = dt.datetime.combine(day, dt.time())
            for window in layer.restrictions:
                if WEEKDAYS[day.weekday()] not in window.days:
                    continue
                begin, end = minutes_of_day(window.start), minutes_of_day(window.end)
                if end <= begin:
                    end += 1440
                opens = sim_minutes(
                    midnight + dt.timedelta(minutes=begin), layer.time_zone, self.origin
                )
                closes = sim_minutes(
                    midnight + dt.timedelta(minutes=end), layer.time_zone, self.origin
                )
                if opens <= time_minutes < closes:
                    return True
        return False

    def shift_number(self, index: int, time_minutes: float) -> int:
        k_first, instants = self.handoffs[index]
        position = bisect.bisect_right(instants, time_minutes) - 1
        assert position >= 0, "reference handoffs must start before every sampled instant"
        return k_first + position

    def at(self, time_minutes: float) -> tuple[int, tuple[int, ...], tuple[int, ...]]:
        """(person on call, participants of the winning layer, the other participants of the
        lower active layers, highest layer first) at ``time_minutes``."""
        person, crew, fallback = NOBODY, (), []
        for index in reversed(range(len(self.layers))):
            layer = self.layers[index]
            if not self.active(layer, time_minutes):
                continue
            if person == NOBODY:
                k = self.shift_number(index, time_minutes)
                count = len(layer.participants)
                person = layer.participants[(k + self.offset) % count]
                crew = layer.participants
            else:
                fallback += [p for p in layer.participants if p not in crew and p not in fallback]
        for override in self.overrides:  # later overrides win
            if override.start_minutes <= time_minutes < override.end_minutes:
                person = override.person
        return person, crew, tuple(fallback)

    def boundaries(self) -> list[float]:
        """Every instant at which the reference may change, within [0, end)."""
        found: list[float] = []
        for index, layer in enumerate(self.layers):
            found += self.handoffs[index][1]
            if layer.restrictions:
                day = self.start_date - dt.timedelta(days=2)
                while day <= self.start_date + dt.timedelta(days=self.end / 1440 + 2):
                    midnight = dt.datetime.combine(day, dt.time())
                    for window in layer.restrictions:
                        if WEEKDAYS[day.weekday()] in window.days:
                            begin, end = minutes_of_day(window.start), minutes_of_day(window.end)
                            end += 1440 if end <= begin else 0
                            for minute in (begin, end):
                                local = midnight + dt.timedelta(minutes=minute)
                                found.append(sim_minutes(local, layer.time_zone, self.origin))
                    day += dt.timedelta(days=1)
        for override in self.overrides:
            found += [override.start_minutes, override.end_minutes]
        return sorted({t for t in found if 0 <= t < self.end})


# ---------------------------------------------------------------------------------------------
# Strategies for layer stacks.
# ---------------------------------------------------------------------------------------------

ENGINEERS = 6


@st.composite
def layer_specs(draw, restricted: bool, name: str) -> LayerSpec:
    shift = draw(st.sampled_from(["weekly", "daily", "custom"]))
    hours = draw(st.sampled_from([8, 12, 24, 36])) if shift == "custom" else None
    order = draw(st.permutations(range(ENGINEERS)))
    participants = tuple(order[: draw(st.integers(1, ENGINEERS))])
    return LayerSpec(
        name=name,
        participants=participants,
        shift=shift,
        shift_hours=None if hours is None else float(hours),
        handoff_day=draw(weekdays),
        handoff_time=draw(times_of_day),
        time_zone=draw(st.sampled_from(ZONES)),
        restrictions=tuple(draw(st.lists(windows, min_size=1, max_size=2))) if restricted else (),
    )


def override_specs(weeks: int):
    horizon_quarters = weeks * MINUTES_PER_WEEK // 15
    return st.lists(
        st.builds(
            lambda person, start, length: OverrideSpec(
                person, 15.0 * start, 15.0 * (start + length)
            ),
            st.integers(0, ENGINEERS - 1),
            st.integers(-96, horizon_quarters),
            st.integers(1, 4 * 96),
        ),
        max_size=3,
    )


@st.composite
def schedule_setups(draw, *, gap_free: bool):
    weeks = draw(st.integers(3, 5))
    start_date = draw(st.sampled_from(START_DATES))
    horizon_zone = draw(st.sampled_from(ZONES))
    if gap_free:
        layers = [draw(layer_specs(restricted=False, name="base"))]
        layers += [
            draw(layer_specs(restricted=True, name=f"r{i}")) for i in range(draw(st.integers(0, 3)))
        ]
    else:
        layers = [
            draw(layer_specs(restricted=True, name=f"r{i}")) for i in range(draw(st.integers(1, 3)))
        ]
    overrides = draw(override_specs(weeks))
    offset = draw(st.sampled_from([0, 0, 1, 2]))
    extra = draw(st.lists(st.floats(0, weeks * MINUTES_PER_WEEK, exclude_max=True), max_size=20))
    return weeks, start_date, horizon_zone, layers, overrides, offset, extra


def sample_instants(schedule, reference: ReferenceSchedule, horizon: float, extra) -> list[float]:
    """Instants 1 minute either side of (and at) every boundary of the schedule and of the
    reference, plus arbitrary ones."""
    found = set(extra)
    for boundary in [*schedule.starts, *reference.boundaries()]:
        found.update((boundary - 1.0, boundary, boundary + 1.0))
    return sorted(t for t in found if 0 <= t < horizon)


def assert_matches_reference(schedule, reference, instants) -> None:
    """The person on call, the winning layer's participants (substitutes) and the lower active
    layers' participants (further substitutes) agree with the reference at every instant."""
    for t in instants:
        segment = schedule.segment_at(t)
        found = (
            schedule.person_at(t),
            schedule.participants[segment],
            schedule.fallback[segment],
        )
        assert found == reference.at(t), f"at minute {t}: schedule {found}, not {reference.at(t)}"


STACK_SETTINGS = settings(
    max_examples=250,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)


@STACK_SETTINGS
@given(schedule_setups(gap_free=True))
def test_gap_free_stack_names_exactly_one_person_at_every_instant(setup):
    """With an unrestricted lowest layer, someone is on call at every instant of the horizon,
    and it is the person the layers' local handoffs, windows and overrides name, across
    daylight-saving changes in any of the layers' time zones."""
    weeks, start_date, horizon_zone, layers, overrides, offset, extra = setup
    horizon = float(weeks * MINUTES_PER_WEEK)
    range_end = float((weeks + DRAIN_WEEKS) * MINUTES_PER_WEEK)
    schedule = build_schedule(
        "team", layers, overrides, start_date, horizon_zone, range_end, offset=offset
    )
    reference = ReferenceSchedule(layers, overrides, start_date, horizon_zone, horizon, offset)
    assert schedule.gaps(0.0, horizon) == []
    instants = sample_instants(schedule, reference, horizon, extra)
    assert all(schedule.person_at(t) != NOBODY for t in instants)
    assert_matches_reference(schedule, reference, instants)


@STACK_SETTINGS
@given(schedule_setups(gap_free=False))
def test_restricted_layers_gaps_and_covered_segments_tile_the_range(setup):
    """With restricted layers only, the horizon splits exactly into coverage gaps and covered
    stretches (no overlap, no hole), and a gap is exactly where no window and no override is."""
    weeks, start_date, horizon_zone, layers, overrides, offset, extra = setup
    horizon = float(weeks * MINUTES_PER_WEEK)
    range_end = float((weeks + DRAIN_WEEKS) * MINUTES_PER_WEEK)
    schedule = build_schedule(
        "team", layers, overrides, start_date, horizon_zone, range_end, offset=offset
    )
    gaps = schedule.gaps(0.0, horizon)
    for (_, end), (begin, _) in itertools.pairwise(gaps):
        assert end < begin, "gaps are merged and in time order"
    ends = [*schedule.starts[1:], math.inf]
    covered = [
        (max(begin, 0.0), min(end, horizon))
        for begin, end, person in zip(schedule.starts, ends, schedule.persons, strict=True)
        if person != NOBODY and min(end, horizon) > max(begin, 0.0)
    ]
    pieces = sorted(gaps + covered)
    assert pieces[0][0] == 0.0 and pieces[-1][1] == horizon
    for (_, end), (begin, _) in itertools.pairwise(pieces):
        assert end == begin, f"pieces overlap or leave a hole at {end} / {begin}"
    assert all(begin < end for begin, end in pieces)

    reference = ReferenceSchedule(layers, overrides, start_date, horizon_zone, horizon, offset)
    instants = sample_instants(schedule, reference, horizon, extra)
    for t in instants:
        assert (reference.at(t)[0] == NOBODY) == away(gaps, t), f"gap mismatch at minute {t}"
    assert_matches_reference(schedule, reference, instants)


def test_custom_shift_rotates_before_a_late_first_handoff():
    """Custom 12-hour shifts over ana, ben, cem (UTC) with the first handoff on Wednesday 09:00
    (minute 3420): ana's shift starts then; the shifts before it go backwards every 12 hours
    (cem from Tue 21:00, ben from Tue 09:00, ana from Mon 21:00, cem from Mon 09:00, ...),
    not one person from the horizon's start until Tue 21:00 (a regression check)."""
    layer = LayerSpec("rota", (0, 1, 2), "custom", 12.0, "Wed", "09:00", "UTC")
    schedule = build_schedule("infra", [layer], [], dt.date(2026, 1, 5), "UTC", 3.0 * 10080)
    assert schedule.person_at(3420 + 1) == 0  # Wed 09:01: ana
    assert schedule.person_at(3420 - 1) == 2  # Wed 08:59: cem
    assert schedule.person_at(3420 - 720 - 1) == 1  # Tue 20:59: ben
    assert schedule.person_at(3420 - 2 * 720 - 1) == 0  # Tue 08:59: ana
    assert schedule.person_at(0) == 1  # Mon 00:00: shift -5, ben


# ---------------------------------------------------------------------------------------------
# Property 1: nobody is paged while away or off schedule.
# ---------------------------------------------------------------------------------------------


def layer_documents(engineers: list[str]):
    @st.composite
    def one(draw, index: int) -> dict:
        shift = draw(st.sampled_from(["weekly", "daily", "custom"]))
        layer: dict = {
            "name": f"layer{index}",
            "shift": shift,
            "handoff_day": draw(weekdays),
            "handoff_time": draw(times_of_day),
        }
        if shift == "custom":
            layer["shift_hours"] = draw(st.sampled_from([8, 12, 24, 36]))
        if draw(st.booleans()):
            layer["time_zone"] = draw(st.sampled_from(ZONES))
        if draw(st.booleans()):
            order = draw(st.permutations(engineers))
            layer["participants"] = list(order[: draw(st.integers(1, len(engineers)))])
        restrictions = draw(st.lists(windows, max_size=2))
        if restrictions:
            layer["restrictions"] = [window.model_dump() for window in restrictions]
        return layer

    return st.integers(1, 3).flatmap(lambda n: st.tuples(*(one(i) for i in range(n))))


@st.composite
def team_documents(draw, index: int, start_date: dt.date, weeks: int) -> dict:
    name = f"t{index}"
    engineers = [f"{name}e{i}" for i in range(draw(st.integers(2, 5)))]
    team: dict = {"name": name, "engineers": engineers, "time_zone": draw(st.sampled_from(ZONES))}
    if draw(st.booleans()):
        team["rotation"] = {
            "shift": draw(st.sampled_from(["weekly", "daily"])),
            "handoff_day": draw(weekdays),
            "handoff_time": draw(times_of_day),
        }
    else:
        team["layers"] = list(draw(layer_documents(engineers)))
    overrides = []
    for _ in range(draw(st.integers(0, 2))):
        begin = dt.datetime.combine(start_date, dt.time()) + dt.timedelta(
            minutes=30 * draw(st.integers(0, weeks * 7 * 48 - 1))
        )
        end = begin + dt.timedelta(minutes=30 * draw(st.integers(1, 4 * 48)))
        overrides.append({"person": draw(st.sampled_from(engineers)), "start": begin, "end": end})
    team["overrides"] = overrides
    return team


@st.composite
def policy_documents(draw, teams: list[dict], expiry) -> dict:
    team_names = [team["name"] for team in teams]
    people = [name for team in teams for name in [*team["engineers"], f"{team['name']}-manager"]]

    # Offset 1 is refused where it wraps round every layer to the person on call (layers of
    # one participant each): such a team's schedule is a target at offset 0 only.
    def offsets(team: dict) -> list[int]:
        layers = team.get("layers") or [{}]
        sizes = [len(layer.get("participants") or team["engineers"]) for layer in layers]
        return [0] if all(size == 1 for size in sizes) else [0, 1]

    target = st.one_of(
        st.sampled_from(teams).flatmap(
            lambda team: st.sampled_from(offsets(team)).map(
                lambda offset: {"schedule": team["name"], "offset": offset}
            )
        ),
        st.sampled_from(people).map(lambda person: {"person": person}),
        st.sampled_from(team_names).map(lambda team: {"round_robin": team}),
        st.sampled_from(team_names).map(lambda team: {"everyone": team}),
    )
    level = st.fixed_dictionaries(
        {
            "targets": st.lists(target, min_size=1, max_size=2),
            "delay_minutes": st.integers(5, 60),
        }
    )
    return {
        "name": "mixed",
        "levels": draw(st.lists(level, min_size=1, max_size=3)),
        "repeat": draw(st.integers(0, 2)),
        "ack_expiry_minutes": draw(expiry),
    }


@st.composite
def oncall_scenarios(draw) -> Scenario:
    weeks = draw(st.integers(3, 4))
    start_date = draw(st.sampled_from(START_DATES))
    teams = [
        draw(team_documents(index, start_date, weeks)) for index in range(draw(st.integers(1, 2)))
    ]
    fatigue = draw(st.booleans())
    expiry = st.one_of(st.none(), st.integers(20, 120))
    changes: dict = {
        "horizon": {
            "weeks": weeks,
            "start_date": start_date.isoformat(),
            "time_zone": draw(st.sampled_from(ZONES)),
            "seed": 7,
        },
        "teams": teams,
        "services": [
            {"name": f"s{team['name']}", "team": team["name"], "alerts_per_week": rate}
            for team, rate in zip(
                teams, draw(st.lists(st.integers(20, 60), min_size=2, max_size=2)), strict=False
            )
        ],
        "people": {
            "leave_weeks_per_year": draw(st.floats(0, 20)),
            "compensatory_rest": {
                "enabled": draw(st.booleans()),
                "rest_until": draw(st.sampled_from(["10:00", "12:00", "14:30"])),
            },
            "fatigue": {"enabled": fatigue},
        },
        "escalation": {
            "ack_timeout_minutes": draw(st.integers(5, 30)),
            "repeat": draw(st.integers(0, 2)),
            "ack_expiry_minutes": draw(expiry),
        },
        "response": {"ack_delay_minutes": {"distribution": "exponential", "mean": 12}},
    }
    if draw(st.booleans()):
        changes["escalation_policies"] = [draw(policy_documents(teams, expiry))]
        for team in teams:
            if draw(st.booleans()):
                team["escalation_policy"] = "mixed"
    return Scenario.model_validate(small_scenario_document(**changes))


@settings(
    max_examples=250,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(oncall_scenarios(), st.integers(0, 2**16), st.integers(0, 3))
def test_nobody_is_paged_while_away_or_off_schedule(scenario, seed, run):
    """Whatever the layers, windows, overrides, leave, rest, fatigue and escalation policy,
    every page goes to someone the policy names at that moment and who is neither on leave nor
    resting; incident times never run backwards; every alert (including those a tired person's
    mistake caused) is accounted for."""
    compiled = compile_scenario(scenario)
    stream = generate_alert_stream(compiled.arrivals, seed, run)
    records = run_model(compiled, stream)

    check_pages_follow_policies(compiled, records)
    for time, person in zip(
        records.page_minutes.tolist(), records.page_person.tolist(), strict=True
    ):
        assert not away(records.leave[person], time), f"{person} paged on leave at {time}"
        assert not away(records.rest[person], time), f"{person} paged while resting at {time}"

    paged = records.first_page_person >= 0
    assert np.all(records.ack_minutes[paged] >= records.first_page_minutes[paged])
    assert np.all(records.resolved_minutes[paged] >= records.work_start_minutes[paged])
    assert len(records.state) == len(stream) + int(np.sum(records.caused_by >= 0))


class _Watchdog(Exception):
    pass


def test_fatigue_with_expiring_acknowledgements_still_drains():
    """Four engineers paged all at once (an `everyone` level), acknowledgements expiring after
    30 minutes, fatigue with its defaults; ten 50-minute incidents at Tuesday 23:00 of a 4-week
    horizon. Every expiry re-pages all four at night, sleep debt passes 100 hours and every fix
    causes a mistake. The run must still end: mistakes, like every arrival, stop at the end of
    the horizon, so by half a year every incident is resolved and none was raised after the
    drain period. (Before that rule, World.run() never returned.)"""
    scenario = small_scenario(
        teams=[
            {"name": "infra", "engineers": ["e0", "e1", "e2", "e3"], "escalation_policy": "all"}
        ],
        escalation_policies=[
            {
                "name": "all",
                "levels": [{"targets": [{"everyone": "infra"}]}],
                "ack_expiry_minutes": 30,
            }
        ],
        people={"fatigue": {"enabled": True}},
    )
    compiled = compile_scenario(scenario)
    world = hand_made_world(compiled, [(1440.0 + 23 * 60, [5.0] * 8, 50.0)] * 10)

    def watchdog(env, at):
        yield env.timeout(at)
        raise _Watchdog

    world.env.process(watchdog(world.env, 26.0 * MINUTES_PER_WEEK))
    with pytest.raises(_Watchdog):
        world.run()
    records = world.records()
    drained = (compiled.weeks + DRAIN_WEEKS) * MINUTES_PER_WEEK
    assert not np.any(np.isnan(records.resolved_minutes)), "incidents still open at week 26"
    assert records.start_minutes.max() < drained, "incidents raised after the drain period"


# ---------------------------------------------------------------------------------------------
# Property 3: fatigue is monotone.
# ---------------------------------------------------------------------------------------------

SLEEP_START, SLEEP_LENGTH = 22 * 60, 10 * 60  # sleep hours 22:00-08:00 local
DAYS = 12  # alerts on the first 12 days of a 2-week horizon (in January: no DST change)


def fatigue_scenario(zone: str, engineers: list[str], levels: list[str], debt: float, half: float):
    return small_scenario(
        horizon={"weeks": 2, "start_date": "2026-01-05", "time_zone": zone, "seed": 7},
        teams=[{"name": "infra", "engineers": engineers}],
        escalation={"ack_timeout_minutes": 15, "levels": levels},
        people={
            "fatigue": {
                "enabled": True,
                "sleep_debt_hours_per_page": debt,
                "recovery_half_life_hours": half,
                "slowdown_per_debt_hour": 0.1,
                "mistake_probability_per_debt_hour": 0.0,
            }
        },
    )


night_minutes = st.builds(
    lambda day, minute: float(day * 1440 + (SLEEP_START + minute) % 1440),
    st.integers(0, DAYS - 1),
    st.integers(0, SLEEP_LENGTH - 1),
)
day_minutes = st.builds(
    lambda day, minute: float(day * 1440 + 8 * 60 + minute),
    st.integers(0, DAYS - 1),
    st.integers(0, 14 * 60 - 1),
)


@st.composite
def hand_made_alerts(draw, time: st.SearchStrategy) -> tuple[float, list[float], float]:
    """(page minute, ack delay of each page of its chain, work minutes) of one alert."""
    return (
        draw(time),
        draw(st.lists(st.integers(1, 40).map(float), min_size=8, max_size=8)),
        float(draw(st.integers(5, 60))),
    )


def hand_made_world(compiled, alerts) -> World:
    """The SimPy world on incidents given directly as (page minute, ack delays, work minutes),
    with no generator and no automation (as tests/test_escalation_trace.py does)."""
    outcome = hand_made_outcome(
        [time for time, _, _ in alerts],
        [work for _, _, work in alerts],
        [delays for _, delays, _ in alerts],
    )
    return builders.hand_made_world(compiled, outcome)


def run_hand_made(compiled, alerts):
    world = hand_made_world(compiled, alerts)
    world.run()
    return world, world.records()


fatigue_inputs = st.fixed_dictionaries(
    {
        "zone": st.sampled_from(["UTC", "Europe/Berlin", "America/New_York"]),
        "debt": st.sampled_from([0.5, 1.0, 2.0]),
        "half": st.sampled_from([24.0, 72.0]),
        "day": st.lists(hand_made_alerts(day_minutes), max_size=6),
        "night": st.lists(hand_made_alerts(night_minutes), max_size=5),
        "extra": st.lists(hand_made_alerts(night_minutes), min_size=1, max_size=5),
    }
)


def common_delays(records, common: int) -> tuple[np.ndarray, np.ndarray]:
    ack = records.ack_minutes[:common] - records.first_page_minutes[:common]
    work = records.resolved_minutes[:common] - records.work_start_minutes[:common]
    return ack, work


FATIGUE_SETTINGS = settings(max_examples=120, deadline=None, derandomize=True)
TOLERANCE = 1e-9


@FATIGUE_SETTINGS
@given(fatigue_inputs)
def test_extra_night_pages_never_speed_up_a_lone_engineer(inputs):
    """One engineer, paged alone: adding night alerts to a stream never makes them acknowledge
    or work any of the other incidents faster (sleep debt only grows with more night pages).

    Acknowledgement is monotone outright. Work is slowed by the debt when it starts, and extra
    incidents can delay that start while the debt decays, so work is monotone only while the
    delay is short against the half-life: here slowdown 0.1 per debt hour, half-life >= 24 h,
    work <= 60 minutes and at most 16 incidents (with slowdown 1.0, half-life 6 h and 2 debt
    hours per page, one extra night alert shortens the others' work, 776 -> 209 minutes)."""
    compiled = compile_scenario(
        fatigue_scenario(inputs["zone"], ["ana"], ["primary"], inputs["debt"], inputs["half"])
    )
    common = [*inputs["day"], *inputs["night"]]
    _, records_a = run_hand_made(compiled, common)
    world_b, records_b = run_hand_made(compiled, [*common, *inputs["extra"]])
    assert all(world_b.people.in_sleep_hours(0, time) for time, _, _ in inputs["extra"])
    assert records_b.sleep_pages[0] == records_a.sleep_pages[0] + len(inputs["extra"])
    ack_a, work_a = common_delays(records_a, len(common))
    ack_b, work_b = common_delays(records_b, len(common))
    assert np.all(ack_b >= ack_a - TOLERANCE), (ack_a, ack_b)
    assert np.all(work_b >= work_a - TOLERANCE), (work_a, work_b)


@FATIGUE_SETTINGS
@given(fatigue_inputs)
def test_extra_night_pages_never_speed_up_acknowledgement_in_a_rotation(inputs):
    """Three engineers and a manager, primary -> secondary -> manager after 15 minutes: with
    extra night alerts every other incident is acknowledged no sooner (tired people are slower,
    so the chain reaches at least the same levels at the same times)."""
    compiled = compile_scenario(
        fatigue_scenario(
            inputs["zone"],
            ["ana", "ben", "cem"],
            ["primary", "secondary", "manager"],
            inputs["debt"],
            inputs["half"],
        )
    )
    common = [*inputs["day"], *inputs["night"]]
    _, records_a = run_hand_made(compiled, common)
    _, records_b = run_hand_made(compiled, [*common, *inputs["extra"]])
    ack_a, _ = common_delays(records_a, len(common))
    ack_b, _ = common_delays(records_b, len(common))
    assert np.all(ack_b >= ack_a - TOLERANCE), (ack_a, ack_b)
    assert np.all(records_b.pages_sent[: len(common)] >= records_a.pages_sent[: len(common)])


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    st.sampled_from(["UTC", "Europe/Berlin", "Asia/Kolkata"]),
    st.sampled_from([0.5, 1.0, 3.0]),
    st.sampled_from([6.0, 24.0, 72.0]),
    st.lists(
        st.tuples(st.integers(0, 13 * 96).map(lambda q: 15.0 * q), st.booleans()),
        max_size=25,
    ),
    st.lists(st.integers(0, 14 * 96).map(lambda q: 15.0 * q), min_size=1, max_size=20),
)
def test_sleep_debt_is_monotone_in_the_set_of_sleep_pages(zone, debt, half, pages, queries):
    """PeopleState.debt_hours: paging someone more (a superset of pages) never leaves them with less
    sleep debt at any later moment; debt is the sum of what each sleep-hour page left, halving
    every half-life, and pages outside sleep hours leave none."""
    compiled = compile_scenario(fatigue_scenario(zone, ["ana"], ["primary"], debt, half))
    fewer, more = PeopleState(compiled, (0, 0)), PeopleState(compiled, (0, 0))
    events = sorted([(time, 0, kept) for time, kept in pages] + [(t, 1, None) for t in queries])
    sleep_pages: list[float] = []
    for time, kind, kept in events:
        if kind == 0:
            more.paged(0, time)
            if kept:
                fewer.paged(0, time)
            if more.in_sleep_hours(0, time):
                sleep_pages.append(time)
            continue
        low, high = fewer.debt_hours(0, time), more.debt_hours(0, time)
        assert high >= low - TOLERANCE
        expected = sum(debt * 0.5 ** ((time - page) / (half * 60.0)) for page in sleep_pages)
        assert high == pytest.approx(expected, rel=1e-9, abs=1e-12)
    assert more.sleep_pages[0] == len(sleep_pages)
