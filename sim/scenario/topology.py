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

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from sim.distributions import DurationSpec, Exponential

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
