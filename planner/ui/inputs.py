"""The dashboard's input: upload, sample, template, CSV column mapping; the current source in session state."""

from __future__ import annotations

import hashlib
import logging
import tempfile
from pathlib import Path

import streamlit as st

from planner.data import SAMPLE_ESTATE as SAMPLE
from planner.domain import CurrentHost, Settings
from planner.input_errors import InputError, InputProblem
from planner.io.columns import normalise_header
from planner.io.default_catalog import default_catalog_rows
from planner.io.rows import load_rows
from planner.io.writer import write_template
from planner.ui.jobs import SolveJob
from planner.ui.logic import (
    MAX_UPLOAD_MB,
)

log = logging.getLogger("planner.app")
# Controls whose default comes from the input (its Settings sheet, or N+1 for existing VMs): reset with it.
INPUT_DEFAULTED = ("ha_failures", "vcpu_per_core", "hyperthreading_weight", "memory_overcommit", "containerize", "storage_pool")
state = st.session_state


def upload_name(name: str, suffix: str) -> str:
    """The uploaded file's own name, without any folder part (a safe name to write it under); else input.SUFFIX."""
    base = Path(name.replace("\\", "/")).name.strip()
    return base if base and not base.startswith(".") and base.lower().endswith(suffix.lower()) else f"input{suffix}"


def set_source(name: str, data: bytes, suffix: str, mapping: dict[str, str] | None = None, powered_off: bool = False) -> None:
    """Make a file the current input: load its sheets (an inventory converted) into the editors and plan it."""
    replaced = INPUT_DEFAULTED if "source" in state else ()  # a new input resets what its own settings default
    state.source = {"name": name, "data": data, "suffix": suffix, "id": hashlib.sha1(data).hexdigest()[:12]}
    state.source.update(mapping=mapping, powered_off=powered_off)
    state.problems, state.rows, state.input_problems = [], {}, []
    for stale in (*replaced, "workloads_frame", "servers_frame", "study", "tables", "files", "previous", "solve_error"):
        state.pop(stale, None)
    job: SolveJob | None = state.get("job")
    if job is not None and job.running:  # the old input's solve is no longer wanted
        state.collected = job
        job.stop()
        job.wait(60)  # a stopped solve ends within seconds (its best plan checked); a loaded machine may need more
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / upload_name(name, suffix)  # messages name the user's file, not a temporary one
        path.write_bytes(data)
        try:
            state.rows = load_rows(path, mapping, Settings(include_powered_off=powered_off))
        except InputError as err:
            state.problems = state.input_problems = err.problems  # kept: the editors hold nothing to re-validate
    state.import_notes = [str(r[0]) for r in state.rows.get("notes", [])[1:]]
    header = [normalise_header(h) for h in state.rows.get("workloads", [[]])[0]]
    state.needs_mapping = suffix == ".csv" and not state.problems and not {"name", "cpu_cores", "memory_gb"} <= set(header)
    if not state.problems and "servers" not in state.rows:  # an inventory or CSV: the bundled catalog and today's shapes
        hosts = tuple(CurrentHost(*row) for row in state.rows.get("hosts", [])[1:])
        state.rows["servers"], note = default_catalog_rows(hosts)
        said = note.removesuffix("; give your own with --servers")
        state.catalog_note = f"{said[0].upper()}{said[1:]}. Edit it under Workloads & servers."
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
    left_out = state.rows.get("excluded", [[]])[1:]
    if left_out:
        st.sidebar.warning(
            f"{len(left_out)} row(s) of the export could not be sized and are left out of the plan: "
            "the Plan tab and the workbook's Excluded sheet list each with its reason."
        )
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
