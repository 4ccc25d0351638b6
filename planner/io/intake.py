"""What a file is, and whether it is safe to parse, decided before any parser sees it.

Uploads reach a dashboard from anywhere, so the bytes are checked first: size, the
signature (a zip for .xlsx, the OLE2 container that encrypted or legacy workbooks use),
the zip's directory (a workbook's parts, an uncompressed total and a compression ratio
that rule out decompression bombs) and the XML parts themselves (no DTD, so no entity
expansion; openpyxl also parses through defusedxml). A refusal is an InputError naming
the file and saying what to do.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import IO

from planner.input_errors import InputError, InputProblem

MAX_FILE_BYTES = 50 * 1024 * 1024  # an estate of 200,000 workloads is well under this
MAX_UNCOMPRESSED_BYTES = 500 * 1024 * 1024
MAX_RATIO = 150  # uncompressed/compressed per part; real sheets stay far below
MAX_ROWS = 250_000  # data rows per sheet, within the memory bound of the whole pipeline
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP = b"PK\x03\x04"


TEXT_SUFFIXES = (".csv", ".tsv", ".txt")
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def text_encoding(path: Path) -> str:
    """The encoding of a text input: UTF-16 when it starts with its byte-order mark, else UTF-8 (with or without one)."""
    with path.open("rb") as handle:
        return "utf-16" if handle.read(2) in UTF16_BOMS else "utf-8-sig"


def _refuse(path: Path, message: str) -> InputError:
    return InputError([InputProblem(path.name, None, None, message)])


def file_kind(path: Path, limit: int | None = None) -> str:
    """'xlsx' or 'csv' for a file safe to parse (at most `limit` bytes, default MAX_FILE_BYTES); else InputError."""
    limit = MAX_FILE_BYTES if limit is None else limit
    if not path.is_file():
        raise _refuse(path, f"file not found: {path}")
    size = path.stat().st_size
    if size > limit:
        raise _refuse(path, f"the file is {size / 2**20:.0f} MB; the limit is {limit // 2**20} MB")
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith(OLE2):
        raise _refuse(
            path,
            "this is a password-protected (encrypted) workbook or a legacy .xls file: "
            "save it from Excel as .xlsx without a password",
        )
    if head.startswith(ZIP):
        _check_zip(path)
        return "xlsx"
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        raise _refuse(path, "not an Excel workbook: the file does not start like an .xlsx (zip) file")
    if path.suffix.lower() not in TEXT_SUFFIXES:
        kind = path.suffix.lower() or "file without an extension"
        raise _refuse(path, f"a {kind} file, not a workbook (.xlsx) or CSV (.csv, .tsv, .txt)")
    if head.startswith(UTF16_BOMS):
        return "csv"  # UTF-16 text (Excel's 'Unicode text'): its NULs are characters, not binary data
    if b"\x00" in _sample(path):
        raise _refuse(path, "not a text CSV file: it holds binary data")
    return "csv"


def _sample(path: Path, size: int = 65536) -> bytes:
    with path.open("rb") as handle:
        return handle.read(size)


ELEMENT = re.compile(rb"<[A-Za-z_]")  # the root element's start tag: a DTD can only come before it
PROLOG_LIMIT = 1 << 20


def _prolog(part: IO[bytes]) -> bytes | None:
    """What an XML part holds before its root element (where a DTD or entities would be declared), read however long
    it is up to a MB; None when no element starts within it."""
    data = b""
    while len(data) < PROLOG_LIMIT:
        chunk = part.read(65536)
        if not chunk:
            break
        data += chunk
        found = ELEMENT.search(data)
        if found:
            return data[: found.start()]
    found = ELEMENT.search(data)
    return data[: found.start()] if found else (data if len(data) < PROLOG_LIMIT else None)


def _check_zip(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            names = {i.filename for i in infos}
            if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
                raise _refuse(path, "a zip archive, but not an Excel workbook (no xl/workbook.xml inside)")
            total = sum(i.file_size for i in infos)
            if total > MAX_UNCOMPRESSED_BYTES:
                raise _refuse(
                    path,
                    f"the workbook unpacks to {total / 2**20:.0f} MB; the limit is {MAX_UNCOMPRESSED_BYTES // 2**20} MB "
                    "(a decompression bomb, or an estate too large for one file)",
                )
            for info in infos:
                if info.file_size > 1_000_000 and info.file_size > MAX_RATIO * max(1, info.compress_size):
                    raise _refuse(
                        path,
                        f"part {info.filename} expands {info.file_size // max(1, info.compress_size)}-fold: "
                        "refused as a decompression bomb",
                    )
            for info in infos:
                if info.filename.endswith((".xml", ".rels")):
                    with archive.open(info) as part:
                        head = _prolog(part)
                    if head is None:
                        raise _refuse(path, f"part {info.filename} has no XML element in its first MB: refused")
                    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                        raise _refuse(path, f"part {info.filename} declares a DTD or entities (an XML bomb): refused")
    except zipfile.BadZipFile as exc:
        raise _refuse(path, f"a corrupt workbook: {exc}") from exc
    except (OSError, RuntimeError, NotImplementedError) as exc:  # encrypted zip members, unsupported compression
        raise _refuse(path, f"a workbook that cannot be unpacked: {exc}") from exc
