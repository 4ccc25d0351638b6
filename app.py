"""Streamlit dashboard: upload an estate, tweak constraints, watch the solver, export the plan.

A thin shell over the library: reader -> study (in a background SolveJob) -> report tables.
Every computation lives in `planner`; this file only lays out the page and keeps state.
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

import pandas as pd
import streamlit as st

from planner.charts import (
    before_after_figure,
    growth_figure,
    progress_figure,
    strategies_figure,
    tco_figure,
    utilization_figure,
)
from planner.columns import normalise_header
from planner.compare import compare_studies
from planner.costs import COST_PARAMETERS, load_costs
from planner.dashboard import (
    FORM_CHOICES,
    MAX_UPLOAD_MB,
    filter_placements,
    frame_to_rows,
    overrides_from_controls,
    plan_downloads,
    rows_to_frame,
    settings_from_rows,
    table_frame,
    why_summary,
)
from planner.domain import Estate, Settings
from planner.jobs import SolveJob
from planner.marking import mark_problems
from planner.overheads import PARAMETERS, OverheadModel, ProfileError, list_profiles
from planner.platforms import list_platforms, study_overhead
from planner.reader import InputError, InputProblem, estate_from_rows, load_rows
from planner.scenarios_page import show_scenarios
from planner.study import Study, load_overhead, plan_tables
from planner.writer import write_template

SAMPLE = Path(__file__).resolve().parent / "sample_data" / "estate.xlsx"
log = logging.getLogger("planner.app")
state = st.session_state


# --- input -------------------------------------------------------------------------------


def set_source(name: str, data: bytes, suffix: str, mapping: dict[str, str] | None = None, powered_off: bool = False) -> None:
    """Make a file the current input: load its sheets (an inventory converted) into the editors and plan it."""
    state.source = {"name": name, "data": data, "suffix": suffix, "id": hashlib.sha1(data).hexdigest()[:12]}
    state.source.update(mapping=mapping, powered_off=powered_off)
    state.problems, state.rows = [], {}
    for stale in ("workloads_frame", "servers_frame", "study", "tables", "files", "previous", "solve_error"):  # old input's
        state.pop(stale, None)
    job: SolveJob | None = state.get("job")
    if job is not None and job.running:  # the old input's solve is no longer wanted
        state.collected = job
        job.stop()
        job.wait(15)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"input{suffix}"
        path.write_bytes(data)
        try:
            state.rows = load_rows(path, mapping, Settings(include_powered_off=powered_off))
        except InputError as err:
            state.problems = err.problems
    state.import_notes = [str(r[0]) for r in state.rows.get("notes", [])[1:]]
    header = [normalise_header(h) for h in state.rows.get("workloads", [[]])[0]]
    state.needs_mapping = suffix == ".csv" and not state.problems and not {"name", "cpu_cores", "memory_gb"} <= set(header)
    if not state.problems and "servers" not in state.rows:  # a .csv of workloads: start from the sample catalog
        state.rows["servers"] = load_rows(SAMPLE)["servers"]
        state.catalog_note = "This file has no server catalog: the sample catalog is used; edit it under Workloads & servers."
    else:
        state.catalog_note = None
    state.auto_solve = not state.problems


@st.cache_data(show_spinner=False)
def template_bytes() -> bytes:
    """The blank input template, written once per server process."""
    with tempfile.TemporaryDirectory() as folder:
        return write_template(Path(folder) / "template.xlsx").read_bytes()


def sidebar_input() -> None:
    """Upload, sample and template controls."""
    st.sidebar.header("Input")
    upload = st.sidebar.file_uploader(
        "Workload workbook, RVTools export (.xlsx) or CSV (planner, Azure Migrate, RVTools vInfo, any with a mapping)",
        type=["xlsx", "csv"],
    )
    if upload is not None and upload.file_id != state.get("upload_id"):
        state.upload_id = upload.file_id
        data = upload.getvalue()
        if len(data) > MAX_UPLOAD_MB * 1024 * 1024:
            state.problems = [
                InputProblem(upload.name, None, None, f"the file is {len(data) / 2**20:.1f} MB; the limit is {MAX_UPLOAD_MB} MB")
            ]
        else:
            set_source(upload.name, data, Path(upload.name).suffix.lower())
    if st.sidebar.button("Use the sample estate", width="stretch"):
        set_source("sample estate", SAMPLE.read_bytes(), ".xlsx")
    st.sidebar.download_button("Download a blank template", template_bytes(), "planner-template.xlsx", width="stretch")
    st.sidebar.caption(f"Planning: **{state.source['name']}**")
    if state.get("catalog_note"):
        st.sidebar.info(state.catalog_note)
    if state.get("import_notes"):
        st.sidebar.info("\n".join(f"- {n}" for n in state.import_notes))
        if any("powered-off" in n for n in state.import_notes):
            source = state.source
            wanted = st.sidebar.checkbox("Include powered-off VMs", value=bool(source.get("powered_off")), key="powered_off")
            if wanted != bool(source.get("powered_off")):
                set_source(source["name"], source["data"], source["suffix"], source.get("mapping"), wanted)
                st.rerun()
    if state.get("needs_mapping"):
        sidebar_mapping()


def sidebar_mapping() -> None:
    """Map the columns of a CSV in another format to ours, then read it with that mapping."""
    theirs = [str(h) for h in state.rows["workloads"][0] if h not in (None, "")]
    st.sidebar.warning("This CSV is not in the planner's format: map its columns to ours.")
    with st.sidebar.form("column_mapping"):
        chosen: dict[str, str] = {}
        for target, label in (
            ("name", "name"),
            ("cpu_cores", "cores"),
            ("memory", "memory"),
            ("storage", "storage"),
            ("os", "operating system"),
            ("current_host", "current host"),
            ("cpu_usage_pct", "CPU use %"),
            ("memory_usage_pct", "memory use %"),
        ):
            column = st.selectbox(label, ["(none)", *theirs], key=f"map_{target}")
            unit = ""
            if target in ("memory", "storage"):  # shown always: a form does not rerun between choices
                unit = "_" + st.selectbox(f"{label} unit", ["gb", "gib", "mb", "mib", "tb", "tib"], key=f"unit_{target}")
            if column != "(none)":
                chosen[column] = target + unit
        if st.form_submit_button("Read with this mapping"):
            source = state.source
            set_source(source["name"], source["data"], source["suffix"], chosen)
            st.rerun()


# --- constraints -------------------------------------------------------------------------


def sidebar_constraints(sheet: dict[str, object]) -> dict[str, object]:
    """Every constraint, defaulting to the workbook's Settings; returns the chosen values."""
    base = Settings()

    def default(key: str, fallback: object) -> object:
        value = sheet.get(key)
        return fallback if value is None or value == "" else value

    st.sidebar.header("Constraints")
    c: dict[str, object] = {}
    hv = str(default("hypervisor", base.hypervisor))
    c["hypervisor"] = st.sidebar.radio(
        "Hypervisor",
        ["type1", "type2"],
        index=["type1", "type2"].index(hv) if hv in ("type1", "type2") else 0,
        horizontal=True,
        help="type 1 runs on bare metal; type 2 is hosted on an OS (more overhead)",
    )
    profiles = list_profiles()
    chosen = str(default("overhead_profile", base.overhead_profile))
    c["overhead_profile"] = st.sidebar.selectbox(
        "Overhead profile", profiles, index=profiles.index(chosen) if chosen in profiles else 0
    )
    sidebar_platforms(c, default)
    forms = list(FORM_CHOICES)
    current = str(default("forms", base.forms))
    c["forms"] = st.sidebar.radio(
        "Forms", forms, format_func=FORM_CHOICES.get, index=forms.index(current) if current in forms else 0
    )
    overall = float(default("max_utilization_pct", base.max_utilization_pct))  # type: ignore[arg-type]
    for resource in ("cpu", "memory", "storage"):
        key = f"{resource}_max_utilization_pct"
        c[key] = st.sidebar.slider(
            f"Max {resource} utilization %", 10, 100, int(float(default(key, overall))), key=f"util_{resource}"
        )  # type: ignore[arg-type]
    c["spare_servers"] = st.sidebar.number_input(
        "HA spare servers",
        0,
        50,
        int(default("spare_servers", 0)),  # type: ignore[arg-type]
        help="empty servers bought on top, each able to take over any server",
    )
    c["ha_failures"] = st.sidebar.number_input(
        "Servers that may fail (HA)",
        0,
        10,
        int(default("ha_failures", 0)),  # type: ignore[arg-type]
        help="the plan must survive losing any this many servers: their workloads restart on the others, every rule kept",
        key="ha_failures",
    )
    sidebar_business(c, default)
    baselines = ["current_hosts", "one_per_workload"]
    b = str(default("baseline", base.baseline))
    c["baseline"] = st.sidebar.radio("Baseline (today's estate)", baselines, index=baselines.index(b) if b in baselines else 0)
    cost = sheet.get("baseline_unit_cost")
    c["baseline_unit_cost"] = st.sidebar.number_input(
        "Baseline server cost (blank: first model's)",
        min_value=0.0,
        value=None if cost in (None, "") else float(cost),
        step=500.0,
    )  # type: ignore[arg-type]
    c["time_limit_s"] = st.sidebar.slider(
        "Solver time limit (s)",
        5,
        300,
        int(float(default("time_limit_s", base.time_limit_s))),  # type: ignore[arg-type]
        key="time_limit",
    )
    try:
        profile = study_overhead(
            Settings(
                overhead_profile=str(c["overhead_profile"]),
                hypervisor_platform=str(c["hypervisor_platform"]),
                container_platform=str(c["container_platform"]),
            )
        )
    except ProfileError as err:
        st.sidebar.error(str(err))
        return c
    profile_inputs(c, "Overhead numbers", "overhead", profile, PARAMETERS, lambda key: sheet.get(key))
    state.profile_numbers = {k: n.value for k, n in profile.numbers.items()}
    return c


