"""Mixed catalogs: the plain core of one host mode and form policy over several server models at once.

One model's core cannot pair a memory-heavy replica with a memory-rich model and a CPU-heavy one
with a core-rich model; on a catalog whose models differ in memory per core the cheapest plan
mixes them. In one mode and form policy a replica's size does not depend on the model, so the
models differ only in room and price: variable-sized vector packing. The volume LP over the
models (GLOP) prices each resource (its duals); servers are then filled one at a time
(bin-centric, as `bin_centric.py`), each filled once per model, and the model whose filled server
carries the most priced demand per unit of its price is bought. The plan is then improved by ruin
and recreate (a few servers filled again, kept when cheaper) and by draining servers (`drain.py`).
Every plan of a core is a plan of the estate.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

import numpy as np
from ortools.linear_solver import pywraplp

from planner.domain import HostMode
from planner.solver.budget import Budget
from planner.solver.greedy import Assignment
from planner.solver.packing.bin_centric import GROUP, PAIR_WORK
from planner.solver.packing.core import Core, core_demand, core_kinds, on_model
from planner.solver.packing.drain import drain
from planner.solver.problem import Problem

LEAN_WEIGHT = 12.0  # how strongly a bundle leaning the way the demand left over leans is preferred (so that
# it does not drift one way and leave lopsided servers last: 10,000 many-shaped workloads cost 1% less)
FOE_URGENCY = 2.0  # a bundle's fill score grows by this much per foe still to place (replicas left last
# need a server each: on 3,000 many-shaped workloads the fill's cost fell 2%)
PICK_WORK = 2e-5  # and per bundle it picks (numpy's fixed cost per call: small pools)
STEP_WORK = 2e-6  # nominal seconds per server of a ruin-and-recreate step's choice (deterministic runs)
REFILL_SHARE = 0.9  # of the budget left after the fill, what ruin and recreate takes (the drain the rest)
REFILL_SERVERS = 40  # servers a ruin-and-recreate step pools at most
REFILL_PATIENCE = 50  # steps without a cheaper fill after which it stops, and one more per server
MIXED_EDGE = 0.02  # how far below the best single-model bound the mixed LP must be for mixing to be tried
FILL_SHARE = 0.8  # of its budget, the most the mixed fill's expected work may take (else it is skipped)
Servers = list[tuple[int, list[int]]]  # (position in the core's models, bundle positions) per server


@dataclass(frozen=True)
class MixedCore:
    """The same mode and form policy on every model it fits: one size per bundle, a room and a price per model."""

    cores: tuple[Core, ...]  # one per model, equal kinds and sizes
    sizes: np.ndarray  # bundles x binding resources
    rooms: np.ndarray  # models x binding resources
    costs: tuple[int, ...]
    limits: tuple[int | None, ...]


def mode_core(problem: Problem, bundles: list[int], mode: str, containers_first: bool) -> MixedCore | None:
    """The bundles' core in one mode and form policy over every model that holds them all with the same sizes."""
    demand = core_demand(problem, bundles, mode, containers_first)
    fits = [on_model(problem, demand, m) for m in range(len(problem.capacities))] if demand is not None else []
    group = [c for c in fits if c is not None]
    if not group or any(c.sizes != group[0].sizes or len(c.room) != len(group[0].room) for c in group):
        return None
    return MixedCore(
        tuple(group),
        np.array(group[0].sizes, dtype=float).reshape(len(group[0].sizes), len(group[0].room)),
        np.array([c.room for c in group], dtype=float),
        tuple(problem.costs[c.model] for c in group),
        tuple(problem.max_counts[c.model] for c in group),
    )


def cheapest_mode(problem: Problem, bundle: int, rooms: dict[str, np.ndarray]) -> str | None:
    """The host mode where the bundle takes the least room (its largest share of `rooms[mode]`, the biggest
    room a server of that mode has in each resource)."""
    best: tuple[float, str] | None = None
    items = problem.bundles[bundle]
    for mode, room in rooms.items():
        kinds = core_kinds(problem, items, mode, True)
        if kinds is None:
            continue
        size = np.sum([problem.items[i].footprints[kinds[i]] for i in items], axis=0)
        share = float((size / room).max())
        if best is None or share < best[0] - 1e-12:
            best = (share, mode)
    return None if best is None else best[1]


