"""Every rule of the solver on tiny estates with known optima (raw packing unless stated).

Each test asserts status, CAPEX, server count and a clean check together; never exact
placements (parallel CP-SAT may pick any of several optimal placements).
"""

from __future__ import annotations

import threading

import pytest
from conftest import estate, server, wl

from planner.checker import check_plan
from planner.domain import Estate
from planner.plan import SolveResult, SolveStatus
from planner.profiles.loading import load_profile
from planner.profiles.overheads import OverheadProfile
from planner.solver.solve import solve


def run(e: Estate, model: OverheadProfile | None = None, **kw: object) -> SolveResult:
    model = model or load_profile(e.settings.overhead_profile)
    result = solve(e, model, **kw)  # type: ignore[arg-type]
    assert check_plan(e, model, result.plan) == []
    assert result.lower_bound <= result.capex + 1e-9
    return result


# --- capacity -------------------------------------------------------------------------


def test_capacity_holds_exactly_full() -> None:
    # 4 x 5 cores on 10-core servers: optimum 2 servers, each exactly full.
    r = run(estate([wl(f"w{i}", cpu=5) for i in range(4)]))
    assert (r.status, r.capex, len(r.plan.servers)) == ("optimal", 200, 2)


def test_capacity_just_over_needs_another_server() -> None:
    # 3 x 5 cores + 1 x 5.001: 5 + 5.001 > 10, so the odd one cannot pair: optimum 2 still? no:
    # pairs {5,5} and {5, 5.001} -> the second breaks 10; optimum is 3 servers.
    r = run(estate([wl("a", cpu=5), wl("b", cpu=5), wl("c", cpu=5.001), wl("d", cpu=5.001)]))
    assert (r.status, r.capex, len(r.plan.servers)) == ("optimal", 300, 3)


def test_utilization_ceiling() -> None:
    # 80% of 10 cores = 8: two 4-core workloads share a server, two 4.1-core ones cannot.
    ok = run(estate([wl("a", cpu=4), wl("b", cpu=4)], max_utilization_pct=80))
    assert len(ok.plan.servers) == 1
    over = run(estate([wl("a", cpu=4.1), wl("b", cpu=4.1)], max_utilization_pct=80))
    assert (over.status, len(over.plan.servers)) == ("optimal", 2)


def test_per_resource_ceiling() -> None:
    # memory at 50% of 10 GB: two 3 GB workloads cannot share although CPU is free.
    r = run(estate([wl("a", mem=3), wl("b", mem=3)], memory_max_utilization_pct=50))
    assert len(r.plan.servers) == 2


def test_too_large_is_unplaced_with_reason() -> None:
    # 12 cores never fit a 10-core server: unplaced, the rest planned.
    r = run(estate([wl("big", cpu=12), wl("small", cpu=1)]))
    assert [(u.workload, u.replica) for u in r.plan.unplaced] == [("big", 1)]
    assert "too large for every server model" in r.plan.unplaced[0].reason and "cores" in r.plan.unplaced[0].reason
    assert len(r.plan.servers) == 1


# --- replicas, anti-affinity, affinity --------------------------------------------------


def test_replica_spread() -> None:
    # 3 replicas of a 1-core workload: 3 servers although one would hold all.
    r = run(estate([wl("web", replicas=3)]))
    assert (r.status, len(r.plan.servers)) == ("optimal", 3)
    assert len({p.server_id for p in r.plan.placements}) == 3


def test_replica_spread_blocked_by_max_count() -> None:
    # 3 replicas but at most 2 servers: one replica unplaced, reason names the rule.
    r = run(estate([wl("web", replicas=3)], [server(max_count=2)]))
    assert len(r.plan.unplaced) == 1 and "replica spread web" in r.plan.unplaced[0].reason


def test_anti_affinity_group() -> None:
    # Three small members of one group: 3 servers; a fourth workload outside joins one of them.
    ws = [wl(f"dc{i}", anti_affinity_group="dcs") for i in range(3)] + [wl("free")]
    r = run(estate(ws))
    assert (r.status, len(r.plan.servers)) == ("optimal", 3)


