"""Arc-flow model for pure one-dimensional packing (Valerio de Carvalho, 1999), solved as a MIP with HiGHS.

Nodes are the loads a server can reach; an arc of item size w from load u to u + w places
one item; loss arcs close a server. A server is one unit of flow from 0 to capacity, and
the LP relaxation equals the Gilmore-Gomory bound, the strongest known for bin packing.
Used only when an estate is exactly 1-D packing (see `is_one_dimensional`).
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from ortools.linear_solver import pywraplp

from planner.greedy import Assignment
from planner.problem import Problem

MAX_ARCS = 100_000  # larger graphs are left to the neighbourhood search


@contextlib.contextmanager
def _quiet_stdout() -> Iterator[None]:
    """Send the C-level standard output to /dev/null for the duration (keeps `--quiet` quiet)."""
    sys.stdout.flush()
    saved = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


@dataclass(frozen=True)
class ArcFlowResult:
    """Servers as lists of item indices, the proven lower bound, and whether optimality is proven."""

    bins: list[list[int]] | None
    bound: int
    optimal: bool


def is_one_dimensional(problem: Problem, items: list[int]) -> int | None:
    """The binding resource when the estate is pure 1-D packing, else None.

    One server model and host mode, one placement kind per item, no replica, affinity or
    anti-affinity rule, and the other resources so loose that even all items together fit.
    """
    if len(problem.capacities) != 1 or len(problem.modes) != 1 or problem.conflicts:
        return None
    if any(len(b) > 1 for b in problem.bundles) or any(len(problem.items[i].footprints) != 1 for i in items):
        return None
    room = [problem.capacities[0][k] - problem.reserve(problem.modes[0], 0)[k] for k in range(3)]
    sizes = [next(iter(problem.items[i].footprints.values())) for i in items]
    tight = [k for k in range(3) if sum(s[k] for s in sizes) > room[k]]
    if len(tight) > 1:
        return None
    return tight[0] if tight else 0


def _graph(sizes: Counter[int], capacity: int) -> list[tuple[int, int, int]]:
    """Item arcs (u, u + w, w), built largest size first so that equal bins are not repeated."""
    nodes = {0}
    arcs: set[tuple[int, int, int]] = set()
    for w in sorted(sizes, reverse=True):
        new: set[int] = set()
        for u in sorted(nodes):
            v = u
            for _ in range(sizes[w]):
                if v + w > capacity:
                    break
                arcs.add((v, v + w, w))
                v += w
                new.add(v)
            if len(arcs) > MAX_ARCS:
                return []
        nodes |= new
    return sorted(arcs)


def _model(
    arcs: list[tuple[int, int, int]], demand: Counter[int], cap: int, n: int, integer: bool
) -> tuple[pywraplp.Solver, dict[tuple[int, int, int], pywraplp.Variable]] | None:
    """The arc-flow model: HiGHS for the MIP, GLOP for the LP relaxation."""
    nodes = sorted({0, cap} | {u for u, _, _ in arcs} | {v for _, v, _ in arcs})
    with _quiet_stdout():  # HiGHS prints a banner even with output suppressed
        solver = pywraplp.Solver.CreateSolver("HIGHS" if integer else "GLOP")
    if solver is None:
        return None
    solver.SuppressOutput()
    var = solver.IntVar if integer else solver.NumVar
    flow = {a: var(0, demand[a[2]], "") for a in arcs}
    loss = {u: var(0, n, "") for u in nodes if u != cap}
    out_of: dict[int, list[object]] = {u: [] for u in nodes}
    into: dict[int, list[object]] = {u: [] for u in nodes}
    by_size: dict[int, list[object]] = {}
    for (u, v, size), x in flow.items():
        out_of[u].append(x)
        into[v].append(x)
        by_size.setdefault(size, []).append(x)
    for u, x in loss.items():
        out_of[u].append(x)
        into[cap].append(x)
    for u in nodes:
        if u not in (0, cap):
            solver.Add(solver.Sum(into[u]) == solver.Sum(out_of[u]))
    for w, count in demand.items():
        solver.Add(solver.Sum(by_size[w]) >= count)
    solver.Minimize(solver.Sum(out_of[0]))
    return solver, flow


def _paths(flow: dict[tuple[int, int, int], float], cap: int) -> list[tuple[list[int], float]]:
    """A decomposition of a (fractional) flow into paths from 0, each with its weight."""
    left = {a: v for a, v in flow.items() if v > 1e-9}
    out_of: dict[int, list[tuple[int, int, int]]] = {}
    for arc in left:
        out_of.setdefault(arc[0], []).append(arc)
    paths: list[tuple[list[int], float]] = []
    while True:
        start = [a for a in out_of.get(0, []) if left[a] > 1e-9]
        if not start:
            return paths
        u, path = 0, []
        while (step := next((a for a in out_of.get(u, []) if left[a] > 1e-9), None)) is not None:
            path.append(step)
            u = step[1]
        weight = min(left[a] for a in path)
        for a in path:
            left[a] -= weight
        paths.append(([a[2] for a in path], weight))


def _first_fit(bins: list[list[int]], items: list[int], scaled: list[int], cap: int) -> list[list[int]]:
    """Items (indices) added largest first to the first bin with room, new bins as needed."""
    loads = [sum(scaled[i] for i in b) for b in bins]
    for i in sorted(items, key=lambda i: -scaled[i]):
        k = next((k for k, load in enumerate(loads) if load + scaled[i] <= cap), None)
        if k is None:
            bins.append([])
            loads.append(0)
            k = len(bins) - 1
        bins[k].append(i)
        loads[k] += scaled[i]
    return bins


def _lp_paths(demand: Counter[int], cap: int, seconds: float) -> tuple[list[tuple[list[int], float]], float] | None:
    """The arc-flow LP's optimal flow as weighted paths (item sizes), and its value; None when the
    graph is too large or the LP is not solved in time."""
    arcs = _graph(demand, cap)
    built = _model(arcs, demand, cap, sum(demand.values()), integer=False) if arcs else None
    if built is None:
        return None
    solver, flow = built
    solver.SetTimeLimit(max(1, int(seconds * 1000)))
    if solver.Solve() != solver.OPTIMAL:
        return None
    return _paths({a: x.solution_value() for a, x in flow.items()}, cap), solver.Objective().Value()


def _take(sizes: list[int], remaining: Counter[int]) -> list[int]:
    """One server of a path's item sizes, those still unplaced (the LP may cover a size more than needed)."""
    out = []
    for w in sizes:
        if remaining[w] > 0:
            remaining[w] -= 1
            out.append(w)
    return out


