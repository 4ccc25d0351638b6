"""The independent plan checker: recomputes every load and rule from the plan and the input.

It uses the domain and the footprint formulas only, never the solver's integer model,
so that no change to the solver can hide a broken plan.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

import numpy as np

from planner import rules
from planner.domain import Estate, HostMode, PlacementKind, ServerModel, Workload
from planner.plan import Placement, Plan, PlannedServer, UnplacedReplica
from planner.profiles.footprints import container_host_vm, host_reserve, placement_footprint
from planner.profiles.overheads import OverheadProfile
from planner.profiles.platforms import platform_forms, runs_mode
from planner.resources import RESOURCE_LABELS, RESOURCES, Resources
from planner.sites import check_sites

TOLERANCE = 1e-6
TIMED = ("cpu_cores", "memory_gb")  # the resources that vary over time (storage is flat)


class PlanCheckError(RuntimeError):
    """A plan broke a capacity or a rule: a bug in the solver, never shown as a plan."""

    def __init__(self, violations: list[str]) -> None:
        self.violations = violations
        shown = "\n".join(f"- {v}" for v in violations[:20])
        more = f"\n(+{len(violations) - 20} more)" if len(violations) > 20 else ""
        super().__init__(f"the plan failed {len(violations)} check(s):\n{shown}{more}")


def placement_kind(placement: Placement, server: PlannedServer) -> str:
    """The footprint kind of a placement: a VM, or a container in a VM or on bare metal."""
    return rules.placement_kind(placement.form, server.mode)


def _loads(
    estate: Estate, overhead: OverheadProfile, plan: Plan, demand: Callable[[Workload], Resources | None]
) -> dict[str, Resources]:
    """Each server's load: host reserve, container-host VMs and every placement's footprint at `demand(workload)`
    (None: its own demand; arrays over time give loads over time)."""
    hv = estate.settings.hypervisor
    by_id = {s.server_id: s for s in plan.servers}
    models = estate.server_models_by_name
    loads = {
        s.server_id: host_reserve(s.mode, overhead, hv, models[s.model].capacity) if s.model in models else Resources()
        for s in plan.servers
    }
    host_vms: set[tuple[str, str]] = set()
    for p in plan.placements:
        server = by_id.get(p.server_id)
        if server is None or p.workload not in estate.workloads_by_name:
            continue  # reported by the accounting checks
        workload = estate.workload(p.workload)
        kind = placement_kind(p, server)
        loads[server.server_id] = loads[server.server_id] + placement_footprint(workload, kind, overhead, hv, demand(workload))
        if kind == PlacementKind.CONTAINER_IN_VM and (server.server_id, workload.os) not in host_vms:
            host_vms.add((server.server_id, workload.os))
            loads[server.server_id] = loads[server.server_id] + container_host_vm(workload.os, overhead, hv)
    return loads


def server_loads(estate: Estate, overhead: OverheadProfile, plan: Plan) -> dict[str, Resources]:
    """Each server's load: host reserve, container-host VMs and every placement's footprint."""
    return _loads(estate, overhead, plan, lambda w: None)


def loads_over_time(
    estate: Estate, overhead: OverheadProfile, plan: Plan, cpu: np.ndarray, memory: np.ndarray
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Each server's cores and memory per time column, for demand per workload (rows in `estate.usage` order)
    and column: host reserve, container-host VMs, and each placement's footprint at that column's demand."""
    assert estate.usage is not None
    rows, columns = estate.usage.rows, cpu.shape[1]
    loads = _loads(estate, overhead, plan, lambda w: _row(w, rows[w.name], cpu, memory))

    def over_time(load: Resources, r: str) -> np.ndarray:  # an idle server's reserve, spread over the columns
        return np.broadcast_to(load.get(r), (columns,)).astype(np.float64)

    return {sid: (over_time(load, "cpu_cores"), over_time(load, "memory_gb")) for sid, load in loads.items()}


def bucket_loads(estate: Estate, overhead: OverheadProfile, plan: Plan) -> dict[str, Resources]:
    """Each server's load, its cores and memory per time bucket when the estate is packed by time (else flat)."""
    return _loads(estate, overhead, plan, lambda w: demand_of(estate, w.name))


def planned_loads(estate: Estate, overhead: OverheadProfile, plan: Plan) -> dict[str, Resources]:
    """Each server's load as planned: flat, or when packed by time its busiest bucket per resource."""
    loads = bucket_loads(estate, overhead, plan)
    if not by_time(estate):
        return loads
    return {
        sid: Resources(float(np.max(load.cpu_cores)), float(np.max(load.memory_gb)), load.storage_gb)
        for sid, load in loads.items()
    }


def demand_of(estate: Estate, name: str) -> Resources | None:
    """A workload's demand per time bucket when the estate is packed by time (for footprints over time), else None."""
    if not by_time(estate):
        return None
    demand = estate.usage
    assert demand is not None
    return _row(estate.workload(name), demand.rows[name], demand.bucket_cpu, demand.bucket_memory)