def test_affinity_group_shares_server() -> None:
    # api and cache together; 6 + 4 = 10 fits one 10-core server exactly; a third 5 needs another.
    ws = [wl("api", cpu=6, affinity_group="g"), wl("cache", cpu=4, affinity_group="g"), wl("x", cpu=5)]
    r = run(estate(ws))
    where = {p.workload: p.server_id for p in r.plan.placements}
    assert where["api"] == where["cache"] and len(r.plan.servers) == 2


def test_affinity_group_too_large_together() -> None:
    # 6 + 6 cores must share a 10-core server: both unplaced, reason names the group.
    r = run(estate([wl("a", cpu=6, affinity_group="g"), wl("b", cpu=6, affinity_group="g")]))
    assert len(r.plan.unplaced) == 2
    assert all("affinity group g" in u.reason and "too large" in u.reason for u in r.plan.unplaced)


def test_affinity_with_replicas_pairs_copies() -> None:
    # api and cache with 2 replicas each: copy k of both on one server, copies on different servers.
    ws = [wl("api", replicas=2, affinity_group="g"), wl("cache", replicas=2, affinity_group="g")]
    r = run(estate(ws))
    where = {(p.workload, p.replica): p.server_id for p in r.plan.placements}
    assert where["api", 1] == where["cache", 1] and where["api", 2] == where["cache", 2]
    assert where["api", 1] != where["api", 2]


# --- forms and host modes (default overheads) --------------------------------------------


def test_strict_isolation_runs_as_vm(default_model: OverheadProfile) -> None:
    r = run(estate([wl("db", cpu=2, mem=4, isolation="strict")], [server(cpu=16, mem=64, storage=500)]), default_model)
    assert r.plan.placements[0].form == "vm" and r.plan.placements[0].why.startswith("strict isolation requires a VM")


def test_container_only_prefers_bare_metal_when_it_is_what_fits(default_model: OverheadProfile) -> None:
    # 4 GB server: a hypervisor reserves 4 GB, so only a bare-metal Linux container host
    # (1.25 GB reserve) can run a 2 GB container.
    r = run(estate([wl("job", cpu=1, mem=2, platform="container")], [server(cpu=4, mem=4, storage=100)]), default_model)
    assert r.plan.servers[0].mode == "container_host_linux" and r.plan.placements[0].form == "container"


def test_solver_picks_container_when_it_packs_better(default_model: OverheadProfile) -> None:
    # 10 Linux workloads of 1 core / 3 GB on a 16-core, 48 GB server: as VMs each costs
    # ~4 GB (guest OS), 10 x 4 + 4 GB hypervisor > 48; as containers on bare metal they fit.
    ws = [wl(f"svc{i}", cpu=1, mem=3, storage=1) for i in range(10)]
    r = run(estate(ws, [server(cpu=16, mem=48, storage=500)]), default_model)
    assert (r.status, len(r.plan.servers)) == ("optimal", 1)
    assert {p.form for p in r.plan.placements} == {"container"}


def test_windows_containers_never_share_a_linux_host(default_model: OverheadProfile) -> None:
    ws = [wl("lin", cpu=1, mem=1, platform="container"), wl("win", cpu=1, mem=1, os="windows", platform="container")]
    r = run(estate(ws, [server(cpu=16, mem=64, storage=500)]), default_model)
    modes = {s.mode for s in r.plan.servers}
    # either one hypervisor host with two container-host VMs, or two bare-metal hosts of each OS
    assert modes in ({"hypervisor"}, {"container_host_linux", "container_host_windows"})


def test_vm_only_policy(default_model: OverheadProfile) -> None:
    r = run(
        estate([wl("a"), wl("b", platform="container")], [server(cpu=16, mem=64, storage=500)], forms="vm_only"), default_model
    )
    assert {p.form for p in r.plan.placements} == {"vm"}


def test_containers_where_allowed_policy(default_model: OverheadProfile) -> None:
    ws = [wl("a"), wl("b", isolation="strict")]
    r = run(estate(ws, [server(cpu=16, mem=64, storage=500)], forms="containers_where_allowed"), default_model)
    assert {p.workload: p.form for p in r.plan.placements} == {"a": "container", "b": "vm"}


