"""Effective footprints: what a workload, a container-host VM or a host reserve costs a server.

Every function here is linear in the workload's demand (vCPUs aside, which are a
constant per workload), so the solver can use the results as coefficients.
"""

from __future__ import annotations

import math

from planner.domain import PlacementKind, Resources, Workload
from planner.profiles.overheads import OverheadProfile
from planner.profiles.platforms import node_reserve, vm_node_reserve

# The placements a replica can take; the plan reports the middle two as form "container" and the
# last as "isolated_container" (a container in its own lightweight VM on a bare-metal container host).


def cpu_factor(model: OverheadProfile, hypervisor: str) -> float:
    """Multiplier on guest CPU for virtualization under this hypervisor type."""
    return 1.0 + model[f"{hypervisor}_cpu_overhead_pct"] / 100.0


def vm_footprint(workload: Workload, model: OverheadProfile, hypervisor: str) -> Resources:
    """A workload as its own VM: demand plus its guest OS plus the hypervisor's per-VM cost."""
    os_name = workload.os
    vcpus = math.ceil(workload.cpu_cores)
    memory = workload.memory_gb + model[f"{os_name}_guest_memory_gb"]
    return Resources(
        (workload.cpu_cores + model[f"{os_name}_guest_cpu_cores"]) * cpu_factor(model, hypervisor),
        memory * (1 + model["vm_memory_overhead_pct"] / 100)
        + model["vm_memory_overhead_fixed_gb"]
        + model["vm_memory_overhead_per_vcpu_gb"] * vcpus,
        workload.storage_gb + model[f"{os_name}_guest_storage_gb"],
    )


def container_footprint(workload: Workload, model: OverheadProfile, hypervisor: str, *, in_vm: bool) -> Resources:
    """A workload as a container: on bare metal, or inside its OS's container-host VM."""
    cpu = workload.cpu_cores + model["container_cpu_cores"]
    memory = workload.memory_gb + model["container_memory_gb"]
    storage = workload.storage_gb + model["container_storage_gb"]
    if not in_vm:
        return Resources(cpu, memory, storage)
    _, node_share = vm_node_reserve(model)  # the node agent's reserve grows with the VM: its share per container
    return Resources(
        cpu * (1 + node_share.cpu_cores) * cpu_factor(model, hypervisor),
        memory * (1 + node_share.memory_gb) * (1 + model["vm_memory_overhead_pct"] / 100)
        + model["vm_memory_overhead_per_vcpu_gb"] * workload.cpu_cores,
        storage,
    )


def isolated_footprint(workload: Workload, model: OverheadProfile) -> Resources:
    """A workload as an isolated container: a container plus its lightweight VM (kernel, agent, VMM)."""
    bare = container_footprint(workload, model, "", in_vm=False)
    return bare + Resources(model["isolated_cpu_cores"], model["isolated_memory_gb"], model["isolated_storage_gb"])


def placement_footprint(workload: Workload, kind: str, model: OverheadProfile, hypervisor: str) -> Resources:
    """Footprint of a workload for one placement kind (`PlacementKind`)."""
    if kind == "vm":
        return vm_footprint(workload, model, hypervisor)
    if kind in (PlacementKind.CONTAINER_IN_VM, PlacementKind.CONTAINER_BARE):
        return container_footprint(workload, model, hypervisor, in_vm=kind == PlacementKind.CONTAINER_IN_VM)
    if kind == PlacementKind.CONTAINER_ISOLATED:
        return isolated_footprint(workload, model)
    raise ValueError(f"unknown placement kind {kind!r}")


def container_host_vm(os_name: str, model: OverheadProfile, hypervisor: str) -> Resources:
    """Fixed cost of one container-host VM of an OS on a hypervisor host (paid once per server and OS)."""
    node, share = vm_node_reserve(model)
    cpu = model[f"{os_name}_guest_cpu_cores"] + model["engine_cpu_cores"]
    memory = model[f"{os_name}_guest_memory_gb"] + model["engine_memory_gb"]
    return Resources(
        (cpu * (1 + share.cpu_cores) + node.cpu_cores) * cpu_factor(model, hypervisor),
        (memory * (1 + share.memory_gb) + node.memory_gb) * (1 + model["vm_memory_overhead_pct"] / 100)
        + model["vm_memory_overhead_fixed_gb"],
        model[f"{os_name}_guest_storage_gb"] + model["engine_storage_gb"],
    )


def host_reserve(mode: str, model: OverheadProfile, hypervisor: str, capacity: Resources) -> Resources:
    """What a server's own software takes before any workload, on a server of this raw capacity.

    A hypervisor host: the hypervisor's fixed reserve plus its share of the host's memory. A
    bare-metal container host: host OS, engine, and the node agent's reserve for its size.
    """
    if mode == "hypervisor":
        return Resources(
            model[f"{hypervisor}_host_cpu_cores"],
            model[f"{hypervisor}_host_memory_gb"] + capacity.memory_gb * model[f"{hypervisor}_host_memory_pct"] / 100,
            model[f"{hypervisor}_host_storage_gb"],
        )
    os_name = container_host_os(mode)
    return Resources(
        model[f"{os_name}_guest_cpu_cores"] + model["engine_cpu_cores"],
        model[f"{os_name}_guest_memory_gb"] + model["engine_memory_gb"],
        model[f"{os_name}_guest_storage_gb"] + model["engine_storage_gb"],
    ) + node_reserve(model, capacity.cpu_cores, capacity.memory_gb)


def container_host_os(mode: str) -> str:
    """The OS of a bare-metal container host mode ('container_host_linux' -> 'linux')."""
    prefix = "container_host_"
    if not mode.startswith(prefix):
        raise ValueError(f"{mode!r} is not a container-host mode")
    return mode[len(prefix) :]
