"""Pure 1-D packing: detection, column generation, the local search, budgets, and a silent solver."""

from __future__ import annotations

import itertools
import random
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import REPO, estate, server, wl, write_book
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.checker import check_plan
from planner.profiles.loading import load_profile
from planner.solver.bounds import l2_bound
from planner.solver.budget import Budget
from planner.solver.packing.cns import improve_packing
from planner.solver.packing.cutstock import _ffd, _OutOfTime, gilmore_gomory, price
from planner.solver.packing.onedim import first_fit_decreasing, is_one_dimensional, pack
from planner.solver.problem import build_problem
from planner.solver.solve import solve


def _valid(bins: list[list[int]], sizes: list[int], cap: int) -> bool:
    return sorted(i for b in bins for i in b) == list(range(len(sizes))) and all(sum(sizes[i] for i in b) <= cap for b in bins)


def _optimum(sizes: list[int], cap: int) -> int:
    """Fewest bins, by trying each item in each open bin (tiny instances only)."""
    best = len(sizes)

    def place(j: int, loads: list[int]) -> None:
        nonlocal best
        if len(loads) >= best:
            return
        if j == len(sizes):
            best = len(loads)
            return
        for k in range(len(loads)):
            if loads[k] + sizes[j] <= cap:
                loads[k] += sizes[j]
                place(j + 1, loads)
                loads[k] -= sizes[j]
        place(j + 1, [*loads, sizes[j]])

    place(0, [])
    return best


def _triplets(n: int, cap: int, seed: int) -> list[int]:
    """Falkenauer-T style: n bins filled exactly by three items each, shuffled (first fit rarely finds it)."""
    rng = random.Random(seed)
    sizes = []
    for _ in range(n):
        a = rng.randint(cap // 4 + 1, cap * 2 // 5)
        b = rng.randint(cap // 4 + 1, (cap - a) // 2)
        sizes += [a, b, cap - a - b]
    rng.shuffle(sizes)
    return sizes


def test_pack_finds_and_proves_the_optimum_first_fit_misses() -> None:
    # 3,3,3,3,2,2,2,2 in bins of 10: first-fit decreasing needs 3, the optimum is 2.
    sizes = [3, 3, 3, 3, 2, 2, 2, 2]
    assert len(first_fit_decreasing(sizes, 10)) == 3
    result = pack(sizes, 10, Budget(time.monotonic() + 10))
    assert result.optimal and result.bound == 2 and len(result.bins) == 2 and _valid(result.bins, sizes, 10)


def test_triplets_reach_the_optimum_within_a_counted_budget() -> None:
    sizes = _triplets(40, 1000, seed=3)
    assert len(first_fit_decreasing(sizes, 1000)) > 40
    runs = [pack(sizes, 1000, Budget(time.monotonic() + 120, work=5.0), seed=1) for _ in range(2)]
    assert len(runs[0].bins) == 40 and runs[0].bound == 40 and _valid(runs[0].bins, sizes, 1000)
    assert runs[0].bins == runs[1].bins  # counted work, not the clock: the same plan twice


def test_local_search_alone_reaches_the_bound_with_few_items_per_server() -> None:
    # Scholl-3 style: 3 to 5 items per server with slack; first fit is two servers above the bound.
    rng = random.Random(2)
    sizes = [rng.randint(2000, 3500) for _ in range(120)]
    start = first_fit_decreasing(sizes, 10000)
    found_gg = gilmore_gomory(sizes, 10000, Budget(time.monotonic() + 60))
    assert found_gg is not None and len(start) == found_gg[0] + 2
    found = improve_packing(sizes, 10000, start, found_gg[0], Budget(time.monotonic() + 120, work=10.0), seed=0)
    assert len(found) == found_gg[0] and _valid(found, sizes, 10000)


def test_gilmore_gomory_bound_is_tight_where_volume_is_not() -> None:
    # Seven items of 34 in bins of 100: volume and L2 say 3, but a bin holds two, so 4 are needed.
    sizes = [34] * 7
    assert l2_bound(sizes, 100) == 3
    found = gilmore_gomory(sizes, 100, Budget(time.monotonic() + 10))
    assert found is not None and found[0] == 4
    result = pack(sizes, 100, Budget(time.monotonic() + 10))
    assert result.bound == 4 and result.optimal


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(1, 20), min_size=1, max_size=9),
    st.lists(st.one_of(st.just(0.0), st.floats(0.001, 1)), min_size=9, max_size=9),
    st.integers(20, 40),
)
def test_pricing_is_an_exact_bounded_knapsack(sizes: list[int], duals: list[float], cap: int) -> None:
    types = sorted(set(sizes), reverse=True)
    bounds = [sizes.count(w) for w in types]
    values = duals[: len(types)]
    value, pattern = price(types, bounds, values, cap)
    assert all(0 <= a <= d for a, d in zip(pattern, bounds, strict=True))
    assert sum(a * w for a, w in zip(pattern, types, strict=True)) <= cap
    assert abs(value - sum(a * v for a, v in zip(pattern, values, strict=True))) < 1e-6
    best = max(
        sum(a * v for a, v in zip(combo, values, strict=True))
        for combo in itertools.product(*(range(d + 1) for d in bounds))
        if sum(a * w for a, w in zip(combo, types, strict=True)) <= cap
    )
    assert value >= best - 1e-6


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(1, 60), min_size=1, max_size=9), st.integers(60, 100), st.sampled_from([0.0, 0.01, 5.0]))
def test_pack_places_every_item_once_and_its_bound_holds(sizes: list[int], cap: int, work: float) -> None:
    result = pack(sizes, cap, Budget(time.monotonic() + 30, work=work))
    assert _valid(result.bins, sizes, cap)
    assert len(result.bins) <= len(first_fit_decreasing(sizes, cap))
    assert result.bound <= _optimum(sizes, cap) <= len(result.bins)


