"""Consistent neighbourhood search for vector packing (cores, memory, storage), after Buljubasic
and Vasquez (Computers & OR 2016), who showed it on two-dimensional vector packing.

As in `planner/cns.py`: to show that m servers suffice, keep m - 2 servers within capacity in
every resource and a pool of items not yet placed, and move items between one server and the
pool so as to shrink the pool's total normalised size; m servers are found when the pool fits
in two. A move swaps up to two items of a server for up to two of the pool; all moves of one
step are scored at once with numpy (every server's give-back sets against every pool set),
items just placed stay frozen for a few steps, and the best move is made even when it makes the
pool heavier. Used when an estate is pure vector packing: one server model and host mode, no
placement rules.
"""

from __future__ import annotations

import random
from itertools import combinations

import numpy as np

from planner.budget import Budget
from planner.cns import Bins, one_fewer_each_time
from planner.greedy import Assignment
from planner.problem import Problem

STEP_WORK = 2.5e-5  # nominal seconds per step and server (deterministic runs)
MAX_SPLIT = 14  # pool sizes up to which the split into two servers is tried exhaustively


def _pairs(n: int) -> np.ndarray:
    """Index sets of size 0, 1 and 2 from range(n), padded with -1, as rows of two."""
    rows = [(-1, -1)] + [(i, -1) for i in range(n)] + list(combinations(range(n), 2))
    return np.array(rows, dtype=int).reshape(-1, 2)


class _Search:
    """m - 2 servers (lists of item indices), their loads, and the pool; each server keeps its
    give-back sets (up to two items) with the load each would leave, ready to score."""

    def __init__(self, sizes: np.ndarray, cap: np.ndarray, bins: Bins, pool: list[int], rng: random.Random) -> None:
        self.cap, self.rng = cap, rng
        self.sizes = np.vstack([sizes, np.zeros(len(cap))])  # row -1: the empty slot of a padded set
        self.weight = np.append((sizes / cap).sum(axis=1), 0.0)  # normalised size: what the pool minimises
        self.bins = [list(b) for b in bins]
        self.pool = list(pool)
        self.frozen_until = np.zeros(len(sizes) + 1, dtype=int)
        self.step = 0
        self.gives: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = [self._gives(b) for b in self.bins]

    def _gives(self, members: list[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(items, load left, weight given) of each set of up to two of `members`."""
        items = np.array([*members, -1], dtype=int)[_pairs(len(members))]
        load = self.sizes[members].sum(axis=0) - self.sizes[items].sum(axis=1)
        return items, load, self.weight[items].sum(axis=1)

    def pool_weight(self) -> float:
        return float(self.weight[self.pool].sum())

    def finished(self) -> Bins | None:
        """The servers plus the pool split over two, when the pool fits in two."""
        pool, cap = self.pool, self.cap
        total = self.sizes[pool].sum(axis=0)
        if np.any(total > 2 * cap):
            return None
        if np.all(total <= cap):
            return [*self.bins, list(pool)] if pool else list(self.bins)
        if len(pool) > MAX_SPLIT:
            return None
        first, rest = pool[0], pool[1:]
        for r in range(len(rest) + 1):
            for combo in combinations(rest, r):
                part = [first, *combo]
                load = self.sizes[part].sum(axis=0)
                if np.all(load <= cap) and np.all(total - load <= cap):
                    return [*self.bins, part, [i for i in pool if i not in part]]
        return None

    def move(self, tenure: int) -> None:
        """The best swap of up to two server items for up to two pool items, frozen items excepted."""
        self.step += 1
        if not self.pool:
            return
        takes = np.array([*self.pool, -1], dtype=int)[_pairs(len(self.pool))[1:]]
        take_load, take_weight = self.sizes[takes].sum(axis=1), self.weight[takes].sum(axis=1)
        items = np.concatenate([g[0] for g in self.gives])
        left = np.concatenate([g[1] for g in self.gives])
        given = np.concatenate([g[2] for g in self.gives])
        owner = np.repeat(np.arange(len(self.gives)), [len(g[0]) for g in self.gives])
        movable = ~(self.frozen_until[items] > self.step).any(axis=1)
        fits = np.all(left[:, None, :] + take_load[None, :, :] <= self.cap + 1e-9, axis=2) & movable[:, None]
        score = np.where(fits, given[:, None] - take_weight[None, :], np.inf)
        score += np.random.default_rng(self.rng.getrandbits(32)).random(score.shape) * 1e-9  # random ties
        best = int(np.argmin(score))
        if not np.isfinite(score.flat[best]):
            return
        row, col = divmod(best, len(takes))
        k = int(owner[row])
        give = [int(i) for i in items[row] if i >= 0]
        take = [int(i) for i in takes[col] if i >= 0]
        self.pool = [i for i in self.pool if i not in take] + give
        self.bins[k] = [i for i in self.bins[k] if i not in give] + take
        self.gives[k] = self._gives(self.bins[k])
        self.frozen_until[take] = self.step + tenure


def _attempt(sizes: np.ndarray, cap: np.ndarray, solution: Bins, budget: Budget, rng: random.Random) -> Bins | None:
    """A plan with one server fewer than `solution`, or None when the budget ends first."""
    weight = (sizes / cap).sum(axis=1)
    order = sorted(range(len(solution)), key=lambda k: (float(weight[solution[k]].sum()), rng.random()))
    pool = [i for k in order[:3] for i in solution[k]]
    state = _Search(sizes, cap, [solution[k] for k in order[3:]], pool, rng)
    step_work = STEP_WORK * (4 + len(solution))
    while budget.spend(step_work):
        done = state.finished()
        if done is not None:
            return done
        state.move(tenure=rng.randint(3, 8))
    return None


def improve_vector_packing(
    sizes: list[tuple[int, ...]], cap: tuple[int, ...], solution: Bins, lower: int, budget: Budget, seed: int = 0
) -> Bins:
    """Fewer servers than `solution` (lists of item indices) where the search finds them, down to `lower`."""
    rng = random.Random(seed)
    array, capacity = np.array(sizes, dtype=float), np.array(cap, dtype=float)
    return one_fewer_each_time(lambda best: _attempt(array, capacity, best, budget, rng), solution, lower, budget)


def vector_assignment(problem: Problem, start: Assignment, lower: int, budget: Budget, seed: int = 0) -> Assignment:
    """A plan of a plain vector-packing estate with fewer servers than `start` where the search finds one."""
    mode = problem.modes[0]
    room = [problem.capacities[0][k] - problem.reserve(mode, 0)[k] for k in range(3)]
    dims = [k for k in range(3) if room[k] > 0]
    items = sorted(start.placed)
    kinds = [start.placed[i][1] for i in items]
    sizes = [tuple(problem.items[i].footprints[kind][k] for k in dims) for i, kind in zip(items, kinds, strict=True)]
    bins: Bins = [[] for _ in start.servers]
    for j, i in enumerate(items):
        bins[start.placed[i][0]].append(j)
    found = improve_vector_packing(sizes, tuple(room[k] for k in dims), bins, lower, budget, seed)
    if len(found) >= len([b for b in bins if b]):
        return start
    placed = {items[j]: (s, kinds[j]) for s, members in enumerate(found) for j in members}
    return Assignment([(0, mode)] * len(found), placed)
