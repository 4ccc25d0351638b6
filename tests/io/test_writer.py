"""Plan workbooks, CSVs and the template are real .xlsx files that read back as written."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import estate, server, wl
from openpyxl import load_workbook

from planner.business.workbook import export_plan, plan_tables
from planner.input_errors import InputError
from planner.io.reader import read_estate
from planner.io.writer import is_formula_like, rows_to_csv, write_plan_workbook, write_template
from planner.study.pipeline import run_study


def test_plan_workbook_sheets_and_values(tmp_path: Path) -> None:
    e = estate(
        [wl("web", cpu=2, replicas=2, current_host="h1"), wl("big", cpu=20)],
        [server(cpu=10)],
        overhead_profile="default",
        max_utilization_pct=80,
    )
    study = run_study(e)
    path = export_plan(study, tmp_path / "plan.xlsx", tmp_path / "s.json")
    book = load_workbook(path)
    assert book.sheetnames == ["Summary", "Details", "Resilience", "Placements", "Servers", "Unplaced", "Assumptions"]
    summary = {r[2]: r[1] for r in book["Details"].iter_rows(min_row=2, values_only=True)}  # figure, value, key
    assert summary["servers"] == 2 and summary["capex"] == 200 and summary["status"] == "optimal"
    unplaced = list(book["Unplaced"].iter_rows(min_row=2, values_only=True))
    assert unplaced == [("big", 1, unplaced[0][2])] and "too large" in unplaced[0][2]
    servers = list(book["Servers"].iter_rows(values_only=True))
    header = servers[0]
    for row in servers[1:]:
        assert row[header.index("CPU used, %")] <= 80
    assert book["Placements"].freeze_panes == "A2"
    keys = {r[0] for r in book["Assumptions"].iter_rows(min_row=2, values_only=True)}
    assert {"hypervisor", "overhead.linux_guest_memory_gb", "cpu_max_utilization_pct"} <= keys


def test_formula_injection_is_written_as_text(tmp_path: Path) -> None:
    evil = ['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "\tx", "\rx"]
    path = write_plan_workbook(tmp_path / "p.xlsx", {"Placements": [{"workload": v} for v in evil]})
    cells = [c for c in load_workbook(path)["Placements"]["A"][1:]]
    # XML normalises a lone carriage return to a line feed on reading; it stays literal text.
    assert [c.value for c in cells] == [v.replace("\r", "\n") for v in evil]
    assert all(c.data_type == "s" for c in cells)
    text = rows_to_csv([{"workload": v} for v in evil])
    assert "'=HYPERLINK" in text and "'+1" in text
    assert is_formula_like("=1") and not is_formula_like("web-1")


def test_formula_like_workload_names_survive_a_study(tmp_path: Path) -> None:
    study = run_study(estate([wl("=cmd|' /C calc'!A0")]))
    path = export_plan(study, tmp_path / "p.xlsx")
    cell = load_workbook(path)["Placements"]["A2"]
    assert cell.value == "=cmd|' /C calc'!A0" and cell.data_type == "s"


def test_template_is_documented_and_reads_back(tmp_path: Path) -> None:
    path = write_template(tmp_path / "t.xlsx")
    book = load_workbook(path)
    assert {"Workloads", "Servers", "Settings", "Columns"} <= set(book.sheetnames)
    assert [c.value for c in book["Workloads"][1]][:3] == ["name", "cpu_cores", "memory_gb"]
    assert book["Workloads"]["B1"].comment is not None
    with pytest.raises(InputError, match="lists no server model"):
        read_estate(path)  # blank template: no catalog yet, said plainly


def test_tables_match_summary() -> None:
    study = run_study(estate([wl("a", cpu=3), wl("b", cpu=3), wl("c", cpu=6)]))
    tables = plan_tables(study)
    assert len(tables["Servers"]) == study.summary.servers == 2
    assert len(tables["Placements"]) == study.summary.placed == 3


def test_summary_sheet_states_the_status_in_words(tmp_path: Path) -> None:
    """The Summary sheet keeps the status key and says it in words on the next row."""
    study = run_study(estate([wl("a", cpu=2), wl("b", cpu=2)], [server(cpu=10)]))
    book = load_workbook(export_plan(study, tmp_path / "plan.xlsx"))
    summary = {r[2]: r[1] for r in book["Details"].iter_rows(min_row=2, values_only=True)}
    assert (summary["status"], summary["status_in_words"]) == ("optimal", "optimal (proven)")
