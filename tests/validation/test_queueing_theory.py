"""The on-call model, configured as a classic queue, against closed-form queueing theory.

Every check is |simulated mean - theory| <= 4 SE, where SE is the between-run standard error of
independent replications (run i = simulate(scenario, run=i), the file's root seed). Why 4: under
a correct model z = (mean - theory) / SE is Student-t with R - 1 degrees of freedom, so one check
fails by chance with probability 4e-4 (R = 30, the fast runs) or 1.2e-4 (R = 100, the full runs).
The fast suite makes about 40 such checks and the slow suite about 60: by the union (Bonferroni)
bound the chance that a correct model fails any of them is below 2% and 1% (less in fact, since
the checks of one case are positively correlated). The seeds are fixed, so a pass is
reproducible; the reasoning says a pass was not luck. Each test also asserts that the check is
sharp (SE a few percent of the value), so that passing means something: the power test at the end
shows that work times only 5% too long fail by a wide margin.
"""

from __future__ import annotations

import pytest
from builders import REPO

from sim.experiment import simulate
from sim.scenario import load_scenario, with_overrides
from sim.validation import (
    CASES,
    MINUTES_PER_WEEK,
    VALIDATION_DIR,
    Z_LIMIT,
    case,
    evaluate,
    measure_run,
    queue_parameters,
)
from sim.validation.queueing import erlang_c

FAST_MMC = [c.name for c in CASES if c.kind == "mmc" and not c.slow]
ALL_MMC = [c.name for c in CASES if c.kind == "mmc"]
MG1 = [c.name for c in CASES if c.kind == "mg1"]
#: The main metrics of every case must be estimated to within 5% (relative SE) by the fast runs.
MAIN_METRICS = ("p_wait", "mean_wait", "mean_sojourn", "in_system", "arrival_rate", "mean_work")


def failures(result) -> list[str]:
    return [
        f"{check.label}: theory {check.theory:.5g}, simulated {check.estimate.mean:.5g} "
        f"(SE {check.estimate.se:.3g}, z {check.z:+.2f})"
        for check in result.checks
        if not check.passed
    ]


def assert_sharp(result, limit: float = 0.05) -> None:
    """Not vacuous: the SE of each main metric is below ``limit`` of its theory value."""
    for check in result.checks:
        if check.key in MAIN_METRICS and check.theory != 0:
            assert check.relative_se < limit, (check.label, check.relative_se)


def test_every_validation_scenario_has_a_case_and_is_a_classic_queue():
    files = sorted(path.stem for path in VALIDATION_DIR.glob("*.yaml"))
    assert files == sorted(c.name for c in CASES)
    for validation_case in CASES:
        queue = validation_case.queue()  # raises unless one pool team, immediate ack, no automation
        assert queue.servers >= 1 and queue.arrival_rate > 0
        assert validation_case.scenario().variants, "oncall-sim run needs a variant to compare"
        if validation_case.kind != "mtginf":
            assert queue.utilisation < 1 and not queue.time_varying
        else:
            assert queue.time_varying


def test_queue_parameters_refuse_a_scenario_that_is_not_a_classic_queue():
    telco = load_scenario(REPO / "scenarios" / "telco-weekend.yaml")
    with pytest.raises(ValueError, match="not a classic queue"):
        queue_parameters(telco)
    mm1 = case("mm1-rho50").scenario()
    with pytest.raises(ValueError, match="ack_delay"):
        queue_parameters(with_overrides(mm1, {"response.ack_delay_minutes": 2}))


@pytest.mark.parametrize("name", FAST_MMC)
def test_mmc_against_erlang_c(name, measures):
    """Erlang C for M/M/c with offered load a = lambda / mu and utilisation rho = a / c < 1:
    P(W > 0) = C(c, a) = [a^c / (c! (1 - rho))] / [sum_{k<c} a^k / k! + a^c / (c! (1 - rho))],
    E[W] = C / (c mu - lambda); with Little's law L = lambda (E[W] + 1/mu) and W = E[W] + 1/mu.
    Also lambda itself (Poisson count / window) and E[S] = 1/mu (the work time is the
    distribution: severity factors 1, immediate acknowledgement)."""
    validation_case = case(name)
    result = evaluate(validation_case, measures=measures(name, validation_case.fast_runs))
    keys = {check.key for check in result.checks}
    assert set(MAIN_METRICS) <= keys
    only_fast = [check for check in result.checks if check.key in MAIN_METRICS]
    result.checks = only_fast
    assert not failures(result), failures(result)
    assert_sharp(result)


