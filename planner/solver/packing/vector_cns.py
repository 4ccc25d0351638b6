"""Consistent neighbourhood search for vector packing (cores, memory, storage), after Buljubasic
and Vasquez (Computers & OR 2016), who showed it on two-dimensional vector packing.

As in `planner/cns.py`: to show that m servers suffice, keep m - 2 servers within capacity in
every resource and a pool of items not yet placed, and move items between one server and the
pool so as to make the pool light and balanced; m servers are found when the pool fits in two.
A move swaps up to two items of a server for up to two of the pool; all moves of one step are
scored at once with numpy (every server's give-back sets against every pool set), items just
placed stay frozen for a few steps, the best move is made even when it makes the pool heavier,
and items that wait in the pool gain weight until they are placed. Used when an estate is pure
vector packing (one server model and host mode, no placement rules), and on the plain core of a
mixed estate (`core.py`), where `foes` (items that may not share a server: replicas of one
workload, an anti-affinity group) block the moves that would put them together."""

from __future__ import annotations

import random
from collections.abc import Sequence
from functools import lru_cache
from itertools import combinations

import numpy as np

from planner.solver.budget import Budget
from planner.solver.greedy import Assignment
from planner.solver.packing.bin_centric import Foes, bin_centric_work, grouped_bin_centric
from planner.solver.packing.cns import Bins, one_fewer_each_time
from planner.solver.packing.onedim import plain_sizes, to_assignment
from planner.solver.problem import Problem

STEP_WORK = 3e-6  # nominal seconds per step and server, plus a fixed 50 servers' worth (deterministic runs; the
# public vector sets' calibration: their results depend on it)
MAX_SPLIT = 14  # pool sizes up to which the split into two servers is tried exhaustively
PENALTY_STEP = 0.05  # what an item's waiting in the pool adds to a move's score, per step
MAX_BIN_CENTRIC = 5_000  # items up to which both bin-centric greedy starts are tried (above: the dot product only)
CHUNK_CELLS = 2_000_000  # (give set, take set) pairs scored at once: about 100 MB of arrays at most
CELL_WORK = 1.2e-8  # nominal seconds per pair scored beyond FREE_CELLS (servers of many small items: large steps)
FREE_CELLS = 200_000  # pairs a step scores within its per-server estimate
WINDOW = 1_500  # servers above which each attempt works on a window of this many (the emptiest, and others at random)
WINDOW_STEPS = 2_000  # steps after which an attempt on a window gives up and another window is drawn


@lru_cache(maxsize=64)
def _pairs(n: int) -> np.ndarray:
    """Index sets of size 0, 1 and 2 from range(n), padded with -1, as rows of two."""
    rows = [(-1, -1)] + [(i, -1) for i in range(n)] + list(combinations(range(n), 2))
    return np.array(rows, dtype=int).reshape(-1, 2)