def sidebar_platforms(c: dict[str, object], default: Callable[[str, object], object]) -> None:
    """Hypervisor and container platform profiles (ESXi, Hyper-V, Kubernetes...), and platforms to compare."""
    generic = "(generic numbers of the overhead profile)"
    for kind, label in (("hypervisor", "Hypervisor platform"), ("container", "Container platform")):
        names = ["", *list_platforms(kind)]
        chosen = str(default(f"{kind}_platform", ""))
        c[f"{kind}_platform"] = st.sidebar.selectbox(
            label,
            names,
            index=names.index(chosen) if chosen in names else 0,
            format_func=lambda n: n or generic,
            key=f"{kind}_platform",
            help=f"the {kind} platform's published overheads replace the generic ones; "
            + (
                "its type (1 or 2) replaces the radio above" if kind == "hypervisor" else "an orchestrator adds its control plane"
            ),
        )
    own = default("compare_platforms", "")
    mine = [n.strip() for n in (own if isinstance(own, tuple) else str(own).split(",")) if n.strip()]
    picked = st.sidebar.multiselect(
        "Compare platforms (business case)",
        list_platforms(),
        default=[n for n in mine if n in list_platforms()],
        key="compare_platforms",
        help="each platform named here adds a strategy: the estate planned on it instead of the chosen one",
    )
    c["compare_platforms"] = ", ".join(picked)


