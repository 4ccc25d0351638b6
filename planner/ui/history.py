"""The dashboard's utilization history: upload it, choose how it sizes and packs, see the replay.

The history is kept as the uploaded bytes and read with the estate at each solve (so its errors
name the user's file, row and column, and history of workloads not in the estate is named).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import streamlit as st

from planner.data import SAMPLE_USAGE
from planner.domain import Settings
from planner.input_errors import InputProblem
from planner.study.pipeline import Study
from planner.study.replay import Replay, replay_rows, server_series
from planner.ui.charts import load_figure
from planner.ui.inputs import upload_name
from planner.ui.logic import MAX_UPLOAD_MB, table_frame

state = st.session_state
SIZING_WORDS = {
    "allocation": "Allocation (as configured)",
    "demand": "Measured peak (one figure per workload)",
    "percentile": "Percentile of the utilization history",
}
PACKING_WORDS = {
    "independent": "Each workload at its own percentile",
    "time_aware": "By time: peaks that do not coincide share headroom",
}
BUCKET_WORDS = {
    "interval": "Every interval (the percentile applies to each server's load)",
    "hour_of_day": "Hour of day",
    "hour_of_week": "Hour of week",
    "interval_of_day": "Sampling interval of the day",
    "interval_of_week": "Sampling interval of the week",
}
REPLAY_HEADERS = {
    "server_id": "Server",
    "model": "Model",
    "intervals_over_ceiling": "Intervals over the ceiling",
    "intervals_over_capacity": "Intervals over 100%",
    "held_pct": "Held (% of intervals)",
    "peak_pct": "Peak (% of capacity)",
    "peak_resource": "Peak resource",
    "peak_time": "Peak at",
}


def sidebar_history(c: dict[str, object], default: Callable[[str, object], Any]) -> None:
    """Upload a history and choose sizing, percentile, window, memory and packing."""
    base = Settings()
    with st.sidebar.expander("Utilization history and sizing", expanded=bool(state.get("usage"))):
        upload = st.file_uploader(
            "Utilization history (.csv or .xlsx): workload, time, cpu_pct, memory_pct", type=["csv", "xlsx"], key="usage_upload"
        )
        if upload is not None and upload.file_id != state.get("usage_id"):
            state.usage_id = upload.file_id
            data = upload.getvalue()
            if len(data) > MAX_UPLOAD_MB * 1024 * 1024:
                state.problems = [
                    InputProblem(
                        upload.name, None, None, f"the file is {len(data) / 2**20:.1f} MB; the limit is {MAX_UPLOAD_MB} MB"
                    )
                ]
            else:
                state.usage = {"name": upload.name, "data": data, "suffix": Path(upload.name).suffix.lower()}
        if st.button("Use the sample's week of history", width="stretch", key="sample_usage"):
            state.usage = {"name": "usage.csv", "data": SAMPLE_USAGE.read_bytes(), "suffix": ".csv"}
        usage = state.get("usage")
        if usage:
            st.caption(f"History: **{usage['name']}**")
            if st.button("Forget the history", key="forget_usage"):
                state.pop("usage", None)
                st.rerun()
        chosen = str(default("sizing", "percentile" if usage else base.sizing))
        options = list(SIZING_WORDS)
        c["sizing"] = st.radio(
            "Size workloads by",
            options,
            format_func=SIZING_WORDS.get,
            index=options.index(chosen) if chosen in options else 0,
            key="sizing",
        )
        if c["sizing"] != "percentile":
            c["packing"] = "independent"
            return
        c["percentile"] = st.slider("Percentile", 50, 100, int(float(default("percentile", base.percentile))), key="percentile")
        c["window_days"] = st.number_input(
            "Look-back window (days)", 1, 366, int(float(default("window_days", base.window_days))), key="window_days"
        )
        c["comfort_factor"] = st.number_input(
            "Comfort factor", 1.0, 3.0, float(default("comfort_factor", base.comfort_factor)), 0.05, key="comfort"
        )
        memory = str(default("memory_sizing", base.memory_sizing))
        c["memory_sizing"] = st.radio(
            "Memory",
            ["history", "allocation"],
            format_func={"history": "By its percentile too", "allocation": "Kept at its allocation"}.get,
            index=0 if memory == "history" else 1,
            key="memory_sizing",
        )
        packing = str(default("packing", base.packing))
        c["packing"] = st.radio(
            "Packing",
            list(PACKING_WORDS),
            format_func=PACKING_WORDS.get,
            index=1 if packing == "time_aware" else 0,
            key="packing",
        )
        if c["packing"] == "time_aware":
            buckets = str(default("time_buckets", base.time_buckets))
            keys: list[str] = list(BUCKET_WORDS)
            c["time_buckets"] = st.selectbox(
                "Time buckets",
                keys,
                format_func=lambda k: BUCKET_WORDS[k],
                index=keys.index(buckets) if buckets in keys else 0,
                key="time_buckets",
            )


@contextmanager
def history_file() -> Iterator[Path | None]:
    """The uploaded history as a file named as the user's (for messages), for the length of a read."""
    usage = state.get("usage")
    if not usage:
        yield None
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / upload_name(usage["name"], usage["suffix"])
        path.write_bytes(usage["data"])
        yield path


def show_replay(study: Study) -> None:
    """The replay proof: its verdict, each server's worst moment, and one server's load over time by workload."""
    replay: Replay | None = study.replay
    if replay is None:
        return
    st.subheader("Replay on the history")
    (st.success if replay.held == replay.intervals else st.warning)(replay.verdict()[0].upper() + replay.verdict()[1:])
    if study.held_out is not None:
        st.info(study.held_out.verdict())
    rows = [{REPLAY_HEADERS[k]: v for k, v in r.items() if k in REPLAY_HEADERS} for r in replay_rows(replay)]
    st.dataframe(table_frame(rows), hide_index=True, width="stretch")
    servers = [s.server_id for s in sorted(replay.servers, key=lambda s: -s.peak_pct)]
    left, right = st.columns(2)
    server = left.selectbox("Server", servers, key="replay_server")
    resource = right.radio("Resource", ["cpu", "memory"], horizontal=True, key="replay_resource")
    series = server_series(study.estate, study.overhead, study.result.plan, server)
    st.plotly_chart(load_figure(series, resource, replay), width="stretch")
