"""Raw tables from workbooks and CSV files, and one cell parsed by its column's kind.

A table keeps the sheet's name and each row's number as Excel shows it, so every problem
can point at its cell. A header may sit below a title block; formulas without a saved value
are marked rather than read as blanks; thousands separators are understood.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from planner.input_errors import InputError, InputProblem
from planner.io.columns import SERVER_COLUMNS, SETTING_COLUMNS, WORKLOAD_COLUMNS, Column, normalise_header
from planner.io.fastread import calamine_rows, scan_workbook
from planner.io.intake import MAX_ROWS, file_kind, text_encoding
from planner.limits import MAX_NAME, MAX_TEXT, text_problem


@dataclass
class Table:
    sheet: str
    headers: list[str]  # canonical keys, in column order
    originals: list[str]
    rows: list[tuple[int, list[object]]]  # (Excel row number, cells)


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class Formula:
    """A formula cell with no saved value (the file was never recalculated and saved by Excel)."""

    def __init__(self, text: str) -> None:
        self.text = text


MAX_COLUMNS = 1_000  # columns read from any sheet or CSV; the format defines a few dozen
NAMES = {"name", "model", "site", "zone", "affinity_group", "anti_affinity_group", "current_host", "setting"}
HEADER_SEARCH_ROWS = 30  # a header may sit below a title block; it is looked for this far down
KNOWN_HEADERS = {c.name for c in (*WORKLOAD_COLUMNS, *SERVER_COLUMNS, *SETTING_COLUMNS)}


def make_table(sheet: str, rows: Iterable[Iterable[object]], known: set[str] | None = None) -> Table:
    """A sheet as a table. The header is the first row naming two known columns (or the first
    non-blank row); rows above it are a title block. Row numbers stay as Excel shows them."""
    known = KNOWN_HEADERS if known is None else known
    it: Iterator[tuple[int, list[object]]] = ((n, list(cells)) for n, cells in enumerate(rows, start=1))
    skipped: list[tuple[int, list[object]]] = []
    header: list[object] = []
    header_row = 0
    for number, cells in it:
        if sum(1 for c in cells if not is_blank(c) and normalise_header(c) in known) >= 2:
            header, header_row = cells, number
            break
        skipped.append((number, cells))
        if number >= HEADER_SEARCH_ROWS:
            break
    if not header_row:  # no recognisable header: the first non-blank row is the header, as typed
        pending = skipped
        first = next((i for i, (_, cells) in enumerate(pending) if not all(is_blank(c) for c in cells)), None)
        if first is None:
            return Table(sheet, [], [], [])
        header_row, header = pending[first]
        it = iter([*pending[first + 1 :], *it])
    while header and is_blank(header[-1]):
        header.pop()
    originals = ["" if h is None else str(h).strip() for h in header]
    data: list[tuple[int, list[object]]] = []
    for number, values in it:
        if all(is_blank(v) for v in values):
            continue
        if len(data) >= MAX_ROWS:
            message = f"more than {MAX_ROWS:,} rows: split the estate (per site or cluster)"
            raise InputError([InputProblem(sheet, number, None, message)])
        data.append((number, values))
    return Table(sheet, [normalise_header(h) if h else "" for h in originals], originals, data)


THOUSANDS = re.compile(r"^[+-]?\d{1,3}([,\u00a0\u202f' ]\d{3})+(\.\d+)?$")


def parse_cell(value: object, col: Column, where: tuple[str, int, str], problems: list[InputProblem]) -> object:
    """One cell by its column's kind; a problem is recorded and None returned when it is wrong."""
    sheet, row, name = where

    def bad(message: str) -> None:
        problems.append(InputProblem(sheet, row, name, message))

    if isinstance(value, Formula):
        bad(f"the cell holds a formula ({value.text[:40]}) with no saved value: open and save it in Excel, or type the value")
        return None
    if is_blank(value):
        if col.required:
            bad("a value is required")
        return col.default
    if col.kind in ("names", "text"):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = str(value).strip()
        problem = text_problem(text, MAX_NAME if col.kind == "names" or col.name in NAMES else MAX_TEXT)
        if problem:
            bad(problem)
            return None
        if col.kind == "names":  # a list of names: 'esxi, kubernetes' or 'esxi; kubernetes'
            return tuple(n.strip() for n in re.split(r"[,;]", text.lower()) if n.strip())
        return text
    if col.kind == "yes_no":
        text = str(value).strip().lower()
        if text in ("yes", "true", "1", "y"):
            return True
        if text in ("no", "false", "0", "n"):
            return False
        bad(f"expected yes or no, got {value!r}")
        return None
    if col.kind == "choice":
        text = str(value).strip().lower()
        if text not in col.choices:
            bad(f"{value!r} is not one of {', '.join(col.choices)}")
            return None
        return text
    if isinstance(value, bool):
        bad(f"expected a number, got {value!r}")
        return None
    if isinstance(value, str):
        text = value.strip()
        if THOUSANDS.match(text):  # 1,024 or 1 024: thousands separators, not decimals
            text = re.sub(r"[,\u00a0\u202f' ]", "", text)
        try:
            value = float(text)
        except ValueError:
            bad(f"expected a number, got {value!r}")
            return None
    if not isinstance(value, int | float):
        bad(f"expected a number, got {value!r}")
        return None
    if not math.isfinite(value):
        bad(f"expected a finite number, got {value}")
        return None
    if col.kind == "whole":
        if not float(value).is_integer():
            bad(f"expected a whole number, got {value}")
            return None
        value = int(value)
    if value < 0 or (value == 0 and col.positive):
        bad(f"must be {'more than zero' if col.positive else 'zero or more'}, got {value}")
        return None
    return value