def _dive(demand: Counter[int], cap: int, deadline: float) -> tuple[list[list[int]], Counter[int], int]:
    """Servers (as item sizes) fixed by diving on the arc-flow LP, the sizes left unplaced, and the bound.

    Each round solves the LP of what is left and fixes every path with a whole unit of flow, or,
    when none has, the heaviest path; the first round's value is the Gilmore-Gomory bound. On
    instances with the integer round-up property this usually ends at the bound, where rounding
    the first LP once leaves a few servers to first fit. Stops at the deadline (0: no LP solved).
    """
    remaining, bins, bound = Counter(demand), [], 0
    while +remaining and time.monotonic() < deadline:
        solved = _lp_paths(+remaining, cap, deadline - time.monotonic())
        if solved is None:
            break
        paths, value = solved
        bound = bound or math.ceil(value - 1e-6)
        whole = [(sizes, math.floor(w + 1e-9)) for sizes, w in paths if w >= 1 - 1e-9]
        for sizes, copies in whole or [(max(paths, key=lambda p: p[1])[0], 1)]:
            for _ in range(copies):
                if taken := _take(sizes, remaining):
                    bins.append(taken)
    return bins, +remaining, bound


def _indexed(bins: list[list[int]], left: Counter[int], scaled: list[int], cap: int) -> list[list[int]]:
    """Servers of item indices from servers of sizes; the sizes left go in by first fit."""
    pending: dict[int, list[int]] = {}
    for index, w in enumerate(scaled):
        pending.setdefault(w, []).append(index)
    out = [[pending[w].pop() for w in b] for b in bins]
    return _first_fit(out, [i for w in left for i in pending[w][: left[w]]], scaled, cap)