def profile_inputs(
    c: dict[str, object],
    title: str,
    prefix: str,
    profile: OverheadModel,
    meanings: Mapping[str, tuple[str, str]],
    own: Callable[[str], object],
) -> None:
    """One number input per profile number (overhead or cost), with its default, reason and source."""
    with st.sidebar.expander(title):
        st.caption(f"{profile.name}: {profile.description}")
        for key, number in profile.numbers.items():
            unit, meaning = meanings[key]
            mine = own(f"{prefix}.{key}")
            value = number.value if mine in (None, "") else float(mine)  # type: ignore[arg-type]
            c[f"{prefix}.{key}"] = st.number_input(
                f"{key} ({unit})",
                min_value=0.0,
                value=float(value),
                step=max(0.001, number.value / 10 or 0.1),
                format="%.3f",
                key=f"{prefix}_{profile.name}_{key}",
                help=f"{meaning}. Default {number.value:g} {unit}: {number.reason}. Source: {number.source}",
            )
            st.caption(f"default {number.value:g} {unit}: {number.reason} ({number.source})")


def sidebar_business(c: dict[str, object], default: Callable[[str, object], object]) -> None:
    """Business-case controls: objective, horizon, growth, and the cost drivers with their sources."""
    base = Settings()
    c["business_case"] = st.sidebar.checkbox(
        "Business case (strategies, TCO, growth)",
        value=str(default("business_case", "yes")).lower() in ("yes", "true", "1"),
        key="business_case",
        help="plans the estate under each strategy and each growth year too (more solves)",
    )
    objectives = ["capex", "tco"]
    chosen = str(default("objective", base.objective))
    c["objective"] = st.sidebar.radio(
        "Optimize for",
        objectives,
        index=objectives.index(chosen) if chosen in objectives else 0,
        horizontal=True,
        help="capex: price of the servers; tco: price plus energy, rack space, support and licences over the horizon",
    )
    c["years"] = st.sidebar.number_input(
        "Horizon (years)",
        1,
        30,
        int(default("years", base.years)),
        key="years",  # type: ignore[arg-type]
    )
    c["growth_pct_per_year"] = st.sidebar.number_input(
        "Demand growth % per year",
        0.0,
        500.0,
        float(default("growth_pct_per_year", base.growth_pct_per_year)),  # type: ignore[arg-type]
    )
    try:
        costs = load_costs(str(default("cost_profile", base.cost_profile)))
    except ProfileError as err:
        st.sidebar.error(str(err))
        return
    profile_inputs(c, "Cost drivers", "cost", costs, COST_PARAMETERS, lambda key: default(key, None))
    state.cost_numbers = {k: n.value for k, n in costs.numbers.items()}


