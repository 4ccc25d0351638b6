"""Restarting a failed server's replicas on the survivors: the hosts with their loads, the units that
move together (an affinity copy), what a unit costs on a host, and the host that takes it.

Every rule holds on the survivor: ceilings, forms and host modes (a container moving to a
hypervisor host gets a container-host VM), replica spread and anti-affinity (`planner.rules`),
and affinity (a unit moves whole).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace

import numpy as np

from planner.checker import bucket_loads, by_time, demand_of, placement_kind, room_over_time
from planner.domain import Estate, PlacementKind, ServerModel
from planner.plan import Placement, Plan, PlannedServer
from planner.profiles.footprints import container_host_vm, placement_footprint
from planner.profiles.overheads import OverheadProfile
from planner.resources import RESOURCES, Resources
from planner.rules import ConflictKey, conflict_keys, kind_fits_mode, kinds_of_form

EPS = 1e-9  # tolerance of the capacity checks


@dataclass
class Host:
    server: PlannedServer
    load: Resources
    usable: Resources
    capacity: Resources
    keys: set[ConflictKey]
    host_vms: set[str]


def replica_keys(estate: Estate, name: str) -> frozenset[ConflictKey]:
    """The conflict keys a replica of a workload brings to a server (spread and anti-affinity)."""
    return frozenset(conflict_keys(estate.workload(name)))


def unit_keys(estate: Estate, unit: list[Placement]) -> set[ConflictKey]:
    return set().union(*(replica_keys(estate, p.workload) for p in unit))


def fullest(load: Resources, capacity: Resources) -> float:
    """The fullest resource of a load, as a fraction of a capacity."""
    return max(float(np.max(load.get(r))) / capacity.get(r) for r in RESOURCES)


def server_counts(plan: Plan) -> dict[str, int]:
    """Servers per model, spares included."""
    counts: dict[str, int] = defaultdict(int)
    for s in (*plan.servers, *plan.spares):
        counts[s.model] += 1
    return counts


def as_host(server: PlannedServer) -> PlannedServer:
    """A spare runs as a hypervisor host once it takes over."""
    return replace(server, mode="hypervisor") if server.mode == "spare" else server


def hosts_of(estate: Estate, overhead: OverheadProfile, plan: Plan) -> dict[str, Host]:
    every = tuple(as_host(s) for s in (*plan.servers, *plan.spares))
    loads = bucket_loads(estate, overhead, replace(plan, servers=every))  # packed by time: per bucket
    hosts = {}
    for s in every:
        model = estate.server_model(s.model)
        capacity = estate.effective_capacity(model)
        hosts[s.server_id] = Host(s, loads[s.server_id], _room(estate, model), capacity, set(), set())
    for p in plan.placements:
        host = hosts[p.server_id]
        host.keys |= replica_keys(estate, p.workload)
        if placement_kind(p, host.server) == PlacementKind.CONTAINER_IN_VM:
            host.host_vms.add(estate.workload(p.workload).os)
    return hosts


def _room(estate: Estate, model: ServerModel) -> Resources:
    """What a host may carry: its usable capacity; packed by time, per bucket (the busiest at 100% of capacity)."""
    return room_over_time(estate, model) if by_time(estate) else estate.usable_capacity(model)


def restart_units(estate: Estate, placements: list[Placement]) -> list[list[Placement]]:
    """Replicas that restart together: an affinity copy on one server moves as one unit."""
    groups: dict[tuple[str, str, int], list[Placement]] = defaultdict(list)
    units = []
    for p in placements:
        group = estate.workload(p.workload).affinity_group
        if group is None:
            units.append([p])
        else:
            groups[p.server_id, group, p.replica].append(p)
    return units + list(groups.values())


def cost_on(estate: Estate, overhead: OverheadProfile, unit: list[Placement], host: Host) -> Resources | None:
    """What a unit adds to a host, or None when a form or host mode rules it out."""
    hv = estate.settings.hypervisor
    total, new_vms = Resources(), set()
    for p in unit:
        w = estate.workload(p.workload)
        kind = next((k for k in kinds_of_form(p.form) if kind_fits_mode(k, w.os, host.server.mode)), None)
        if kind is None:
            return None
        if kind == PlacementKind.CONTAINER_IN_VM and w.os not in host.host_vms and w.os not in new_vms:
            new_vms.add(w.os)
            total = total + container_host_vm(w.os, overhead, hv)
        total = total + placement_footprint(w, kind, overhead, hv, demand=demand_of(estate, p.workload))
    return total


def place_unit(estate: Estate, unit: list[Placement], host: Host, extra: Resources) -> list[Placement]:
    host.load = host.load + extra
    moved = []
    for p in unit:
        host.keys |= replica_keys(estate, p.workload)
        if p.form == "container" and host.server.mode == "hypervisor":
            host.host_vms.add(estate.workload(p.workload).os)
        moved.append(replace(p, server_id=host.server.server_id))
    return moved


def unit_size(estate: Estate, overhead: OverheadProfile, unit: list[Placement]) -> float:
    hv = estate.settings.hypervisor
    big = max(estate.server_models, key=lambda m: m.memory_gb).capacity
    total = Resources()
    for p in unit:
        kind = {"vm": "vm", "isolated_container": PlacementKind.CONTAINER_ISOLATED}.get(p.form, PlacementKind.CONTAINER_BARE)
        total = total + placement_footprint(estate.workload(p.workload), kind, overhead, hv)
    return max(total.get(r) / big.get(r) for r in RESOURCES)


def best_host(
    estate: Estate, overhead: OverheadProfile, unit: list[Placement], hosts: list[Host]
) -> tuple[Host, Resources] | None:
    """The survivor that takes the unit with the least room left (best fit), if any takes it."""
    keys = unit_keys(estate, unit)
    best: tuple[float, Host, Resources] | None = None
    for host in hosts:
        if keys & host.keys:
            continue
        extra = cost_on(estate, overhead, unit, host)
        if extra is None or not (host.load + extra).fits_in(host.usable, EPS):
            continue
        room = min(float(np.min(host.usable.get(r) - host.load.get(r) - extra.get(r))) / host.capacity.get(r) for r in RESOURCES)
        if best is None or room < best[0]:
            best = (room, host, extra)
    return None if best is None else (best[1], best[2])


def take_over_whole(
    estate: Estate, overhead: OverheadProfile, plan: Plan, failed: tuple[str, ...], survivors: list[Host]
) -> list[Placement]:
    """Each failed server's replicas moved whole onto one survivor (emptiest first), where one takes them all."""
    moves: list[Placement] = []
    for sid in failed:
        unit = [p for p in plan.placements if p.server_id == sid]
        if not unit:
            continue
        keys = unit_keys(estate, unit)
        for host in sorted(survivors, key=lambda h: fullest(h.load, h.capacity)):
            if keys & host.keys:
                continue
            extra = cost_on(estate, overhead, unit, host)
            if extra is not None and (host.load + extra).fits_in(host.usable, EPS):
                moves += place_unit(estate, unit, host, extra)
                break
    return moves


def copy_hosts(hosts: dict[str, Host]) -> dict[str, Host]:
    return {sid: replace(h, keys=set(h.keys), host_vms=set(h.host_vms)) for sid, h in hosts.items()}
