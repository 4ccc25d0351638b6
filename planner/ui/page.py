"""The dashboard page: the sidebar, the solve and the tabs, composed from the other `planner.ui` parts."""

from __future__ import annotations

import logging

import streamlit as st

from planner.data import SAMPLE_ESTATE as SAMPLE
from planner.study.pipeline import Study
from planner.ui.inputs import set_source, sidebar_input
from planner.ui.jobs import SolveJob
from planner.ui.logic import (
    settings_from_rows,
)
from planner.ui.results import show_business_case, show_changes, show_editors, show_plan, show_problems
from planner.ui.scenarios import show_scenarios
from planner.ui.sidebar import sidebar_constraints
from planner.ui.solving import build_estate, collect_job, progress_panel, start_solve, waiting_panel

log = logging.getLogger("planner.app")
state = st.session_state


def main() -> None:
    """Lay out the page."""
    st.set_page_config(page_title="Consolidation planner", layout="wide")
    if "source" not in state:
        set_source("sample estate", SAMPLE.read_bytes(), ".xlsx")
    st.title("Consolidation planner")
    st.caption("How few servers can carry your workloads as VMs or containers, and what that saves.")
    notices = st.container()  # one slot for every notice, so the tabs below keep their place (and the tab shown)
    solve_slot = st.sidebar.container()  # Solve sits at the top of the sidebar, above the input and the settings
    sidebar_input()
    controls = sidebar_constraints(settings_from_rows(state.rows.get("settings", [])))
    collect_job()
    if state.get("auto_solve"):  # a new input is planned at once
        state.auto_solve = False
        start_solve(controls)
    job: SolveJob | None = state.get("job")
    if solve_slot.button("Solve", type="primary", disabled=job is not None and job.running, width="stretch"):
        start_solve(controls)
        if state.get("reused"):
            notices.info(
                "Nothing changed since the last solve: this is the plan this input and these settings give (deterministic)."
            )
    collect_job()  # a small estate may already be solved within this run
    job = state.get("job")
    running = job is not None and state.get("collected") is not job
    study: Study | None = state.get("study")
    with notices:
        show_notices(running, study is not None and state.get("solved_controls") not in (None, controls))
    plan_tab, case_tab, estate_tab, changes_tab, scenarios_tab = st.tabs(
        ["Plan", "Business case", "Workloads & servers", "Changes", "Scenarios"]
    )
    with plan_tab:
        if study is not None:
            show_plan(study)
        elif not running:
            st.info("Press Solve to plan this estate.")
    with case_tab:
        if study is not None:
            show_business_case(study, building=running)
    with estate_tab:
        show_editors()
    with changes_tab:
        show_changes()
    with scenarios_tab:
        show_scenarios(lambda: build_estate(controls))


def show_notices(running: bool, constraints_changed: bool) -> None:
    """Problems with the input, a failed solve, the solve's progress, and constraints changed since the plan."""
    if state.get("problems"):
        show_problems()
    if state.get("solve_error"):
        st.error(f"The solve failed: {state.solve_error}")
    if running:
        progress_panel()
    elif state.get("auto_solve"):
        waiting_panel()
    if constraints_changed and not running:
        st.info("Constraints changed since this plan: press Solve to plan with them.")


def run() -> None:
    """The page, with any error shown as a sentence (the detail goes to the server log)."""
    try:
        main()
    except Exception as exc:  # never a traceback on the page
        log.exception("dashboard error")
        st.error(f"Something went wrong: {type(exc).__name__}: {exc}. The details are in the server log.")
