"""Read a workload workbook (.xlsx, or a .csv of workloads) into a validated Estate.

Every problem in the input is collected, with the sheet, the row as Excel shows it,
the column and a plain sentence, and raised together as one InputError. Nothing is
dropped or coerced silently: blank rows are skipped, everything else is checked.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from planner.columns import SERVER_COLUMNS, SETTING_COLUMNS, SETTINGS, WORKLOAD_COLUMNS, Column, normalise_header
from planner.domain import DomainError, Estate, ServerModel, Settings, Workload
from planner.overheads import PARAMETERS, list_profiles


@dataclass(frozen=True)
class InputProblem:
    """One problem in the input: where it is and what is wrong."""

    sheet: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.sheet + (f", row {self.row}" if self.row else "") + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"


class InputError(ValueError):
    """The input cannot be planned; carries every problem found."""

    def __init__(self, problems: list[InputProblem]) -> None:
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in the input:\n" + "\n".join(f"- {p}" for p in problems))


@dataclass
class _Table:
    sheet: str
    headers: list[str]  # canonical keys, in column order
    originals: list[str]
    rows: list[tuple[int, list[object]]]  # (Excel row number, cells)


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _table(sheet: str, rows: Iterable[Iterable[object]]) -> _Table:
    it: Iterator[Iterable[object]] = iter(rows)
    header = list(next(it, []))
    while header and _is_blank(header[-1]):
        header.pop()
    originals = ["" if h is None else str(h).strip() for h in header]
    data = []
    for number, cells in enumerate(it, start=2):
        values = list(cells)
        if all(_is_blank(v) for v in values):
            continue
        data.append((number, values))
    return _Table(sheet, [normalise_header(h) if h else "" for h in originals], originals, data)


def _parse(value: object, col: Column, where: tuple[str, int, str], problems: list[InputProblem]) -> object:
    """One cell by its column's kind; a problem is recorded and None returned when it is wrong."""
    sheet, row, name = where

    def bad(message: str) -> None:
        problems.append(InputProblem(sheet, row, name, message))

    if _is_blank(value):
        if col.required:
            bad("a value is required")
        return col.default
    if col.kind == "text":
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value).strip()
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
        try:
            value = float(value.strip())
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


def _records(
    table: _Table, columns: tuple[Column, ...], problems: list[InputProblem]
) -> list[tuple[int, dict[str, object], list[tuple[str, object]]]]:
    known = {c.name: c for c in columns}
    for col in columns:
        if col.required and col.name not in table.headers:
            problems.append(InputProblem(table.sheet, 1, col.name, "required column is missing"))
    seen: dict[str, int] = {}
    for index, key in enumerate(table.headers):
        if key and key in seen and key in known:
            problems.append(InputProblem(table.sheet, 1, table.originals[index], f"column {key} appears twice"))
        seen.setdefault(key, index)
    if any(c.required and c.name not in table.headers for c in columns):
        return []
    out = []
    for row, cells in table.rows:
        values: dict[str, object] = {}
        extra: list[tuple[str, object]] = []
        for col in columns:
            position = seen.get(col.name)
            cell = cells[position] if position is not None and position < len(cells) else None
            values[col.name] = _parse(cell, col, (table.sheet, row, col.name), problems)
        for index, key in enumerate(table.headers):
            if key not in known and table.originals[index] and index < len(cells) and not _is_blank(cells[index]):
                extra.append((table.originals[index], cells[index]))
        out.append((row, values, extra))
    return out


def _workloads(table: _Table, problems: list[InputProblem]) -> list[tuple[int, Workload]]:
    out = []
    first_row: dict[str, int] = {}
    before = len(problems)
    for row, v, extra in _records(table, WORKLOAD_COLUMNS, problems):
        name = v["name"]
        if isinstance(name, str) and name in first_row:
            problems.append(InputProblem(table.sheet, row, "name", f"duplicate name {name!r} (first at row {first_row[name]})"))
            continue
        if isinstance(name, str):
            first_row[name] = row
        if len(problems) > before and any(p.row == row and p.sheet == table.sheet for p in problems[before:]):
            continue
        try:
            out.append((row, Workload(**v, extra=tuple(extra))))  # type: ignore[arg-type]
        except DomainError as exc:
            column = "isolation" if "isolation" in str(exc) else None
            problems.append(InputProblem(table.sheet, row, column, str(exc)))
    return out


