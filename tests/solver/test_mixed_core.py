"""Mixed catalogs: the mixed cores' fill, ruin and recreate, the drain of servers and the lean of the demand
left over. Every plan they give keeps every room and rule and never costs more than what it improves."""

from __future__ import annotations

import random

import numpy as np
from conftest import estate, server, wl
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.checker import check_plan
from planner.domain import Estate
from planner.profiles.loading import load_profile
from planner.solver.assemble import to_plan
from planner.solver.budget import Budget
from planner.solver.packing import mixed_core as mixed_core_module
from planner.solver.packing.core import cores, first_fit
from planner.solver.packing.drain import drain
from planner.solver.packing.mixed_core import candidates, cost_of, mixed_fill, mixed_search, paying_cut, refill
from planner.solver.pools import placeable
from planner.solver.problem import build_problem

NONE = load_profile("none")


def _budget(work: float = 5.0) -> Budget:
    return Budget(float("inf"), work)  # counted work only: the same result on any machine


ROOM = np.array([[10.0, 10.0]])  # one model


def _within(sizes: np.ndarray, rooms: np.ndarray, kept: list[tuple[int, list[int]]]) -> bool:
    """Every server (model, items) within its model's room."""
    return all((sizes[members].sum(axis=0) <= rooms[m] + 1e-9).all() for m, members in kept)


def test_drain_moves_a_part_filled_servers_items_into_the_others() -> None:
    """Two servers at 70% and one at 30%: its two items go to the fuller two, one server fewer."""
    sizes = np.array([[7, 7], [7, 7], [2, 2], [1, 1]], dtype=float)
    kept = drain(sizes, ROOM, [1], [0, 0, 0], [[0], [1], [2, 3]], _budget())
    assert len(kept) == 2 and _within(sizes, ROOM, kept)
    assert sorted(i for _, members in kept for i in members) == [0, 1, 2, 3]


def test_drain_makes_room_by_passing_an_item_on() -> None:
    """No server has room for the last server's item, until the fullest passes one of its own to a third."""
    sizes = np.array([[2, 2], [7, 7], [8, 8], [3, 3]], dtype=float)  # x, y on A (9); z on B (8); t alone (3)
    kept = drain(sizes, ROOM, [1], [0, 0, 0], [[0, 1], [2], [3]], _budget())
    assert len(kept) == 2 and _within(sizes, ROOM, kept)
    assert sorted(sorted(m) for _, m in kept) == [[0, 2], [1, 3]]