def solve_arcflow(sizes: list[int], capacity: int, time_limit_s: float, workers: int = 2) -> ArcFlowResult:
    """Minimum number of servers of `capacity` for items of `sizes` (indices kept), via arc-flow:
    diving on the LP first (the bound and usually a plan at it), then the MIP for what is left of the time."""
    began = time.monotonic()
    g = math.gcd(capacity, *sizes) if sizes else 1
    cap = capacity // g
    scaled = [s // g for s in sizes]
    demand = Counter(scaled)
    dived, left, lp_bound = _dive(demand, cap, began + 0.85 * time_limit_s)
    if not lp_bound:
        return ArcFlowResult(None, 0, False)
    best = _indexed(dived, left, scaled, cap)
    if len(best) <= lp_bound:
        return ArcFlowResult(best, lp_bound, True)
    arcs = _graph(demand, cap)
    built = _model(arcs, demand, cap, len(sizes), integer=True)
    left_s = time_limit_s - (time.monotonic() - began)  # building the models counts against the budget
    if built is None or left_s < 0.5:
        return ArcFlowResult(best, lp_bound, False)
    solver, flow = built
    solver.SetTimeLimit(int(left_s * 1000))
    solver.SetSolverSpecificParametersAsString(f"time_limit = {left_s:.2f}\n")
    with _quiet_stdout():
        status = solver.Solve()
    if status not in (solver.OPTIMAL, solver.FEASIBLE):
        return ArcFlowResult(best, lp_bound, False)
    bound = max(lp_bound, math.ceil(solver.Objective().BestBound() - 1e-6))
    values = {a: round(v.solution_value()) for a, v in flow.items()}
    found = _decode(values, scaled, cap)
    if len(found) < len(best):
        best = found
    return ArcFlowResult(best, bound, status == solver.OPTIMAL or len(best) <= bound)


def _decode(flow: dict[tuple[int, int, int], int], scaled: list[int], cap: int) -> list[list[int]]:
    """One path per unit of flow out of 0, handing out item indices by size (surplus arcs stay empty).

    The graph is acyclic and the flow conserved, so following any arc with flow left always
    reaches the end; where no item arc has flow left, the unit leaves by the loss arc.
    """
    left = dict(flow)
    out_of: dict[int, list[tuple[int, int, int]]] = {}
    for arc in left:
        out_of.setdefault(arc[0], []).append(arc)
    pending: dict[int, list[int]] = {}
    for index, w in enumerate(scaled):
        pending.setdefault(w, []).append(index)
    bins: list[list[int]] = []
    for _ in range(sum(v for (u, _, _), v in flow.items() if u == 0)):
        u, path = 0, []
        while (step := next((a for a in out_of.get(u, []) if left[a] > 0), None)) is not None:
            left[step] -= 1
            path.append(step[2])
            u = step[1]
        bins.append([pending[w].pop() for w in path if pending.get(w)])
    return [b for b in bins if b]


def arcflow_assignment(problem: Problem, items: list[int], dim: int, time_limit_s: float) -> tuple[Assignment | None, int, bool]:
    """An optimal (or best found) plan of a 1-D estate, its bound in servers, and whether it is proven."""
    began = time.monotonic()
    mode = problem.modes[0]
    capacity = problem.capacities[0][dim] - problem.reserve(mode, 0)[dim]
    kinds = [next(iter(problem.items[i].footprints)) for i in items]
    sizes = [problem.items[i].footprints[k][dim] for i, k in zip(items, kinds, strict=True)]
    result = solve_arcflow(sizes, capacity, max(0.5, time_limit_s - (time.monotonic() - began)))
    if result.bins is None or sum(len(b) for b in result.bins) != len(items):
        return None, result.bound, False
    placed = {items[j]: (s, kinds[j]) for s, members in enumerate(result.bins) for j in members}
    return Assignment([(0, mode)] * len(result.bins), placed), result.bound, result.optimal
