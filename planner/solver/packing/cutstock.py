"""Gilmore-Gomory column generation for 1-D packing, with a depth-first dive and limited discrepancy.

The master LP counts servers by pattern (how many items of each size one server carries):
min sum_p x_p s.t. sum_p a_tp x_p >= d_t for each size t. Pricing is a bounded knapsack over
the sizes with the LP duals as values, solved exactly by dynamic programming over capacity
(numpy, one row per binary-split chunk), so each round costs milliseconds and the master,
one row per distinct size, is re-solved warm by GLOP. Its value at convergence is the
Gilmore-Gomory bound; an unconverged value bounds nothing and is never reported.

To find a plan with `target` servers, the dive gives the largest item left the server the LP
uses most among those that carry it (so every branch decides one item, as bin completion does;
or, as a second rule, rounds up the pattern the LP uses most), re-solves the residual, and
prunes as soon as fixed + ceil(residual LP) exceeds the target; a failed branch tries the next
pattern, up to a small number of discrepancies (Harvey and Ginsberg's limited discrepancy
search). Instances with the integer round-up property (most of BPPLIB) end at the bound this
way; diving on the arc-flow LP, whose graph grows with capacity x sizes,
was tried first and ran out of time on Hard28 and Waescher.
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
from ortools.linear_solver import pywraplp

from planner.solver.budget import Budget

Pattern = tuple[int, ...]  # items of each size (in the order of `sizes`)
EPS = 1e-6
DP_CELLS = 60_000_000  # capacity x chunks above which pricing is too slow to pay
FFD_STEP = 5e-8  # nominal seconds per item and server first-fit decreasing scans


class _OutOfTime(Exception):
    pass


def price(sizes: list[int], bounds: list[int], duals: list[float], cap: int) -> tuple[float, Pattern]:
    """The pattern of greatest dual value within `cap` (at most bounds[t] items of size t), and its value."""
    chunks: list[tuple[int, int, float]] = []  # (size index, copies, value) from the binary split of each bound
    for t, (w, d, v) in enumerate(zip(sizes, bounds, duals, strict=True)):
        n = min(d, cap // w)
        k = 1
        while n > 0 and v > EPS:
            m = min(k, n)
            chunks.append((t, m, v * m))
            n -= m
            k *= 2
    dp = np.zeros(cap + 1)
    took = np.zeros((len(chunks), cap + 1), dtype=bool)
    for j, (t, m, value) in enumerate(chunks):
        weight = sizes[t] * m
        candidate = dp[:-weight] + value
        better = candidate > dp[weight:] + 1e-12
        took[j, weight:] = better
        dp[weight:] = np.where(better, candidate, dp[weight:])
    pattern = [0] * len(sizes)
    c = cap
    for j in range(len(chunks) - 1, -1, -1):
        if took[j, c]:
            t, m, _ = chunks[j]
            pattern[t] += m
            c -= sizes[t] * m
    return float(dp[cap]), tuple(pattern)


class Master:
    """The restricted master LP over the patterns found so far, for a residual demand."""

    def __init__(self, sizes: list[int], cap: int, demand: list[int]) -> None:
        self.sizes, self.cap = sizes, cap
        self.demand = list(demand)
        self.solver = pywraplp.Solver.CreateSolver("GLOP")
        self.rows = [self.solver.Constraint(float(d), self.solver.infinity()) for d in demand]
        self.columns: dict[Pattern, pywraplp.Variable] = {}
        self.weight: dict[Pattern, int] = {}  # total size of each pattern's items
        self.solver.Objective().SetMinimization()
        self.work = 0.0  # nominal seconds charged per column-generation round

    def add(self, pattern: Pattern) -> None:
        if pattern in self.columns:
            return
        x = self.solver.NumVar(0, self.solver.infinity(), "")
        for t, a in enumerate(pattern):
            if a:
                self.rows[t].SetCoefficient(x, a)
        self.solver.Objective().SetCoefficient(x, 1)
        self.columns[pattern] = x
        self.weight[pattern] = sum(a * w for a, w in zip(pattern, self.sizes, strict=True))

    def set_demand(self, demand: list[int]) -> None:
        for row, old, new in zip(self.rows, self.demand, demand, strict=True):
            if old != new:
                row.SetLb(float(new))
        self.demand = list(demand)

    def solve(self, budget: Budget) -> tuple[float, dict[Pattern, float]]:
        """Column generation to LP optimality for the current demand: (bound, x of the patterns used).

        The bound is the LP value, or the Farley bound z / max(price) if pricing repeats a column
        (numerical tolerance); raises _OutOfTime when the budget ends first."""
        if not any(self.demand):
            return 0.0, {}
        while True:
            if not budget.spend(self.work):
                raise _OutOfTime
            if self.solver.Solve() != pywraplp.Solver.OPTIMAL:
                raise _OutOfTime
            z = self.solver.Objective().Value()
            duals = [max(0.0, row.dual_value()) for row in self.rows]
            value, pattern = price(self.sizes, self.demand, duals, self.cap)
            if value <= 1 + EPS or pattern in self.columns:
                x = {p: v.solution_value() for p, v in self.columns.items()}
                return z / max(1.0, value), {p: v for p, v in x.items() if v > EPS}
            self.add(pattern)


def _residual(demand: list[int], pattern: Pattern) -> tuple[list[int], Pattern]:
    """The demand left after one server of `pattern`, and the pattern trimmed to what was still needed."""
    used = tuple(min(a, d) for a, d in zip(pattern, demand, strict=True))
    return [d - u for d, u in zip(demand, used, strict=True)], used


def first_fit_decreasing(sizes: list[int], cap: int) -> list[list[int]]:
    """Items (indices) largest first into the first server with room."""
    bins: list[list[int]] = []
    loads: list[int] = []
    for i in sorted(range(len(sizes)), key=lambda i: -sizes[i]):
        k = next((k for k, load in enumerate(loads) if load + sizes[i] <= cap), None)
        if k is None:
            bins.append([])
            loads.append(0)
            k = len(bins) - 1
        bins[k].append(i)
        loads[k] += sizes[i]
    return bins


def _ffd(sizes: list[int], demand: list[int], cap: int, budget: Budget | None = None) -> list[Pattern]:
    """First-fit decreasing on the demand, as patterns (for the first columns and quick completions);
    its work (items times servers scanned) is charged to `budget`, and raises _OutOfTime when that ends."""
    types = [t for t, d in enumerate(demand) for _ in range(d)]
    packs = first_fit_decreasing([sizes[t] for t in types], cap)
    patterns = []
    for members in packs:
        counts = [0] * len(sizes)
        for j in members:
            counts[types[j]] += 1
        patterns.append(tuple(counts))
    if budget is not None and not budget.spend(FFD_STEP * len(types) * len(packs)):
        raise _OutOfTime
    return patterns


def _search(
    master: Master,
    demand: list[int],
    target: int,
    fixed: list[Pattern],
    discrepancies: int,
    budget: Budget,
    by_largest: bool,
) -> list[Pattern] | None:
    """Patterns for `target` servers that cover `demand` with `fixed` first, or None (depth-first, LDS).

    A pattern the LP uses a whole time or more is fixed without branching or re-solving: the LP
    solution less one server of it is optimal for what is left (LP(d - a) >= LP(d) - 1)."""
    master.set_demand(demand)
    z, x = master.solve(budget)
    while True:
        left = target - len(fixed)
        if math.ceil(z - EPS) > left:
            return None
        if all(abs(v - round(v)) < EPS for v in x.values()):  # the LP is integral: done
            return fixed + [p for p, v in x.items() for _ in range(round(v))]
        quick = _ffd(master.sizes, demand, master.cap, budget)
        if len(quick) <= left:
            return fixed + quick
        whole = [p for p, v in x.items() if v >= 1 - EPS]
        if not whole:
            break
        pattern = max(whole, key=lambda p: (x[p], master.weight[p]))
        demand, used = _residual(demand, pattern)
        fixed = [*fixed, used]
        x = {p: v - (p == pattern) for p, v in x.items() if v - (p == pattern) > EPS}
        z -= 1
    largest = next(t for t, d in enumerate(demand) if d)  # sizes are in decreasing order
    ranked = sorted(x, key=lambda p: (by_largest and p[largest] == 0, -x[p], -master.weight[p]))
    for rank, pattern in enumerate(ranked[: discrepancies + 1]):
        rest, used = _residual(demand, pattern)
        found = _search(master, rest, target, [*fixed, used], discrepancies - rank, budget, by_largest)
        if found is not None:
            return found
    return None


def gilmore_gomory(sizes: list[int], cap: int, budget: Budget) -> tuple[int, Master] | None:
    """The Gilmore-Gomory bound (servers) and its master, or None when pricing is too large or the budget ends."""
    counts = Counter(sizes)
    types = sorted(counts, reverse=True)
    cells = cap * sum(max(1, min(counts[w], cap // w)).bit_length() for w in types)
    if not types or cells > DP_CELLS:
        return None
    demand = [counts[w] for w in types]
    master = Master(types, cap, demand)
    master.work = 2e-3 + cells * 1e-8  # one LP re-solve and one pricing, in nominal seconds
    for p in _ffd(types, demand, cap):
        master.add(p)
    try:
        z, _ = master.solve(budget)
    except _OutOfTime:
        return None
    return math.ceil(z - EPS), master


def plan_at(master: Master, target: int, discrepancies: int, budget: Budget, by_largest: bool = True) -> list[Pattern] | None:
    """Patterns covering the full demand with at most `target` servers, found by diving with up to
    `discrepancies` departures from the LP's choice, or None. With `by_largest`, each branch
    decides the server of the largest item left; otherwise it rounds up the pattern the LP uses most."""
    demand = list(master.demand)
    try:
        return _search(master, demand, target, [], discrepancies, budget, by_largest)
    except _OutOfTime:
        return None
    finally:
        master.set_demand(demand)


def to_bins(patterns: list[Pattern], types: list[int], sizes: list[int]) -> list[list[int]]:
    """Servers of item indices from patterns over `types` (each item used once)."""
    pending: dict[int, list[int]] = {}
    for index, w in enumerate(sizes):
        pending.setdefault(w, []).append(index)
    bins = []
    for p in patterns:
        members = [pending[types[t]].pop() for t, a in enumerate(p) for _ in range(a) if pending[types[t]]]
        if members:
            bins.append(members)
    return bins
