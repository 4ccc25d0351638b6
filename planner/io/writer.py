"""Write plan workbooks, JSON summaries, CSVs and the blank input template.

Text cells that a spreadsheet would run as a formula (starting with =, +, -, @, tab
or carriage return) are always written as literal text.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from planner.io.columns import SERVER_COLUMNS, SETTINGS, WORKLOAD_COLUMNS
from planner.io.cover import Block, write_cover
from planner.io.headers import in_words
from planner.io.outputs import write_atomically
from planner.io.xlsx_charts import add_charts
from planner.money import excel_money_format

Row = Mapping[str, object]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
SHEET_ORDER = (
    "Summary",
    "Details",
    "Sites",
    "Strategies",
    "TCO",
    "Growth",
    "Resilience",
    "Placements",
    "Servers",
    "Failures",
    "Unplaced",
    "Excluded",
    "Assumptions",
)
EMPTY_COLUMNS = {
    "Unplaced": ["workload", "replica", "reason"],
    "Servers": ["server_id", "model", "mode", "replicas", "vcpus", "vcpu_per_core", "unit_cost"],
    "Placements": [
        "workload",
        "replica",
        "server_id",
        "server_model",
        "form",
        "why",
        "footprint_cpu_cores",
        "footprint_memory_gb",
        "footprint_storage_gb",
    ],
}


def is_formula_like(value: object) -> bool:
    """True for text a spreadsheet would evaluate as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def _set(cell: object, value: object) -> None:
    if value is not None and not isinstance(value, str | int | float | bool):
        value = str(value)
    cell.value = value  # type: ignore[attr-defined]
    if is_formula_like(value):
        cell.data_type = "s"  # type: ignore[attr-defined]  # literal text, never a formula


def _headers(rows: Sequence[Row], fallback: list[str]) -> list[str]:
    headers: list[str] = []
    for row in rows:
        headers += [k for k in row if k not in headers]
    return headers or fallback


MONEY = ("capex", "cost", "tco", "savings", "saving")
MONEY_KEYS = ("lower_bound", "price")


def is_money_column(header: str) -> bool:
    """True for a column of sums (CAPEX, costs, TCO, savings, the TCO sheet's years and totals, prices)."""
    name = header.lower()
    return "pct" not in name and (any(m in name for m in MONEY) or name.startswith("year ") or name in ("total", *MONEY_KEYS))


def number_format(header: str, value: object, currency: str = "") -> str | None:
    """The display format of a number by its column: percents, money (in `currency`), or plain with separators."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    if "pct" in header.lower():
        return "0.0"
    if is_money_column(header):
        return excel_money_format(currency)
    if isinstance(value, float):
        return "#,##0.00" if abs(value) < 1000 else "#,##0"
    return None


def write_sheet(
    sheet: Worksheet, rows: Sequence[Row], fallback: list[str] | None = None, *, words: bool = False, currency: str = ""
) -> None:
    """Fill a sheet with a formatted header row (the keys, or with `words` the keys in words) and one row per mapping."""
    headers = _headers(rows, fallback or [])
    for c, name in enumerate(headers, start=1):
        cell = sheet.cell(row=1, column=c)
        _set(cell, in_words(name) if words else name)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    for r, row in enumerate(rows, start=2):
        for c, name in enumerate(headers, start=1):
            cell = sheet.cell(row=r, column=c)
            _set(cell, row.get(name))
            fmt = number_format(name, cell.value, currency)
            if fmt:
                cell.number_format = fmt
    for c, name in enumerate(headers, start=1):
        width = max([len(in_words(name) if words else name)] + [len(str(row.get(name, ""))) for row in rows[:500]])
        sheet.column_dimensions[get_column_letter(c)].width = min(60, max(10, width + 2))
    sheet.freeze_panes = "A2"


def write_plan_workbook(
    path: str | Path | IO[bytes],
    tables: Mapping[str, Sequence[Row]],
    *,
    cover: Sequence[Block] | None = None,
    bars: Sequence[tuple[str, float]] = (),
    currency: str = "",
    words: bool = True,
) -> Path | IO[bytes]:
    """Write the plan workbook (to a path or a binary stream): one sheet per table, in the documented order,
    headers in words and money in `currency`; with `cover`, the Summary sheet is those titled blocks."""
    book = Workbook()
    book.remove(book.active)
    names = [n for n in SHEET_ORDER if n in tables or (n == "Summary" and cover)] + [n for n in tables if n not in SHEET_ORDER]
    for name in names:
        if name == "Summary" and cover:
            write_cover(book.create_sheet(name), cover, bars)
        else:
            write_sheet(book.create_sheet(name), tables[name], EMPTY_COLUMNS.get(name), words=words, currency=currency)
    add_charts(book)
    target = path if hasattr(path, "write") else Path(path)  # type: ignore[arg-type]
    book.save(target)
    return target  # type: ignore[return-value]


def write_summary_json(path: str | Path, summary: Mapping[str, object]) -> Path:
    """Write the summary figures as JSON under stable snake_case keys."""
    path = Path(path)
    path.write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path


def rows_to_csv(rows: Sequence[Row]) -> str:
    """Rows as CSV text; formula-like text is prefixed with a quote so no spreadsheet runs it."""
    out = io.StringIO()
    headers = _headers(rows, [])
    writer = csv.writer(out)
    writer.writerow([f"'{h}" if is_formula_like(h) else h for h in headers])  # headers come from the user's columns
    for row in rows:
        writer.writerow([f"'{v}" if is_formula_like(v) else v for v in (row.get(h, "") for h in headers)])
    return out.getvalue()


def write_template(path: str | Path) -> Path:
    """Write a blank input workbook: documented headers, default settings and a Columns guide."""
    book = Workbook()
    book.remove(book.active)
    guide: list[Row] = []
    for sheet_name, columns in (("Workloads", WORKLOAD_COLUMNS), ("Servers", SERVER_COLUMNS)):
        sheet = book.create_sheet(sheet_name)
        write_sheet(sheet, [], [c.name for c in columns])
        for i, col in enumerate(columns, start=1):
            note = col.meaning + ("" if col.required else f" (optional, default {col.default})")
            if col.choices:
                note += f"; one of {', '.join(col.choices)}"
            sheet.cell(row=1, column=i).comment = Comment(note, "planner")
            guide.append(
                {
                    "sheet": sheet_name,
                    "column": col.name,
                    "required": "yes" if col.required else "no",
                    "default": "" if col.default is None else col.default,
                    "meaning": note,
                }
            )
    # a list default is written as its items ('' when empty), never as Python's '()': the filled-in template reads back
    settings = [
        {"setting": k, "value": ", ".join(d) if isinstance(d, tuple) else d}
        for k, (_, d, _, _) in SETTINGS.items()
        if d is not None
    ]
    write_sheet(book.create_sheet("Settings"), settings, ["setting", "value"])
    for key, (_, default, meaning, _) in SETTINGS.items():
        guide.append(
            {
                "sheet": "Settings",
                "column": key,
                "required": "no",
                "default": "" if default is None else default,
                "meaning": meaning,
            }
        )
    guide.append(
        {
            "sheet": "Settings",
            "column": "overhead.<number>",
            "required": "no",
            "default": "",
            "meaning": "override one overhead number of the profile, e.g. overhead.linux_guest_memory_gb",
        }
    )
    write_sheet(book.create_sheet("Columns"), guide)
    return write_atomically(path, book.save)
