"""Effective footprints: what a workload, a container-host VM or a host reserve costs a server.

Every footprint is a constant per workload and placement kind, so the solver uses them as
coefficients. Packing by time passes a `demand` whose cores and memory are arrays (one value
per time bucket or interval): the same formulas then give the footprint over time, element-wise.
An existing VM's allocation already holds its guest OS (`includes_guest_os`): as a VM nothing is
added for it, and as a container it is taken out.
"""

from __future__ import annotations

import math

import numpy as np

from planner.domain import PlacementKind, Workload
from planner.profiles.overheads import OverheadProfile
from planner.profiles.platforms import node_reserve, vm_node_reserve
from planner.resources import RESOURCES, Resources


def cpu_factor(profile: OverheadProfile, hypervisor: str) -> float:
    """Multiplier on guest CPU for virtualization under this hypervisor type."""
    return 1.0 + profile[f"{hypervisor}_cpu_overhead_pct"] / 100.0


def guest_os(os_name: str, profile: OverheadProfile) -> Resources:
    """What one guest OS of this family takes (idle CPU, memory, install disk)."""
    return Resources(
        profile[f"{os_name}_guest_cpu_cores"], profile[f"{os_name}_guest_memory_gb"], profile[f"{os_name}_guest_storage_gb"]
    )


def engine(profile: OverheadProfile) -> Resources:
    """What one container engine takes on its host (daemons and its image cache)."""
    return Resources(profile["engine_cpu_cores"], profile["engine_memory_gb"], profile["engine_storage_gb"])


def _larger(a: float, b: float) -> float:
    """The larger of two amounts, element-wise when they are arrays (a demand over time)."""
    return np.maximum(a, b) if isinstance(a, np.ndarray) else max(a, b)  # type: ignore[return-value]


def application_demand(workload: Workload, profile: OverheadProfile, demand: Resources | None = None) -> Resources:
    """What the application itself needs: the demand, less its guest OS when the allocation holds one.

    An existing VM's allocation already contains its guest OS; as a container that OS is gone
    (the saving containers promise), down to `application_floor_pct` of the allocation.
    """
    demand = workload.demand if demand is None else demand
    if not workload.includes_guest_os:
        return demand
    os_part, floor = guest_os(workload.os, profile), profile["application_floor_pct"] / 100
    return Resources(*(_larger(demand.get(r) - os_part.get(r), floor * demand.get(r)) for r in RESOURCES))


def vm_footprint(workload: Workload, profile: OverheadProfile, hypervisor: str, demand: Resources | None = None) -> Resources:
    """A workload as its own VM: demand plus its guest OS (unless the allocation holds it) plus the hypervisor's per-VM cost."""
    demand = workload.demand if demand is None else demand
    base = demand if workload.includes_guest_os else demand + guest_os(workload.os, profile)
    vcpus = math.ceil(workload.cpu_cores if workload.vcpus is None else workload.vcpus)
    return Resources(
        base.cpu_cores * cpu_factor(profile, hypervisor),
        base.memory_gb * (1 + profile["vm_memory_overhead_pct"] / 100)
        + profile["vm_memory_overhead_fixed_gb"]
        + profile["vm_memory_overhead_per_vcpu_gb"] * vcpus,
        base.storage_gb,
    )


def container_footprint(
    workload: Workload, profile: OverheadProfile, hypervisor: str, *, in_vm: bool, demand: Resources | None = None
) -> Resources:
    """A workload as a container (its application alone): on bare metal, or inside its OS's container-host VM."""
    app = application_demand(workload, profile, demand)
    cpu = app.cpu_cores + profile["container_cpu_cores"]
    memory = app.memory_gb + profile["container_memory_gb"]
    storage = app.storage_gb + profile["container_storage_gb"]
    if not in_vm:
        return Resources(cpu, memory, storage)
    _, node_share = vm_node_reserve(profile)  # the node agent's reserve grows with the VM: its share per container
    return Resources(
        cpu * (1 + node_share.cpu_cores) * cpu_factor(profile, hypervisor),
        memory * (1 + node_share.memory_gb) * (1 + profile["vm_memory_overhead_pct"] / 100)
        + profile["vm_memory_overhead_per_vcpu_gb"] * workload.cpu_cores,
        storage,
    )


def isolated_footprint(workload: Workload, profile: OverheadProfile, demand: Resources | None = None) -> Resources:
    """A workload as an isolated container: a container plus its lightweight VM (kernel, agent, VMM)."""
    bare = container_footprint(workload, profile, "", in_vm=False, demand=demand)
    return bare + Resources(profile["isolated_cpu_cores"], profile["isolated_memory_gb"], profile["isolated_storage_gb"])


def placement_footprint(
    workload: Workload, kind: str, profile: OverheadProfile, hypervisor: str, demand: Resources | None = None
) -> Resources:
    """Footprint of a workload for one placement kind (`PlacementKind`), at its demand or at `demand` (over time)."""
    if kind == "vm":
        return vm_footprint(workload, profile, hypervisor, demand)
    if kind in (PlacementKind.CONTAINER_IN_VM, PlacementKind.CONTAINER_BARE):
        return container_footprint(workload, profile, hypervisor, in_vm=kind == PlacementKind.CONTAINER_IN_VM, demand=demand)
    if kind == PlacementKind.CONTAINER_ISOLATED:
        return isolated_footprint(workload, profile, demand)
    raise ValueError(f"unknown placement kind {kind!r}")


def container_host_vm(os_name: str, profile: OverheadProfile, hypervisor: str) -> Resources:
    """Fixed cost of one container-host VM of an OS on a hypervisor host (paid once per server and OS)."""
    node, share = vm_node_reserve(profile)
    own = guest_os(os_name, profile) + engine(profile)
    return Resources(
        (own.cpu_cores * (1 + share.cpu_cores) + node.cpu_cores) * cpu_factor(profile, hypervisor),
        (own.memory_gb * (1 + share.memory_gb) + node.memory_gb) * (1 + profile["vm_memory_overhead_pct"] / 100)
        + profile["vm_memory_overhead_fixed_gb"],
        own.storage_gb,
    )


def host_reserve(mode: str, profile: OverheadProfile, hypervisor: str, capacity: Resources) -> Resources:
    """What a server's own software takes before any workload, on a server of this raw capacity.

    A hypervisor host: the hypervisor's fixed reserve plus its share of the host's memory. A
    bare-metal container host: host OS, engine, and the node agent's reserve for its size.
    """
    if mode == "hypervisor":
        return Resources(
            profile[f"{hypervisor}_host_cpu_cores"],
            profile[f"{hypervisor}_host_memory_gb"] + capacity.memory_gb * profile[f"{hypervisor}_host_memory_pct"] / 100,
            profile[f"{hypervisor}_host_storage_gb"],
        )
    own = guest_os(container_host_os(mode), profile) + engine(profile)
    return own + node_reserve(profile, capacity.cpu_cores, capacity.memory_gb)


def container_host_os(mode: str) -> str:
    """The OS of a bare-metal container host mode ('container_host_linux' -> 'linux')."""
    prefix = "container_host_"
    if not mode.startswith(prefix):
        raise ValueError(f"{mode!r} is not a container-host mode")
    return mode[len(prefix) :]
