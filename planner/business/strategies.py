"""The same estate planned several ways, beside today's: which way of running it is cheapest, and why.

Strategies: every workload a VM on a type-1 hypervisor, the same on type 2, containers wherever
allowed (VMs elsewhere), the solver's free choice (the recommended plan), and the free choice on
each other platform compared (Hyper-V instead of ESXi, Docker instead of Kubernetes). Each is solved and
checked like any study; the overhead each adds is split by cause so the verdict can say which
overhead decides.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from planner.checker import placement_kind, planned_loads
from planner.domain import Estate, PlacementKind
from planner.plan import Plan, status_words
from planner.profiles.costs import CostProfile
from planner.profiles.footprints import application_demand, container_host_vm, host_reserve, placement_footprint
from planner.profiles.loading import hypervisor_type, list_platforms, load_platform
from planner.profiles.overheads import OverheadProfile
from planner.profiles.platforms import is_control_plane
from planner.resources import RESOURCE_LABELS, RESOURCES, Resources
from planner.study.pipeline import Study
from planner.study.recovery import recovery
from planner.study.tco import Tco

# key -> (label, forms setting, hypervisor or None for the study's own)
STRATEGIES: dict[str, tuple[str, str, str | None]] = {
    "type1_vms": ("every workload a VM, type-1 hypervisor", "vm_only", "type1"),
    "type2_vms": ("every workload a VM, type-2 hypervisor", "vm_only", "type2"),
    "containers": ("containers where allowed, VMs elsewhere", "containers_where_allowed", None),
    "recommended": ("solver's free choice (recommended)", "auto", None),
}
COMPONENTS = ("workload demand", "guest OS", "hypervisor per VM", "container runtime", "container-host VMs", "host software")
HYPERVISOR_NUMBERS = ("vm_memory_overhead_fixed_gb", "vm_memory_overhead_per_vcpu_gb", "vm_memory_overhead_pct")


PLATFORM_PREFIX = "platform:"  # strategy key of the estate planned on another platform: 'platform:hyperv'


def strategy_keys(estate: Estate) -> list[str]:
    """The strategies of a study: the fixed ones, then one per platform to compare.

    Platforms compared: the `compare_platforms` setting, and those the server catalog lists,
    except the study's own.
    """
    s = estate.settings
    listed = [p for m in estate.server_models for p in m.platforms]
    own = (s.hypervisor_platform, s.container_platform)
    names = [p for p in dict.fromkeys((*s.compare_platforms, *listed)) if p in list_platforms() and p not in own]
    return [*STRATEGIES, *(PLATFORM_PREFIX + p for p in names)]


def strategy_label(key: str) -> str:
    """The strategy's name in tables and the verdict."""
    if key.startswith(PLATFORM_PREFIX):
        name = key.removeprefix(PLATFORM_PREFIX)
        product = load_platform(name).info.product
        return f"on {product or name}, solver's free choice"
    return STRATEGIES[key][0]


def strategy_estate(estate: Estate, key: str) -> Estate:
    """The estate with the strategy's forms, hypervisor and platform settings.

    The control plane the study added is dropped: the strategy's own platform adds its own (or none).
    """
    s = estate.settings
    if key != "recommended":
        estate = replace(estate, workloads=tuple(w for w in estate.workloads if not is_control_plane(w)))
    if key.startswith(PLATFORM_PREFIX):
        name = key.removeprefix(PLATFORM_PREFIX)
        platform = load_platform(name)
        field = f"{platform.info.kind}_platform"
        changes: dict[str, object] = {field: name, "forms": s.forms, "compare_platforms": ()}
        if platform.info.kind == "hypervisor":
            changes["hypervisor"] = platform.info.hypervisor_type
        return replace(estate, settings=replace(s, **changes))  # type: ignore[arg-type]
    _, forms, hv = STRATEGIES[key]
    if key == "containers":
        estate = opened_to_containers(estate)
    if hv is None or hv == hypervisor_type(s):
        return replace(estate, settings=replace(s, forms=forms))
    # the other hypervisor type than the study's platform: that type's generic numbers
    return replace(estate, settings=replace(s, forms=forms, hypervisor=hv, hypervisor_platform=""))


def opened_to_containers(estate: Estate) -> Estate:
    """The estate with its containerizable lift-and-shift VMs free to become containers.

    The "containers where allowed" strategy plans them so, to show what containerizing the
    eligible VMs would save; legacy and unknown OSes stay VMs.
    """
    opened = tuple(replace(w, platform="any") if w.containerizable and w.platform == "vm" else w for w in estate.workloads)
    return estate if opened == estate.workloads else replace(estate, workloads=opened)


