"""Every output safe and every odd input named: formula-like text never becomes a formula, UTF-16 CSVs read,
files of another type refused by their type, an empty plan's Servers sheet still has its header."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from planner.input_errors import InputError, InputProblem
from planner.io.marking import mark_problems
from planner.io.reader import read_estate
from planner.io.writer import rows_to_csv, write_plan_workbook

CATALOG = "model,cpu_cores,memory_gb,storage_gb,unit_cost\nM,16,64,1000,5000\n"


def test_the_marked_copy_of_a_csv_keeps_formula_like_text_as_text() -> None:
    """'=cmd|...' and '=HYPERLINK(...)' typed in a CSV stay text in the marked workbook: nothing a spreadsheet runs."""
    data = b"name,cpu_cores,memory_gb\n=cmd|' /C calc'!A0,1,-1\n=HYPERLINK(\"http://x\"),1,1\n"
    marked = mark_problems(data, ".csv", [InputProblem("Workloads", 2, "memory_gb", "must be more than zero")])
    sheet = load_workbook(io.BytesIO(marked))["Workloads"]
    cells = [sheet.cell(row=r, column=1) for r in (2, 3)]
    assert [c.data_type for c in cells] == ["s", "s"]
    assert cells[0].value.startswith("=cmd")


def test_csv_output_escapes_formula_like_headers_too() -> None:
    """A user's column named like a formula is quoted in the CSV header as in its values."""
    text = rows_to_csv([{"name": "w", "=SUM(A1)": "=1+1"}])
    assert text.splitlines() == ["name,'=SUM(A1)", "w,'=1+1"]


def test_a_utf16_csv_is_read(tmp_path: Path) -> None:
    """Excel's 'Unicode text' (UTF-16 with a byte-order mark) reads like UTF-8."""
    path = tmp_path / "w.csv"
    path.write_bytes("name,cpu_cores,memory_gb\nwéb,2,4\n".encode("utf-16"))
    servers = tmp_path / "s.csv"
    servers.write_text(CATALOG)
    estate = read_estate(path, servers_path=servers)
    assert [w.name for w in estate.workloads] == ["wéb"]


@pytest.mark.parametrize("name", ["notes.json", "estate.pdf", "estate"])
def test_a_file_of_another_type_is_named_by_its_type(tmp_path: Path, name: str) -> None:
    """Not 'missing sheet Servers': the message says what the file is and what is expected."""
    path = tmp_path / name
    path.write_text('{"a": 1}')
    with pytest.raises(InputError, match=r"not a workbook \(\.xlsx\) or CSV"):
        read_estate(path)


def test_an_empty_plan_still_has_a_servers_header(tmp_path: Path) -> None:
    """A plan buying no server writes its Servers sheet with the column names, not a blank sheet."""
    out = write_plan_workbook(tmp_path / "p.xlsx", {"Servers": [], "Unplaced": []})
    header = [c.value for c in load_workbook(out)["Servers"][1]]
    assert header[:3] == ["Server", "Model", "Runs"]  # headers in words
