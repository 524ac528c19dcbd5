"""Shared fixtures."""

from __future__ import annotations

import pytest
from builders import small_scenario

from sim.scenario import Scenario


@pytest.fixture
def scenario() -> Scenario:
    return small_scenario()


@pytest.fixture(scope="session")
def telco_results(tmp_path_factory):
    """A finished results folder of the telco scenario: 8 paired runs of two variants."""
    from builders import REPO

    from sim.experiment.session import ExperimentSession
    from sim.scenario import load_scenario

    scenario_file = REPO / "scenarios" / "telco-weekend.yaml"
    folder = tmp_path_factory.mktemp("telco-results")
    session = ExperimentSession(
        scenario=load_scenario(scenario_file),
        scenario_file=scenario_file,
        folder=folder,
        runs=8,
        variants=["detection-and-self-healing", "self-healing-only"],
    )
    session.start()
    session.run()
    return folder
