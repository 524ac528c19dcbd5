"""The `oncall-sim` app and what every command shares: consoles, exit codes, bad-input exit, and
the command class whose help shows no type beside a flag."""

from __future__ import annotations

from pathlib import Path

import click
import typer
from rich.console import Console
from typer.core import TyperCommand, TyperGroup


def _without_flag_types(params: list[click.Parameter]) -> list[click.Parameter]:
    # typer prints `<bool>` beside a flag, which reads as if it took a value.
    for param in params:
        if getattr(param, "is_flag", False) and param.metavar is None:
            param.metavar = ""
    return params


class _Command(TyperCommand):
    """A command whose help shows no type beside a flag."""

    def get_params(self, ctx: click.Context) -> list[click.Parameter]:
        return _without_flag_types(super().get_params(ctx))


class _Group(TyperGroup):
    """A command group (the app, `import`) whose help shows no type beside a flag."""

    def get_params(self, ctx: click.Context) -> list[click.Parameter]:
        return _without_flag_types(super().get_params(ctx))


app = typer.Typer(
    name="oncall-sim",
    cls=_Group,
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


def _command():
    return app.command(cls=_Command)
