"""The pattern master: shape classes, a bound that never exceeds the optimum, and plans that keep every rule."""

from __future__ import annotations

import random

import pytest
from conftest import estate, server, wl
from hypothesis import HealthCheck, given, settings
from strategies import estates

from planner.checker import check_plan
from planner.domain import Estate
from planner.plan import Plan
from planner.profiles.loading import load_profile
from planner.solver import search as solver_module
from planner.solver.assemble import to_plan
from planner.solver.bounds import volume_bound
from planner.solver.clock import Clock
from planner.solver.greedy import best_greedy, model_orders
from planner.solver.packing.pattern_plan import pattern_search, realise
from planner.solver.packing.patterns import shape_classes
from planner.solver.pools import placeable as _placeable
from planner.solver.pools import server_pools as _pools
from planner.solver.problem import Problem, build_problem
from planner.solver.solve import solve

NONE = load_profile("none")


def _search(problem: Problem, seconds: float = 5.0):  # type: ignore[no-untyped-def]
    active, _ = _placeable(problem)
    start = best_greedy(problem)
    pools = _pools(problem, start, [len(problem.items)] * len(problem.capacities), True)
    found = pattern_search(problem, active, start, pools, model_orders(problem), clock=Clock(seconds), seconds=seconds)
    return active, start, pools, found


def test_identical_shapes_share_a_class_and_replicas_are_capped_per_server() -> None:
    ws = [wl(f"a{i}", cpu=2, mem=4) for i in range(5)] + [wl("r", cpu=2, mem=4, replicas=3), wl("b", cpu=1, mem=1)]
    problem = build_problem(estate(ws), NONE)
    classes = shape_classes(problem, list(range(len(problem.bundles))))
    assert sorted(len(m) for m in classes.members.values()) == [1, 8]  # 5 + 3 replicas alike, and b
    assert len(set(problem.bundle_class)) == 2
    # Replicas of r alone would be capped at one per server; mixed with the a's, the class is not.
    replicas = build_problem(estate([wl("r", cpu=2, mem=4, replicas=3)]), NONE)
    assert shape_classes(replicas, [0, 1, 2]).per_server == {0: 1}


def test_vector_bound_beats_the_volume_bound() -> None:
    # Capacity (10, 10): no two of these four share a server two by two (6+4 leaves 5,5 with 12 GB),
    # so the optimum is 3 servers; volume (20, 16) says 2, the pattern LP proves 3.
    ws = [wl("a", cpu=6, mem=2), wl("b", cpu=4, mem=2), wl("c", cpu=5, mem=5), wl("d", cpu=5, mem=7)]
    problem = build_problem(estate(ws, [server(cpu=10, mem=10, cost=100)]), NONE)
    _, start, pools, result = _search(problem)
    assert volume_bound(problem, sorted(start.placed), pools) == 200
    assert result.bound == 300 and result.converged
    assert result.plan is not None and result.plan.cost(problem) == 300
    assert solve(estate(ws, [server(cpu=10, mem=10, cost=100)]), NONE).status == "optimal"


def test_realised_plan_keeps_spread_and_anti_affinity() -> None:
    rng = random.Random(3)
    ws = [
        wl(
            f"w{i}",
            cpu=rng.choice([1, 2, 4]),
            mem=rng.choice([2, 4, 8]),
            replicas=rng.choice([1, 2, 3]),
            anti_affinity_group=f"g{i % 4}" if i % 5 == 0 else None,
            platform=rng.choice(["vm", "any", "container"]),
            os=rng.choice(["linux", "windows"]),
        )
        for i in range(120)
    ]
    e = estate(ws, [server("S", 16, 64, 500, 100), server("L", 32, 128, 500, 180)], overhead_profile="default")
    model = load_profile("default")
    problem = build_problem(e, model)
    _, _, _, result = _search(problem)
    assert result.plan is not None
    assert len(result.plan.placed) == len(problem.items)
    assert check_plan(e, model, to_plan(problem, result.plan, {})) == []
    assert result.bound <= result.plan.cost(problem)


