"""Cascading failures: the kernel against its reference, and cascades against the expectation of
the branching process they define."""

from __future__ import annotations

import numpy as np
import pytest
from builders import small_scenario

from sim.compile import compile_scenario
from sim.generator import generate_alert_stream


def chain_scenario(probability: float, max_depth: int = 5, **cascades):
    """Services a <- b <- c <- d (each depends on the previous), all failing at root rate only at
    a (the others have no root alerts of their own)."""
    services = [{"name": "a", "team": "infra", "alerts_per_week": 200}]
    for name, dependency in (("b", "a"), ("c", "b"), ("d", "c")):
        services.append(
            {"name": name, "team": "infra", "alerts_per_week": 0, "depends_on": [dependency]}
        )
    return small_scenario(
        services=services,
        cascades={"downstream_probability": probability, "max_depth": max_depth, **cascades},
    )


def test_chain_cascades_follow_the_branching_process():
    """On a chain with downstream probability p, a root at a reaches the k-th service below it
    with probability p**k: mean alerts per root failure 1 + p + p^2 + p^3, and the share of roots
    whose cascade reaches depth k at least is p**k. Tolerance: 4 binomial standard errors."""
    p = 0.6
    compiled = compile_scenario(chain_scenario(p))
    roots = 0
    reached = np.zeros(4)
    for run in range(3):
        stream = generate_alert_stream(compiled.arrivals, 11, run)
        is_root = stream.depth == 0
        roots += is_root.sum()
        for depth in range(1, 4):
            reached[depth] += np.sum(stream.depth == depth)
        # every symptom belongs to a root alert of service a, and comes after it
        assert np.all(stream.service[stream.root] == 0)
        assert np.all(stream.time_minutes >= stream.time_minutes[stream.root])
    for depth in range(1, 4):
        share = reached[depth] / roots
        expected = p**depth
        assert abs(share - expected) < 4 * np.sqrt(expected * (1 - expected) / roots)
    alerts_per_root = (roots + reached.sum()) / roots
    assert alerts_per_root == pytest.approx(1 + p + p**2 + p**3, rel=0.05)


def test_tree_fan_out_mean_matches_expectation():
    """A root with k dependents, each alerting with probability p: mean k p symptoms per root."""
    services = [{"name": "db", "team": "infra", "alerts_per_week": 300}]
    services += [
        {"name": f"app{i}", "team": "infra", "alerts_per_week": 0, "depends_on": ["db"]}
        for i in range(5)
    ]
    compiled = compile_scenario(
        small_scenario(services=services, cascades={"downstream_probability": 0.3})
    )
    stream = generate_alert_stream(compiled.arrivals, 3, 0)
    roots = np.sum(stream.depth == 0)
    symptoms = np.sum(stream.depth == 1)
    assert np.all(stream.depth <= 1)
    expected = 5 * 0.3 * roots
    assert abs(symptoms - expected) < 4 * np.sqrt(roots * 5 * 0.3 * 0.7)


def test_max_depth_cuts_the_cascade():
    compiled = compile_scenario(chain_scenario(1.0, max_depth=2))
    stream = generate_alert_stream(compiled.arrivals, 5, 0)
    assert stream.depth.max() == 2
    assert np.sum(stream.depth == 1) == np.sum(stream.depth == 0)


def test_upstream_edges_alert_the_platform_of_a_misbehaving_service():
    services = [
        {"name": "host", "team": "infra", "alerts_per_week": 0},
        {
            "name": "app",
            "team": "infra",
            "alerts_per_week": 100,
            "depends_on": [{"service": "host", "upstream_probability": 1.0}],
        },
    ]
    compiled = compile_scenario(small_scenario(services=services))
    stream = generate_alert_stream(compiled.arrivals, 1, 0)
    host_alerts = stream.service == 0
    assert host_alerts.sum() == np.sum(stream.depth == 0)  # every app fault alerts its host
    assert np.all(stream.service[stream.root[host_alerts]] == 1)


