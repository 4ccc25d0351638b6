"""The replay proof: a plan run against a measured history, interval by interval.

For each server and interval, its load (host reserve, container-host VMs, and every placement's
footprint at the workload's measured use in that interval, without the comfort factor) against
its capacity: over the ceiling (the headroom the plan kept is being used) and over 100% (the
workloads would have been short of cores or memory). The history may be the one the plan was
sized from, or a later one (`planner plan --replay`, `planner replay`): a plan made on last month,
checked on this month. Workloads without history replay at their sized demand.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from planner.checker import loads_over_time, placement_kind
from planner.domain import Estate, PlacementKind
from planner.plan import Plan
from planner.profiles.footprints import container_host_vm, placement_footprint
from planner.profiles.overheads import OverheadProfile
from planner.resources import Resources
from planner.usage import DemandOverTime

LABELS = {"cpu_cores": "cpu", "memory_gb": "memory"}


@dataclass(frozen=True)
class ServerReplay:
    """One server over the history: intervals over its ceiling and over its capacity, and its worst moment."""

    server_id: str
    model: str
    over_ceiling: int
    over_capacity: int
    peak_pct: float  # the highest load of cores or memory, % of capacity
    peak_resource: str
    peak_time: str


@dataclass(frozen=True)
class Replay:
    """A plan replayed on a history: per server, and for the whole plan per interval."""

    source: str
    intervals: int
    servers: tuple[ServerReplay, ...]
    held: int  # intervals in which no server went over 100% of its capacity
    within_ceiling: int  # intervals in which every server stayed within its ceiling

    @property
    def held_pct(self) -> float:
        """Share of intervals in which the plan held (no server over 100%)."""
        return 100.0 * self.held / self.intervals if self.intervals else 100.0

    def verdict(self) -> str:
        """The replay in one sentence, for the verdict and the CLI."""
        worst = max(self.servers, key=lambda s: s.peak_pct, default=None)
        sentence = f"replayed on {self.source}: the plan would have held for {self.held_pct:.2f}% of {self.intervals:,} intervals"
        if worst is None:
            return sentence
        over = sum(1 for s in self.servers if s.over_ceiling)
        sentence += f" ({self.within_ceiling:,} within every ceiling; {over} of {len(self.servers)} servers ever above it)"
        return sentence + f"; busiest: {worst.server_id} at {worst.peak_pct:.0f}% {worst.peak_resource}, {worst.peak_time}"


def replay_plan(estate: Estate, overhead: OverheadProfile, plan: Plan, source: str = "") -> Replay:
    """Replay a plan on the estate's measured history (`estate.usage`, which must be set)."""
    demand = estate.usage
    if demand is None:
        raise ValueError("a replay needs the estate's history")
    loads = loads_over_time(estate, overhead, plan, demand.cpu_cores, demand.memory_gb)
    servers, over_capacity, over_ceiling = [], np.zeros(demand.intervals, bool), np.zeros(demand.intervals, bool)
    for s in plan.servers:
        model = estate.server_model(s.model)
        capacity, usable = estate.effective_capacity(model), estate.usable_capacity(model)
        cores, gb = loads[s.server_id]
        pct = {"cpu_cores": 100 * cores / capacity.cpu_cores, "memory_gb": 100 * gb / capacity.memory_gb}
        above_cap = (cores > capacity.cpu_cores + 1e-9) | (gb > capacity.memory_gb + 1e-9)
        above_ceiling = (cores > usable.cpu_cores + 1e-9) | (gb > usable.memory_gb + 1e-9)
        over_capacity |= above_cap
        over_ceiling |= above_ceiling
        resource = max(pct, key=lambda r: float(pct[r].max(initial=0.0)))
        t = int(np.argmax(pct[resource])) if demand.intervals else 0
        servers.append(
            ServerReplay(
                s.server_id,
                s.model,
                int(above_ceiling.sum()),
                int(above_cap.sum()),
                round(float(pct[resource].max(initial=0.0)), 1),
                LABELS[resource],
                demand.time_label(t),
            )
        )
    return Replay(
        source=source or "the history",
        intervals=demand.intervals,
        servers=tuple(servers),
        held=int(demand.intervals - over_capacity.sum()),
        within_ceiling=int(demand.intervals - over_ceiling.sum()),
    )


@dataclass(frozen=True, eq=False)
class ServerSeries:
    """One server over the history, part by part: its host reserve, container-host VMs and each replica."""

    server_id: str
    labels: tuple[str, ...]  # each interval's start, in words
    parts: dict[str, tuple[np.ndarray, np.ndarray]]  # part -> (cores, GB) per interval
    capacity: tuple[float, float]  # cores and GB at 100%
    ceiling: tuple[float, float]  # at the utilization ceilings


def server_series(estate: Estate, overhead: OverheadProfile, plan: Plan, server_id: str) -> ServerSeries:
    """A server's load over the history, stacked by what carries it (for the dashboard's chart)."""
    demand = estate.usage
    if demand is None:
        raise ValueError("a server's load over time needs the estate's history")
    server = next(s for s in plan.servers if s.server_id == server_id)
    one = Plan(servers=(server,), placements=())
    parts = {"host reserve": loads_over_time(estate, overhead, one, demand.cpu_cores, demand.memory_gb)[server_id]}
    hv, rows = estate.settings.hypervisor, demand.rows
    for p in plan.placements:
        if p.server_id != server_id or p.workload not in rows:
            continue
        w, r, kind = estate.workload(p.workload), rows[p.workload], placement_kind(p, server)
        fp = placement_footprint(w, kind, overhead, hv, demand=Resources(demand.cpu_cores[r], demand.memory_gb[r], w.storage_gb))  # type: ignore[arg-type]
        parts[f"{p.workload} #{p.replica}"] = (
            np.broadcast_to(fp.cpu_cores, (demand.intervals,)),
            np.broadcast_to(fp.memory_gb, (demand.intervals,)),
        )
        if kind == PlacementKind.CONTAINER_IN_VM and f"container-host VM ({w.os})" not in parts:
            vm = container_host_vm(w.os, overhead, hv)
            parts[f"container-host VM ({w.os})"] = (
                np.full(demand.intervals, vm.cpu_cores),
                np.full(demand.intervals, vm.memory_gb),
            )
    model = estate.server_model(server.model)
    whole, usable = estate.effective_capacity(model), estate.usable_capacity(model)
    labels = tuple(demand.time_label(t) for t in range(demand.intervals))
    return ServerSeries(server_id, labels, parts, (whole.cpu_cores, whole.memory_gb), (usable.cpu_cores, usable.memory_gb))


def replay_later(estate: Estate, overhead: OverheadProfile, plan: Plan, later: DemandOverTime) -> Replay:
    """Replay a plan on a later history of the same workloads (workloads it lacks run at their sized demand)."""
    covered = later.covering((w.name, w.cpu_cores, w.memory_gb) for w in estate.workloads)
    return replay_plan(replace(estate, usage=covered), overhead, plan, later.source)


def replay_rows(replay: Replay) -> list[dict[str, object]]:
    """The Replay sheet: one row per server, in the planner's words."""
    return [
        {
            "history": replay.source,
            "server_id": s.server_id,
            "model": s.model,
            "intervals": replay.intervals,
            "intervals_over_ceiling": s.over_ceiling,
            "intervals_over_capacity": s.over_capacity,
            "held_pct": round(100 * (1 - s.over_capacity / replay.intervals), 3) if replay.intervals else 100.0,
            "peak_pct": s.peak_pct,
            "peak_resource": s.peak_resource,
            "peak_time": s.peak_time,
        }
        for s in replay.servers
    ]
