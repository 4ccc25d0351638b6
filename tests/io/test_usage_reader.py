"""The utilization-history reader: every malformed case an error with file, row and column, every repair named."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from openpyxl import Workbook

from planner.input_errors import InputError
from planner.io.usage import read_usage

HEADER = "workload,time,cpu_pct,memory_pct\n"


def write(tmp_path: Path, text: str, name: str = "usage.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(path: Path, **kw: object) -> list[str]:
    with pytest.raises(InputError) as err:
        read_usage(path, **kw)  # type: ignore[arg-type]
    return [str(p) for p in err.value.problems]


def test_reads_a_clean_history_on_its_grid(tmp_path: Path) -> None:
    """Two workloads, three 5-minute samples: one row each, values in place, times in UTC."""
    rows = "".join(f"{w},2026-11-02T00:{m:02d}:00Z,{c},{c + 1}\n" for w in "ab" for m, c in ((0, 10), (5, 20), (10, 30)))
    h = read_usage(write(tmp_path, HEADER + rows))
    assert h.names == ("a", "b") and h.step == 300 and h.intervals == 3 and h.dated
    assert np.allclose(h.cpu[0], [10, 20, 30]) and np.allclose(h.memory[1], [11, 21, 31])
    assert h.start == int(np.datetime64("2026-11-02T00:00:00", "s").astype(np.int64))


def test_unparseable_time_names_file_row_and_column(tmp_path: Path) -> None:
    """A time that is neither a date nor a number: the file, its row and the column."""
    shown = problems(write(tmp_path, HEADER + "a,2026-11-02T00:00Z,1,1\na,yesterday,1,1\n"))
    assert shown == [
        "usage.csv, row 3, column time: not a time: give an ISO date and time (2026-11-02 14:05:00+01:00), or seconds"
    ]


def test_negative_and_non_numeric_values_are_errors_at_their_cells(tmp_path: Path) -> None:
    """A negative percentage and a word in a number column: each its own error with row and column."""
    shown = problems(write(tmp_path, HEADER + "a,0,-5,1\na,300,1,lots\n"))
    assert "usage.csv, row 2, column cpu_pct: cpu_pct must be 0 or more" in shown
    assert "usage.csv, row 3, column memory_pct: memory_pct must be a number" in shown


def test_unknown_workload_is_named_or_refused_when_strict(tmp_path: Path) -> None:
    """History of a workload not in the estate is left out and named; --strict refuses it at its row."""
    path = write(tmp_path, HEADER + "a,0,1,1\nghost,0,1,1\n")
    h = read_usage(path, known={"a"})
    assert h.names == ("a",) and any("ghost" in n and "row 3" in n for n in h.notes)
    assert problems(path, known={"a"}, strict=True) == [
        "usage.csv, row 3, column workload: workload 'ghost' is not in the estate"
    ]


def test_empty_history_and_missing_columns_are_errors(tmp_path: Path) -> None:
    """A header without samples, and a file without the cpu column."""
    assert problems(write(tmp_path, HEADER)) == ["usage.csv: the history has no samples"]
    shown = problems(write(tmp_path, "workload,time,memory_pct\na,0,1\n", "nocpu.csv"))
    assert shown == [
        "nocpu.csv, row 1: required column missing: cpu_pct (or cpu_cores_used) (use --map THEIRS=TARGET for other names)"
    ]


def test_missing_workload_name_is_an_error(tmp_path: Path) -> None:
    """A sample without its workload cannot be attributed."""
    assert problems(write(tmp_path, HEADER + ",0,1,1\n")) == [
        "usage.csv, row 2, column workload: a sample needs its workload's name"
    ]


def test_duplicates_mixed_intervals_gaps_and_zones_are_repaired_and_said(tmp_path: Path) -> None:
    """The larger duplicate is kept; a 10-minute workload holds its samples on a 5-minute grid; a gap
    stays empty; times in two zones become UTC; every repair is in the notes."""
    rows = (
        "a,2026-11-02T00:00:00Z,10,1\na,2026-11-02T00:00:00Z,40,1\na,2026-11-02T00:05:00Z,20,1\n"
        "a,2026-11-02T00:15:00Z,30,1\n"  # 00:10 missing: a gap
        "b,2026-11-02T01:00:00+01:00,50,1\nb,2026-11-02T01:10:00+01:00,60,1\n"  # 00:00 and 00:10 UTC
    )
    h = read_usage(write(tmp_path, HEADER + rows))
    assert h.step == 300 and h.intervals == 4
    assert np.allclose(h.cpu[0], [40, 20, np.nan, 30], equal_nan=True)
    assert np.allclose(h.cpu[1], [50, 50, 60, 60])
    text = " | ".join(h.notes)
    for said in ("duplicate", "mixed sampling intervals", "without a sample", "several time zones"):
        assert said in text


def test_percentages_over_100_are_capped_and_counted(tmp_path: Path) -> None:
    """A collector's 104% (turbo, rounding) is capped at 100; above 1000% is not a percentage at all."""
    h = read_usage(write(tmp_path, HEADER + "a,0,104,1\na,300,50,1\n"))
    assert h.cpu[0][0] == 100 and any("capped" in n for n in h.notes)
    assert problems(write(tmp_path, HEADER + "a,0,5000,1\n", "big.csv")) == [
        "big.csv, row 2, column cpu_pct: cpu_pct above 1000%: not a percentage of the allocation"
    ]


