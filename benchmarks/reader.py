"""Reader speed: the same large workbook read by the openpyxl-only reader and by the fast reader, in one run.

`python -m benchmarks.reader [--rows 100000]` writes a workbook of that many workload rows (a
realistic mix of columns), reads it both ways and prints the seconds and the ratio. The two
readers must give the same tables; the ratio, not the seconds, is the figure to compare.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from openpyxl import Workbook

from planner.input_errors import InputProblem
from planner.io.sheets import _openpyxl_tables, xlsx_tables

HEADER = ["name", "cpu_cores", "memory_gb", "storage_gb", "os", "platform", "replicas", "site", "owner"]


def write_estate(path: Path, rows: int) -> Path:
    """A workbook of `rows` workloads and a two-model catalog, written in streaming mode."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Workloads")
    sheet.append(HEADER)
    for i in range(rows):
        sheet.append(
            [
                f"w{i:06d}",
                1 + i % 8,
                2 + i % 32,
                20 * (1 + i % 5),
                ("linux", "windows")[i % 3 == 0],
                "any",
                1 + i % 3,
                f"dc{i % 4}",
                f"team{i % 50}",
            ]
        )
    servers = book.create_sheet("Servers")
    servers.append(["model", "cpu_cores", "memory_gb", "storage_gb", "unit_cost"])
    servers.append(["M", 64, 512, 8000, 18000])
    book.save(path)
    return path


def timed(read: object, path: Path) -> tuple[float, dict[str, object]]:
    problems: list[InputProblem] = []
    began = time.process_time()
    tables = read(path, problems)  # type: ignore[operator]
    return time.process_time() - began, tables


def main(argv: list[str] | None = None) -> int:
    """Write, read both ways, print seconds and the ratio."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.reader")
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        path = write_estate(Path(folder) / "estate.xlsx", args.rows)
        slow, old = timed(lambda p, problems: _openpyxl_tables(p, problems, None, {}), path)
        fast, new = timed(xlsx_tables, path)
    same = all(old[k].rows == new[k].rows for k in old) and set(old) == set(new)  # type: ignore[attr-defined]
    print(f"rows {args.rows:,}: openpyxl {slow:.2f} s CPU, fast reader {fast:.2f} s CPU, {slow / fast:.1f}x; same tables: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
