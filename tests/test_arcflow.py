"""Arc-flow for pure 1-D packing: detection, exact optima, decoding, and a silent solver."""

from __future__ import annotations

import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from conftest import REPO, estate, wl, write_book
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.arcflow import _dive, _indexed, is_one_dimensional, solve_arcflow
from planner.checker import check_plan
from planner.overheads import load_profile
from planner.problem import build_problem
from planner.solver import solve


def test_arcflow_finds_the_optimum_first_fit_misses() -> None:
    # 3,3,3,3,2,2,2,2 in bins of 10: first-fit decreasing needs 3, the optimum is 2.
    result = solve_arcflow([3, 3, 3, 3, 2, 2, 2, 2], 10, 10)
    assert result.optimal and result.bound == 2 and result.bins is not None and len(result.bins) == 2
    assert sorted(i for b in result.bins for i in b) == list(range(8))
    assert all(sum([3, 3, 3, 3, 2, 2, 2, 2][i] for i in b) <= 10 for b in result.bins)


def test_detection_of_one_dimensional_estates() -> None:
    none = load_profile("none")
    pure = estate([wl(f"w{i}", cpu=c, mem=0.1) for i, c in enumerate([3, 3, 3, 3, 2, 2, 2, 2])], forms="vm_only")
    problem = build_problem(pure, none)
    assert is_one_dimensional(problem, list(range(8))) == 0
    with_rules = estate([wl("a", cpu=3, replicas=2), wl("b", cpu=2)], forms="vm_only")
    assert is_one_dimensional(build_problem(with_rules, none), [0, 1, 2]) is None  # replica spread is a rule
    two_forms = estate([wl("a", cpu=3), wl("b", cpu=2)])
    assert is_one_dimensional(build_problem(two_forms, none), [0, 1]) is None  # VM or container: not pure


def test_solve_uses_arcflow_and_proves_the_optimum() -> None:
    e = estate([wl(f"w{i}", cpu=c, mem=0.1) for i, c in enumerate([3, 3, 3, 3, 2, 2, 2, 2])], forms="vm_only")
    model = load_profile("none")
    result = solve(e, model, time_limit_s=10)
    assert "arc-flow" in result.method and result.status == "optimal" and result.capex == 200
    assert check_plan(e, model, result.plan) == []


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


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(1, 60), min_size=1, max_size=25), st.integers(60, 100))
def test_lp_diving_packs_every_item_once_within_capacity(sizes: list[int], capacity: int) -> None:
    for seconds in (10.0, 0.0):  # finished, and stopped at once (everything left to first fit)
        dived, left, bound = _dive(Counter(sizes), capacity, time.monotonic() + seconds)
        bins = _indexed(dived, left, sizes, capacity)
        assert sorted(i for b in bins for i in b) == list(range(len(sizes)))
        assert all(sum(sizes[i] for i in b) <= capacity for b in bins)
    dived, left, bound = _dive(Counter(sizes), capacity, time.monotonic() + 10)
    exact = solve_arcflow(sizes, capacity, 10.0)
    assert exact.optimal and exact.bins is not None
    assert bound <= len(exact.bins) <= len(dived) + sum(left.values())  # the LP bound is valid; a dive is a plan
