"""The dashboard's result views: input problems, the plan, the business case, changes, and the editors."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd
import streamlit as st

from planner.business.compare import compare_studies, model_counts, what_changed
from planner.business.executive import Executive, executive
from planner.input_errors import InputProblem
from planner.io.marking import mark_problems
from planner.money import money
from planner.plan import SolveStatus
from planner.study.pipeline import Study
from planner.ui.charts import (
    before_after_figure,
    growth_figure,
    strategies_figure,
    tco_figure,
    utilization_figure,
)
from planner.ui.history import show_replay
from planner.ui.logic import (
    filter_placements,
    rows_to_frame,
    table_frame,
    why_summary,
)

log = logging.getLogger("planner.app")
state = st.session_state


def show_problems() -> None:
    """Every input problem, and the user's file with the bad cells marked."""
    problems: list[InputProblem] = state.problems
    st.error(f"The input has {len(problems)} problem(s); nothing was planned until they are fixed.")
    st.dataframe(
        pd.DataFrame([{"sheet": p.sheet, "row": p.row, "column": p.column, "problem": p.message} for p in problems]),
        hide_index=True,
        width="stretch",
    )
    source = state.source
    marked = mark_problems(source["data"], source["suffix"], problems)
    st.download_button("Download your workbook with the problems marked", marked, "marked-" + Path(source["name"]).stem + ".xlsx")


def current_executive(study: Study) -> Executive:
    """The page's executive summary of this study (built once per plan when it was shown)."""
    ex = state.get("executive")
    return ex if ex is not None and state.get("study") is study else executive(study)


def show_headline(study: Study) -> None:
    """The verdict in a sentence, then headline figures: servers, what buying them costs, utilization, forms."""
    s, cur = study.summary, study.estate.settings.currency
    ex = current_executive(study)
    st.success(ex.verdict)
    cols = [*st.columns(3), *st.columns(3)]  # two rows of three: every figure and label fits
    cols[0].metric(
        "Servers",
        s.servers,
        delta=s.servers - s.baseline_servers,
        delta_color="inverse",
        help=f"today: {s.baseline_servers}" + (f"; includes {s.spare_servers} HA spares" if s.spare_servers else ""),
    )
    cols[1].metric(
        "Buying the plan's servers",
        money(s.capex, cur),
        delta=money(-s.savings, cur, signed=True),
        delta_color="inverse",
        help=f"replacing today's servers like for like would cost {money(s.baseline_capex, cur)}",
    )
    cols[2].metric(
        "Against a like-for-like refresh",
        f"{s.savings_pct:.0f}% less" if s.savings >= 0 else f"{-s.savings_pct:.0f}% more",
        help=f"{money(abs(s.savings), cur)} {'less' if s.savings >= 0 else 'more'} than replacing today's servers",
    )
    cols[3].metric(
        "Average CPU / memory used, %",
        f"{s.avg_cpu_util_pct:.0f}/{s.avg_memory_util_pct:.0f}",
        help=f"average utilization per server: CPU {s.avg_cpu_util_pct}%, memory {s.avg_memory_util_pct}%, "
        f"storage {s.avg_storage_util_pct}%",
    )
    cols[4].metric("VMs / containers", f"{s.vms} / {s.containers}")
    cols[5].metric("Unplaced", s.unplaced)
    st.write(
        f"Solver: **{SolveStatus(s.status).label}**, lower bound {money(s.lower_bound, cur)} (gap {s.gap_pct:.1f}%), "
        f"{s.seconds:.0f} s. Today: {s.baseline_servers} servers. Servers by model: "
        + ", ".join(f"{n} x {m}" for m, n in s.servers_by_model.items())
        + "."
    )
    st.caption(f"How the plan was found: {s.method}.")