# --- solving -----------------------------------------------------------------------------


def build_estate(controls: dict[str, object]) -> Estate | None:
    """The edited tables and the chosen constraints as a validated Estate, or None (problems shown)."""
    rows = state.rows
    workloads = frame_to_rows(state.get("workloads_frame", rows_to_frame(rows.get("workloads", []))))
    servers = frame_to_rows(state.get("servers_frame", rows_to_frame(rows.get("servers", []))))
    overrides = overrides_from_controls(controls, state.get("profile_numbers", {}), state.get("cost_numbers", {}))
    try:
        return estate_from_rows(
            workloads,
            servers,
            rows.get("settings"),
            overrides=overrides,
            source=state.source["name"],
            hosts=rows.get("hosts"),
            notes=rows.get("notes"),
        )
    except InputError as err:
        state.problems = err.problems
    except ProfileError as err:
        state.problems = [InputProblem("Settings", None, "overhead_profile", str(err))]
    return None


def start_solve(controls: dict[str, object]) -> None:
    """Validate and start a background solve, unless one is running."""
    job: SolveJob | None = state.get("job")
    if job is not None and job.running:
        return
    estate = build_estate(controls)
    if estate is None:
        return
    state.problems = []
    state.job = SolveJob(estate, load_overhead(estate)).start()
    state.solved_controls = dict(controls)


def collect_job() -> None:
    """Move a job's study into the page state: the plan as soon as it is checked, the business case when done.

    The previous plan is kept for comparison.
    """
    job: SolveJob | None = state.get("job")
    if job is None or state.get("collected") is job:
        return
    if job.running:
        early = job.plan_study
        if early is not None and state.get("early") is not job:
            state.early = job
            show_study(early)
        return
    state.collected = job
    if job.error:
        state.solve_error = job.error
    elif job.study is not None:
        show_study(job.study, replaces_early=state.get("early") is job)


def show_study(study: Study, *, replaces_early: bool = False) -> None:
    """Make a study the page's current one, with its report tables and downloads built once."""
    if not replaces_early:
        state.previous = state.get("study")
    state.study = study
    state.tables = plan_tables(study)  # report tables and downloads, once per plan, not per rerun
    state.files = plan_downloads(study, state.tables)
    state.solve_error = None


