"""First-fit decreasing that honours every rule: the constructive start and the hint.

Bundles (affinity copies) are packed largest first into the first open server where
they fit; a new server is opened only when none fits. Several orders of server
models and host modes are tried and the cheapest plan kept. The result is also the
canonical start for CP-SAT: servers of a model are numbered in the order they open.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from planner.domain import PlacementKind
from planner.rules import container_host_mode, kind_fits_mode
from planner.solver.problem import Problem, Vec, min_footprint, vec_add, vec_fits

CONTAINERS_FIRST, HYPERVISOR_FIRST = "containers_first", "hypervisor_first"


@dataclass
class Assignment:
    """Servers as (model index, mode) and each placed item's (server index, placement kind)."""

    servers: list[tuple[int, str]] = field(default_factory=list)
    placed: dict[int, tuple[int, str]] = field(default_factory=dict)

    def cost(self, problem: Problem) -> int:
        """Objective cost of the servers used."""
        return sum(problem.costs[m] for m, _ in self.servers)

    def count(self, model: int) -> int:
        """Servers of one model."""
        return sum(1 for m, _ in self.servers if m == model)


@dataclass
class _Open:
    model: int
    mode: str
    load: Vec
    container_vms: set[str]
    conflicts: set[int]


def try_bundle(problem: Problem, server: _Open, bundle: list[int], amortize: bool = False) -> list[tuple[int, str]] | None:
    """Kinds for each item of a bundle on this server, or None when it does not fit.

    With `amortize`, a container-host VM still has to fit but is not charged to the
    first container that needs it (later containers share it), which favours containers.
    """
    if server.conflicts & problem.bundle_conflicts[problem.items[bundle[0]].bundle]:
        return None
    cap = problem.capacities[server.model]
    load, vms = server.load, set(server.container_vms)
    chosen: list[tuple[int, str]] = []
    for i in bundle:
        item = problem.items[i]
        best: tuple[float, str, Vec] | None = None
        for kind, fp in item.footprints.items():
            if not kind_fits_mode(kind, item.workload.os, server.mode):
                continue
            add = fp
            if kind == PlacementKind.CONTAINER_IN_VM and item.workload.os not in vms:
                add = vec_add(add, problem.container_vms[item.workload.os])
            new = vec_add(load, add)
            if not vec_fits(new, cap):
                continue
            charged = fp if amortize else add
            score = sum(charged[k] / max(1, cap[k]) for k in range(3))
            if best is None or score < best[0]:
                best = (score, kind, new)
        if best is None:
            return None
        _, kind, load = best
        if kind == PlacementKind.CONTAINER_IN_VM:
            vms.add(item.workload.os)
        chosen.append((i, kind))
    return chosen


def fits_empty_server(problem: Problem, bundle: list[int], model: int | None = None) -> bool:
    """True when the bundle fits an empty server of `model` (or of any model) in some host mode."""
    for m in range(len(problem.capacities)) if model is None else (model,):
        for mode in problem.modes:
            server = open_server(problem, m, mode)
            if vec_fits(server.load, problem.capacities[m]) and try_bundle(problem, server, bundle) is not None:
                return True
    return False


def _commit(problem: Problem, server: _Open, chosen: list[tuple[int, str]]) -> None:
    for i, kind in chosen:
        item = problem.items[i]
        add = item.footprints[kind]
        if kind == PlacementKind.CONTAINER_IN_VM and item.workload.os not in server.container_vms:
            add = vec_add(add, problem.container_vms[item.workload.os])
            server.container_vms.add(item.workload.os)
        server.load = vec_add(server.load, add)
    server.conflicts |= problem.bundle_conflicts[problem.items[chosen[0][0]].bundle]


def _new_server_modes(problem: Problem, bundle: list[int], preference: str) -> list[str]:
    oses = {problem.items[i].workload.os for i in bundle}
    bare = len(oses) == 1 and all(PlacementKind.CONTAINER_BARE in problem.items[i].footprints for i in bundle)
    modes = ["hypervisor"]
    if bare and container_host_mode(next(iter(oses))) in problem.modes:
        host = container_host_mode(next(iter(oses)))
        modes = [host, "hypervisor"] if preference == CONTAINERS_FIRST else ["hypervisor", host]
    return modes


def open_server(problem: Problem, model: int, mode: str) -> _Open:
    """An empty server of `model` in host `mode`, its host reserve already loaded."""
    return _Open(model, mode, problem.reserve(mode, model), set(), set())


def opened_servers(problem: Problem, plan: Assignment) -> list[_Open]:
    """A plan's servers as first fit holds them: each load with its host reserve and container-host VMs."""
    servers = [open_server(problem, m, mode) for m, mode in plan.servers]
    for i, (s, kind) in sorted(plan.placed.items()):
        _commit(problem, servers[s], [(i, kind)])
    return servers


