"""Alert noise against theory, and monotone coupling of its settings.

Theory: alerts form a Poisson stream; each is transient with probability q, and a transient
alert clears after C ~ lognormal(median m, sigma s). A pause of p minutes stops exactly the
transient alerts with C <= p from paging, so the share of escalations it removes is
q * P(C <= p) = q * Phi(ln(p / m) / s), whatever the arrival rate.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from builders import REPO, small_scenario
from scipy import stats

from sim.compile import compile_scenario
from sim.generator import generate_alert_stream
from sim.model import run_model
from sim.model.records import STATE_SELF_CLEARED
from sim.scenario import ScenarioError, load_scenario, load_scenario_text, with_overrides

SHARE, MEDIAN, SIGMA, PAUSE = 0.5, 3.0, 1.0, 5.0


def noise(**changes):
    return {
        "transient_share": SHARE,
        "self_clear_minutes": {"distribution": "lognormal", "median": MEDIAN, "sigma": SIGMA},
        **changes,
    }


def test_pause_removes_the_share_of_pages_theory_predicts():
    services = [{"name": "db", "team": "infra", "alerts_per_week": 60}]
    without = compile_scenario(small_scenario(services=services, noise=noise()))
    paused = compile_scenario(small_scenario(services=services, noise=noise(pause_minutes=PAUSE)))
    paged = removed = 0
    for run in range(60):
        stream = generate_alert_stream(without.arrivals, 11, run)
        before = run_model(without, stream).first_page_person >= 0
        after = run_model(paused, stream).first_page_person >= 0
        assert not np.any(after & ~before)  # the pause never makes an alert page
        paged += int(before.sum())
        removed += int(np.sum(before & ~after))
    expected = SHARE * stats.norm.cdf(math.log(PAUSE / MEDIAN) / SIGMA)  # 0.3487
    observed = removed / paged
    standard_error = math.sqrt(expected * (1 - expected) / paged)  # about 0.004 here
    assert paged > 10_000
    assert abs(observed - expected) < 4 * standard_error, (observed, expected)


def noise_scenario(weeks: int = 8):
    scenario = load_scenario(REPO / "scenarios" / "alert-noise.yaml")
    return with_overrides(scenario, {"horizon.weeks": weeks})


def test_a_longer_pause_never_adds_pages_to_any_run():
    scenario = noise_scenario()
    pauses = (0, 2, 5, 10, 20)
    compiled = [
        compile_scenario(with_overrides(scenario, {"noise.pause_minutes": pause}))
        for pause in pauses
    ]
    for run in range(4):
        stream = generate_alert_stream(compiled[0].arrivals, 5, run)
        records = [run_model(each, stream) for each in compiled]
        pages = [len(each.page_alert) for each in records]
        cleared = [each.state[: len(stream)] == STATE_SELF_CLEARED for each in records]
        assert pages == sorted(pages, reverse=True), pages
        for shorter, longer in itertools.pairwise(cleared):
            assert np.all(longer[shorter])  # a longer pause clears a superset


def test_a_higher_transient_share_makes_a_superset_of_the_same_alerts_transient():
    scenario = noise_scenario()
    shares = (0.2, 0.5, 0.8)
    compiled = [
        compile_scenario(
            with_overrides(
                scenario,
                {"noise.transient_share": share, "services.database.noise.transient_share": share,
                 "services.network.noise.transient_share": share},
            )
        )
        for share in shares
    ]  # fmt: skip
    for run in range(3):
        stream = generate_alert_stream(compiled[0].arrivals, 5, run)
        transient = [run_model(each, stream).noise.transient for each in compiled]
        for lower, higher in itertools.pairwise(transient):
            assert np.all(higher[lower]) and higher.sum() > lower.sum()
        observed = transient[1][: len(stream)].mean()
        assert 0.35 < observed < 0.65  # about half of the alerts that would page


def test_deduplication_never_adds_pages_and_removes_only_flap_pages():
    scenario = noise_scenario()
    naive = compile_scenario(scenario)
    dedupe = compile_scenario(with_overrides(scenario, {"noise.flap_rule": "dedupe"}))
    for run in range(3):
        stream = generate_alert_stream(naive.arrivals, 5, run)
        before, after = run_model(naive, stream), run_model(dedupe, stream)
        assert len(after.page_alert) <= len(before.page_alert)
        np.testing.assert_array_equal(before.first_page_person, after.first_page_person)


def test_noise_is_off_by_default_and_draws_do_not_touch_other_streams():
    compiled = compile_scenario(small_scenario())
    assert not compiled.noise.changes_paging
    stream = generate_alert_stream(compiled.arrivals, 3, 0)
    other = generate_alert_stream(compiled.arrivals, 3, 1)
    assert stream.noise_uniforms.shape == (len(stream), 11)
    assert not np.array_equal(stream.noise_uniforms[:5], other.noise_uniforms[:5])


BURN_RULE_SCENARIO = """\
name: burn rules
teams: [{name: infra, engineers: 3}]
services: [{name: web, team: infra, alerts_per_week: 3, slo: {target: 0.9}}]
slo:
  burn_rules:
    - {burn_rate: 5, long_window_minutes: 60, short_window_minutes: 5, action: page}
    - {burn_rate: 2, long_window_minutes: 60, short_window_minutes: RULE_SHORT, action: ticket}
"""


@pytest.mark.parametrize(
    ("short", "burn", "line", "phrase"),
    [
        (60, 5, 7, "short_window_minutes (60) must be shorter than long_window_minutes (60)"),
        (5, 14.4, 6, "a burn rate of 14.4 can never fire for service 'web'"),
    ],
)
def test_burn_rules_the_objective_cannot_use_are_located_errors(short, burn, line, phrase):
    text = BURN_RULE_SCENARIO.replace("RULE_SHORT", str(short)).replace(
        "burn_rate: 5", f"burn_rate: {burn}"
    )
    with pytest.raises(ScenarioError) as raised:
        load_scenario_text(text, "rules.yaml")
    (problem,) = raised.value.problems
    assert problem.line == line and phrase in problem.message, str(raised.value)
