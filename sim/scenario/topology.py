"""Service dependencies and how failures cascade along them.

A service lists what it depends on. Each dependency edge carries two propagation paths:

* **downstream**: the dependency fails and its dependents alert (a database stall lights up
  every service above it), with ``downstream_probability``;
* **upstream**: the dependent misbehaves and its platform alerts (an app's retry storm trips
  load-balancer and host alerts), with ``upstream_probability``.

A symptom alert propagates further in the same way, up to ``cascades.max_depth`` hops from the
root failure. Probabilities and delays default to the scenario's ``cascades`` block.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from sim.scenario.distributions import DurationSpec, Exponential, Lognormal

Probability = Annotated[float, Field(ge=0, le=1)]
ServiceName = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_\-]*$", max_length=64)]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class Dependency(_Frozen):
    """One dependency of a service; a bare service name uses the ``cascades`` defaults."""

    service: ServiceName
    """The service depended on."""
    downstream_probability: Probability | None = None
    """Probability that a failure of the dependency raises an alert at the dependent."""
    upstream_probability: Probability | None = None
    """Probability that a failure of the dependent raises an alert at the dependency."""
    delay_minutes: DurationSpec | None = None
    """Time from the alert on one side to the symptom on the other."""


def _name_is_dependency(value: Any) -> Any:
    return {"service": value} if isinstance(value, str) else value


DependencyEntry = Annotated[Dependency, BeforeValidator(_name_is_dependency)]


class Cascades(_Frozen):
    """Defaults for dependency edges, and how deep a cascade may go."""

    downstream_probability: Probability = 0.0
    """Default probability that a dependency's failure alerts each dependent."""
    upstream_probability: Probability = 0.0
    """Default probability that a dependent's failure alerts each dependency."""
    delay_minutes: DurationSpec = Exponential(mean_minutes=3.0)
    """Default time from an alert to the symptom it causes on a neighbour."""
    max_depth: int = Field(5, ge=1, le=10)
    """Most hops a cascade walks from its root failure."""


def dependency_cycle(depends_on: dict[str, list[str]]) -> list[str] | None:
    """A cycle of the dependency graph as a list of names (first repeated last), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(name: str) -> list[str] | None:
        state[name] = 1
        path.append(name)
        for dependency in depends_on.get(name, []):
            if state.get(dependency) == 1:
                return [*path[path.index(dependency) :], dependency]
            if dependency not in state and (cycle := visit(dependency)):
                return cycle
        path.pop()
        state[name] = 2
        return None

    for name in depends_on:
        if name not in state and (cycle := visit(name)):
            return cycle
    return None


class Grouping(_Frozen):
    """Alertmanager-style grouping of the alerts of one root failure into one incident."""

    enabled: bool = False
    group_wait_minutes: float = Field(0.5, ge=0, le=60)
    """Wait after a group's first alert before paging, to collect the rest of the group."""
    group_interval_minutes: float = Field(5.0, ge=0, le=1440)
    """Alerts of the same root joining later than this after the first page start a new
    incident (and page again); earlier ones join the open incident without a page."""


class Correlation(_Frozen):
    """How alerts are combined into incidents before anyone is paged."""

    grouping: Grouping = Grouping()
    inhibition: bool = False
    """Topology-aware inhibition: an alert does not page while a service it depends on has an
    open incident (it is counted as suppressed)."""


class Routing(_Frozen):
    """Which team an incident is paged to."""

    policy: Literal["symptom-owner", "root-owner"] = "symptom-owner"
    """symptom-owner: the team owning the alerting service (how most organisations work);
    root-owner: correlation identifies the root failure and pages its owner."""
    root_identification_accuracy: Probability = 1.0
    """With root-owner routing, probability that the root is identified; otherwise the
    symptom's owner is paged."""
    triage_minutes: DurationSpec = Lognormal(median=20.0, sigma=0.8)
    """Time a responder who does not own the root cause spends before handing over (a
    reassignment or a consult). Published data: reassignment can multiply triage up to 10x."""
    consult_severities: list[Literal["P1", "P2", "P3", "P4"]] = Field(
        default_factory=lambda: ["P1"]
    )
    """Severities of the major incidents for which a service's Consulted teams are pulled in
    (their on-call gets a consult page once the incident is acknowledged)."""


class SharedRotation(_Frozen):
    """A rotation shared by several teams that takes every page outside business hours (or
    always). Its first responder fixes what is in their own team's domain, or what a runbook
    covers (``fix_probability``), and otherwise consults the owning team's on-call."""

    teams: list[ServiceName] = Field(min_length=1)
    """Teams whose engineers take turns, in order (one engineer of each team in turn)."""
    covers: Literal["off-hours", "always"] = "off-hours"
    """off-hours: outside business hours (Mon-Fri 08-18, not holidays) of the horizon zone."""
    handoff_day: Literal["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"] = "Mon"
    handoff_time: str = Field("09:00", pattern=r"^([01]\d|2[0-3]):[0-5]\d$")
    """Weekly handoff, local time of the horizon zone."""
    fix_probability: Probability = 0.5
    """Probability that a responder outside the owning domain can fix it with a runbook."""
