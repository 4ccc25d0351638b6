"""Consistent neighbourhood search for 1-D packing (after Buljubasic and Vasquez, Computers & OR 2016).

To show that m servers suffice, keep m - 2 servers that are all within capacity and a pool of
items not yet placed, and move items between one server and the pool so as to shrink the pool's
total size; m servers are found when the pool fits in two. Tabu moves swap up to two items of a
server for up to two of the pool; a descent repacks a server from itself plus the pool as a
subset-sum knapsack. Every state is consistent (no server over capacity), so there is nothing to
repair, and the search starts again one server lower each time it succeeds. It finds the
optimum of instances with few items per server in a moment (Scholl 3), where the knapsack
tables of column generation are too large to price quickly.
"""

from __future__ import annotations

import random
from bisect import bisect_left
from collections.abc import Callable
from itertools import combinations

from planner.solver.budget import Budget

Bins = list[list[int]]
Offer = tuple[int, int, tuple[int, ...]]  # total size, item count, items
STEP_WORK = 4e-4  # nominal seconds per tabu step on 100 servers (deterministic runs)
DESCENT_EVERY = 20  # steps without a lighter pool between two descents


def _subset_sums(weights: list[int], limit: int) -> list[int]:
    """Reachable sums after each prefix of `weights`, as bitsets (bit s set: sum s reachable), capped at `limit`."""
    mask = (1 << (limit + 1)) - 1
    reach, history = 1, [1]
    for w in weights:
        reach = (reach | (reach << w)) & mask
        history.append(reach)
    return history


def _pick(weights: list[int], history: list[int], target: int) -> list[int]:
    """Positions of `weights` summing to `target` (reachable in the last bitset of `history`)."""
    chosen = []
    for j in range(len(weights) - 1, -1, -1):
        if not (history[j] >> target) & 1:
            chosen.append(j)
            target -= weights[j]
    return chosen


def _best_fill(weights: list[int], cap: int) -> list[int]:
    """Positions of a subset of `weights` with the largest total within `cap`."""
    history = _subset_sums(weights, cap)
    return _pick(weights, history, history[-1].bit_length() - 1)


def _split_two(weights: list[int], cap: int) -> list[int] | None:
    """Positions of one part when `weights` fit in two servers of `cap`, else None."""
    total = sum(weights)
    if total > 2 * cap:
        return None
    history = _subset_sums(weights, cap)
    window = history[-1] >> max(0, total - cap)
    if not window:
        return None
    low = (window & -window).bit_length() - 1 + max(0, total - cap)  # the smallest reachable sum in range
    return _pick(weights, history, low)


