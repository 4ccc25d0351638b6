"""Sizing: plan each workload by what it is allocated, or by what it uses.

Inventories record both the allocation (vCPUs and memory as configured) and, often, the
measured peak use. Sizing by demand plans `use x comfort_factor`, never above the allocation
(a VM cannot use more than it has) and never below `demand_floor_pct` of it (a floor against
idle samples). Workloads without measurements keep their allocation, and the notes say how many.
"""

from __future__ import annotations

from dataclasses import replace

from planner.domain import Settings, Workload


def demand_size(allocated: float, usage_pct: float | None, settings: Settings) -> float:
    """The size to plan for one resource of one workload under demand sizing."""
    if usage_pct is None:
        return allocated
    pct = max(settings.demand_floor_pct, min(100.0, usage_pct * settings.comfort_factor))
    return allocated * pct / 100


def apply_sizing(workloads: list[Workload], settings: Settings) -> tuple[list[Workload], list[str]]:
    """Workloads resized by the `sizing` setting, and notes for the Assumptions sheet."""
    measured = sum(1 for w in workloads if w.cpu_usage_pct is not None or w.memory_usage_pct is not None)
    if settings.sizing == "allocation":
        notes = [f"sized by allocation; {measured} workloads carry measured use (sizing=demand would use it)"] if measured else []
        return workloads, notes
    out = []
    for w in workloads:
        if w.cpu_usage_pct is None and w.memory_usage_pct is None:
            out.append(w)
            continue
        cpu = demand_size(w.cpu_cores, w.cpu_usage_pct, settings)
        mem = demand_size(w.memory_gb, w.memory_usage_pct, settings)
        extra = (*w.extra, ("allocated cpu_cores", w.cpu_cores), ("allocated memory_gb", w.memory_gb))
        out.append(replace(w, cpu_cores=cpu, memory_gb=mem, extra=extra))
    notes = [
        f"sized by demand: {measured} workloads at measured peak x {settings.comfort_factor:g}, at least "
        f"{settings.demand_floor_pct:g}% and at most 100% of the allocation; {len(workloads) - measured} without "
        "measurements kept at their allocation"
    ]
    return out, notes