def _biggest_rooms(problem: Problem) -> dict[str, np.ndarray]:
    """Per host mode some model runs, the biggest capacity in each resource among those models."""
    rooms = {}
    for mode in problem.modes:
        models = [m for m in range(len(problem.capacities)) if problem.allows(mode, m)]
        if models:
            rooms[mode] = np.max([np.maximum(np.array(problem.capacities[m], dtype=float), 1.0) for m in models], axis=0)
    return rooms


def candidates(problem: Problem, active: list[int]) -> list[list[MixedCore]]:
    """Ways to cut the estate into mixed cores, cheapest LP first: one mode and form policy for every
    bundle (over at least two models), or each bundle in the mode where it takes least room."""
    found: list[list[MixedCore]] = []
    for mode in problem.modes:
        for containers_first in (True, False) if mode == HostMode.HYPERVISOR else (True,):
            core = mode_core(problem, active, mode, containers_first)
            if core is not None and len(core.costs) > 1:
                found.append([core])
    by_mode: dict[str | None, list[int]] = {}
    rooms = _biggest_rooms(problem)
    for b in active:
        by_mode.setdefault(cheapest_mode(problem, b, rooms), []).append(b)
    if len(by_mode) > 1 and None not in by_mode:
        parts = [mode_core(problem, bundles, str(m), True) for m, bundles in sorted(by_mode.items(), key=lambda mb: str(mb[0]))]
        if all(p is not None for p in parts):
            found.append([p for p in parts if p is not None])
    return sorted(found, key=lambda cut: sum(lp_purchase(c)[0] for c in cut))


def lp_purchase(core: MixedCore, among: np.ndarray | None = None) -> tuple[float, np.ndarray, np.ndarray]:
    """The volume LP: the cheapest fractional purchase whose room covers the demand of the bundles `among`
    (default: all); its value, the price of one unit of each resource (the duals), which value what a
    filled server carries, and the servers of each model it buys."""
    solver = pywraplp.Solver.CreateSolver("GLOP")
    counts = [solver.NumVar(0, solver.infinity(), f"x{m}") for m in range(len(core.costs))]
    total = (core.sizes if among is None else core.sizes[among]).sum(axis=0)
    covers = [
        solver.Add(sum(counts[m] * float(core.rooms[m, k]) for m in range(len(counts))) >= float(total[k]))
        for k in range(len(total))
    ]
    solver.Minimize(sum(c * x for c, x in zip(core.costs, counts, strict=True)))
    if solver.Solve() != pywraplp.Solver.OPTIMAL:
        return float("inf"), np.zeros(len(total)), np.zeros(len(counts))
    price = np.array([max(0.0, c.dual_value()) for c in covers])
    return solver.Objective().Value(), price, np.array([x.solution_value() for x in counts])


def _fill(core: MixedCore, m: int, pool: np.ndarray, left: np.ndarray, urgency: np.ndarray, lean: np.ndarray) -> list[int]:
    """One server of model m filled from `pool` (positions still `left`): the fitting bundle whose
    normalised size best matches the room left, weighed up by its `urgency` and by how much it leans
    the way the bundles left over lean (`lean`: per resource, their excess share over the room still
    to be bought; 0 where a resource does not bind), until none fits; foes kept apart."""
    room, members = core.rooms[m].copy(), list[int]()
    sizes = core.sizes[pool]
    scale = np.maximum(core.rooms[m], 1e-9)
    norm = sizes / scale
    weight = urgency[pool]
    binding = lean != 0
    if binding.sum() > 1:
        share = norm[:, binding] / np.maximum(norm[:, binding].sum(axis=1, keepdims=True), 1e-12)
        tilt = binding.sum() * (share - 1 / binding.sum()) @ lean[binding]
        weight = weight * np.maximum(0.05, 1 + LEAN_WEIGHT * tilt)
    free = left[pool].copy()
    foes = core.cores[0].foes
    while True:
        fits = free & (sizes <= room + 1e-9).all(axis=1)
        if not fits.any():
            return members
        score = (norm @ (room / scale)) * weight
        j = int(np.argmax(np.where(fits, score, -np.inf)))
        members.append(int(pool[j]))
        free[j] = False
        room = room - sizes[j]
        if foes[pool[j]]:  # the foes' places in the pool (sorted), where they are in it
            theirs = np.fromiter(foes[pool[j]], dtype=int)
            at = np.minimum(np.searchsorted(pool, theirs), len(pool) - 1)
            free[at[pool[at] == theirs]] = False


