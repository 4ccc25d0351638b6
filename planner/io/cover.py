"""The plan workbook's first sheet: titled blocks of text and small tables, laid out for a meeting.

The blocks come ready-formatted (money already in the currency, see `planner.business.executive`):
this module only lays them out, styles them and adds a chart of today against the plan.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from planner.io.headers import in_words

Block = tuple[str, Sequence[Mapping[str, object]]]
TITLE = Font(bold=True, size=16, color="1F4E78")
HEADING = Font(bold=True, size=12, color="1F4E78")
HEADER = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E78")
WIDTHS = (46, 26, 26, 26, 26, 24)  # column widths: labels first, then figures


def _write_block(sheet: Worksheet, row: int, title: str, rows: Sequence[Mapping[str, object]], first: bool) -> int:
    """Write one block from `row`; returns the next free row."""
    cell = sheet.cell(row=row, column=1, value=title)
    cell.font = TITLE if first else HEADING
    row += 1
    if not rows:
        return row
    headers = [k for k in rows[0]]
    if len(headers) == 1:  # a sentence: one wide, wrapped cell
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(WIDTHS))
        cell = sheet.cell(row=row, column=1, value=str(rows[0][headers[0]]))
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.row_dimensions[row].height = 15 * max(2, len(cell.value) // 150 + 1)
        return row + 2
    for c, key in enumerate(headers, start=1):
        cell = sheet.cell(row=row, column=c, value=in_words(key))
        cell.font, cell.fill = HEADER, HEADER_FILL
    for r in rows:
        row += 1
        for c, key in enumerate(headers, start=1):
            cell = sheet.cell(row=row, column=c, value=r.get(key))
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    return row + 2


def _chart(sheet: Worksheet, title: str, bars: Sequence[tuple[str, float]], anchor: str) -> None:
    """A column chart of a few labelled figures (today, the plan), its data in hidden columns H and I."""
    for n, (label, value) in enumerate(bars, start=1):
        sheet.cell(row=n, column=8, value=label)
        sheet.cell(row=n, column=9, value=value)
    chart = BarChart()
    chart.type, chart.title, chart.height, chart.width = "col", title, 6.5, 11
    chart.add_data(Reference(sheet, min_col=9, min_row=1, max_row=len(bars)), titles_from_data=False)
    chart.set_categories(Reference(sheet, min_col=8, min_row=1, max_row=len(bars)))
    chart.legend = None
    sheet.add_chart(chart, anchor)
    sheet.column_dimensions["H"].hidden = sheet.column_dimensions["I"].hidden = True


def write_cover(sheet: Worksheet, blocks: Sequence[Block], bars: Sequence[tuple[str, float]] = ()) -> None:
    """Lay out the summary blocks down the sheet, with a chart of `bars` (e.g. servers today and in the plan)."""
    row = 1
    for n, (title, rows) in enumerate(blocks):
        row = _write_block(sheet, row, title, rows, first=n == 0)
    for c, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(c)].width = width
    if bars:
        _chart(sheet, "Servers: today and the plan", bars, f"A{row + 1}")
    sheet.sheet_view.showGridLines = False
