"""Limits on everything a file can ask for: each oversized or hostile value is an input error at its cell,
before anything large is built; memory stays bounded."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest
from conftest import SERVER_HEADER, write_book
from openpyxl import Workbook

from planner.input_errors import InputError
from planner.io.reader import read_estate
from planner.limits import printable

SERVERS = [SERVER_HEADER[:5], ["M", 64, 512, 8000, 20000]]


def _problems(path: Path) -> list[str]:
    with pytest.raises(InputError) as info:
        read_estate(path)
    return [f"{p.sheet}|{p.row}|{p.column}|{p.message}" for p in info.value.problems]


def _book(
    tmp_path: Path, rows: list[list[object]], servers: list[list[object]] = SERVERS, settings: list[list[object]] | None = None
) -> Path:
    sheets = {"Workloads": [["name", "cpu_cores", "memory_gb", "replicas"], *rows], "Servers": servers}
    if settings:
        sheets["Settings"] = [["setting", "value"], *settings]
    return write_book(tmp_path / "e.xlsx", sheets)


@pytest.mark.parametrize(
    ("row", "said"),
    [
        (["w", 1, 1, 1e308], "replicas"),
        (["w", 1, 1, 100_000], "replicas must be a whole number from 1 to 10,000"),
        (["w", 1e308, 1, 1], "cpu_cores must be at most"),
        (["w", 1, 1e10, 1], "memory_gb must be at most"),
        (["x" * 40_001, 1, 1, 1], "longer than 255"),
    ],
)
def test_oversized_or_hostile_workload_cells_are_refused(tmp_path: Path, row: list[object], said: str) -> None:
    """Each is an input error naming the Workloads sheet and row 2; none reaches the solver."""
    problems = _problems(_book(tmp_path, [row]))
    assert any(p.startswith("Workloads|2|") and said in p for p in problems), problems


@pytest.mark.parametrize(
    ("server", "said"),
    [
        (["M", 1e308, 512, 8000, 20000], "cpu_cores must be at most"),
        (["M", 64, 512, 8000, 1e308], "unit_cost must be at most"),
    ],
)
def test_oversized_server_models_are_refused(tmp_path: Path, server: list[object], said: str) -> None:
    """A catalog row asking for absurd sizes or prices is an error at its row, not an overflow later."""
    problems = _problems(_book(tmp_path, [["w", 1, 1, 1]], [SERVER_HEADER[:5], server]))
    assert any(p.startswith("Servers|2|") and said in p for p in problems), problems


def test_control_characters_in_a_csv_are_refused_at_their_cell(tmp_path: Path) -> None:
    """An escape sequence in a workload or model name (a CSV can carry one; a workbook cannot) is an error at its cell."""
    workloads, servers = tmp_path / "w.csv", tmp_path / "s.csv"
    workloads.write_text("name,cpu_cores,memory_gb\nok,1,1\nvm\x1b[31mred,1,1\n", encoding="utf-8")
    servers.write_text("model,cpu_cores,memory_gb,storage_gb,unit_cost\nM\x07,64,512,8000,20000\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_estate(workloads, servers_path=servers)
    said = [(p.row, p.column, p.message) for p in info.value.problems]
    assert (3, "name", "control characters (newline, tab, escape...) are not allowed in text") in said
    assert (2, "model", "control characters (newline, tab, escape...) are not allowed in text") in said


def test_settings_limits_and_duplicate_keys(tmp_path: Path) -> None:
    """spare_servers = 1e9 and a setting named twice in different case are both errors, each at its row."""
    problems = _problems(
        _book(tmp_path, [["w", 1, 1, 1]], settings=[["spare_servers", 1e9], ["hypervisor", "type1"], ["Hypervisor", "type2"]])
    )
    assert any("spare_servers must be a whole number from 0 to 1,000" in p for p in problems), problems
    assert any(p.startswith("Settings|4|setting|") and "given twice (first at row 3)" in p for p in problems), problems


def test_an_estate_of_too_many_replicas_is_refused(tmp_path: Path) -> None:
    """Replicas are capped per workload and in all: 101 workloads of 10,000 replicas exceed the million."""
    problems = _problems(_book(tmp_path, [[f"w{i}", 0.01, 0.01, 10_000] for i in range(101)]))
    assert any("1,010,000 replicas in all: at most 1,000,000" in p for p in problems), problems


def test_a_cell_far_to_the_right_never_pads_the_rows(tmp_path: Path) -> None:
    """Every row holding one cell in column XFD: read in bounded memory, the far cells ignored."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Workloads"
    sheet.append(["name", "cpu_cores", "memory_gb"])
    for i in range(3_000):
        sheet.append([f"w{i}", 1, 2])
        sheet.cell(row=i + 2, column=16_384, value="x")
    servers = book.create_sheet("Servers")
    for row in SERVERS:
        servers.append(row)
    path = tmp_path / "wide.xlsx"
    book.save(path)
    tracemalloc.start()
    try:
        estate = read_estate(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(estate.workloads) == 3_000
    assert peak < 150 * 2**20, f"peak {peak / 2**20:.0f} MiB"  # 3,000 rows x 16,384 padded cells would take far more


def test_printable_text_never_carries_an_escape_sequence() -> None:
    """What the CLI prints of input text has its control characters shown as '?'."""
    assert printable("vm\x1b[2Jname\x07") == "vm?[2Jname?"