class _Search:
    """m - 2 servers (lists of item indices) and the pool, with one table of every server's
    give-back sets (up to two items) and the load each would leave, ready to score."""

    def __init__(
        self, sizes: np.ndarray, cap: np.ndarray, bins: Bins, pool: list[int], rng: random.Random, foes: Foes = ()
    ) -> None:
        self.cap = cap
        self.foes = foes  # per item, the items it may not share a server with (empty: no rules)
        self.bin_of = np.full(len(sizes) + 1, -1, dtype=int)  # each item's server, -1 in the pool
        for k, members in enumerate(bins):
            self.bin_of[members] = k
        self.sizes = np.vstack([sizes, np.zeros(len(cap))])  # row -1: the empty slot of a padded set
        self.norm = self.sizes / cap  # normalised sizes: what the pool's score is made of
        self.penalty = np.zeros(len(sizes) + 1)  # grows while an item waits in the pool
        self.bins = [list(b) for b in bins]
        self.pool = list(pool)
        self.frozen_until = np.zeros(len(sizes) + 1, dtype=int)
        self.step = 0
        self._join()
        self.noise = np.random.default_rng(rng.getrandbits(32))

    def _gives(self, members: list[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(items, load left, normalised load given) of each set of up to two of `members`."""
        items = np.array([*members, -1], dtype=int)[_pairs(len(members))]
        load = self.sizes[members].sum(axis=0) - self.sizes[items].sum(axis=1)
        return items, load, self.norm[items].sum(axis=1)

    def _join(self) -> None:
        """Every server's give-back sets in one table (items, load left, given, owner) with each
        server's first row; after a move only the moved server's rows are replaced."""
        gives = [self._gives(b) for b in self.bins]
        self.joined = [np.concatenate([g[j] for g in gives]) for j in range(3)]
        counts = [len(g[0]) for g in gives]
        self.joined.append(np.repeat(np.arange(len(gives)), counts))
        self.first = np.concatenate([[0], np.cumsum(counts)])

    def _replace(self, k: int) -> None:
        """Server k changed: its give-back sets anew, in place of its old rows."""
        new = self._gives(self.bins[k])
        a, b = int(self.first[k]), int(self.first[k + 1])
        parts = [*new, np.full(len(new[0]), k)]
        self.joined = [np.concatenate([old[:a], part, old[b:]]) for old, part in zip(self.joined, parts, strict=True)]
        self.first[k + 1 :] += len(new[0]) - (b - a)

    def finished(self) -> Bins | None:
        """The servers plus the pool split over two, when the pool fits in two."""
        pool, cap = self.pool, self.cap
        total = self.sizes[pool].sum(axis=0)
        if np.any(total > 2 * cap):
            return None
        if np.all(total <= cap) and not clash(pool, self.foes):
            return [*self.bins, list(pool)] if pool else list(self.bins)
        if len(pool) > MAX_SPLIT:  # too many subsets to try: first fit in a few orders
            parts = split_two_greedy(self.sizes[pool], cap, [self._local_foes(pool, i) for i in pool] if self.foes else ())
            return None if parts is None else [*self.bins, *([pool[j] for j in part] for part in parts)]
        first, rest = pool[0], pool[1:]
        for r in range(len(rest) + 1):
            for combo in combinations(rest, r):
                part = [first, *combo]
                load = self.sizes[part].sum(axis=0)
                if np.all(load <= cap) and np.all(total - load <= cap):
                    other = [i for i in pool if i not in part]
                    if not (clash(part, self.foes) or clash(other, self.foes)):
                        return [*self.bins, part, other]
        return None

    def _local_foes(self, pool: list[int], i: int) -> frozenset[int]:
        """The positions in `pool` of item i's foes."""
        return frozenset(j for j, other in enumerate(pool) if other in self.foes[i])

    def _conflicts(self, takes: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(position in `rows`, take set) pairs that would put foes on one server: the take's foe stays on
        the row's server; none without rules (the plain path skips this)."""
        if not self.foes:
            return np.zeros(0, dtype=int), np.zeros(0, dtype=int)
        items = self.joined[0]
        found: list[np.ndarray] = []
        cols: list[int] = []
        for c, take in enumerate(takes.tolist()):
            for t in take:
                for h in self.foes[t] if t >= 0 else ():
                    k = int(self.bin_of[h])
                    if k >= 0:
                        a, b = int(self.first[k]), int(self.first[k + 1])
                        kept = a + np.flatnonzero(~(items[a:b] == h).any(axis=1))  # the rows that do not give h back
                        found.append(kept)
                        cols += [c] * len(kept)
        if not found:
            return np.zeros(0, dtype=int), np.zeros(0, dtype=int)
        position = np.full(len(items), -1, dtype=int)  # a joined row's place among the rows that may move
        position[rows] = np.arange(len(rows))
        at, col = position[np.concatenate(found)], np.array(cols, dtype=int)
        return at[at >= 0], col[at >= 0]

    def move(self, tenure: int) -> int:
        """The best swap of up to two server items for up to two pool items, frozen items excepted; returns
        the number of (give set, take set) pairs scored, the step's work.

        A move's score is the pool's sum of squared normalised loads after it (a pool heavy in one
        resource scores worse than one balanced over all three), plus the penalties of the items
        left in the pool: the penalties grow with every step an item waits, so an item the search
        keeps turning away is eventually placed (weighting, as in clause-weighting local search).
        Servers that hold many small items have many give sets: the pairs are scored in chunks of
        CHUNK_CELLS, so memory stays bounded whatever the sizes."""
        self.step += 1
        if not self.pool:
            return 0
        takes = np.array([*self.pool, -1], dtype=int)[_pairs(len(self.pool))[1:]]
        if self.foes:  # two foes never go to one server together
            takes = takes[[not (b >= 0 and b in self.foes[a]) for a, b in takes.tolist()]]
        take_load, take = self.sizes[takes].sum(axis=1), self.norm[takes].sum(axis=1)
        items, left, given, owner = self.joined
        room = self.cap + 1e-9 - left
        # rows that may move: no frozen item, and room for at least the smallest take in every resource
        rows = np.flatnonzero(~(self.frozen_until[items] > self.step).any(axis=1) & (room >= take_load.min(axis=0)).all(axis=1))
        if not len(rows):
            return 0
        clash_rows, clash_cols = self._conflicts(takes, rows)
        items, room, given, owner = items[rows], room[rows], given[rows], owner[rows]
        after = self.norm[self.pool].sum(axis=0) + given  # the pool's load once a set is given back
        row_term = (after * after).sum(axis=1) + self.penalty[items].sum(axis=1) + self.noise.random(len(rows)) * 1e-9
        col_term = (take * take).sum(axis=1) - self.penalty[takes].sum(axis=1) + self.noise.random(len(takes)) * 1e-9
        best, best_score = (-1, -1), np.inf
        chunk = max(1, CHUNK_CELLS // len(takes))
        for lo in range(0, len(rows), chunk):
            hi = min(len(rows), lo + chunk)
            blocked = room[lo:hi, 0, None] < take_load[None, :, 0]
            for k in range(1, len(self.cap)):
                blocked |= room[lo:hi, k, None] < take_load[None, :, k]
            if len(clash_rows):
                inside = (clash_rows >= lo) & (clash_rows < hi)
                blocked[clash_rows[inside] - lo, clash_cols[inside]] = True
            score = after[lo:hi] @ take.T
            score *= -2
            score += row_term[lo:hi, None]
            score += col_term[None, :]
            np.copyto(score, np.inf, where=blocked)
            at = int(np.argmin(score))
            if score.flat[at] < best_score:
                best_score, best = score.flat[at], (lo + at // len(takes), at % len(takes))
        if not np.isfinite(best_score):
            return len(rows) * len(takes)
        row, col = best
        k = int(owner[row])
        give = [int(i) for i in items[row] if i >= 0]
        take_items = [int(i) for i in takes[col] if i >= 0]
        self.pool = [i for i in self.pool if i not in take_items] + give
        self.bins[k] = [i for i in self.bins[k] if i not in give] + take_items
        self.bin_of[give], self.bin_of[take_items] = -1, k
        self._replace(k)
        self.frozen_until[take_items] = self.step + tenure
        self.penalty[self.pool] += PENALTY_STEP
        return len(rows) * len(takes)


def split_two_greedy(sizes: np.ndarray, cap: np.ndarray, foes: Foes = ()) -> tuple[list[int], list[int]] | None:
    """Positions of `sizes` split over two servers by first fit, largest first by each of a few
    measures (largest share, total share, each resource), or None when no order fits. Where
    servers hold many small items (15 or so) the pool is too large to split exhaustively, and
    without this the search could end only when the pool fits in one server. `foes` (by position)
    never share a part."""
    norm = sizes / cap
    for key in (norm.max(axis=1), norm.sum(axis=1), *norm.T):
        parts: tuple[list[int], list[int]] = ([], [])
        loads = np.zeros((2, len(cap)))
        for j in np.argsort(-key, kind="stable").tolist():
            fit = [(loads[q] + sizes[j] <= cap).all() and not (foes and foes[j] & set(parts[q])) for q in (0, 1)]
            if not any(fit):
                break
            p = 0 if fit[0] else 1
            parts[p].append(j)
            loads[p] += sizes[j]
        else:
            return parts
    return None


def _attempt(
    sizes: np.ndarray,
    cap: np.ndarray,
    solution: Bins,
    budget: Budget,
    rng: random.Random,
    foes: Foes = (),
    max_steps: int | None = None,
    work_per_server: float = STEP_WORK,
) -> Bins | None:
    """A plan with one server fewer than `solution`, or None when the budget (or `max_steps`) ends first."""
    weight = (sizes / cap).sum(axis=1)
    order = sorted(range(len(solution)), key=lambda k: (float(weight[solution[k]].sum()), rng.random()))
    pool = [i for k in order[:3] for i in solution[k]]
    state = _Search(sizes, cap, [solution[k] for k in order[3:]], pool, rng, foes)
    step_work, cells = work_per_server * (50 + len(solution)), 0
    steps = 0
    while budget.spend(step_work + CELL_WORK * max(0, cells - FREE_CELLS)) and (max_steps is None or steps < max_steps):
        done = state.finished()
        if done is not None:
            return done
        cells = state.move(tenure=rng.randint(3, 8))
        steps += 1
    return None


def _by_windows(
    sizes: np.ndarray,
    cap: np.ndarray,
    solution: Bins,
    lower: int,
    budget: Budget,
    rng: random.Random,
    foes: Foes,
    work_per_server: float,
) -> Bins:
    """A large plan one server fewer at a time, each attempt on a window: the emptiest servers and others drawn
    at random. A step scores every server of its plan, so on thousands of servers a window makes each step
    cheap; an attempt that stalls gives up after WINDOW_STEPS and the next draws another window. Moves stay
    inside the window, so a foe outside it is never joined."""
    best = [list(b) for b in solution if b]
    weight = (sizes / cap).sum(axis=1)
    failed = 0  # attempts in a row that stalled: the servers to empty are then drawn from more of the emptiest
    while len(best) > max(lower, 3) and budget.left() > 0:
        order = sorted(range(len(best)), key=lambda k: (float(weight[best[k]].sum()), k))
        emptiest = order[:3] if not failed else rng.sample(order[: min(len(order), 3 + 3 * failed)], 3)
        rest = [k for k in order if k not in emptiest]
        window = emptiest + rng.sample(rest, min(WINDOW, len(order)) - 3)
        found = _attempt(sizes, cap, [best[k] for k in window], budget, rng, foes, WINDOW_STEPS, work_per_server)
        failed = 0 if found is not None else failed + 1
        if found is not None:
            inside = set(window)
            best = [b for k, b in enumerate(best) if k not in inside] + found
    return best


def _fits(sizes: np.ndarray, cap: np.ndarray) -> bool:
    """One server's items within its capacity in every resource (exactly, not in normalised floats)."""
    return bool((sizes.sum(axis=0) <= cap).all())


def improve_vector_packing(
    sizes: list[tuple[int, ...]],
    cap: tuple[int, ...],
    solution: Bins,
    lower: int,
    budget: Budget,
    seed: int = 0,
    foes: Foes = (),
    work_per_server: float = STEP_WORK,
) -> Bins:
    """Fewer servers than `solution` (lists of item indices) where the search finds them, down to `lower`;
    `foes[i]`: the items item i may not share a server with; `work_per_server`: a step's nominal work per server."""
    rng = random.Random(seed)
    array, capacity = np.array(sizes, dtype=float), np.array(cap, dtype=float)
    norm, used = array / capacity, len([b for b in solution if b])
    for by_dot_product in (True, False) if len(sizes) <= MAX_BIN_CENTRIC else (True,):
        budget.spend(bin_centric_work(len(sizes)))
        greedy = grouped_bin_centric(norm, by_dot_product, foes)
        if len(greedy) < used and all(_fits(array[b], capacity) and not clash(b, foes) for b in greedy):
            solution, used = greedy, len(greedy)
    if len([b for b in solution if b]) > WINDOW:
        return _by_windows(array, capacity, solution, lower, budget, rng, foes, work_per_server)

    def attempt(best: Bins) -> Bins | None:
        return _attempt(array, capacity, best, budget, rng, foes, None, work_per_server)

    return one_fewer_each_time(attempt, solution, lower, budget)


def clash(members: Sequence[int], foes: Foes) -> bool:
    """True when two of `members` are foes (may not share a server)."""
    if not foes:
        return False
    inside = set(members)
    return any(foes[i] & inside for i in members)


def vector_assignment(problem: Problem, start: Assignment, lower: int, budget: Budget, seed: int = 0) -> Assignment:
    """A plan of a plain vector-packing estate with fewer servers than `start` where the search finds one."""
    items, kinds, sizes, room = plain_sizes(problem, start)
    bins: Bins = [[] for _ in start.servers]
    for j, i in enumerate(items):
        bins[start.placed[i][0]].append(j)
    found = improve_vector_packing(sizes, room, bins, lower, budget, seed)
    if len(found) >= len([b for b in bins if b]):
        return start
    return to_assignment(problem, items, kinds, found)