def test_erlang_c_reduces_to_the_m_m_1_and_m_m_2_formulas():
    # Cross-check of the theory itself: C(1, rho) = rho; C(2, a) = 2 rho^2 / (1 + rho).
    assert erlang_c(1, 0.5) == pytest.approx(0.5)
    assert erlang_c(2, 1.8) == pytest.approx(2 * 0.9**2 / 1.9)


@pytest.mark.parametrize("name", MG1)
def test_mg1_against_pollaczek_khinchine(name, measures):
    """Pollaczek-Khinchine mean value formula for M/G/1 (any work-time distribution with a finite
    second moment, rho = lambda E[S] < 1): E[W] = lambda E[S^2] / (2 (1 - rho)). Deterministic
    work (Var S = 0) halves the M/M/1 wait, Erlang-2 gives 3/4 of it, lognormal sigma 1 (a real
    repair-time shape) more than the M/M/1 wait. P(W > 0) = rho: Poisson arrivals see time
    averages (PASTA), and the server is busy a share rho of the time."""
    validation_case = case(name)
    result = evaluate(validation_case, measures=measures(name, validation_case.fast_runs))
    assert not failures(result), failures(result)
    assert_sharp(result)


@pytest.mark.slow
@pytest.mark.parametrize("name", ALL_MMC)
def test_mmc_wait_tail_against_erlang_c(name, measures):
    """The M/M/c wait is 0 with probability 1 - C and, given a wait, exponential with rate
    c mu - lambda (the queue drains at the full service rate while all servers are busy):
    P(W > t) = C exp(-(c mu - lambda) t), checked at four t from half to four times the mean
    conditional wait, with the full runs."""
    result = evaluate(case(name), measures=measures(name))
    result.checks = [check for check in result.checks if check.key.startswith("tail_")]
    assert len(result.checks) == 4
    assert not failures(result), failures(result)
    # The first two tail points are estimated to within 5%, the last ones more loosely.
    assert result.checks[0].relative_se < 0.05 and result.checks[1].relative_se < 0.05


@pytest.mark.slow
def test_heavily_loaded_mmc_against_erlang_c(measures):
    """Erlang C at rho = 0.9 (M/M/2): waits are long (E[W] = 128 min, 4.3 mean work times) and
    strongly autocorrelated, so this needs 100 runs of 52 weeks with a two-week warm-up; the
    relaxation time 1 / (c mu (1 - sqrt(rho))^2) is about four days, so what is left of the
    empty start after two weeks biases the mean wait by well under 0.1%, far below its SE."""
    result = evaluate(case("mm2-heavy-rho90"), measures=measures("mm2-heavy-rho90"))
    assert not failures(result), failures(result)
    assert result.passed
    assert_sharp(result, limit=0.02)


@pytest.mark.slow
@pytest.mark.parametrize("name", [c.name for c in CASES])
def test_every_case_passes_with_the_full_runs_of_the_report(name, measures):
    """All checks of docs/validation.md, with its runs: scalar checks within 4 SE, Little's law on
    every run, and for M_t/G/infinity the 168 hour-of-week means and the chi-square of the
    arrivals (theories as stated in the tests above and in tests/validation/test_time_varying.py).
    """
    result = evaluate(case(name), measures=measures(name))
    assert not failures(result), failures(result)
    assert result.passed
    assert_sharp(result, limit=0.02)


def test_the_checks_have_power_work_times_5_percent_too_long_fail():
    """A model whose work times are 5% longer than configured would pass a vague check. M/D/1
    with S = 37.8 instead of 36 min: rho 0.63 instead of 0.6 and, by Pollaczek-Khinchine, E[W]
    = 32.2 instead of 27 min (+19%), P(W > 0) +5%, L +12%. Twenty runs already put each of these
    more than 6 SE away from the theory of the configured model (8 to 10 SE with the current
    random streams), so the 4-SE checks catch it."""
    validation_case = case("md1")
    scenario = with_overrides(
        validation_case.scenario(),
        {"response.work_time_minutes": {"distribution": "fixed", "value": 36 * 1.05}},
    )
    horizon = scenario.horizon.weeks * MINUTES_PER_WEEK
    wrong = [
        measure_run(simulate(scenario, run=run).records, horizon, MINUTES_PER_WEEK)
        for run in range(20)
    ]
    result = evaluate(validation_case, measures=wrong)
    z = {check.key: check.z for check in result.checks}
    # Expected z about 13 for the mean wait and 9 for P(W > 0); 6 leaves room for chance.
    assert min(z["mean_wait"], z["in_system"], z["p_wait"]) > 1.5 * Z_LIMIT
    assert not result.passed
    assert z["mean_work"] > 3 * Z_LIMIT  # the work time itself is exactly 37.8 (SE about 0)
