"""Read an input file (native workbook or CSV, or an inventory export) into a validated Estate.

Every problem in the input is collected, with the sheet, the row as Excel shows it,
the column and a plain sentence, and raised together as one InputError. Nothing is
dropped or coerced silently: blank rows are skipped, everything else is checked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from planner.domain import CurrentHost, DomainError, Estate, ExcludedRow, ServerModel, Settings, Workload, effective_capacity
from planner.input_errors import InputError, InputProblem
from planner.io.azure_migrate import azure_migrate
from planner.io.columns import SERVER_COLUMNS, SETTING_COLUMNS, SETTINGS, WORKLOAD_COLUMNS, Column, normalise_header
from planner.io.cpu_rating import estate_ratings
from planner.io.default_catalog import default_servers
from planner.io.defaults import in_zone, inventory_defaults
from planner.io.exclusions import exclude_bad_rows, excluded_rows
from planner.io.history_input import UsageSource, load_history, with_history
from planner.io.intake import file_kind
from planner.io.inventory import Imported, InventorySheet, detect, mapped_csv
from planner.io.rvtools import rvtools
from planner.io.sheets import Table, is_blank, make_table, parse_cell, read_tables
from planner.io.site_column import site_problems
from planner.io.sizing import apply_sizing
from planner.limits import MAX_TOTAL_REPLICAS
from planner.profiles.costs import COST_PARAMETERS
from planner.profiles.loading import list_cost_profiles, list_platforms, list_profiles
from planner.profiles.overheads import PARAMETERS

HOST_FIELDS = ("name", "cpu_cores", "memory_gb", "cpu_usage_pct", "memory_usage_pct", "vendor", "model", "cpu_model", "cpu_mhz")
RVTOOLS_TABS = ("vmemory", "vcpu", "vpartition", "vdisk")  # per-VM tabs read beside vInfo and vHost
Importer = Callable[[Settings, list[InputProblem]], Imported]

__all__ = ["InputError", "InputProblem", "estate_from_rows", "parse_settings", "read_estate"]


def _records(
    table: Table, columns: tuple[Column, ...], problems: list[InputProblem]
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
            values[col.name] = parse_cell(cell, col, (table.sheet, row, col.name), problems)
        for index, key in enumerate(table.headers):
            if key not in known and table.originals[index] and index < len(cells) and not is_blank(cells[index]):
                extra.append((table.originals[index], cells[index]))
        out.append((row, values, extra))
    return out


def _cpu(table: Table, row: int, v: dict[str, object], problems: list[InputProblem]) -> None:
    """A workload needs cores or vCPUs; given vCPUs alone, its cores are derived from them by sizing."""
    said = any(p.sheet == table.sheet and p.row == row and p.column in ("cpu_cores", "vcpus") for p in problems)
    if v["cpu_cores"] is None and v["vcpus"] is None and not said:
        problems.append(InputProblem(table.sheet, row, "cpu_cores", "a value is required (cores, or vcpus)"))
    elif v["cpu_cores"] is None:
        v["cpu_cores"] = v["vcpus"]


def _workloads(table: Table, problems: list[InputProblem]) -> list[tuple[int, Workload]]:
    out: list[tuple[int, Workload]] = []
    first_row: dict[str, int] = {}
    if table.rows and not {"cpu_cores", "vcpus"} & set(table.headers):
        problems.append(InputProblem(table.sheet, 1, "cpu_cores", "required column is missing (cpu_cores, or vcpus)"))
        return out
    before = len(problems)
    for row, v, extra in _records(table, WORKLOAD_COLUMNS, problems):
        _cpu(table, row, v, problems)
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


def _servers(table: Table, problems: list[InputProblem]) -> list[ServerModel]:
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
        unknown = [p for p in v["platforms"] if p not in (*list_platforms(), *GENERIC_PLATFORMS)]  # type: ignore[attr-defined]
        if unknown:
            known = ", ".join((*list_platforms(), *GENERIC_PLATFORMS))
            problems.append(InputProblem(table.sheet, row, "platforms", f"unknown platform {unknown[0]!r}; known: {known}"))
        if any(p.row == row and p.sheet == table.sheet for p in problems[before:]):
            continue
        try:
            out.append(ServerModel(**v))  # type: ignore[arg-type]
        except DomainError as exc:
            problems.append(InputProblem(table.sheet, row, None, str(exc)))
    if not out and not any(p.sheet == table.sheet for p in problems[before:]):
        problems.append(InputProblem(table.sheet, None, None, "the server catalog lists no server model"))
    return out


GENERIC_PLATFORMS = ("type1", "type2", "containers")  # the base profile's own numbers, for server platform lists


def _platform_problem(name: str, value: object) -> str | None:
    """Why a platform setting names no platform profile of its kind, or None."""
    if name in ("hypervisor_platform", "container_platform") and value:
        kind = name.removesuffix("_platform")
        known = list_platforms(kind)
        if value not in known and not str(value).endswith(".toml"):
            return f"no {kind} platform {value!r}; {kind} platforms: {', '.join(known)}"
    if name == "compare_platforms":
        unknown = [v for v in value if v not in list_platforms()]  # type: ignore[attr-defined]
        if unknown:
            return f"no platform profile {', '.join(map(repr, unknown))}; platforms: {', '.join(list_platforms())}"
    return None


def setting_values(
    pairs: Iterable[tuple[str, int | None, object, object]], problems: list[InputProblem]
) -> tuple[dict[str, object], dict[str, float], dict[str, float]]:
    """Parsed values of the settings named in (sheet, row, name, value) entries, and the 'overhead.KEY'
    and 'cost.KEY' numbers among them; each bad entry becomes a problem naming its sheet and row."""
    values: dict[str, object] = {}
    overrides: dict[str, float] = {}
    cost_overrides: dict[str, float] = {}
    first: dict[str, int] = {}  # a setting named twice in a sheet is ambiguous (--set, later, wins over it)
    for sheet, row, raw_name, raw in pairs:
        name = normalise_header(raw_name)
        if row is not None and name in first:
            problems.append(
                InputProblem(sheet, row, "setting", f"{raw_name!r} is given twice (first at row {first[name]}): keep one")
            )
            continue
        if row is not None:  # a sheet's row (--set and sweep grids name each setting once by construction)
            first[name] = row
        prefix, _, key = name.partition(".")
        if key and prefix in ("overhead", "cost"):
            known, into = (PARAMETERS, overrides) if prefix == "overhead" else (COST_PARAMETERS, cost_overrides)
            number = parse_cell(raw, Column(key, "number", True, None, ""), (sheet, row or 0, "value"), problems)
            if key not in known:
                problems.append(InputProblem(sheet, row, "setting", f"unknown {prefix} number {key!r}"))
            elif number is not None:
                into[key] = float(number)  # type: ignore[arg-type]
            continue
        if name not in SETTINGS:
            problems.append(InputProblem(sheet, row, "setting", f"unknown setting {raw_name!r}; known: {', '.join(SETTINGS)}"))
            continue
        kind, default, _, choices = SETTINGS[name]
        parsed = parse_cell(
            raw,
            # a blank platform setting means the generic numbers: allowed, unlike a blank number
            Column(name, kind, default not in ("", ()), default, "", choices, positive=kind == "number" and "growth" not in name),
            (sheet, row or 0, "value"),
            problems,
        )
        if parsed is None:
            continue
        wrong = _named_profile_problem(name, parsed)
        if wrong:
            problems.append(InputProblem(sheet, row, "value", wrong))
            continue
        values[name] = parsed
    return values, overrides, cost_overrides


def _named_profile_problem(name: str, value: object) -> str | None:
    """Why a setting naming a profile names none that exists, or None."""
    if name == "overhead_profile" and value not in list_profiles() and not str(value).endswith(".toml"):
        return f"no overhead profile {value!r}; profiles: {', '.join(list_profiles())}"
    if name == "cost_profile" and value not in list_cost_profiles() and not str(value).endswith(".toml"):
        return f"no cost profile {value!r}; profiles: {', '.join(list_cost_profiles())}"
    return _platform_problem(name, value)


def parse_settings(pairs: Iterable[tuple[str, int | None, object, object]], problems: list[InputProblem]) -> Settings:
    """Settings from (sheet, row, name, value) entries; 'overhead.KEY' entries override profile numbers."""
    values, overrides, cost_overrides = setting_values(pairs, problems)
    try:
        return Settings(
            **values,  # type: ignore[arg-type]
            overhead_overrides=tuple(sorted(overrides.items())),
            cost_overrides=tuple(sorted(cost_overrides.items())),
        )
    except DomainError as exc:
        problems.append(InputProblem("Settings", None, None, str(exc)))
        return Settings()


def _cross_checks(
    sheet: str,
    workloads: list[tuple[int, Workload]],
    servers: list[ServerModel],
    settings: Settings,
    problems: list[InputProblem],
) -> None:
    """Rules between rows: a sized workload no server model can hold, affinity contradicting anti-affinity."""
    total = sum(w.replicas for _, w in workloads)
    if total > MAX_TOTAL_REPLICAS:
        problems.append(InputProblem(sheet, None, "replicas", f"{total:,} replicas in all: at most {MAX_TOTAL_REPLICAS:,}"))
        return
    capacities = [effective_capacity(m, settings) for m in servers]
    for row, w in workloads:
        if capacities and not any(w.demand.fits_in(c) for c in capacities):
            over = [r for r in ("cpu_cores", "memory_gb", "storage_gb") if all(w.demand.get(r) > c.get(r) for c in capacities)]
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


def read_estate(
    path: str | Path,
    *,
    servers_path: str | Path | None = None,
    overrides: Mapping[str, str] | None = None,
    mapping: Mapping[str, str] | None = None,
    strict: bool = False,
    usage: UsageSource = None,
) -> Estate:
    """Read and validate an input file into an Estate.

    The file is a native workbook or CSV, an RVTools export (.xlsx, or its vInfo tab as .csv),
    an Azure Migrate import CSV, or any CSV with `mapping` (their header -> our target).
    `servers_path` gives a catalog (.xlsx Servers sheet or .csv) replacing the workbook's;
    `overrides` are settings from the command line, which win over a Settings sheet.
    An inventory's rows that cannot be sized are left out (`Estate.excluded`), unless `strict`.
    `usage` is a utilization history (a file, or one already read); else the workbook's Usage sheet.
    Raises InputError with every problem found.
    """
    path = Path(path)
    problems: list[InputProblem] = []
    kind = file_kind(path)
    tables = read_tables(path, problems, kind)
    if servers_path is not None:
        catalog = read_tables(Path(servers_path), problems)
        server_table = catalog.get("servers") or catalog.get("workloads")
        if server_table is not None:
            server_table.sheet = f"Servers ({Path(servers_path).name})"
    else:
        server_table = tables.get("servers")
    if problems:
        raise InputError(problems)
    is_csv = kind == "csv"
    fmt = detect(tables, is_csv, mapping)
    importer = importer_for(fmt, tables, mapping)
    return _estate(tables, server_table, overrides, str(path), is_csv, importer, strict=strict, usage=usage, mapping=mapping)


def importer_for(fmt: str, tables: dict[str, Table], mapping: Mapping[str, str] | None) -> Importer | None:
    """The function that reads workloads in a foreign format (None for the native one)."""
    if fmt == "native":
        return None

    def sheet(table: Table) -> InventorySheet:
        return InventorySheet(table.sheet, table.originals, table.rows, parse_cell)

    if fmt == "rvtools":
        info = tables.get("vinfo") or tables["workloads"]
        host = tables.get("vhost")
        tabs = {name: sheet(tables[name]) for name in RVTOOLS_TABS if name in tables}
        return lambda settings, problems: rvtools(sheet(info), sheet(host) if host else None, settings, problems, tabs)
    if fmt == "azure_migrate":
        return lambda settings, problems: azure_migrate(sheet(tables["workloads"]), problems)
    return lambda settings, problems: mapped_csv(sheet(tables["workloads"]), mapping or {}, problems)


def _estate(
    tables: dict[str, Table],
    server_table: Table | None,
    overrides: Mapping[str, str] | None,
    source: str,
    is_csv: bool = False,
    importer: Importer | None = None,
    hosts: tuple[CurrentHost, ...] = (),
    notes: tuple[str, ...] = (),
    *,
    strict: bool = False,
    excluded: tuple[ExcludedRow, ...] = (),
    usage: UsageSource = None,
    mapping: Mapping[str, str] | None = None,
) -> Estate:
    problems: list[InputProblem] = []
    if "workloads" not in tables and importer is None:
        problems.append(InputProblem(Path(source).name, None, None, "missing sheet Workloads"))
    if server_table is None and not (is_csv or importer):
        hint = " (or give a catalog with --servers)"
        problems.append(InputProblem(Path(source).name, None, None, f"missing sheet Servers{hint}"))
    if problems:
        raise InputError(problems)
    entries: list[tuple[str, int | None, object, object]] = []
    if "settings" in tables:
        for row, v, _ in _records(tables["settings"], SETTING_COLUMNS, problems):
            if v["setting"] is not None and v["value"] is not None:  # a blank value keeps the default
                entries.append((tables["settings"].sheet, row, v["setting"], v["value"]))
    entries += [("--set", None, k, v) for k, v in (overrides or {}).items()]
    settings = parse_settings(entries, problems)
    said = list(notes)
    if importer is None:
        sheet = tables["workloads"].sheet
        workloads = _workloads(tables["workloads"], problems)
    else:
        imported = importer(settings, problems)
        if not strict:
            problems, excluded, imported = exclude_bad_rows(problems, imported)
        sheet, workloads, hosts, said = imported.sheet, imported.workloads, imported.hosts, list(imported.notes)
    if server_table is None:  # an inventory or a CSV of workloads: the bundled catalog and today's shapes
        servers, said_catalog = default_servers(hosts)
        said.append(said_catalog)
    else:
        servers = _servers(server_table, problems)
    named = {str(name).strip().lower() for _, _, name, _ in entries}
    settings, defaulted = inventory_defaults(settings, named, [w for _, w in workloads])
    said += defaulted
    workloads = [(row, in_zone(w)) for row, w in workloads]
    raw = [w for _, w in workloads]
    ratings = estate_ratings(servers)  # the CPU generations read once, for both sizings
    sized, sizing_notes = apply_sizing(raw, settings, servers, ratings)
    if problems:
        raise InputError(problems)
    history = load_history(usage, tables.get("usage"), [w.name for w in raw], mapping, strict)
    sized, demand, history_notes = with_history(raw, sized, ratings, settings, history)
    _cross_checks(sheet, [(row, w) for (row, _), w in zip(workloads, sized, strict=True)], servers, settings, problems)
    problems += site_problems(sheet, workloads, settings.cross_sites)
    if problems:
        raise InputError(problems)
    notes = tuple(said + sizing_notes + history_notes)
    return Estate(
        tuple(sized), tuple(servers), settings, source=source, hosts=hosts, notes=notes, excluded=excluded, usage=demand
    )


def estate_from_rows(
    workloads: list[list[object]],
    servers: list[list[object]],
    settings: list[list[object]] | None = None,
    *,
    overrides: Mapping[str, str] | None = None,
    source: str = "edited tables",
    hosts: list[list[object]] | None = None,
    notes: list[list[object]] | None = None,
    excluded: list[list[object]] | None = None,
    usage: UsageSource = None,
) -> Estate:
    """Validate in-memory tables (a header row, then data rows) exactly as a workbook's sheets.

    Used by the dashboard's editors, with the "hosts" and "notes" tables of an imported
    inventory (from `load_rows`) carried through; raises InputError with every problem found.
    """
    tables = {"workloads": make_table("Workloads", workloads), "servers": make_table("Servers", servers)}
    if settings:
        tables["settings"] = make_table("Settings", settings)
    today = tuple(CurrentHost(*row) for row in (hosts or [])[1:])  # type: ignore[arg-type]
    said = tuple(str(row[0]) for row in (notes or [])[1:])
    return _estate(
        tables, tables["servers"], overrides, source, hosts=today, notes=said, excluded=excluded_rows(excluded), usage=usage
    )
