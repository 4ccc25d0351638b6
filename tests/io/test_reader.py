"""The reader accepts the documented format and reports every problem with sheet, row and column."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import GOOD_SERVERS, GOOD_WORKLOADS, SERVER_HEADER, WORKLOAD_HEADER, write_book

from planner.input_errors import InputError, InputProblem
from planner.io.reader import read_estate

W, S = WORKLOAD_HEADER, SERVER_HEADER


def _row(**values: object) -> list[object]:
    base: dict[str, object] = dict.fromkeys(W)  # every column, optional ones blank
    base.update(name="app", cpu_cores=2, memory_gb=4, storage_gb=20, os="linux", platform="any", isolation="shared")
    base.update(replicas=1, current_host="h1")
    base.update(values)
    return [base[c] for c in W]


def test_good_workbook(good_book: Path) -> None:
    e = read_estate(good_book)
    assert [w.name for w in e.workloads] == ["web", "db", "iis"]
    assert e.workload("web").replicas == 2 and e.workload("web").anti_affinity_group == "web-ha"
    assert e.workload("db").isolation == "strict" and e.workload("iis").os == "windows"
    assert [m.model for m in e.server_models] == ["M1", "M2"] and e.server_models[1].max_count == 5
    assert e.settings.time_limit_s == 5


def test_headers_are_case_and_space_insensitive_with_aliases_and_extras(tmp_path: Path) -> None:
    rows = [
        ["Name", "CPU Cores", "RAM", "Disk GB", "OS", "Owner Team"],
        ["a", "2", 4, 10, "Windows", "finance"],
        [None] * 6,
        ["b", 1.5, 2, None, None, None],
    ]
    e = read_estate(write_book(tmp_path / "w.xlsx", {"workloads": rows, "SERVERS": GOOD_SERVERS}))
    a, b = e.workloads
    assert (a.cpu_cores, a.memory_gb, a.storage_gb, a.os) == (2.0, 4, 10, "windows")
    assert a.extra == (("Owner Team", "finance"),)
    assert (b.storage_gb, b.os, b.platform, b.replicas) == (0.0, "linux", "any", 1)  # defaults; blank row skipped


def test_csv_with_server_catalog(tmp_path: Path) -> None:
    """A CSV of workloads plans on the catalog given, else on the bundled catalog, and says which."""
    csv_path = tmp_path / "w.csv"
    csv_path.write_text("name,cpu_cores,memory_gb\nweb,2,4\napi,1,2\n")
    servers = tmp_path / "s.csv"
    servers.write_text("model,cpu_cores,memory_gb,storage_gb,unit_cost\nM,16,64,1000,5000\n")
    e = read_estate(csv_path, servers_path=servers)
    assert len(e.workloads) == 2 and e.server_models[0].model == "M"
    bundled = read_estate(csv_path)
    assert any(m.model.startswith("2U-2xEPYC") for m in bundled.server_models)
    assert any("no server catalog given" in n and "--servers" in n for n in bundled.notes)


def test_command_line_settings_win(good_book: Path) -> None:
    e = read_estate(good_book, overrides={"time_limit_s": "7", "hypervisor": "type2", "overhead.linux_guest_memory_gb": "3"})
    assert (e.settings.time_limit_s, e.settings.hypervisor) == (7, "type2")
    assert e.settings.overhead_overrides == (("linux_guest_memory_gb", 3.0),)


def _problems(path: Path) -> list[InputProblem]:
    with pytest.raises(InputError) as info:
        read_estate(path)
    return info.value.problems


CASES = [
    # (id, workloads rows, servers rows, settings rows, expected (sheet, row, column, message part))
    (
        "text in a number column",
        [W, _row(cpu_cores="four")],
        GOOD_SERVERS,
        None,
        ("Workloads", 2, "cpu_cores", "expected a number, got 'four'"),
    ),
    (
        "negative size",
        [W, _row(), _row(name="b", memory_gb=-2)],
        GOOD_SERVERS,
        None,
        ("Workloads", 3, "memory_gb", "must be more than zero, got -2"),
    ),
    ("zero size", [W, _row(cpu_cores=0)], GOOD_SERVERS, None, ("Workloads", 2, "cpu_cores", "must be more than zero, got 0")),
    ("negative storage", [W, _row(storage_gb=-1)], GOOD_SERVERS, None, ("Workloads", 2, "storage_gb", "must be zero or more")),
    (
        "unknown enum",
        [W, _row(os="solaris")],
        GOOD_SERVERS,
        None,
        ("Workloads", 2, "os", "'solaris' is not one of linux, windows"),
    ),
    (
        "unknown platform",
        [W, _row(platform="lambda")],
        GOOD_SERVERS,
        None,
        ("Workloads", 2, "platform", "not one of vm, container, isolated_container, any"),
    ),
    ("fractional replicas", [W, _row(replicas=1.5)], GOOD_SERVERS, None, ("Workloads", 2, "replicas", "expected a whole number")),
    (
        "boolean as number",
        [W, _row(memory_gb=True)],
        GOOD_SERVERS,
        None,
        ("Workloads", 2, "memory_gb", "expected a number, got True"),
    ),
    ("missing value", [W, _row(name=None)], GOOD_SERVERS, None, ("Workloads", 2, "name", "a value is required")),
    (
        "duplicate name",
        [W, _row(), _row()],
        GOOD_SERVERS,
        None,
        ("Workloads", 3, "name", "duplicate name 'app' (first at row 2)"),
    ),
    (
        "strict container",
        [W, _row(isolation="strict", platform="container")],
        GOOD_SERVERS,
        None,
        ("Workloads", 2, "isolation", "strict isolation requires a VM"),
    ),
    (
        "too large for every model",
        [W, _row(memory_gb=9999)],
        GOOD_SERVERS,
        None,
        ("Workloads", 2, "memory_gb", "larger than every server model"),
    ),
    (
        "affinity against anti-affinity",
        [W, _row(affinity_group="g", anti_affinity_group="x"), _row(name="b", affinity_group="g", anti_affinity_group="x")],
        GOOD_SERVERS,
        None,
        ("Workloads", 3, "anti_affinity_group", "share affinity group 'g'"),
    ),
    (
        "missing column",
        [["name", "memory_gb"], ["a", 1]],
        GOOD_SERVERS,
        None,
        ("Workloads", 1, "cpu_cores", "required column is missing"),
    ),
    (
        "duplicate column",
        [[*W, "CPU Cores"], [*_row(), 3]],
        GOOD_SERVERS,
        None,
        ("Workloads", 1, "CPU Cores", "column cpu_cores appears twice"),
    ),
    (
        "server duplicate model",
        [W, _row()],
        [S, ["M", 8, 8, 8, 1, None, None, None], ["M", 8, 8, 8, 1, None, None, None]],
        None,
        ("Servers", 3, "model", "duplicate model 'M'"),
    ),
    (
        "server negative cost",
        [W, _row()],
        [S, ["M", 8, 8, 100, -5, None, None, None]],
        None,
        ("Servers", 2, "unit_cost", "must be zero or more"),
    ),
    ("empty catalog", [W, _row()], [S], None, ("Servers", None, None, "lists no server model")),
    (
        "unknown setting",
        [W, _row()],
        GOOD_SERVERS,
        [["setting", "value"], ["turbo", 1]],
        ("Settings", 2, "setting", "unknown setting 'turbo'"),
    ),
    (
        "bad setting value",
        [W, _row()],
        GOOD_SERVERS,
        [["setting", "value"], ["time_limit_s", 5], ["hypervisor", "type3"]],
        ("Settings", 3, "value", "'type3' is not one of type1, type2"),
    ),
    (
        "unknown profile",
        [W, _row()],
        GOOD_SERVERS,
        [["setting", "value"], ["overhead_profile", "esx99"]],
        ("Settings", 2, "value", "no overhead profile 'esx99'"),
    ),
    (
        "unknown overhead number",
        [W, _row()],
        GOOD_SERVERS,
        [["setting", "value"], ["overhead.guest_ram", 1]],
        ("Settings", 2, "setting", "unknown overhead number"),
    ),
    (
        "utilization over 100",
        [W, _row()],
        GOOD_SERVERS,
        [["setting", "value"], ["max_utilization_pct", 120]],
        ("Settings", None, None, "at most 100"),
    ),
]


@pytest.mark.parametrize(("case", "workloads", "servers", "settings", "expected"), CASES, ids=[c[0] for c in CASES])
def test_each_error_kind(
    tmp_path: Path, case: str, workloads: list, servers: list, settings: list | None, expected: tuple
) -> None:
    sheets = {"Workloads": workloads, "Servers": servers}
    if settings:
        sheets["Settings"] = settings
    problems = _problems(write_book(tmp_path / "bad.xlsx", sheets))
    sheet, row, column, message = expected
    matching = [p for p in problems if p.sheet == sheet and p.row == row and p.column == column and message in p.message]
    assert matching, f"{case}: {[str(p) for p in problems]}"


def test_every_problem_is_collected(tmp_path: Path) -> None:
    rows = [W, _row(cpu_cores="x"), _row(name="b", os="beos"), _row(name="c", memory_gb=-1)]
    problems = _problems(write_book(tmp_path / "bad.xlsx", {"Workloads": rows, "Servers": GOOD_SERVERS}))
    assert [(p.row, p.column) for p in problems] == [(2, "cpu_cores"), (3, "os"), (4, "memory_gb")]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.xlsx", None, "file not found"),  # no file
        ("garbage.xlsx", b"this is not a zip", "not an Excel workbook"),  # renamed text
        ("bad.csv", b"\xff\xfebad", "not a readable UTF-8 CSV"),  # not UTF-8
        ("binary.csv", b"\x00\x01\x02bad", "not a text CSV file"),  # binary (a UTF-16 byte-order mark would make it text)
    ],
)
def test_unreadable_files(tmp_path: Path, name: str, content: bytes | None, message: str) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    problems = _problems(path)
    assert problems and message in problems[0].message and name in problems[0].sheet


def test_missing_sheets(tmp_path: Path) -> None:
    """A native workbook names both missing sheets (its catalog is part of it; inventories get the bundled one)."""
    problems = _problems(write_book(tmp_path / "x.xlsx", {"Other": [["a"]]}))
    assert {p.message for p in problems} == {
        "missing sheet Workloads",
        "missing sheet Servers (or give a catalog with --servers)",
    }


def test_nan_and_infinity_in_csv(tmp_path: Path) -> None:
    path = tmp_path / "w.csv"
    path.write_text("name,cpu_cores,memory_gb\na,nan,1\nb,1,inf\n")
    servers = tmp_path / "s.csv"
    servers.write_text("model,cpu_cores,memory_gb,storage_gb,unit_cost\nM,16,64,1000,5000\n")
    with pytest.raises(InputError) as info:
        read_estate(path, servers_path=servers)
    assert [(p.row, p.column) for p in info.value.problems] == [(2, "cpu_cores"), (3, "memory_gb")]
    assert all("finite" in p.message for p in info.value.problems)


def test_formula_cells_without_cached_values_are_reported(tmp_path: Path) -> None:
    # openpyxl writes formulas without cached values: reading with data_only gives None -> required value missing.
    rows = [W, _row(cpu_cores="=1+1")]
    problems = _problems(write_book(tmp_path / "f.xlsx", {"Workloads": rows, "Servers": GOOD_SERVERS}))
    assert any(p.row == 2 and p.column == "cpu_cores" for p in problems)


def test_good_rows_survive_alongside_sample(good_book: Path) -> None:
    assert read_estate(good_book).workloads[0].current_host == "h1"


def test_good_workloads_constant_is_valid(tmp_path: Path) -> None:
    assert (
        len(read_estate(write_book(tmp_path / "g.xlsx", {"Workloads": GOOD_WORKLOADS, "Servers": GOOD_SERVERS})).workloads) == 3
    )
