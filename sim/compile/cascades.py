"""Cascading failures: a root failure at one service raises symptom alerts at others.

Each ``depends_on`` pair (X depends on Y) gives two propagation edges: Y -> X (downstream, the
dependents of a failed dependency alert) and X -> Y (upstream, the platform of a misbehaving
service alerts). From a root alert the cascade walks these edges: an edge fires when its
pre-drawn uniform is below its probability, and the symptom appears after its pre-drawn delay.
A service alerts at most once per root failure, at the earliest time any path reaches it, with
the depth (hops) of that path, up to ``cascades.max_depth``.

Common random numbers: every root draws one activation uniform and one delay quantile for every
edge reachable from its service, and one row of decision uniforms for every reachable service,
whether or not the edge fires. A variant with a higher probability fires a superset of the same
edges, so its cascades contain the baseline's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.scenario.distributions import Fixed
from sim.scenario.models import Scenario


@dataclass(frozen=True)
class CascadeTables:
    """The propagation graph, compiled once per variant."""

    edge_source: np.ndarray
    edge_target: np.ndarray
    edge_probability: np.ndarray
    edge_delay: tuple
    """Duration spec of each edge's delay."""
    out_start: np.ndarray
    """(services + 1,) CSR offsets into ``out_edge``: the edges leaving each service."""
    out_edge: np.ndarray
    reach_edges: tuple[np.ndarray, ...]
    """Per root service: the edges a cascade from it may walk (stable order)."""
    reach_services: tuple[np.ndarray, ...]
    """Per root service: the other services a cascade from it may reach (stable order)."""
    local_edge: np.ndarray
    """(services, edges): position of an edge in ``reach_edges[root]``, -1 if unreachable."""
    local_service: np.ndarray
    """(services, services): position of a service in ``reach_services[root]``, -1 if not."""
    max_depth: int

    @property
    def enabled(self) -> bool:
        return bool(np.any(self.edge_probability > 0))

    def same_as(self, other: CascadeTables) -> bool:
        return (
            np.array_equal(self.edge_source, other.edge_source)
            and np.array_equal(self.edge_target, other.edge_target)
            and np.array_equal(self.edge_probability, other.edge_probability)
            and self.edge_delay == other.edge_delay
            and self.max_depth == other.max_depth
        )

    def block_width(self, service: int, decision_columns: int) -> int:
        """Uniforms one root of ``service`` draws for its cascade."""
        return 2 * len(self.reach_edges[service]) + decision_columns * len(
            self.reach_services[service]
        )


def compile_cascades(scenario: Scenario) -> CascadeTables:
    """Propagation edges of the scenario's dependencies, with each root service's reach."""
    names = [service.name for service in scenario.services]
    defaults = scenario.cascades
    sources, targets, probabilities, delays = [], [], [], []
    for dependent, service in enumerate(scenario.services):
        for dependency in service.depends_on:
            provider = names.index(dependency.service)
            delay = dependency.delay_minutes or defaults.delay_minutes
            for source, target, probability in (
                (provider, dependent, dependency.downstream_probability),
                (dependent, provider, dependency.upstream_probability),
            ):
                sources.append(source)
                targets.append(target)
                probabilities.append(
                    probability
                    if probability is not None
                    else (
                        defaults.downstream_probability
                        if source == provider
                        else defaults.upstream_probability
                    )
                )
                delays.append(delay)
    services = len(names)
    source = np.array(sources, dtype=np.int64)
    order = np.argsort(source, kind="stable")
    out_start = np.searchsorted(source[order], np.arange(services + 1)).astype(np.int64)
    target = np.array(targets, dtype=np.int64)

    reach_edges, reach_services = [], []
    local_edge = np.full((services, len(sources)), -1, dtype=np.int64)
    local_service = np.full((services, services), -1, dtype=np.int64)
    for root in range(services):
        edges, reached = _reach(root, out_start, order, target, defaults.max_depth)
        reach_edges.append(np.array(edges, dtype=np.int64))
        reach_services.append(np.array(reached, dtype=np.int64))
        local_edge[root, edges] = np.arange(len(edges))
        local_service[root, reached] = np.arange(len(reached))
    return CascadeTables(
        edge_source=source,
        edge_target=target,
        edge_probability=np.array(probabilities, dtype=np.float64),
        edge_delay=tuple(delays),
        out_start=out_start,
        out_edge=order.astype(np.int64),
        reach_edges=tuple(reach_edges),
        reach_services=tuple(reach_services),
        local_edge=local_edge,
        local_service=local_service,
        max_depth=defaults.max_depth,
    )


def _reach(root, out_start, out_edge, target, max_depth) -> tuple[list[int], list[int]]:
    """Edges leaving services within max_depth - 1 hops of the root, and services they reach."""
    depth = {root: 0}
    frontier = [root]
    edges: list[int] = []
    reached: list[int] = []
    while frontier:
        next_frontier = []
        for service in frontier:
            if depth[service] >= max_depth:
                continue
            for edge in out_edge[out_start[service] : out_start[service + 1]].tolist():
                edges.append(edge)
                neighbour = int(target[edge])
                if neighbour not in depth:
                    depth[neighbour] = depth[service] + 1
                    reached.append(neighbour)
                    next_frontier.append(neighbour)
        frontier = next_frontier
    return edges, reached


def edge_delays(tables: CascadeTables, root_service: int, quantiles: np.ndarray) -> np.ndarray:
    """Delay of each reachable edge for each root, from its pre-drawn quantiles."""
    delays = np.empty_like(quantiles)
    for column, edge in enumerate(tables.reach_edges[root_service].tolist()):
        spec = tables.edge_delay[edge]
        delays[:, column] = (
            spec.value if isinstance(spec, Fixed) else spec.quantile(quantiles[:, column])
        )
    return delays
