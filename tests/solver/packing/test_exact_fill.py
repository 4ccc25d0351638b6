"""Exact-fill patterns: the enumeration is complete, plans are valid, a proven bound never passes the
optimum, and `solve` reaches planted triplet optima with them."""

from __future__ import annotations

from collections import Counter
from itertools import combinations_with_replacement

from conftest import estate, server, wl
from hypothesis import given, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model
from test_vector_cns import _triplets, _valid

from planner.checker import check_plan
from planner.profiles.loading import load_profile
from planner.solver.packing import exact_fill
from planner.solver.packing.exact_fill import fill_at, fill_patterns, partition_mip, shapes_of, slack_at, to_bins
from planner.solver.solve import solve

Size = tuple[int, int, int]
CAP = (100, 100, 100)


def _run(model: cp_model.CpModel) -> tuple[int, cp_model.CpSolver]:
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 30
    return int(solver.solve(model)), solver


def _volume_bound(sizes: list[Size]) -> int:
    return max(1, max(-(-sum(s[r] for s in sizes) // CAP[r]) for r in range(3)))


def _optimum(sizes: list[Size]) -> int:
    """Fewest servers, by trying every placement (a handful of items)."""
    best = [len(sizes)]

    def place(i: int, loads: list[list[int]]) -> None:
        if len(loads) >= best[0]:
            return
        if i == len(sizes):
            best[0] = len(loads)
            return
        for load in loads:
            if all(load[r] + sizes[i][r] <= CAP[r] for r in range(3)):
                for r in range(3):
                    load[r] += sizes[i][r]
                place(i + 1, loads)
                for r in range(3):
                    load[r] -= sizes[i][r]
        place(i + 1, [*loads, list(sizes[i])])

    place(0, [])
    return best[0]


small = st.lists(st.tuples(st.integers(1, 70), st.integers(1, 70), st.integers(0, 70)), min_size=1, max_size=8)


@settings(max_examples=60, deadline=None)
@given(small, st.integers(0, 2))
def test_patterns_are_every_set_of_up_to_three_within_the_slack(sizes: list[Size], extra: int) -> None:
    shapes = shapes_of(sizes, CAP)
    target = _volume_bound(sizes) + extra
    slack = slack_at(shapes, target)
    found = fill_patterns(shapes, slack)
    assert found is not None
    chunk, exact_fill.CHUNK = exact_fill.CHUNK, 2  # the same patterns, checked two candidates at a time
    try:
        assert fill_patterns(shapes, slack) == found
    finally:
        exact_fill.CHUNK = chunk
    expected = set()
    for k in (1, 2, 3):
        for combo in combinations_with_replacement(range(len(shapes.sizes)), k):
            if any(shapes.demand[t] < n for t, n in Counter(combo).items()):
                continue
            load = shapes.sizes[list(combo)].sum(axis=0)
            if (load <= shapes.room).all() and (shapes.room - load <= slack).all():
                expected.add(combo)
    assert sorted(found) == sorted(expected)


@settings(max_examples=60, deadline=None)
@given(small)
def test_plans_are_valid_and_a_proven_bound_never_passes_the_optimum(sizes: list[Size]) -> None:
    optimum = _optimum(sizes)
    target = _volume_bound(sizes)
    while True:
        bins, proven, _ = fill_at(sizes, CAP, target, _run)
        assert proven <= optimum
        if bins is not None:
            assert _valid(bins, sizes, CAP) and len(bins) <= target
            assert target >= optimum
        if bins is not None or proven == target:
            break
        target = proven


def test_a_bound_rises_when_no_three_items_fill_the_servers() -> None:
    # Three items over half of a server each: the volume bound (2) is one short; no server holds
    # four items, so the patterns prove it.
    sizes = [(51, 1, 1)] * 3
    assert fill_at(sizes, CAP, 2, _run) == (None, 3, False)
    bins, proven, _ = fill_at(sizes, CAP, 3, _run)
    assert proven == 3 and bins is not None and _valid(bins, sizes, CAP)
    # Seven items, at most three to a server: the volume bound (2) gives way to ceil(7 / 3) = 3.
    assert fill_at([(26, 1, 1)] * 7, CAP, 2, _run) == (None, 3, False)


def test_planted_triplets_are_found_whole() -> None:
    sizes = _triplets(60, 1000, seed=11)
    bins, proven, unsettled = fill_at(sizes, (1000, 1000, 1000), 60, _run)
    assert proven == 60 and bins is not None and len(bins) == 60 and _valid(bins, sizes, (1000, 1000, 1000))
    assert not unsettled


def test_solve_reaches_a_triplet_optimum_with_the_patterns() -> None:
    sizes = _triplets(40, 100, seed=5)
    e = estate(
        [wl(f"w{i}", cpu=c, mem=m, storage=s) for i, (c, m, s) in enumerate(sizes)],
        [server(cpu=100, mem=100, storage=100)],
        forms="vm_only",
    )
    model = load_profile("none")
    runs = [solve(e, model, time_limit_s=10, seed=3, deterministic=True) for _ in range(2)]
    result = runs[0]
    assert len(result.plan.servers) == 40 and result.status == "optimal"
    assert "exact-fill" in result.method
    assert check_plan(e, model, result.plan) == []
    placed = [sorted((p.workload, p.server_id) for p in run.plan.placements) for run in runs]
    assert placed[0] == placed[1]


def _planted(n: int, cap: int, seed: int) -> tuple[list[Size], exact_fill.Shapes, list[exact_fill.Pattern]]:
    sizes = _triplets(n, cap, seed=seed)
    shapes = shapes_of(sizes, (cap, cap, cap))
    patterns = fill_patterns(shapes, slack_at(shapes, n))
    assert patterns is not None
    return sizes, shapes, patterns


def test_branch_and_bound_finds_planted_triplets_whole() -> None:
    sizes, shapes, patterns = _planted(200, 1000, seed=13)
    amounts = partition_mip(shapes, patterns, 200, seconds=60)
    assert amounts is not None and sum(amounts) == 200
    bins = to_bins(shapes, patterns, amounts)
    assert len(bins) == 200 and _valid(bins, sizes, (1000, 1000, 1000))
    # one server fewer than the items need: no plan (and none claimed)
    assert partition_mip(shapes, patterns, 199, seconds=60) is None
