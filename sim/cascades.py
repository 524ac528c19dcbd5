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

import heapq
from dataclasses import dataclass

import numba
import numpy as np

from sim.distributions import Fixed
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


@numba.njit(cache=True, nogil=True)
def _walk_kernel(
    root_time, root_service, activation, delay, edge_probability, edge_target, out_start,
    out_edge, local_edge, services, max_depth, out_root, out_service, out_time, out_depth,
):  # fmt: skip
    # Dijkstra per root over at most a few dozen services: a linear scan for the next service
    # beats a heap at this size and keeps the kernel allocation-free.
    count = 0
    time = np.empty(services)
    depth = np.empty(services, dtype=np.int64)
    done = np.empty(services, dtype=np.bool_)
    for root in range(root_time.shape[0]):
        time[:] = np.inf
        done[:] = False
        time[root_service] = root_time[root]
        depth[root_service] = 0
        while True:
            current = -1
            best = np.inf
            for service in range(services):
                if not done[service] and time[service] < best:
                    best = time[service]
                    current = service
            if current < 0:
                break
            done[current] = True
            if current != root_service:
                out_root[count] = root
                out_service[count] = current
                out_time[count] = time[current]
                out_depth[count] = depth[current]
                count += 1
            if depth[current] >= max_depth:
                continue
            for position in range(out_start[current], out_start[current + 1]):
                edge = out_edge[position]
                column = local_edge[edge]
                if activation[root, column] >= edge_probability[edge]:
                    continue
                neighbour = edge_target[edge]
                arrival = time[current] + delay[root, column]
                if arrival < time[neighbour]:
                    time[neighbour] = arrival
                    depth[neighbour] = depth[current] + 1
    return count


def _walk_reference(
    root_time, root_service, activation, delay, edge_probability, edge_target, out_start,
    out_edge, local_edge, services, max_depth,
):  # fmt: skip
    """Plain-Python Dijkstra with a heap: the reference the kernel is tested against."""
    symptoms = []
    for root in range(len(root_time)):
        best = {root_service: (root_time[root], 0)}
        heap = [(root_time[root], root_service)]
        done = set()
        while heap:
            time, service = heapq.heappop(heap)
            if service in done or time > best[service][0]:
                continue
            done.add(service)
            hops = best[service][1]
            if service != root_service:
                symptoms.append((root, service, time, hops))
            if hops >= max_depth:
                continue
            for edge in out_edge[out_start[service] : out_start[service + 1]]:
                column = local_edge[edge]
                if activation[root, column] >= edge_probability[edge]:
                    continue
                neighbour = int(edge_target[edge])
                arrival = time + delay[root, column]
                if arrival < best.get(neighbour, (np.inf, 0))[0]:
                    best[neighbour] = (arrival, hops + 1)
                    heapq.heappush(heap, (arrival, neighbour))
    symptoms.sort(key=lambda row: (row[0], row[2], row[1]))
    return symptoms


def walk_cascades(
    tables: CascadeTables,
    root_service: int,
    root_time: np.ndarray,
    activation: np.ndarray,
    delay_quantiles: np.ndarray,
    *,
    use_kernel: bool = True,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Symptoms of the roots of one service: (root row, service, time, depth) arrays."""
    delay = edge_delays(tables, root_service, delay_quantiles)
    services = tables.local_service.shape[0]
    arguments = (
        root_time, root_service, activation, delay, tables.edge_probability, tables.edge_target,
        tables.out_start, tables.out_edge, tables.local_edge[root_service], services,
        tables.max_depth,
    )  # fmt: skip
    if not use_kernel:
        rows = _walk_reference(*arguments)
        if not rows:
            return (np.zeros(0, np.int64),) * 2 + (np.zeros(0), np.zeros(0, np.int64))
        root, service, time, depth = zip(*rows, strict=True)
        return (
            np.array(root, np.int64),
            np.array(service, np.int64),
            np.array(time),
            np.array(depth, np.int64),
        )
    capacity = len(root_time) * len(tables.reach_services[root_service])
    out_root = np.empty(capacity, np.int64)
    out_service = np.empty(capacity, np.int64)
    out_time = np.empty(capacity)
    out_depth = np.empty(capacity, np.int64)
    count = _walk_kernel(*arguments, out_root, out_service, out_time, out_depth)
    return out_root[:count], out_service[:count], out_time[:count], out_depth[:count]


def warm_up_cascade_kernel() -> None:
    """Compile (or load from cache) the cascade kernel; called before forking workers."""
    one = np.zeros(1, np.int64)
    _walk_kernel(
        np.zeros(1), 0, np.zeros((1, 1)), np.zeros((1, 1)), np.ones(1), one, np.array([0, 1, 1]),
        one, one, 2, 1, one.copy(), one.copy(), np.zeros(1), one.copy(),
    )  # fmt: skip
