"""Lower bounds are valid (never above a known optimum) and as strong as the textbook ones."""

from __future__ import annotations

import itertools

from conftest import estate, server, wl
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.profiles.loading import load_profile
from planner.solver.bounds import l2_bound, min_servers, volume_bound
from planner.solver.problem import build_problem


def brute_force_bins(sizes: list[int], capacity: int) -> int:
    """Exact bin count by trying every assignment (tiny cases only)."""
    for bins in range(1, len(sizes) + 1):
        for assignment in itertools.product(range(bins), repeat=len(sizes)):
            loads = [0] * bins
            for s, b in zip(sizes, assignment, strict=True):
                loads[b] += s
            if max(loads) <= capacity:
                return bins
    return len(sizes)


def test_l2_known_values() -> None:
    assert l2_bound([6, 6, 6], 10) == 3  # three items over half: three bins, though L1 says 2
    assert l2_bound([5, 5, 5, 5], 10) == 2
    assert l2_bound([7, 4, 4, 4], 10) == 3  # L1 = 2; the 7 leaves 3, too little for a 4
    assert l2_bound([], 10) == 0


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(1, 10), min_size=1, max_size=7))
def test_l2_never_exceeds_the_optimum(sizes: list[int]) -> None:
    assert l2_bound(sizes, 10) <= brute_force_bins(sizes, 10)


def test_volume_bound_uses_conflicts_and_l2() -> None:
    e = estate([wl(f"w{i}", cpu=6) for i in range(3)] + [wl("r", replicas=4)])
    problem = build_problem(e, load_profile("none"))
    items = list(range(len(problem.items)))
    assert min_servers(problem, items) == 4  # 4 replicas of r must be on 4 servers
    assert volume_bound(problem, items, [10]) == 400


def test_mixed_models_bound_is_cheapest_cover() -> None:
    # 40 cores of demand: 2 large (cost 150, 20 cores) beat 4 small (cost 100, 10 cores).
    e = estate([wl(f"w{i}", cpu=5) for i in range(8)], [server("small", cost=100), server("large", cpu=20, cost=150)])
    problem = build_problem(e, load_profile("none"))
    assert volume_bound(problem, list(range(8)), [8, 4]) == 300
