"""Defaults live in the schema only: the compiled arrays take them from there."""

from __future__ import annotations

from builders import small_scenario

from sim.compile import compile_scenario


def test_a_partial_severity_work_factor_keeps_the_schemas_defaults_for_the_others():
    """response.severity_work_factor {P1: 2} changes P1 only: P2, P3, P4 keep the schema's
    stated 1.2, 1.0 and 0.8 (they were 1.0 each)."""
    scenario = small_scenario(response={"severity_work_factor": {"P1": 2}})
    assert compile_scenario(scenario).severity_work_factor.tolist() == [2.0, 1.2, 1.0, 0.8]


def test_no_severity_work_factor_gives_the_schemas_defaults():
    factors = compile_scenario(small_scenario()).severity_work_factor.tolist()
    assert factors == [1.5, 1.2, 1.0, 0.8]
