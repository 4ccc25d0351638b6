"""The plain core of a mixed estate: one server model in one host mode, every replica in the one
form it takes there (on a hypervisor a VM, or a container in its OS's container-host VM; on a
container host, a container of the host's OS).

A restriction, so every plan of the core is a plan of the estate and passes the checker. Where the
choice of form and model does not pay much (overheads that barely differ, one model cheapest per
core and per GB), the best plan lies in a core, and the searches for plain vector packing reach it:
first-fit decreasing, then the consistent neighbourhood search with the replica, anti-affinity and
affinity rules kept (an affinity copy moves as one item; rules that keep replicas apart are foes).
The cores are tried cheapest bound first; a core's plan is kept only when it costs less.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from planner.domain import HostMode, PlacementKind
from planner.rules import kind_fits_mode
from planner.solver.budget import Budget
from planner.solver.greedy import Assignment
from planner.solver.packing.cns import Bins
from planner.solver.packing.vector_cns import improve_vector_packing
from planner.solver.problem import Problem, vec_sub

FFD_ITEM_WORK = 5e-5  # nominal seconds per item of the core's first fit (deterministic runs; measured 58 us at 10,000)
FFD_SERVER_WORK = 5e-9  # and per open server it looks at (numpy, all at once)
FIRST_FIT_CORES = 4  # cores with the lowest bounds that get a first fit (the bound ranks them well)
SEARCHED_CORES = 2  # cores the local search goes on with, best first fit first
CORE_STEP_WORK = 5e-6  # a local-search step's nominal seconds per server on a core (measured 4.8 us on 2,600, foes kept)
FIRST_CORE_SHARE = 0.7  # of the budget, what the best core's local search may take


@dataclass(frozen=True)
class Core:
    """One model and mode's plain packing: the bundles' sizes in the binding resources, the room, the foes,
    and the placement kind each replica takes."""

    model: int
    mode: str
    kinds: dict[int, str]  # replica -> its placement kind in this core
    bundles: list[int]
    sizes: list[tuple[int, ...]]
    room: tuple[int, ...]
    foes: list[frozenset[int]]
    lower: int  # servers the core needs at least: its total demand over the room, in the tightest resource


def core_kinds(problem: Problem, items: list[int], mode: str, containers_first: bool) -> dict[int, str] | None:
    """The kind each replica takes in a core of `mode`, or None when one cannot run there.

    On a hypervisor a replica is a VM or a container in its OS's container-host VM (the one the
    policy prefers when it may be either); on a container host, a container of the host's OS."""
    kinds: dict[int, str] = {}
    order = (PlacementKind.CONTAINER_IN_VM, PlacementKind.VM)
    if mode != HostMode.HYPERVISOR:
        allowed: tuple[str, ...] = (PlacementKind.CONTAINER_BARE,)
    else:
        allowed = order if containers_first else order[::-1]
    for i in items:
        item = problem.items[i]
        kind = next((k for k in allowed if k in item.footprints and kind_fits_mode(k, item.workload.os, mode)), None)
        if kind is None:
            return None
        kinds[i] = kind
    return kinds


@dataclass(frozen=True)
class CoreDemand:
    """What a core of one mode and form policy is whatever the model: each replica's kind, each bundle's
    size in every resource, the foes, and the OSes whose containers run in container-host VMs."""

    mode: str
    kinds: dict[int, str]
    bundles: list[int]
    sizes: np.ndarray  # bundles x 3
    foes: list[frozenset[int]]
    vm_oses: tuple[str, ...]


def core_demand(problem: Problem, active: list[int], mode: str, containers_first: bool = True) -> CoreDemand | None:
    """The model-independent part of the cores of `mode` and a form policy, or None when a replica cannot run there."""
    kinds = core_kinds(problem, [i for b in active for i in problem.bundles[b]], mode, containers_first)
    if kinds is None:
        return None
    sizes = np.array(
        [[sum(problem.items[i].footprints[kinds[i]][k] for i in problem.bundles[b]) for k in range(3)] for b in active],
        dtype=np.int64,
    ).reshape(len(active), 3)
    position = {b: j for j, b in enumerate(active)}
    holders: dict[int, list[int]] = {}
    for b in active:
        for c in problem.bundle_conflicts[b]:
            holders.setdefault(c, []).append(position[b])
    foes = [frozenset(j for c in problem.bundle_conflicts[b] for j in holders[c]) - {position[b]} for b in active]
    vm_oses = tuple(sorted({problem.items[i].workload.os for i, k in kinds.items() if k == PlacementKind.CONTAINER_IN_VM}))
    return CoreDemand(mode, kinds, list(active), sizes, foes, vm_oses)


