"""Dashboard logic without Streamlit: conversions, overrides, filters, reasons, downloads,
marked workbooks, plan comparison and the background job."""

from __future__ import annotations

import io
import json
import time

import pytest
from conftest import GOOD_SERVERS, GOOD_WORKLOADS, WORKLOAD_HEADER, estate, server, wl, write_book
from openpyxl import load_workbook

from planner.business.compare import compare_studies, match_servers
from planner.input_errors import InputError, InputProblem
from planner.io.marking import mark_problems
from planner.io.reader import estate_from_rows
from planner.profiles.loading import load_profile
from planner.study.pipeline import run_study
from planner.ui import jobs
from planner.ui.jobs import SolveJob
from planner.ui.logic import (
    filter_placements,
    frame_to_rows,
    overrides_from_controls,
    plan_downloads,
    rows_to_frame,
    settings_from_rows,
    why_summary,
)


def test_rows_frame_round_trip_keeps_blanks_as_none() -> None:
    frame = rows_to_frame(GOOD_WORKLOADS)
    frame.loc[len(frame)] = ["new", 1, 2] + [None] * (len(GOOD_WORKLOADS[0]) - 3)
    rows = frame_to_rows(frame)
    assert rows[0] == GOOD_WORKLOADS[0] and rows[-1][:3] == ["new", 1, 2] and rows[-1][3] is None
    e = estate_from_rows(rows, GOOD_SERVERS)
    assert [w.name for w in e.workloads][-1] == "new"


def test_a_word_in_a_number_column_makes_the_column_text() -> None:
    """A column mixing numbers and text is text in the editor, so the bad cell stays editable and fixable."""
    rows = [["name", "cpu_cores"], ["a", "two"], ["b", 1.5], ["c", None]]
    frame = rows_to_frame(rows)
    assert list(frame["cpu_cores"]) == ["two", "1.5", None]
    frame.loc[0, "cpu_cores"] = "2"
    assert frame_to_rows(frame)[1] == ["a", "2"]


def test_edited_rows_are_validated_like_a_file() -> None:
    rows = [GOOD_WORKLOADS[0], ["a", "lots", 1]]
    try:
        estate_from_rows(rows, GOOD_SERVERS)
    except InputError as err:
        assert [(p.sheet, p.row, p.column) for p in err.problems] == [("Workloads", 2, "cpu_cores")]
    else:
        raise AssertionError("bad edit accepted")


def test_overrides_only_what_changed() -> None:
    numbers = {k: n.value for k, n in load_profile("default").numbers.items()}
    controls = {
        "hypervisor": "type2",
        "baseline_unit_cost": None,
        "overhead.linux_guest_memory_gb": 1.0,
        "overhead.windows_guest_memory_gb": 3.0,
    }
    assert overrides_from_controls(controls, numbers) == {
        "hypervisor": "type2",
        "overhead.windows_guest_memory_gb": "3.0",
    }
    assert settings_from_rows([["setting", "value"], ["Hypervisor", "type2"], [None, 1]]) == {"hypervisor": "type2"}


def test_filters_and_reasons() -> None:
    rows = [
        {"workload": "web", "form": "container", "server_model": "A", "why": "container: 1.0 GB and 0.1 cores smaller"},
        {"workload": "db", "form": "vm", "server_model": "B", "why": "strict isolation requires a VM"},
    ]
    assert [r["workload"] for r in filter_placements(rows, "DB")] == ["db"]
    assert [r["workload"] for r in filter_placements(rows, forms=["container"])] == ["web"]
    assert filter_placements(rows, models=["C"]) == []
    assert {r["reason"] for r in why_summary(rows)} == {"container: smaller than as a VM", "strict isolation requires a VM"}


def test_downloads_are_real_files() -> None:
    files = plan_downloads(run_study(estate([wl("a"), wl("=evil")])))
    book = load_workbook(io.BytesIO(files["plan.xlsx"]))
    assert "Placements" in book.sheetnames
    assert json.loads(files["summary.json"])["servers"] == 1
    assert b"'=evil" in files["placements.csv"]


