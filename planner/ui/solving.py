"""Solving from the dashboard: build the edited estate, run it in a background job, collect the study, live progress."""

from __future__ import annotations

import logging
from collections.abc import Callable

import streamlit as st
from streamlit.runtime import Runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

from planner.business.executive import executive
from planner.business.workbook import plan_tables
from planner.domain import Estate
from planner.input_errors import InputError, InputProblem
from planner.io.reader import estate_from_rows
from planner.money import money
from planner.plan import SolveStatus
from planner.profiles.overheads import ProfileError
from planner.study.pipeline import Study, load_overhead
from planner.sweeps.grid import fingerprint
from planner.ui.charts import (
    progress_figure,
)
from planner.ui.history import history_file
from planner.ui.jobs import SolveJob
from planner.ui.logic import (
    frame_to_rows,
    overrides_from_controls,
    plan_downloads,
    rows_to_frame,
)

log = logging.getLogger("planner.app")
state = st.session_state


def build_estate(controls: dict[str, object]) -> Estate | None:
    """The edited tables and the chosen constraints as a validated Estate, or None (problems shown)."""
    if state.get("input_problems"):  # the file itself could not be read: its own problems stay the ones shown
        state.problems = state.input_problems
        return None
    rows = state.rows
    workloads = frame_to_rows(state.get("workloads_frame", rows_to_frame(rows.get("workloads", []))))
    servers = frame_to_rows(state.get("servers_frame", rows_to_frame(rows.get("servers", []))))
    overrides = overrides_from_controls(controls, state.get("profile_numbers", {}), state.get("cost_numbers", {}))
    try:
        with history_file() as usage:
            return estate_from_rows(
                workloads,
                servers,
                rows.get("settings"),
                overrides=overrides,
                source=state.source["name"],
                hosts=rows.get("hosts"),
                notes=rows.get("notes"),
                excluded=rows.get("excluded"),
                usage=usage,
            )
    except InputError as err:
        state.problems = err.problems
    except ProfileError as err:
        state.problems = [InputProblem("Settings", None, "overhead_profile", str(err))]
    return None


def page_open() -> Callable[[], bool] | None:
    """A check that this page's browser session is still connected (a closed page's jobs stop); None outside
    a running server (no session to watch)."""
    ctx = get_script_run_ctx(suppress_warning=True)
    if ctx is None or not Runtime.exists():
        return None
    runtime, session = Runtime.instance(), ctx.session_id
    return lambda: runtime.is_active_session(session)


def start_solve(controls: dict[str, object]) -> None:
    """Validate and start a background solve, unless one is running."""
    job: SolveJob | None = state.get("job")
    let_go = state.get("collected") is job  # a solve the page let go of (a new input): let it finish stopping first
    if job is not None and job.running and let_go:
        job.wait(60)
        if job.running:  # still stopping on a loaded machine: the new input is planned on a later run
            state.auto_solve = True
            return
    if job is not None and job.running:
        return
    estate = build_estate(controls)
    if estate is None:
        return
    state.problems = []
    key = fingerprint(estate)
    shown: Study | None = state.get("study")
    complete = shown is not None and shown.result.status not in (SolveStatus.STOPPED, SolveStatus.CUT_SHORT)
    reusable = complete and estate.settings.deterministic and state.get("solve_error") is None
    if key == state.get("solved_key") and reusable:
        state.reused = True  # same input, same settings: a deterministic solve would give this very plan again
        state.solved_controls = dict(controls)
        return
    state.reused = False
    state.solved_key = key
    state.job = SolveJob(estate, load_overhead(estate), wanted=page_open()).start()
    state.solved_controls = dict(controls)


def collect_job() -> None:
    """Move a job's study into the page state: the plan as soon as it is checked, the business case when done.

    The previous plan is kept for comparison.
    """
    job: SolveJob | None = state.get("job")
    if job is None or state.get("collected") is job:
        return
    if job.running:
        early = job.plan_study  # a first quick plan, then the full plan while its business case is built
        if early is not None and state.get("early") is not early:
            show_study(early, replaces_early=state.get("early_job") is job)
            state.early, state.early_job = early, job
        return
    state.collected = job
    if job.error:
        state.solve_error = job.error
        state.solved_key = None
    elif job.study is not None:
        show_study(job.study, replaces_early=state.get("early_job") is job)


def show_study(study: Study, *, replaces_early: bool = False) -> None:
    """Make a study the page's current one, with its report tables and downloads built once."""
    if not replaces_early:
        state.previous = state.get("study")
    state.study = study
    state.executive = executive(study)  # the summary, report tables and downloads, once per plan, not per rerun
    state.tables = plan_tables(study, state.executive)
    state.files = plan_downloads(study, state.tables, state.executive)
    state.solve_error = None


@st.fragment(run_every=1.0)
def waiting_panel() -> None:
    """While the replaced input's solve finishes stopping; the new input is planned as soon as it has."""
    job: SolveJob | None = state.get("job")
    if job is None or not job.running:
        st.rerun()
    st.info("Stopping the previous solve; the new input is planned as soon as it has stopped.")


@st.fragment(run_every=1.0)
def progress_panel() -> None:
    """Live solver progress: best plan and bound over time, gap, and a stop button."""
    job: SolveJob | None = state.get("job")
    if job is None or state.get("collected") is job:
        return
    if not job.running or (job.plan_study is not None and state.get("early") is not job.plan_study):
        st.rerun()  # the whole page picks up the finished plan (or the plan before its business case)
    points = job.snapshot()
    best = next((p.best_cost for p in reversed(points) if p.best_cost is not None), None)
    shown = job.plan_study  # the first plan already on the page counts as found
    if shown is not None and (best is None or shown.result.objective_value < best):
        best = shown.result.objective_value
    bound = next((p.bound for p in reversed(points) if p.bound is not None), None)
    cols = st.columns([2, 2, 2, 1])
    cols[0].metric("Elapsed", f"{job.elapsed:.0f} s")
    cols[1].metric("Best plan", "-" if best is None else money(best, job.estate.settings.currency))
    gap = "-" if best is None or bound is None or not best else f"{100 * (best - bound) / best:.1f}%"
    cols[2].metric("Gap to bound", gap)
    if cols[3].button("Stop", help="stop now and keep the best plan so far"):
        job.stop()
    if job.phase != "solving":
        st.info(job.phase)
    st.plotly_chart(progress_figure(points, now=job.elapsed), width="stretch")
