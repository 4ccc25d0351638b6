"""Failure tolerance on the placement: survive the loss of any k servers.

`evacuate` restarts the replicas of failed servers on the survivors (spares included) under
every rule: capacity within the ceilings, forms and host modes, replica spread, anti-affinity
and affinity (an affinity copy moves as one). `assess` runs it for every k-subset of servers
(or, past MAX_SCENARIOS, the most loaded subsets first) and the independent checker verifies
each survivor plan. `enforce_failures` makes a plan pass by buying the cheapest server that can
take over any other and levelling load onto it, so existing slack is used before money is.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import numpy as np

from planner.checker import check_plan, planned_loads
from planner.domain import Estate
from planner.plan import Placement, Plan, PlannedServer, SolveResult, SolveStatus, combined_status
from planner.profiles.overheads import OverheadProfile
from planner.resources import RESOURCES, Resources
from planner.study.restart import (
    EPS,
    Host,
    as_host,
    best_host,
    copy_hosts,
    cost_on,
    fullest,
    hosts_of,
    place_unit,
    restart_units,
    server_counts,
    take_over_whole,
    unit_keys,
    unit_size,
)
from planner.study.spares import TAKEOVER_MODE, able_to_run, spare_model

MAX_SCENARIOS = 5_000  # k-subsets checked exhaustively up to this many; past it, the most loaded first


@dataclass(frozen=True)
class Scenario:
    """One failure: the servers lost, where their replicas restart, and what could not restart."""

    failed: tuple[str, ...]
    moves: tuple[Placement, ...]
    stranded: tuple[tuple[str, int, str], ...]
    peak_util_pct: float  # highest load of any survivor after the restart, % of its raw capacity
    room_left: Resources  # usable room left on all survivors together, under the ceilings

    @property
    def survived(self) -> bool:
        """True when every replica of the failed servers restarted."""
        return not self.stranded


@dataclass(frozen=True)
class ResilienceReport:
    """Every failure scenario checked, with the worst one, for `k` servers lost at once."""

    k: int
    scenarios: tuple[Scenario, ...]
    total: int  # k-subsets of the plan's servers
    exhaustive: bool
    notes: tuple[str, ...] = field(default=())

    @property
    def survived(self) -> bool:
        """True when every scenario checked survived."""
        return all(s.survived for s in self.scenarios)

    @property
    def worst(self) -> Scenario | None:
        """The scenario that strands most replicas, else restarts most, else leaves the survivors most loaded."""
        if not self.scenarios:
            return None
        return max(self.scenarios, key=lambda s: (len(s.stranded), len(s.moves), s.peak_util_pct))


def evacuate(
    estate: Estate, overhead: OverheadProfile, plan: Plan, failed: tuple[str, ...], base: dict[str, Host] | None = None
) -> Scenario:
    """Restart the replicas of the failed servers on the survivors, largest units first (best fit).

    When best fit strands replicas, whole-server takeover (each failed server onto one survivor,
    the rest by best fit) is tried too, and the one that strands fewer is kept. `base` is the
    plan's hosts before the failure (built once per assessment), copied, never changed.
    """
    base = base if base is not None else hosts_of(estate, overhead, plan)
    first = _evacuate(estate, overhead, plan, failed, copy_hosts(base), takeover=False)
    if first.survived:
        return first
    second = _evacuate(estate, overhead, plan, failed, copy_hosts(base), takeover=True)
    return second if len(second.stranded) < len(first.stranded) else first


def _evacuate(
    estate: Estate, overhead: OverheadProfile, plan: Plan, failed: tuple[str, ...], hosts: dict[str, Host], *, takeover: bool
) -> Scenario:
    lost = set(failed)
    survivors = [h for sid, h in hosts.items() if sid not in lost]
    moves: list[Placement] = take_over_whole(estate, overhead, plan, failed, survivors) if takeover else []
    done = {(p.workload, p.replica) for p in moves}
    units = restart_units(estate, [p for p in plan.placements if p.server_id in lost and (p.workload, p.replica) not in done])
    units.sort(key=lambda u: (-unit_size(estate, overhead, u), u[0].workload, u[0].replica))
    stranded: list[tuple[str, int, str]] = []
    for unit in units:
        found = best_host(estate, overhead, unit, survivors)
        if found is None:
            stranded += [(p.workload, p.replica, "no surviving server has room for it under the rules") for p in unit]
        else:
            moves += place_unit(estate, unit, *found)
    peak = max((100 * float(np.max(h.load.get(r))) / h.capacity.get(r) for h in survivors for r in RESOURCES), default=0.0)
    room = Resources()
    for h in survivors:  # packed by time: the room left in each host's busiest bucket
        room = room + Resources(*(max(0.0, float(np.min(h.usable.get(r) - h.load.get(r)))) for r in RESOURCES))
    return Scenario(tuple(failed), tuple(moves), tuple(stranded), round(peak, 1), room)


def survivor_plan(plan: Plan, scenario: Scenario) -> Plan:
    """The plan after a failure: survivors (spares that took work become servers) and moved replicas."""
    lost = set(scenario.failed)
    kept = [p for p in plan.placements if p.server_id not in lost]
    placements = (*kept, *scenario.moves)
    used = {p.server_id for p in placements}
    servers = tuple(as_host(s) for s in (*plan.servers, *plan.spares) if s.server_id in used)
    return Plan(servers, placements, plan.unplaced)


def check_scenario(estate: Estate, overhead: OverheadProfile, plan: Plan, scenario: Scenario) -> list[str]:
    """Independent check of a survived failure: the survivor plan breaks no capacity or rule."""
    if not scenario.survived:
        return []
    label = " + ".join(scenario.failed)
    return [f"after losing {label}: {v}" for v in check_plan(estate, overhead, survivor_plan(plan, scenario))]


def failure_sets(estate: Estate, overhead: OverheadProfile, plan: Plan, k: int) -> tuple[list[tuple[str, ...]], int]:
    """The k-subsets of servers to check (all of them, or the most loaded first) and how many exist."""
    ids = [s.server_id for s in (*plan.servers, *plan.spares)]  # a spare can fail too
    if k <= 0 or not ids:
        return [], 0
    k = min(k, len(ids))
    total = math.comb(len(ids), k)
    if total <= MAX_SCENARIOS:
        return list(itertools.combinations(ids, k)), total
    loads = planned_loads(estate, overhead, plan)
    weight = {s.server_id: 0.0 for s in plan.spares}
    for s in plan.servers:
        weight[s.server_id] = fullest(loads[s.server_id], estate.effective_capacity(estate.server_model(s.model)))
    ranked = sorted(ids, key=lambda i: -weight[i])
    chosen: list[tuple[str, ...]] = []
    width = k
    while len(chosen) < MAX_SCENARIOS and width <= len(ranked):  # subsets of the heaviest servers, widening
        for combo in itertools.combinations(ranked[:width], k):
            if ranked[width - 1] in combo or width == k:
                chosen.append(combo)
                if len(chosen) >= MAX_SCENARIOS:
                    break
        width += 1
    return chosen, total


def assess(estate: Estate, overhead: OverheadProfile, plan: Plan, k: int, *, first_failure: bool = False) -> ResilienceReport:
    """Evacuate every failure set of k servers; with `first_failure`, stop at the first that strands replicas."""
    sets, total = failure_sets(estate, overhead, plan, k)
    base = hosts_of(estate, overhead, plan)
    out = []
    for failed in sets:
        scenario = evacuate(estate, overhead, plan, failed, base)
        out.append(scenario)
        if first_failure and not scenario.survived:
            break
    notes = () if len(sets) == total else (f"{len(sets):,} of {total:,} failure sets checked, the most loaded servers first",)
    return ResilienceReport(k, tuple(out), total, len(sets) == total, notes)


def _rebalance(
    estate: Estate, overhead: OverheadProfile, plan: Plan, new: PlannedServer, share: float, keep_empty: bool = True
) -> Plan:
    """Move units from the most loaded servers onto a new server until it carries `share` of an average load.

    With share 0 the new server stays empty, a spare that takes over a failed server whole (unless not
    `keep_empty`: a model that cannot run the hypervisor a spare takes over as is then not added).
    """
    with_new = replace(plan, spares=(*plan.spares, new))
    hosts = hosts_of(estate, overhead, with_new)
    target = hosts[new.server_id]

    def level(h: Host) -> float:
        return fullest(h.load, h.capacity)

    average = share * sum(level(hosts[s.server_id]) for s in plan.servers) / max(1, len(plan.servers))
    placements = list(plan.placements)
    by_server: dict[str, list[Placement]] = defaultdict(list)
    for p in placements:
        by_server[p.server_id].append(p)
    moved: dict[tuple[str, int], Placement] = {}
    for sid in sorted(by_server, key=lambda i: -level(hosts[i])):
        units = restart_units(estate, by_server[sid])
        for unit in sorted(units, key=lambda u: -unit_size(estate, overhead, u)):
            if level(target) >= average or len(units) <= 1:
                break
            if unit_keys(estate, unit) & target.keys:
                continue
            extra = cost_on(estate, overhead, unit, target)
            if extra is None or not (target.load + extra).fits_in(target.usable, EPS):
                continue
            if fullest(target.load + extra, target.capacity) > average + 0.05:
                continue
            for p in place_unit(estate, unit, target, extra):
                moved[p.workload, p.replica] = p
            units = [u for u in units if u is not unit]
    if not moved:  # empty: a spare, as in the workbook
        return replace(plan, spares=(*plan.spares, replace(new, mode="spare"))) if keep_empty else plan
    new_placements = tuple(moved.get((p.workload, p.replica), p) for p in placements)
    return replace(plan, servers=(*plan.servers, new), placements=new_placements)


def _takeover_model(estate: Estate, overhead: OverheadProfile, plan: Plan, prices: Mapping[str, float], mode: str) -> str | None:
    """The model to buy for failover: cheapest that dominates the models in use, within max_count, whose platforms
    run the added server's mode."""
    counts = server_counts(plan)
    able = able_to_run(estate, overhead, [mode])
    preferred = spare_model(estate, [s.model for s in plan.servers], able)
    candidates = sorted(estate.server_models, key=lambda m: (m is not preferred, -m.memory_gb, prices[m.model]))
    return next((m.model for m in candidates if able(m) and (m.max_count is None or counts[m.model] < m.max_count)), None)


