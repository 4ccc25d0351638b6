"""Dashboard figures: the utilization chart shows each resource in its own panel, under the ceiling."""

from __future__ import annotations

from conftest import estate, server, wl

from planner.plan import ProgressPoint
from planner.study.pipeline import run_study
from planner.ui.charts import before_after_figure, progress_figure, server_parts, utilization_figure


def test_utilization_figure_one_panel_per_resource_below_ceiling() -> None:
    study = run_study(
        estate(
            [wl("a", cpu=3, mem=2), wl("b", cpu=2, mem=6, platform="container")],
            [server(cpu=16, mem=32, storage=500)],
            overhead_profile="default",
            max_utilization_pct=80,
        )
    )
    fig = utilization_figure(study)
    axes = {trace.yaxis for trace in fig.data}
    assert axes == {"y", "y2", "y3"}  # cpu, memory, storage each in its own panel
    for axis in axes:
        totals = [sum(v) for v in zip(*(t.y for t in fig.data if t.yaxis == axis), strict=True)]
        assert max(totals) <= 80 + 1e-6
    parts = server_parts(study)
    sid = study.result.plan.servers[0].server_id
    assert parts[sid]["VMs"].cpu_cores > 0 or parts[sid]["containers"].cpu_cores > 0


def test_progress_and_before_after_figures() -> None:
    fig = progress_figure([ProgressPoint(0.1, 300, None), ProgressPoint(1.0, 200, 150)])
    assert [t.name for t in fig.data] == ["best plan", "lower bound"]
    study = run_study(estate([wl("a")]))
    assert len(before_after_figure(study).data) == 2


def test_spare_servers_appear_in_the_utilization_chart() -> None:
    """A spare is bought and counted, so the chart shows it (empty) beside the servers that carry load."""
    study = run_study(estate([wl("a", cpu=3, mem=2)], [server(cpu=16, mem=32, storage=500)], spare_servers=1))
    spare = study.result.plan.spares[0].server_id
    shown = {x for trace in utilization_figure(study).data for x in trace.x}
    assert spare in shown and study.result.plan.servers[0].server_id in shown
