"""Packing by time: each server's cores and memory held in every time bucket, buckets added as needed.

A server holds its workloads when, in every time bucket, the sum of their footprints at that
bucket's demand fits its usable capacity. With thousands of buckets (a week of 5-minute
samples) that is thousands of constraints per server, nearly all slack: the search works on a
few *active* buckets (the estate's busiest), appended to each vector as extra components (cores
and memory per active bucket), and each plan it finds is checked in every bucket. Buckets a plan
overloads join the active set and the search runs again: lazy constraint generation, as in
row generation for LPs. Each round's problem is a relaxation of the full one (the flat cores and
memory are each workload's least over all buckets), so its lower bound is a valid bound; the
plan returned always holds in every bucket. Should the rounds run out, a plan with every workload
at its peak bucket holds by construction.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from planner.domain import Estate, PlacementKind
from planner.profiles.footprints import placement_footprint
from planner.profiles.overheads import OverheadProfile
from planner.resources import Resources
from planner.solver.greedy import Assignment
from planner.solver.problem import SCALE, Item, Problem, Vec, bundle_classes, min_footprint, scale_down

FIRST_BUCKETS = 8  # per resource: the estate's busiest buckets the first round holds
ADDED_PER_SERVER = 4  # per overloaded server and resource: its worst buckets are candidates for the next round
ADDED_PER_ROUND = 16  # buckets a round adds at most: those most servers overload (more would slow every round)


def _scaled(values: object, buckets: int) -> np.ndarray:
    """Amounts over time in integer units, rounded up (never understate a load)."""
    array = np.broadcast_to(np.asarray(values, dtype=np.float64), (buckets,))
    return np.ceil(np.round(array * SCALE, 6)).astype(np.int64)


class TimeModel:
    """The full time-bucket footprints of one problem, and the rounds' relaxations of it."""

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
        rows, hv = demand.index(), estate.settings.hypervisor
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

    def first_buckets(self) -> list[int]:
        """The buckets where the estate's smallest footprints add up highest, per resource."""
        chosen: list[int] = []
        for table in (self.cpu, self.memory):
            total = np.zeros(self.buckets, dtype=np.int64)
            for item in self.base.items:
                total += np.min([table[item.workload.name, k] for k in item.footprints], axis=0)
            for b in np.argsort(-total, kind="stable")[:FIRST_BUCKETS]:
                if int(b) not in chosen:
                    chosen.append(int(b))
        return sorted(chosen)

    def relaxation(self, active: list[int]) -> Problem:
        """The problem with the active buckets' cores and memory appended to every vector."""
        base = self.base

        def grow(v: Vec) -> Vec:
            return (*v, *([v[0]] * len(active)), *([v[1]] * len(active)))

        def room(m: int, c: Vec) -> Vec:
            cpu, mem = self.caps[m]
            return (*c, *cpu[active].tolist(), *mem[active].tolist())

        def timed(item: Item, kind: str, flat: Vec) -> Vec:
            cpu, mem = self.cpu[item.workload.name, kind], self.memory[item.workload.name, kind]
            return (int(cpu.min()), int(mem.min()), flat[2], *cpu[active].tolist(), *mem[active].tolist())

        items = [replace(it, footprints={k: timed(it, k, fp) for k, fp in it.footprints.items()}) for it in base.items]
        dims = 3 + 2 * len(active)
        return replace(
            base,
            items=items,
            capacities=[room(m, c) for m, c in enumerate(base.capacities)],
            reserves={mode: [grow(r) for r in rs] for mode, rs in base.reserves.items()},
            container_vms={os_name: grow(v) for os_name, v in base.container_vms.items()},
            bundle_min=[tuple(sum(min_footprint(items[i])[k] for i in bundle) for k in range(dims)) for bundle in base.bundles],
            bundle_class=bundle_classes(items, base.bundles),
        )

    def peak_problem(self) -> Problem:
        """The problem with every workload at its peak bucket: any plan of it holds in every bucket."""
        items = [
            replace(
                it,
                footprints={
                    k: (int(self.cpu[it.workload.name, k].max()), int(self.memory[it.workload.name, k].max()), fp[2])
                    for k, fp in it.footprints.items()
                },
            )
            for it in self.base.items
        ]
        return replace(
            self.base,
            items=items,
            bundle_min=[tuple(sum(min_footprint(items[i])[k] for i in b) for k in range(3)) for b in self.base.bundles],
            bundle_class=bundle_classes(items, self.base.bundles),
        )

    def worst_buckets(self, over: dict[int, list[tuple[int, int]]], active: list[int]) -> list[int]:
        """The buckets to hold next: those the most servers overload (earliest first among equals)."""
        counts: dict[int, int] = {}
        for worst in over.values():
            for _, b in worst:
                if b not in active:
                    counts[b] = counts.get(b, 0) + 1
        return sorted(counts, key=lambda b: (-counts[b], b))[:ADDED_PER_ROUND]

    def overloads(self, plan: Assignment) -> dict[int, list[tuple[int, int]]]:
        """Per overloaded server of a plan: (resource, bucket) pairs, worst first, where its load exceeds capacity."""
        base = self.base
        out: dict[int, list[tuple[int, int]]] = {}
        on: dict[int, list[int]] = {}
        for i, (s, _) in sorted(plan.placed.items()):
            on.setdefault(s, []).append(i)
        for s, (m, mode) in enumerate(plan.servers):
            cap, reserve = self.caps[m], base.reserve(mode, m)
            loads = [np.full(self.buckets, reserve[0], dtype=np.int64), np.full(self.buckets, reserve[1], dtype=np.int64)]
            host_vms: set[str] = set()
            for i in on.get(s, []):
                item, kind = base.items[i], plan.placed[i][1]
                loads[0] += self.cpu[item.workload.name, kind]
                loads[1] += self.memory[item.workload.name, kind]
                if kind == PlacementKind.CONTAINER_IN_VM and item.workload.os not in host_vms:
                    host_vms.add(item.workload.os)
                    loads[0] += base.container_vms[item.workload.os][0]
                    loads[1] += base.container_vms[item.workload.os][1]
            worst = []
            for k in (0, 1):
                excess = loads[k] - cap[k]
                worst += [(k, int(b)) for b in np.argsort(-excess, kind="stable")[:ADDED_PER_SERVER] if excess[b] > 0]
            if worst:
                out[s] = worst
        return out