def test_interval_numbers_read_as_five_minutes(tmp_path: Path) -> None:
    """Times 0, 1, 2 are interval numbers: a 5-minute grid, not dated."""
    h = read_usage(write(tmp_path, HEADER + "a,0,1,1\na,1,2,1\na,2,3,1\n"))
    assert h.step == 300 and not h.dated and h.intervals == 3


def test_absolute_columns_and_mapped_names(tmp_path: Path) -> None:
    """Cores and GB used, under a vROps-like header mapped with --map."""
    text = "VM,Timestamp,CPU|Usage (cores),Mem|Consumed (GB)\na,2026-11-02T00:00Z,1.5,3\na,2026-11-02T00:05Z,2.5,4\n"
    mapping = {
        "VM": "workload",
        "Timestamp": "time",
        "CPU|Usage (cores)": "cpu_cores_used",
        "Mem|Consumed (GB)": "memory_gb_used",
    }
    h = read_usage(write(tmp_path, text), mapping=mapping)
    assert h.cpu_absolute == (True,) and h.memory_absolute == (True,) and np.allclose(h.cpu[0], [1.5, 2.5])


def test_xlsx_usage_sheet_is_read(tmp_path: Path) -> None:
    """An .xlsx history: its Usage sheet, with dates as Excel stores them."""
    import datetime as dt

    book = Workbook()
    book.active.title = "Notes"
    sheet = book.create_sheet("Usage")
    sheet.append(["workload", "time", "cpu_pct"])
    sheet.append(["a", dt.datetime(2026, 11, 2, 0, 0), 10])
    sheet.append(["a", dt.datetime(2026, 11, 2, 0, 5), 30])
    path = tmp_path / "usage.xlsx"
    book.save(path)
    h = read_usage(path)
    assert h.names == ("a",) and h.intervals == 2 and np.allclose(h.cpu[0], [10, 30])
    assert np.all(np.isnan(h.memory))


def test_a_history_too_long_for_its_limit_is_refused_before_allocating(tmp_path: Path) -> None:
    """Two samples a year apart at a 1-second step ask for 31 million intervals per workload: refused by name."""
    rows = "".join(f"w{i},{t},1,1\n" for i in range(3) for t in (0, 1, 31_536_000))
    shown = problems(write(tmp_path, HEADER + rows))
    assert len(shown) == 1 and "over the limit" in shown[0]
