"""The plain cores of a mixed estate, the bound that knows host modes, and right-sizing: every plan
they give passes the checker, the bound never exceeds a plan's cost, and each beats what came before
where it should."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
from conftest import estate, server, wl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import estates

from planner.checker import check_plan
from planner.domain import Estate, HostMode
from planner.io.reader import read_estate
from planner.profiles.loading import load_profile
from planner.solver import mode_bound as mode_bound_module
from planner.solver.assemble import to_plan
from planner.solver.bounds import volume_bound
from planner.solver.budget import Budget
from planner.solver.greedy import Assignment, best_greedy
from planner.solver.mode_bound import mode_bound
from planner.solver.packing import bin_centric as bin_centric_module
from planner.solver.packing.bin_centric import grouped_bin_centric
from planner.solver.packing.core import core_search, cores, first_fit, to_assignment
from planner.solver.packing.vector_cns import clash, improve_vector_packing
from planner.solver.pools import placeable
from planner.solver.problem import build_problem
from planner.solver.right_size import right_sized
from planner.solver.solve import solve
from planner.study.pipeline import load_overhead

REPO = Path(__file__).resolve().parents[2]

MODELS = {name: load_profile(name) for name in ("none", "default")}


def _budget(work: float = 5.0) -> Budget:
    return Budget(float("inf"), work)  # counted work only: the same result on any machine


def _twins(pieces: int, seed: int = 3) -> Estate:
    """Workloads cut from full 16-core, 64 GB servers, some with two replicas; VMs or containers; two models."""
    rng = random.Random(seed)
    workloads = []
    for g in range(pieces):
        cpu, gb = rng.choice([(4, 16), (8, 32), (2, 8)])
        os_name = rng.choice(["linux", "windows"])
        workloads.append(wl(f"w{g}", cpu=cpu, mem=gb, platform="any", os=os_name, replicas=2 if g % 5 == 0 else 1))
    return estate(workloads, [server("Big", 16, 64, 1000, 100), server("Small", 8, 32, 1000, 60)], time_limit_s=10)


def test_core_plans_pass_the_checker_and_keep_replicas_apart() -> None:
    """A core's first fit and local search keep every rule: replicas of one workload on different servers."""
    e = _twins(60)
    problem = build_problem(e, MODELS["none"])
    active, _ = placeable(problem)
    for core in cores(problem, active):
        bins = first_fit(core, _budget())
        assert not any(clash(b, core.foes) for b in bins)
        better = improve_vector_packing(core.sizes, core.room, bins, core.lower, _budget(2), 0, core.foes)
        assert len(better) <= len(bins) and not any(clash(b, core.foes) for b in better)
        plan = to_plan(problem, to_assignment(problem, core, better), {})
        assert check_plan(e, MODELS["none"], plan) == []


def test_core_search_beats_first_fit_on_a_mixed_estate() -> None:
    """Forms and models a choice that does not pay: the cores find a plan no dearer than first fit's."""
    e = _twins(80)
    problem = build_problem(e, MODELS["none"])
    active, _ = placeable(problem)
    start = best_greedy(problem)
    found = core_search(problem, cores(problem, active), start.cost(problem) + 1, _budget(5), seed=0)
    assert found is not None and found.cost(problem) <= start.cost(problem)
    assert check_plan(e, MODELS["none"], to_plan(problem, found, {})) == []


def test_a_model_limit_holds_in_the_cores() -> None:
    """A core of a model with a purchase limit never buys more of it than the catalog allows."""
    e = estate(
        [wl(f"w{i}", cpu=4, mem=4) for i in range(12)], [server("A", 8, 16, 100, 10, max_count=2), server("B", 8, 16, 100, 50)]
    )
    problem = build_problem(e, MODELS["none"])
    active, _ = placeable(problem)
    found = core_search(problem, cores(problem, active), 10**9, _budget(), seed=0)
    assert found is not None and found.count(0) <= 2 and check_plan(e, MODELS["none"], to_plan(problem, found, {})) == []


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(estates(), st.integers(0, 3))
def test_core_plans_of_random_estates_pass_the_checker(e: Estate, seed: int) -> None:
    """Whatever the rules, forms and models, a plan from the cores passes the independent checker."""
    model = MODELS[e.settings.overhead_profile]
    problem = build_problem(e, model)
    active, _ = placeable(problem)
    found = core_search(problem, cores(problem, active), 10**12, _budget(1), seed)
    if found is not None:
        assert check_plan(e, model, to_plan(problem, found, {})) == []


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(estates())
def test_the_mode_bound_never_exceeds_a_plan(e: Estate) -> None:
    """The bound that knows modes and forms is valid, and so is its LP relaxation (built for estates of many
    shapes): never above the cost of a plan that places everything."""
    model = MODELS[e.settings.overhead_profile]
    result = solve(e, model, time_limit_s=3, polish=False)
    if result.plan.unplaced:
        return
    problem = build_problem(e, model)
    active, _ = placeable(problem)
    items = sorted(i for b in active for i in problem.bundles[b])
    pools = [len(items)] * len(problem.capacities)
    cost = sum(problem.costs[e.server_models.index(e.server_model(s.model))] for s in result.plan.servers)
    assert mode_bound(problem, items, pools, 1.0)[0] <= cost
    shapes = mode_bound_module.MAX_SHAPES
    try:
        mode_bound_module.MAX_SHAPES = 0  # every estate takes the relaxation
        assert mode_bound(problem, items, pools, 1.0, 10.0)[0] <= cost
    finally:
        mode_bound_module.MAX_SHAPES = shapes


