"""Fast workbook reading: values through python-calamine, openpyxl only for the sheets that need it.

calamine reads a sheet's values an order of magnitude faster than openpyxl, but it shows a
formula without a saved value as an empty cell, and it builds a sheet's whole used range (a
single cell in column XFD would make every row 16,384 cells wide). So each sheet's XML is
scanned first, as a byte stream: a sheet holding any formula, or any cell beyond `MAX_COLUMNS`,
is read with openpyxl (which reports the formula at its cell and stops at `MAX_COLUMNS`); every
other sheet with calamine.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from defusedxml import ElementTree

CHUNK = 1 << 20
FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")  # a formula element in a sheet's XML (<f>, <f t="shared" .../>)
WIDE_REF = re.compile(rb"<(?:\w+:)?c\b[^>]*?\br=\"([A-Z]{3})\d")  # a cell in a three-letter column
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG = "{http://schemas.openxmlformats.org/package/2006/relationships}"


@dataclass(frozen=True)
class SheetScan:
    """What a sheet's XML holds that calamine cannot read faithfully."""

    formulas: bool
    wide: bool  # a cell beyond the column limit

    @property
    def needs_openpyxl(self) -> bool:
        return self.formulas or self.wide


def _column(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _scan_part(book: zipfile.ZipFile, part: str, max_columns: int) -> SheetScan:
    formulas = wide = False
    tail = b""
    with book.open(part) as stream:
        while not (formulas and wide):
            chunk = stream.read(CHUNK)
            if not chunk:
                break
            data = tail + chunk
            formulas = formulas or FORMULA.search(data) is not None
            wide = wide or any(_column(m.group(1)) > max_columns for m in WIDE_REF.finditer(data))
            tail = data[-256:]  # a tag cut at the chunk's end is seen whole in the next window
    return SheetScan(formulas, wide)


def scan_workbook(path: Path, max_columns: int) -> dict[str, SheetScan] | None:
    """Per sheet name, what its XML holds; None when the package is laid out unusually (read all with openpyxl)."""
    try:
        with zipfile.ZipFile(path) as book:
            workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))
            rels = ElementTree.fromstring(book.read("xl/_rels/workbook.xml.rels"))
            targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{PKG}Relationship")}
            out = {}
            for sheet in workbook.iter(f"{MAIN}sheet"):
                target = targets.get(sheet.get(f"{REL}id"), "")
                part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
                out[str(sheet.get("name"))] = _scan_part(book, part, max_columns)
            return out
    except (KeyError, zipfile.BadZipFile, ElementTree.ParseError, OSError, ValueError):
        return None


def calamine_rows(path: Path, names: list[str], max_columns: int) -> dict[str, list[list[object]]]:
    """The values of the named sheets, row by row from A1 (Excel's numbering), blanks as None, at most max_columns."""
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(path))
    out = {}
    for name in names:
        rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        out[name] = [_trimmed([_cell(v) for v in row[:max_columns]]) for row in rows]
    return out


def _trimmed(row: list[object]) -> list[object]:
    """A row without its trailing blanks, as openpyxl gives it."""
    while row and row[-1] is None:
        row.pop()
    return row


def _cell(value: object) -> object:
    """A calamine value as openpyxl gives it: blank as None, a whole number as an int."""
    if value == "":
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value
