"""The `oncall-sim` app and what every command shares: consoles, exit codes, bad-input exit."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

app = typer.Typer(
    name="oncall-sim",
    help=(
        "Simulate on-call operations and estimate, with confidence intervals from paired runs, "
        "what a change does to the people who carry the pager."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
errors = Console(stderr=True)

EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130
EXIT_CLUSTER_LOST = 3


def _fail(message: str) -> typer.Exit:
    # soft_wrap: keep long paths whole when stderr is not a terminal (rich would cut at 80).
    errors.print(message, style="red", markup=False, highlight=False, soft_wrap=True)
    return typer.Exit(EXIT_BAD_INPUT)


def _load(path: Path):
    from sim.scenario import ScenarioError, load_scenario

    try:
        return load_scenario(path)
    except ScenarioError as error:
        raise _fail(str(error)) from None
