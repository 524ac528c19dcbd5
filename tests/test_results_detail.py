"""The results folder keeps the detail the figures need, checkpointed and resumable like
runs.parquet, and its numbers add up to the KPIs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from builders import small_scenario

from sim.experiment import run_experiment
from sim.experiment.detail import DETAIL_FILES
from sim.experiment.session import ExperimentSession

VARIANTS = [
    {
        "name": "more-runbooks",
        "description": "self-healing for 60% of incidents",
        "set": {"automation.self_healing.coverage": 0.6},
    },
]


@pytest.fixture
def scenario():
    return small_scenario(
        horizon={"weeks": 6, "start_date": "2026-01-05", "time_zone": "UTC", "seed": 3},
        variants=VARIANTS,
    )


def _session(scenario, folder: Path, runs: int, jobs: int = 1) -> ExperimentSession:
    return ExperimentSession(
        scenario=scenario,
        scenario_file=Path("hand-made.yaml"),
        folder=folder,
        runs=runs,
        jobs=jobs,
    )


def _read(folder: Path) -> dict[str, pd.DataFrame]:
    return {name: pd.read_parquet(folder / file) for name, file in DETAIL_FILES.items()}


def test_detail_files_add_up_to_the_kpis_of_each_run(scenario, tmp_path):
    session = _session(scenario, tmp_path, runs=5)
    session.start()
    session.run()
    runs = pd.read_parquet(tmp_path / "runs.parquet").set_index(["run", "variant"])
    detail = _read(tmp_path)
    by_hour = detail["pages_by_hour"].groupby(["run", "variant"], observed=True)
    np.testing.assert_array_equal(
        by_hour["pages"].sum(), runs.loc[by_hour["pages"].sum().index, "pages"]
    )
    sleep = (
        detail["pages_by_hour"]
        .query("band == 'sleep'")
        .groupby(["run", "variant"], observed=True)["pages"]
        .sum()
    )
    np.testing.assert_array_equal(sleep, runs.loc[sleep.index, "interruptions_sleep"])
    people = detail["people"].groupby(["run", "variant"], observed=True)
    for column, kpi in (("pages", "pages"), ("pages_sleep", "interruptions_sleep")):
        np.testing.assert_array_equal(people[column].sum(), runs[kpi])
    engineers = (
        detail["people"].query("role == 'engineer'").groupby(["run", "variant"], observed=True)
    )
    np.testing.assert_array_equal(engineers["pages"].max(), runs["pages_per_engineer_max"])
    np.testing.assert_array_equal(engineers["disrupted_hours"].sum(), runs["disrupted_hours"])
    weekly = detail["weekly"].groupby(["run", "variant"], observed=True)
    assert (weekly["pages"].sum() <= runs["pages"]).all()
    assert len(detail["weekly"]) == 5 * 2 * 6  # runs x variants x weeks
    assert not list(tmp_path.glob("*.partial.parquet"))


def test_detail_is_the_same_with_two_jobs_and_from_the_library(scenario, tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    for folder, jobs in ((one, 1), (two, 2)):
        session = _session(scenario, folder, runs=10, jobs=jobs)
        session.start()
        session.run()
    library = run_experiment(scenario, runs=10, detail=True).detail
    for name, table in _read(one).items():
        pd.testing.assert_frame_equal(table, _read(two)[name], check_categorical=False)
        pd.testing.assert_frame_equal(
            table, library[name].reset_index(drop=True), check_categorical=False
        )


def test_resume_keeps_the_detail_of_finished_runs_and_adds_the_rest(scenario, tmp_path):
    fresh, resumed = tmp_path / "fresh", tmp_path / "resumed"
    session = _session(scenario, fresh, runs=12)
    session.start()
    session.run()
    first = _session(scenario, resumed, runs=12)
    first.start()
    original_add = first.checkpoint.add

    def add_then_stop(indices, values):
        original_add(indices, values)
        raise KeyboardInterrupt  # after the first chunk of 8 runs

    first.checkpoint.add = add_then_stop
    with pytest.raises(KeyboardInterrupt):
        first.run()
    first.save_partial()
    assert pd.read_parquet(resumed / "people.partial.parquet")["run"].nunique() == 8
    again = _session(scenario, resumed, runs=12)
    again.start(resume=True)
    assert again.runs_done_before == list(range(8))
    again.run()
    for name, table in _read(fresh).items():
        pd.testing.assert_frame_equal(table, _read(resumed)[name], check_categorical=False)


def test_resuming_an_older_folder_without_detail_keeps_its_runs(scenario, tmp_path):
    session = _session(scenario, tmp_path, runs=4)
    session.start()
    session.run()
    for file in DETAIL_FILES.values():
        (tmp_path / file).unlink()
    again = _session(scenario, tmp_path, runs=6)
    again.start(resume=True)
    assert again.runs_done_before == [0, 1, 2, 3]
    again.run()
    assert sorted(pd.read_parquet(tmp_path / "people.parquet")["run"].unique()) == [4, 5]