class _Search:
    """State of one attempt: m - 2 servers (lists of item indices), their loads, and the pool."""

    def __init__(self, sizes: list[int], cap: int, bins: Bins, pool: list[int], rng: random.Random) -> None:
        self.sizes, self.cap, self.rng = sizes, cap, rng
        self.bins = [list(b) for b in bins]
        self.loads = [sum(sizes[i] for i in b) for b in self.bins]
        self.pool = list(pool)
        self.frozen_until = [0] * len(sizes)  # items placed from the pool stay put until this iteration
        self.step = 0

    def pool_weight(self) -> int:
        return sum(self.sizes[i] for i in self.pool)

    def finished(self) -> Bins | None:
        """The servers plus the pool split over two, when the pool fits in two."""
        weights = [self.sizes[i] for i in self.pool]
        part = _split_two(weights, self.cap)
        if part is None:
            return None
        first = [self.pool[j] for j in part]
        second = [i for i in self.pool if i not in set(first)]
        return [b for b in [*self.bins, first, second] if b]

    def descend(self) -> bool:
        """Repack each server from itself plus the pool for the largest fill; True if the pool shrank."""
        better = False
        for k in self.rng.sample(range(len(self.bins)), len(self.bins)):
            fixed = [i for i in self.bins[k] if self.frozen_until[i] > self.step]
            room = self.cap - sum(self.sizes[i] for i in fixed)
            items = [i for i in self.bins[k] if self.frozen_until[i] <= self.step] + self.pool
            weights = [self.sizes[i] for i in items]
            chosen = fixed + [items[j] for j in _best_fill(weights, room)]
            load = sum(self.sizes[i] for i in chosen)
            if load > self.loads[k]:
                inside = set(chosen)
                out = [i for i in self.bins[k] if i not in inside]
                self.pool = [i for i in self.pool if i not in inside] + out
                self.bins[k], self.loads[k] = chosen, load
                better = True
        return better

    def tabu_move(self, tenure: int) -> None:
        """The best swap of up to two server items for up to two pool items (least pool weight left,
        then most pool items), even when it makes the pool heavier, with recent moves frozen."""
        sizes, cap = self.sizes, self.cap
        offers: list[Offer] = [(sizes[i], 1, (i,)) for i in self.pool]
        offers += [(sizes[i] + sizes[j], 2, (i, j)) for i, j in combinations(self.pool, 2)]
        best: tuple[int, int, float] | None = None
        choice = None
        for k, members in enumerate(self.bins):
            free = [i for i in members if self.frozen_until[i] <= self.step]
            gives: list[Offer] = [(0, 0, ())] + [(sizes[i], 1, (i,)) for i in free]
            gives += [(sizes[i] + sizes[j], 2, (i, j)) for i, j in combinations(free, 2)]
            gives.sort()
            weights = [g[0] for g in gives]
            slack = cap - self.loads[k]
            for w_in, n_in, take in offers:
                pos = bisect_left(weights, w_in - slack)  # the lightest give-back that makes room
                while pos < len(gives):
                    w_out, n_out, give = gives[pos]
                    key = (w_out - w_in, n_in - n_out, self.rng.random())
                    if (best is None or key < best) and not (give and len(take) == len(give) and w_out == w_in):
                        best, choice = key, (k, give, take)
                    if w_out > w_in - slack:
                        break
                    pos += 1
        self.step += 1
        if choice is None:
            return
        k, give, take = choice
        taken = set(take)
        self.pool = [i for i in self.pool if i not in taken] + list(give)
        self.bins[k] = [i for i in self.bins[k] if i not in set(give)] + list(take)
        self.loads[k] += sum(sizes[i] for i in take) - sum(sizes[i] for i in give)
        for i in take:
            self.frozen_until[i] = self.step + tenure


def _attempt(sizes: list[int], cap: int, solution: Bins, budget: Budget, rng: random.Random) -> Bins | None:
    """A plan with one server fewer than `solution`, or None when the budget ends first."""
    order = sorted(range(len(solution)), key=lambda k: (sum(sizes[i] for i in solution[k]), rng.random()))
    pool = [i for k in order[:3] for i in solution[k]]
    state = _Search(sizes, cap, [solution[k] for k in order[3:]], pool, rng)
    step_work = STEP_WORK * (1 + len(solution) / 100)
    best_weight, stale = state.pool_weight(), 0
    while budget.spend(step_work):
        done = state.finished()
        if done is not None:
            return done
        state.tabu_move(tenure=rng.randint(3, 8))
        weight = state.pool_weight()
        if weight < best_weight:
            best_weight, stale = weight, 0
        else:
            stale += 1
        if stale and stale % DESCENT_EVERY == 0:
            state.descend()
    return None


def one_fewer_each_time(attempt: Callable[[Bins], Bins | None], solution: Bins, lower: int, budget: Budget) -> Bins:
    """Apply `attempt` (a plan one server smaller, or None) while it succeeds, down to `lower` servers."""
    best = [list(b) for b in solution if b]
    while len(best) > max(lower, 3) and budget.left() > 0:
        found = attempt(best)
        if found is None:
            break
        best = found
    return best


def improve_packing(sizes: list[int], cap: int, solution: Bins, lower: int, budget: Budget, seed: int = 0) -> Bins:
    """Fewer servers than `solution` (lists of item indices) where the search finds them, down to `lower`."""
    rng = random.Random(seed)
    return one_fewer_each_time(lambda best: _attempt(sizes, cap, best, budget, rng), solution, lower, budget)