def test_drain_keeps_foes_apart() -> None:
    """The only server with room holds the item's foe: the item stays where it is."""
    sizes = np.array([[5, 5], [9, 9], [2, 2]], dtype=float)
    foes = [frozenset({2}), frozenset(), frozenset({0})]
    kept = drain(sizes, ROOM, [1], [0, 0, 0], [[0], [1], [2]], _budget(), foes)
    assert not any({0, 2} <= set(m) for _, m in kept) and len(kept) == 3


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.integers(5, 60))
def test_drain_never_loses_an_item_or_overfills(seed: int, n: int) -> None:
    """Any packing drained: every item once, every server within its model's room, foes apart, never dearer."""
    rng = np.random.default_rng(seed)
    sizes = rng.integers(1, 50, size=(n, 2)).astype(float)
    rooms = np.array([[100.0, 100.0], [80.0, 160.0], [60.0, 60.0]])
    costs = [10, 11, 6]
    bins: list[list[int]] = []
    models: list[int] = []
    foes = [frozenset({i ^ 1}) if i ^ 1 < n and (i // 2) % 3 == 0 else frozenset() for i in range(n)]  # pairs, both ways
    for i in range(n):
        for s, members in enumerate(bins):
            if (sizes[[*members, i]].sum(axis=0) <= rooms[models[s]]).all() and not foes[i] & set(members):
                members.append(i)
                break
        else:
            bins.append([i])
            models.append(len(bins) % 2)
    kept = drain(sizes, rooms, costs, models, bins, _budget(), foes, (None, None, 2))
    assert sorted(i for _, m in kept for i in m) == list(range(n))
    assert _within(sizes, rooms, kept) and sum(costs[m] for m, _ in kept) <= sum(costs[m] for m in models)
    assert not any(foes[i] & set(m) for _, m in kept for i in m)
    assert sum(1 for m, _ in kept if m == 2) <= 2


def test_drain_moves_a_server_to_a_cheaper_model() -> None:
    """A big server whose load nearly fits the small model gives one item away and becomes a small one."""
    sizes = np.array([[5, 5], [2, 2], [6.5, 6.5]], dtype=float)
    rooms = np.array([[10.0, 10.0], [6.0, 6.0]])
    kept = drain(sizes, rooms, [10, 6], [0, 0], [[0, 1], [2]], _budget())
    assert sorted(kept) == [(0, [1, 2]), (1, [0])]


def _two_ratios(n: int, seed: int = 1) -> Estate:
    """Half the workloads CPU-heavy, half memory-heavy; a core-rich and a memory-rich model."""
    rng = random.Random(seed)
    workloads = []
    for k in range(n):
        cpu = rng.choice([1, 2, 3])
        gb = cpu * (2 if k % 2 else 14)
        workloads.append(wl(f"w{k}", cpu=cpu, mem=gb, replicas=2 if k % 9 == 0 else 1))
    models = [server("Cores", 32, 128, 10_000, 10_000), server("Memory", 16, 256, 10_000, 11_000)]
    return estate(workloads, models, time_limit_s=10)


def test_mixed_fill_beats_every_single_model_core_and_passes_the_checker() -> None:
    """Mixed demand on a core-rich and a memory-rich model: buying both is cheaper than either alone."""
    e = _two_ratios(200)
    problem = build_problem(e, NONE)
    active, _ = placeable(problem)
    cut = candidates(problem, active)[0]
    servers = mixed_fill(cut[0], _budget())
    assert servers is not None and {m for m, _ in servers} == {0, 1}
    single = min(len(first_fit(c, _budget())) * problem.costs[c.model] for c in cores(problem, active))
    assert cost_of(cut[0], servers) < single
    assert paying_cut(problem, active, cores(problem, active)) is not None  # mixing pays: LP well below either model
    found = mixed_search(problem, cut, single, _budget())
    assert found is not None and check_plan(e, NONE, to_plan(problem, found, {})) == []


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 10_000))
def test_ruin_and_recreate_never_loses_a_bundle_or_costs_more(seed: int) -> None:
    """Refilled from a fill of the two-ratio estate: every bundle once, rooms and foes kept, never dearer."""
    e = _two_ratios(120, seed)
    problem = build_problem(e, NONE)
    active, _ = placeable(problem)
    core = candidates(problem, active)[0][0]
    servers = mixed_fill(core, _budget())
    assert servers is not None
    better = refill(core, servers, _budget(0.5), seed)
    assert sorted(j for _, b in better for j in b) == list(range(len(core.sizes)))
    assert all((core.sizes[b].sum(axis=0) <= core.rooms[m] + 1e-9).all() for m, b in better)
    assert not any(core.cores[0].foes[j] & set(b) for _, b in better for j in b)
    assert cost_of(core, better) <= cost_of(core, servers)


def test_the_lean_points_where_the_demand_left_over_exceeds_the_room_still_to_buy() -> None:
    """Demand heavier in cores than the room still to buy leans to cores; an unpriced resource never leans."""
    e = _two_ratios(40)
    problem = build_problem(e, NONE)
    active, _ = placeable(problem)
    core = candidates(problem, active)[0][0]
    room = core.rooms.sum(axis=0)
    lean = mixed_core_module._lean(
        core, room * np.array([2.0, 1.0, 0.0])[: len(room)], np.ones(2), np.array([1.0, 1.0, 0.0])[: len(room)]
    )
    assert lean[0] > 0 > lean[1] and (len(lean) < 3 or lean[2] == 0)
