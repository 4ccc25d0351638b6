"""What the numbers mean: vCPUs per physical core, today and in the plan.

Planners read a plan by its consolidation ratio. A workload given in vCPUs (an existing VM)
counts its vCPUs; one given in cores counts its cores (one vCPU each). Physical cores are the
servers' cores, hardware threads not counted, so the figure compares with the `vcpu_per_core`
setting and with today's hosts as vSphere reports them.
"""

from __future__ import annotations

from collections import defaultdict

from planner.domain import Estate, Workload
from planner.plan import Plan


def allocated_vcpus(workload: Workload) -> float:
    """vCPUs one replica is allocated: its vCPUs when given, else its cores."""
    return workload.cpu_cores if workload.vcpus is None else workload.vcpus


def vcpus_per_server(estate: Estate, plan: Plan) -> dict[str, float]:
    """vCPUs placed on each server of a plan."""
    out: dict[str, float] = defaultdict(float)
    for p in plan.placements:
        out[p.server_id] += allocated_vcpus(estate.workload(p.workload))
    return out


def plan_vcpu_per_core(estate: Estate, plan: Plan) -> float | None:
    """vCPUs placed per physical core of the plan's servers (spares included), or None with no server."""
    cores = sum(estate.server_model(s.model).cpu_cores for s in (*plan.servers, *plan.spares))
    return round(sum(vcpus_per_server(estate, plan).values()) / cores, 2) if cores else None


def today_vcpu_per_core(estate: Estate) -> float | None:
    """vCPUs per physical core of today's hosts (an inventory's vHost), or None when the input lists none."""
    cores = sum(h.cpu_cores for h in estate.hosts)
    names = {h.name for h in estate.hosts}
    vcpus = sum(allocated_vcpus(w) * w.replicas for w in estate.workloads if w.current_host in names)
    return round(vcpus / cores, 2) if cores and vcpus else None