def on_model(problem: Problem, demand: CoreDemand, model: int) -> Core | None:
    """The core of `demand` on `model`, or None when the model does not run its mode or a bundle cannot fit.

    Every server of a core holds a container-host VM for each OS whose replicas run as containers in VMs
    (its reserve is taken off the room): a server that holds none of them has room to spare, never too little."""
    if not problem.allows(demand.mode, model):
        return None
    room = vec_sub(problem.capacities[model], problem.reserve(demand.mode, model))
    for os_name in demand.vm_oses:
        room = vec_sub(room, problem.container_vms[os_name])
    if (demand.sizes > np.maximum(np.array(room), 0)).any():
        return None
    dims = [k for k in range(3) if room[k] > 0]
    sizes = [tuple(row) for row in demand.sizes[:, dims].tolist()]
    core_room = tuple(room[k] for k in dims)
    total = demand.sizes[:, dims].sum(axis=0)
    lower = max(1, max((math.ceil(t / r) for t, r in zip(total.tolist(), core_room, strict=True)), default=1))
    return Core(model, demand.mode, demand.kinds, demand.bundles, sizes, core_room, demand.foes, lower)


def first_fit(core: Core, budget: Budget) -> Bins:
    """First-fit decreasing on the core (largest normalised size first), foes kept apart."""
    sizes = np.array(core.sizes, dtype=float).reshape(len(core.sizes), len(core.room))
    room = np.array(core.room, dtype=float)
    order = np.argsort(-(sizes / room).max(axis=1), kind="stable").tolist()
    loads = np.zeros((len(sizes), len(room)))  # at most one server per bundle; the first len(bins) rows are open
    bins: Bins = []
    where = np.full(len(sizes), -1, dtype=int)
    for j in order:
        budget.spend(FFD_ITEM_WORK + FFD_SERVER_WORK * len(bins))
        fits = (loads[: len(bins)] + sizes[j] <= room).all(axis=1)
        for foe in core.foes[j]:
            if where[foe] >= 0:
                fits[where[foe]] = False
        open_at = np.flatnonzero(fits)
        k = int(open_at[0]) if len(open_at) else len(bins)
        if k == len(bins):
            bins.append([])
        bins[k].append(j)
        loads[k] += sizes[j]
        where[j] = k
    return bins


def to_assignment(problem: Problem, core: Core, bins: Bins) -> Assignment:
    """A plan of the estate from the core's servers (lists of positions in `core.bundles`)."""
    placed = {i: (s, core.kinds[i]) for s, members in enumerate(bins) for j in members for i in problem.bundles[core.bundles[j]]}
    return Assignment([(core.model, core.mode)] * len(bins), placed)


def cores(problem: Problem, active: list[int]) -> list[Core]:
    """Every plain core of the estate (each model and mode; on a hypervisor, containers first or VMs first),
    cheapest bound first, the same core once."""
    found: dict[tuple[object, ...], Core] = {}
    for mode in problem.modes:
        for containers_first in (True, False) if mode == HostMode.HYPERVISOR else (True,):
            demand = core_demand(problem, active, mode, containers_first)
            if demand is None:
                continue
            for model in range(len(problem.capacities)):
                core = on_model(problem, demand, model)
                if core is not None:  # two policies giving the same sizes are one core
                    found.setdefault((model, mode, core.room, tuple(core.sizes)), core)
    return sorted(found.values(), key=lambda c: (c.lower * problem.costs[c.model], c.model, c.mode, c.room))


def core_search(problem: Problem, found_cores: list[Core], best_cost: int, budget: Budget, seed: int = 0) -> Assignment | None:
    """The cheapest plan found in the plain cores (`cores`), or None when none beats `best_cost`.

    The cores with the lowest bounds below `best_cost` get first-fit decreasing (a moment); the local search
    then goes to the cores in order of their first fit's cost, the first taking most of the budget,
    each only while its bound is below the best plan's cost."""
    found: Assignment | None = None
    started = []
    for core in found_cores[:FIRST_FIT_CORES]:  # a model's purchase limit holds in its core too
        if within_limit(problem, core, core.lower) and core.lower * problem.costs[core.model] < best_cost and budget.left() > 0:
            bins = first_fit(core, budget)
            started.append((len(bins) * problem.costs[core.model], core.lower * problem.costs[core.model], core, bins))
    started.sort(key=lambda s: (s[0], s[1]))
    for n, (ffd_cost, lower_cost, core, bins) in enumerate(started[:SEARCHED_CORES]):
        if ffd_cost < best_cost and within_limit(problem, core, len(bins)):
            found, best_cost = to_assignment(problem, core, bins), ffd_cost
        if budget.left() <= 0 or lower_cost >= best_cost:
            continue
        part = budget if n == min(SEARCHED_CORES, len(started)) - 1 else budget.part(FIRST_CORE_SHARE)
        bins = improve_vector_packing(core.sizes, core.room, bins, core.lower, part, seed, core.foes, CORE_STEP_WORK)
        if len(bins) * problem.costs[core.model] < best_cost and within_limit(problem, core, len(bins)):
            found, best_cost = to_assignment(problem, core, bins), len(bins) * problem.costs[core.model]
    return found


def within_limit(problem: Problem, core: Core, servers: int) -> bool:
    """True when `servers` of the core's model are no more than the catalog allows."""
    limit = problem.max_counts[core.model]
    return limit is None or servers <= limit