def overhead_breakdown(estate: Estate, overhead: OverheadProfile, plan: Plan) -> dict[str, Resources]:
    """The plan's total load split by cause: demand, guest OS, hypervisor, containers, host software."""
    hv = estate.settings.hypervisor
    bare = overhead.with_overrides({k: 0.0 for k in (*HYPERVISOR_NUMBERS, "type1_cpu_overhead_pct", "type2_cpu_overhead_pct")})
    parts = {c: Resources() for c in COMPONENTS}
    by_id = {s.server_id: s for s in plan.servers}
    host_vms: set[tuple[str, str]] = set()
    for s in plan.servers:
        parts["host software"] += host_reserve(s.mode, overhead, hv, estate.server_model(s.model).capacity)
    for p in plan.placements:
        w = estate.workload(p.workload)
        kind = placement_kind(p, by_id[p.server_id])
        full = placement_footprint(w, kind, overhead, hv)
        app = application_demand(w, overhead)  # an existing VM's allocation less the guest OS it holds
        parts["workload demand"] += app
        if kind == "vm":
            guest = placement_footprint(w, "vm", bare, hv)
            parts["guest OS"] += guest - app
            parts["hypervisor per VM"] += full - guest
        else:
            on_metal = placement_footprint(w, PlacementKind.CONTAINER_BARE, overhead, hv)
            parts["container runtime"] += on_metal - app
            parts["hypervisor per VM"] += full - on_metal
            if kind == PlacementKind.CONTAINER_IN_VM and (p.server_id, w.os) not in host_vms:
                host_vms.add((p.server_id, w.os))
                parts["container-host VMs"] += container_host_vm(w.os, overhead, hv)
    return parts


@dataclass(frozen=True)
class StrategyRow:
    """One line of the strategy comparison."""

    key: str
    label: str
    servers: int
    servers_by_model: dict[str, int]
    capex: float
    tco: float | None
    power_kw: float | None
    rack_units: float | None
    cpu_util_pct: float | None
    memory_util_pct: float | None
    vms: int | None
    containers: int | None
    unplaced: int
    recovery_s: float | None
    status: str
    overheads: dict[str, Resources]
    binding: str  # the resource that fills servers first in this strategy


def _binding(estate: Estate, plan: Plan, overhead: OverheadProfile) -> str:
    loads = planned_loads(estate, overhead, plan)
    totals = {r: 0.0 for r in RESOURCES}
    caps = {r: 0.0 for r in RESOURCES}
    for s in plan.servers:
        usable = estate.usable_capacity(estate.server_model(s.model))
        for r in RESOURCES:
            totals[r] += loads[s.server_id].get(r)
            caps[r] += usable.get(r)
    return max(RESOURCES, key=lambda r: totals[r] / caps[r] if caps[r] else 0.0)


def strategy_row(key: str, study: Study, tco: Tco | None, costs: CostProfile) -> StrategyRow:
    """A strategy's figures from its solved study; its draw at the planned loads, rack units from the catalog."""
    e, o, r, s = study.estate, study.overhead, study.result, study.summary
    models = [e.server_model(x.model) for x in (*r.plan.servers, *r.plan.spares)]
    full = sum(costs["default_server_watts"] if m.power_watts is None else m.power_watts for m in models)
    watts = full if tco is None else tco.plan.watts  # at each server's planned load, as today's are at theirs
    units = sum(costs["default_rack_units"] if m.rack_units is None else m.rack_units for m in models)
    return StrategyRow(
        key=key,
        label=strategy_label(key),
        servers=s.servers,
        servers_by_model=s.servers_by_model,
        capex=r.capex,
        tco=None if tco is None else tco.plan_total,
        power_kw=round(watts / 1000, 2),
        rack_units=units,
        cpu_util_pct=s.avg_cpu_util_pct,
        memory_util_pct=s.avg_memory_util_pct,
        vms=s.vms,
        containers=s.containers,
        unplaced=s.unplaced,
        recovery_s=recovery(e, o, r.plan)[2],
        status=r.status,
        overheads=overhead_breakdown(e, o, r.plan),
        binding=_binding(e, r.plan, o),
    )


def today_row(study: Study, tco: Tco | None, costs: CostProfile) -> StrategyRow:
    """Today's estate as a strategy line: what is known of it, its draw on the same curve as the plan's."""
    e, b = study.estate, study.baseline
    cpu = [h.cpu_usage_pct for h in e.hosts if h.cpu_usage_pct is not None]
    memory = [h.memory_usage_pct for h in e.hosts if h.memory_usage_pct is not None]
    return StrategyRow(
        key="today",
        label="today's estate (baseline)",
        servers=b.servers,
        servers_by_model={},
        capex=b.capex,
        tco=None if tco is None else tco.baseline_total,
        power_kw=round((b.servers * costs["baseline_server_watts"] if tco is None else tco.baseline.watts) / 1000, 2),
        rack_units=b.servers * costs["baseline_rack_units"],
        cpu_util_pct=round(sum(cpu) / len(cpu), 1) if cpu else None,
        memory_util_pct=round(sum(memory) / len(memory), 1) if memory else None,
        vms=None,
        containers=None,
        unplaced=0,
        recovery_s=None,
        status=b.note,
        overheads={},
        binding="",
    )


FAILED = "failed"  # the status of a strategy that could not be planned (its row says why; the verdict skips it)


