"""Windows grouping under the TCO objective: per-host Datacenter licences reward keeping Windows
guests on few hosts. The solver prices servers per model, so the study also plans the estate
with Windows and non-Windows workloads on separate hosts, and keeps whichever plan costs less
over the horizon (hardware, licences and running costs)."""

from __future__ import annotations

import threading
from dataclasses import replace

from planner.domain import Estate
from planner.plan import Plan, SolveResult, SolveStatus, combined_status
from planner.profiles.costs import CostProfile, solver_prices
from planner.profiles.overheads import OverheadProfile
from planner.solver.progress import ProgressFn
from planner.solver.solve import solve
from planner.study.baseline import Baseline
from planner.study.tco import compute_tco


def applies(estate: Estate, costs: CostProfile) -> bool:
    """True when the objective is TCO, Windows licences cost something, and both OS families are present."""
    if estate.settings.objective != "tco":
        return False
    oses = {w.os for w in estate.workloads}
    return len(oses) > 1 and costs["windows_datacenter_per_core"] > 0


def split(estate: Estate) -> tuple[Estate, Estate]:
    """Windows side (Windows workloads and every affinity group holding one) and the rest."""
    groups = {w.affinity_group for w in estate.workloads if w.os == "windows" and w.affinity_group}
    win = tuple(w for w in estate.workloads if w.os == "windows" or (w.affinity_group in groups))
    names = {w.name for w in win}
    rest = tuple(w for w in estate.workloads if w.name not in names)
    return replace(estate, workloads=win), replace(estate, workloads=rest)


def _rename(plan: Plan, prefix: str) -> Plan:
    ids = {s.server_id: f"{prefix}{s.server_id}" for s in plan.servers}
    return replace(
        plan,
        servers=tuple(replace(s, server_id=ids[s.server_id]) for s in plan.servers),
        placements=tuple(replace(p, server_id=ids[p.server_id]) for p in plan.placements),
    )


def solve_separated(
    estate: Estate,
    overhead: OverheadProfile,
    prices: list[float],
    *,
    time_limit_s: float,
    stop: threading.Event | None = None,
) -> SolveResult:
    """Plan Windows and non-Windows workloads on separate hosts and merge the two plans."""
    win, rest = split(estate)
    first = solve(win, overhead, prices=prices, time_limit_s=time_limit_s / 2, stop=stop)
    used: dict[str, int] = {}
    for s in first.plan.servers:
        used[s.model] = used.get(s.model, 0) + 1
    models = tuple(
        m if m.max_count is None else replace(m, max_count=max(0, m.max_count - used.get(m.model, 0)))
        for m in estate.server_models
    )
    second = solve(replace(rest, server_models=models), overhead, prices=prices, time_limit_s=time_limit_s / 2, stop=stop)
    a, b = _rename(first.plan, "win-"), _rename(second.plan, "oth-")
    plan = Plan((*a.servers, *b.servers), (*a.placements, *b.placements), (*a.unplaced, *b.unplaced))
    return SolveResult(
        status=combined_status([first.status, second.status, SolveStatus.FEASIBLE]),  # never proven optimal
        plan=plan,
        capex=first.capex + second.capex,
        lower_bound=0.0,
        seconds=first.seconds + second.seconds,
        method=f"Windows on their own hosts: {first.method}; others: {second.method}",
        objective=estate.settings.objective,
        cost=first.objective_value + second.objective_value,
    )


def solve_for_tco(
    estate: Estate,
    overhead: OverheadProfile,
    costs: CostProfile,
    baseline: Baseline,
    *,
    time_limit_s: float | None = None,
    progress: ProgressFn | None = None,
    stop: threading.Event | None = None,
    hint: Plan | None = None,
) -> SolveResult:
    """The joint plan, or the Windows-separated plan when its TCO (with licences) is lower (`hint`: a warm start)."""
    limit = estate.settings.time_limit_s if time_limit_s is None else time_limit_s
    prices = solver_prices(estate, costs)
    if not applies(estate, costs):
        return solve(estate, overhead, prices=prices, time_limit_s=limit, progress=progress, stop=stop, hint=hint)
    joint = solve(estate, overhead, prices=prices, time_limit_s=limit / 2, progress=progress, stop=stop, hint=hint)
    apart = solve_separated(estate, overhead, prices, time_limit_s=limit / 2, stop=stop)
    if len(apart.plan.unplaced) > len(joint.plan.unplaced):
        return joint
    joint_tco = compute_tco(estate, joint.plan, baseline, costs, overhead).plan_total
    apart_tco = compute_tco(estate, apart.plan, baseline, costs, overhead).plan_total
    if apart_tco >= joint_tco:
        return replace(
            joint, notes=(*joint.notes, f"Windows kept with other guests: TCO {joint_tco:,.0f} vs {apart_tco:,.0f} apart")
        )
    note = f"Windows guests on their own hosts: TCO {apart_tco:,.0f} against {joint_tco:,.0f} mixed (fewer Datacenter licences)"
    # the joint problem's bound holds for any plan, the separated one included
    return replace(apart, lower_bound=min(joint.lower_bound, apart.objective_value), notes=(note,))