def test_realise_packs_leftovers_when_the_patterns_fall_short() -> None:
    problem = build_problem(estate([wl(f"w{i}", cpu=3) for i in range(7)], [server(cpu=10)]), NONE)
    classes = shape_classes(problem, list(range(7)))
    plan = realise(problem, classes, {}, [0])  # no pattern at all: everything is a leftover
    assert len(plan.placed) == 7 and len(plan.servers) == 3


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(estates())
def test_bound_never_exceeds_a_proven_optimum_and_plans_check(e: Estate) -> None:
    model = load_profile(e.settings.overhead_profile)
    problem = build_problem(e, model)
    active, reasons = _placeable(problem)
    start = best_greedy(problem)
    if not all(problem.bundles[b][0] in start.placed for b in active):
        return  # a pool limit leaves replicas out: the pattern master is not used then
    _, _, _, result = _search(problem, seconds=3)
    assert result.bound <= start.cost(problem)
    if result.plan is not None and len(result.plan.placed) == len(start.placed):
        assert check_plan(e, model, to_plan(problem, result.plan, reasons)) == []
        assert result.bound <= result.plan.cost(problem)
    best = solve(e, model, time_limit_s=10, polish=False)
    if best.status == "optimal" and not best.plan.unplaced:  # costs are whole numbers in these estates
        index = {m.model: k for k, m in enumerate(e.server_models)}
        assert result.bound <= sum(problem.costs[index[s.model]] for s in best.plan.servers)


def _placements(plan: Plan) -> list[tuple[str, int, str, str]]:
    return sorted((p.workload, p.replica, p.server_id, p.form) for p in plan.placements)


def test_a_fixed_seed_gives_the_same_plan_in_deterministic_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(11)
    ws = [
        wl(
            f"w{i}",
            cpu=rng.choice([0.5, 1, 2, 3]),
            mem=rng.choice([1, 2, 4, 6]),
            replicas=rng.choice([1, 1, 2]),
            platform=rng.choice(["vm", "any", "container"]),
        )
        for i in range(60)
    ]
    e = estate(ws, [server("S", 8, 16, 500, 100), server("L", 16, 32, 500, 190)], overhead_profile="default")
    model = load_profile("default")
    monkeypatch.setattr(solver_module, "LNS_THRESHOLD", 0)  # every step: patterns, LNS, full model, polish
    runs = [solve(e, model, time_limit_s=3, seed=7, deterministic=True) for _ in range(2)]
    assert "column generation" in runs[0].method or "LNS" in runs[0].method
    assert _placements(runs[0].plan) == _placements(runs[1].plan)
    assert runs[0].capex == runs[1].capex and runs[0].lower_bound == runs[1].lower_bound
    assert check_plan(e, model, runs[0].plan) == []


def test_pricing_stopped_early_never_certifies_a_bound() -> None:
    # 40 pairs of sizes that fill a server exactly: the optimum is 40 servers. With pricing cut
    # off before it finds anything, the bound must stay at or below 40 (never the start's count).
    rng = random.Random(5)
    sizes = [rng.randint(1, 499) for _ in range(40)]
    ws = [wl(f"a{i}", cpu=s / 100) for i, s in enumerate(sizes)]
    ws += [wl(f"b{i}", cpu=(1000 - s) / 100) for i, s in enumerate(sizes)]
    problem = build_problem(estate(ws, [server(cpu=10, cost=1)]), NONE)
    active, _ = _placeable(problem)
    start = best_greedy(problem)
    pools = [len(start.servers)]
    for budget in (0.0, 0.01, 0.05):
        found = pattern_search(problem, active, start, pools, model_orders(problem), clock=Clock(budget + 0.01), seconds=budget)
        assert found.bound <= 40


def test_diving_on_distinct_shapes_gives_a_checked_plan_and_leaves_the_pools_alone() -> None:
    rng = random.Random(9)
    ws = [
        wl(
            f"w{i}",
            cpu=rng.randint(5, 40) / 10,
            mem=rng.randint(5, 40) / 10,
            storage=rng.randint(1, 40),
            anti_affinity_group="g" if i % 7 == 0 else None,
        )
        for i in range(40)
    ]
    e = estate(ws, [server(cpu=10, mem=10, storage=100, cost=1)])
    problem = build_problem(e, NONE)
    active, _ = _placeable(problem)
    start = best_greedy(problem)
    pools = [len(start.servers)]
    found = pattern_search(problem, active, start, pools, model_orders(problem), clock=Clock(10), seconds=4, dive_too=True)
    assert pools == [len(start.servers)]  # the dive lowers its own copy only
    assert found.plan is not None and len(found.plan.placed) == len(problem.items)
    assert check_plan(e, NONE, to_plan(problem, found.plan, {})) == []
    assert found.bound <= found.plan.cost(problem)
