"""Progress as plain lines, for output that is not a terminal (a CI log, a file, a pipe).

A progress bar needs a terminal; in a log it shows nothing until the end. Here a line such as
``simulating: 48 of 200 runs done, 2 min 10 s elapsed, about 6 min 50 s left`` is written at
most every ``interval_seconds`` when a chunk of runs finishes, and also when none has finished
for that long (a timer thread), so a run that takes minutes still shows signs of life.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from sim.experiment.duration import format_duration

#: Seconds between progress lines.
PROGRESS_INTERVAL_SECONDS = 30.0


class ProgressLines:
    """Writes a progress line at most every ``interval_seconds`` (default
    :data:`PROGRESS_INTERVAL_SECONDS`); use as a context manager."""

    def __init__(
        self,
        write: Callable[[str], None],
        total_runs: int,
        interval_seconds: float | None = None,
        expected_seconds_per_run: float | None = None,
    ) -> None:
        self.write = write
        self.total = total_runs
        self.interval = PROGRESS_INTERVAL_SECONDS if interval_seconds is None else interval_seconds
        self.expected_per_run = expected_seconds_per_run
        self.done = 0
        self.started = time.monotonic()
        self.last_line = self.started
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._tick, daemon=True)

    def __enter__(self) -> ProgressLines:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def update(self, done: int, total: int) -> None:
        """Runs done so far (an ``on_progress`` callback)."""
        with self._lock:
            self.done, self.total = done, total
        self._maybe_write(time.monotonic())

    def _tick(self) -> None:
        while not self._stop.wait(max(self.interval, 0.05)):
            self._maybe_write(time.monotonic())

    def _maybe_write(self, now: float) -> None:
        with self._lock:
            if now - self.last_line < self.interval:
                return
            self.last_line = now
            text = self.line(now)
        self.write(text)

    def line(self, now: float) -> str:
        """The progress line at ``now`` (monotonic seconds)."""
        elapsed = now - self.started
        text = (
            f"simulating: {self.done} of {self.total} runs done, {format_duration(elapsed)} elapsed"
        )
        if self.done:
            left = elapsed / self.done * (self.total - self.done)
            return f"{text}, about {format_duration(left)} left"
        if self.expected_per_run is not None:
            return f"{text} (estimated {format_duration(self.expected_per_run)} per run)"
        return text