# --- mixed server models, max_count, costs ----------------------------------------------


def test_mixed_models_minimise_capex() -> None:
    # 4 x 5 cores: two small servers cost 200, one large server 150: optimum 150 with 1 server.
    ws = [wl(f"w{i}", cpu=5) for i in range(4)]
    r = run(estate(ws, [server("small", cpu=10, cost=100), server("large", cpu=20, cost=150)]))
    assert (r.status, r.capex, len(r.plan.servers), r.plan.servers[0].model) == ("optimal", 150, 1, "large")


def test_max_count_limits_purchase() -> None:
    # Three 6-core workloads, one server allowed: one placed, two unplaced naming max_count.
    r = run(estate([wl(f"w{i}", cpu=6) for i in range(3)], [server(max_count=1)]))
    assert len(r.plan.servers) == 1 and len(r.plan.unplaced) == 2
    assert all("max_count" in u.reason for u in r.plan.unplaced)


def test_zero_costs_minimise_server_count() -> None:
    r = run(estate([wl(f"w{i}", cpu=5) for i in range(4)], [server(cost=0)]))
    assert (r.capex, len(r.plan.servers)) == (0, 2)


def test_fractional_costs_are_exact() -> None:
    ws = [wl(f"w{i}", cpu=5) for i in range(4)]
    r = run(estate(ws, [server("small", cost=99.99), server("large", cpu=20, cost=199.97)]))
    assert r.capex == pytest.approx(199.97) and r.status == "optimal"


def test_empty_estate() -> None:
    r = run(estate([]))
    assert (r.status, r.capex, r.plan.servers) == ("optimal", 0, ())


# --- control: time limit, progress, stop -------------------------------------------------


def test_progress_and_stop_keep_best_plan(default_model: OverheadProfile) -> None:
    ws = [wl(f"w{i}", cpu=1 + i % 3, mem=2 + i % 5, anti_affinity_group=f"g{i % 4}") for i in range(40)]
    stop = threading.Event()
    points = []

    def report(point: object) -> None:
        points.append(point)
        stop.set()

    r = run(estate(ws, [server(cpu=16, mem=64, storage=1000)], time_limit_s=60), default_model, progress=report, stop=stop)
    assert points and points[0].best_cost is not None
    assert r.seconds < 30  # stopped long before the 60 s limit
    assert not r.plan.unplaced


def test_a_stopped_search_says_so(none_model: OverheadProfile) -> None:
    """A search the user stops before a proof ends STOPPED (not 'feasible'), its plan kept whole.

    Seven items of 34% in both resources: a server holds two, so four are needed; the volume bound
    says three, and only a search proves four. Stopped before it starts, nothing proves it.
    """
    stop = threading.Event()
    stop.set()
    ws = [wl(f"w{i}", cpu=34, mem=34) for i in range(7)]
    r = run(estate(ws, [server(cpu=100, mem=100)], time_limit_s=60), none_model, stop=stop)
    assert (len(r.plan.servers), r.lower_bound) == (4, 300)
    assert r.status == SolveStatus.STOPPED and not r.plan.unplaced and r.seconds < 30
    unstopped = run(estate(ws, [server(cpu=100, mem=100)], time_limit_s=10), none_model)
    assert (unstopped.status, len(unstopped.plan.servers)) == (SolveStatus.OPTIMAL, 4)


def test_nothing_placeable_is_infeasible() -> None:
    """A catalog that may buy nothing (max_count = 0) places no replica: INFEASIBLE, every replica with its reason."""
    r = run(estate([wl("a", replicas=2), wl("b")], [server(max_count=0)]))
    assert r.status == SolveStatus.INFEASIBLE and r.plan.servers == ()
    assert len(r.plan.unplaced) == 3 and all(u.reason for u in r.plan.unplaced)


def test_a_proven_plan_is_optimal_and_an_empty_estate_too() -> None:
    """Proven plans, and an estate with nothing to place, are OPTIMAL."""
    assert run(estate([wl("a", cpu=6), wl("b", cpu=6)])).status == SolveStatus.OPTIMAL
    assert run(estate([])).status == SolveStatus.OPTIMAL
