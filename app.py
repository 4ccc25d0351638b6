"""Streamlit dashboard: the sample estate (or an uploaded workbook), planned and checked.

A thin shell over the same library calls as the CLI: read_estate -> run_study -> plan_tables.
"""

from __future__ import annotations

import io
import logging
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from planner.checker import PlanCheckError
from planner.overheads import ProfileError
from planner.reader import InputError, read_estate
from planner.study import Study, plan_tables, run_study
from planner.writer import rows_to_csv, write_plan_workbook

SAMPLE = Path(__file__).resolve().parent / "sample_data" / "estate.xlsx"
log = logging.getLogger("planner.app")


@st.cache_data(show_spinner=False)
def _plan(data: bytes, suffix: str, time_limit: float) -> tuple[Study | None, list[dict[str, object]]]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"input{suffix}"
        path.write_bytes(data)
        try:
            estate = read_estate(path, overrides={"time_limit_s": str(time_limit)})
        except InputError as err:
            return None, [{"sheet": p.sheet, "row": p.row, "column": p.column, "problem": p.message} for p in err.problems]
    return run_study(estate), []


def main() -> None:
    """Render the page."""
    st.set_page_config(page_title="Consolidation planner", layout="wide")
    st.title("Consolidation planner")
    st.caption("How few servers can carry your workloads as VMs or containers, and what that saves.")
    upload = st.sidebar.file_uploader("Workload workbook (.xlsx) or workloads (.csv)", type=["xlsx", "csv"])
    time_limit = st.sidebar.slider("Solver time limit (s)", 5, 120, 30, key="time_limit")
    data, suffix, name = (
        (upload.getvalue(), Path(upload.name).suffix, upload.name) if upload else (SAMPLE.read_bytes(), ".xlsx", "sample estate")
    )
    st.sidebar.write(f"Planning: **{name}**")
    try:
        with st.spinner("Solving and checking the plan..."):
            study, problems = _plan(data, suffix, float(time_limit))
    except (PlanCheckError, ProfileError, RuntimeError) as err:
        log.exception("planning failed")
        st.error(f"Planning failed: {err}")
        return
    if study is None:
        st.error(f"The input has {len(problems)} problem(s); nothing was planned.")
        st.dataframe(pd.DataFrame(problems), hide_index=True, use_container_width=True)
        return
    s = study.summary
    cols = st.columns(4)
    cols[0].metric("Servers", s.servers, delta=s.servers - s.baseline_servers, delta_color="inverse")
    cols[1].metric("CAPEX", f"{s.capex:,.0f}", delta=f"{-s.savings:,.0f}", delta_color="inverse")
    cols[2].metric("Savings", f"{s.savings_pct}%")
    cols[3].metric("VMs / containers", f"{s.vms} / {s.containers}")
    st.write(f"Solver: **{s.status}**, lower bound {s.lower_bound:,.0f} (gap {s.gap_pct}%), {s.seconds}s, {s.method}.")
    tables = plan_tables(study)
    for name_, rows in tables.items():
        with st.expander(f"{name_} ({len(rows)})", expanded=name_ in ("Summary", "Servers")):
            st.dataframe(pd.DataFrame(rows), hide_index=True, use_container_width=True)
    book = io.BytesIO()
    with tempfile.TemporaryDirectory() as folder:
        book.write(write_plan_workbook(Path(folder) / "plan.xlsx", tables).read_bytes())
    st.download_button(
        "Download plan workbook",
        book.getvalue(),
        "plan.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    st.download_button("Download placements (CSV)", rows_to_csv(tables["Placements"]), "placements.csv", "text/csv")


main()
