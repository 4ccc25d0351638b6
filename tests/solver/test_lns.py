"""Large-neighbourhood search: never worse, every rule kept, reaches optima first-fit misses."""

from __future__ import annotations

import threading
import time

import pytest
from conftest import estate, server, wl

from planner.checker import check_plan
from planner.profiles.loading import load_profile
from planner.solver import search as solver_module
from planner.solver.assemble import to_plan
from planner.solver.greedy import best_greedy
from planner.solver.lns import canonical, improve
from planner.solver.problem import build_problem
from planner.solver.solve import solve

# Capacity 10, sizes 3,3,3,3,2,2,2,2: first-fit decreasing fills 3+3+3 and leaves 3+2+2+2 and 2,
# three servers; the optimum is two (3+3+2+2 twice).
FFD_TRAP = [wl(f"w{i}", cpu=c) for i, c in enumerate([3, 3, 3, 3, 2, 2, 2, 2])]


def test_first_fit_misses_the_optimum_and_lns_finds_it() -> None:
    e = estate(FFD_TRAP, [server(cpu=10)])
    problem = build_problem(e, load_profile("none"))
    start = best_greedy(problem)
    assert len(start.servers) == 3
    better = improve(problem, start, time_limit_s=10, bound=200)
    assert len(better.servers) == 2 and better.cost(problem) == 200
    assert sorted(better.placed) == sorted(start.placed)


def test_solve_takes_the_lns_path_on_the_trap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(solver_module, "LNS_THRESHOLD", 0)  # force the LNS path on a small estate
    monkeypatch.setattr(solver_module, "MAX_CLASSES", 0)  # and keep the pattern master out of it
    e = estate(FFD_TRAP, [server(cpu=10)])
    result = solve(e, load_profile("none"), time_limit_s=10)
    assert "LNS" in result.method and result.status == "optimal" and result.capex == 200


def test_lns_keeps_every_rule_on_a_rich_estate() -> None:
    ws = []
    for i in range(70):
        strict = i % 11 == 0
        ws.append(
            wl(
                f"w{i}",
                cpu=0.5 + i % 4,
                mem=1 + (i * 7) % 9,
                storage=(i * 13) % 50,
                os="windows" if i % 5 == 0 else "linux",
                platform="vm" if strict else ["any", "vm", "container", "any"][i % 4],
                isolation="strict" if strict else "shared",
                replicas=1 + i % 3,
                anti_affinity_group=f"g{i % 6}" if i % 3 == 0 else None,
                affinity_group=f"a{i % 4}" if i % 17 == 0 else None,
            )
        )
    e = estate(
        ws,
        [server("S", cpu=16, mem=48, storage=400), server("L", cpu=32, mem=96, storage=800, cost=180)],
        overhead_profile="default",
        max_utilization_pct=80,
    )
    model = load_profile("default")
    problem = build_problem(e, model)
    start = best_greedy(problem)
    better = improve(problem, start, time_limit_s=4)
    assert better.cost(problem) <= start.cost(problem) and sorted(better.placed) == sorted(start.placed)
    assert check_plan(e, model, to_plan(problem, better, {})) == []


def test_lns_honours_stop_and_time_limit() -> None:
    ws = [wl(f"w{i}", cpu=1 + i % 4, mem=1 + i % 3, anti_affinity_group=f"g{i % 7}") for i in range(80)]
    e = estate(ws, [server(cpu=16, mem=16, storage=100)])
    problem = build_problem(e, load_profile("none"))
    start = canonical(problem, best_greedy(problem))
    stop = threading.Event()
    stop.set()
    began = time.monotonic()
    assert improve(problem, start, time_limit_s=30, stop=stop).cost(problem) == start.cost(problem)
    improve(problem, start, time_limit_s=1.0)
    assert time.monotonic() - began < 5
