"""Emptying and shrinking servers of a packing of many small items, by ejection chains.

Where servers hold dozens of small items the consistent neighbourhood search's swap tables grow
with the square of a server's items and it stalls. What such a packing wastes is its emptiest
servers, and servers of a dear model whose load would nearly fit a cheaper one. Here a server
gives items away, those that most reduce its excess over the target room first, until it is
empty (and is gone) or fits the cheaper model (and becomes one): each item to another server with
room (best fit), or, where none has room, to one that makes room by passing one of its own items
to a third. An attempt that does not reach its target is undone. Every move keeps every server
within its room and foes apart, so each step is a plan.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np

from planner.solver.budget import Budget

Foes = Sequence[frozenset[int]]
MOVE_WORK = 3e-7  # nominal seconds per (item, server or item looked at) of a move (deterministic runs; measured)
SWAP_CANDIDATES = 32  # items a swap looks at as the one to pass on, those leaving the least room first
GIVE_UP_AFTER = 200  # failed attempts in a row after which the search stops


class _Packing:
    """Servers as arrays: each item's server, each server's model, load and room."""

    def __init__(self, sizes: np.ndarray, rooms: np.ndarray, models: list[int], bins: list[list[int]], foes: Foes) -> None:
        self.sizes, self.foes = sizes, foes
        self.model = np.array(models, dtype=int)
        self.rooms = rooms[self.model]  # each server's room: its model's, changed with the model
        self.where = np.full(len(sizes), -1, dtype=int)
        for s, members in enumerate(bins):
            self.where[members] = s
        self.load = np.zeros((len(bins), rooms.shape[1]))
        np.add.at(self.load, self.where, sizes)
        self.alive = np.array([bool(b) for b in bins])
        self.log: list[tuple[int, int]] = []  # (item, server it left), to undo an attempt

    def targets(self, item: int, allowed: np.ndarray) -> np.ndarray:
        """The allowed servers `item` may join: room for it and none of its foes."""
        ok = allowed & self.alive & (self.load + self.sizes[item] <= self.rooms + 1e-9).all(axis=1)
        if self.foes and self.foes[item]:
            ok[self.where[list(self.foes[item])]] = False
        return ok

    def move(self, item: int, to: int) -> None:
        """Item to server `to`, logged."""
        self.log.append((item, int(self.where[item])))
        self.load[self.where[item]] -= self.sizes[item]
        self.load[to] += self.sizes[item]
        self.where[item] = to

    def undo(self, mark: int) -> None:
        """Every move since `mark` taken back."""
        while len(self.log) > mark:
            item, back = self.log.pop()
            self.load[self.where[item]] -= self.sizes[item]
            self.load[back] += self.sizes[item]
            self.where[item] = back


def _best_fit(p: _Packing, item: int, allowed: np.ndarray) -> int | None:
    """The allowed server the item fills most tightly, or None."""
    ok = np.flatnonzero(p.targets(item, allowed))
    if not len(ok):
        return None
    left = ((p.rooms[ok] - p.load[ok] - p.sizes[item]) / np.maximum(p.rooms[ok], 1e-9)).max(axis=1)
    return int(ok[np.argmin(left)])


def _give(p: _Packing, item: int, allowed: np.ndarray, budget: Budget) -> bool:
    """Item to a server of `allowed`: directly, or by passing one of that server's items to a third."""
    budget.spend(MOVE_WORK * len(p.load))
    to = _best_fit(p, item, allowed)
    if to is not None:
        p.move(item, to)
        return True
    budget.spend(MOVE_WORK * len(p.sizes))
    rooms = p.rooms
    hosts = allowed[p.where]
    room_if_gone = rooms[p.where] - p.load[p.where] + p.sizes  # each item's server, were it gone
    swap = np.flatnonzero(hosts & (p.sizes[item] <= room_if_gone + 1e-9).all(axis=1))
    if p.foes and p.foes[item]:  # not into a server holding one of its foes, unless that foe is the one passed on
        held = Counter(p.where[list(p.foes[item])].tolist())
        swap = np.array([a for a in swap.tolist() if held[p.where[a]] == (a in p.foes[item])], dtype=int)
    if not len(swap):
        return False
    slack = ((room_if_gone[swap] - p.sizes[item]) / np.maximum(rooms[p.where[swap]], 1e-9)).max(axis=1)
    for a in swap[np.argsort(slack, kind="stable")[:SWAP_CANDIDATES]].tolist():
        host = int(p.where[a])
        elsewhere = allowed.copy()
        elsewhere[host] = False
        budget.spend(MOVE_WORK * len(p.load))
        to = _best_fit(p, a, elsewhere)
        if to is not None:
            p.move(a, to)
            p.move(item, host)
            return True
    return False