@st.fragment(run_every=1.0)
def progress_panel() -> None:
    """Live solver progress: best plan and bound over time, gap, and a stop button."""
    job: SolveJob | None = state.get("job")
    if job is None or state.get("collected") is job:
        return
    if not job.running or (job.plan_study is not None and state.get("early") is not job):
        st.rerun()  # the whole page picks up the finished plan (or the plan before its business case)
    points = job.snapshot()
    best = next((p.best_cost for p in reversed(points) if p.best_cost is not None), None)
    bound = next((p.bound for p in reversed(points) if p.bound is not None), None)
    cols = st.columns([2, 2, 2, 1])
    cols[0].metric("Elapsed", f"{job.elapsed:.0f} s")
    cols[1].metric("Best plan", "-" if best is None else f"{best:,.0f}")
    gap = "-" if best is None or bound is None or not best else f"{100 * (best - bound) / best:.1f}%"
    cols[2].metric("Gap to bound", gap)
    if cols[3].button("Stop", help="stop now and keep the best plan so far"):
        job.stop()
    if job.phase != "solving":
        st.info(f"Plan found; now the {job.phase}.")
    st.plotly_chart(progress_figure(points, now=job.elapsed), width="stretch")


# --- results -----------------------------------------------------------------------------


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


def show_headline(study: Study) -> None:
    """Headline figures: servers and CAPEX before and after, savings, utilization, forms."""
    s = study.summary
    cols = st.columns(6)
    cols[0].metric(
        "Servers",
        s.servers,
        delta=s.servers - s.baseline_servers,
        delta_color="inverse",
        help=f"today: {s.baseline_servers}" + (f"; includes {s.spare_servers} HA spares" if s.spare_servers else ""),
    )
    cols[1].metric(
        "CAPEX", f"{s.capex:,.0f}", delta=f"{-s.savings:,.0f}", delta_color="inverse", help=f"today: {s.baseline_capex:,.0f}"
    )
    cols[2].metric("Savings", f"{s.savings_pct}%", help=f"{s.savings:,.0f} against today's estate")
    cols[3].metric(
        "Avg CPU/mem %",
        f"{s.avg_cpu_util_pct:.0f}/{s.avg_memory_util_pct:.0f}",
        help=f"average utilization per server: CPU {s.avg_cpu_util_pct}%, memory {s.avg_memory_util_pct}%, "
        f"storage {s.avg_storage_util_pct}%",
    )
    cols[4].metric("VMs / containers", f"{s.vms} / {s.containers}")
    cols[5].metric("Unplaced", s.unplaced)
    st.write(
        f"Solver: **{s.status}**, lower bound {s.lower_bound:,.0f} (gap {s.gap_pct}%), {s.seconds}s, {s.method}. "
        f"Today: {s.baseline_servers} servers, {s.baseline_capex:,.0f}. Servers by model: "
        + ", ".join(f"{n} x {m}" for m, n in s.servers_by_model.items())
        + "."
    )