def test_the_mode_bound_is_tighter_on_the_sample_estate() -> None:
    """On the sample (VM-only, container-only and either, three models) whole servers per mode raise the bound."""
    e = read_estate(REPO / "sample_data" / "estate.xlsx")
    overhead = load_overhead(e)
    problem = build_problem(e, overhead)
    active, _ = placeable(problem)
    items = sorted(i for b in active for i in problem.bundles[b])
    pools = [len(items)] * len(problem.capacities)
    bound, _ = mode_bound(problem, items, pools, 2.0)
    assert bound > volume_bound(problem, items, pools)
    plan = solve(e, overhead, time_limit_s=5, polish=False)
    assert not plan.plan.unplaced and bound <= plan.capex


def test_right_sizing_moves_a_half_empty_server_to_the_cheaper_model() -> None:
    """A server whose load fits the smaller model moves to it; a model's purchase limit is kept."""
    e = estate(
        [wl("a", cpu=8, mem=8), wl("b", cpu=2, mem=2)],
        [server("Big", 10, 10, 100, 100), server("Small", 4, 4, 100, 40, max_count=1)],
    )
    problem = build_problem(e, MODELS["none"])
    plan = Assignment([(0, HostMode.HYPERVISOR), (0, HostMode.HYPERVISOR)], {0: (0, "vm"), 1: (1, "vm")})
    sized = right_sized(problem, plan)
    assert sized.servers == [(0, HostMode.HYPERVISOR), (1, HostMode.HYPERVISOR)] and sized.cost(problem) == 140
    assert check_plan(e, MODELS["none"], to_plan(problem, sized, {})) == []
    both_small = Assignment([(0, HostMode.HYPERVISOR)] * 3, {0: (0, "vm"), 1: (1, "vm"), 2: (2, "vm")})
    e3 = estate([wl("a", cpu=8, mem=8), wl("b", cpu=2, mem=2), wl("c", cpu=2, mem=2)], list(e.server_models))
    sized = right_sized(build_problem(e3, MODELS["none"]), both_small)
    assert sum(1 for m, _ in sized.servers if m == 1) == 1  # the limit: one Small only


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 6), st.integers(1, 6)), min_size=4, max_size=40), st.integers(0, 5))
def test_the_vector_search_never_puts_foes_together(sizes: list[tuple[int, int]], seed: int) -> None:
    """With foes (pairs that may not share a server), the local search keeps them apart and never adds a server."""
    rng = random.Random(seed)
    foes: list[set[int]] = [set() for _ in sizes]
    for _ in range(len(sizes) // 2):
        a, b = rng.sample(range(len(sizes)), 2)
        foes[a].add(b)
        foes[b].add(a)
    frozen = [frozenset(f) for f in foes]
    start = [[i] for i in range(len(sizes))]  # one item per server: valid whatever the foes
    found = improve_vector_packing(sizes, (8, 8), start, 1, _budget(0.5), seed, frozen)
    assert sorted(i for b in found for i in b) == list(range(len(sizes)))
    assert not any(clash(b, frozen) for b in found) and len(found) <= len(start)
    assert all(sum(sizes[i][k] for i in b) <= 8 for b in found for k in range(2))


def test_grouped_bin_centric_packs_every_item_in_groups(monkeypatch: pytest.MonkeyPatch) -> None:
    """A large estate is filled server by server in groups: every item once, within capacity, foes apart."""
    monkeypatch.setattr(bin_centric_module, "GROUP", 50)
    rng = random.Random(2)
    sizes = np.array([(rng.randint(1, 40), rng.randint(1, 40)) for _ in range(400)], dtype=float) / 100
    foes = [frozenset({i + 1}) if i % 2 == 0 else frozenset({i - 1}) for i in range(400)]
    bins = grouped_bin_centric(sizes, True, foes)
    assert sorted(i for b in bins for i in b) == list(range(400))
    assert all((sizes[b].sum(axis=0) <= 1 + 1e-9).all() for b in bins) and not any(clash(b, foes) for b in bins)
    assert len(bins) <= -(-400 // 50) + len(bin_centric_module.bin_centric(sizes, True, foes))  # a partial server per group
