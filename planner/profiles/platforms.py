"""Platform profiles (ESXi, Hyper-V, KVM, Kubernetes, Docker...) and the study's composed overhead profile.

A study's overhead profile is its base profile (guest OS numbers and generic platforms) with the
numbers of its hypervisor platform and its container platform put in their place. Node
reservations that grow with the node's size (kubelet's) are computed here from the tiers.
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

from planner.domain import ServerModel, Workload
from planner.profiles.overheads import (
    NODE_CPU_TIERS,
    NODE_MEMORY_TIERS,
    OverheadProfile,
    PlatformInfo,
)
from planner.resources import Resources

CONTROL_PLANE = "control plane"  # workloads added for an orchestrator are named '<platform> control plane'
ADDED_BY = ("added_by", "planner: orchestrator control plane")  # the mark such a workload carries in `extra`
# A container-host VM's node reservation is bounded by a line through the tiers at this size (cores, GB).
VM_NODE_REFERENCE = (4.0, 16.0)


def compose(
    base: OverheadProfile, hypervisor: OverheadProfile | None = None, container: OverheadProfile | None = None
) -> OverheadProfile:
    """The base profile with a hypervisor platform's and a container platform's numbers in their place."""
    numbers = dict(base.numbers)
    info = base.info
    names = [base.name]
    if hypervisor is not None:
        numbers.update(hypervisor.numbers)
        info = replace(info, hypervisor_type=hypervisor.info.hypervisor_type)
        names.append(hypervisor.name)
    if container is not None:
        numbers.update(container.numbers)
        c = container.info
        info = replace(info, host_os=c.host_os, isolation=c.isolation, isolation_os=c.isolation_os, orchestrator=c.orchestrator)
        names.append(container.name)
    return replace(
        base,
        name=" + ".join(names),
        numbers=numbers,
        info=info,
        hypervisor_platform="" if hypervisor is None else hypervisor.name,
        container_platform="" if container is None else container.name,
    )


def _tiered(amount: float, tiers: tuple[tuple[str, float], ...], pct: dict[str, float]) -> float:
    total, left = 0.0, amount
    for tier, width in tiers:
        part = min(left, width)
        total += part * pct[tier] / 100
        left -= part
        if left <= 0:
            break
    return total


def _pcts(profile: OverheadProfile, resource: str, tiers: tuple[tuple[str, float], ...]) -> dict[str, float]:
    return {t: profile[f"node_{resource}_reserved_pct_{t}"] for t, _ in tiers}


def node_reserve(profile: OverheadProfile, cores: float, memory_gb: float) -> Resources:
    """What the node agent (kubelet) reserves on a container host of this size, eviction threshold included."""
    cpu = _tiered(cores, NODE_CPU_TIERS, _pcts(profile, "cpu", NODE_CPU_TIERS))
    memory = _tiered(memory_gb, NODE_MEMORY_TIERS, _pcts(profile, "memory", NODE_MEMORY_TIERS))
    return Resources(cpu, memory + profile["node_eviction_memory_gb"], 0.0)


@lru_cache(maxsize=64)
def _linear_bound(
    tiers: tuple[tuple[str, float], ...], pcts: tuple[tuple[str, float], ...], reference: float
) -> tuple[float, float]:
    """(fixed, per unit): a line never below the tiered reservation at any size (the tangent at `reference`)."""
    pct = dict(pcts)
    ranges, at = [], 0.0
    for tier, width in tiers:
        ranges.append((at, at + width, tier))
        at += width
    slope = max(pct[t] for _, end, t in ranges if end > reference) / 100
    points = [start for start, _, _ in ranges if start <= reference] + [reference]
    fixed = max(_tiered(p, tiers, pct) - slope * p for p in points)
    return max(0.0, fixed), slope


def vm_node_reserve(profile: OverheadProfile) -> tuple[Resources, Resources]:
    """A container-host VM's node reservation as (fixed per VM, fraction of the VM's cores and memory).

    The VM's size is what the solver chooses, so the tiers are replaced by a line that is never
    below them (their tangent at VM_NODE_REFERENCE): the footprint never understates the reserve.
    """
    cpu = tuple(_pcts(profile, "cpu", NODE_CPU_TIERS).items())
    memory = tuple(_pcts(profile, "memory", NODE_MEMORY_TIERS).items())
    cpu_fixed, cpu_slope = _linear_bound(NODE_CPU_TIERS, cpu, VM_NODE_REFERENCE[0])
    mem_fixed, mem_slope = _linear_bound(NODE_MEMORY_TIERS, memory, VM_NODE_REFERENCE[1])
    return Resources(cpu_fixed, mem_fixed + profile["node_eviction_memory_gb"], 0.0), Resources(cpu_slope, mem_slope, 0.0)


def supports_form(info: PlatformInfo, form: str, os_name: str) -> str | None:
    """Why the study's container platform cannot run this form for this OS, or None when it can."""
    if form == "vm":
        return None
    if os_name not in info.host_os:
        return f"the container platform runs {' and '.join(info.host_os)} containers only, not {os_name}"
    if form == "isolated_container" and not info.isolation:
        return "the container platform offers no isolated containers (choose one with Kata Containers or Hyper-V isolation)"
    if form == "isolated_container" and os_name not in info.isolation_os:
        return f"the container platform isolates {' and '.join(info.isolation_os)} containers only, not {os_name}"
    return None


def control_plane_workloads(profile: OverheadProfile) -> tuple[Workload, ...]:
    """The orchestrator's control-plane machines as workloads (none when the platform needs none)."""
    nodes = round(profile["control_plane_nodes"])
    if nodes < 1 or profile["control_plane_cpu_cores"] <= 0 or profile["control_plane_memory_gb"] <= 0:
        return ()
    name = f"{profile.container_platform or 'container platform'} {CONTROL_PLANE}"
    return (
        Workload(
            name,
            profile["control_plane_cpu_cores"],
            profile["control_plane_memory_gb"],
            profile["control_plane_storage_gb"],
            os="linux",
            platform="any",
            replicas=nodes,
            extra=(ADDED_BY,),
        ),
    )


def is_control_plane(workload: Workload) -> bool:
    """True for a workload the planner added for an orchestrator's control plane."""
    return ADDED_BY in workload.extra


def runs_mode(model: ServerModel, mode: str, overhead: OverheadProfile, hypervisor: str) -> bool:
    """Can this server model run this host mode, given the platforms it lists (none listed: any)?"""
    if not model.platforms:
        return True
    if mode == "hypervisor":
        return (overhead.hypervisor_platform or hypervisor) in model.platforms
    return (overhead.container_platform or "containers") in model.platforms


def platform_forms(workload: Workload, policy: str, overhead: OverheadProfile) -> tuple[tuple[str, ...], str]:
    """The forms a workload may take on the study's platforms, and why none when it has none.

    Container forms need a container platform that runs the workload's OS (and isolation, for an
    isolated container); a workload that allows any form falls back to a VM.
    """
    allowed = workload.allowed_forms(policy)
    reasons = {f: supports_form(overhead.info, f, workload.os) for f in allowed}
    forms = tuple(f for f in allowed if reasons[f] is None)
    if not forms and workload.platform == "any":
        forms = ("vm",)
    why = "; ".join(f"{f}: {r}" for f, r in reasons.items() if r)
    return forms, f"no form it may take runs on the study's platforms ({why})" if not forms else ""
