"""Sizing: plan each workload by what it is allocated, or by what it uses, in physical cores.

A workload given in vCPUs (an existing VM: `vcpus`) is sized in physical cores here, and only
here. By allocation, its cores are `vcpus / vcpu_per_core`: the ratio planners overcommit
vCPUs on physical cores (the estate's setting, or the workload's own for a latency-sensitive
tier). By demand, its cores are what it uses: `vcpus x measured use % x comfort_factor`, since a
busy vCPU keeps one core's thread busy whatever the ratio. A workload given in cores keeps them.
Measured cores are cores of the CPU they were measured on: `planner.io.cpu_rating` converts them to
cores of the planned servers by per-core rating (CPU generation x clock).

Inventories record both the allocation and, often, the measured peak use. Sizing by demand
plans `use x comfort_factor`, never above the allocation (a VM cannot use more than it has)
and never below `demand_floor_pct` of it (a floor against idle samples). Workloads without
measurements keep their allocation, and the notes say how many.

Forms follow the source: an inventory's VMs stay VMs (lift and shift) unless the setting
`containerize = eligible` lets the containerizable ones (a supported, current OS) become
containers too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from planner.domain import ServerModel, Settings, Workload
from planner.io.cpu_rating import Ratings, estate_ratings, rating_notes


def demand_size(allocated: float, usage_pct: float | None, settings: Settings) -> float:
    """The size to plan for one resource of one workload under demand sizing."""
    if usage_pct is None:
        return allocated
    pct = max(settings.demand_floor_pct, min(100.0, usage_pct * settings.comfort_factor))
    return allocated * pct / 100


def vcpu_ratio(workload: Workload, settings: Settings) -> float:
    """The vCPU-per-core ratio this workload is sized at: its own, else the estate's."""
    return settings.vcpu_per_core if workload.vcpu_per_core is None else workload.vcpu_per_core


def _cores(w: Workload, settings: Settings, by_demand: bool, ratings: Ratings) -> float:
    """Physical cores for one workload: its vCPUs over the ratio (allocation), or its measured cores (use, or
    a physical server's cores) converted from the CPU they were measured on to the planned servers' cores."""
    if w.vcpus is None:
        cores = demand_size(w.cpu_cores, w.cpu_usage_pct, settings) if by_demand else w.cpu_cores
        return cores * ratings.factor(w)
    if by_demand and w.cpu_usage_pct is not None:
        return demand_size(w.vcpus, w.cpu_usage_pct, settings) * ratings.factor(w)
    return w.vcpus / vcpu_ratio(w, settings)


def _sized(w: Workload, settings: Settings, ratings: Ratings) -> Workload:
    """One workload sized by the settings: cores from vCPUs or use, memory from use, forms by source."""
    measured = w.cpu_usage_pct is not None or w.memory_usage_pct is not None
    by_demand = settings.sizing == "demand" and measured
    cpu = _cores(w, settings, by_demand, ratings)
    memory = demand_size(w.memory_gb, w.memory_usage_pct, settings) if by_demand else w.memory_gb
    extra = w.extra
    if by_demand:
        allocated = w.cpu_cores if w.vcpus is None else w.vcpus
        label = "allocated cpu_cores" if w.vcpus is None else "allocated vcpus"
        extra = (*extra, (label, allocated), ("allocated memory_gb", w.memory_gb))
    platform = w.platform
    if settings.containerize == "eligible" and w.containerizable and platform == "vm":
        platform = "any"
    return replace(w, cpu_cores=cpu, memory_gb=memory, extra=extra, platform=platform)


def apply_sizing(
    workloads: list[Workload], settings: Settings, servers: Sequence[ServerModel] = (), ratings: Ratings | None = None
) -> tuple[list[Workload], list[str]]:
    """Workloads resized by the settings (same order), and notes for the Assumptions sheet.

    `servers` is the catalog planned on: its CPUs' per-core rating converts measured cores from older CPUs
    (`ratings`, when the caller has them already).
    """
    ratings = estate_ratings(servers) if ratings is None else ratings
    out = [_sized(w, settings, ratings) for w in workloads]
    converting = sum(1 for w in workloads if w.cpu_model and (w.vcpus is None or settings.sizing == "demand"))
    return out, _notes(workloads, settings) + rating_notes(ratings, converting)


def _notes(workloads: list[Workload], settings: Settings) -> list[str]:
    """What sizing did, in the words of the Assumptions sheet."""
    measured = sum(1 for w in workloads if w.cpu_usage_pct is not None or w.memory_usage_pct is not None)
    notes = []
    in_vcpus = [w for w in workloads if w.vcpus is not None]
    if in_vcpus:
        own = sum(1 for w in in_vcpus if w.vcpu_per_core is not None)
        notes.append(
            f"{len(in_vcpus)} workloads given in vCPUs: cores = vCPUs / {settings.vcpu_per_core:g} vCPUs per core"
            + (f" ({own} at their own ratio)" if own else "")
            + (" when sized by allocation, measured use x comfort factor when by demand" if settings.sizing == "demand" else "")
        )
    if settings.sizing == "allocation":
        if measured:
            notes.append(f"sized by allocation; {measured} workloads carry measured use (sizing=demand would use it)")
    elif settings.sizing == "demand":
        notes.append(
            f"sized by demand: {measured} workloads at measured peak x {settings.comfort_factor:g}, at least "
            f"{settings.demand_floor_pct:g}% and at most 100% of the allocation; {len(workloads) - measured} without "
            "measurements kept at their allocation"
        )
    kept = [w for w in workloads if w.platform == "vm" and w.containerizable]
    if kept and settings.containerize == "none":
        notes.append(
            f"lift and shift: {len(kept)} containerizable VMs stay VMs (setting containerize = eligible lets them "
            "become containers; the strategy comparison shows what that would save)"
        )
    elif kept:
        notes.append(f"{len(kept)} containerizable VMs may become containers (containerize = eligible)")
    return notes
