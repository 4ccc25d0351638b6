"""Pure one-dimensional packing: the Gilmore-Gomory bound and a plan at it, for estates where only
one resource binds (one server model and host mode, no placement rules).

The steps share one budget: first fit decreasing; a short consistent neighbourhood search
(`planner/cns.py`, fast on instances with few items per server); the column-generation bound
(`planner/cutstock.py`); diving on that LP at the bound, then one above, with growing
discrepancy; and the local search again for what is left. Sizes are divided by their common
divisor first, which shrinks the knapsack tables.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from planner.solver.bounds import l2_bound
from planner.solver.budget import Budget
from planner.solver.greedy import Assignment
from planner.solver.packing.cns import Bins, improve_packing
from planner.solver.packing.cutstock import first_fit_decreasing, gilmore_gomory, plan_at, to_bins
from planner.solver.problem import Problem

MAX_DISCREPANCIES = 3


@dataclass(frozen=True)
class Packing:
    """Servers as lists of item indices, the proven lower bound in servers, and whether it is met."""

    bins: Bins
    bound: int

    @property
    def optimal(self) -> bool:
        return len(self.bins) <= self.bound


def pack(sizes: list[int], capacity: int, budget: Budget, seed: int = 0) -> Packing:
    """The fewest servers of `capacity` found for items of `sizes`, with the best bound proven."""
    if not sizes:
        return Packing([], 0)
    g = math.gcd(capacity, *sizes)
    cap, scaled = capacity // g, [s // g for s in sizes]
    best = first_fit_decreasing(scaled, cap)
    lower = l2_bound(scaled, cap)
    if len(best) > lower:
        best = improve_packing(scaled, cap, best, lower, budget.part(0.1), seed)
    master = None
    if len(best) > lower:
        found = gilmore_gomory(scaled, cap, budget.part(0.5))
        if found is not None:
            lower, master = max(lower, found[0]), found[1]
    if master is not None and len(best) > lower:
        diving = budget.part(0.7)
        # Two branching rules, each with growing discrepancy: the largest item's server (best on Hard28),
        # then, with what time that leaves, the pattern closest to whole (where the first rule's
        # branches are all cut at once because no server of the largest item fits the LP slack).
        for by_largest in (True, False):
            for discrepancies in range(MAX_DISCREPANCIES + 1):
                for target in (lower, lower + 1):
                    if target < len(best) and diving.left() > 0:
                        patterns = plan_at(master, target, discrepancies, diving, by_largest)
                        if patterns is not None:
                            best = to_bins(patterns, master.sizes, scaled)
    if len(best) > lower:
        best = improve_packing(scaled, cap, best, lower, budget, seed + 1)
    return Packing(best, lower)


def is_plain_packing(problem: Problem, items: list[int]) -> bool:
    """One server model and host mode, one placement kind per item, no replica, affinity or
    anti-affinity rule: vector packing and nothing else."""
    if len(problem.capacities) != 1 or len(problem.modes) != 1 or problem.conflicts:
        return False
    return all(len(b) == 1 for b in problem.bundles) and all(len(problem.items[i].footprints) == 1 for i in items)


def server_room(problem: Problem) -> list[int]:
    """What one server of a plain-packing estate offers its items, per resource (capacity less the host's reserve)."""
    return [problem.capacities[0][k] - problem.reserve(problem.modes[0], 0)[k] for k in range(3)]


def plain_sizes(problem: Problem, start: Assignment) -> tuple[list[int], list[str], list[tuple[int, ...]], tuple[int, ...]]:
    """A plain-packing plan's items, their placement kinds, and their sizes and the server's room in
    the resources that bind (those a server has room in)."""
    room = server_room(problem)
    dims = [k for k in range(3) if room[k] > 0]
    items = sorted(start.placed)
    kinds = [start.placed[i][1] for i in items]
    sizes = [tuple(problem.items[i].footprints[kind][k] for k in dims) for i, kind in zip(items, kinds, strict=True)]
    return items, kinds, sizes, tuple(room[k] for k in dims)


def to_assignment(problem: Problem, items: list[int], kinds: list[str], bins: Bins) -> Assignment:
    """A plain-packing plan from servers of positions in `items` (placed as `kinds`)."""
    placed = {items[j]: (s, kinds[j]) for s, members in enumerate(bins) for j in members}
    return Assignment([(0, problem.modes[0])] * len(bins), placed)


def is_one_dimensional(problem: Problem, items: list[int]) -> int | None:
    """The binding resource when the estate is plain packing and the other resources are so loose
    that even all items together fit, else None."""
    if not is_plain_packing(problem, items):
        return None
    room = server_room(problem)
    sizes = [next(iter(problem.items[i].footprints.values())) for i in items]
    tight = [k for k in range(3) if sum(s[k] for s in sizes) > room[k]]
    if len(tight) > 1:
        return None
    return tight[0] if tight else 0


def one_d_assignment(problem: Problem, items: list[int], dim: int, budget: Budget, seed: int = 0) -> tuple[Assignment, int]:
    """The best plan found for a 1-D estate and its bound in servers."""
    capacity = server_room(problem)[dim]
    kinds = [next(iter(problem.items[i].footprints)) for i in items]
    sizes = [problem.items[i].footprints[k][dim] for i, k in zip(items, kinds, strict=True)]
    result = pack(sizes, capacity, budget, seed)
    return to_assignment(problem, items, kinds, result.bins), result.bound
