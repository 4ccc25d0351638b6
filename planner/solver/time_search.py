"""Fewer servers for a plan packed by time: empty servers one at a time, checked in every bucket.

Works on the full time profiles (every bucket, not the relaxation's few), in numpy: each
server's load is a vector of cores and memory per bucket plus storage, each unit (a bundle of
replicas that share a server, at the kinds the plan chose) a vector too. The emptiest server is
taken apart and its units moved to the servers they fit best (best fit: the fullest that still
holds them, no conflict, a host mode that runs them); a unit that fits nowhere may swap with a
smaller unit of a server, which then moves on. A server emptied is dropped; one that cannot be
is left and the next tried. Every step is charged as counted work, so a seed fixes the result.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from planner.domain import PlacementKind
from planner.rules import kind_fits_mode
from planner.solver.budget import Budget
from planner.solver.greedy import Assignment
from planner.solver.timed import TimeModel

CHECK_WORK = 2e-6  # nominal seconds per vectorised check, plus per thousand components checked
SWAP_TRIES = 8  # units of a target server tried in a swap
MAX_SHAKES = 50  # thinning-outs in a row without a server emptied, before the search ends


class _State:
    """Loads, room and rules of every server of a plan, and its units, as numpy vectors."""

    def __init__(self, model: TimeModel, plan: Assignment) -> None:
        base = model.base
        self.model, self.plan = model, plan
        self.units: list[list[int]] = []  # item indices of each unit
        self.where: list[int] = []  # server of each unit
        by_bundle: dict[int, list[int]] = {}
        for i in sorted(plan.placed):
            by_bundle.setdefault(base.items[i].bundle, []).append(i)
        for b in sorted(by_bundle):
            self.units.append(by_bundle[b])
            self.where.append(plan.placed[by_bundle[b][0]][0])
        self.size = np.array([self._vector(u) for u in self.units]) if self.units else np.zeros((0, 1))
        self.room = np.array([self._room(m, mode) for m, mode in plan.servers])
        self.load = np.zeros_like(self.room)
        for u, s in enumerate(self.where):
            self.load[s] += self.size[u]
        self.vms = [self._host_vms(s) for s in range(len(plan.servers))]
        for s, oses in enumerate(self.vms):
            for os_name in oses:
                self.load[s] += self._vm(os_name)
        self.scale = np.maximum(1, self.room.max(axis=0))
        self.alive = np.ones(len(plan.servers), dtype=bool)
        self.need = [self._needs(u) for u in range(len(self.units))]
        self.keys: list[Counter[int]] = [Counter() for _ in plan.servers]  # conflict sets present on each server
        for u, s in enumerate(self.where):
            self.keys[s].update(self.need[u][1])

    def _vector(self, unit: list[int]) -> np.ndarray:
        base, model = self.model.base, self.model
        parts = []
        for i in unit:
            name, kind = base.items[i].workload.name, self.plan.placed[i][1]
            parts.append(np.concatenate([model.cpu[name, kind], model.memory[name, kind], [base.items[i].footprints[kind][2]]]))
        return np.sum(parts, axis=0)

    def _room(self, m: int, mode: str) -> np.ndarray:
        base = self.model.base
        cpu, memory = self.model.caps[m]
        reserve = base.reserve(mode, m)
        return np.concatenate([cpu - reserve[0], memory - reserve[1], [base.capacities[m][2] - reserve[2]]])

    def _vm(self, os_name: str) -> np.ndarray:
        v, b = self.model.base.container_vms[os_name], self.model.buckets
        return np.concatenate([np.full(b, v[0]), np.full(b, v[1]), [v[2]]])

    def _host_vms(self, s: int) -> set[str]:
        base = self.model.base
        return {
            base.items[i].workload.os
            for i, (t, kind) in self.plan.placed.items()
            if t == s and kind == PlacementKind.CONTAINER_IN_VM
        }

    def _needs(self, u: int) -> tuple[set[str], set[int], list[tuple[str, str]]]:
        """A unit's container-host VMs, conflict sets, and (kind, OS) of its members."""
        base = self.model.base
        members = [(self.plan.placed[i][1], base.items[i].workload.os) for i in self.units[u]]
        vms = {os_name for kind, os_name in members if kind == PlacementKind.CONTAINER_IN_VM}
        return vms, base.bundle_conflicts[base.items[self.units[u][0]].bundle], members

    def targets(self, u: int, exclude: set[int], budget: Budget) -> np.ndarray:
        """Servers that could take unit u now (room in every bucket, rules), best fit first."""
        budget.spend(CHECK_WORK * (1 + self.load.size / 1000))
        vms, conflicts, members = self.need[u]
        add = np.tile(self.size[u], (len(self.load), 1))
        if vms:
            for s, oses in enumerate(self.vms):
                for os_name in vms - oses:
                    add[s] += self._vm(os_name)
        ok = self.alive & np.all(self.load + add <= self.room, axis=1)
        for t in (int(x) for x in np.flatnonzero(ok)):
            mode = self.plan.servers[t][1]
            clash = t != self.where[u] and any(self.keys[t][c] for c in conflicts)
            if t in exclude or clash or not all(kind_fits_mode(k, o, mode) for k, o in members):
                ok[t] = False
        found = np.flatnonzero(ok)
        fill = ((self.load[found] + add[found]) / self.scale).sum(axis=1)
        return found[np.argsort(-fill, kind="stable")]

    def move(self, u: int, s: int) -> None:
        """Move unit u to server s (adding the container-host VMs it needs there)."""
        vms, conflicts, _ = self.need[u]
        self.keys[self.where[u]].subtract(conflicts)
        self.keys[s].update(conflicts)
        self.load[self.where[u]] -= self.size[u]
        for os_name in vms - self.vms[s]:
            self.vms[s].add(os_name)
            self.load[s] += self._vm(os_name)
        self.load[s] += self.size[u]
        self.where[u] = s