def _sheet_rows(values: Iterable[Iterable[object]], formulas: Iterable[Iterable[object]]) -> Iterator[list[object]]:
    """Cached values, with a Formula marker where a formula cell has none."""
    for cached, raw in zip(values, formulas, strict=False):
        row = list(cached)
        while row and row[-1] is None:  # openpyxl pads to max_col when the sheet states no dimension
            row.pop()
        for i, (v, f) in enumerate(zip(row, raw, strict=False)):
            if v is None and isinstance(f, str) and f.startswith("="):
                row[i] = Formula(f)
        yield row


def xlsx_tables(path: Path, problems: list[InputProblem], known: set[str] | None = None) -> dict[str, Table]:
    """Every sheet of a workbook (hidden ones too: their data is still the user's), keyed by lower-case name.

    Values are read with calamine where the sheet allows it, else with openpyxl (`planner.io.fastread`)."""
    scans = scan_workbook(path, MAX_COLUMNS)
    names = [n for n, scan in (scans or {}).items() if not scan.needs_openpyxl]
    try:
        fast = calamine_rows(path, names, MAX_COLUMNS) if names else {}
    except Exception:  # calamine cannot read it: openpyxl reads every sheet and names what is wrong
        fast = {}
    if scans is not None and len(fast) == len(scans):
        return {name.strip().lower(): make_table(name, fast[name], known) for name in scans}
    return _openpyxl_tables(path, problems, known, fast)


def _openpyxl_tables(
    path: Path, problems: list[InputProblem], known: set[str] | None, fast: dict[str, list[list[object]]]
) -> dict[str, Table]:
    """The sheets calamine did not read, with openpyxl: formulas without saved values marked, rows cut at MAX_COLUMNS."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
        raw = load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for files that are not workbooks
        problems.append(InputProblem(path.name, None, None, f"not a readable .xlsx workbook ({type(exc).__name__}: {exc})"))
        return {}
    try:
        tables = {}
        for name in book.sheetnames:  # never past MAX_COLUMNS: a cell in column XFD must not pad every row
            if name in fast:
                tables[name.strip().lower()] = make_table(name, fast[name], known)
                continue
            values, formulas = (b[name].iter_rows(values_only=True, max_col=MAX_COLUMNS) for b in (book, raw))
            tables[name.strip().lower()] = make_table(name, _sheet_rows(values, formulas), known)
        return tables
    except InputError:
        raise
    except Exception as exc:  # a part that parses as XML but not as a sheet
        problems.append(InputProblem(path.name, None, None, f"a corrupt workbook ({type(exc).__name__}: {exc})"))
        return {}
    finally:
        book.close()
        raw.close()


def csv_table(path: Path, sheet: str, problems: list[InputProblem], known: set[str] | None = None) -> Table | None:
    """A CSV file as one table (UTF-8, with or without a byte-order mark; comma, semicolon or tab)."""
    try:
        with path.open(newline="", encoding=text_encoding(path)) as handle:
            sample = handle.read(65536)
            handle.seek(0)
            try:
                dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
            except csv.Error:
                dialect = csv.excel
            return make_table(sheet, (row[:MAX_COLUMNS] for row in csv.reader(handle, dialect)), known)
    except (UnicodeDecodeError, csv.Error) as exc:
        problems.append(InputProblem(sheet, None, None, f"not a readable UTF-8 CSV file ({exc})"))
        return None


def read_tables(path: Path, problems: list[InputProblem], kind: str | None = None) -> dict[str, Table]:
    """Every table of a file: a CSV's one table as "workloads", a workbook's sheets by name.
    `kind` is `file_kind(path)` when the caller has it already (the check reads the file)."""
    if (kind or file_kind(path)) == "csv":
        table = csv_table(path, f"Workloads ({path.name})", problems)
        return {"workloads": table} if table else {}
    return xlsx_tables(path, problems)
