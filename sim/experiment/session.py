"""One `oncall-sim run`: an experiment with a results folder, a progress bar and checkpoints."""

from __future__ import annotations

import contextlib
import datetime as dt
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from sim.experiment.duration import DurationEstimate, estimate_duration, format_duration
from sim.experiment.progress import ProgressLines
from sim.experiment.provenance import experiment_provenance
from sim.experiment.replications import ExperimentResult, run_experiment
from sim.experiment.results import (
    Checkpoint,
    folder_problem,
    load_previous_detail,
    load_previous_runs,
    runs_with_detail,
    scenario_digest,
    write_results,
    write_start_files,
)
from sim.experiment.runs import ExperimentPlan, plan_experiment
from sim.metrics import kpi_directions
from sim.scenario.models import Scenario
from sim.stats import compare


@dataclass
class ExperimentSession:
    """Runs an experiment into a results folder; resumable after an interruption."""

    scenario: Scenario
    scenario_file: Path
    folder: Path
    runs: int
    jobs: int = 1
    seed: int | None = None
    variants: list[str] | None = None
    argv: list[str] = field(default_factory=list)
    scheduler: str | None = None
    """Dask scheduler address or 'local' (None: the local process pool)."""
    notices: list[str] = field(default_factory=list)
    """What the user should know before the runs start (runs kept on resume, a long run)."""
    estimate: str = field(init=False, default="")
    """Memory and run time estimated before the runs start, as a sentence."""
    duration: DurationEstimate = field(init=False)
    precision: float | None = None
    """Target 95% CI half-width of the relative change (None: exactly ``runs`` runs, else
    ``runs`` is the cap; see :mod:`sim.experiment.adaptive`)."""
    precision_kpis: list[str] | None = None
    """KPIs the precision applies to (default: the headline)."""
    plan: ExperimentPlan = field(init=False)
    checkpoint: Checkpoint = field(init=False)
    provenance: dict = field(init=False)

    def start(self, resume: bool = False, force: bool = False) -> None:
        """Compile the variants, check that they fit in memory and that the folder is new,
        empty or this experiment's (unless ``force``), find the runs to resume, write the
        scenario and provenance.

        Resuming keeps every finished run: with fewer ``runs`` than the folder already holds,
        the experiment takes them all (``runs`` grows to match) and says so in ``notices``.
        """
        self.plan = plan_experiment(self.scenario, self.variants, self.seed)
        from sim.experiment.capacity import check_fits

        if not force:
            problem = folder_problem(self.folder, self.scenario, self.plan)
            if problem is not None:
                raise ValueError(problem)
        unknown = [kpi for kpi in self.precision_kpis or [] if kpi not in self.plan.kpi_names]
        if unknown:
            raise ValueError(
                f"--kpi {unknown[0]!r} is not a KPI; choose one of {', '.join(self.plan.kpi_names)}"
            )
        previous = load_previous_runs(self.folder, self.scenario, self.plan) if resume else None
        previous_detail = None
        if previous is not None:
            needed = int(previous["run"].max()) + 1 if len(previous) else 0
            if needed > self.runs:
                self.notices.append(
                    f"{self.folder} already holds {previous['run'].nunique()} finished runs, "
                    f"some beyond the {self.runs} asked for: keeping them all, so the "
                    f"experiment has {needed} runs"
                )
                self.runs = needed
            previous_detail = load_previous_detail(self.folder, previous)
            previous = runs_with_detail(previous, previous_detail)
            previous_detail = {
                name: table[table["run"].isin(previous["run"].unique())]
                for name, table in previous_detail.items()
            }
        memory = check_fits(self.plan, self.runs, self.jobs)  # ValueError, with the estimate
        done = 0 if previous is None else previous["run"].nunique()
        self.duration = estimate_duration(self.plan, self.runs - done, self.jobs)
        self.estimate = f"estimate: {memory.describe()}; {self.duration.describe()}"
        if self.duration.long:
            self.notices.append(
                f"this experiment will take {format_duration(self.duration.total_seconds)} "
                "or so; for a first answer sooner use fewer --runs, more --jobs or a shorter "
                "horizon.weeks"
            )
        self.checkpoint = Checkpoint(self.folder, self.plan, previous, previous_detail)
        self.provenance = {
            **experiment_provenance(
                self.plan, runs=self.runs, jobs=self.jobs, scheduler=self.scheduler
            ),
            "scenario_file": str(self.scenario_file),
            "scenario_sha256": scenario_digest(self.scenario),
            **({} if self.precision is None else {"max_runs": self.runs}),
            "command": " ".join(self.argv),
            "started_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
        write_start_files(self.folder, self.scenario, self.provenance)

    @property
    def runs_done_before(self) -> list[int]:
        previous = self.checkpoint.previous
        return [] if previous is None else sorted(previous["run"].unique().tolist())

    def run(self, console: Console | None = None) -> tuple[ExperimentResult, pd.DataFrame]:
        """Run what is left, with a progress bar; write the results folder."""
        started = time.perf_counter()
        done_before = self.runs_done_before
        todo = self.runs - len(done_before) if self.precision is None else None
        progress = Progress(
            TextColumn("[bold]simulating"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("runs"),
            TimeRemainingColumn(),
            console=console,
            transient=True,
            disable=console is None,
        )
        lines = ProgressLines(
            lambda text: print(text, file=sys.stderr, flush=True),
            todo,
            expected_seconds_per_run=self.duration.seconds_per_run,
        )
        plain = console is not None and not console.is_terminal

        def on_progress(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)
            if plain:
                lines.update(done, total)

        with progress, lines if plain else contextlib.nullcontext():
            task = progress.add_task("runs", total=todo)
            adaptive = self.precision is not None
            result = run_experiment(
                self.scenario,
                runs=None if adaptive else self.runs,
                precision=self.precision,
                kpis=self.precision_kpis,
                max_runs=self.runs if adaptive else None,
                jobs=self.jobs,
                scheduler=self.scheduler,
                previous_runs=self.checkpoint.previous,
                on_progress=on_progress,
                on_chunk=self.checkpoint.add,
                on_detail=self.checkpoint.add_detail,
                plan=self.plan,
            )
        result.runs = self.checkpoint.table()
        result.detail = self.checkpoint.detail()
        if adaptive:  # the runs used; a resumed folder may hold more from another target
            result.runs = result.runs[result.runs["run"] < result.provenance["runs"]]
            self.provenance.update(
                {
                    key: value
                    for key, value in result.provenance.items()
                    if key.startswith("precision") or key in ("runs_used", "max_runs")
                },
                runs=result.provenance["runs_used"],
            )
            result.runs = result.runs.reset_index(drop=True)
            used = result.provenance["runs"]
            result.detail = {
                name: table[table["run"] < used].reset_index(drop=True)
                for name, table in result.detail.items()
            }
        kpis = list(self.plan.kpi_names)
        summary = compare(result.runs, kpis, directions=kpi_directions(kpis))
        self.provenance.update(
            finished_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            runs_resumed=len(done_before),
            wall_time_seconds=round(time.perf_counter() - started, 3),
        )
        result.provenance = dict(self.provenance)
        write_results(self.folder, result, summary, self.provenance)
        return result, summary

    def save_partial(self) -> int:
        """Save every finished run (after an interruption); returns how many."""
        return self.checkpoint.save()


__all__ = ["ExperimentSession"]
