"""What the full model may buy: the bundles that can be placed at all, and the servers per model an optimal plan needs."""

from __future__ import annotations

from planner.solver.assemble import diagnose_unplaced
from planner.solver.greedy import Assignment, fits_empty_server
from planner.solver.problem import Problem


def placeable(problem: Problem) -> tuple[list[int], dict[int, str]]:
    """Bundles that can be placed at all, and the reason for each that cannot."""
    active, reasons = [], {}
    for b, bundle in enumerate(problem.bundles):
        if b in problem.self_conflicting or not fits_empty_server(problem, bundle):
            reasons[b] = diagnose_unplaced(problem, b, 0)
        else:
            active.append(b)
    return active, reasons


def server_pools(problem: Problem, start: Assignment, single: list[int], hard: bool) -> list[int]:
    """Servers per model the model may buy: enough for an optimal plan, and no more."""
    pools = []
    for m, limit_m in enumerate(problem.max_counts):
        cap = single[m] if limit_m is None else min(limit_m, single[m])
        if hard and problem.costs[m] > 0:  # an optimal plan costs no more than the start
            cap = min(cap, start.cost(problem) // problem.costs[m])
        pools.append(max(start.count(m), cap))
    return pools


def model_size(pools: list[int], active: list[int]) -> int:
    """Number of assign[b,s] variables the full model would have (after symmetry breaking)."""
    return sum(min(p, b + 1) for b in active for p in pools)
