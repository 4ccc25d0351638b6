"""The vector-packing local search: valid plans, triplets at the optimum, and its place in `solve`."""

from __future__ import annotations

import random
import time

import numpy as np
from conftest import estate, server, wl
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.checker import check_plan
from planner.profiles.loading import load_profile
from planner.solver.budget import Budget
from planner.solver.packing.bin_centric import bin_centric
from planner.solver.packing.vector_cns import improve_vector_packing, split_two_greedy
from planner.solver.solve import solve

Size = tuple[int, int, int]


def _first_fit(sizes: list[Size], cap: Size) -> list[list[int]]:
    bins: list[list[int]] = []
    loads: list[list[int]] = []
    for i in sorted(range(len(sizes)), key=lambda i: -sum(s / c for s, c in zip(sizes[i], cap, strict=True))):
        k = next((k for k, load in enumerate(loads) if all(load[d] + sizes[i][d] <= cap[d] for d in range(3))), None)
        if k is None:
            bins.append([])
            loads.append([0, 0, 0])
            k = len(bins) - 1
        bins[k].append(i)
        loads[k] = [loads[k][d] + sizes[i][d] for d in range(3)]
    return bins


def _valid(bins: list[list[int]], sizes: list[Size], cap: Size) -> bool:
    every_once = sorted(i for b in bins for i in b) == list(range(len(sizes)))
    return every_once and all(all(sum(sizes[i][d] for i in b) <= cap[d] for d in range(3)) for b in bins)


def _triplets(n: int, cap: int, seed: int) -> list[Size]:
    """n servers each filled exactly, in all three resources, by three items (shuffled)."""
    rng = random.Random(seed)
    out: list[Size] = []
    for _ in range(n):
        parts = []
        for _ in range(3):
            a = rng.randint(cap // 4 + 1, cap * 2 // 5)
            b = rng.randint(cap // 4 + 1, (cap - a) // 2)
            parts.append((a, b, cap - a - b))
        out += [(parts[0][j], parts[1][j], parts[2][j]) for j in range(3)]
    rng.shuffle(out)
    return out


def test_triplets_reach_the_optimum_and_repeat_under_counted_work() -> None:
    sizes = _triplets(20, 1000, seed=1)
    start = _first_fit(sizes, (1000, 1000, 1000))
    assert len(start) > 20
    runs = [
        improve_vector_packing(sizes, (1000, 1000, 1000), start, 20, Budget(time.monotonic() + 120, work=20.0), seed=2)
        for _ in range(2)
    ]
    assert len(runs[0]) == 20 and _valid(runs[0], sizes, (1000, 1000, 1000))
    assert runs[0] == runs[1]


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.tuples(st.integers(1, 60), st.integers(1, 60), st.integers(0, 60)), min_size=1, max_size=24),
    st.sampled_from([0.0, 0.05, 1.0]),
)
def test_every_item_once_within_capacity_and_never_more_servers(sizes: list[Size], work: float) -> None:
    cap = (100, 100, 100)
    start = _first_fit(sizes, cap)
    found = improve_vector_packing(sizes, cap, start, 1, Budget(time.monotonic() + 30, work=work))
    assert _valid(found, sizes, cap) and len(found) <= len(start)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(st.integers(1, 100), st.integers(1, 100), st.integers(0, 100)), min_size=1, max_size=40),
    st.booleans(),
)
def test_bin_centric_fills_servers_within_capacity(sizes: list[Size], by_dot_product: bool) -> None:
    cap = (100, 100, 100)
    bins = bin_centric(np.array(sizes, dtype=float) / np.array(cap, dtype=float), by_dot_product)
    assert _valid(bins, sizes, cap) and all(bins)


def test_solve_runs_the_local_search_on_plain_vector_packing() -> None:
    # Triplets and five small items: 13 servers (the volume bound) cannot hold 41 items three at a
    # time, so the exact-fill patterns find nothing and the local search has to.
    sizes = _triplets(12, 100, seed=4) + [(2, 2, 2)] * 5
    e = estate(
        [wl(f"w{i}", cpu=c, mem=m, storage=s) for i, (c, m, s) in enumerate(sizes)],
        [server(cpu=100, mem=100, storage=100)],
        forms="vm_only",
    )
    model = load_profile("none")
    result = solve(e, model, time_limit_s=10)
    assert len(result.plan.servers) == 13 and result.status == "optimal"
    assert "local search" in result.method and "exact-fill" not in result.method
    assert check_plan(e, model, result.plan) == []


def _many_per_server(n: int, per: int, fill: int, seed: int) -> list[Size]:
    """n servers each filled to `fill` in all three resources by `per` small items (shuffled)."""
    rng = random.Random(seed)
    out: list[Size] = []
    for _ in range(n):
        cuts = [sorted(rng.sample(range(1, fill), per - 1)) for _ in range(3)]
        parts = [[b - a for a, b in zip([0, *c], [*c, fill], strict=True)] for c in cuts]
        out += [(parts[0][j], parts[1][j], parts[2][j]) for j in range(per)]
    rng.shuffle(out)
    return out


def test_many_small_items_per_server_reach_the_optimum() -> None:
    # 15 items per server: the pool of three servers' items is too large to split exhaustively,
    # and first fit in a few orders is what lets the search end with the pool in two servers.
    cap = (1000, 1000, 1000)
    sizes = _many_per_server(8, 15, 985, seed=0)
    start = _first_fit(sizes, cap)
    assert len(start) > 8 and len(bin_centric(np.array(sizes) / 1000, True)) > 8
    found = improve_vector_packing(sizes, cap, start, 8, Budget(time.monotonic() + 120, work=1.0), seed=1)
    assert len(found) == 8 and _valid(found, sizes, cap)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 60), st.integers(0, 60), st.integers(0, 60)), min_size=1, max_size=30))
def test_split_over_two_is_a_partition_within_capacity(sizes: list[Size]) -> None:
    cap = np.array([100.0, 100.0, 100.0])
    parts = split_two_greedy(np.array(sizes, dtype=float), cap)
    total = np.array(sizes).sum(axis=0)
    if parts is None:
        assert len(sizes) > 1 and not (total <= cap).all()  # one server would have held them all
        return
    assert sorted(parts[0] + parts[1]) == list(range(len(sizes)))
    assert all((np.array([sizes[j] for j in part]).reshape(-1, 3).sum(axis=0) <= cap).all() for part in parts)


def test_split_over_two_finds_a_split_of_many_items() -> None:
    sizes = np.array(_many_per_server(2, 12, 90, seed=5), dtype=float)
    parts = split_two_greedy(sizes, np.array([100.0, 100.0, 100.0]))
    assert parts is not None and len(parts[0]) + len(parts[1]) == 24