def _lean(core: MixedCore, rest: np.ndarray, planned: np.ndarray, price: np.ndarray) -> np.ndarray:
    """How the demand still to place leans against the room still to buy (the LP's servers less those
    bought), per resource that binds (priced): its share less an even share; 0 elsewhere."""
    room = (np.maximum(planned, 0.0)[:, None] * core.rooms).sum(axis=0)
    binding = (price > 0) & (room > 0)
    lean = np.zeros(len(rest))
    if binding.sum() > 1:
        ratio = rest[binding] / room[binding]
        lean[binding] = ratio / ratio.sum() - 1 / binding.sum()
    return lean


def mixed_fill(
    core: MixedCore, budget: Budget, among: np.ndarray | None = None, bought: list[int] | None = None
) -> Servers | None:
    """Servers bought one at a time for the bundles `among` (default: all), each the model whose filled
    server carries the most priced demand per unit of price, with `bought` (per model) already bought
    toward the purchase limits; a large core is dealt into size-stratified groups of GROUP bundles.
    None when the budget runs out first."""
    among = np.arange(len(core.sizes)) if among is None else np.sort(among)
    _, price, _ = lp_purchase(core, among)
    value = core.sizes @ price
    groups = max(1, -(-len(among) // GROUP))
    order = among[np.argsort(-(core.sizes[among] / core.rooms.max(axis=0)).sum(axis=1), kind="stable")]
    left = np.zeros(len(core.sizes), dtype=bool)
    left[among] = True
    foes = core.cores[0].foes
    waiting = np.zeros(len(core.sizes))  # foes not yet placed: each needs another server
    waiting[among] = [sum(1 for f in foes[j] if left[f]) for j in among.tolist()]
    bought = [0] * len(core.costs) if bought is None else list(bought)
    servers: Servers = []
    for g in range(groups):
        pool = np.sort(order[g::groups])
        planned = lp_purchase(core, pool)[2]  # the group's own LP purchase: its drift is measured against it
        rest = core.sizes[pool].sum(axis=0)  # the group's demand still to place
        mine = [0] * len(core.costs)  # servers of each model bought for the group
        while left[pool].any():
            lean = _lean(core, rest, planned - np.array(mine), price)
            best: tuple[float, int, list[int]] | None = None
            for m in range(len(core.costs)):
                if core.limits[m] is not None and bought[m] >= core.limits[m]:  # type: ignore[operator]
                    continue
                members = _fill(core, m, pool, left, 1 + FOE_URGENCY * waiting, lean)
                if not budget.spend((PAIR_WORK * len(pool) + PICK_WORK) * (len(members) + 1)):
                    return None
                worth = float(value[members].sum()) / core.costs[m] if core.costs[m] > 0 else float("inf")
                if members and (best is None or worth > best[0] + 1e-12):
                    best = (worth, m, members)
            if best is None:
                return None  # every model at its purchase limit, or a bundle that fits none
            _, m, members = best
            left[members] = False
            rest = rest - core.sizes[members].sum(axis=0)
            for j in members:
                waiting[list(foes[j])] -= 1
            bought[m] += 1
            mine[m] += 1
            servers.append((m, members))
    return servers


def refill(core: MixedCore, servers: Servers, budget: Budget, seed: int = 0) -> Servers:
    """Ruin and recreate: the bundles of a few servers filled again from scratch, kept when cheaper. A greedy
    fill's last servers are lopsided (what was left over has one shape: full in cores, not in memory);
    pooled with servers lopsided the other way and some at random, the fill makes balanced ones of them."""
    rng = random.Random(seed)
    models = [m for m, _ in servers]
    members = [list(b) for _, b in servers]
    loads = np.array([core.sizes[b].sum(axis=0) for b in members]).reshape(len(members), core.sizes.shape[1])
    quiet, patience = 0, REFILL_PATIENCE + len(servers)
    while budget.left() > 0 and quiet < patience and len(members) > 1:
        budget.spend(STEP_WORK * len(members))
        chosen = _ruin(loads / np.maximum(core.rooms[models], 1e-9), rng)
        bought = np.bincount(np.delete(np.array(models), chosen), minlength=len(core.costs)).tolist()
        pool = np.array(sorted(j for s in chosen for j in members[s]), dtype=int)
        new = mixed_fill(core, budget, pool, bought)
        if new is None or cost_of(core, new) >= sum(core.costs[models[s]] for s in chosen):
            quiet += 1
            continue
        gone = set(chosen)
        keep = [s for s in range(len(members)) if s not in gone]
        models = [models[s] for s in keep] + [m for m, _ in new]
        members = [members[s] for s in keep] + [b for _, b in new]
        loads = np.vstack([loads[keep], [core.sizes[b].sum(axis=0) for _, b in new]])
        quiet = 0
    return list(zip(models, members, strict=True))


def _ruin(fill: np.ndarray, rng: random.Random) -> list[int]:
    """Servers to pool: the most lopsided each way (fuller in the first resource than the second, and the
    reverse), with noise, and a few at random."""
    n = len(fill)
    k = min(n, rng.randint(2, REFILL_SERVERS))
    noise = np.array([0.5 + rng.random() for _ in range(n)])
    tilt = (fill[:, 0] - fill[:, 1]) if fill.shape[1] > 1 else -fill[:, 0]
    chosen = dict.fromkeys(np.argsort(-tilt * noise, kind="stable")[: k // 3 + 1].tolist())
    chosen |= dict.fromkeys(np.argsort(tilt * noise, kind="stable")[: k // 3 + 1].tolist())
    chosen |= dict.fromkeys(rng.sample(range(n), max(0, min(n, k) - len(chosen))))
    return sorted(chosen)


def drained(core: MixedCore, servers: Servers, budget: Budget) -> Servers:
    """The core's servers emptied or moved to cheaper models where ejection chains allow (`drain.py`)."""
    models = [m for m, _ in servers]
    bins = [members for _, members in servers]
    return drain(core.sizes, core.rooms, core.costs, models, bins, budget, core.cores[0].foes, core.limits)


def cost_of(core: MixedCore, servers: Servers) -> int:
    """What the servers cost."""
    return sum(core.costs[m] for m, _ in servers)


def to_assignment(problem: Problem, cut: list[MixedCore], parts: list[Servers]) -> Assignment:
    """A plan of the estate from each core's servers, one after another."""
    servers: list[tuple[int, str]] = []
    placed: dict[int, tuple[int, str]] = {}
    for core, part in zip(cut, parts, strict=True):
        first = core.cores[0]
        for m, members in part:
            for j in members:
                placed |= {i: (len(servers), first.kinds[i]) for i in problem.bundles[first.bundles[j]]}
            servers.append((core.cores[m].model, first.mode))
    return Assignment(servers, placed)


def paying_cut(problem: Problem, active: list[int], single_cores: list[Core]) -> list[MixedCore] | None:
    """The cheapest cut into mixed cores, when its LP purchase is at least MIXED_EDGE below the best bound of
    the single-model cores (`core.cores`): mixing models may then save what one model cannot; else None."""
    cuts = candidates(problem, active)
    single = min((c.lower * problem.costs[c.model] for c in single_cores), default=math.inf)
    return cuts[0] if cuts and sum(lp_purchase(c)[0] for c in cuts[0]) < (1 - MIXED_EDGE) * single else None


def fill_work(core: MixedCore) -> float:
    """The nominal work `mixed_fill` is expected to charge: each model's fill of each server looks at its group."""
    n = len(core.sizes)
    return 1.2 * len(core.costs) * PAIR_WORK * n * n / max(1, -(-n // GROUP))


def mixed_search(problem: Problem, cut: list[MixedCore], best_cost: int, budget: Budget) -> Assignment | None:
    """The cut's cores filled, then improved with what is left (ruin and recreate, then the drain); None when
    the plan does not beat `best_cost` or the fill would take most of the budget."""
    if sum(lp_purchase(c)[0] for c in cut) >= best_cost or sum(fill_work(c) for c in cut) > FILL_SHARE * budget.left():
        return None
    parts = []
    for core in cut:
        servers = mixed_fill(core, budget)
        if servers is None:
            return None
        parts.append(servers)
    if sum(cost_of(c, s) for c, s in zip(cut, parts, strict=True)) >= best_cost:
        return None
    total = sum(len(s) for s in parts)
    shares = [len(s) / max(1, total) for s in parts]
    parts = [refill(c, s, budget.part(REFILL_SHARE * share)) for c, s, share in zip(cut, parts, shares, strict=True)]
    parts = [drained(c, s, budget.part(share)) for c, s, share in zip(cut, parts, shares, strict=True)]
    return to_assignment(problem, cut, parts)