def _empty(state: _State, s: int, budget: Budget) -> bool:
    """Move every unit off server s (largest first, with swaps); True when it ends empty, else every move undone."""
    saved = (state.load.copy(), list(state.where), [set(v) for v in state.vms], [Counter(k) for k in state.keys])
    units = sorted((u for u, w in enumerate(state.where) if w == s), key=lambda u: -float((state.size[u] / state.scale).sum()))
    for u in units:
        if budget.left() <= 0 or not (_place(state, u, {s}, budget) or _swap(state, u, s, budget)):
            state.load, state.where, state.vms, state.keys = saved
            return False
    state.alive[s] = False
    return True


def _place(state: _State, u: int, exclude: set[int], budget: Budget) -> bool:
    found = state.targets(u, exclude, budget)
    if not len(found):
        return False
    state.move(u, int(found[0]))
    return True


def _swap(state: _State, u: int, s: int, budget: Budget) -> bool:
    """Unit u into a server t in place of a smaller unit v, which moves to a third server."""
    weight = (state.size / state.scale).sum(axis=1)
    where = np.array(state.where)
    for t in np.flatnonzero(state.alive):
        if t == s:
            continue
        others = [v for v in np.flatnonzero(where == t) if weight[v] < weight[u]][:SWAP_TRIES]
        for v in sorted(others, key=lambda v: -weight[v]):
            if budget.left() <= 0:
                return False
            state.move(int(v), s)  # park v on the server being emptied
            if _place(state, u, {s} | {int(x) for x in np.flatnonzero(state.alive) if x != t}, budget):
                if _place(state, int(v), {s, int(t)}, budget):
                    return True
                state.move(u, s)
            state.move(int(v), int(t))
    return False


def fewer_servers(model: TimeModel, plan: Assignment, budget: Budget) -> Assignment:
    """The plan with as many servers emptied as the budget allows (never a worse one)."""
    if len(plan.servers) < 2 or not plan.placed:
        return plan
    state = _State(model, plan)
    tried: set[int] = set()
    shaken = 0
    while budget.left() > 0:
        alive = [s for s in np.flatnonzero(state.alive) if int(s) not in tried]
        if not alive:  # no server empties whole: thin out the emptiest (what fits elsewhere moves) and retry
            order = sorted((int(x) for x in np.flatnonzero(state.alive)), key=lambda x: _fill(state, x))
            if shaken >= MAX_SHAKES or not any(_thin_out(state, x, budget) for x in order):
                break
            shaken += 1
            tried.clear()
            continue
        emptiest = _emptiest(state, tried)
        if _empty(state, emptiest, budget):
            tried.clear()  # room moved: servers that could not be emptied may be now
            shaken = 0
        else:
            tried.add(emptiest)
    return _assignment(state)


def _fill(state: _State, s: int) -> float:
    """How full a server is: its load summed over components, each relative to the largest room."""
    return float((state.load[s] / state.scale).sum())


def _emptiest(state: _State, tried: set[int]) -> int:
    """The live server with the least load (normalised), not yet tried."""
    alive = [int(s) for s in np.flatnonzero(state.alive) if int(s) not in tried]
    return min(alive, key=lambda s: (_fill(state, s), s))


def _thin_out(state: _State, s: int, budget: Budget) -> bool:
    """Move whatever units of server s fit elsewhere (smallest first): True when any moved."""
    moved = False
    units = sorted((u for u, w in enumerate(state.where) if w == s), key=lambda u: float((state.size[u] / state.scale).sum()))
    for u in units:
        if budget.left() <= 0:
            break
        moved = _place(state, u, {s}, budget) or moved
    return moved


def _assignment(state: _State) -> Assignment:
    """The state's plan: live servers renumbered in order, each item on its unit's server at its kind."""
    used = set(state.where)  # a server thinned out to nothing is dropped too
    keep = [s for s in range(len(state.plan.servers)) if s in used]
    index = {s: n for n, s in enumerate(keep)}
    placed = {i: (index[state.where[u]], state.plan.placed[i][1]) for u, unit in enumerate(state.units) for i in unit}
    return Assignment([state.plan.servers[s] for s in keep], placed)