def test_kernel_matches_reference_on_a_diamond_with_both_directions():
    services = [
        {"name": "net", "team": "infra", "alerts_per_week": 50},
        {"name": "db", "team": "infra", "alerts_per_week": 20, "depends_on": ["net"]},
        {"name": "cache", "team": "infra", "alerts_per_week": 20, "depends_on": ["net"]},
        {"name": "app", "team": "infra", "alerts_per_week": 30, "depends_on": ["db", "cache"]},
    ]
    compiled = compile_scenario(
        small_scenario(
            services=services,
            cascades={"downstream_probability": 0.5, "upstream_probability": 0.3},
        )
    )
    for run in range(3):
        kernel = generate_alert_stream(compiled.arrivals, 9, run)
        reference = generate_alert_stream(compiled.arrivals, 9, run, use_kernel=False)
        np.testing.assert_allclose(kernel.time_minutes, reference.time_minutes, atol=1e-9)
        np.testing.assert_array_equal(kernel.service, reference.service)
        np.testing.assert_array_equal(kernel.root, reference.root)
        np.testing.assert_array_equal(kernel.depth, reference.depth)
        np.testing.assert_array_equal(kernel.uniforms, reference.uniforms)
        # A service alerts at most once per root failure.
        pairs = set(zip(kernel.root.tolist(), kernel.service.tolist(), strict=True))
        assert len(pairs) == len(kernel)


def test_higher_propagation_probability_gives_a_superset_of_symptoms():
    """Monotone coupling of cascades: same draws, a larger probability fires more edges."""
    low = compile_scenario(chain_scenario(0.3))
    high = compile_scenario(chain_scenario(0.7))
    a = generate_alert_stream(low.arrivals, 4, 0)
    b = generate_alert_stream(high.arrivals, 4, 0)
    roots_low = a.time_minutes[a.depth == 0]
    roots_high = b.time_minutes[b.depth == 0]
    np.testing.assert_array_equal(roots_low, roots_high)
    low_pairs = {(round(a.time_minutes[r], 9), s) for r, s in zip(a.root, a.service, strict=True)}
    high_pairs = {(round(b.time_minutes[r], 9), s) for r, s in zip(b.root, b.service, strict=True)}
    assert low_pairs < high_pairs


def _cross_domain(**overrides):
    from builders import REPO

    from sim.scenario import load_scenario, with_overrides

    scenario = load_scenario(REPO / "scenarios" / "cross-domain-rotation.yaml")
    return compile_scenario(with_overrides(scenario, {"horizon.weeks": 8, **overrides}))


def test_turning_on_inhibition_never_increases_pages_in_any_run():
    """Inhibition only removes pages (symptoms) or delays them (masked independent failures).
    Without a shared rotation, an incident's pages do not depend on when it pages, so no run may
    have more pages with inhibition than without."""
    from sim.model import run_model

    without = _cross_domain(**{"shared_rotation": None})
    with_inhibition = _cross_domain(**{"shared_rotation": None, "correlation.inhibition": True})
    fewer = 0
    for run in range(6):
        stream = generate_alert_stream(without.arrivals, 21, run)
        pages_without = len(run_model(without, stream).page_alert)
        pages_with = len(run_model(with_inhibition, stream).page_alert)
        assert pages_with <= pages_without
        fewer += pages_with < pages_without
    assert fewer == 6  # and inhibition does remove pages


def test_perfect_root_identification_never_misroutes():
    from sim.metrics import compute_kpis
    from sim.model import run_model

    perfect = _cross_domain(
        **{"routing.policy": "root-owner", "routing.root_identification_accuracy": 1.0}
    )
    symptom_owner = _cross_domain()
    for run in range(4):
        stream = generate_alert_stream(perfect.arrivals, 8, run)
        assert compute_kpis(perfect, run_model(perfect, stream))["misrouted_pages"] == 0
        assert compute_kpis(symptom_owner, run_model(symptom_owner, stream))["misrouted_pages"] > 0
