"""Packing by time: each server's cores and memory held in every time bucket.

A server holds its workloads when, in every time bucket, the sum of their footprints at that
bucket's demand fits its room (usable capacity less its host reserve; the busiest buckets of an
`interval` scheme at 100% of capacity). `TimeModel` holds every footprint over the buckets as
integer arrays, gives the problem with each workload at its peak bucket (any plan of it holds in
every bucket: the start), a volume bound that holds in every bucket (the cheapest purchase whose
room covers, bucket by bucket, the least the workloads need there, and the conflict sets' sizes),
and the check of a plan in every bucket. `planner.solver.time_search` empties servers on it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np
from ortools.sat.python import cp_model

from planner.domain import Estate, PlacementKind
from planner.profiles.footprints import placement_footprint
from planner.profiles.overheads import OverheadProfile
from planner.resources import Resources
from planner.solver.bounds import min_servers
from planner.solver.greedy import Assignment
from planner.solver.problem import SCALE, Item, Problem, bundle_classes, bundle_minimum, scale_down


def _scaled(values: object, buckets: int) -> np.ndarray:
    """Amounts over time in integer units, rounded up (never understate a load)."""
    array = np.broadcast_to(np.asarray(values, dtype=np.float64), (buckets,))
    return np.ceil(np.round(array * SCALE, 6)).astype(np.int64)


class TimeModel:
    """The full time-bucket footprints of one problem, its peak problem, its bound, and the check in every bucket."""

    def __init__(self, base: Problem, estate: Estate, overhead: OverheadProfile) -> None:
        demand = estate.usage
        if demand is None:
            raise ValueError("packing by time needs the estate's demand over time")
        self.base, self.buckets = base, demand.bucket_cpu.shape[1]
        self.full = demand.at_full()  # buckets held at 100% of capacity (at measured use), the rest at the ceiling
        whole = [estate.effective_capacity(m) for m in estate.server_models]
        self.caps = [
            (np.where(self.full, scale_down(w.cpu_cores), c[0]), np.where(self.full, scale_down(w.memory_gb), c[1]))
            for w, c in zip(whole, base.capacities, strict=True)
        ]  # per model: cores and memory room per bucket
        rows, hv = demand.rows, estate.settings.hypervisor
        self.cpu: dict[tuple[str, str], np.ndarray] = {}
        self.memory: dict[tuple[str, str], np.ndarray] = {}
        for item in base.items:
            w = item.workload
            if (w.name, next(iter(item.footprints), "")) in self.cpu:
                continue
            r = rows[w.name]
            over_time = Resources(demand.bucket_cpu[r], demand.bucket_memory[r], w.storage_gb)  # type: ignore[arg-type]
            for kind in item.footprints:
                real = PlacementKind.CONTAINER_ISOLATED if item.isolated and kind == PlacementKind.CONTAINER_BARE else kind
                fp = placement_footprint(w, real, overhead, hv, demand=over_time)
                self.cpu[w.name, kind] = _scaled(fp.cpu_cores, self.buckets)
                self.memory[w.name, kind] = _scaled(fp.memory_gb, self.buckets)

    def collapsed(self, pick: Callable[[np.ndarray], np.integer]) -> list[Item]:
        """The items with each footprint's cores and memory collapsed over the buckets by `pick` (max: its
        peak, for plans that hold in every bucket; min: its least, for bounds that do)."""

        def one(it: Item, k: str, storage: int) -> tuple[int, int, int]:
            return int(pick(self.cpu[it.workload.name, k])), int(pick(self.memory[it.workload.name, k])), storage

        return [replace(it, footprints={k: one(it, k, fp[2]) for k, fp in it.footprints.items()}) for it in self.base.items]

    def peak_problem(self) -> Problem:
        """The problem with every workload at its peak bucket: any plan of it holds in every bucket."""
        items = self.collapsed(np.max)
        return replace(
            self.base,
            items=items,
            bundle_min=[bundle_minimum(items, b) for b in self.base.bundles],
            bundle_class=bundle_classes(items, self.base.bundles),
        )

    def volume_bound(self, costs: Sequence[float], limit_s: float) -> float:
        """The cheapest purchase whose room covers, in every bucket, the least the workloads need there:
        a valid lower bound (in the objective's units) on any plan that holds in every bucket."""
        base = self.base
        volume = np.concatenate([self._least(self.cpu), self._least(self.memory), [self._least_storage()]])
        reserve = base.min_reserve()
        rooms = [
            np.concatenate([cpu - reserve[0], memory - reserve[1], [base.capacities[m][2] - reserve[2]]])
            for m, (cpu, memory) in enumerate(self.caps)
        ]
        model = cp_model.CpModel()
        most = [len(base.items) if x is None else min(x, len(base.items)) for x in base.max_counts]
        count = [model.new_int_var(0, n, f"servers[{m}]") for m, n in enumerate(most)]
        for k in np.flatnonzero(volume > 0):
            model.add(sum(int(max(0, room[k])) * n for room, n in zip(rooms, count, strict=True)) >= int(volume[k]))
        model.add(sum(count) >= min_servers(replace(base, items=self.collapsed(np.min)), [it.index for it in base.items]))
        model.minimize(sum(math.floor(100 * c) * n for c, n in zip(costs, count, strict=True)))  # cents, rounded down
        solver = cp_model.CpSolver()
        solver.parameters.max_deterministic_time = limit_s
        solver.parameters.num_workers = 1
        solver.parameters.catch_sigint_signal = False
        if solver.solve(model) == cp_model.INFEASIBLE:
            return 0.0
        return max(0.0, solver.best_objective_bound / 100)

    def _least(self, table: dict[tuple[str, str], np.ndarray]) -> np.ndarray:
        """Per bucket, the sum over replicas of their smallest footprint there."""
        return np.sum([np.min([table[it.workload.name, k] for k in it.footprints], axis=0) for it in self.base.items], axis=0)

    def _least_storage(self) -> int:
        return sum(min(fp[2] for fp in it.footprints.values()) for it in self.base.items)

    def overloads(self, plan: Assignment) -> list[int]:
        """The servers of a plan whose cores or memory exceed their room in some bucket (none, for a sound plan)."""
        base = self.base
        loads = {
            s: [np.full(self.buckets, r[0]), np.full(self.buckets, r[1])]
            for s, r in enumerate(base.reserve(mode, m) for m, mode in plan.servers)
        }
        host_vms: set[tuple[int, str]] = set()
        for i, (s, kind) in sorted(plan.placed.items()):
            w = base.items[i].workload
            loads[s][0] += self.cpu[w.name, kind]
            loads[s][1] += self.memory[w.name, kind]
            if kind == PlacementKind.CONTAINER_IN_VM and (s, w.os) not in host_vms:
                host_vms.add((s, w.os))
                loads[s][0] += base.container_vms[w.os][0]
                loads[s][1] += base.container_vms[w.os][1]
        caps = [self.caps[m] for m, _ in plan.servers]
        return [s for s, (cpu, memory) in loads.items() if np.any(cpu > caps[s][0]) or np.any(memory > caps[s][1])]