def test_the_dives_first_fit_completions_are_charged_to_its_budget() -> None:
    # A dive re-runs first-fit decreasing each time it fixes a whole pattern (hundreds of times on
    # 1,000 items): that work must count, or the dive overruns its time (Falkenauer u1000_03 took 22 s of 10).
    sizes, demand = [60, 45, 30, 20], [40, 30, 50, 80]
    roomy = Budget(time.monotonic() + 60, work=10.0)
    patterns = _ffd(sizes, demand, 100, roomy)
    assert [sum(p[t] for p in patterns) for t in range(4)] == demand
    assert all(sum(a * w for a, w in zip(p, sizes, strict=True)) <= 100 for p in patterns)
    assert roomy.spent > 0
    with pytest.raises(_OutOfTime):
        _ffd(sizes, demand, 100, Budget(time.monotonic() + 60, work=1e-9))


def test_budget_parts_charge_their_parent() -> None:
    parent = Budget(time.monotonic() + 100, work=10.0)
    child = parent.part(0.5)
    assert child.work == 5.0
    assert child.spend(4.0) and not child.spend(2.0)
    assert parent.spent == 6.0 and parent.left() == 4.0
    assert Budget(time.monotonic() - 1).left() < 0 and not Budget(time.monotonic() + 100, work=1.0).spend(2.0)


def test_a_stop_ends_the_search_with_a_valid_plan() -> None:
    sizes = _triplets(40, 1000, seed=3)
    stop = threading.Event()
    stop.set()
    began = time.monotonic()
    result = pack(sizes, 1000, Budget(time.monotonic() + 60, stop=stop))
    assert time.monotonic() - began < 5 and _valid(result.bins, sizes, 1000)
    assert len(result.bins) == len(first_fit_decreasing(sizes, 1000))  # stopped before any search


def test_detection_of_one_dimensional_estates() -> None:
    none = load_profile("none")
    pure = estate([wl(f"w{i}", cpu=c, mem=0.1) for i, c in enumerate([3, 3, 3, 3, 2, 2, 2, 2])], forms="vm_only")
    problem = build_problem(pure, none)
    assert is_one_dimensional(problem, list(range(8))) == 0
    with_rules = estate([wl("a", cpu=3, replicas=2), wl("b", cpu=2)], forms="vm_only")
    assert is_one_dimensional(build_problem(with_rules, none), [0, 1, 2]) is None  # replica spread is a rule
    two_forms = estate([wl("a", cpu=3), wl("b", cpu=2)])
    assert is_one_dimensional(build_problem(two_forms, none), [0, 1]) is None  # VM or container: not pure


def test_solve_uses_the_one_d_search_and_proves_the_optimum() -> None:
    e = estate([wl(f"w{i}", cpu=c, mem=0.1) for i, c in enumerate([3, 3, 3, 3, 2, 2, 2, 2])], forms="vm_only")
    model = load_profile("none")
    result = solve(e, model, time_limit_s=10)
    assert "column generation" in result.method and result.status == "optimal" and result.capex == 200
    assert check_plan(e, model, result.plan) == []


def test_deterministic_solve_of_a_one_d_estate_repeats() -> None:
    sizes = _triplets(20, 100, seed=9)
    e = estate([wl(f"w{i}", cpu=c, mem=0.1) for i, c in enumerate(sizes)], [server(cpu=100)], forms="vm_only")
    model = load_profile("none")
    results = [solve(e, model, time_limit_s=5, deterministic=True, seed=4) for _ in range(2)]
    assert "column generation" in results[0].method and len(results[0].plan.servers) == 20
    plans = [r.plan for r in results]
    assert [(p.workload, p.server_id) for p in plans[0].placements] == [(p.workload, p.server_id) for p in plans[1].placements]


def test_quiet_cli_stays_silent_on_pure_packing(tmp_path: Path) -> None:
    header = ["name", "cpu_cores", "memory_gb", "platform"]
    rows = [header] + [[f"w{i}", c, 0.1, "vm"] for i, c in enumerate([3, 3, 3, 3, 2, 2, 2, 2])]
    book = write_book(
        tmp_path / "p.xlsx",
        {
            "Workloads": rows,
            "Servers": [["model", "cpu_cores", "memory_gb", "storage_gb", "unit_cost"], ["S", 10, 10, 100, 100]],
            "Settings": [["setting", "value"], ["overhead_profile", "none"], ["max_utilization_pct", 100]],
        },
    )
    run = subprocess.run(
        [sys.executable, "-m", "planner.cli", "plan", str(book), "--out", str(tmp_path / "o.xlsx"), "--quiet"],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    assert run.returncode == 0 and run.stdout == "" and run.stderr == ""