def _servers(table: _Table, problems: list[InputProblem]) -> list[ServerModel]:
    out = []
    names: dict[str, int] = {}
    before = len(problems)
    for row, v, _ in _records(table, SERVER_COLUMNS, problems):
        if isinstance(v["model"], str) and v["model"] in names:
            problems.append(
                InputProblem(table.sheet, row, "model", f"duplicate model {v['model']!r} (first at row {names[v['model']]})")
            )
            continue
        if isinstance(v["model"], str):
            names[v["model"]] = row
        if any(p.row == row and p.sheet == table.sheet for p in problems[before:]):
            continue
        try:
            out.append(ServerModel(**v))  # type: ignore[arg-type]
        except DomainError as exc:
            problems.append(InputProblem(table.sheet, row, None, str(exc)))
    if not out and not any(p.sheet == table.sheet for p in problems[before:]):
        problems.append(InputProblem(table.sheet, None, None, "the server catalog lists no server model"))
    return out


def parse_settings(pairs: Iterable[tuple[str, int | None, object, object]], problems: list[InputProblem]) -> Settings:
    """Settings from (sheet, row, name, value) entries; 'overhead.KEY' entries override profile numbers."""
    values: dict[str, object] = {}
    overrides: dict[str, float] = {}
    for sheet, row, raw_name, raw in pairs:
        name = normalise_header(raw_name)
        if name.startswith("overhead."):
            key = name.removeprefix("overhead.")
            number = _parse(raw, Column(key, "number", True, None, ""), (sheet, row or 0, "value"), problems)
            if key not in PARAMETERS:
                problems.append(InputProblem(sheet, row, "setting", f"unknown overhead number {key!r}"))
            elif number is not None:
                overrides[key] = float(number)  # type: ignore[arg-type]
            continue
        if name not in SETTINGS:
            problems.append(InputProblem(sheet, row, "setting", f"unknown setting {raw_name!r}; known: {', '.join(SETTINGS)}"))
            continue
        kind, default, _, choices = SETTINGS[name]
        parsed = _parse(
            raw, Column(name, kind, True, default, "", choices, positive=kind == "number"), (sheet, row or 0, "value"), problems
        )
        if parsed is None:
            continue
        if name == "overhead_profile" and parsed not in list_profiles() and not str(parsed).endswith(".toml"):
            problems.append(
                InputProblem(sheet, row, "value", f"no overhead profile {parsed!r}; profiles: {', '.join(list_profiles())}")
            )
            continue
        values[name] = parsed
    try:
        return Settings(**values, overhead_overrides=tuple(sorted(overrides.items())))  # type: ignore[arg-type]
    except DomainError as exc:
        problems.append(InputProblem("Settings", None, None, str(exc)))
        return Settings()


def _cross_checks(
    sheet: str, workloads: list[tuple[int, Workload]], servers: list[ServerModel], problems: list[InputProblem]
) -> None:
    for row, w in workloads:
        if servers and not any(w.demand.fits_in(m.capacity) for m in servers):
            over = [
                r for r in ("cpu_cores", "memory_gb", "storage_gb") if all(w.demand.get(r) > m.capacity.get(r) for m in servers)
            ]
            column = over[0] if over else None
            problems.append(InputProblem(sheet, row, column, f"workload {w.name} is larger than every server model"))
    groups: dict[tuple[str, str], tuple[int, str]] = {}
    for row, w in workloads:
        if w.affinity_group is not None and w.anti_affinity_group is not None:
            key = (w.affinity_group, w.anti_affinity_group)
            if key in groups:
                first_row, first = groups[key]
                problems.append(
                    InputProblem(
                        sheet,
                        row,
                        "anti_affinity_group",
                        f"{w.name} and {first} (row {first_row}) share affinity group {key[0]!r}, which puts them on one "
                        f"server, and anti-affinity group {key[1]!r}, which keeps them apart",
                    )
                )
            else:
                groups[key] = (row, w.name)


def _xlsx_tables(path: Path, problems: list[InputProblem]) -> dict[str, _Table]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for files that are not workbooks
        problems.append(InputProblem(path.name, None, None, f"not a readable .xlsx workbook ({type(exc).__name__}: {exc})"))
        return {}
    try:
        return {name.strip().lower(): _table(name, book[name].iter_rows(values_only=True)) for name in book.sheetnames}
    finally:
        book.close()


