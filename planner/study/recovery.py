"""Start-up and recovery time: how long restarting a failed server's workloads takes.

VMs boot a guest OS, containers start in about a second, from the overhead profile's figures.
"""

from __future__ import annotations

from collections import defaultdict

from planner.checker import placement_kind
from planner.domain import Estate, PlacementKind
from planner.plan import Placement, Plan, PlannedServer
from planner.profiles.overheads import OverheadProfile


def restart_seconds(
    estate: Estate, overhead: OverheadProfile, placements: list[Placement], by_id: dict[str, PlannedServer]
) -> float:
    """Time to restart replicas `restart_parallel` at a time, longest first (VM boot or container start).

    Containers that ran in a container-host VM wait for that VM to boot again (once per OS).
    """
    times, vm_first = [], {}
    for p in placements:
        w = estate.workload(p.workload)
        if p.form == "vm":
            times.append(overhead[f"{w.os}_vm_boot_s"])
            continue
        start = overhead["isolated_start_s" if p.form == "isolated_container" else "container_start_s"]
        if placement_kind(p, by_id[p.server_id]) == PlacementKind.CONTAINER_IN_VM:
            vm_first[w.os] = overhead[f"{w.os}_vm_boot_s"]
            start += vm_first[w.os]
        times.append(start)
    times.sort(reverse=True)
    wave = estate.settings.restart_parallel
    return float(sum(times[i] for i in range(0, len(times), wave)))


def recovery(estate: Estate, overhead: OverheadProfile, plan: Plan) -> tuple[str, int, float]:
    """The largest server (most replicas) with its replica count and the time to restart them elsewhere."""
    if not plan.servers:
        return "", 0, 0.0
    by_id = {s.server_id: s for s in plan.servers}
    on: dict[str, list[Placement]] = defaultdict(list)
    for p in plan.placements:
        on[p.server_id].append(p)
    largest = max(plan.servers, key=lambda s: (len(on[s.server_id]), restart_seconds(estate, overhead, on[s.server_id], by_id)))
    sid = largest.server_id
    return sid, len(on[sid]), restart_seconds(estate, overhead, on[sid], by_id)