def show_plan(study: Study) -> None:
    """The plan: charts, placements with search and filters, reasons, unplaced, downloads."""
    cur = study.estate.settings.currency
    show_headline(study)
    left, right = st.columns([1, 2])
    left.plotly_chart(before_after_figure(study), width="stretch")
    with right:
        st.caption("Why each replica got its form")
        rows = state.tables["Placements"]
        st.dataframe(table_frame(why_summary(rows)), hide_index=True, width="stretch")
    st.subheader("Utilization per server")
    st.plotly_chart(utilization_figure(study), width="stretch")
    show_replay(study)
    st.subheader("Placements")
    cols = st.columns([3, 2, 2])
    text = cols[0].text_input("Search", placeholder="workload, server, reason...")
    forms = cols[1].multiselect("Form", ["vm", "container"])
    models = cols[2].multiselect("Server model", sorted({str(r["server_model"]) for r in rows}))
    shown = filter_placements(rows, text, forms, models)
    st.caption(f"{len(shown)} of {len(rows)} placements")
    st.dataframe(table_frame(shown, cur), hide_index=True, width="stretch", height=360)
    if state.tables["Unplaced"]:
        st.subheader("Unplaced")
        st.dataframe(table_frame(state.tables["Unplaced"]), hide_index=True, width="stretch")
    if state.tables.get("Excluded"):
        st.subheader("Left out of the plan")
        st.caption("Rows of the input that could not be sized; fix them in the export (or under Workloads & servers).")
        st.dataframe(table_frame(state.tables["Excluded"]), hide_index=True, width="stretch")
    files = state.files
    buttons = st.columns(4)
    buttons[0].download_button(
        "Download plan workbook",
        files["plan.xlsx"],
        "plan.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    buttons[1].download_button("Download placements (CSV)", files["placements.csv"], "placements.csv", "text/csv")
    buttons[2].download_button("Download summary (JSON)", files["summary.json"], "summary.json", "application/json")
    buttons[3].download_button("Download report (HTML)", files["report.html"], "report.html", "text/html")


def show_business_case(study: Study, *, building: bool = False) -> None:
    """Strategies, TCO, growth and resilience: the same tables and charts as the plan workbook."""
    case, tables, cur = study.case, state.tables, study.estate.settings.currency
    if case is not None:
        st.subheader("Strategies")
        st.success(case.verdict)
        st.plotly_chart(strategies_figure(case), width="stretch")
        st.dataframe(table_frame(tables["Strategies"], cur), hide_index=True, width="stretch")
        st.subheader("Total cost of ownership")
        t = case.tco
        cols = st.columns(4)
        cols[0].metric(f"Plan, {t.years} years", money(t.plan_total, cur))
        cols[1].metric("Today", money(t.baseline_total, cur))
        cols[2].metric("Saving" if t.savings >= 0 else "Costs more than today", money(abs(t.savings), cur))
        cols[3].metric("Payback", "not within the horizon" if t.payback_month is None else f"month {t.payback_month}")
        ex = current_executive(study)
        st.caption("Today and the plan, priced alike (the same power curve, licences and subscriptions on both sides):")
        st.dataframe(table_frame(list(ex.comparison)), hide_index=True, width="stretch")
        st.caption("The plan against each way of treating today's servers:")
        st.dataframe(table_frame(list(ex.framings)), hide_index=True, width="stretch")
        st.plotly_chart(tco_figure(case), width="stretch")
        st.dataframe(table_frame(tables["TCO"], cur), hide_index=True, width="stretch")
        st.subheader("Growth")
        out = "lasts the horizon" if case.runs_out_year is None else f"runs out of headroom in year {case.runs_out_year}"
        st.write(f"The plan as placed {out}.")
        st.plotly_chart(growth_figure(case), width="stretch")
        st.dataframe(table_frame(tables["Growth"], cur), hide_index=True, width="stretch")
    elif building:
        st.info("The business case is being built: the other strategies and the growth years are being planned.")
    elif study.estate.settings.business_case:  # asked for, but the solve was stopped before it
        st.info("The solve was stopped before the business case was built: press Solve to plan it in full.")
    else:
        st.info("Tick 'Business case' in the sidebar and solve to compare strategies, TCO and growth.")
    st.subheader("Resilience")
    st.dataframe(table_frame(tables["Resilience"]), hide_index=True, width="stretch")
    if tables.get("Failures"):
        st.dataframe(table_frame(tables["Failures"]), hide_index=True, width="stretch", height=260)


def show_changes() -> None:
    """What changed against the previous plan."""
    before, after = state.get("previous"), state.get("study")
    if before is None or after is None:
        st.info("Change a constraint and solve again to see what changed against this plan.")
        return
    change = compare_studies(before, after)
    cols = st.columns(3)
    cols[0].metric("Servers", change.servers_after, delta=change.servers_after - change.servers_before, delta_color="inverse")
    cur = after.estate.settings.currency
    cols[1].metric(
        "Buying the plan's servers",
        money(change.capex_after, cur),
        delta=money(change.capex_delta, cur, signed=True),
        delta_color="inverse",
    )
    cols[2].metric("Replicas moved", len(change.moved))
    changed = what_changed(before, after)
    st.markdown(
        "**What changed:** " + ("; ".join(changed) if changed else "nothing in the input (a new solve of the same input)")
    )
    st.caption(f"Servers before: {model_counts(change.models_before)}. After: {model_counts(change.models_after)}.")
    st.dataframe(table_frame(change.moved), hide_index=True, width="stretch")


def show_editors() -> None:
    """Workloads and server catalog, editable in place; edits apply to the next solve."""
    st.caption("Add, remove or change rows; press Solve to plan the edited estate.")
    for name, label in (("workloads", "Workloads"), ("servers", "Servers")):
        frame = rows_to_frame(state.rows.get(name, []))
        st.subheader(label)
        state[f"{name}_frame"] = st.data_editor(
            frame, num_rows="dynamic", width="stretch", key=f"edit_{name}_{state.source['id']}"
        )