def _csv_table(path: Path, sheet: str, problems: list[InputProblem]) -> _Table | None:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            return _table(sheet, list(csv.reader(handle)))
    except (UnicodeDecodeError, csv.Error) as exc:
        problems.append(InputProblem(sheet, None, None, f"not a readable UTF-8 CSV file ({exc})"))
        return None


def _tables(path: Path, problems: list[InputProblem]) -> dict[str, _Table]:
    if path.suffix.lower() == ".csv":
        table = _csv_table(path, f"Workloads ({path.name})", problems)
        return {"workloads": table} if table else {}
    return _xlsx_tables(path, problems)


def read_estate(
    path: str | Path, *, servers_path: str | Path | None = None, overrides: Mapping[str, str] | None = None
) -> Estate:
    """Read and validate a workbook (or a workloads .csv plus a server catalog) into an Estate.

    Parameters: the workbook path; an optional catalog (.xlsx with a Servers sheet, or
    .csv) that replaces the workbook's; settings given on the command line, which win
    over the Settings sheet. Raises InputError with every problem found.
    """
    path = Path(path)
    problems: list[InputProblem] = []
    if not path.is_file():
        raise InputError([InputProblem(path.name, None, None, f"file not found: {path}")])
    tables = _tables(path, problems)
    if servers_path is not None:
        catalog = _tables(Path(servers_path), problems)
        server_table = catalog.get("servers") or catalog.get("workloads")
        if server_table is not None:
            server_table.sheet = f"Servers ({Path(servers_path).name})"
    else:
        server_table = tables.get("servers")
    if problems:
        raise InputError(problems)
    return _estate(tables, server_table, overrides, str(path), path.suffix.lower() == ".csv")


def _estate(
    tables: dict[str, _Table], server_table: _Table | None, overrides: Mapping[str, str] | None, source: str, is_csv: bool = False
) -> Estate:
    problems: list[InputProblem] = []
    if "workloads" not in tables:
        problems.append(InputProblem(Path(source).name, None, None, "missing sheet Workloads"))
    if server_table is None:
        hint = " (a .csv holds workloads only: give the catalog with --servers)" if is_csv else ""
        problems.append(InputProblem(Path(source).name, None, None, f"missing sheet Servers{hint}"))
    if problems:
        raise InputError(problems)
    assert server_table is not None
    workloads = _workloads(tables["workloads"], problems)
    servers = _servers(server_table, problems)
    _cross_checks(tables["workloads"].sheet, workloads, servers, problems)
    entries: list[tuple[str, int | None, object, object]] = []
    if "settings" in tables:
        for row, v, _ in _records(tables["settings"], SETTING_COLUMNS, problems):
            if v["setting"] is not None:
                entries.append((tables["settings"].sheet, row, v["setting"], v["value"]))
    entries += [("--set", None, k, v) for k, v in (overrides or {}).items()]
    settings = parse_settings(entries, problems)
    if problems:
        raise InputError(problems)
    return Estate(tuple(w for _, w in workloads), tuple(servers), settings, source=source)


def estate_from_rows(
    workloads: list[list[object]],
    servers: list[list[object]],
    settings: list[list[object]] | None = None,
    *,
    overrides: Mapping[str, str] | None = None,
    source: str = "edited tables",
) -> Estate:
    """Validate in-memory tables (a header row, then data rows) exactly as a workbook's sheets.

    Used by the dashboard's editors; raises InputError with every problem found.
    """
    tables = {"workloads": _table("Workloads", workloads), "servers": _table("Servers", servers)}
    if settings:
        tables["settings"] = _table("Settings", settings)
    return _estate(tables, tables["servers"], overrides, source)


def load_rows(path: str | Path) -> dict[str, list[list[object]]]:
    """The Workloads, Servers and Settings sheets of a file as header + data rows (for editing).

    Blank rows are left out; raises InputError when the file cannot be read at all.
    """
    path = Path(path)
    problems: list[InputProblem] = []
    tables = _tables(path, problems)
    if problems:
        raise InputError(problems)
    return {
        name: [list(table.originals), *([*cells[: len(table.originals)]] for _, cells in table.rows)]
        for name, table in tables.items()
        if name in ("workloads", "servers", "settings")
    }
