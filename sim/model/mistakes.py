"""Incidents caused by tired people's mistakes: endogenous alerts appended during a run."""

from __future__ import annotations

import numpy as np

from sim.compile import CompiledScenario
from sim.generator import ACK_COLUMNS, DECISION_COLUMNS, HANDOVER_ACK_COLUMNS
from sim.generator.alerts import EXTRA_ACK_PAGES
from sim.generator.streams import STREAM_ENDOGENOUS, open_uniforms, stream_generator
from sim.model.alert_table import AlertTable
from sim.model.people import PeopleState

#: The draws of one caused incident, in the order taken from the run's endogenous stream: its
#: ack delays (the generator's ack columns, then its extra ack pages), its handover ack delays,
#: its work time and its own mistake uniform; three more are drawn and unused (so the numbers
#: of every later caused incident stay where they were).
CAUSED_DRAWS = (
    *DECISION_COLUMNS[ACK_COLUMNS],
    *(f"extra_ack_{page}" for page in range(EXTRA_ACK_PAGES)),
    *DECISION_COLUMNS[HANDOVER_ACK_COLUMNS],
    "work_time",
    "mistake",
    "unused_1",
    "unused_2",
    "unused_3",
)


def _span(first: str, last: str) -> slice:
    return slice(CAUSED_DRAWS.index(first), CAUSED_DRAWS.index(last) + 1)


_ACKS = _span(DECISION_COLUMNS[ACK_COLUMNS][0], f"extra_ack_{EXTRA_ACK_PAGES - 1}")
_HANDOVER_ACKS = _span(*DECISION_COLUMNS[HANDOVER_ACK_COLUMNS][::2])
_WORK = _span("work_time", "work_time")
_MISTAKE = CAUSED_DRAWS.index("mistake")


class Mistakes:
    """Whether a fix by a tired person causes a new incident (compared with a uniform of the
    run's endogenous stream), and the new incident's draws, from the same stream."""

    def __init__(
        self,
        compiled: CompiledScenario,
        people: PeopleState,
        seed: tuple[int, int],
    ) -> None:
        self.compiled = compiled
        self.people = people
        self.rng = stream_generator(seed[0], seed[1], STREAM_ENDOGENOUS)

    def exogenous_uniforms(self, alerts: int) -> list[float]:
        """The mistake uniform of each exogenous alert (the stream's first draws)."""
        return self.rng.random(alerts).tolist()

    def caused_incident(
        self, table: AlertTable, alert: int, worker: int, now: float
    ) -> tuple[int, float] | None:
        """The incident a tired fix of ``alert`` by ``worker`` at ``now`` causes, as (its alert
        index, delay in minutes) after appending it to ``table``; None if it causes none."""
        if table.mistake_uniform[alert] >= self.people.mistake_probability(worker, now):
            return None
        rng = self.rng
        scenario = self.compiled.scenario
        delay = float(
            scenario.people.fatigue.mistake_delay_minutes.quantile(np.array([rng.random()]))[0]
        )
        if now + delay >= self.compiled.horizon_minutes:
            return None  # like every arrival, mistakes stop at the end of the horizon
        draws = open_uniforms(rng, len(CAUSED_DRAWS))
        response = scenario.response
        service, severity = table.service[alert], table.severity[alert]
        team = int(self.compiled.service_team[service])
        factor = float(self.compiled.severity_work_factor[severity])
        new = len(table)
        table.append(
            alert,
            start_minutes=now + delay,
            root=new,
            caused_by=alert,
            routed_team=team,
            owner_team=team,
            routed_policy=int(self.compiled.service_policy[service]),
            owner_policy=int(self.compiled.service_policy[service]),
            ack_delay=response.ack_delay_minutes.quantile(draws[_ACKS]).tolist(),
            handover_ack_delay=response.ack_delay_minutes.quantile(draws[_HANDOVER_ACKS]).tolist(),
            triage=0.0,
            runbook_fix=False,
            work=float(response.work_time_minutes.quantile(draws[_WORK])[0]) * factor,
            notify_only=False,
            mistake_uniform=float(draws[_MISTAKE]),
        )
        return new, delay
