"""Lower bounds on plan cost that hold for every feasible plan, computed apart from the search.

The volume bound: servers bought must offer, per resource, room for every replica's
smallest footprint after their smallest host reserve; and at least as many servers as
the largest set of replicas that pairwise cannot share one (anti-affinity, replica
spread, or more than half a server each in one resource). The cheapest such purchase
is a tiny integer covering problem, solved exactly with CP-SAT.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right

from ortools.sat.python import cp_model

from planner.solver.problem import Problem, min_footprint


def l2_bound(sizes: list[int], capacity: int) -> int:
    """Martello-Toth L2: bins of `capacity` needed for `sizes` (valid for each dimension of a vector packing).

    For each threshold a <= C/2: items over C - a each need a bin; items in (C/2, C - a]
    each need one too, and items in [a, C/2] can only use what those leave free.
    """
    if not sizes or capacity <= 0:
        return 0
    w = sorted(sizes)
    prefix = [0]
    for x in w:
        prefix.append(prefix[-1] + x)
    n, half = len(w), capacity / 2

    def count_sum(lo: float, hi: float, lo_open: bool) -> tuple[int, int]:
        i = bisect_right(w, lo) if lo_open else bisect_left(w, lo)
        j = bisect_right(w, hi)
        return j - i, prefix[j] - prefix[i]

    best = -(-prefix[n] // capacity)
    for a in sorted({x for x in w if x <= half} | {0}):
        n1 = n - bisect_right(w, capacity - a)
        n2, s2 = count_sum(half, capacity - a, lo_open=True)
        _, s3 = count_sum(a, half, lo_open=False)
        spare = n2 * capacity - s2
        best = max(best, n1 + n2 + max(0, -(-(s3 - spare) // capacity)))
    return best


def min_servers(problem: Problem, items: list[int]) -> int:
    """Servers any plan of these items needs: the largest set that pairwise cannot share, and L2 per resource."""
    active = set(items)
    best = 1 if items else 0
    for _, members in problem.conflicts:
        best = max(best, sum(1 for i in members if i in active))
    reserve = problem.min_reserve()
    for k in range(3):
        room = max(c[k] for c in problem.capacities) - reserve[k]  # every server relaxed to the largest
        best = max(best, l2_bound([min_footprint(problem.items[i])[k] for i in items], room))
    return best


def volume_bound(problem: Problem, items: list[int], pools: list[int], time_limit_s: float = 5.0) -> int:
    """Cheapest purchase (in objective units) whose room covers the items' volume, per resource."""
    if not items:
        return 0
    reserve = problem.min_reserve()
    volume = [sum(min_footprint(problem.items[i])[k] for i in items) for k in range(3)]
    model = cp_model.CpModel()
    count = [model.new_int_var(0, pools[m], f"num_servers[{m}]") for m in range(len(pools))]
    for k in range(3):
        room = [max(0, cap[k] - reserve[k]) for cap in problem.capacities]
        model.add(sum(r * n for r, n in zip(room, count, strict=True)) >= volume[k])
    model.add(sum(count) >= min_servers(problem, items))
    model.minimize(sum(c * n for c, n in zip(problem.costs, count, strict=True)))
    return proven_bound(model, time_limit_s, ceiling=4)[0]


def proven_bound(model: cp_model.CpModel, work_s: float, ceiling: float) -> tuple[int, float]:
    """CP-SAT's proven bound on a small bound model within `work_s` counted seconds (the same bound on any
    machine; `ceiling` times that on the wall clock, should a machine be very slow), and the work done.
    An infeasible model gives 0: it cannot happen for the items of a real plan, and 0 is always valid."""
    solver = cp_model.CpSolver()
    solver.parameters.max_deterministic_time = work_s
    solver.parameters.max_time_in_seconds = ceiling * work_s
    solver.parameters.num_workers = 1
    solver.parameters.catch_sigint_signal = False
    if solver.solve(model) == cp_model.INFEASIBLE:
        return 0, solver.deterministic_time
    return max(0, int(solver.best_objective_bound)), solver.deterministic_time
