"""Native Excel charts in the plan workbook: servers and CAPEX per strategy, cumulative TCO,
servers needed per year and per-server utilization. They reference the sheets' cells, so a
planner who edits a figure sees the chart follow."""

from __future__ import annotations

from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from planner.io.headers import from_words


def _column(sheet: Worksheet, header: str) -> int | None:
    for cell in sheet[1]:
        if cell.value == header or (isinstance(cell.value, str) and from_words(cell.value) == header):
            return int(cell.column)
    return None


def _last_row(sheet: Worksheet, column: int, stop: set[object]) -> int:
    """The last data row before a row whose first cell is one of `stop` (summary lines under a table)."""
    last = 1
    for row in range(2, sheet.max_row + 1):
        if sheet.cell(row=row, column=1).value in stop or sheet.cell(row=row, column=column).value is None:
            break
        last = row
    return last


def _bar(title: str, y_title: str, sheet: Worksheet, values: list[int], cats: int, last: int) -> BarChart:
    chart = BarChart()
    chart.type = "col"
    chart.title, chart.y_axis.title = title, y_title
    chart.height, chart.width = 7.5, 16
    for col in values:
        chart.add_data(Reference(sheet, min_col=col, min_row=1, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=cats, min_row=2, max_row=last))
    return chart


def _strategies(sheet: Worksheet) -> None:
    servers, capex, name = _column(sheet, "servers"), _column(sheet, "capex"), _column(sheet, "strategy")
    if not (servers and capex and name):
        return
    last = _last_row(sheet, servers, {"verdict"})
    if last < 2:
        return
    anchor = sheet.max_row + 3
    sheet.add_chart(_bar("Servers per strategy", "servers", sheet, [servers], name, last), f"A{anchor}")
    sheet.add_chart(_bar("CAPEX per strategy", "CAPEX", sheet, [capex], name, last), f"H{anchor}")


def _tco(sheet: Worksheet) -> None:
    rows = [
        r for r in range(2, sheet.max_row + 1) if sheet.cell(row=r, column=1).value in ("plan: cumulative", "today: cumulative")
    ]
    years = [c.column for c in sheet[1] if isinstance(c.value, str) and c.value.startswith("year ")]
    if len(rows) != 2 or not years:
        return
    chart = LineChart()
    chart.title, chart.y_axis.title, chart.x_axis.title = "Cumulative cost of ownership", "cost", "year"
    chart.height, chart.width = 7.5, 16
    for r in rows:
        chart.add_data(
            Reference(sheet, min_col=1, max_col=max(years), min_row=r, max_row=r), from_rows=True, titles_from_data=True
        )
    chart.set_categories(Reference(sheet, min_col=min(years), max_col=max(years), min_row=1, max_row=1))
    sheet.add_chart(chart, f"A{sheet.max_row + 3}")


def _growth(sheet: Worksheet) -> None:
    needed, year = _column(sheet, "servers_needed"), _column(sheet, "year")
    if not (needed and year):
        return
    last = _last_row(sheet, needed, {"runs out"})
    if last >= 2:
        sheet.add_chart(_bar("Servers needed per year", "servers", sheet, [needed], year, last), f"A{sheet.max_row + 3}")


def _servers(sheet: Worksheet) -> None:
    ids = _column(sheet, "server_id")
    cols = [c for c in (_column(sheet, f"{r}_util_pct") for r in ("cpu", "memory", "storage")) if c]
    if not ids or not cols or sheet.max_row < 2:
        return
    chart = _bar("Utilization per server, % of capacity", "%", sheet, cols, ids, sheet.max_row)
    chart.width = min(40, 12 + 0.4 * sheet.max_row)
    chart.y_axis.scaling.min, chart.y_axis.scaling.max = 0, 100
    anchor = f"{sheet.cell(row=1, column=sheet.max_column + 2).column_letter}2"
    sheet.add_chart(chart, anchor)


def add_charts(book: Workbook) -> None:
    """Add the charts to whichever of the Strategies, TCO, Growth and Servers sheets the book has."""
    for name, draw in (("Strategies", _strategies), ("TCO", _tco), ("Growth", _growth), ("Servers", _servers)):
        if name in book.sheetnames:
            draw(book[name])
