"""Every random stream of a run, in one place (docs/design.md, "Randomness").

A run's numbers come from named streams keyed by (root seed, run index, stream id, ...), so adding
a stream or a service never shifts the numbers of another:

* ``STREAM_ALERTS`` (+ the service's name key): arrivals and per-alert decision uniforms;
* ``STREAM_EXTRA_ACKS``: ack uniforms of the 4th to 8th page of a chain;
* ``STREAM_LEAVE`` (+ the person's name key): who is on leave in which week;
* ``STREAM_ENDOGENOUS``: draws that exist only because of model state (fatigue mistakes);
* ``STREAM_WEEKLY_RATE`` (+ the service's name key): gamma factors of each week's rate, only
  for services with ``weekly_rate_variance`` above 0.
* ``STREAM_NOISE``: per-alert noise uniforms (transient or not, self-clear and re-fire times),
  in the order of the sorted alert stream.

Nothing else in the package creates a random generator; there is no global random state.
"""

from __future__ import annotations

import zlib

import numpy as np

STREAM_ALERTS = 1
STREAM_ENDOGENOUS = 2
STREAM_EXTRA_ACKS = 3
STREAM_LEAVE = 4
STREAM_WEEKLY_RATE = 5
STREAM_NOISE = 6

#: Largest uniform handed out: quantile functions want (0, 1), and ``1 - random()`` is in (0, 1].
UNIFORM_CEILING = 1.0 - 1e-12


def run_seed_sequence(root_seed: int, run_index: int, *stream: int) -> np.random.SeedSequence:
    """The seed sequence of one named stream of run ``run_index``."""
    return np.random.SeedSequence(root_seed, spawn_key=(run_index, *stream))


def name_stream_key(name: str) -> int:
    """A stable stream key for a named thing (a service, a person): its name's CRC-32, so the
    key does not depend on its position in the scenario."""
    return zlib.crc32(name.encode("utf-8"))


def stream_generator(root_seed: int, run_index: int, *stream: int) -> np.random.Generator:
    """The PCG64 generator of one named stream of run ``run_index``."""
    return np.random.Generator(np.random.PCG64(run_seed_sequence(root_seed, run_index, *stream)))


def open_uniforms(rng: np.random.Generator, shape: int | tuple[int, ...]) -> np.ndarray:
    """Uniforms strictly inside (0, 1): ``1 - random()`` is in (0, 1], nudged away from 1."""
    return np.minimum(1.0 - rng.random(shape), UNIFORM_CEILING)
