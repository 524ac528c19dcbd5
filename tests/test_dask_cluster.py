"""A Dask cluster as users run one: `dask scheduler` and two `dask worker` processes started on
127.0.0.1, `run --scheduler tcp://...` giving the process pool's numbers run for run, a worker
killed mid-experiment, and the scheduler killed then `--resume` (docs/design.md: same results
for the same seed, whatever the backend; an interrupted experiment keeps its finished runs)."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml
from builders import REPO

from sim.experiment import run_experiment
from sim.experiment.results import PARTIAL_FILE
from sim.scenario import load_scenario

distributed = pytest.importorskip("distributed")

pytestmark = pytest.mark.slow  # starts real processes: about a minute in all

BIN = Path(sys.executable).parent
RUNS = 64


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ProcessCluster:
    """`dask scheduler` and `dask worker` processes, as a user would start them."""

    def __init__(self, folder: Path, workers: int = 2) -> None:
        self.folder = folder
        self.address = f"tcp://127.0.0.1:{_free_port()}"
        port = self.address.rsplit(":", 1)[1]
        self.scheduler = self._start(
            "scheduler", [str(BIN / "dask"), "scheduler", "--host", "127.0.0.1",
                          "--port", port, "--no-dashboard"],
        )  # fmt: skip
        worker = [str(BIN / "dask"), "worker", self.address, "--nthreads", "1", "--no-nanny"]
        self.workers = [
            self._start(f"worker-{n}", [*worker, "--name", f"worker-{n}", "--no-dashboard"])
            for n in range(workers)
        ]
        self.wait_for_workers(workers)

    def _start(self, name: str, command: list[str]) -> subprocess.Popen:
        log = (self.folder / f"{name}.log").open("w")
        return subprocess.Popen(command, cwd=self.folder, stdout=log, stderr=subprocess.STDOUT)

    def wait_for_workers(self, count: int, timeout_seconds: float = 120) -> None:
        with distributed.Client(self.address, timeout=timeout_seconds) as client:
            client.wait_for_workers(count, timeout=timeout_seconds)

    def stop(self) -> None:
        for process in [*self.workers, self.scheduler]:
            if process.poll() is None:
                process.terminate()
        for process in [*self.workers, self.scheduler]:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture(scope="module")
def telco_file(tmp_path_factory):
    document = yaml.safe_load((REPO / "scenarios" / "telco-weekend.yaml").read_text())
    document["horizon"]["weeks"] = 6
    path = tmp_path_factory.mktemp("scenario") / "telco-short.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


@pytest.fixture(scope="module")
def pool_runs(telco_file):
    return run_experiment(load_scenario(telco_file), runs=RUNS, jobs=2).runs


@pytest.fixture
def cluster(tmp_path):
    started = ProcessCluster(tmp_path)
    yield started
    started.stop()


def _oncall_sim(*arguments: str) -> subprocess.Popen:
    return subprocess.Popen(
        [str(BIN / "oncall-sim"), *arguments],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_run_on_a_scheduler_and_two_worker_processes_matches_the_process_pool(
    telco_file, pool_runs, cluster, tmp_path
):
    out = tmp_path / "dask"
    command = _oncall_sim(
        "run", str(telco_file), "--runs", str(RUNS), "--scheduler", cluster.address,
        "--out", str(out),
    )  # fmt: skip
    _stdout, stderr = command.communicate(timeout=600)
    assert command.returncode == 0, stderr
    pd.testing.assert_frame_equal(pd.read_parquet(out / "runs.parquet"), pool_runs)
    assert json.loads((out / "provenance.json").read_text())["executor"] == (
        f"dask ({cluster.address})"
    )


def test_a_worker_killed_mid_experiment_changes_nothing(telco_file, pool_runs, cluster):
    chunks_seen = 0

    def kill_a_worker_after_the_first_chunk(indices, values):
        nonlocal chunks_seen
        chunks_seen += 1
        if chunks_seen == 1:
            cluster.workers[0].send_signal(signal.SIGKILL)

    result = run_experiment(
        load_scenario(telco_file),
        runs=RUNS,
        scheduler=cluster.address,
        on_chunk=kill_a_worker_after_the_first_chunk,
    )

    assert cluster.workers[0].wait(timeout=30) == -signal.SIGKILL
    assert cluster.workers[1].poll() is None  # the other one finished the work
    pd.testing.assert_frame_equal(result.runs, pool_runs)


def test_scheduler_killed_then_resume_continues_from_the_saved_runs(
    telco_file, pool_runs, cluster, tmp_path
):
    out = tmp_path / "interrupted"
    command = _oncall_sim(
        "run", str(telco_file), "--runs", str(RUNS), "--scheduler", cluster.address,
        "--out", str(out),
    )  # fmt: skip
    deadline = time.monotonic() + 300
    while not (out / PARTIAL_FILE).exists():  # the first checkpoint (every 5 s)
        assert command.poll() is None and time.monotonic() < deadline, command.stderr.read()
        time.sleep(0.2)
    cluster.scheduler.send_signal(signal.SIGKILL)
    _stdout, stderr = command.communicate(timeout=300)

    assert command.returncode == 3, stderr
    assert "lost the Dask scheduler" in stderr and "--resume" in stderr
    assert "Traceback" not in stderr
    saved = pd.read_parquet(out / PARTIAL_FILE)["run"].nunique()
    assert 0 < saved < RUNS

    resumed = _oncall_sim(
        "run", str(telco_file), "--runs", str(RUNS), "--jobs", "2", "--out", str(out),
        "--resume",
    )  # fmt: skip
    _stdout, stderr = resumed.communicate(timeout=600)
    assert resumed.returncode == 0, stderr
    pd.testing.assert_frame_equal(pd.read_parquet(out / "runs.parquet"), pool_runs)
    assert json.loads((out / "provenance.json").read_text())["runs_resumed"] == saved