def _within_max_counts(estate: Estate, plan: Plan) -> bool:
    counts = server_counts(plan)
    return all(m.max_count is None or counts[m.model] <= m.max_count for m in estate.server_models)


def enforce_failures(estate: Estate, overhead: OverheadProfile, result: SolveResult, prices: Mapping[str, float]) -> SolveResult:
    """The result changed, if needed, so that losing any `ha_failures` servers strands no replica.

    `prices` is what the solver minimised per model: added servers are priced with it.
    """
    k = estate.settings.ha_failures
    if k == 0 or not result.plan.servers:
        return result
    plan, shortfall = result.plan, ""
    added: list[PlannedServer] = []
    modes = [s.mode for s in plan.servers]
    mode = "hypervisor" if "hypervisor" in modes else max(set(modes), key=modes.count)
    survived = assess(estate, overhead, plan, k, first_failure=True).survived
    while not survived:
        if len(added) >= k + len(result.plan.servers):
            shortfall = f"ha_failures = {k} not met after adding {len(added)} servers"
            break
        model = _takeover_model(estate, overhead, plan, prices, mode)
        if model is None:
            shortfall = f"ha_failures = {k} not met: every server model is at its max_count"
            break
        new = PlannedServer(f"{model}-ha-{len(added) + 1:02d}", model, mode)
        added.append(new)
        # Level load onto the new server (a full share, a share as if it had always been there) or
        # keep it empty; the first that survives, else whichever leaves the fewest failure sets stranding replicas.
        n = len(plan.servers)
        spare_ok = able_to_run(estate, overhead, [TAKEOVER_MODE])(estate.server_model(model))  # may it stay empty?
        shares = (1.0, n / (n + 1), 0.0) if spare_ok else (1.0, n / (n + 1))
        options = [_rebalance(estate, overhead, plan, new, share, spare_ok) for share in shares]
        passing = next((p for p in options if assess(estate, overhead, p, k, first_failure=True).survived), None)
        plan = passing or min(options, key=lambda p: sum(not s.survived for s in assess(estate, overhead, p, k).scenarios))
        survived = passing is not None
    if len(added) > k:  # k empty takeover servers each absorb one failed server whole: use them if cheaper
        takeover = spare_model(estate, [s.model for s in result.plan.servers], able_to_run(estate, overhead, [TAKEOVER_MODE]))
        name = takeover.model if takeover else ""
        spares = tuple(PlannedServer(f"{name}-ha-{i + 1:02d}", name, "spare") for i in range(k)) if takeover else ()
        simple = replace(result.plan, spares=(*result.plan.spares, *spares))
        if takeover and _within_max_counts(estate, simple) and assess(estate, overhead, simple, k, first_failure=True).survived:
            plan, added, shortfall = simple, list(spares), ""
    kept = {s.server_id for s in (*plan.servers, *plan.spares)}
    added = [s for s in added if s.server_id in kept]  # a server that took nothing and may not stand spare was not added
    capex = result.capex + sum(estate.server_model(s.model).unit_cost for s in added)
    value = result.objective_value + sum(prices[s.model] for s in added)
    # The survivors of any k failures carry the whole estate, so they cost at least the no-failure
    # bound; the k lost servers cost at least the cheapest model each.
    bound = min(value, result.lower_bound + k * min(prices.values()))
    proven = value <= bound + 1e-6 and result.status == SolveStatus.OPTIMAL
    status = SolveStatus.OPTIMAL if proven else combined_status([result.status, SolveStatus.FEASIBLE])
    notes = [*result.notes, *([shortfall] if shortfall else [])]
    if added:
        notes.append(f"{len(added)} server(s) added so that the plan survives losing any {k}")
    return replace(
        result,
        plan=plan,
        capex=capex,
        cost=value,
        lower_bound=bound,
        status=status,
        notes=tuple(notes),
        failures_met=not shortfall,
    )