def _row(w: Workload, r: int, cpu: np.ndarray, memory: np.ndarray) -> Resources:
    """A workload's demand over time: its row of cores and of memory, and its storage."""
    return Resources(cpu[r], memory[r], w.storage_gb)  # type: ignore[arg-type]


def room_over_time(estate: Estate, model: ServerModel) -> Resources:
    """What a server may carry in each time bucket: its usable capacity, the busiest buckets of an interval
    scheme at 100% of capacity (cores and memory as arrays over the buckets)."""
    demand = estate.usage
    assert demand is not None
    full, usable, whole = demand.at_full(), estate.usable_capacity(model), estate.effective_capacity(model)
    cpu, memory = (np.where(full, whole.get(r), usable.get(r)) for r in TIMED)
    return Resources(cpu, memory, usable.storage_gb)  # type: ignore[arg-type]


def by_time(estate: Estate) -> bool:
    """True when the estate is packed by time: cores and memory are held per time bucket, not at each peak."""
    return estate.settings.packing == "time_aware" and estate.usage is not None


def _check_servers(estate: Estate, overhead: OverheadProfile, plan: Plan) -> list[str]:
    out: list[str] = []
    ids: dict[str, int] = defaultdict(int)
    for s in (*plan.servers, *plan.spares):
        ids[s.server_id] += 1
    out += [f"server id {i} appears more than once" for i in sorted(i for i, n in ids.items() if n > 1)]
    models = {m.model: m for m in estate.server_models}
    counts: dict[str, int] = defaultdict(int)
    for s in plan.servers:
        if s.model not in models:
            out.append(f"server {s.server_id}: model {s.model!r} is not in the catalog")
            continue
        counts[s.model] += 1
        if s.mode not in tuple(HostMode):
            out.append(f"server {s.server_id}: unknown host mode {s.mode!r}")
        elif not runs_mode(models[s.model], s.mode, overhead, estate.settings.hypervisor):
            out.append(
                f"server {s.server_id}: model {s.model} lists platforms {', '.join(models[s.model].platforms)}, not {s.mode}"
            )
    for s in plan.spares:
        if s.model not in models:
            out.append(f"spare {s.server_id}: model {s.model!r} is not in the catalog")
            continue
        counts[s.model] += 1
        if not runs_mode(models[s.model], HostMode.HYPERVISOR, overhead, estate.settings.hypervisor):
            out.append(f"spare {s.server_id}: model {s.model} cannot run a hypervisor, which a spare runs when it takes over")
    for name, n in counts.items():
        limit = models[name].max_count
        if limit is not None and n > limit:
            out.append(f"server model {name}: {n} bought but max_count is {limit}")
    used = {p.server_id for p in plan.placements}
    out += [f"server {s.server_id} is bought but carries no workload" for s in plan.servers if s.server_id not in used]
    return out


def _check_accounting(estate: Estate, plan: Plan) -> list[str]:
    out: list[str] = []
    seen: dict[tuple[str, int], int] = defaultdict(int)
    names = {w.name for w in estate.workloads}
    entries: list[Placement | UnplacedReplica] = [*plan.placements, *plan.unplaced]
    for entry in entries:
        if entry.workload not in names:
            out.append(f"{entry.workload} is in the plan but not in the input")
            continue
        seen[entry.workload, entry.replica] += 1
    for u in plan.unplaced:
        if not u.reason.strip():
            out.append(f"{u.workload} replica {u.replica} is unplaced without a reason")
    for w in estate.workloads:
        for r in range(1, w.replicas + 1):
            if seen[w.name, r] == 0:
                out.append(f"{w.name} replica {r} is neither placed nor listed as unplaced")
            elif seen[w.name, r] > 1:
                out.append(f"{w.name} replica {r} appears {seen[w.name, r]} times in the plan")
    for (name, r), _ in sorted(seen.items()):
        w = estate.workloads_by_name[name]
        if not 1 <= r <= w.replicas:
            out.append(f"{name} replica {r} does not exist (replicas: {w.replicas})")
    return out


def _check_forms(estate: Estate, overhead: OverheadProfile, plan: Plan) -> list[str]:
    out: list[str] = []
    by_id = {s.server_id: s for s in plan.servers}
    for p in plan.placements:
        server = by_id.get(p.server_id)
        label = f"{p.workload} replica {p.replica}"
        if server is None:
            where = (
                "a spare, which must stay empty"
                if p.server_id in {s.server_id for s in plan.spares}
                else "which the plan does not buy"
            )
            out.append(f"{label} is on server {p.server_id}, {where}")
            continue
        if p.workload not in estate.workloads_by_name:
            continue
        w = estate.workload(p.workload)
        if p.form not in platform_forms(w, estate.settings.forms, overhead)[0]:
            out.append(
                f"{label} runs as {p.form}, which its platform, isolation, the form setting or the study's platforms forbid"
            )
        if p.form in ("vm", "container", "isolated_container") and not rules.form_fits_mode(p.form, w.os, server.mode):
            what = {"vm": "a VM", "container": f"a {w.os} container"}.get(p.form, f"an isolated {w.os} container")
            where = "a bare-metal container host" if p.form == "vm" else f"a {server.mode} server"
            out.append(f"{label} is {what} on {p.server_id}, {where}")
    return out


