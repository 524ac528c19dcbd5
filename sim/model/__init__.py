"""The model: automation decided in bulk, then people and escalation in SimPy."""

from __future__ import annotations

from dataclasses import replace

from sim.compile import CompiledScenario
from sim.generator import AlertStream
from sim.model.automation import AutomationOutcome, decide_automation
from sim.model.noise import decide_noise
from sim.model.paging import apply_paging_rules
from sim.model.records import STATE_NAMES, RunRecords
from sim.model.trace import TraceEvent
from sim.model.world import World

__all__ = ["STATE_NAMES", "AutomationOutcome", "RunRecords", "TraceEvent", "World", "run_model"]


def run_model(
    compiled: CompiledScenario, stream: AlertStream, trace: list[TraceEvent] | None = None
) -> RunRecords:
    """Run one variant on one run's alert stream and return its event records."""
    outcome = decide_automation(compiled, stream)
    paging = apply_paging_rules(
        compiled.paging,
        outcome.page_minutes,
        stream.severity,
        stream.service,
    )
    noise = None
    if compiled.noise is not None and compiled.noise.changes_paging:
        noise = decide_noise(compiled, stream, outcome, paging)
        paging = replace(paging, page_minutes=noise.page_minutes)
    world = World(
        compiled,
        stream.service,
        outcome,
        trace=trace,
        root=stream.root,
        start_minutes=stream.time_minutes,
        severity=stream.severity,
        paging=paging,
        seed=stream.seed,
        noise=noise,
    )
    world.run()
    return world.records()