def _reach(p: _Packing, s: int, target: np.ndarray, budget: Budget) -> bool:
    """Server s gives items to the others until its load fits `target`; undone when it cannot."""
    mark, others = len(p.log), p.alive.copy()
    others[s] = False
    scale = np.maximum(p.rooms[s], 1e-9)
    tried: set[int] = set()
    while True:
        excess = np.maximum(p.load[s] - target, 0.0)
        if not (excess > 1e-9).any():
            return True
        mine = [i for i in np.flatnonzero(p.where == s).tolist() if i not in tried]
        if not mine or budget.left() <= 0:
            p.undo(mark)
            return False
        reach = (np.minimum(p.sizes[mine], excess) / scale).sum(axis=1)  # what giving each would take off the excess
        item = mine[int(np.argmax(reach))]
        tried.add(item)
        _give(p, item, others, budget)


def drain(
    sizes: np.ndarray,
    rooms: np.ndarray,
    costs: Sequence[int],
    models: list[int],
    bins: list[list[int]],
    budget: Budget,
    foes: Foes = (),
    limits: Sequence[int | None] = (),
) -> list[tuple[int, list[int]]]:
    """A cheaper packing, where the emptiest servers can give all their items to the others and servers
    of a dear model can give enough to fit a cheaper one (`rooms` and `costs` per model, `models` per
    server, `limits` per model: most servers of it). Returns (model, items) per server left."""
    p = _Packing(sizes, rooms, models, bins, foes)
    counts = Counter(models)
    failed = 0
    while budget.left() > 0 and failed < GIVE_UP_AFTER:
        attempt = _next_attempt(p, rooms, costs, counts, limits, failed)
        if attempt is None:
            break
        s, model = attempt
        target = np.zeros(rooms.shape[1]) if model < 0 else rooms[model]
        if _reach(p, s, target, budget):
            counts[int(p.model[s])] -= 1
            if model < 0:
                p.alive[s] = False
            else:
                p.model[s], p.rooms[s] = model, rooms[model]
                counts[model] += 1
            failed = 0
        else:
            failed += 1
    kept = [(int(p.model[s]), np.flatnonzero(p.where == s).tolist()) for s in range(len(bins)) if p.alive[s]]
    return [(m, members) for m, members in kept if members]


def _next_attempt(
    p: _Packing, rooms: np.ndarray, costs: Sequence[int], counts: Counter[int], limits: Sequence[int | None], skip: int
) -> tuple[int, int] | None:
    """The `skip`-th most promising (server, target model; -1 to empty it): the emptiest servers, and servers
    whose excess over a cheaper model's room is smallest, by what they must give as a share of their room."""
    alive = np.flatnonzero(p.alive)
    scale = np.maximum(p.rooms[alive], 1e-9)
    keys = [(p.load[alive] / scale).max(axis=1)]
    servers, targets = [alive], [np.full(len(alive), -1)]
    price = np.array(costs)[p.model[alive]]
    for m in range(len(costs)):
        if limits and limits[m] is not None and counts[m] >= limits[m]:  # type: ignore[operator]
            continue
        dearer = price > costs[m]
        keys.append((np.maximum(p.load[alive] - rooms[m], 0.0) / scale).sum(axis=1)[dearer])
        servers.append(alive[dearer])
        targets.append(np.full(int(dearer.sum()), m))
    key = np.concatenate(keys)
    if skip >= len(key):
        return None
    pick = int(np.argsort(key, kind="stable")[skip])
    return int(np.concatenate(servers)[pick]), int(np.concatenate(targets)[pick])
