"""Property tests: any valid estate gives a checked plan that accounts for every replica,
with lower bound <= plan CAPEX <= first-fit decreasing."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from strategies import estates

from planner.checker import check_plan
from planner.domain import Estate
from planner.profiles.loading import load_profile
from planner.solver import search as solver_module
from planner.solver.greedy import best_greedy
from planner.solver.problem import build_problem
from planner.solver.solve import solve

MODELS = {name: load_profile(name) for name in ("none", "default")}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(estates())
def test_random_estates_give_checked_plans(e: Estate) -> None:
    model = MODELS[e.settings.overhead_profile]
    result = solve(e, model, polish=False)
    assert check_plan(e, model, result.plan) == []
    accounted = {(p.workload, p.replica) for p in result.plan.placements} | {
        (u.workload, u.replica) for u in result.plan.unplaced
    }
    assert accounted == {(w.name, r) for w in e.workloads for r in range(1, w.replicas + 1)}
    problem = build_problem(e, model)
    greedy = best_greedy(problem)
    assert len(result.plan.placements) >= len(greedy.placed)
    if len(result.plan.placements) == len(greedy.placed):
        greedy_capex = sum(e.server_models[m].unit_cost for m, _ in greedy.servers)
        assert result.capex <= greedy_capex + 1e-6
    assert 0 <= result.lower_bound <= result.capex + 1e-6
    assert all(u.reason for u in result.plan.unplaced)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(estates())
def test_random_estates_through_lns(monkeypatch: pytest.MonkeyPatch, e: Estate) -> None:
    monkeypatch.setattr(solver_module, "LNS_THRESHOLD", 0)
    model = MODELS[e.settings.overhead_profile]
    result = solve(e, model, time_limit_s=2, polish=False)
    assert check_plan(e, model, result.plan) == []
    assert 0 <= result.lower_bound <= result.capex + 1e-6