def show_plan(study: Study) -> None:
    """The plan: charts, placements with search and filters, reasons, unplaced, downloads."""
    show_headline(study)
    left, right = st.columns([1, 2])
    left.plotly_chart(before_after_figure(study), width="stretch")
    with right:
        st.caption("Why each replica got its form")
        rows = state.tables["Placements"]
        st.dataframe(pd.DataFrame(why_summary(rows)), hide_index=True, width="stretch")
    st.subheader("Utilization per server")
    st.plotly_chart(utilization_figure(study), width="stretch")
    st.subheader("Placements")
    cols = st.columns([3, 2, 2])
    text = cols[0].text_input("Search", placeholder="workload, server, reason...")
    forms = cols[1].multiselect("Form", ["vm", "container"])
    models = cols[2].multiselect("Server model", sorted({str(r["server_model"]) for r in rows}))
    shown = filter_placements(rows, text, forms, models)
    st.caption(f"{len(shown)} of {len(rows)} placements")
    st.dataframe(pd.DataFrame(shown), hide_index=True, width="stretch", height=360)
    if state.tables["Unplaced"]:
        st.subheader("Unplaced")
        st.dataframe(pd.DataFrame(state.tables["Unplaced"]), hide_index=True, width="stretch")
    files = state.files
    cols = st.columns(3)
    cols[0].download_button(
        "Download plan workbook",
        files["plan.xlsx"],
        "plan.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    cols[1].download_button("Download placements (CSV)", files["placements.csv"], "placements.csv", "text/csv")
    cols[2].download_button("Download summary (JSON)", files["summary.json"], "summary.json", "application/json")


def show_business_case(study: Study, *, building: bool = False) -> None:
    """Strategies, TCO, growth and resilience: the same tables and charts as the plan workbook."""
    case, tables = study.case, state.tables
    if case is not None:
        st.subheader("Strategies")
        st.success(case.verdict)
        st.plotly_chart(strategies_figure(case), width="stretch")
        st.dataframe(table_frame(tables["Strategies"]), hide_index=True, width="stretch")
        st.subheader("Total cost of ownership")
        t = case.tco
        cols = st.columns(4)
        cols[0].metric(f"Plan, {t.years} years", f"{t.plan_total:,.0f}")
        cols[1].metric("Today", f"{t.baseline_total:,.0f}")
        cols[2].metric("TCO savings", f"{t.savings:,.0f}")
        cols[3].metric("Payback", "-" if t.payback_month is None else f"month {t.payback_month}")
        st.caption(f"CO2: {t.co2_tonnes(t.plan):,.1f} t/year planned against {t.co2_tonnes(t.baseline):,.1f} t/year today.")
        st.plotly_chart(tco_figure(case), width="stretch")
        st.dataframe(table_frame(tables["TCO"]), hide_index=True, width="stretch")
        st.subheader("Growth")
        out = "lasts the horizon" if case.runs_out_year is None else f"runs out of headroom in year {case.runs_out_year}"
        st.write(f"The plan as placed {out}.")
        st.plotly_chart(growth_figure(case), width="stretch")
        st.dataframe(table_frame(tables["Growth"]), hide_index=True, width="stretch")
    elif building:
        st.info("The business case is being built: the other strategies and the growth years are being planned.")
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
    cols[1].metric("CAPEX", f"{change.capex_after:,.0f}", delta=f"{change.capex_delta:,.0f}", delta_color="inverse")
    cols[2].metric("Replicas moved", len(change.moved))
    st.caption(f"Before: {change.models_before}; after: {change.models_after}")
    st.dataframe(pd.DataFrame(change.moved), hide_index=True, width="stretch")


def show_editors() -> None:
    """Workloads and server catalog, editable in place; edits apply to the next solve."""
    st.caption("Add, remove or change rows; press Solve to plan the edited estate.")
    for name, label in (("workloads", "Workloads"), ("servers", "Servers")):
        frame = rows_to_frame(state.rows.get(name, []))
        st.subheader(label)
        state[f"{name}_frame"] = st.data_editor(
            frame, num_rows="dynamic", width="stretch", key=f"edit_{name}_{state.source['id']}"
        )


def main() -> None:
    """Lay out the page."""
    st.set_page_config(page_title="Consolidation planner", layout="wide")
    if "source" not in state:
        set_source("sample estate", SAMPLE.read_bytes(), ".xlsx")
    st.title("Consolidation planner")
    st.caption("How few servers can carry your workloads as VMs or containers, and what that saves.")
    sidebar_input()
    controls = sidebar_constraints(settings_from_rows(state.rows.get("settings", [])))
    collect_job()
    if state.get("auto_solve"):  # a new input is planned at once
        state.auto_solve = False
        start_solve(controls)
    job: SolveJob | None = state.get("job")
    if st.sidebar.button("Solve", type="primary", disabled=job is not None and job.running, width="stretch"):
        start_solve(controls)
    collect_job()  # a small estate may already be solved within this run
    job = state.get("job")
    running = job is not None and state.get("collected") is not job
    if state.get("problems"):
        show_problems()
    if state.get("solve_error"):
        st.error(f"The solve failed: {state.solve_error}")
    if running:
        progress_panel()
    study: Study | None = state.get("study")
    if study is not None and state.get("solved_controls") not in (None, controls) and not running:
        st.info("Constraints changed since this plan: press Solve to plan with them.")
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


try:
    main()
except Exception as exc:  # never a traceback on the page; the detail goes to the log
    log.exception("dashboard error")
    st.error(f"Something went wrong: {type(exc).__name__}: {exc}. The details are in the server log.")
