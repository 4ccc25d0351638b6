"""Failure tolerance: enforced on the placement, every survivor plan checked, bounds valid."""

from __future__ import annotations

from dataclasses import replace

from conftest import estate, server, wl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner.checker import PlanCheckError
from planner.plan import Placement
from planner.study.pipeline import run_study, verify_failures
from planner.study.recovery import recovery, restart_seconds
from planner.study.resilience import assess, check_scenario, evacuate


def test_slack_is_used_before_a_server_is_bought() -> None:
    # 4 x 3 cores on 10-core servers: 2 servers without HA (9 + 3); surviving one loss needs 3
    # servers (6 + 3 + 3): the lost server's load always fits the other two.
    study = run_study(estate([wl(f"w{i}", cpu=3) for i in range(4)], ha_failures=1))
    r = study.result
    assert len(r.plan.servers) + len(r.plan.spares) == 3 and r.capex == 300
    assert r.lower_bound == 300 and r.status == "optimal"  # no-failure bound 200 + one cheapest server
    report = study.resilience
    assert report is not None and report.survived and report.exhaustive and report.total == len(report.scenarios)


def test_failover_keeps_anti_affinity_and_the_checker_catches_a_bad_restart() -> None:
    e = estate([wl("a", cpu=4, anti_affinity_group="g"), wl("b", cpu=4, anti_affinity_group="g"), wl("c", cpu=4)], ha_failures=1)
    study = run_study(e)
    plan = study.result.plan
    for scenario in study.resilience.scenarios:  # type: ignore[union-attr]
        assert scenario.survived and check_scenario(e, study.overhead, plan, scenario) == []
        where = {m.workload: m.server_id for m in scenario.moves}
        kept = {p.workload: p.server_id for p in plan.placements if p.server_id not in scenario.failed}
        both = {**kept, **where}
        assert both["a"] != both["b"]
    # a forged restart that puts a and b together is caught by the independent check
    lost = next(p.server_id for p in plan.placements if p.workload == "a")
    b_server = next(p.server_id for p in plan.placements if p.workload == "b")
    good = evacuate(e, study.overhead, plan, (lost,))
    forged = replace(good, moves=tuple(replace(m, server_id=b_server) if m.workload == "a" else m for m in good.moves))
    assert any("anti-affinity" in v for v in check_scenario(e, study.overhead, plan, forged))


def test_a_plan_that_does_not_survive_is_refused_unless_said() -> None:
    e = estate([wl(f"w{i}", cpu=6) for i in range(3)], ha_failures=1)
    study = run_study(replace(e, settings=replace(e.settings, ha_failures=0)))
    assert not assess(e, study.overhead, study.result.plan, 1).survived
    try:
        verify_failures(e, study.overhead, study.result)
    except PlanCheckError as err:
        assert "strands" in str(err)
    else:
        raise AssertionError("a plan that strands replicas passed the failure check")


def test_max_count_that_forbids_failover_is_reported_not_hidden() -> None:
    study = run_study(estate([wl(f"w{i}", cpu=6) for i in range(3)], [server(max_count=3)], ha_failures=1))
    assert any("not met" in n for n in study.result.notes) and study.summary.ha_survived is False


def test_recovery_time_restarts_in_waves(default_model) -> None:  # type: ignore[no-untyped-def]
    e = estate(
        [wl(f"v{i}", cpu=1, platform="vm") for i in range(5)],
        [server(cpu=64, mem=256, storage=4000)],
        overhead_profile="default",
        restart_parallel=2,
    )
    study = run_study(e)
    sid, count, seconds = recovery(e, default_model, study.result.plan)
    assert count == 5 and seconds == 3 * default_model["linux_vm_boot_s"]  # waves of 2, 2, 1
    by_id = {s.server_id: s for s in study.result.plan.servers}
    assert restart_seconds(e, default_model, [Placement("v0", 1, sid, "vm")], by_id) == default_model["linux_vm_boot_s"]


sizes = st.lists(
    st.tuples(st.integers(1, 6), st.integers(1, 6), st.integers(1, 2), st.sampled_from([None, "g1", "g2"])),
    min_size=1,
    max_size=7,
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sizes, st.integers(1, 2))
def test_enforced_plans_survive_every_failure_set(items: list[tuple[int, int, int, str | None]], k: int) -> None:
    work = [wl(f"w{i}", cpu=c, mem=m, replicas=r, anti_affinity_group=g) for i, (c, m, r, g) in enumerate(items)]
    study = run_study(estate(work, [server(), server("big", cpu=20, mem=20, cost=180)], ha_failures=k, time_limit_s=2))
    report = study.resilience
    assert report is not None
    if not any("not met" in n for n in study.result.notes):
        assert report.survived
    for scenario in report.scenarios:
        assert check_scenario(study.estate, study.overhead, study.result.plan, scenario) == []
    assert study.result.lower_bound <= study.result.objective_value + 1e-6


def test_the_worst_failure_is_the_one_that_restarts_most() -> None:
    """With nothing stranded, the worst failure is the server whose loss restarts most replicas, not the busiest survivor."""
    from planner.plan import Placement
    from planner.resources import Resources
    from planner.study.resilience import ResilienceReport, Scenario

    few = Scenario(("A",), tuple(Placement(f"w{i}", 1, "B", "vm") for i in range(4)), (), 90.0, Resources())
    many = Scenario(("B",), tuple(Placement(f"v{i}", 1, "A", "vm") for i in range(43)), (), 60.0, Resources())
    report = ResilienceReport(1, (few, many), 2, True)
    assert report.worst is many
