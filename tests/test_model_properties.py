"""Properties that hold on every run: invariants, monotone coupling, common random numbers,
and results that do not depend on the number of worker processes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from builders import REPO, SCENARIOS, small_scenario
from invariants import check_pages_follow_policies

from sim.compile import compile_scenario
from sim.experiment import plan_experiment, run_experiment, simulate_run
from sim.generator import generate_alert_stream
from sim.metrics import KPIS
from sim.model import run_model
from sim.model.records import (
    STATE_AUTO_RESOLVED,
    STATE_CLEARED_WITH_ROOT,
    STATE_GROUPED,
    STATE_PREVENTED,
    STATE_RESOLVED,
    STATE_SELF_CLEARED,
    STATE_SILENCED,
    STATE_SUPPRESSED,
    STATE_TICKET,
    STATE_UNPAGED,
)
from sim.scenario import load_scenario, resolve_variant, with_overrides
from sim.scenario.models import Variant
from sim.stats import crn_variance_ratio


def check_invariants(compiled, stream, records) -> None:
    """Every alert ends in exactly one terminal state; pages go only to whoever the schedule or
    the escalation policy names at that moment; time never runs backwards within an incident."""
    state = records.state
    terminal = {
        STATE_PREVENTED,
        STATE_AUTO_RESOLVED,
        STATE_RESOLVED,
        STATE_GROUPED,
        STATE_SUPPRESSED,
        STATE_SILENCED,
        STATE_SELF_CLEARED,
        STATE_TICKET,
        STATE_UNPAGED,
        STATE_CLEARED_WITH_ROOT,
    }
    assert set(np.unique(state)) <= terminal
    assert len(state) == len(stream) + int(np.sum(records.caused_by >= 0))
    paged = records.first_page_person >= 0
    cleared = state == STATE_CLEARED_WITH_ROOT
    # Resolved by a human => paged; paged => resolved, or cleared with its root on the way.
    assert np.all(paged[state == STATE_RESOLVED])
    assert np.all((state == STATE_RESOLVED)[paged & ~cleared])
    # Cleared with root: a cascade symptom, ended at the minute its root was fixed, not before
    # it started nor before its own acknowledgement or work began.
    root = records.root[cleared]
    assert np.all(root != np.flatnonzero(cleared))
    assert np.all(np.isin(state[root], (STATE_RESOLVED, STATE_AUTO_RESOLVED)))
    np.testing.assert_array_equal(records.resolved_minutes[cleared], records.resolved_minutes[root])
    ended = records.resolved_minutes[cleared]
    assert np.all(ended >= records.start_minutes[cleared])
    for begun in (records.first_page_minutes, records.ack_minutes, records.work_start_minutes):
        assert not np.any(begun[cleared] > ended)
    assert np.all(np.isnan(records.resolved_minutes[(state == STATE_PREVENTED)]))
    assert np.all(np.isnan(records.resolved_minutes[state == STATE_SUPPRESSED]))
    handled = np.isin(
        state,
        [
            STATE_RESOLVED,
            STATE_AUTO_RESOLVED,
            STATE_SELF_CLEARED,
            STATE_TICKET,
            STATE_UNPAGED,
            STATE_CLEARED_WITH_ROOT,
        ],
    )
    assert not np.any(np.isnan(records.resolved_minutes[handled]))
    assert np.all(records.resolved_minutes[handled] >= records.start_minutes[handled])
    # Only a transient alert may end unacknowledged or unworked: it cleared first.
    transient = records.noise.transient if records.noise is not None else np.zeros_like(paged)
    unfinished = (state == STATE_RESOLVED) & (
        np.isnan(records.ack_minutes) | np.isnan(records.work_start_minutes)
    )
    assert np.all(transient[unfinished])
    human = (state == STATE_RESOLVED) & ~unfinished
    start, first_page = records.start_minutes[human], records.first_page_minutes[human]
    ack, work, resolved = (
        records.ack_minutes[human],
        records.work_start_minutes[human],
        records.resolved_minutes[human],
    )
    assert np.all(first_page >= start) and np.all(ack >= first_page)
    assert np.all(work >= ack) and np.all(resolved >= work)
    check_pages_follow_policies(compiled, records)
    # The acknowledging person and the worker were paged for that incident.
    paged_pairs = set(zip(records.page_alert.tolist(), records.page_person.tolist(), strict=True))
    for alert in np.flatnonzero(human).tolist():
        assert (alert, int(records.ack_person[alert])) in paged_pairs
        assert (alert, int(records.worker[alert])) in paged_pairs


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda path: path.name)
def test_invariants_hold_on_every_scenario_and_variant(path):
    scenario = load_scenario(path)
    for variant in scenario.variant_names:
        compiled = compile_scenario(resolve_variant(scenario, variant), variant)
        for run in range(2):
            stream = generate_alert_stream(compiled.arrivals, scenario.horizon.seed, run)
            check_invariants(compiled, stream, run_model(compiled, stream))


def test_invariants_with_daily_rotation_two_zones_and_slow_acks():
    scenario = small_scenario(
        teams=[
            {
                "name": "infra",
                "engineers": 4,
                "time_zone": "America/New_York",
                "rotation": {"shift": "daily", "handoff_time": "17:30"},
            },
            {"name": "apps", "engineers": 2, "time_zone": "Asia/Kolkata"},
        ],
        services=[
            {"name": "db", "team": "infra", "alerts_per_week": 40},
            {"name": "web", "team": "apps", "alerts_per_week": 40},
        ],
        response={"ack_delay_minutes": {"distribution": "exponential", "mean": 20}},
    )
    compiled = compile_scenario(scenario)
    stream = generate_alert_stream(compiled.arrivals, 1, 0)
    records = run_model(compiled, stream)
    check_invariants(compiled, stream, records)
    assert np.any(records.page_level == 2)  # slow acks reach the manager (third level)


@pytest.mark.parametrize(
    "setting", ["automation.self_healing.coverage", "automation.self_healing.success_probability"]
)
def test_more_self_healing_never_increases_any_runs_escalations(setting):
    """Monotone coupling: a higher probability heals a superset of the same incidents."""
    telco = load_scenario(REPO / "scenarios" / "telco-weekend.yaml")
    levels = [0.0, 0.2, 0.5, 0.8, 1.0]
    compiled = [compile_scenario(with_overrides(telco, {setting: level})) for level in levels]
    for run in range(6):
        stream = generate_alert_stream(compiled[0].arrivals, 123, run)
        escalations = [
            int(np.sum(run_model(variant, stream).first_page_person >= 0)) for variant in compiled
        ]
        assert escalations == sorted(escalations, reverse=True), escalations
        assert escalations[0] > escalations[-1]


def test_more_detection_never_increases_any_runs_escalations():
    telco = load_scenario(REPO / "scenarios" / "telco-weekend.yaml")
    compiled = [
        compile_scenario(with_overrides(telco, {"automation.anomaly_detection.coverage": level}))
        for level in (0.0, 0.3, 0.6)
    ]
    for run in range(4):
        stream = generate_alert_stream(compiled[0].arrivals, 5, run)
        escalations = [int(np.sum(run_model(c, stream).first_page_person >= 0)) for c in compiled]
        assert escalations == sorted(escalations, reverse=True)


def test_same_seed_same_results_with_one_or_two_jobs(tmp_path):
    telco = load_scenario(REPO / "scenarios" / "telco-weekend.yaml")
    shorter = with_overrides(telco, {"horizon.weeks": 8})
    shorter = shorter.model_copy(update={"variants": telco.variants})
    serial = run_experiment(shorter, runs=20, jobs=1).runs
    parallel = run_experiment(shorter, runs=20, jobs=2).runs
    serial.to_parquet(tmp_path / "serial.parquet")
    parallel.to_parquet(tmp_path / "parallel.parquet")
    pd.testing.assert_frame_equal(
        pd.read_parquet(tmp_path / "serial.parquet"), pd.read_parquet(tmp_path / "parallel.parquet")
    )
    assert (tmp_path / "serial.parquet").read_bytes() == (
        tmp_path / "parallel.parquet"
    ).read_bytes()
    assert list(serial.columns) == ["run", "variant", *plan_experiment(shorter).kpi_names]
    assert list(serial.columns)[2 : 2 + len(KPIS)] == list(KPIS)
    assert len(serial) == 20 * len(telco.variant_names)


def _headline_differences(overrides: dict, runs: int) -> tuple[np.ndarray, np.ndarray, float]:
    """Paired and independent differences of weekend escalations per weekend, and the cut."""
    telco = load_scenario(REPO / "scenarios" / "telco-weekend.yaml")
    short = with_overrides(telco, {"horizon.weeks": 13})
    scenario = short.model_copy(
        update={"variants": [Variant(name="change", description="change", set=overrides)]}
    )
    plan = plan_experiment(scenario)
    headline = KPIS.index("weekend_escalations_per_weekend")
    results = np.array([simulate_run(plan, run)[:, headline] for run in range(2 * runs)])
    paired = results[:runs, 1] - results[:runs, 0]
    independent = results[runs:, 1] - results[:runs, 0]
    cut = 1 - results[:, 1].mean() / results[:, 0].mean()
    return paired, independent, cut


def test_common_random_numbers_variance_reduction_matches_thinning_theory():
    """Theory: with Poisson arrivals, a change that removes each escalation independently with
    probability c (self-healing and prevention act per incident) leaves
    Var(baseline - variant) = N c with common random numbers, against N (2 - c) with independent
    streams, so the factor is (2 - c) / c. The estimate is a ratio of two sample variances of
    n = 150 runs each: its log has a standard error near sqrt(2 * 2 / 149) = 0.16; allow 3 of them.
    """
    paired, independent, cut = _headline_differences(
        {"automation.self_healing.coverage": 0.45, "automation.anomaly_detection.coverage": 0.35},
        runs=150,
    )
    factor = crn_variance_ratio(paired, independent)
    theory = (2 - cut) / cut
    assert abs(np.log(factor / theory)) < 3 * 0.16, (factor, theory, cut)


def test_common_random_numbers_cut_the_variance_tenfold_for_a_modest_change():
    """A 10-point rise in self-healing coverage cuts weekend escalations by about 8%: theory says
    the paired difference has (2 - c) / c, about 24x, less variance than independent streams."""
    paired, independent, cut = _headline_differences(
        {"automation.self_healing.coverage": 0.25}, runs=150
    )
    assert 0.04 < cut < 0.12
    assert crn_variance_ratio(paired, independent) >= 10


def test_variant_results_are_paired_with_their_own_run_not_another():
    # A variant identical to the baseline gives exactly the baseline's numbers, run by run.
    scenario = small_scenario(
        variants=[
            {
                "name": "same",
                "description": "no change",
                "set": {"escalation.ack_timeout_minutes": 15},
            }
        ]
    )
    runs = run_experiment(scenario, runs=5).runs
    baseline = runs[runs["variant"] == "baseline"].reset_index(drop=True)
    same = runs[runs["variant"] == "same"].reset_index(drop=True)
    pd.testing.assert_frame_equal(baseline.drop(columns="variant"), same.drop(columns="variant"))
