"""Turn a solver assignment into a Plan, with the reason for each form and each unplaced replica."""

from __future__ import annotations

from planner.domain import PlacementKind
from planner.plan import Placement, Plan, PlannedServer, UnplacedReplica
from planner.resources import RESOURCES
from planner.rules import kind_fits_mode
from planner.solver.greedy import Assignment, fits_empty_server
from planner.solver.problem import SCALE, Item, Problem, min_footprint

_UNITS = {"cpu_cores": "cores", "memory_gb": "GB memory", "storage_gb": "GB storage"}


def _fixed_form_reason(item: Item, policy: str) -> str:
    w = item.workload
    eligibility = str(dict(w.extra).get("container eligibility", ""))
    if w.platform == "vm" and eligibility.startswith("never: "):
        return "an existing VM that stays a VM: " + eligibility.removeprefix("never: ")
    if w.platform == "vm" and w.containerizable:
        return "lift and shift: an existing VM stays a VM (setting containerize = eligible would let it become a container)"
    if w.platform == "vm":
        return "platform 'vm': the workload may only run as a VM"
    if w.platform == "isolated_container":
        return "platform 'isolated_container': the workload may only run as a container with its own kernel"
    if w.platform == "container":
        what = "an isolated container (strict isolation)" if item.isolated else "a container"
        return f"platform 'container': the workload may only run as {what}"
    if w.isolation == "strict":
        if item.isolated:
            return "strict isolation: an isolated container (own kernel), the study's forms setting allows no VM"
        return "strict isolation requires a VM (the container platform offers no isolated containers)"
    if item.kinds == ("vm",) and policy != "vm_only":
        return "VM: the study's container platform does not run this workload's OS"
    if policy == "vm_only":
        return "study setting forms=vm_only: every workload runs as a VM"
    return "study setting forms=containers_where_allowed: containers wherever a workload allows them"


def explain_form(problem: Problem, item: Item, kind: str, has_container_vm: bool) -> str:
    """Why this replica runs in this form, in plain words a capacity planner can defend."""
    if len(item.forms) == 1:
        return _fixed_form_reason(item, problem.estate.settings.forms)
    vm = item.footprints["vm"]
    container = item.footprints[
        PlacementKind.CONTAINER_BARE if item.isolated or kind == PlacementKind.CONTAINER_BARE else PlacementKind.CONTAINER_IN_VM
    ]
    saved_gb = (vm[1] - container[1]) / SCALE
    saved_cores = (vm[0] - container[0]) / SCALE
    os_name = item.workload.os
    if item.isolated:
        if kind == PlacementKind.CONTAINER_BARE:
            return (
                f"isolated container (own kernel): {saved_gb:.1f} GB smaller than a VM, on a bare-metal {os_name} container host"
            )
        return "VM: strict isolation, and no bare-metal container host in this plan has room for an isolated container"
    smaller = f"container: {saved_gb:.1f} GB and {saved_cores:.2f} cores smaller than as a VM"
    if kind == PlacementKind.CONTAINER_BARE:
        return f"{smaller}, on a bare-metal {os_name} container host"
    if kind == PlacementKind.CONTAINER_IN_VM:
        return f"{smaller}, in this server's {os_name} container-host VM"
    host_vm_gb = problem.container_vms[os_name][1] / SCALE
    if not has_container_vm and host_vm_gb > saved_gb:
        return (
            f"VM: this hypervisor host has no {os_name} container-host VM; one would take {host_vm_gb:.1f} GB, "
            f"more than the {saved_gb:.1f} GB a container saves"
        )
    return "VM: either form fits this server at the same plan cost"


def _too_large(problem: Problem, b: int) -> str | None:
    bundle = problem.bundles[b]
    need = [sum(min_footprint(problem.items[i])[k] for i in bundle) for k in range(3)]
    reserve = problem.min_reserve()
    room = [max(c[k] for c in problem.capacities) - reserve[k] for k in range(3)]
    over = [k for k in range(3) if need[k] > room[k]]
    if not over:
        return None
    util = problem.estate.settings
    parts = [
        f"{need[k] / SCALE:.1f} {_UNITS[RESOURCES[k]]} with overheads, but the largest server model leaves "
        f"{room[k] / SCALE:.1f} after its host reserve at {util.utilization_pct(RESOURCES[k]):g}% utilization"
        for k in over
    ]
    who = f"{problem.bundle_names[b]} (members together)" if len(bundle) > 1 else "the workload"
    return f"{who} is too large for every server model: needs " + "; ".join(parts)