def test_marked_workbook_marks_cells_rows_and_missing_columns(tmp_path: object) -> None:
    path = write_book(tmp_path / "in.xlsx", {"Workloads": GOOD_WORKLOADS, "Servers": GOOD_SERVERS})  # type: ignore[operator]
    problems = [
        InputProblem("Workloads", 3, "memory_gb", "must be more than zero"),
        InputProblem("Servers", 2, None, "something about the row"),
        InputProblem("Workloads", 1, "extra_col", "required column is missing"),
        InputProblem("in.xlsx", None, None, "a file-level problem"),
    ]
    book = load_workbook(io.BytesIO(mark_problems(path.read_bytes(), ".xlsx", problems)))
    assert book.sheetnames[0] == "Problems" and book["Problems"].max_row == 5
    cell = book["Workloads"]["C3"]
    assert cell.fill.fgColor.rgb.endswith("FFC7CE") and "more than zero" in cell.comment.text
    assert all(c.fill.fgColor.rgb.endswith("FFC7CE") for c in book["Servers"][2])
    assert book["Workloads"].cell(row=1, column=len(WORKLOAD_HEADER) + 1).value == "extra_col"


def test_marked_copy_of_csv_and_of_garbage() -> None:
    book = load_workbook(
        io.BytesIO(mark_problems(b"name,cpu_cores\na,x\n", ".csv", [InputProblem("Workloads (w.csv)", 2, "cpu_cores", "bad")]))
    )
    assert book["Workloads"]["B2"].comment.text == "bad"
    book = load_workbook(io.BytesIO(mark_problems(b"not a zip", ".xlsx", [InputProblem("x.xlsx", None, None, "unreadable")])))
    assert book.sheetnames == ["Problems"]


def test_compare_studies_matches_servers_and_lists_moves() -> None:
    e1 = estate([wl("a", cpu=5), wl("b", cpu=5), wl("c", cpu=5)], [server(cpu=10)])
    e2 = estate([wl("a", cpu=5), wl("b", cpu=5), wl("c", cpu=5)], [server(cpu=10)], forms="vm_only")
    before, after = run_study(e1), run_study(e2)
    change = compare_studies(before, after)
    assert (change.servers_before, change.servers_after, change.capex_delta) == (2, 2, 0)
    assert all(m["change"] in ("form changed", "moved to another server") for m in change.moved)
    assert match_servers(before.result.plan, before.result.plan) == {s.server_id: s.server_id for s in before.result.plan.servers}
    same = compare_studies(before, before)
    assert same.moved == []


def test_the_changes_count_spares_as_the_plan_does() -> None:
    """A spare is bought and priced: the Changes figures count it, so they agree with the Plan tab's servers."""
    e = estate([wl("a", cpu=5), wl("b", cpu=5), wl("c", cpu=5)], [server(cpu=10)], spare_servers=1)
    study = run_study(e)
    assert study.result.plan.spares
    change = compare_studies(study, study)
    assert change.servers_after == study.summary.servers == len(study.result.plan.servers) + 1
    assert sum(change.models_after.values()) == study.summary.servers


def test_job_runs_in_background_reports_progress_and_stops() -> None:
    e = estate(
        [wl(f"w{i}", cpu=1 + i % 3, mem=1 + i % 4, anti_affinity_group=f"g{i % 5}") for i in range(60)],
        [server(cpu=16, mem=32, storage=500)],
        time_limit_s=60,
    )
    job = SolveJob(e, load_profile("none")).start()
    deadline = time.monotonic() + 30
    while not job.snapshot() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert job.snapshot(), "no progress reported"
    job.stop()
    assert job.wait(30) and job.study is not None and job.error is None
    assert job.study.result.seconds < 30 and not job.study.result.plan.unplaced


def test_job_reports_errors_instead_of_raising() -> None:
    e = estate([wl("a")], overhead_profile="none")
    broken = load_profile("none").with_overrides({})
    job = SolveJob(e, broken)
    job.estate = None  # type: ignore[assignment]  # force a failure inside the thread
    job.start().wait(30)
    assert job.error is not None and job.study is None


def test_a_job_nobody_waits_for_stops_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    """A closed page's solve stops (its best plan kept) instead of running to its time limit on the server."""
    monkeypatch.setattr(jobs, "WATCH_EVERY_S", 0.1)
    e = estate(
        [wl(f"w{i}", cpu=1 + i % 3, mem=1 + i % 4, anti_affinity_group=f"g{i % 5}") for i in range(60)],
        [server(cpu=16, mem=32, storage=500)],
        time_limit_s=900,
    )
    job = SolveJob(e, load_profile("none"), wanted=lambda: False).start()
    assert job.wait(600), "the job ran on after nobody waited for it"
    assert job.stop_event.is_set() and job.study is not None and not job.study.result.plan.unplaced