def failed_row(key: str, reason: str) -> StrategyRow:
    """A strategy whose solve failed: a row that says so, no figures, left out of the verdict."""
    return StrategyRow(
        key=key,
        label=strategy_label(key),
        servers=0,
        servers_by_model={},
        capex=0.0,
        tco=None,
        power_kw=None,
        rack_units=None,
        cpu_util_pct=None,
        memory_util_pct=None,
        vms=None,
        containers=None,
        unplaced=0,
        recovery_s=None,
        status=f"{FAILED}: {reason}",
        overheads={},
        binding="",
    )


def verdict(rows: list[StrategyRow], objective: str, *, owned: bool = True) -> str:
    """Which strategy wins, by how much, and which overhead makes the difference.

    When even the cheapest costs more than today, the verdict says so and why, never as a saving.
    """
    planned = [r for r in rows if r.key != "today" and not r.status.startswith(FAILED)]
    if not planned:
        return ""

    def price(r: StrategyRow) -> float:
        return r.tco if objective == "tco" and r.tco is not None else r.capex

    ranked = sorted(planned, key=lambda r: (r.unplaced, round(price(r), 2), r.servers, r.key != "recommended"))
    win = ranked[0]
    ties = [r.label for r in ranked[1:] if (r.unplaced, round(price(r), 2)) == (win.unplaced, round(price(win), 2))]
    ranked = [win] + [r for r in ranked[1:] if r.label not in ties]
    what = "TCO" if objective == "tco" else "CAPEX"
    text = f"Cheapest: {win.label}, {win.servers} servers, {what} {price(win):,.0f}"
    text += f" (as cheap: {'; '.join(ties)})." if ties else "."
    today = next((r for r in rows if r.key == "today"), None)
    if today is not None and price(today) > 0:
        saved = price(today) - price(win)
        word = "less" if saved >= 0 else "more"
        against = "today's estate" if objective == "tco" else "replacing today's servers like for like"
        text += f" {abs(saved):,.0f} {word} than {against} ({100 * abs(saved) / price(today):.0f}% {word})."
        if saved < 0:
            text += " " + _dearer_than_today(win, today, price(win), price(today), objective == "tco" and owned)
    others = ranked[1:2] + [r for r in ranked[2:] if r.key == "type1_vms"]  # the next, and all-VM for reference
    for n, other in enumerate(others):
        gap = price(other) - price(win)
        text += f" {'Next' if n == 0 else 'Against'}: {other.label}, {gap:,.0f} more ({other.servers} servers)"
        text += _cause(win, other)
    return text


def _dearer_than_today(win: StrategyRow, today: StrategyRow, cost: float, cost_today: float, owned: bool) -> str:
    """Why the cheapest plan still costs more than today's estate, in one sentence."""
    if owned:
        return "Today's servers are already paid for (baseline_hardware = owned): the plan's TCO buys new hardware."
    if win.servers > today.servers:
        return f"It needs more servers than today ({win.servers} against {today.servers}): {win.binding} fills them first."
    each, each_today = cost / max(1, win.servers), cost_today / max(1, today.servers)
    return (
        f"It needs fewer servers ({win.servers} against {today.servers}), but each costs more "
        f"({each:,.0f} against {each_today:,.0f} for one of today's)."
    )


def _cause(win: StrategyRow, other: StrategyRow) -> str:
    """Which overhead makes the difference between two strategies, in the resource that binds."""
    resource = win.binding or "memory_gb"
    diffs = {c: other.overheads[c].get(resource) - win.overheads[c].get(resource) for c in COMPONENTS[1:]}
    cause = max(diffs, key=lambda c: diffs[c])
    total = sum(win.overheads[c].get(resource) for c in COMPONENTS)
    if diffs[cause] <= 0.02 * total:
        return "; the overheads are about the same, the difference is in how the shapes pack."
    unit = "cores" if resource == "cpu_cores" else "GB"
    return (
        f"; mostly {cause} overhead: {diffs[cause]:,.1f} {unit} more {RESOURCE_LABELS[resource]}, "
        "the resource that fills servers first."
    )


def strategy_rows(rows: list[StrategyRow]) -> list[dict[str, object]]:
    """The Strategies sheet: one row per strategy, overhead by cause in GB of memory and cores."""
    out = []
    for r in rows:
        row: dict[str, object] = {
            "strategy": r.label,
            "servers": r.servers,
            "servers_by_model": ", ".join(f"{n} x {m}" for m, n in r.servers_by_model.items()),
            "capex": round(r.capex, 2),
            "tco": None if r.tco is None else round(r.tco, 2),
            "power_kw": r.power_kw,
            "rack_units": r.rack_units,
            "avg_cpu_util_pct": r.cpu_util_pct,
            "avg_memory_util_pct": r.memory_util_pct,
            "vms": r.vms,
            "containers": r.containers,
            "unplaced": r.unplaced,
            "recovery_largest_server_s": r.recovery_s,
            "binding_resource": RESOURCE_LABELS.get(r.binding, ""),
            "status": status_words(r.status),
        }
        for c in COMPONENTS[1:]:
            part = r.overheads.get(c, Resources())
            row[f"{c} memory_gb"] = round(part.memory_gb, 1)
            row[f"{c} cpu_cores"] = round(part.cpu_cores, 2)
        out.append(row)
    return out