@dataclass
class Packer:
    """First-fit state: open servers, what is placed where, and per shape class the first
    server that may still have room for it (loads only grow, so a server too full for a
    class stays too full; this keeps first fit near-linear on estates with few shapes)."""

    servers: list[_Open] = field(default_factory=list)
    result: Assignment = field(default_factory=Assignment)
    start_at: dict[int, int] = field(default_factory=dict)
    visits: int = 0  # servers looked at: the packer's work, counted the same on any machine

    def add_server(self, server: _Open) -> int:
        """Append an opened server; returns its index."""
        self.servers.append(server)
        self.result.servers.append((server.model, server.mode))
        return len(self.servers) - 1

    def commit(self, problem: Problem, s: int, chosen: list[tuple[int, str]]) -> None:
        """Place the chosen (item, kind) pairs on server s."""
        _commit(problem, self.servers[s], chosen)
        self.result.placed.update({i: (s, k) for i, k in chosen})

    def first_fit(self, problem: Problem, b: int, amortize: bool) -> bool:
        """Place bundle b on the first open server where it fits; False when none does."""
        bundle, c = problem.bundles[b], problem.bundle_class[b]
        conflicts = problem.bundle_conflicts[b]
        least = problem.bundle_min[b]  # the least the bundle adds to any server, in any form (a container-host VM adds more)
        s, moving = self.start_at.get(c, 0), True
        while s < len(self.servers):
            server = self.servers[s]
            self.visits += 1
            if server.conflicts & conflicts:
                moving = False
            elif not vec_fits(vec_add(server.load, least), problem.capacities[server.model]):
                if moving:  # too full for the least this class adds: it stays too full (loads only grow)
                    self.start_at[c] = s + 1
            else:
                chosen = try_bundle(problem, server, bundle, amortize)
                if chosen is not None:
                    self.commit(problem, s, chosen)
                    return True
                if moving:
                    self.start_at[c] = s + 1
            s += 1
        return False

    def open_for(self, problem: Problem, b: int, model_order: list[int], preference: str, amortize: bool) -> bool:
        """Open a server of the first model in model_order (within its limit) that takes bundle b."""
        bundle = problem.bundles[b]
        for m in model_order:
            limit = problem.max_counts[m]
            if limit is not None and self.result.count(m) >= limit:
                continue
            for mode in _new_server_modes(problem, bundle, preference):
                server = open_server(problem, m, mode)
                if not vec_fits(server.load, problem.capacities[m]):
                    continue
                chosen = try_bundle(problem, server, bundle, amortize)
                if chosen is not None:
                    self.commit(problem, self.add_server(server), chosen)
                    return True
        return False

    def pack(self, problem: Problem, bundles: list[int], model_order: list[int], preference: str, amortize: bool) -> None:
        """First fit for each bundle in the order given, opening servers when none fits."""
        for b in bundles:
            if b not in problem.self_conflicting and not self.first_fit(problem, b, amortize):
                self.open_for(problem, b, model_order, preference, amortize)


def first_fit_decreasing(problem: Problem, model_order: list[int], preference: str, amortize: bool = False) -> Assignment:
    """Pack every bundle, largest first, opening servers of the first model in model_order that fits."""
    return _ffd(problem, model_order, preference, amortize)[0]


def _ffd(problem: Problem, model_order: list[int], preference: str, amortize: bool) -> tuple[Assignment, int]:
    """First-fit decreasing, and the servers it looked at (its work)."""
    packer = Packer()
    packer.pack(problem, list(range(len(problem.bundles))), model_order, preference, amortize)
    return packer.result, packer.visits


def model_orders(problem: Problem) -> list[list[int]]:
    """Orders of server models to try: each model first, the rest by what the estate would cost on it alone.

    On one model alone the estate needs at least its demand over that model's capacity, in the resource
    that binds; that times the price ranks the models (a resource no one demands, such as storage on a
    shared pool, ranks none).
    """
    demand: Vec = (0, 0, 0)  # a replica no form fits anywhere adds nothing (it is reported unplaced)
    for item in problem.items:
        demand = vec_add(demand, min_footprint(item))

    def cost_alone(m: int) -> float:
        cap = problem.capacities[m]
        servers = max((demand[k] / cap[k] for k in range(3) if cap[k] > 0), default=0.0)
        return problem.costs[m] * servers if servers > 0 else float(problem.costs[m])

    by_value = sorted(range(len(problem.capacities)), key=cost_alone)
    return [[m, *(o for o in by_value if o != m)] for m in by_value]


def _variants(problem: Problem) -> list[tuple[str, bool]]:
    """Host-mode preference and form scoring variants; without containers they are all the same."""
    if len(problem.modes) == 1 and not any(PlacementKind.CONTAINER_IN_VM in i.footprints for i in problem.items):
        return [(HYPERVISOR_FIRST, False)]
    return [(pref, amortize) for pref in (CONTAINERS_FIRST, HYPERVISOR_FIRST) for amortize in (False, True)]


def best_greedy(problem: Problem, seconds: float | None = None, visits: int | None = None) -> Assignment:
    """The best first-fit-decreasing plan over model orders, host-mode preferences and form scoring.

    Variants are tried in order (best-value model first) until `seconds` of time or `visits` of work
    (servers looked at: the same on any machine, for deterministic runs) are used; at least one
    always runs, so large estates still get a start within the budget.
    """
    began = time.monotonic()
    best: Assignment | None = None
    work = 0
    for order in model_orders(problem):
        for pref, amortize in _variants(problem):
            if best is not None and seconds is not None and time.monotonic() - began > seconds:
                return best
            if best is not None and visits is not None and work > visits:
                return best
            plan, looked = _ffd(problem, order, pref, amortize)
            work += looked
            if best is None or (-len(plan.placed), plan.cost(problem), len(plan.servers)) < (
                -len(best.placed),
                best.cost(problem),
                len(best.servers),
            ):
                best = plan
    assert best is not None
    return best


def single_model_counts(problem: Problem) -> list[int]:
    """Servers first-fit decreasing needs when it may buy only one model (for pool sizes)."""
    counts = []
    for m in range(len(problem.capacities)):
        runs = [first_fit_decreasing(problem, [m], pref, amortize) for pref, amortize in _variants(problem)]
        counts.append(min(len(r.servers) for r in runs))
    return counts