def _check_capacity(estate: Estate, overhead: OverheadProfile, plan: Plan) -> list[str]:
    out: list[str] = []
    loads = server_loads(estate, overhead, plan)
    for s in plan.servers:
        if s.model not in estate.server_models_by_name:
            continue
        usable = estate.usable_capacity(estate.server_model(s.model))
        load = loads[s.server_id]
        for r in ("storage_gb",) if by_time(estate) else RESOURCES:
            if load.get(r) > usable.get(r) + TOLERANCE:
                out.append(
                    f"server {s.server_id}: {RESOURCE_LABELS[r]} load {load.get(r):.3f} exceeds "
                    f"{usable.get(r):.3f} ({estate.settings.utilization_pct(r):g}% of capacity)"
                )
    return out + (_check_buckets(estate, overhead, plan) if by_time(estate) else [])


def _check_buckets(estate: Estate, overhead: OverheadProfile, plan: Plan) -> list[str]:
    """Packing by time: every server's cores and memory within its usable capacity in every time bucket."""
    demand = estate.usage
    assert demand is not None
    out: list[str] = []
    loads = loads_over_time(estate, overhead, plan, demand.bucket_cpu, demand.bucket_memory)
    for s in plan.servers:
        if s.model not in estate.server_models_by_name:
            continue
        room = room_over_time(estate, estate.server_model(s.model))
        for r, load in zip(TIMED, loads[s.server_id], strict=True):
            limit = np.asarray(room.get(r))
            over = load > limit + TOLERANCE
            if over.any():
                worst = int(np.argmax(load - limit))
                out.append(
                    f"server {s.server_id}: {RESOURCE_LABELS[r]} load {load[worst]:.3f} exceeds {limit[worst]:.3f} in "
                    f"time bucket {demand.bucket_labels[worst]} ({int(over.sum())} buckets over)"
                )
    return out


def _check_conflicts(estate: Estate, plan: Plan) -> list[str]:
    """Replica spread and anti-affinity: no two replicas bringing the same conflict key on one server."""
    on: dict[tuple[str, rules.ConflictKey], list[str]] = defaultdict(list)
    for p in plan.placements:
        if p.workload in estate.workloads_by_name:
            for key in rules.conflict_keys(estate.workload(p.workload)):
                on[p.server_id, key].append(p.workload)
    out, spread = [], set()
    for (server_id, (rule, name)), members in on.items():
        if len(members) < 2:
            continue
        if rule == rules.SPREAD and name not in spread:
            spread.add(name)
            out.append(f"replica spread: two replicas of {name} share a server")
        distinct = sorted(set(members))
        if rule == rules.ANTI_AFFINITY and len(distinct) > 1:
            out.append(f"anti-affinity group {name}: {', '.join(distinct)} share server {server_id}")
    return out


def _check_affinity(estate: Estate, plan: Plan) -> list[str]:
    """Affinity: copy k of every member of a group on one server."""
    out: list[str] = []
    where = {(p.workload, p.replica): p.server_id for p in plan.placements}
    names = {w.name for w in estate.workloads}
    affinity: dict[tuple[str, int], list[str]] = defaultdict(list)
    for w in estate.workloads:
        if w.affinity_group is not None:
            for r in range(1, w.replicas + 1):
                affinity[w.affinity_group, r].append(w.name)
    for (group, r), names_in_group in affinity.items():
        known = [m for m in names_in_group if m in names]
        placed = {where.get((m, r)) for m in known}
        if len(placed) > 1:
            out.append(f"affinity group {group} copy {r}: {', '.join(known)} are not all on one server")
    return out


def check_plan(estate: Estate, overhead: OverheadProfile, plan: Plan) -> list[str]:
    """Every broken capacity or rule in a plan, in plain words; an empty list means it is sound."""
    return [
        *_check_servers(estate, overhead, plan),
        *_check_accounting(estate, plan),
        *_check_forms(estate, overhead, plan),
        *_check_capacity(estate, overhead, plan),
        *_check_conflicts(estate, plan),
        *_check_affinity(estate, plan),
        *check_sites(estate, plan),
    ]


def verify_plan(estate: Estate, overhead: OverheadProfile, plan: Plan) -> None:
    """Raise PlanCheckError when check_plan finds anything."""
    violations = check_plan(estate, overhead, plan)
    if violations:
        raise PlanCheckError(violations)
