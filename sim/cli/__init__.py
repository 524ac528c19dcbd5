"""The `oncall-sim` command: thin wrappers that parse, call the library and print.

The app and what every command shares live in :mod:`sim.cli.common`; the commands in
:mod:`sim.cli.experiments` (run, sweep, sensitivity), :mod:`sim.cli.reports` (report, trace,
validate, schedule, schema), :mod:`sim.cli.importing` (import) and :mod:`sim.cli.history`
(calibrate, backtest, power). Importing them registers the commands, in that order.

Importing this package must stay cheap: numba kernels and the model load only inside commands,
so `oncall-sim --help` compiles nothing.
"""

from __future__ import annotations

import sim.cli.experiments
import sim.cli.history
import sim.cli.importing
import sim.cli.reports  # noqa: F401  (each module registers its commands on the app)
from sim.cli.common import EXIT_BAD_INPUT, app

__all__ = ["EXIT_BAD_INPUT", "app", "main"]


def main() -> None:
    """Entry point of the `oncall-sim` command."""
    app()


if __name__ == "__main__":
    main()
