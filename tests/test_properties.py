"""Property tests: any valid estate gives a checked plan that accounts for every replica,
with lower bound <= plan CAPEX <= first-fit decreasing."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner import solver as solver_module
from planner.checker import check_plan
from planner.domain import Estate, ServerModel, Settings, Workload
from planner.greedy import best_greedy
from planner.overheads import load_profile
from planner.problem import build_problem
from planner.solver import solve

MODELS = {name: load_profile(name) for name in ("none", "default")}


@st.composite
def workloads(draw: st.DrawFn, index: int) -> Workload:
    isolation = draw(st.sampled_from(["shared", "shared", "strict"]))
    platforms = ["vm", "any"] if isolation == "strict" else ["vm", "container", "any"]
    return Workload(
        f"w{index}",
        draw(st.sampled_from([0.25, 0.5, 1, 2, 3.5, 6])),
        draw(st.sampled_from([0.5, 1, 2, 4, 8, 12])),
        draw(st.sampled_from([0, 5, 20, 80])),
        os=draw(st.sampled_from(["linux", "linux", "windows"])),
        platform=draw(st.sampled_from(platforms)),
        isolation=isolation,
        replicas=draw(st.integers(1, 3)),
        affinity_group=draw(st.sampled_from([None, None, None, "x"])),
        anti_affinity_group=draw(st.sampled_from([None, None, "a", "b"])),
    )


@st.composite
def estates(draw: st.DrawFn) -> Estate:
    n = draw(st.integers(1, 8))
    ws = tuple(draw(workloads(i)) for i in range(n))
    models = tuple(
        ServerModel(
            f"M{k}",
            draw(st.sampled_from([8, 12, 16])),
            draw(st.sampled_from([16, 24, 48])),
            draw(st.sampled_from([200, 500])),
            draw(st.sampled_from([0, 100, 150, 260])),
            max_count=draw(st.sampled_from([None, None, 2, 4])),
        )
        for k in range(draw(st.integers(1, 2)))
    )
    s = Settings(
        hypervisor=draw(st.sampled_from(["type1", "type2"])),
        overhead_profile=draw(st.sampled_from(["none", "default"])),
        max_utilization_pct=draw(st.sampled_from([70.0, 80.0, 100.0])),
        forms=draw(st.sampled_from(["auto", "auto", "vm_only", "containers_where_allowed"])),
        time_limit_s=3.0,
        workers=2,
    )
    return Estate(ws, models, s)


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
