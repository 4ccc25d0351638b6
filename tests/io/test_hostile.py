"""Broken and hostile input: each case ends in a clear error naming the file (or cell), never a crash,
and nothing runs on it; odd but honest layouts are read. Fuzzed with hypothesis."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from conftest import GOOD_SERVERS, GOOD_WORKLOADS, WORKLOAD_HEADER, write_book
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from planner.domain import Estate
from planner.input_errors import InputError
from planner.io import intake
from planner.io.reader import read_estate


def _error(path: Path, **kw: object) -> str:
    with pytest.raises(InputError) as err:
        read_estate(path, **kw)  # type: ignore[arg-type]
    return " | ".join(str(p) for p in err.value.problems)


def _good_bytes(tmp_path: Path) -> bytes:
    return write_book(tmp_path / "g.xlsx", {"Workloads": GOOD_WORKLOADS, "Servers": GOOD_SERVERS}).read_bytes()


def _rezip(data: bytes, change: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, change.get(info.filename, src.read(info.filename)))
        for name, body in change.items():
            if name not in src.namelist():
                dst.writestr(name, body)
    return out.getvalue()


def test_a_renamed_zip_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "photos.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("holiday.jpg", b"\xff\xd8 not really")
    assert "not an Excel workbook" in _error(path)


def test_password_protected_or_legacy_workbooks_are_refused_with_advice(tmp_path: Path) -> None:
    path = tmp_path / "locked.xlsx"
    path.write_bytes(intake.OLE2 + b"\x00" * 600)  # encrypted .xlsx files are OLE2 containers
    assert "password-protected" in _error(path) and "without a password" in _error(path)


def test_a_truncated_workbook_is_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "cut.xlsx"
    path.write_bytes(_good_bytes(tmp_path)[:700])
    assert "corrupt" in _error(path)


def test_xml_entity_bombs_are_refused(tmp_path: Path) -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData/></worksheet>'
    )
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(_rezip(_good_bytes(tmp_path), {"xl/worksheets/sheet1.xml": bomb}))
    assert "XML bomb" in _error(path)


def test_a_dtd_after_a_long_comment_is_still_found(tmp_path: Path) -> None:
    """The prolog is read to the root element, however long: 10 KB of comment cannot hide a DTD."""
    bomb = (
        b'<?xml version="1.0"?><!--' + b"x" * 10_000 + b'--><!DOCTYPE lolz [<!ENTITY lol "lol">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData/></worksheet>'
    )
    path = tmp_path / "late-bomb.xlsx"
    path.write_bytes(_rezip(_good_bytes(tmp_path), {"xl/worksheets/sheet1.xml": bomb}))
    assert "XML bomb" in _error(path)


def test_decompression_bombs_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "zip-bomb.xlsx"
    path.write_bytes(_rezip(_good_bytes(tmp_path), {"xl/worksheets/sheet9.xml": b"\x00" * (20 * 2**20)}))
    assert "decompression bomb" in _error(path)


def test_an_oversized_unpacked_workbook_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(intake, "MAX_UNCOMPRESSED_BYTES", 10_000)  # the real limit is 500 MB; the rule is the same
    path = tmp_path / "big.xlsx"
    path.write_bytes(_good_bytes(tmp_path))
    assert "unpacks to" in _error(path)


def test_formulas_without_saved_values_name_their_cell(tmp_path: Path) -> None:
    rows = [row[:] for row in GOOD_WORKLOADS]
    rows[1][1] = "=1+1"  # openpyxl writes the formula but no cached value, as Excel would
    path = write_book(tmp_path / "f.xlsx", {"Workloads": rows, "Servers": GOOD_SERVERS})
    message = _error(path)
    assert "Workloads, row 2, column cpu_cores" in message and "formula" in message


def test_header_below_a_title_block_hidden_sheets_and_merged_cells(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "Workloads"
    sheet.append(["Estate inventory, exported 2026-11-01"])
    sheet.merge_cells("A1:D1")
    sheet.append([])
    for row in GOOD_WORKLOADS:
        sheet.append(row)
    servers = book.create_sheet("Servers")
    for row in GOOD_SERVERS:
        servers.append(row)
    servers.sheet_state = "hidden"
    sheet.append(["bad", "lots", 1])
    book.save(tmp_path / "t.xlsx")
    message = _error(tmp_path / "t.xlsx")
    assert "Workloads, row 7, column cpu_cores" in message  # rows numbered as Excel shows them
    sheet.delete_rows(7)
    book.save(tmp_path / "t.xlsx")
    estate = read_estate(tmp_path / "t.xlsx")
    assert {w.name for w in estate.workloads} == {"web", "db", "iis"} and len(estate.server_models) == 2


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("1,024", 1024.0), ("2 048", 2048.0), ("1,5", None), ("nan", None), ("inf", None), ("-inf", None), ("12GB", None)],
)
def test_numbers_in_text(tmp_path: Path, cell: str, expected: float | None) -> None:
    rows = [WORKLOAD_HEADER, ["a", 1, cell]]
    path = write_book(tmp_path / "n.xlsx", {"Workloads": rows, "Servers": [GOOD_SERVERS[0], ["M", 4, 4096, 100, 1]]})
    if expected is None:
        assert "Workloads, row 2, column memory_gb" in _error(path)
    else:
        assert read_estate(path).workload("a").memory_gb == expected


def test_a_million_rows_are_refused_not_crashed(tmp_path: Path) -> None:
    path = tmp_path / "million.csv"
    with path.open("w") as handle:
        handle.write("name,cpu_cores,memory_gb\n")
        handle.writelines(f"w{i},1,1\n" for i in range(1_000_000))
    message = _error(path, servers_path=write_book(tmp_path / "s.xlsx", {"Servers": GOOD_SERVERS}))
    assert "more than 250,000 rows" in message


def test_files_over_the_size_cap_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(intake, "MAX_FILE_BYTES", 2**20)  # the real cap is 50 MB; the rule is the same
    path = tmp_path / "big.csv"
    path.write_text("name,cpu_cores,memory_gb\n" + "".join(f"workload-{i:08d},1,1\n" for i in range(60_000)))
    assert "the limit is 1 MB" in _error(path)


def _outcome(path: Path, **kw: object) -> None:
    """The only allowed outcomes: an Estate, or an InputError with at least one problem."""
    try:
        assert isinstance(read_estate(path, **kw), Estate)  # type: ignore[arg-type]
    except InputError as err:
        assert err.problems and all(p.message for p in err.problems)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=4096), suffix=st.sampled_from([".xlsx", ".csv"]))
def test_fuzz_random_bytes(tmp_path: Path, data: bytes, suffix: str) -> None:
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(data)
    _outcome(path)


CELLS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=12).filter(lambda t: not t.startswith("=")),
    st.sampled_from(["linux", "windows", "vm", "container", "any", "strict", "1,024", "=1+1", "VM", "CPUs", "Memory"]),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    header=st.lists(st.sampled_from([*WORKLOAD_HEADER, "VM", "CPUs", "Memory", "Powerstate", "junk", None]), max_size=8),
    rows=st.lists(st.lists(CELLS, max_size=8), max_size=6),
    sheet=st.sampled_from(["Workloads", "vInfo", "Other"]),
)
def test_fuzz_random_workbooks(tmp_path: Path, header: list[object], rows: list[list[object]], sheet: str) -> None:
    book = Workbook()
    ws = book.active
    ws.title = sheet
    for row in [header, *rows]:
        ws.append([c if not isinstance(c, float) or c == c else None for c in row])
    servers = book.create_sheet("Servers")
    for row in GOOD_SERVERS:
        servers.append(row)
    path = tmp_path / "random.xlsx"
    book.save(path)
    _outcome(path)


def test_formulas_with_saved_values_use_them(tmp_path: Path) -> None:
    rows = [row[:] for row in GOOD_WORKLOADS]
    rows[1][1] = "=1+1"
    path = write_book(tmp_path / "f.xlsx", {"Workloads": rows, "Servers": GOOD_SERVERS})
    data = path.read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        sheet = z.read("xl/worksheets/sheet1.xml")
    assert b"<f>1+1</f><v />" in sheet
    path.write_bytes(_rezip(data, {"xl/worksheets/sheet1.xml": sheet.replace(b"<f>1+1</f><v />", b"<f>1+1</f><v>3</v>")}))
    assert read_estate(path).workload("web").cpu_cores == 3  # what Excel saved, as Excel shows it