def diagnose_unplaced(problem: Problem, b: int, max_servers: int) -> str:
    """The rule or resource that keeps a bundle off every server."""
    bundle = problem.bundles[b]
    for i in bundle:
        if problem.items[i].workload.name in problem.barred:
            return f"{problem.items[i].workload.name}: {problem.barred[problem.items[i].workload.name]}"
    seen: dict[int, int] = {}
    for i in bundle:
        for c, (rule, members) in enumerate(problem.conflicts):
            if i in members:
                if c in seen:
                    names = f"{problem.items[seen[c]].workload.name} and {problem.items[i].workload.name}"
                    return f"{problem.bundle_names[b]} puts {names} on one server, but {rule} keeps them apart"
                seen[c] = i
    reason = _too_large(problem, b)
    if reason:
        return reason
    if not fits_empty_server(problem, bundle):
        return "no server model and host mode can hold it with its overheads (check OS and form rules)"
    for rule, members in problem.conflicts:
        if any(i in members for i in bundle) and len(members) > max_servers:
            return f"{rule} needs {len(members)} different servers, but the catalog's max_count allows {max_servers}"
    limits = [f"{m.model}: {m.max_count}" for m in problem.estate.server_models if m.max_count is not None]
    if limits:
        return "no capacity left: the catalog's max_count limits are reached (" + ", ".join(limits) + ")"
    return "the solver found no room for it within the time limit"


def to_plan(problem: Problem, assignment: Assignment, reasons: dict[int, str]) -> Plan:
    """Build the Plan: server ids per model in order, placements with reasons, unplaced with reasons."""
    models = problem.estate.server_models
    ids: list[str] = []
    per_model: dict[int, int] = {}
    used = sorted({s for s, _ in assignment.placed.values()})
    id_of: dict[int, str] = {}
    for s in used:
        m, _ = assignment.servers[s]
        per_model[m] = per_model.get(m, 0) + 1
        id_of[s] = f"{models[m].model}-{per_model[m]:03d}"
        ids.append(id_of[s])
    servers = tuple(PlannedServer(id_of[s], models[assignment.servers[s][0]].model, assignment.servers[s][1]) for s in used)
    vms_on: dict[int, set[str]] = {}
    for i, (s, kind) in assignment.placed.items():
        if kind == PlacementKind.CONTAINER_IN_VM:
            vms_on.setdefault(s, set()).add(problem.items[i].workload.os)
    placements = []
    for i in sorted(assignment.placed):
        s, kind = assignment.placed[i]
        item = problem.items[i]
        why = explain_form(problem, item, kind, item.workload.os in vms_on.get(s, set()))
        placements.append(Placement(item.workload.name, item.replica, id_of[s], item.plan_form(kind), why))
    unplaced = [
        UnplacedReplica(
            problem.items[i].workload.name, problem.items[i].replica, reasons.get(problem.items[i].bundle, "not placed")
        )
        for i in range(len(problem.items))
        if i not in assignment.placed
    ]
    return Plan(servers, tuple(placements), tuple(unplaced))


def from_plan(problem: Problem, plan: Plan) -> Assignment | None:
    """A plan (of this estate or one it allows) as an assignment of this problem: the search's warm start.
    None when a placement names a replica, a model or a form this problem does not have there."""
    models = [m.model for m in problem.estate.server_models]
    index = {(item.workload.name, item.replica): item.index for item in problem.items}
    holding = {p.server_id for p in plan.placements}
    used = [s for s in plan.servers if s.server_id in holding]
    position = {s.server_id: n for n, s in enumerate(used)}
    if any(s.model not in models for s in used):
        return None
    servers = [(models.index(s.model), s.mode) for s in used]
    placed: dict[int, tuple[int, str]] = {}
    for p in plan.placements:
        i, s = index.get((p.workload, p.replica)), position.get(p.server_id)
        if i is None or s is None:
            return None
        item, mode = problem.items[i], servers[s][1]
        kinds = [k for k in item.footprints if kind_fits_mode(k, item.workload.os, mode) and item.plan_form(k) == p.form]
        if len(kinds) != 1:
            return None
        placed[i] = (s, kinds[0])
    return Assignment(servers, placed)
