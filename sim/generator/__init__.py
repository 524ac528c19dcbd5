"""The incident generator: seed of run i -> AlertStream, every exogenous draw of the run.

* :mod:`sim.generator.streams`: every stream id and the name-keyed stream helper;
* :mod:`sim.generator.alerts`: the AlertStream and how it is drawn;
* :mod:`sim.generator.kernels`: numba kernels beside their numpy references.
"""

from sim.generator.alerts import (
    ACK_COLUMNS,
    DECISION_COLUMNS,
    EXTRA_ACK_PAGES,
    HANDOVER_ACK_COLUMNS,
    NOISE_COLUMNS,
    AlertStream,
    generate_alert_stream,
)
from sim.generator.kernels import warm_up_kernels

__all__ = [
    "ACK_COLUMNS",
    "DECISION_COLUMNS",
    "EXTRA_ACK_PAGES",
    "HANDOVER_ACK_COLUMNS",
    "NOISE_COLUMNS",
    "AlertStream",
    "generate_alert_stream",
    "warm_up_kernels",
]
