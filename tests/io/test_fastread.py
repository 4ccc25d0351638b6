"""The fast reader: calamine where a sheet allows it, openpyxl where it holds formulas or far-right cells; same tables."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import REPO
from openpyxl import Workbook

from planner.io.fastread import scan_workbook
from planner.io.sheets import MAX_COLUMNS, _openpyxl_tables, xlsx_tables

SAMPLES = ["estate.xlsx", "rvtools_v3.xlsx", "rvtools_v4.xlsx"]


@pytest.mark.parametrize("name", SAMPLES)
def test_fast_and_openpyxl_readers_give_the_same_tables(name: str) -> None:
    """Every bundled sample (title blocks, hidden sheets, MiB columns) reads the same both ways, row numbers included."""
    path = REPO / "sample_data" / name
    fast, slow = xlsx_tables(path, []), _openpyxl_tables(path, [], None, {})
    assert set(fast) == set(slow)
    for key in fast:
        assert fast[key].originals == slow[key].originals and fast[key].rows == slow[key].rows, key


def test_sheets_with_formulas_or_far_cells_go_to_openpyxl(tmp_path: Path) -> None:
    """The scan finds a formula and a cell beyond the column limit; a plain sheet is left to calamine."""
    book = Workbook()
    plain = book.active
    plain.title = "Plain"
    plain.append(["name", "cpu_cores"])
    formula = book.create_sheet("Formula")
    formula.append(["name", "cpu_cores"])
    formula.append(["w", "=1+1"])
    wide = book.create_sheet("Wide")
    wide.append(["name", "cpu_cores"])
    wide.append(["w", 1])
    wide.cell(row=2, column=MAX_COLUMNS + 5, value="x")
    path = tmp_path / "mixed.xlsx"
    book.save(path)
    scans = scan_workbook(path, MAX_COLUMNS)
    assert scans is not None
    assert {name: (s.formulas, s.wide) for name, s in scans.items()} == {
        "Plain": (False, False),
        "Formula": (True, False),
        "Wide": (False, True),
    }
    problems: list[object] = []
    tables = xlsx_tables(path, problems)  # type: ignore[arg-type]
    assert tables["wide"].rows == [(2, ["w", 1])]  # the far cell ignored, the row not padded to it


def test_a_formula_without_a_saved_value_is_still_reported(tmp_path: Path) -> None:
    """calamine would show it blank; the openpyxl fallback marks it, and the reader names its cell."""
    from planner.input_errors import InputError
    from planner.io.reader import read_estate

    book = Workbook()
    sheet = book.active
    sheet.title = "Workloads"
    sheet.append(["name", "cpu_cores", "memory_gb"])
    sheet.append(["w", "=2*2", 4])
    servers = book.create_sheet("Servers")
    servers.append(["model", "cpu_cores", "memory_gb", "storage_gb", "unit_cost"])
    servers.append(["M", 16, 64, 1000, 5000])
    path = tmp_path / "f.xlsx"
    book.save(path)
    with pytest.raises(InputError) as info:
        read_estate(path)
    assert any(p.row == 2 and p.column == "cpu_cores" and "formula" in p.message for p in info.value.problems)
