"""HA spares: empty servers of a model that can take over any server, priced in, within max_count."""

from __future__ import annotations

from pathlib import Path

from conftest import estate, server, wl

from planner.business.workbook import export_plan
from planner.checker import check_plan
from planner.io.planfile import read_plan
from planner.plan import Placement
from planner.study.pipeline import run_study


def test_spares_are_the_cheapest_dominating_model(tmp_path: Path) -> None:
    # 4 x 5 cores: optimum is 2 small servers (200); a spare must hold any server -> the cheapest
    # model at least as large as 'small' in every resource is 'small' itself.
    e = estate(
        [wl(f"w{i}", cpu=5) for i in range(4)],
        [server("small", cost=100), server("large", cpu=40, mem=40, cost=300)],
        spare_servers=2,
    )
    study = run_study(e)
    plan = study.result.plan
    assert [s.model for s in plan.spares] == ["small", "small"]
    assert study.result.capex == 400 and study.summary.servers == 4 and study.summary.spare_servers == 2
    assert check_plan(e, study.overhead, plan) == []
    out = export_plan(study, tmp_path / "p.xlsx")
    back = read_plan(out)
    assert len(back.spares) == 2 and check_plan(e, study.overhead, back) == []


def test_spares_respect_max_count_and_stay_empty() -> None:
    e = estate([wl(f"w{i}", cpu=5) for i in range(4)], [server(max_count=3)], spare_servers=2)
    study = run_study(e)
    assert len(study.result.plan.spares) == 1  # 2 servers carry the load, 1 spare fits under max_count 3
    broken = study.result.plan.__class__(
        study.result.plan.servers,
        (*study.result.plan.placements, Placement("w0", 1, study.result.plan.spares[0].server_id, "vm")),
        study.result.plan.unplaced,
        study.result.plan.spares,
    )
    assert any("a spare, which must stay empty" in v for v in check_plan(e, study.overhead, broken))


def test_no_spares_without_servers() -> None:
    study = run_study(estate([], spare_servers=3))
    assert study.result.plan.spares == () and study.result.capex == 0
