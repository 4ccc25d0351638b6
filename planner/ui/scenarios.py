"""The dashboard's Scenarios page: define a grid, run the sweep on Dask, watch the table fill, compare.

Streamlit layout only; the sweep itself is `planner.cluster.run_sweep` in a background SweepJob.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import streamlit as st
import yaml

from planner.domain import Estate
from planner.input_errors import InputError
from planner.io.headers import in_words
from planner.sweeps.grid import ALL_MODELS, SOLVED, check_grid, default_grid, pareto_front, parse_grid, scenario_diff
from planner.ui.charts import pareto_figure
from planner.ui.jobs import SweepJob
from planner.ui.logic import FORM_CHOICES, table_frame
from planner.ui.solving import page_open

state = st.session_state
SHOWN = ("scenario", "status", "servers", "capex", "tco", "gap_pct", "unplaced", "ha_failures", "ceiling_pct", "seconds", "error")


def _start(estate: Estate, text: str, limit: float, workers: int, scheduler: str) -> None:
    """Validate the grid and start the sweep, unless one is running."""
    job: SweepJob | None = state.get("sweep_job")
    if job is not None and job.running:
        return
    try:
        grid = parse_grid(yaml.safe_load(text), "grid")
        check_grid(grid, estate)
    except yaml.YAMLError as exc:
        state.sweep_problems = [f"grid: not valid YAML: {exc}"]
        return
    except InputError as err:
        state.sweep_problems = [str(p) for p in err.problems]
        return
    state.sweep_problems = []
    settings = replace(estate.settings, time_limit_s=limit, business_case=False)
    folder = state.setdefault("sweep_folder", tempfile.mkdtemp(prefix="planner-sweep-"))
    state.sweep_job = SweepJob(
        replace(estate, settings=settings), grid, Path(folder), scheduler=scheduler or None, workers=workers, wanted=page_open()
    ).start()


def _rows_with_front(job: SweepJob) -> list[dict[str, object]]:
    rows = job.rows()
    front = set(pareto_front(rows))
    return [{**r, "pareto": "yes" if i in front else ""} for i, r in enumerate(rows)]


@st.fragment(run_every=1.0)
def live_table() -> None:
    """The scenario table filling in as scenarios finish, with a progress bar and a stop button."""
    job: SweepJob | None = state.get("sweep_job")
    if job is None:
        return
    if not job.running and state.get("sweep_shown") is not job:
        state.sweep_shown = job
        st.rerun()  # the whole page shows the finished sweep: chart, diff and downloads
    total = job.grid.size
    rows = job.rows()
    st.progress(len(rows) / total, text=f"{len(rows)} of {total} scenarios, {job.elapsed:.0f} s")
    if job.running and st.button("Stop the sweep", key="stop_sweep"):
        job.stop()
    st.dataframe(table_frame([{k: r.get(k, "") for k in (*job.grid.keys, *SHOWN)} for r in rows]), hide_index=True)


SCHEDULER_ENV = "PLANNER_DASK_SCHEDULER"


def configured_scheduler() -> str:
    """The Dask scheduler the dashboard's sweeps use: set by whoever runs the dashboard (environment), never by the
    page, since a scheduler's replies are unpickled: a page that chose it would run code of the visitor's choosing."""
    return os.environ.get(SCHEDULER_ENV, "").strip()


CEILINGS = (50, 60, 70, 80, 90, 100)


def grid_form(estate: Estate) -> str:
    """The grid from a form: server models, ceilings, failures tolerated and forms; returned as the grid's YAML."""
    names = [m.model for m in estate.server_models]
    cols = st.columns(2)
    models = cols[0].multiselect(
        "Server models",
        [ALL_MODELS, *names],
        default=[ALL_MODELS, *names[:3]],
        format_func=lambda m: "the whole catalog" if m == ALL_MODELS else f"only {m}",
        key="sweep_models",
    )
    ceilings = cols[1].multiselect("Most a server may use, %", CEILINGS, default=[70, 80], key="sweep_ceilings")
    failures = cols[0].multiselect("Servers that may fail at once", [0, 1, 2, 3], default=[0, 1], key="sweep_failures")
    forms = cols[1].multiselect(
        "Forms", list(FORM_CHOICES), default=["auto"], format_func=lambda f: FORM_CHOICES[f], key="sweep_forms"
    )
    grid: dict[str, object] = {}
    for key, values in (("server_model", models), ("max_utilization_pct", ceilings), ("ha_failures", failures), ("forms", forms)):
        if values:
            grid[key] = list(values) if len(values) > 1 else values[0]
    size = 1
    for values in (models, ceilings, failures, forms):
        size *= max(1, len(values))
    st.caption(f"{size} scenario(s): every combination of the values chosen.")
    return yaml.safe_dump(grid, sort_keys=False) if grid else ""


def show_scenarios(build_estate: Callable[[], Estate | None]) -> None:
    """The Scenarios page."""
    st.caption("Every combination of the values chosen is a scenario, solved with the same engine and checker as a plan.")
    job: SweepJob | None = state.get("sweep_job")
    running = job is not None and job.running
    estate = build_estate()
    text = grid_form(estate) if estate is not None else ""
    if st.toggle("Write the grid as YAML instead", key="sweep_yaml", help="any setting as a key: a value, a list or a range"):
        text = st.text_area("Grid (YAML)", value=default_grid(estate) if estate else "", height=150, key="sweep_grid")
    cols = st.columns(3)
    limit = cols[0].number_input("Seconds per scenario", min_value=1.0, value=5.0, step=1.0, key="sweep_limit")
    workers = cols[1].number_input("Scenarios at once", min_value=1, value=os.cpu_count() or 1, step=1, key="sweep_workers")
    scheduler = configured_scheduler()
    cols[2].caption(f"Runs on the cluster at {scheduler}" if scheduler else "Runs on this machine")
    if st.button("Run sweep", type="primary", disabled=running or estate is None, key="run_sweep") and estate is not None:
        _start(estate, text, float(limit), int(workers), scheduler)
        job = state.get("sweep_job")
    for problem in state.get("sweep_problems", []):
        st.error(problem)
    if job is None:
        return
    live_table()
    if job.running:
        return
    if job.error:
        st.error(f"The sweep failed: {job.error}")
        return
    rows = _rows_with_front(job)
    done = [r for r in rows if r.get("status") in SOLVED]
    if done:
        st.subheader("Cost against headroom and failures tolerated")
        st.plotly_chart(pareto_figure(rows), key="pareto_chart")
        st.subheader("Compare two scenarios")
        labels = [str(r["scenario"]) for r in done]
        pick = st.columns(2)
        a = pick[0].selectbox("Scenario A", labels, index=0, key="diff_a")
        b = pick[1].selectbox("Scenario B", labels, index=min(1, len(labels) - 1), key="diff_b")
        by_label = {str(r["scenario"]): r for r in done}
        diff = [{**r, "item": in_words(str(r["item"]))} for r in scenario_diff(by_label[a], by_label[b], job.grid.keys)]
        st.dataframe(table_frame(diff).astype(str), hide_index=True, key="diff_table")
    for name, data in job.files.items():
        st.download_button(f"Download {name}", data, file_name=name, key=f"download_{name}")
