"""A copy of the user's input with every problem marked: red cells with a comment, and a
Problems sheet listing them all, so a planner can fix the file where it lives."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill

from planner.input_errors import InputProblem
from planner.io.columns import normalise_header
from planner.io.writer import is_formula_like, write_sheet

BAD = PatternFill("solid", fgColor="FFC7CE")


def _sheet_key(name: str) -> str:
    return name.split(" (")[0].strip().lower()


def _open(data: bytes, suffix: str) -> Workbook:
    if suffix.lower() == ".csv":
        book = Workbook()
        sheet = book.active
        sheet.title = "Workloads"
        try:
            for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))):
                sheet.append(row)
                for cell in sheet[sheet.max_row]:
                    if is_formula_like(cell.value):
                        cell.data_type = "s"  # the user typed text: never a live formula in the marked copy
        except (UnicodeDecodeError, csv.Error):
            pass
        return book
    try:
        return load_workbook(io.BytesIO(data))
    except Exception:  # not a workbook at all: the copy holds the problems only
        book = Workbook()
        book.remove(book.active)
        return book


def mark_problems(data: bytes, suffix: str, problems: Sequence[InputProblem]) -> bytes:
    """The input file as .xlsx bytes with each problem's cell (or row) marked and listed."""
    book = _open(data, suffix)
    sheets = {name.lower(): book[name] for name in book.sheetnames}
    for p in problems:
        sheet = sheets.get(_sheet_key(p.sheet))
        if sheet is None or p.row is None:
            continue
        headers = {normalise_header(c.value): c.column for c in sheet[1] if c.value is not None}
        originals = {str(c.value).strip(): c.column for c in sheet[1] if c.value is not None}
        column = None
        if p.column is not None:
            column = headers.get(normalise_header(p.column)) or originals.get(p.column)
        if column is None and p.row == 1 and p.column is not None:
            column = sheet.max_column + 1  # a missing required column: mark where it would go
            sheet.cell(row=1, column=column, value=p.column)
        cells = [sheet.cell(row=p.row, column=column)] if column else list(sheet[p.row])
        for cell in cells:
            cell.fill = BAD
        target = cells[0]
        note = p.message if target.comment is None else f"{target.comment.text}\n{p.message}"
        target.comment = Comment(note, "planner")
    if "problems" in sheets:
        book.remove(sheets["problems"])
    rows = [{"sheet": p.sheet, "row": p.row, "column": p.column, "problem": p.message} for p in problems]
    write_sheet(book.create_sheet("Problems", 0), rows, ["sheet", "row", "column", "problem"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
