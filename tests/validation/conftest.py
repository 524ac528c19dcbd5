"""Shared replications of the validation cases: each (case, runs) is simulated once per session."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import pytest

from sim.validation import RunMeasures, case, run_replications


@cache
def _measures(name: str, runs: int) -> tuple[RunMeasures, ...]:
    return tuple(run_replications(case(name), runs))


@pytest.fixture(scope="session")
def measures() -> Callable[[str, int | None], list[RunMeasures]]:
    """measures(case name, runs): the case's runs 0 .. runs - 1, measured (cached).

    ``runs=None`` means the full validation (the file's horizon.runs, as in docs/validation.md).
    """

    def get(name: str, runs: int | None = None) -> list[RunMeasures]:
        if runs is None:
            runs = case(name).scenario().horizon.runs
        return list(_measures(name, runs))

    return get
