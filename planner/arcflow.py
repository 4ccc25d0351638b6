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
    room = [problem.capacities[0][k] - problem.reserves[problem.modes[0]][k] for k in range(3)]
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


def solve_arcflow(sizes: list[int], capacity: int, time_limit_s: float, workers: int = 2) -> ArcFlowResult:
    """Minimum number of servers of `capacity` for items of `sizes` (indices kept), via arc-flow."""
    began = time.monotonic()
    g = math.gcd(capacity, *sizes) if sizes else 1
    cap = capacity // g
    scaled = [s // g for s in sizes]
    demand = Counter(scaled)
    arcs = _graph(demand, cap)
    if not arcs:
        return ArcFlowResult(None, 0, False)
    nodes = sorted({0, cap} | {u for u, _, _ in arcs} | {v for _, v, _ in arcs})
    with _quiet_stdout():  # HiGHS prints a banner even with output suppressed
        solver = pywraplp.Solver.CreateSolver("HIGHS") or pywraplp.Solver.CreateSolver("SCIP")
    if solver is None:
        return ArcFlowResult(None, 0, False)
    solver.SuppressOutput()
    flow = {a: solver.IntVar(0, demand[a[2]], "") for a in arcs}
    loss = {u: solver.IntVar(0, len(sizes), "") for u in nodes if u != cap}
    out_of: dict[int, list[object]] = {u: [] for u in nodes}
    into: dict[int, list[object]] = {u: [] for u in nodes}
    by_size: dict[int, list[object]] = {}
    for (u, v, size), var in flow.items():
        out_of[u].append(var)
        into[v].append(var)
        by_size.setdefault(size, []).append(var)
    for u, var in loss.items():
        out_of[u].append(var)
        into[cap].append(var)
    for u in nodes:
        if u not in (0, cap):
            solver.Add(solver.Sum(into[u]) == solver.Sum(out_of[u]))
    for w, count in demand.items():
        solver.Add(solver.Sum(by_size[w]) >= count)
    solver.Minimize(solver.Sum(out_of[0]))
    left = time_limit_s - (time.monotonic() - began)  # building the model counts against the budget
    if left < 0.5:
        return ArcFlowResult(None, 0, False)
    solver.SetTimeLimit(int(left * 1000))
    solver.SetSolverSpecificParametersAsString(f"time_limit = {left:.2f}\n")
    with _quiet_stdout():
        status = solver.Solve()
    if status not in (solver.OPTIMAL, solver.FEASIBLE):
        return ArcFlowResult(None, 0, False)
    bound = math.ceil(solver.Objective().BestBound() - 1e-6)
    values = {a: round(v.solution_value()) for a, v in flow.items()}
    return ArcFlowResult(_decode(values, scaled, cap), bound, status == solver.OPTIMAL)


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
    capacity = problem.capacities[0][dim] - problem.reserves[mode][dim]
    kinds = [next(iter(problem.items[i].footprints)) for i in items]
    sizes = [problem.items[i].footprints[k][dim] for i, k in zip(items, kinds, strict=True)]
    result = solve_arcflow(sizes, capacity, max(0.5, time_limit_s - (time.monotonic() - began)))
    if result.bins is None or sum(len(b) for b in result.bins) != len(items):
        return None, result.bound, False
    placed = {items[j]: (s, kinds[j]) for s, members in enumerate(result.bins) for j in members}
    return Assignment([(0, mode)] * len(result.bins), placed), result.bound, result.optimal
