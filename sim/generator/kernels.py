"""The generator's numba kernels, each beside the plain numpy/Python reference it is tested
against (tests/test_generator.py, tests/test_cascades.py).

* :func:`invert_and_classify_kernel`: points on the integrated-rate axis to alert times (the
  inverse of the piecewise-constant cumulative rate) and severities;
* :func:`walk_cascades`: the symptoms of each root failure, a shortest-path walk over the
  propagation edges that fire (see :mod:`sim.compile.cascades` for the model).
"""

from __future__ import annotations

import heapq

import numba
import numpy as np

from sim.compile.cascades import CascadeTables, edge_delays


@numba.njit(cache=True, nogil=True)
def invert_and_classify_kernel(
    cumulative_rate, slot_minutes, severity_cumulative, points, offsets, severity_uniforms,
    out_time, out_service, out_severity,
):  # fmt: skip
    # A binary search per alert: a year has ~35,000 slots but a service only ~100 alerts, so
    # log(slots) steps per alert beat walking every slot.
    services = offsets.shape[0] - 1
    slots = cumulative_rate.shape[1] - 1
    for service in range(services):
        for row in range(offsets[service], offsets[service + 1]):
            target = points[row]
            # slot = number of interior boundaries cumulative[1 .. slots - 1] <= target
            low_index, high_index = 1, slots
            while low_index < high_index:
                middle = (low_index + high_index) // 2
                if cumulative_rate[service, middle] <= target:
                    low_index = middle + 1
                else:
                    high_index = middle
            slot = low_index - 1
            low = cumulative_rate[service, slot]
            width = cumulative_rate[service, slot + 1] - low
            fraction = (target - low) / width if width > 0 else 0.0
            out_time[row] = (slot + fraction) * slot_minutes
            out_service[row] = service
            category = 0
            while category < 3 and severity_uniforms[row] > severity_cumulative[service, category]:
                category += 1
            out_severity[row] = category


def invert_and_classify_reference(
    cumulative_rate, slot_minutes, severity_cumulative, points, offsets, severity_uniforms
):
    """Plain numpy version of the kernel, for tests and the generator benchmark."""
    slots = cumulative_rate.shape[1] - 1
    edges = np.arange(slots + 1) * slot_minutes
    times, services, severities = [], [], []
    for service in range(len(offsets) - 1):
        rows = slice(offsets[service], offsets[service + 1])
        # Right-continuous inverse: skip zero-rate slots exactly as the kernel does.
        cumulative = cumulative_rate[service]
        slot = np.searchsorted(cumulative[1:-1], points[rows], side="right")
        low = cumulative[slot]
        width = cumulative[slot + 1] - low
        with np.errstate(invalid="ignore", divide="ignore"):
            fraction = np.where(width > 0, (points[rows] - low) / width, 0.0)
        times.append(edges[slot] + fraction * slot_minutes)
        services.append(np.full(offsets[service + 1] - offsets[service], service))
        severities.append(
            np.searchsorted(severity_cumulative[service, :3], severity_uniforms[rows], side="left")
        )
    return np.concatenate(times), np.concatenate(services), np.concatenate(severities)


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


def warm_up_kernels() -> None:
    """Compile (or load from cache) the numba kernels; call before forking workers."""
    cumulative = np.array([[0.0, 1.0, 2.0]])
    invert_and_classify_kernel(
        cumulative, 15.0, np.array([[0.25, 0.5, 0.75, 1.0]]), np.array([0.5]),
        np.array([0, 1], dtype=np.int64), np.array([0.3]), np.empty(1), np.empty(1, np.int64),
        np.empty(1, np.int64),
    )  # fmt: skip
    one = np.zeros(1, np.int64)
    _walk_kernel(
        np.zeros(1), 0, np.zeros((1, 1)), np.zeros((1, 1)), np.ones(1), one, np.array([0, 1, 1]),
        one, one, 2, 1, one.copy(), one.copy(), np.zeros(1), one.copy(),
    )  # fmt: skip
