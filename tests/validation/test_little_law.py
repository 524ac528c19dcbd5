"""Little's law, L = lambda W, on every run of every validation case.

Theory: over a window [a, b), integral of N(t) dt = sum over the window's arrivals of their time
in system + (time that incidents started before a spend inside the window: carry-in) - (time
that the window's arrivals spend after b: spill-out). Dividing by b - a:
L - lambda_hat W_hat = (carry-in - spill-out) / (b - a). This is a sample-path identity, not a
statistical statement, so the tolerance is the edge term itself, (carry-in + spill-out) / (b - a),
computed per run from the incidents that straddle the window's edges. It is small (below 1.5%
of L in every run seen, usually below 0.5%) because only the few incidents in system at an edge
of a window of months contribute. A record that lost an incident,
or one resolved before it started, would break the identity.
"""

from __future__ import annotations

import pytest

from sim.validation import CASES, case, little_law_holds

FAST = [c.name for c in CASES if not c.slow]
SLOW = [c.name for c in CASES if c.slow]


def check_little(runs) -> None:
    for index, run in enumerate(runs):
        assert run.all_resolved, f"run {index}: an incident was not handled and resolved"
        # |L - lambda W| <= edge term, and L - lambda W = (carry-in - spill-out) / window exactly.
        assert abs(run.little_gap) <= run.little_edge + 1e-9 * run.in_system, (index, run)
        assert little_law_holds(run), (index, run.little_residual)
        # The tolerance is tight: the edge term is a small fraction of L.
        assert run.little_edge < 0.02 * run.in_system, (index, run.little_edge, run.in_system)


@pytest.mark.parametrize("name", FAST)
def test_little_law_on_every_fast_run(name, measures):
    check_little(measures(name, case(name).fast_runs))


@pytest.mark.slow
@pytest.mark.parametrize("name", SLOW + FAST)
def test_little_law_on_every_run_of_the_full_validation(name, measures):
    check_little(measures(name))
