"""Valid input never ends in an internal error: random rule-heavy estates (sites, max_count, platforms, HA, spares,
the business case) always give a checked plan that accounts for every replica."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import pytest
from conftest import server, wl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import estates

from planner.business.case import add_business_case
from planner.checker import check_plan
from planner.domain import Estate, Settings
from planner.study.pipeline import run_study


@st.composite
def rule_heavy(draw: st.DrawFn) -> Estate:
    """A random estate spread over sites, its models limited and tied to platforms, with HA and spares."""
    e = draw(estates())
    sites = draw(st.sampled_from([(None,), ("dc1", "dc2"), ("dc1", "dc2", "dc3")]))
    # affinity stays within a site (the reader refuses it across sites)
    workloads = tuple(replace(w, site=sites[0] if w.affinity_group else sites[i % len(sites)]) for i, w in enumerate(e.workloads))
    platforms = draw(st.sampled_from([(), ("type1",), ("containers",), ("type1", "containers")]))
    models = tuple(
        replace(m, max_count=draw(st.sampled_from([None, 1, 2])), platforms=platforms if k == 0 else ())
        for k, m in enumerate(e.server_models)
    )
    chosen = replace(
        e.settings,
        ha_failures=draw(st.integers(0, 1)),
        spare_servers=draw(st.integers(0, 1)),
        business_case=draw(st.booleans()),
        time_limit_s=1.0,
    )
    return Estate(workloads, models, chosen)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rule_heavy())
def test_rule_heavy_estates_plan_without_internal_errors(e: Estate) -> None:
    """max_count holds across sites, spares and HA servers run the modes they take over, nothing is lost."""
    study = add_business_case(run_study(e))
    plan = study.result.plan
    assert check_plan(study.estate, study.overhead, plan) == []
    accounted = Counter((p.workload, p.replica) for p in plan.placements) + Counter(
        (u.workload, u.replica) for u in plan.unplaced
    )
    assert set(accounted) == {(w.name, r) for w in study.estate.workloads for r in range(1, w.replicas + 1)}
    bought = Counter(s.model for s in (*plan.servers, *plan.spares))
    assert all(m.max_count is None or bought[m.model] <= m.max_count for m in e.server_models)


def test_a_failing_strategy_is_reported_in_its_row_and_the_plan_stands(monkeypatch: pytest.MonkeyPatch) -> None:
    """A side solve of the business case that fails (injected) leaves the main plan, and its row says why."""
    from planner.study import concurrent

    e = Estate(
        tuple(wl(f"w{i}", 1 + i % 3, 2 + i % 4) for i in range(12)),
        (server("S", 16, 64, 1000, 5000),),
        Settings(time_limit_s=1.0),
    )
    study = run_study(e)
    real = concurrent.run_study

    def flaky(variant: Estate, **kw: object) -> object:
        if variant.settings.hypervisor == "type2":
            raise RuntimeError("injected fault")
        return real(variant, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(concurrent, "run_study", flaky)  # the strategies are solved there, side by side
    done = add_business_case(study)
    assert done.result is study.result and done.case is not None
    failed = [r for r in done.case.strategies if r.status.startswith("failed")]
    assert failed and "injected fault" in failed[0].status
    assert "type-2" not in done.case.verdict.split(".")[0]  # the verdict ranks only what was planned
