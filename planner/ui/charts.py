"""Plotly figures for the dashboard: solver progress, utilization, before and after, and the business case."""

from __future__ import annotations

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from planner.business.case import BusinessCase
from planner.checker import placement_kind
from planner.domain import PlacementKind
from planner.plan import ProgressPoint
from planner.profiles.footprints import container_host_vm, host_reserve, placement_footprint
from planner.resources import RESOURCE_LABELS, RESOURCES, Resources
from planner.study.pipeline import Study
from planner.study.replay import Replay, ServerSeries
from planner.sweeps.grid import SOLVED

PARTS = {"host reserve": "#9e9e9e", "VMs": "#1f77b4", "containers": "#2ca02c"}


def progress_figure(points: list[ProgressPoint], now: float | None = None) -> go.Figure:
    """Best plan cost and lower bound over time, as steps carried on to `now` while solving."""
    fig = go.Figure()
    best = [(p.seconds, p.best_cost) for p in points if p.best_cost is not None]
    bound = [(p.seconds, p.bound) for p in points if p.bound is not None]
    if now is not None:
        best += [(now, best[-1][1])] if best else []
        bound += [(now, bound[-1][1])] if bound else []
    if best:
        fig.add_scatter(x=[t for t, _ in best], y=[v for _, v in best], name="best plan", line_shape="hv", mode="lines+markers")
    if bound:
        fig.add_scatter(x=[t for t, _ in bound], y=[v for _, v in bound], name="lower bound", line_shape="hv", mode="lines")
    fig.update_layout(
        height=260,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        xaxis_title="seconds",
        yaxis_title="CAPEX",
        title="Solver progress",
        legend={"orientation": "h", "y": -0.3},
    )
    return fig


def server_parts(study: Study) -> dict[str, dict[str, Resources]]:
    """Per server, the load split into host reserve, VMs and containers (with container-host VMs)."""
    e, o = study.estate, study.overhead
    hv = e.settings.hypervisor
    by_id = {s.server_id: s for s in study.result.plan.servers}
    parts = {
        sid: {
            "host reserve": host_reserve(s.mode, o, hv, e.server_model(s.model).capacity),
            "VMs": Resources(),
            "containers": Resources(),
        }
        for sid, s in by_id.items()
    }
    host_vms: set[tuple[str, str]] = set()
    for p in study.result.plan.placements:
        server, w = by_id[p.server_id], e.workload(p.workload)
        kind = placement_kind(p, server)
        group = "VMs" if kind == "vm" else "containers"
        parts[p.server_id][group] = parts[p.server_id][group] + placement_footprint(w, kind, o, hv)
        if kind == PlacementKind.CONTAINER_IN_VM and (p.server_id, w.os) not in host_vms:
            host_vms.add((p.server_id, w.os))
            parts[p.server_id]["containers"] = parts[p.server_id]["containers"] + container_host_vm(w.os, o, hv)
    return parts


def utilization_figure(study: Study) -> go.Figure:
    """Per server and resource, % of capacity used, stacked by host reserve, VMs and containers."""
    e = study.estate
    servers = (*study.result.plan.servers, *study.result.plan.spares)  # spares are bought: shown, empty
    empty = {part: Resources() for part in PARTS}
    parts = {s.server_id: empty for s in study.result.plan.spares} | server_parts(study)
    fig = make_subplots(
        rows=3,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.05,
        subplot_titles=[f"{RESOURCE_LABELS[r]} % of capacity" for r in RESOURCES],
    )
    ids = [s.server_id for s in servers]
    for row, r in enumerate(RESOURCES, start=1):
        caps = [e.effective_capacity(e.server_model(s.model)).get(r) for s in servers]
        for part, colour in PARTS.items():
            values = [100 * parts[sid][part].get(r) / cap for sid, cap in zip(ids, caps, strict=True)]
            fig.add_bar(x=ids, y=values, name=part, marker_color=colour, showlegend=row == 1, legendgroup=part, row=row, col=1)
        ceiling = e.settings.utilization_pct(r)
        fig.add_hline(y=ceiling, line_dash="dash", line_color="#d62728", row=row, col=1)  # type: ignore[arg-type]
    fig.update_layout(
        barmode="stack", height=620, margin={"l": 10, "r": 10, "t": 40, "b": 10}, legend={"orientation": "h", "y": 1.08}
    )
    fig.update_yaxes(range=[0, 100])
    return fig


def before_after_figure(study: Study) -> go.Figure:
    """Servers and CAPEX today against the plan."""
    s = study.summary
    fig = make_subplots(rows=1, cols=2, subplot_titles=["servers", "CAPEX"])
    for col, (today, plan) in enumerate(((s.baseline_servers, s.servers), (s.baseline_capex, s.capex)), start=1):
        fig.add_bar(
            x=["today", "plan"],
            y=[today, plan],
            text=[f"{today:,.0f}", f"{plan:,.0f}"],
            marker_color=["#9e9e9e", "#1f77b4"],
            row=1,
            col=col,
            showlegend=False,
        )
    fig.update_layout(height=300, margin={"l": 10, "r": 10, "t": 40, "b": 10})
    return fig


def strategies_figure(case: BusinessCase) -> go.Figure:
    """Servers and CAPEX (and TCO when priced) per strategy, side by side."""
    rows = list(case.strategies)
    labels = [r.label for r in rows]
    fig = make_subplots(rows=1, cols=2, subplot_titles=["servers", "CAPEX and TCO"])
    fig.add_bar(x=labels, y=[r.servers for r in rows], name="servers", marker_color="#1f77b4", row=1, col=1)
    fig.add_bar(x=labels, y=[r.capex for r in rows], name="CAPEX", marker_color="#ff7f0e", row=1, col=2)
    fig.add_bar(x=labels, y=[r.tco or 0 for r in rows], name=f"TCO, {case.tco.years} years", marker_color="#2ca02c", row=1, col=2)
    fig.update_layout(
        height=380, margin={"l": 10, "r": 10, "t": 40, "b": 10}, barmode="group", legend={"orientation": "h", "y": -0.5}
    )
    return fig


def tco_figure(case: BusinessCase) -> go.Figure:
    """Cumulative cost of ownership, plan against today, year by year."""
    t = case.tco
    years = list(range(t.years + 1))
    fig = go.Figure()
    fig.add_scatter(x=years, y=t.cumulative(t.baseline), name="today", mode="lines+markers", line_color="#9e9e9e")
    fig.add_scatter(x=years, y=t.cumulative(t.plan), name="plan", mode="lines+markers", line_color="#1f77b4")
    fig.update_layout(
        height=300, margin={"l": 10, "r": 10, "t": 40, "b": 10}, title="Cumulative cost", xaxis_title="year", yaxis_title="cost"
    )
    return fig


def growth_figure(case: BusinessCase) -> go.Figure:
    """Servers needed per year under demand growth, against the servers the plan buys."""
    years = [g.year for g in case.growth]
    fig = go.Figure()
    fig.add_bar(x=years, y=[g.servers_needed for g in case.growth], name="servers needed", marker_color="#1f77b4")
    fig.add_hline(y=case.plan_servers, line_dash="dash", line_color="#d62728", annotation_text="plan")
    fig.update_layout(
        height=300, margin={"l": 10, "r": 10, "t": 40, "b": 10}, title="Servers needed per year", xaxis_title="year"
    )
    return fig


def pareto_figure(rows: list[dict[str, object]]) -> go.Figure:
    """Sweep scenarios: cost against the utilization ceiling, one colour per failures tolerated; stars on the Pareto front."""
    fig = go.Figure()
    done = [r for r in rows if r.get("status") in SOLVED and not r.get("unplaced")]
    for k in sorted({int(r["ha_failures"]) for r in done}):  # type: ignore[call-overload]
        mine = [r for r in done if r["ha_failures"] == k]
        fig.add_trace(
            go.Scatter(
                x=[r["ceiling_pct"] for r in mine],
                y=[r["cost"] for r in mine],
                mode="markers",
                name=f"survives {k} failure(s)",
                text=[r["scenario"] for r in mine],
                marker={
                    "size": [15 if r.get("pareto") == "yes" else 8 for r in mine],
                    "symbol": ["star" if r.get("pareto") == "yes" else "circle" for r in mine],
                },
                hovertemplate="%{text}: cost %{y:,.0f} at %{x}% ceiling<extra></extra>",
            )
        )
    fig.update_layout(xaxis_title="utilization ceiling, %", yaxis_title="cost", height=380, margin={"t": 30, "b": 40})
    return fig


MOST_PARTS = 12  # parts stacked one by one in the load chart; the rest shown together


def load_figure(series: ServerSeries, resource: str, replay: Replay) -> go.Figure:
    """One server's load over the history, stacked by what carries it, against its ceiling and capacity."""
    k, unit = (0, "cores") if resource == "cpu" else (1, "GB")
    parts = {name: values[k] for name, values in series.parts.items()}
    reserve = parts.pop("host reserve")
    ranked = sorted(parts, key=lambda n: -float(parts[n].max(initial=0.0)))
    shown = ranked[:MOST_PARTS]
    rest = ranked[MOST_PARTS:]
    fig = go.Figure()
    fig.add_scatter(x=series.labels, y=reserve, name="host reserve", stackgroup="load", line={"width": 0}, fillcolor="#bdbdbd")
    for name in shown:
        fig.add_scatter(x=series.labels, y=parts[name], name=name, stackgroup="load", line={"width": 0})
    if rest:
        fig.add_scatter(
            x=series.labels, y=sum(parts[n] for n in rest), name=f"{len(rest)} others", stackgroup="load", line={"width": 0}
        )
    for value, label, dash in ((series.ceiling[k], "ceiling", "dash"), (series.capacity[k], "capacity (100%)", "solid")):
        fig.add_scatter(
            x=[series.labels[0], series.labels[-1]],
            y=[value, value],
            name=label,
            mode="lines",
            line={"color": "#d62728", "dash": dash},
        )
    fig.update_layout(
        height=380,
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        title=f"{series.server_id}: {resource} over {replay.source} ({unit})",
        yaxis_title=unit,
        legend={"orientation": "h", "y": -0.25},
    )
    return fig
